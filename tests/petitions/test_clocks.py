"""Petition clocks (indicators.md §8, PET-1…PET-3).

Calendar facts used below: 2023-04-05 (清明) off; Labour Day break 04-29…05-03 with
04-23 (Sun) and 05-06 (Sat) worked.
"""

from __future__ import annotations

from datetime import date

from zhixing.cases.bundle import parse_case
from zhixing.cases.records import CaseRecord
from zhixing.petitions.rules import LATE, ON_TIME, OVERDUE, PENDING, petition_clocks

PARTIES = [
    {"id": "p1", "role": "申请执行人", "kind": "法人", "name": "焦作市某商贸有限公司"},
    {"id": "p2", "role": "被执行人", "kind": "自然人", "name": "李某"},
]


def case(*petitions: dict) -> CaseRecord:
    return parse_case(
        {
            "case_number": "（2023）豫0823执1301号",
            "filed_on": "2023-03-10",
            "claim_amount": "80000.00",
            "parties": PARTIES,
            "petitions": [
                {"source": "来访", "referred_by": None, "about_lower_court": False, **p} for p in petitions
            ],
        }
    )


def D(s: str) -> date:
    return date.fromisoformat(s)


AS_OF = D("2023-12-31")


def one(c: CaseRecord, as_of: date | None = AS_OF):
    (only,) = petition_clocks(c, as_of)
    return only


def test_example_b_across_qingming_and_labour_day():
    b = case(
        {
            "id": "x1",
            "received_on": "2023-04-01",
            "registered_on": "2023-04-03",
            "closed_on": "2023-04-20",
            "replied": True,
        }
    )
    assert one(b).to_json() == {
        "case_number": "（2023）豫0823执1301号",
        "petition": "x1",
        "handled_by": "豫0823",
        "received_on": "2023-04-01",
        "registration_due_on": "2023-04-10",
        "registered_on": "2023-04-03",
        "registration_status": "on_time",
        "closing_due_on": "2023-05-04",
        "closed_on": "2023-04-20",
        "status": "on_time",
        "screening_due_on": None,
        "screening_status": None,
        "provisional": False,
    }


def test_registration_boundary():
    on_due = case({"id": "x1", "received_on": "2023-04-01", "registered_on": "2023-04-10"})
    late = case({"id": "x1", "received_on": "2023-04-01", "registered_on": "2023-04-11"})
    missing = case({"id": "x1", "received_on": "2023-04-01"})
    assert one(on_due).registration_status == ON_TIME
    assert one(late).registration_status == LATE
    assert one(missing, D("2023-04-10")).registration_status == OVERDUE
    assert one(missing, D("2023-04-09")).registration_status == PENDING


def test_closing_boundary():
    on_due = case({"id": "x1", "received_on": "2023-04-01", "closed_on": "2023-05-04"})
    late = case({"id": "x1", "received_on": "2023-04-01", "closed_on": "2023-05-05"})
    assert (one(on_due).status, one(late).status) == (ON_TIME, LATE)
    assert one(late, D("2023-05-04")).status == OVERDUE  # the late closing is not seen yet
    assert one(late, D("2023-05-03")).status == PENDING
    assert one(late, D("2023-05-03")).closed_on is None


def test_screening_only_about_a_lower_court():
    # The 15th working day after Sat 04-01 is Sun 04-23, worked in lieu of Labour Day.
    c = case(
        {"id": "x1", "received_on": "2023-04-01", "about_lower_court": True, "screened_on": "2023-04-23"}
    )
    got = one(c)
    assert (got.screening_due_on, got.screening_status) == (D("2023-04-23"), ON_TIME)
    assert one(c, D("2023-04-22")).screening_status == PENDING
    late = case(
        {"id": "x1", "received_on": "2023-04-01", "about_lower_court": True, "screened_on": "2023-04-24"}
    )
    assert one(late).screening_status == LATE
    never = case({"id": "x1", "received_on": "2023-04-01", "about_lower_court": True})
    assert one(never, D("2023-04-23")).screening_status == OVERDUE


def test_handled_by_defaults_to_the_case_court():
    c = case(
        {"id": "x1", "received_on": "2023-04-01"},
        {"id": "x2", "received_on": "2023-04-02", "handled_by": "豫08", "referred_by": "高级人民法院"},
    )
    assert [(p.petition, p.handled_by) for p in petition_clocks(c, AS_OF)] == [
        ("x1", "豫0823"),
        ("x2", "豫08"),
    ]


def test_a_petition_received_after_as_of_is_not_listed():
    c = case({"id": "x1", "received_on": "2023-04-01"})
    assert petition_clocks(c, D("2023-03-31")) == []
    assert len(petition_clocks(c, D("2023-04-01"))) == 1


def test_everything_known():
    c = case({"id": "x1", "received_on": "2023-04-01", "registered_on": "2023-04-03"})
    got = one(c, None)
    assert (got.registration_status, got.status) == (ON_TIME, OVERDUE)


def test_beyond_the_published_calendar_is_provisional():
    c = parse_case(
        {
            "case_number": "（2026）豫0823执1号",
            "filed_on": "2026-11-02",
            "claim_amount": "1.00",
            "parties": PARTIES,
            "petitions": [{"id": "x1", "received_on": "2026-12-10"}],
        }
    )
    assert one(c, None).provisional is True  # closing due 2027-01-11
    assert one(case({"id": "x1", "received_on": "2023-04-01"})).provisional is False
