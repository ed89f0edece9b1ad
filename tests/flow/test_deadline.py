"""The statutory deadline of a case (indicators.md §2, DL-13/DL-14) and
``closed_within_deadline``.

Calendar facts used below (State Council schedules): 2023-09-02 is a Saturday; the 2023
National Day break is 09-29…10-06 with 10-07 (Sat) and 10-08 (Sun) worked; 2024-01-01 is
off; 2027 has no published schedule yet (weekends only, provisional).
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from zhixing.cases.bundle import parse_case
from zhixing.cases.choices import CaseType
from zhixing.cases.records import CaseRecord, Event
from zhixing.flow.rules import closed_within_deadline, deadline_detail, statutory_deadline

PARTIES = [
    {"id": "p1", "role": "申请执行人", "kind": "自然人", "name": "张某"},
    {"id": "p2", "role": "被执行人", "kind": "法人", "name": "武陟县某建材有限公司"},
]


def ev(node: str, on: str, **data) -> dict:
    return {"node": node, "on": on, **data}


def case(filed_on: str = "2023-03-02", events=(), *, code: str = "执", **fields) -> CaseRecord:
    """A 武陟县法院 case built from a bundle-shaped dict (spec/case-bundle.md)."""
    obj = {
        "case_number": f"（{filed_on[:4]}）豫0823{code}101号",
        "filed_on": filed_on,
        "claim_amount": "125000.00",
        "parties": PARTIES,
        "events": list(events),
        **fields,
    }
    if code == "执恢":
        obj.setdefault("original_case_number", "（2022）豫0823执1号")
    return parse_case(obj)


def D(s: str) -> date:
    return date.fromisoformat(s)


AS_OF = D("2023-12-31")


# -- example.jsonl --------------------------------------------------------------------------


def test_example_a_rolls_from_saturday_to_monday():
    # Case A: filed 2023-03-02; + 6 months = Sat 2023-09-02 → Mon 09-04 (PER-3).
    a = case(
        "2023-03-02",
        [ev("handler_assigned", "2023-03-03", handler="王某")],
        closing={"on": "2023-06-30", "mode": "终结本次执行程序"},
    )
    assert statutory_deadline(a, AS_OF) == (D("2023-09-04"), False)
    assert closed_within_deadline(a, AS_OF) is True


def test_example_d_thirty_suspended_days():
    # Case D: filed 2022-10-10, base 2023-04-10, suspended 01-05 → 02-04 (30 days).
    d = case("2022-10-10", [ev("suspension_start", "2023-01-05"), ev("suspension_end", "2023-02-04")])
    assert statutory_deadline(d, AS_OF) == (D("2023-05-10"), False)
    assert deadline_detail(d, AS_OF).excluded_days == 30
    assert closed_within_deadline(d, AS_OF) is False  # open


def test_example_e_resumed_case_has_a_deadline():
    e = case("2023-09-01", code="执恢", closing={"on": "2023-10-10", "mode": "执行完毕"})
    assert e.case_type == CaseType.RESUMED
    assert statutory_deadline(e, AS_OF) == (D("2024-03-01"), False)
    assert closed_within_deadline(e, AS_OF) is True


# -- step 1: base ---------------------------------------------------------------------------


def test_non_litigation_three_months():
    assert statutory_deadline(case("2023-03-02", non_litigation=True), AS_OF) == (D("2023-06-02"), False)


def test_month_end_filing_clamps_to_the_last_day():
    assert statutory_deadline(case("2023-08-31"), AS_OF) == (D("2024-02-29"), False)
    assert statutory_deadline(case("2023-08-31", non_litigation=True), AS_OF) == (D("2023-11-30"), False)


def test_rolls_onto_a_make_up_saturday():
    # 2023-04-01 + 6 months = 10-01 (National Day) → Sat 10-07, a 调休 working day.
    assert statutory_deadline(case("2023-04-01"), AS_OF) == (D("2023-10-07"), False)


def test_no_deadline_for_preservation_and_review_cases():
    assert statutory_deadline(case("2023-03-02", code="执保"), AS_OF) == (None, False)
    assert statutory_deadline(case("2023-03-02", code="执异"), AS_OF) == (None, False)
    assert deadline_detail(case("2023-03-02", code="执异"), AS_OF) is None
    closed = case("2023-03-02", code="执保", closing={"on": "2023-04-01", "mode": "保全完毕"})
    assert closed_within_deadline(closed, AS_OF) is False


def test_beyond_the_published_calendar_is_provisional():
    # 2026-08-03 + 6 months = 2027-02-03: 2027 has no official schedule loaded.
    assert statutory_deadline(case("2026-08-03"), None) == (D("2027-02-03"), True)
    assert statutory_deadline(case("2026-06-01"), None) == (D("2026-12-01"), False)


# -- step 2: extensions ---------------------------------------------------------------------


def test_extension_on_the_unrolled_deadline_counts():
    # Unrolled deadline Sat 09-02: an approval that day counts (+3 months → Sat 12-02 → Mon 12-04).
    c = case("2023-03-02", [ev("extension_approved", "2023-09-02", months=3)])
    assert statutory_deadline(c, AS_OF) == (D("2023-12-04"), False)
    assert deadline_detail(c, AS_OF).extensions == (3,)


def test_extension_the_day_after_the_unrolled_deadline_does_not_count():
    # 09-03 is before the rolled deadline 09-04, but counting compares the unrolled one (§2).
    c = case("2023-03-02", [ev("extension_approved", "2023-09-03", months=3)])
    assert statutory_deadline(c, AS_OF) == (D("2023-09-04"), False)
    assert deadline_detail(c, AS_OF).extensions == ()


def test_a_later_approval_revives_nothing():
    c = case(
        "2023-03-02", [ev("extension_approved", "2023-10-09", months=6), ev("suspension_start", "2023-10-10")]
    )
    assert statutory_deadline(c, AS_OF) == (D("2023-09-04"), False)
    assert statutory_deadline(c, None) == (D("2023-09-04"), False)


def test_extensions_add_months_in_date_order():
    # 2023-08-31 → 2024-02-29, + 1 month → 2024-03-29 (not filing + 7 months = 03-31).
    c = case("2023-08-31", [ev("extension_approved", "2023-09-10", months=1)])
    assert statutory_deadline(c, AS_OF) == (D("2024-03-29"), False)


def test_two_extensions_the_second_counting_thanks_to_the_first():
    c = case(
        "2023-03-02",
        [ev("extension_approved", "2023-08-01", months=1), ev("extension_approved", "2023-10-02", months=2)],
    )
    # 09-02 + 1 month = 10-02: the second approval is on that day and counts → 12-02 → 12-04.
    assert statutory_deadline(c, AS_OF) == (D("2023-12-04"), False)


def test_extension_after_as_of_is_not_seen():
    c = case("2023-03-02", [ev("extension_approved", "2023-08-01", months=3)])
    assert statutory_deadline(c, D("2023-07-31")) == (D("2023-09-04"), False)
    assert statutory_deadline(c, D("2023-08-01")) == (D("2023-12-04"), False)


# -- step 3: intervals ----------------------------------------------------------------------


def test_interval_starting_on_the_unrolled_deadline_counts():
    c = case("2023-03-02", [ev("suspension_start", "2023-09-02"), ev("suspension_end", "2023-09-12")])
    assert statutory_deadline(c, AS_OF) == (D("2023-09-12"), False)


def test_interval_starting_after_the_unrolled_deadline_does_not_count():
    c = case("2023-03-02", [ev("suspension_start", "2023-09-03"), ev("suspension_end", "2023-09-13")])
    assert statutory_deadline(c, AS_OF) == (D("2023-09-04"), False)
    assert deadline_detail(c, AS_OF).excluded_days == 0


def test_overlapping_intervals_count_each_day_once():
    # Suspension 05-01→05-11 and exclusion 05-06→05-16: union 05-01…05-15 = 15 days.
    c = case(
        "2023-03-02",
        [
            ev("suspension_start", "2023-05-01"),
            ev("exclusion_start", "2023-05-06", ground="审计评估"),
            ev("suspension_end", "2023-05-11"),
            ev("exclusion_end", "2023-05-16", ground="审计评估"),
        ],
    )
    assert deadline_detail(c, AS_OF).excluded_days == 15
    assert statutory_deadline(c, AS_OF) == (D("2023-09-18"), False)  # 09-17 is a Sunday


def test_zero_day_interval():
    c = case("2023-03-02", [ev("postponement_start", "2023-05-01"), ev("postponement_end", "2023-05-01")])
    assert deadline_detail(c, AS_OF).excluded_days == 0
    assert statutory_deadline(c, AS_OF) == (D("2023-09-04"), False)


def test_open_interval_ends_at_as_of_plus_one_day():
    c = case("2023-03-02", [ev("suspension_start", "2023-08-01")])
    assert statutory_deadline(c, D("2023-07-31")) == (D("2023-09-04"), False)  # not started yet
    assert statutory_deadline(c, D("2023-08-01")) == (D("2023-09-04"), False)  # 1 day: Sun 09-03 → Mon 09-04
    assert statutory_deadline(c, D("2023-08-10")) == (D("2023-09-12"), False)  # 10 days
    assert deadline_detail(c, D("2023-08-10")).open_interval is True
    assert statutory_deadline(c, None) == (None, False)  # unbounded while open
    assert closed_within_deadline(c, None) is False  # still open


def test_an_end_after_as_of_is_not_seen():
    c = case("2023-03-02", [ev("suspension_start", "2023-08-01"), ev("suspension_end", "2023-08-21")])
    assert statutory_deadline(c, D("2023-08-10")) == (D("2023-09-12"), False)
    assert statutory_deadline(c, D("2023-08-21")) == (D("2023-09-22"), False)
    assert statutory_deadline(c, None) == (D("2023-09-22"), False)


def test_an_interval_makes_a_later_extension_count():
    # Suspended 08-01→08-21 (20 days): in force on 09-15 is 09-22, so the extension counts.
    c = case(
        "2023-03-02",
        [
            ev("suspension_start", "2023-08-01"),
            ev("suspension_end", "2023-08-21"),
            ev("extension_approved", "2023-09-15", months=2),
        ],
    )
    assert statutory_deadline(c, AS_OF) == (D("2023-11-22"), False)


def test_an_interval_still_open_when_the_next_item_comes_keeps_the_case_in_time():
    # Suspended from 09-01 (counts: base 09-02); on 09-20 it is still running, so the
    # deadline in force that day is 09-02 + 20 days (09-01…09-20) = 09-22 and the
    # extension counts. The suspension ends 10-01: 30 days; 10-02 + 30 = 11-01.
    c = case(
        "2023-03-02",
        [
            ev("suspension_start", "2023-09-01"),
            ev("extension_approved", "2023-09-20", months=1),
            ev("suspension_end", "2023-10-01"),
        ],
    )
    assert statutory_deadline(c, AS_OF) == (D("2023-11-01"), False)
    assert statutory_deadline(c, D("2023-09-20")) == (
        D("2023-10-23"),
        False,
    )  # 10-02 + 20 = Sun 10-22 → Mon 10-23


def test_an_interval_that_did_not_count_does_not_help_a_later_one():
    c = case(
        "2023-03-02",
        [
            ev("suspension_start", "2023-09-03"),
            ev("exclusion_start", "2023-09-05", ground="公告送达"),
            ev("suspension_end", "2023-10-03"),
        ],
    )
    assert statutory_deadline(c, AS_OF) == (D("2023-09-04"), False)


# -- closed_within_deadline -----------------------------------------------------------------


def test_closed_on_the_deadline_day_is_within():
    assert (
        closed_within_deadline(case("2023-03-02", closing={"on": "2023-09-04", "mode": "执行完毕"}), AS_OF)
        is True
    )
    assert (
        closed_within_deadline(case("2023-03-02", closing={"on": "2023-09-05", "mode": "执行完毕"}), AS_OF)
        is False
    )


def test_a_closing_after_as_of_is_not_seen():
    c = case("2023-03-02", closing={"on": "2023-06-30", "mode": "执行完毕"})
    assert closed_within_deadline(c, D("2023-06-29")) is False
    assert closed_within_deadline(c, D("2023-06-30")) is True
    assert closed_within_deadline(c, None) is True


def test_closed_while_a_counted_interval_is_open():
    c = case(
        "2023-03-02", [ev("suspension_start", "2023-08-01")], closing={"on": "2023-12-20", "mode": "执行完毕"}
    )
    assert closed_within_deadline(c, AS_OF) is True
    assert closed_within_deadline(c, None) is True  # the deadline is unbounded


# -- properties -------------------------------------------------------------------------------

FILED = date(2023, 1, 16)
KINDS = ("suspension", "postponement", "exclusion")


@st.composite
def cases(draw) -> CaseRecord:
    """A 首执 case filed on FILED with random extensions and interval pairs per kind
    (starts and ends alternate in date order; the last start may stay open)."""
    raw: list[tuple[date, str, dict]] = []
    for _ in range(draw(st.integers(0, 3))):
        raw.append(
            (
                FILED + timedelta(days=draw(st.integers(0, 400))),
                "extension_approved",
                {"months": draw(st.integers(1, 6))},
            )
        )
    for kind in KINDS:
        offsets = sorted(draw(st.lists(st.integers(0, 500), max_size=5)))
        for i, off in enumerate(offsets):
            node = f"{kind}_start" if i % 2 == 0 else f"{kind}_end"
            data = {"ground": "拍卖变卖"} if kind == "exclusion" else {}
            raw.append((FILED + timedelta(days=off), node, data))
    raw.sort(key=lambda t: t[0])  # stable: each kind keeps its start/end alternation
    events = tuple(Event(node=n, on=on, seq=i, data=data) for i, (on, n, data) in enumerate(raw))
    return CaseRecord(
        case_number="（2023）豫0823执101号",
        court="豫0823",
        case_type=CaseType.FIRST,
        filed_on=FILED,
        events=events,
        non_litigation=draw(st.booleans()),
    )


@settings(max_examples=150, deadline=None)
@given(cases(), st.integers(0, 700), st.integers(0, 200))
def test_deadline_never_decreases_as_as_of_grows(c, offset, step):
    early = FILED + timedelta(days=offset)
    later = early + timedelta(days=step)
    d1, _ = statutory_deadline(c, early)
    d2, _ = statutory_deadline(c, later)
    assert d1 is not None and d2 is not None
    assert d1 <= d2


@settings(max_examples=150, deadline=None)
@given(cases(), st.integers(0, 700))
def test_everything_known_agrees_once_the_deadline_has_passed(c, offset):
    as_of = FILED + timedelta(days=offset)
    deadline, _ = statutory_deadline(c, as_of)
    if deadline <= as_of:
        assert statutory_deadline(c, None)[0] == deadline


@settings(max_examples=150, deadline=None)
@given(cases(), st.integers(0, 700))
def test_never_overdue_while_a_counted_interval_is_open(c, offset):
    as_of = FILED + timedelta(days=offset)
    detail = deadline_detail(c, as_of)
    if detail.open_interval:
        assert detail.deadline > as_of
