"""Shared fixtures: the example bundle, a factory of valid bundle cases, valid identifiers,
an in-memory importer and the named personas of the court-scoping tests.

Cases are written as bundle-shaped dicts (spec/case-bundle.md), the shape acceptance data
uses; ``bundle_case(**overrides)`` returns a valid one (a 首执 case of 武陟县法院 whose
key nodes K1–K4 are all done on the filing day, so it has no overdue obligation unless a
test removes one).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from itertools import count
from pathlib import Path

import pytest

from zhixing.lib.identifiers import credit_code_check_char, id_number_check_char, organization_code_check_char

ROOT = Path(__file__).resolve().parents[1]
#: ``../shared`` beside the repository (shared/README.md).
SHARED = ROOT.parent / "shared"
EXAMPLE = SHARED / "spec" / "example.jsonl"

#: The "today" pure parsing tests pass to ``parse_case`` so birth-date checks do not move.
TODAY = date(2024, 6, 1)


# -- identifiers -------------------------------------------------------------------------


def make_id_number(birth: str = "19850312", region: str = "410823", seq: str = "203") -> str:
    """A valid 18-character 公民身份号码 (GB 11643) for a birth date given as YYYYMMDD."""
    first17 = f"{region}{birth}{seq}"
    return first17 + id_number_check_char(first17)


def make_credit_code(prefix: str = "91410823", org_body: str = "MA3X4K2L") -> str:
    """A valid 统一社会信用代码 (GB 32100) whose characters 9–17 are a valid GB 11714 code."""
    first17 = prefix + org_body + organization_code_check_char(org_body)
    return first17 + credit_code_check_char(first17)


# -- bundle cases --------------------------------------------------------------------------


def ev(node: str, on: str, **fields) -> dict:
    """One bundle event."""
    return {"node": node, "on": on, **fields}


def key_node_events(on: str) -> list[dict]:
    """K1–K4 discharged on ``on`` (indicators.md §3)."""
    return [
        ev("handler_assigned", on, handler="王某"),
        ev("execution_notice", on),
        ev("property_report_order", on),
        ev(
            "online_inquiry", on, system="总对总", categories=["存款", "车辆", "不动产", "有价证券"], found=[]
        ),
    ]


def applicant(pid: str = "p1", **fields) -> dict:
    return {
        "id": pid,
        "role": "申请执行人",
        "kind": "自然人",
        "name": "张某",
        "id_number": make_id_number(),
        **fields,
    }


def debtor(pid: str = "p2", **fields) -> dict:
    return {
        "id": pid, "role": "被执行人", "kind": "法人", "name": "武陟县某建材有限公司",
        "credit_code": make_credit_code(), "legal_representative": "赵某", **fields,
    }  # fmt: skip


_sequence = count(1)


def make_bundle_case(
    *, court_code: str = "豫0823", type_code: str = "执", seq: int | None = None, **fields
) -> dict:
    """A valid bundle case; ``fields`` replace bundle fields verbatim.

    Without an explicit ``case_number`` the number is built from ``court_code``,
    ``type_code``, the year of ``filed_on`` (CASENO-2) and ``seq`` (default: a fresh one).
    A 执恢 case gets an ``original_case_number`` unless one is given.
    """
    filed_on = fields.get("filed_on", "2023-03-01")
    number = f"（{filed_on[:4]}）{court_code}{type_code}{seq if seq is not None else next(_sequence)}号"
    case = {
        "case_number": number,
        "filed_on": filed_on,
        "claim_amount": "10000.00",
        "handler": "王某",
        "parties": [applicant(), debtor()],
        "events": key_node_events(filed_on),
    }
    if type_code == "执恢":
        case["original_case_number"] = f"（{int(filed_on[:4]) - 1}）{court_code}执1号"
    case.update(fields)
    return case


def jsonl(*cases: dict | str) -> str:
    """A bundle text: dicts are dumped one a line, strings written as they are."""
    return "".join((c if isinstance(c, str) else json.dumps(c, ensure_ascii=False)) + "\n" for c in cases)


class CaseFactory:
    """``bundle_case(**overrides)`` builds a valid case (``make_bundle_case``); its attributes
    build the parts: ``.applicant()``, ``.debtor()``, ``.ev()``, ``.key_node_events()``,
    ``.id_number()``, ``.credit_code()``, ``.jsonl()`` and ``.today`` (the date pure tests
    pass to ``parse_case``). Test modules use these rather than importing conftest."""

    today = TODAY
    applicant = staticmethod(applicant)
    debtor = staticmethod(debtor)
    ev = staticmethod(ev)
    key_node_events = staticmethod(key_node_events)
    id_number = staticmethod(make_id_number)
    credit_code = staticmethod(make_credit_code)
    jsonl = staticmethod(jsonl)

    def __call__(self, **overrides) -> dict:
        return make_bundle_case(**overrides)


@pytest.fixture
def bundle_case() -> CaseFactory:
    """The factory of valid bundle cases (see ``CaseFactory``)."""
    return CaseFactory()


@pytest.fixture(scope="session")
def example_lines() -> list[str]:
    """The non-blank lines of spec/example.jsonl, verbatim (without the newline)."""
    return [line for line in EXAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def example_cases(example_lines) -> list[dict]:
    """The example cases decoded (fresh copies: tests may change them)."""
    return [json.loads(line) for line in example_lines]


@pytest.fixture
def import_cases(db) -> Callable[..., object]:
    """Import bundle cases (dicts or raw lines) through ``cases.services.import_bundle``."""
    from zhixing.cases.services import import_bundle

    def run(*cases: dict | str, **kwargs):
        return import_bundle(io.StringIO(jsonl(*cases)), today=kwargs.pop("today", TODAY), **kwargs)

    return run


# -- personas (courts and users) ---------------------------------------------------------------


@pytest.fixture
def courts(db) -> dict:
    """焦作中院 (豫08) with 武陟县法院 (豫0823) and 温县法院 (豫0825), named."""
    from zhixing.courts.services import import_courts

    import_courts(
        [
            json.dumps({"code": "豫08", "name": "焦作市中级人民法院"}, ensure_ascii=False),
            json.dumps({"code": "豫0823", "name": "武陟县人民法院"}, ensure_ascii=False),
            json.dumps({"code": "豫0825", "name": "温县人民法院"}, ensure_ascii=False),
        ]
    )
    from zhixing.courts.models import Court

    return {c.code: c for c in Court.objects.all()}


@pytest.fixture
def personas(courts) -> dict:
    """Named users: an officer of 武陟县法院, a bureau chief of 焦作中院, an officer of
    温县法院 (who must see nothing of 武陟), and a user with no court."""
    from zhixing.courts.models import Role, User

    def user(username: str, court: str | None, role: str) -> User:
        # No password: hashing one (scrypt) would only slow the tests down.
        return User.objects.create(username=username, court=courts.get(court), role=role)

    return {
        "wuzhi_officer": user("wuzhi_officer", "豫0823", Role.OFFICER),
        "jiaozuo_chief": user("jiaozuo_chief", "豫08", Role.BUREAU_CHIEF),
        "wenxian_officer": user("wenxian_officer", "豫0825", Role.OFFICER),
        "courtless": user("courtless", None, Role.OFFICER),
    }


@pytest.fixture(autouse=True, scope="session")
def dashboard_cache_in_memory():
    """The command centre keeps its figures in files beside a SQLite database by default
    (ZHIXING_DASHBOARD_CACHE); the tests keep them in memory, so that nothing outlives the
    run or passes between the xdist workers. tests/dashboard/test_cache.py tests the files."""
    from django.conf import settings
    from django.test import override_settings

    memory = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "zhixing-dashboard"}
    with override_settings(CACHES={**settings.CACHES, "dashboard": memory}):
        yield


@pytest.fixture(autouse=True)
def dashboard_refresh_in_line(monkeypatch):
    """The command centre recomputes stale figures in a background thread
    (dashboard.cache.in_background); in tests it runs in line, inside the test's
    transaction, so what a test sees next does not depend on thread timing; and at once
    after a write, not a minute later."""
    from zhixing.dashboard import cache

    monkeypatch.setattr(cache, "in_background", lambda work: work())
    monkeypatch.setattr(cache, "REFRESH_AFTER", 0)
