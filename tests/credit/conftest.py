"""Fixtures of the credit tests: a fresh screening index and key cache per
test, a 武陟 case with a natural-person debtor and agencies with keys."""

from __future__ import annotations

import types
from datetime import date

import pytest

#: 周某, born 1985-03-12 — the debtor of the credit case.
BIRTH = "19850312"
CASE_NUMBER = "（2024）豫0823执88号"


@pytest.fixture(autouse=True)
def fresh_state(settings):
    """Each test starts with no index, no cached keys, empty rate-limit counters and the
    index polling on every request (so a change shows in the next call)."""
    from django.core.cache import cache

    from zhixing.credit import index, screening

    index.holder.reset()
    index.holder.poll_seconds = 0.0
    screening.keys.invalidate()
    screening.key_limiter.reset()
    cache.clear()
    yield
    index.holder.reset()
    screening.keys.invalidate()


@pytest.fixture
def credit_urls(settings):
    """The project's own URL map, which mounts the credit API and pages."""
    return settings.ROOT_URLCONF


def id_number(birth: str = BIRTH, seq: str = "203", region: str = "410823") -> str:
    from zhixing.lib.identifiers import id_number_check_char

    first17 = f"{region}{birth}{seq}"
    return first17 + id_number_check_char(first17)


def credit_code(body: str = "MA3X4K2L", prefix: str = "91410823") -> str:
    from zhixing.lib.identifiers import credit_code_check_char, organization_code_check_char

    first17 = prefix + body + organization_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def ev(node: str, on: str, **fields) -> dict:
    return {"node": node, "on": on, **fields}


def credit_bundle(
    *,
    number: str = CASE_NUMBER,
    filed: str = "2024-01-10",
    events=(),
    closing=None,
    birth: str = BIRTH,
    claim: str = "100000.00",
    recovered: str = "0.00",
    unit: bool = False,
    seq: str = "203",
) -> dict:
    """A 武陟 case against 周某 (p2, a natural person) or a unit (p3 when ``unit``)."""
    parties = [
        {
            "id": "p1",
            "role": "申请执行人",
            "kind": "法人",
            "name": "焦作市某商贸有限公司",
            "credit_code": credit_code("MA44AB2C"),
        },
        {
            "id": "p2",
            "role": "被执行人",
            "kind": "自然人",
            "name": "周某",
            "id_number": id_number(birth, seq),
        },
    ]
    if unit:
        parties.append(
            {
                "id": "p3",
                "role": "被执行人",
                "kind": "法人",
                "name": "武陟县某建材有限公司",
                "credit_code": credit_code(),
                "legal_representative": "赵某",
            }
        )
    return {
        "case_number": number,
        "filed_on": filed,
        "claim_amount": claim,
        "recovered_amount": recovered,
        "basis": {
            "document_number": "（2023）豫0823民初100号",
            "issuer": "武陟县人民法院",
            "kind": "民事判决书",
            "effective_on": "2023-12-01",
        },
        "handler": "王某",
        "parties": parties,
        "events": [ev("handler_assigned", filed, handler="王某"), ev("execution_notice", filed), *events],
        "closing": closing,
    }


@pytest.fixture
def make_case(import_cases):
    """Import a credit case (``credit_bundle`` keywords) and derive its list entries."""
    from zhixing.cases.models import Case
    from zhixing.credit.services import sync_entries

    def make(**kwargs) -> Case:
        bundle = credit_bundle(**kwargs)
        report = import_cases(bundle, today=date(2026, 1, 1))
        assert report.rejected == [], report.rejected
        case = Case.objects.get(case_number=bundle["case_number"])
        sync_entries([case.pk])
        return case

    return make


@pytest.fixture
def agencies(db):
    """Two agencies: 铁路 with every scope, 航空 with single screening only."""
    from zhixing.credit import services
    from zhixing.credit.models import Scope

    rail = services.create_agency("railway", "中国国家铁路集团有限公司")
    air = services.create_agency("airline", "某航空公司")
    _, rail_key = services.issue_key(rail, Scope.values)
    _, air_key = services.issue_key(air, [Scope.SCREEN, Scope.AUDIT])
    return {"railway": (rail, rail_key), "airline": (air, air_key)}


@pytest.fixture
def kit() -> types.SimpleNamespace:
    """The builders above, for test modules (which do not import conftest)."""
    return types.SimpleNamespace(
        id_number=id_number,
        credit_code=credit_code,
        ev=ev,
        bundle=credit_bundle,
        case_number=CASE_NUMBER,
        birth=BIRTH,
    )


@pytest.fixture
def listed(personas, make_case):
    """周某 restricted on 2024-02-01 and listed (G1) on 2024-03-01 in （2024）豫0823执88号."""
    from zhixing.credit import services
    from zhixing.credit.services import Document

    case = make_case(events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}])
    services.list_party(
        personas["wuzhi_officer"],
        case,
        party="p2",
        grounds=["G1"],
        term_years=None,
        doc=Document(date(2024, 3, 1), "（2024）豫0823执88号之一", "李院长"),
    )
    return case
