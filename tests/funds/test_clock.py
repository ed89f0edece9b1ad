"""Case-fund clocks (indicators.md §9, FUND-1…3) and K6 (§3).

Calendar facts used below: 2023-05-06 (Sat) and 2023-06-25 (Sun) are 调休 working days;
2023-10-14 is a plain Saturday; 2023 National Day break 09-29…10-06.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from zhixing.cases.bundle import parse_case
from zhixing.cases.records import CaseRecord
from zhixing.flow import obligations as ob
from zhixing.funds.rules import (
    DEFERRED,
    LATE,
    LODGED,
    ON_TIME,
    OVERDUE,
    PENDING,
    k6_obligations,
    receipt_clocks,
)

PARTIES = [
    {"id": "p1", "role": "申请执行人", "kind": "法人", "name": "焦作市某商贸有限公司"},
    {"id": "p2", "role": "被执行人", "kind": "自然人", "name": "李某"},
]


def case(
    notice_on: str = "2023-04-06",
    amount: str = "80000.00",
    *,
    disbursements=(),
    deferrals=(),
    lodgements=(),
    code: str = "执",
    filed_on: str = "2023-03-10",
) -> CaseRecord:
    """A case with one receipt r1; ``disbursements`` as (on, amount), ``deferrals`` as
    (approved_on, ends_on), ``lodgements`` as dates."""
    return parse_case(
        {
            "case_number": f"（{filed_on[:4]}）豫0823{code}1301号",
            "filed_on": filed_on,
            "claim_amount": amount,
            "parties": PARTIES,
            "receipts": [{"id": "r1", "notice_on": notice_on, "amount": amount, "payer": "李某"}],
            "disbursements": [
                {"id": f"d{i}", "receipt": "r1", "on": on, "amount": amt, "payee": "p1"}
                for i, (on, amt) in enumerate(disbursements, 1)
            ],
            "deferrals": [
                {"receipt": "r1", "approved_on": a, "ground": "需要进行案款分配", "ends_on": e}
                for a, e in deferrals
            ],
            "lodgements": [{"receipt": "r1", "on": on, "ground": "申请执行人下落不明"} for on in lodgements],
        }
    )


def D(s: str) -> date:
    return date.fromisoformat(s)


AS_OF = D("2023-12-31")


def clock(c: CaseRecord, as_of: date | None = AS_OF):
    (only,) = receipt_clocks(c, as_of)
    return only


def test_example_b_due_on_a_make_up_saturday():
    b = case("2023-04-06", disbursements=[("2023-04-20", "80000.00")])
    got = clock(b)
    assert got.to_json() == {
        "case_number": "（2023）豫0823执1301号",
        "receipt": "r1",
        "notice_on": "2023-04-06",
        "amount": "80000.00",
        "due_on": "2023-05-06",
        "disbursed": "80000.00",
        "disbursed_on": "2023-04-20",
        "status": "on_time",
        "lodged_on": None,
        "provisional": False,
    }


def test_example_e_due_rolls_past_a_plain_saturday():
    e = case("2023-09-14", "125000.00", disbursements=[("2023-09-28", "125000.00")], filed_on="2023-09-01")
    got = clock(e)
    assert (got.due_on, got.status, got.disbursed) == (D("2023-10-16"), ON_TIME, Decimal("125000.00"))


def test_disbursed_on_the_due_day_is_on_time_the_day_after_late():
    assert clock(case(disbursements=[("2023-05-06", "80000.00")])).status == ON_TIME
    late = clock(case(disbursements=[("2023-05-08", "80000.00")]))
    assert (late.status, late.disbursed_on) == (LATE, D("2023-05-08"))


def test_partial_disbursements():
    c = case(disbursements=[("2023-04-10", "30000.00"), ("2023-05-10", "50000.00")])
    partial = clock(c, D("2023-05-06"))
    assert (partial.disbursed, partial.disbursed_on, partial.status) == (
        Decimal("30000.00"),
        None,
        OVERDUE,
    )
    assert clock(c, D("2023-05-05")).status == PENDING
    full = clock(c)
    assert (full.disbursed, full.disbursed_on, full.status) == (Decimal("80000.00"), D("2023-05-10"), LATE)
    assert full.to_json()["disbursed"] == "80000.00"


def test_a_receipt_noticed_after_as_of_is_not_listed():
    assert receipt_clocks(case("2023-04-06"), D("2023-04-05")) == []
    assert len(receipt_clocks(case("2023-04-06"), D("2023-04-06"))) == 1


def test_deferral_approved_on_the_due_day_moves_it():
    # Due 05-06; approved that day, ends 05-20 → + 10 days = 05-30 (FUND-2).
    c = case(deferrals=[("2023-05-06", "2023-05-20")])
    assert clock(c, D("2023-05-10")).status == DEFERRED
    assert clock(c, D("2023-05-20")).status == DEFERRED  # runs through its ends_on
    assert clock(c, D("2023-05-21")).status == PENDING
    got = clock(c, D("2023-05-30"))
    assert (got.due_on, got.status) == (D("2023-05-30"), OVERDUE)


def test_deferral_approved_after_the_due_day_stops_nothing():
    c = case(deferrals=[("2023-05-07", "2023-05-20")])
    got = clock(c, D("2023-05-10"))
    assert (got.due_on, got.status) == (D("2023-05-06"), OVERDUE)


def test_deferral_without_an_end_has_no_due_day():
    c = case(deferrals=[("2023-04-20", None)], disbursements=[("2023-08-01", "80000.00")])
    running = clock(c, D("2023-07-31"))
    assert (running.due_on, running.status) == (None, DEFERRED)
    assert running.to_json()["due_on"] is None
    assert clock(c).status == ON_TIME  # no due day was missed


def test_a_second_deferral_counts_only_before_the_moved_due_day():
    # First deferral ends 05-20 → due 05-30 (Tue). A second one approved 05-30 counts
    # (ends 06-15 → due Sun 06-25, worked in lieu of the Dragon Boat break 06-22…24);
    # one approved 05-31 would not.
    counted = case(deferrals=[("2023-05-06", "2023-05-20"), ("2023-05-30", "2023-06-15")])
    assert clock(counted).due_on == D("2023-06-25")
    not_counted = case(deferrals=[("2023-05-06", "2023-05-20"), ("2023-05-31", "2023-06-15")])
    assert clock(not_counted).due_on == D("2023-05-30")
    # While the clock is stopped with no end, a later deferral with an end counts.
    open_then_end = case(deferrals=[("2023-04-20", None), ("2023-09-01", "2023-09-10")])
    assert clock(open_then_end).due_on == D("2023-09-20")


def test_a_deferral_approved_after_as_of_is_not_seen():
    c = case(deferrals=[("2023-05-06", "2023-05-20")])
    got = clock(c, D("2023-05-05"))
    assert (got.due_on, got.status) == (D("2023-05-06"), PENDING)


def test_lodgement_on_or_before_the_due_day():
    got = clock(case(lodgements=["2023-05-06"]))
    assert (got.status, got.lodged_on) == (LODGED, D("2023-05-06"))


def test_a_late_lodgement_discharges_nothing():
    got = clock(case(lodgements=["2023-05-08"]))
    assert (got.status, got.lodged_on) == (OVERDUE, D("2023-05-08"))
    paid = clock(case(lodgements=["2023-05-08"], disbursements=[("2023-05-09", "80000.00")]))
    assert paid.status == LATE


def test_beyond_the_published_calendar_is_provisional():
    assert clock(case("2026-12-10", filed_on="2026-11-02"), None).provisional is True  # due 2027-01-11
    assert clock(case(), None).provisional is False


def test_everything_known():
    assert clock(case(), None).status == OVERDUE
    assert clock(case(deferrals=[("2023-04-20", None)]), None).status == DEFERRED


# -- K6 -------------------------------------------------------------------------------------


def k6(c: CaseRecord, as_of: date | None = AS_OF):
    (only,) = k6_obligations(c, as_of)
    return only


def test_k6_obligation_matches_the_clock():
    o = k6(case(disbursements=[("2023-04-20", "80000.00")]))
    assert (o.key_node, o.node, o.ref, o.trigger_on, o.due_on, o.done_on, o.status, o.rule) == (
        "K6",
        "disbursement",
        "r1",
        D("2023-04-06"),
        D("2023-05-06"),
        D("2023-04-20"),
        ob.DONE,
        "FUND-1",
    )


def test_k6_statuses():
    assert k6(case(disbursements=[("2023-05-08", "80000.00")])).status == ob.DONE_LATE
    assert k6(case(), D("2023-05-06")).status == ob.OVERDUE
    assert k6(case(), D("2023-05-05")).status == ob.PENDING
    lodged = k6(case(lodgements=["2023-05-04"]))
    assert (lodged.done_on, lodged.status) == (D("2023-05-04"), ob.DONE)
    late_lodged = k6(case(lodgements=["2023-05-08"]))
    assert (late_lodged.done_on, late_lodged.status) == (None, ob.OVERDUE)
    deferred = k6(case(deferrals=[("2023-04-20", None)]))
    assert (deferred.due_on, deferred.status) == (None, ob.PENDING)
