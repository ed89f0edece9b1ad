"""funds/batch.py gives exactly the rule's clocks (funds.rules.receipt_clocks), whatever
the case: random receipts, partial and late payments, deferrals, lodgements, as-of days
(including the 2023-05-06 make-up Saturday and holiday breaks). No database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from zhixing.cases.bundle import parse_case
from zhixing.cases.records import CaseRecord
from zhixing.funds.batch import ClockBatch
from zhixing.funds.rules import receipt_clocks

START = date(2023, 3, 20)
day = st.integers(0, 120).map(lambda n: START + timedelta(days=n))
cents = st.integers(1, 5_000_000).map(lambda c: Decimal(c) / 100)


@st.composite
def cases(draw) -> CaseRecord:
    receipts, disbursements, deferrals, lodgements = [], [], [], []
    for i in range(draw(st.integers(1, 3))):
        rid, notice, amount = f"r{i + 1}", draw(day), draw(cents)
        receipts.append({"id": rid, "notice_on": notice.isoformat(), "amount": str(amount)})
        left = amount
        for k in range(draw(st.integers(0, 3))):
            part = min(left, draw(cents))
            if part <= 0:
                break
            left -= part
            on = notice + timedelta(days=draw(st.integers(0, 60)))
            disbursements.append(
                {"id": f"d{i}{k}", "receipt": rid, "on": on.isoformat(), "amount": str(part), "payee": "p1"}
            )
        if draw(st.booleans()) and draw(st.booleans()):
            approved = notice + timedelta(days=draw(st.integers(0, 40)))
            ends = draw(
                st.one_of(st.none(), st.integers(0, 30).map(lambda n, a=approved: a + timedelta(days=n)))
            )
            deferrals.append({"receipt": rid, "approved_on": approved.isoformat(), "ground": "需要进行案款分配",
                              "ends_on": None if ends is None else ends.isoformat()})  # fmt: skip
        if draw(st.integers(0, 5)) == 0:
            lodgements.append({"receipt": rid, "on": (notice + timedelta(days=draw(st.integers(0, 45)))).isoformat(),
                               "ground": "申请执行人下落不明"})  # fmt: skip
    return parse_case(
        {
            "case_number": "（2023）豫0823执1301号",
            "filed_on": "2023-03-10",
            "claim_amount": "1.00",
            "parties": [
                {"id": "p1", "role": "申请执行人", "kind": "法人", "name": "某公司"},
                {"id": "p2", "role": "被执行人", "kind": "自然人", "name": "李某"},
            ],
            "receipts": receipts,
            "disbursements": disbursements,
            "deferrals": deferrals,
            "lodgements": lodgements,
        }
    )


@settings(max_examples=300, deadline=None)
@given(case=cases(), as_of=st.one_of(st.none(), day))
def test_the_batch_gives_the_rules_clocks(case, as_of):
    assert ClockBatch(as_of).clocks(case) == receipt_clocks(case, as_of)


@settings(max_examples=40, deadline=None)
@given(many=st.lists(cases(), min_size=2, max_size=12), as_of=day)
def test_reused_verdicts_stay_right_across_cases(many, as_of):
    batch = ClockBatch(as_of)  # one cache for all the cases, as in a report
    for case in many:
        assert [c.to_json() for c in batch.clocks(case)] == [c.to_json() for c in receipt_clocks(case, as_of)]


def test_due_on_the_make_up_saturday():
    record = parse_case(
        {
            "case_number": "（2023）豫0823执1301号",
            "filed_on": "2023-03-10",
            "claim_amount": "80000.00",
            "parties": [
                {"id": "p1", "role": "申请执行人", "kind": "法人", "name": "某公司"},
                {"id": "p2", "role": "被执行人", "kind": "自然人", "name": "李某"},
            ],
            "receipts": [
                {"id": "r1", "notice_on": "2023-04-06", "amount": "80000.00"},
                {"id": "r2", "notice_on": "2023-04-06", "amount": "10.00"},
            ],
            "disbursements": [
                {"id": "d1", "receipt": "r1", "on": "2023-05-06", "amount": "80000.00", "payee": "p1"}
            ],
        }
    )
    batch = ClockBatch(date(2023, 5, 8))
    got = [(c.receipt, c.due_on, c.status) for c in batch.clocks(record)]
    assert got == [("r1", date(2023, 5, 6), "on_time"), ("r2", date(2023, 5, 6), "overdue")]
    assert len(batch._verdicts) == 2  # (04-06, paid 05-06) and (04-06, unpaid)
