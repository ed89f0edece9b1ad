"""The detectors (supervision/detectors.py): each finds its pattern, and does not fire on a
lawful lookalike. Pure: cases are built from bundle-shaped dicts, no database.

Calendar facts used: 2023-05-01…05-03 Labour Day (04-29…05-03 off, 05-06 Sat worked);
2023-06-04 is a Sunday; 国庆 2023-09-29…10-06 off; 2024 is a leap year.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from zhixing.cases.bundle import parse_case
from zhixing.supervision import detectors as D

TODAY = date(2026, 1, 1)
PARTIES = [
    {"id": "p1", "role": "申请执行人", "kind": "自然人", "name": "张某"},
    {"id": "p2", "role": "被执行人", "kind": "法人", "name": "武陟县某建材有限公司"},
]


def d(s: str) -> date:
    return date.fromisoformat(s)


def ev(node: str, on: str, **fields) -> dict:
    return {"node": node, "on": on, **fields}


def inquiry(on: str, *found: tuple[str, str, str]) -> dict:
    return ev("online_inquiry", on, system="总对总", categories=["存款", "车辆", "不动产", "有价证券"],
              found=[{"asset": a, "category": c, "value": v} for a, c, v in found])  # fmt: skip


def restraint(on: str, asset: str, value: str, *, category: str = "不动产", measure: str = "查封",
              expires_on: str = "2026-06-30") -> dict:  # fmt: skip
    return ev(
        "restraint", on, asset=asset, measure=measure, category=category, value=value, expires_on=expires_on
    )


def case(*events: dict, filed_on: str = "2023-03-01", claim: str = "100000.00", **fields):
    return parse_case(
        {
            "case_number": f"（{filed_on[:4]}）豫0823执{fields.pop('seq', 101)}号",
            "filed_on": filed_on,
            "claim_amount": claim,
            "parties": PARTIES,
            "events": list(events),
            **fields,
        },
        today=TODAY,
    )


def fired(c, as_of: str, code: str, cfg: D.DetectorConfig = D.DEFAULT) -> list[D.Hit]:
    return D.detect_case(c, d(as_of), cfg, only=[code])


# -- P1 passive_inactive ---------------------------------------------------------------------


def test_p1_thirty_days_without_an_action():
    c = case(inquiry("2023-03-03"), ev("field_investigation", "2023-04-10"))
    (hit,) = fired(c, "2023-05-10", "passive_inactive")  # 04-11 … 05-10: 30 days
    assert hit.facts == {"last_action_on": d("2023-04-10"), "last_action": "field_investigation"}
    assert hit.summary == "自最近一次执行行为（2023-04-10 实地调查）起已 30 日无任何执行节点记录。"
    assert fired(c, "2023-05-09", "passive_inactive") == []


def test_p1_an_interference_record_or_a_clue_is_not_an_action():
    c = case(
        inquiry("2023-03-03"),
        ev("interference_record", "2023-03-20", person="某领导", content="打招呼"),
        ev("clue_received", "2023-03-25", clue="c1"),
    )
    (hit,) = fired(c, "2023-04-02", "passive_inactive")
    assert hit.facts["last_action_on"] == d("2023-03-03")


def test_p1_lookalike_money_moving_is_an_action():
    c = case(
        inquiry("2023-03-03"),
        receipts=[{"id": "r1", "notice_on": "2023-03-20", "amount": "1000.00", "payer": "某"}],
        disbursements=[{"id": "d1", "receipt": "r1", "on": "2023-04-10", "amount": "1000.00", "payee": "p1"}],
        recovered_amount="1000.00",
    )
    assert fired(c, "2023-05-09", "passive_inactive") == []
    (hit,) = fired(c, "2023-05-10", "passive_inactive")
    assert hit.summary == "自最近一次执行行为（2023-04-10 执行款发放）起已 30 日无任何执行节点记录。"


def test_p1_lookalike_a_suspended_case_waits_lawfully():
    c = case(inquiry("2023-03-03"), ev("suspension_start", "2023-03-10"))
    assert fired(c, "2023-06-30", "passive_inactive") == []
    resumed = case(
        inquiry("2023-03-03"), ev("suspension_start", "2023-03-10"), ev("suspension_end", "2023-06-01")
    )
    assert fired(resumed, "2023-06-30", "passive_inactive") == []  # 29 days since it resumed
    assert fired(resumed, "2023-07-01", "passive_inactive")[0].facts["last_action"] == "suspension_end"


def test_p1_lookalike_a_closed_case_is_not_passive():
    c = case(
        inquiry("2023-03-03"), closing={"on": "2023-06-20", "mode": "执行完毕"}, recovered_amount="100000.00"
    )
    assert fired(c, "2023-12-31", "passive_inactive") == []
    # …but at an as-of before its closing it was open, and idle.
    assert len(fired(c, "2023-04-02", "passive_inactive")) == 1


# -- P2 passive_no_first_inquiry -------------------------------------------------------------


def test_p2_no_inquiry_in_the_first_month_month_end_clamp():
    # Filed 2024-01-31: the first month ends 2024-02-29 (PER-4 clamp, leap year).
    late = case(inquiry("2024-03-01"), filed_on="2024-01-31")
    (hit,) = fired(late, "2024-02-29", "passive_no_first_inquiry")
    assert hit.facts == {"filed_on": d("2024-01-31"), "first_month_ends_on": d("2024-02-29")}
    assert fired(late, "2024-02-28", "passive_no_first_inquiry") == []  # the month is not over
    assert fired(late, "2024-12-31", "passive_no_first_inquiry")[0].fingerprint == hit.fingerprint
    on_the_last_day = case(inquiry("2024-02-29"), filed_on="2024-01-31")
    assert fired(on_the_last_day, "2024-12-31", "passive_no_first_inquiry") == []


def test_p2_lookalike_suspended_within_the_first_month():
    c = case(ev("suspension_start", "2023-03-10"), ev("suspension_end", "2023-05-10"), inquiry("2023-05-12"))
    assert fired(c, "2023-06-30", "passive_no_first_inquiry") == []


# -- P3 passive_long_open --------------------------------------------------------------------


def test_p3_open_over_one_year_excludes_the_anniversary():
    c = case(inquiry("2024-02-29"), ev("field_investigation", "2025-02-20"), filed_on="2024-02-29")
    assert fired(c, "2025-02-28", "passive_long_open") == []  # filed_on + 12 months = 2025-02-28
    (hit,) = fired(c, "2025-03-01", "passive_long_open")
    assert hit.facts == {"filed_on": d("2024-02-29")}


def test_p3_lookalike_closed_within_the_year_and_preservation_cases():
    closed = case(inquiry("2023-03-02"), closing={"on": "2024-02-01", "mode": "终结本次执行程序"})
    assert fired(closed, "2024-12-31", "passive_long_open") == []
    preservation = parse_case(
        {
            "case_number": "（2023）豫0823执保3号",
            "filed_on": "2023-03-01",
            "claim_amount": "1.00",
            "parties": PARTIES,
        },
        today=TODAY,
    )
    assert D.detect_case(preservation, d("2024-12-31")) == []


# -- S1 selective_not_restrained ---------------------------------------------------------------


def test_s1_property_found_not_restrained_within_30_days_rolled():
    # Found Fri 2023-05-05; +30 days = Sun 06-04, rolled to Mon 06-05 (PER-3).
    found = inquiry("2023-05-05", ("h1", "不动产", "300000.00"))
    late = case(inquiry("2023-03-02"), found, restraint("2023-06-06", "h1", "300000.00"))
    (hit,) = fired(late, "2023-06-05", "selective_not_restrained")
    assert (hit.key, hit.facts) == (
        "h1",
        {"asset": "h1", "category": "不动产", "value": Decimal("300000.00"), "found_on": d("2023-05-05")},
    )
    assert fired(late, "2023-06-04", "selective_not_restrained") == []  # the period has not run out
    in_time = case(inquiry("2023-03-02"), found, restraint("2023-06-05", "h1", "300000.00"))
    assert fired(in_time, "2023-12-31", "selective_not_restrained") == []


def test_s1_lookalikes_not_disposable_paid_or_a_balance():
    found = inquiry("2023-05-05", ("v1", "车辆", "20000.00"))
    recorded = case(found, ev("asset_not_disposable", "2023-05-20", asset="v1", reason="车辆下落不明"))
    assert fired(recorded, "2023-12-31", "selective_not_restrained") == []
    paid = case(found, recovered_amount="100000.00")
    assert fired(paid, "2023-12-31", "selective_not_restrained") == []
    deposit = case(inquiry("2023-05-05", ("a1", "存款", "20000.00")))
    assert fired(deposit, "2023-12-31", "selective_not_restrained") == []  # a balance is S2's


def test_s1_a_verified_clue_with_results():
    c = case(
        inquiry("2023-03-02"),
        ev("clue_received", "2023-04-01", clue="c1"),
        ev(
            "clue_verified",
            "2023-04-06",
            clue="c1",
            found=[{"asset": "g1", "category": "股权", "value": "50000.00"}],
        ),
    )
    (hit,) = fired(c, "2023-12-31", "selective_not_restrained")
    assert hit.facts["found_on"] == d("2023-04-06")


# -- S2 selective_deposit_not_frozen -----------------------------------------------------------


def test_s2_found_deposit_not_frozen_across_labour_day():
    # Found Fri 2023-04-28; +3 days = 05-01 (holiday), rolled to Thu 05-04.
    found = inquiry("2023-04-28", ("a1", "存款", "50000.00"))
    late = case(found, restraint("2023-05-05", "a1", "50000.00", category="存款", measure="冻结"))
    (hit,) = fired(late, "2023-05-04", "selective_deposit_not_frozen")
    assert hit.facts["value"] == Decimal("50000.00")
    in_time = case(found, restraint("2023-05-04", "a1", "50000.00", category="存款", measure="冻结"))
    assert fired(in_time, "2023-12-31", "selective_deposit_not_frozen") == []
    deducted = case(found, ev("deduction", "2023-04-30", asset="a1", amount="50000.00"))
    assert fired(deducted, "2023-12-31", "selective_deposit_not_frozen") == []


def test_s2_lookalike_a_small_balance_per_t13():
    small = case(inquiry("2023-04-03", ("a1", "网络资金", "800.00")), claim="80000.00")  # ≤ 5 % of 80,000
    assert fired(small, "2023-12-31", "selective_deposit_not_frozen") == []
    not_small = case(inquiry("2023-04-03", ("a1", "网络资金", "800.00")), claim="10000.00")  # 5 % is 500
    assert len(fired(not_small, "2023-12-31", "selective_deposit_not_frozen")) == 1


# -- A1 abusive_over_seizure -------------------------------------------------------------------


def test_a1_restraints_above_the_unpaid_claim_plus_the_margin():
    at_limit = case(restraint("2023-03-10", "h1", "150000.00"))
    assert fired(at_limit, "2023-12-31", "abusive_over_seizure") == []  # exactly 1.5 × 100,000
    over = case(restraint("2023-03-10", "h1", "100000.00"), restraint("2023-04-10", "h2", "50000.01"))
    (hit,) = fired(over, "2023-12-31", "abusive_over_seizure")
    assert hit.facts == {
        "on": d("2023-04-10"),
        "restraints": [["h1", Decimal("100000.00")], ["h2", Decimal("50000.01")]],
        "unpaid": Decimal("100000.00"),
    }
    assert fired(over, "2023-04-09", "abusive_over_seizure") == []
    wider = D.DetectorConfig(over_seizure_margin=Decimal("1.0"))
    assert fired(over, "2023-12-31", "abusive_over_seizure", wider) == []


def test_a1_money_received_lowers_the_unpaid_claim():
    c = case(
        restraint("2023-03-10", "h1", "120000.00"),
        receipts=[{"id": "r1", "notice_on": "2023-05-08", "amount": "40000.00", "payer": "某"}],
        recovered_amount="40000.00",
    )
    # Before the receipt: 120,000 ≤ 1.5 × 100,000. After: unpaid 60,000, and 120,000 > 90,000.
    assert fired(c, "2023-05-07", "abusive_over_seizure") == []
    (hit,) = fired(c, "2023-05-08", "abusive_over_seizure")
    assert (hit.facts["on"], hit.facts["unpaid"]) == (d("2023-05-08"), Decimal("60000.00"))


def test_a1_lookalike_a_restraint_that_ended_before_the_next():
    c = case(
        restraint("2023-03-10", "h1", "120000.00", expires_on="2023-06-30"),
        restraint("2023-07-01", "h2", "120000.00"),
        restraint("2023-07-05", "a1", "60000.00", category="存款", measure="冻结"),
        ev("restraint_released", "2023-07-04", asset="h2"),
    )
    assert fired(c, "2023-12-31", "abusive_over_seizure") == []


# -- A2 abusive_kept_after_performance ---------------------------------------------------------


def test_a2_a_restraint_kept_after_the_case_was_performed():
    c = case(
        restraint("2023-03-10", "h1", "300000.00"),
        closing={"on": "2023-05-10", "mode": "执行完毕"},
        recovered_amount="100000.00",
    )
    (hit,) = fired(c, "2023-05-17", "abusive_kept_after_performance")  # released by 05-17 at the latest
    assert hit.facts == {"performed_on": d("2023-05-10"), "restraints": [["h1", Decimal("300000.00")]]}
    assert fired(c, "2023-05-16", "abusive_kept_after_performance") == []
    released = case(
        restraint("2023-03-10", "h1", "300000.00"),
        ev("restraint_released", "2023-05-15", asset="h1"),
        closing={"on": "2023-05-10", "mode": "执行完毕"},
        recovered_amount="100000.00",
    )
    assert fired(released, "2023-12-31", "abusive_kept_after_performance") == []


def test_a2_lookalikes_a_deducted_deposit_and_a_zhongben_case():
    deducted = case(
        restraint("2023-03-10", "a1", "100000.00", category="存款", measure="冻结"),
        ev("deduction", "2023-03-20", asset="a1", amount="100000.00"),
        receipts=[{"id": "r1", "notice_on": "2023-03-22", "amount": "100000.00", "payer": "某"}],
        recovered_amount="100000.00",
        closing={"on": "2023-04-10", "mode": "执行完毕"},
    )
    assert fired(deducted, "2023-12-31", "abusive_kept_after_performance") == []
    zhongben = case(
        restraint("2023-03-10", "v1", "20000.00", category="车辆"),
        closing={"on": "2023-07-10", "mode": "终结本次执行程序"},
    )
    assert (
        D.detect_case(
            zhongben, d("2023-12-31"), only=["abusive_kept_after_performance", "abusive_over_seizure"]
        )
        == []
    )


# -- M1 / M2 misreported closings ------------------------------------------------------------


def test_m1_performed_with_less_than_the_claim_and_no_settlement():
    c = case(closing={"on": "2023-06-01", "mode": "执行完毕"}, recovered_amount="60000.00")
    (hit,) = fired(c, "2023-06-01", "misreported_performed")
    assert hit.facts == {
        "closed_on": d("2023-06-01"),
        "claim": Decimal("100000.00"),
        "recovered": Decimal("60000.00"),
    }
    assert fired(c, "2023-05-31", "misreported_performed") == []  # not closed yet at that as-of


def test_m1_lookalikes_a_settlement_or_full_recovery():
    settled = case(
        ev("settlement", "2023-05-20"),
        closing={"on": "2023-06-01", "mode": "执行完毕"},
        recovered_amount="60000.00",
    )
    assert fired(settled, "2023-12-31", "misreported_performed") == []
    full = case(closing={"on": "2023-06-01", "mode": "执行完毕"}, recovered_amount="100000.00")
    assert fired(full, "2023-12-31", "misreported_performed") == []


def test_m2_zhongben_with_everything_recovered():
    c = case(closing={"on": "2023-07-01", "mode": "终结本次执行程序"}, recovered_amount="100000.00")
    (hit,) = fired(c, "2023-12-31", "misreported_terminated")
    assert (
        hit.summary
        == "以终结本次执行程序结案（2023-07-01），但到位金额 100000.00 元已达申请标的 100000.00 元。"
    )
    partly = case(closing={"on": "2023-07-01", "mode": "终结本次执行程序"}, recovered_amount="99999.99")
    assert fired(partly, "2023-12-31", "misreported_terminated") == []


# -- F1 filing suppression ---------------------------------------------------------------------


def working_days(start: str, end: str) -> list[date]:
    from zhixing.lib.workdays import calendar

    day, out = d(start), []
    while day <= d(end):
        if calendar().is_working_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def steady(start: str, end: str, per_day: int) -> Counter:
    return Counter({day: per_day for day in working_days(start, end)})


def test_f1_year_end_drop_against_the_courts_own_rate():
    daily = steady("2023-08-01", "2023-12-31", 20)
    for day in working_days("2023-12-18", "2023-12-29"):  # December's last 10 working days
        daily[day] = 3
    hits = D.filing_suppression("豫0823", daily, d("2023-12-31"))
    assert [(h.key, h.facts["filed"], h.facts["window"]) for h in hits] == [
        ("2023-12", 30, [d("2023-12-18"), d("2023-12-31")])
    ]
    assert hits[0].facts["expected"] == Decimal("200.0")
    assert hits[0].summary.startswith(
        "2023 年 12 月年末（2023-12-18 至 2023-12-31，计 10 个工作日）立案 30 件"
    )


def test_f1_lookalikes_steady_filings_a_holiday_and_the_quiet_before_guoqing():
    assert D.filing_suppression("豫0823", steady("2023-06-01", "2023-12-31", 20), d("2023-12-31")) == []
    # Before 国庆 (09-29…10-06 off) applicants wait: the last 10 days of September are set
    # aside, so a dip there is not suppression.
    daily = steady("2023-06-01", "2023-10-31", 20)
    for day in working_days("2023-09-19", "2023-09-28"):
        daily[day] = 2
    assert [h.key for h in D.filing_suppression("豫0823", daily, d("2023-10-31"))] == []


def test_f1_a_small_court_is_left_alone():
    daily = steady("2023-06-01", "2023-11-30", 1)
    for day in working_days("2023-11-24", "2023-11-30"):
        daily[day] = 0
    assert D.filing_suppression("豫0825", daily, d("2023-11-30")) == []  # 5 expected < 10


def test_f1_over_records():
    records = [
        case(filed_on=day.isoformat(), seq=i + 1)
        for i, day in enumerate(working_days("2023-01-01", "2023-03-31"))
    ]
    assert D.daily_filings(records, d("2023-03-31"))["豫0823"][d("2023-01-03")] == 1


# -- properties ----------------------------------------------------------------------------------


def test_fingerprint_depends_on_the_facts_only():
    a = D.Hit("passive_long_open", "x", "豫0823", {"filed_on": d("2023-03-01")}, "说明一")
    b = D.Hit("passive_long_open", "x", "豫0823", {"filed_on": d("2023-03-01")}, "说明二")
    c = D.Hit("passive_long_open", "x", "豫0823", {"filed_on": d("2023-03-02")}, "说明一")
    assert a.fingerprint == b.fingerprint != c.fingerprint


def test_the_catalog_cites_and_describes_every_detector():
    assert len(D.CATALOG) == 10
    for det in D.CATALOG:
        assert det.cites and det.looks_for
        assert "Rests on" in (det.fn or D.filing_suppression).__doc__


BUSY = case(
    inquiry("2023-03-02", ("h1", "不动产", "300000.00"), ("a1", "存款", "5000.00")),
    restraint("2023-03-05", "h2", "200000.00"),
    ev("field_investigation", "2023-04-01"),
    filed_on="2023-03-01",
)
LATER_NODES = st.sampled_from(["field_investigation", "settlement", "suspension_start", "search"])


@settings(max_examples=60, deadline=None)
@given(
    as_of=st.dates(min_value=date(2023, 3, 1), max_value=date(2024, 12, 31)),
    later=st.lists(st.tuples(LATER_NODES, st.integers(min_value=1, max_value=400)), max_size=4),
)
def test_a_detector_sees_nothing_after_as_of(as_of, later):
    """indicators.md §1: events dated after as-of have not happened yet."""
    extra = tuple(
        D.Event(node, as_of + timedelta(days=n), seq=100 + i)
        for i, (node, n) in enumerate(sorted(later, key=lambda t: t[1]))
    )
    grown = replace(BUSY, events=tuple(sorted(BUSY.events + extra, key=lambda e: e.on)))
    assert [h.fingerprint for h in D.detect_case(grown, as_of)] == [
        h.fingerprint for h in D.detect_case(BUSY, as_of)
    ]
