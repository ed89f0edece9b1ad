"""The shortcuts that make deriving facts fast (issue 4's performance target) give exactly
the answers of the plain rules: the per-calendar memo of period last days (PER-3/PER-4,
indicators.md §1) and its reset on a new schedule, the O(1) "provisional" test, the
deadline of a case without extensions or DL-14 intervals (DL-13), the per-case event
index, the key-node order of ``all_obligations`` (indicators.md §3) and the indexed view
the 终本 checks T1–T13 read (indicators.md §7). ``bench/deadlines.py equivalence`` checks
the whole of ``metrics.facts.derive`` against an earlier revision on 20,000 cases.
"""

from __future__ import annotations

import dataclasses
import io
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixing.cases.bundle import parse_case, read_lines
from zhixing.cases.choices import ClosingMode
from zhixing.cases.records import CaseRecord, Event
from zhixing.credit.rules import k9_obligations
from zhixing.flow.obligations import Obligation
from zhixing.flow.rules import deadline_detail, key_node, obligations, period
from zhixing.funds.rules import k6_obligations, receipt_clocks
from zhixing.lib import periods
from zhixing.lib.workdays import FIRST_DAY, LAST_DAY, calendar, register_schedule, reset_calendar
from zhixing.metrics.facts import HORIZON, _in_order, all_obligations
from zhixing.simulate.generator import simulate
from zhixing.termination import rules as termination_rules
from zhixing.termination.facts import IndexedRecord, fact_of, static_reasons

D = date.fromisoformat
PARTIES = [
    {"id": "p1", "role": "申请执行人", "kind": "自然人", "name": "张某"},
    {"id": "p2", "role": "被执行人", "kind": "法人", "name": "武陟县某建材有限公司"},
    {"id": "p3", "role": "被执行人", "kind": "自然人", "name": "李某"},
]


def case(filed_on: str, events=(), **fields) -> CaseRecord:
    return parse_case(
        {
            "case_number": f"（{filed_on[:4]}）豫0823执101号",
            "filed_on": filed_on,
            "claim_amount": "125000.00",
            "parties": PARTIES,
            "events": list(events),
            **fields,
        }
    )


@pytest.fixture
def fresh():
    reset_calendar()
    yield
    reset_calendar()


# -- the calendar's memo and the provisional test ------------------------------------------------


def test_memoised_last_days_are_forgotten_when_a_schedule_is_loaded(fresh):
    # K1 (DL-2): filed Fri 2027-01-01 + 7 days = Fri 01-08. 2027 is not published: weekends
    # only, provisional. A (made-up) schedule making 01-08 a holiday moves it to Mon 01-11.
    k1 = key_node("K1").period
    assert k1.due(D("2027-01-01")) == (D("2027-01-08"), True)
    assert k1.last_day(D("2027-01-01")) == D("2027-01-08")
    register_schedule(2027, [D("2027-01-08")], [], "测试用")
    assert k1.due(D("2027-01-01")) == (D("2027-01-11"), False)
    c = case("2027-01-01")
    (first,) = [o for o in obligations(c, None) if o.key_node == "K1"]
    assert (first.due_on, first.provisional) == (D("2027-01-11"), False)
    assert deadline_detail(c, None).deadline == D("2027-07-01")  # Thu, a working day either way
    reset_calendar()
    assert k1.due(D("2027-01-01")) == (D("2027-01-08"), True)


def test_a_memo_belongs_to_one_calendar(fresh):
    cal = calendar()
    cal.memo("x")["k"] = 1
    assert cal.memo("x") == {"k": 1}
    register_schedule(2027, [], [], "测试用")
    assert calendar() is not cal
    assert calendar().memo("x") == {}


@given(
    st.integers(min_value=FIRST_DAY.year - 3, max_value=LAST_DAY.year + 3),
    st.integers(min_value=FIRST_DAY.year - 3, max_value=LAST_DAY.year + 3),
)
def test_any_unofficial_is_the_loop_over_years(a, b):
    cal = calendar()
    assert cal.any_unofficial(a, b) == any(not cal.is_official(y) for y in range(a, b + 1))


@given(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY), st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
def test_is_provisional_is_any_unofficial_year_between(start, end):
    cal = calendar()
    lo, hi = sorted((start.year, end.year))
    assert periods.is_provisional(start, end) == any(not cal.is_official(y) for y in range(lo, hi + 1))


# -- DL-13 without extensions or intervals -----------------------------------------------------------

filing_days = st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=60)
@given(filing_days, st.booleans(), st.integers(min_value=1, max_value=400), st.sampled_from(["执", "执恢"]))
def test_the_plain_deadline_is_the_general_one(filed, non_litigation, offset, code):
    """An extension and a suspension dated after as-of are not seen, so the general path
    (taken because the case has such events) must give the plain path's answer."""
    obj = {"non_litigation": non_litigation}
    if code == "执恢":
        obj["original_case_number"] = "（2003）豫0823执1号"
    plain = parse_case(
        {
            "case_number": f"（{filed.year}）豫0823{code}7号",
            "filed_on": filed.isoformat(),
            "claim_amount": "1.00",
            "parties": PARTIES,
            "events": [],
            **obj,
        }
    )
    as_of = filed + timedelta(days=offset)
    later = (as_of + timedelta(days=1)).isoformat()
    general = dataclasses.replace(
        plain,
        events=(
            Event("extension_approved", D(later), 0, {"months": 3}),
            Event("suspension_start", D(later), 1, {}),
        ),
    )
    expected = deadline_detail(general, as_of)
    assert expected.extensions == () and expected.excluded_days == 0
    assert deadline_detail(plain, as_of) == expected
    assert deadline_detail(plain, None) == expected
    spec = period("statutory_non_litigation" if non_litigation else "statutory")
    assert expected.deadline == periods.roll_forward(spec.period.end(filed))


def test_the_event_index_follows_the_record_asked_about():
    a = case("2023-03-02", [{"node": "handler_assigned", "on": "2023-03-03", "handler": "王某"}])
    b = dataclasses.replace(a, events=(Event("handler_assigned", D("2023-03-20"), 0, {"handler": "李某"}),))
    done = [[o.done_on for o in obligations(c, None) if o.key_node == "K1"] for c in (a, b)]
    assert done == [[D("2023-03-03")], [D("2023-03-20")]]
    assert [o.done_on for o in obligations(a, None) if o.key_node == "K1"] == [D("2023-03-03")]


# -- the order of all_obligations ------------------------------------------------------------------


def _obligation(key: str, trigger: date, ref: str | None) -> Obligation:
    return Obligation(key, "n", ref, trigger, trigger, None, "pending", False, "R")


obligation_lists = st.lists(
    st.builds(
        _obligation,
        st.sampled_from([f"K{i}" for i in range(1, 13)]),  # K10–K12: a catalog grown later
        st.dates(min_value=date(2023, 1, 1), max_value=date(2023, 1, 5)),
        st.one_of(st.none(), st.sampled_from(["1", "2", "10", "c1", "c2"])),
    ),
    max_size=12,
)


@given(obligation_lists)
def test_all_obligations_order_is_the_stable_sort(found):
    expected = sorted(found, key=lambda o: (int(o.key_node[1:]), o.trigger_on, o.ref or ""))
    got = _in_order(list(found))
    assert [id(o) for o in got] == [id(o) for o in expected]


# -- the indexed view of a record for T1–T13 ----------------------------------------------------------

NODES = [
    "online_inquiry",
    "property_report",
    "fine",
    "detention",
    "ruling_served",
    "termination_registry_entry",
]
event_lists = st.lists(
    st.tuples(st.sampled_from(NODES), st.dates(min_value=date(2023, 1, 1), max_value=date(2023, 1, 10))),
    max_size=15,
)


@given(event_lists, st.data())
def test_the_indexed_view_answers_like_the_record(raw, data):
    # Record order is kept as given (not sorted), so the view may not rely on date order.
    record = dataclasses.replace(
        case("2023-01-01"), events=tuple(Event(node, on, i, {}) for i, (node, on) in enumerate(raw))
    )
    view = IndexedRecord.of(record)
    assert all(getattr(view, f.name) == getattr(record, f.name) for f in dataclasses.fields(CaseRecord))
    assert view.debtors == record.debtors
    nodes = data.draw(st.lists(st.sampled_from([*NODES, "search"]), min_size=1, max_size=3))
    assert view.events_of(*nodes) == record.events_of(*nodes)
    bounds = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "on_or_after": st.dates(min_value=date(2023, 1, 1), max_value=date(2023, 1, 10)),
                "on_or_before": st.dates(min_value=date(2023, 1, 1), max_value=date(2023, 1, 10)),
            },
        )
    )
    assert view.first(nodes[0], **bounds) == record.first(nodes[0], **bounds)


@pytest.fixture(scope="module")
def simulated_records() -> list[CaseRecord]:
    out = io.StringIO()
    simulate(out, seed=5, courts=1, years=2, cases_per_court_year=300)
    out.seek(0)
    return [line.record for line in read_lines(out) if line.record is not None]


@pytest.fixture(scope="module")
def simulated_closings(simulated_records) -> list[CaseRecord]:
    return [r for r in simulated_records if r.closing_mode == ClosingMode.TERMINATED_CURRENT]


def test_k6_and_k9_are_asked_for_only_when_a_case_can_have_them(simulated_records):
    """``all_obligations`` skips K6 without receipts (FUND-1: one per receipt) and K9 without
    a ``credit_listing`` (CREDIT-8/9: one per listing); the rules agree, for every as-of."""
    skipped = 0
    for record in simulated_records:
        for as_of in (None, date(2024, 6, 30)):
            if not record.receipts:
                assert k6_obligations(record, as_of) == []
                assert receipt_clocks(record, as_of) == []
            if not record.events_of("credit_listing"):
                assert k9_obligations(record, as_of or HORIZON) == []
                skipped += 1
            expected = sorted(
                obligations(record, as_of)
                + k6_obligations(record, as_of)
                + k9_obligations(record, as_of or HORIZON),
                key=lambda o: (int(o.key_node[1:]), o.trigger_on, o.ref or ""),
            )
            assert all_obligations(record, as_of) == expected
    assert skipped > 100


def test_static_reasons_are_the_checks_on_the_record(simulated_closings):
    assert len(simulated_closings) > 50
    failing = 0
    for record in simulated_closings:
        expected = {c: r for c, fn in termination_rules.STATIC_CHECKS if (r := fn(record)) is not None}
        assert static_reasons(record) == expected
        assert fact_of(1, 1, record).reasons_static == expected
        assert fact_of(1, 1, record).failed_static == list(expected)
        failing += bool(expected)
    assert failing > 0  # the simulator's faults make some closings fail a check
