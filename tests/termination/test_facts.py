"""The stored 终本 verdict parts and the check over many closings that reads them
(issue item 1: the same verdicts everywhere; ``zhixing check termination`` at scale).

``termination_rows`` must give exactly ``check_termination``'s rows — with stored rows
valid, missing or stale — for every as-of, including the T14 edge days.
"""

from __future__ import annotations

from datetime import date

import pytest

from zhixing.cases.loader import load_records
from zhixing.cases.models import Case
from zhixing.termination import facts, rules
from zhixing.termination.models import TerminationFact

from .conftest import case_a

pytestmark = pytest.mark.django_db

CLOSING = {"on": "2023-06-30", "mode": "终结本次执行程序"}
READY = [
    {"node": "applicant_interview", "on": "2023-06-25", "opinion": "同意"},
    {"node": "termination_ruling", "on": "2023-06-28"},
]


def _bundles() -> list[dict]:
    """Compliant, failing, pending T14, served after the closing, entered late, not 终本, 执保."""
    served = {"node": "ruling_served", "on": "2023-06-30"}
    entry = {"node": "termination_registry_entry", "on": "2023-07-05"}
    return [
        case_a(case_number="（2023）豫0823执1号", add=[*READY, served, entry], closing=CLOSING),
        case_a(
            case_number="（2023）豫0823执2号",
            drop=["execution_notice"],
            add=[*READY, served],
            closing=CLOSING,
        ),
        case_a(case_number="（2023）豫0823执3号", add=[*READY, served], closing=CLOSING),
        case_a(
            case_number="（2023）豫0823执4号",
            add=[*READY, {"node": "ruling_served", "on": "2023-07-03"}],
            closing=CLOSING,
        ),
        case_a(
            case_number="（2023）豫0823执5号",
            add=[*READY, served, {"node": "termination_registry_entry", "on": "2023-07-20"}],
            closing=CLOSING,
        ),
        case_a(
            case_number="（2023）豫0823执6号", add=READY, closing={"on": "2023-06-30", "mode": "执行完毕"}
        ),
        case_a(case_number="（2023）豫0823执7号", add=[*READY, served]),
    ]


AS_OF = [
    date(2023, 6, 30),
    date(2023, 7, 2),
    date(2023, 7, 3),
    date(2023, 7, 7),
    date(2023, 7, 10),
    date(2023, 7, 20),
    date(2024, 1, 1),
]


def _expected(as_of: date) -> list[dict]:
    qs = Case.objects.filter(closed_on__lte=as_of)
    return [v.to_json() for _, r in load_records(qs) if (v := rules.check_termination(r, as_of)) is not None]


def test_rows_equal_check_termination_with_valid_missing_and_stale_rows(import_cases):
    assert import_cases(*_bundles()).rejected == []
    # The import stores the five 终本 closings' rows (metrics.facts.refresh_facts); 执行完毕
    # and open cases have none.
    assert TerminationFact.objects.count() == 5
    assert facts.refresh_stale_facts() == 0  # nothing stale: idempotent
    for as_of in AS_OF:
        assert list(facts.termination_rows(Case.objects.all(), as_of)) == _expected(as_of), as_of
    # Stale: the case changed after its row was stored (a bumped version) — and missing.
    Case.objects.filter(case_number="（2023）豫0823执2号").update(version=9)
    TerminationFact.objects.filter(case__case_number="（2023）豫0823执3号").delete()
    for as_of in AS_OF:
        assert list(facts.termination_rows(Case.objects.all(), as_of)) == _expected(as_of), as_of
    assert facts.refresh_stale_facts() == 2


def test_t14_pending_and_failure_at_the_edges(import_cases):
    assert import_cases(*_bundles()).rejected == []
    facts.refresh_stale_facts()
    rows = {r["case_number"]: r for r in facts.termination_rows(Case.objects.all(), date(2023, 7, 6))}
    # Served 06-30: K7's last day is 07-07 (a Friday) — T14 pending the day before, due at the
    # end of 07-07 (as-of is the end of its day).
    assert (
        rows["（2023）豫0823执3号"]["pending"] == ["T14"] and rows["（2023）豫0823执3号"]["verdict"] == "合格"
    )
    rows = {r["case_number"]: r for r in facts.termination_rows(Case.objects.all(), date(2023, 7, 7))}
    assert (
        rows["（2023）豫0823执3号"]["failed"] == ["T14"]
        and rows["（2023）豫0823执3号"]["verdict"] == "待完善"
    )
    assert (
        rows["（2023）豫0823执2号"]["failed"] == ["T1", "T14"]
        and rows["（2023）豫0823执2号"]["verdict"] == "不合格"
    )
    # Served after the closing day (T11 fails); at as-of 07-02 the service is not seen yet.
    early = {r["case_number"]: r for r in facts.termination_rows(Case.objects.all(), date(2023, 7, 2))}
    assert early["（2023）豫0823执4号"]["pending"] == []
    assert set(rows) == {f"（2023）豫0823执{i}号" for i in range(1, 6)}


def test_services_keep_rows_current(make_case, steps):
    case = steps.closed(make_case())
    fact = TerminationFact.objects.get(case=case)
    assert (fact.case_version, fact.failed_static, fact.served_on, fact.registry_entry_on) == (
        case.version,
        [],
        date(2023, 6, 30),
        None,
    )
    assert facts.refresh_stale_facts() == 0
