"""Key-node obligations K1–K5, K7, K8 (indicators.md §3) and the catalog keynodes.yaml.

Calendar facts used below: 2023 Labour Day break 04-29…05-03 (04-23 Sun and 05-06 Sat
worked); 2023-12-30 Sat, 2024-01-01 off; 2024-06-29 Sat; 2027 not yet published.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from zhixing.cases.bundle import parse_case
from zhixing.cases.choices import CaseType
from zhixing.cases.records import CaseRecord
from zhixing.flow.obligations import DONE, DONE_LATE, LAPSED, OVERDUE, PENDING
from zhixing.flow.rules import catalog, key_node, obligations, period

PARTIES = [
    {"id": "p1", "role": "申请执行人", "kind": "自然人", "name": "张某"},
    {"id": "p2", "role": "被执行人", "kind": "法人", "name": "武陟县某建材有限公司"},
]
INQUIRY = {"system": "总对总", "categories": ["存款", "车辆", "不动产", "有价证券"], "found": []}
TERMINATED = "终结本次执行程序"


def ev(node: str, on: str, **data) -> dict:
    if node == "online_inquiry":
        data = {**INQUIRY, **data}
    return {"node": node, "on": on, **data}


def case(
    filed_on: str = "2023-03-02",
    events=(),
    *,
    code: str = "执",
    closed: str | None = None,
    mode: str = "执行完毕",
    **fields,
) -> CaseRecord:
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
    if closed is not None:
        obj["closing"] = {"on": closed, "mode": mode}
    return parse_case(obj)


def D(s: str) -> date:
    return date.fromisoformat(s)


def rows(c: CaseRecord, as_of: date | None, key: str | None = None) -> list[tuple]:
    return [
        (
            o.key_node,
            o.ref,
            o.trigger_on.isoformat(),
            o.due_on.isoformat(),
            o.done_on and o.done_on.isoformat(),
            o.status,
        )
        for o in obligations(c, as_of)
        if key is None or o.key_node == key
    ]


AS_OF = D("2023-12-31")


# -- the catalog ----------------------------------------------------------------------------


def test_catalog_is_data_with_rule_ids_and_sources():
    cat = catalog()
    assert list(cat) == ["K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8", "K9"]
    got = {k: (s.node, s.period.n, s.period.unit, s.period.rolled, s.rule) for k, s in cat.items()}
    assert got == {
        "K1": ("handler_assigned", 7, "days", True, "DL-2"),
        "K2": ("execution_notice", 10, "days", True, "DL-3"),
        "K3": ("property_report_order", 10, "days", True, "DL-4"),
        "K4": ("online_inquiry", 10, "days", True, "DL-21"),
        "K5": ("clue_verified", 7, "days", True, "DL-6"),
        "K6": ("disbursement", 30, "days", True, "FUND-1"),
        "K7": ("termination_registry_entry", 7, "days", True, "TERM-11"),
        "K8": ("online_inquiry", 6, "months", True, "TERM-12"),
        "K9": ("credit_deletion", 3, "working_days", False, "CREDIT-8"),
    }
    assert all(s.source for s in cat.values())
    assert key_node("K1").case_types == frozenset({CaseType.FIRST, CaseType.RESUMED})
    assert key_node("K5").case_types is None
    assert key_node("K7").in_force_from == D("2016-12-01")
    assert key_node("K7").in_force(D("2016-11-30")) is False
    assert key_node("K4").in_force(D("1990-01-01")) is True  # unknown bounds are open
    assert (period("post_termination_horizon").period.n, period("post_termination_horizon").period.unit) == (
        5,
        "years",
    )


# -- example.jsonl --------------------------------------------------------------------------


def example_a() -> CaseRecord:
    return case(
        "2023-03-02",
        [
            ev("handler_assigned", "2023-03-03", handler="王某"),
            ev("execution_notice", "2023-03-06"),
            ev("property_report_order", "2023-03-06"),
            ev("online_inquiry", "2023-03-08"),
            ev("online_inquiry", "2023-06-20"),
            ev("termination_ruling", "2023-06-28"),
            ev("ruling_served", "2023-06-30"),
            ev("termination_registry_entry", "2023-07-05"),
        ],
        application_received_on="2023-02-27",
        closed="2023-06-30",
        mode=TERMINATED,
    )


def test_example_a():
    a = example_a()
    assert rows(a, AS_OF) == [
        ("K1", None, "2023-03-02", "2023-03-09", "2023-03-03", DONE),
        ("K2", None, "2023-02-27", "2023-03-09", "2023-03-06", DONE),
        ("K3", None, "2023-02-27", "2023-03-09", "2023-03-06", DONE),
        ("K4", None, "2023-03-02", "2023-03-13", "2023-03-08", DONE),  # 03-12 is a Sunday
        ("K7", None, "2023-06-30", "2023-07-07", "2023-07-05", DONE),
        # 06-30 + 6 months = Sat 12-30 → 2024-01-02 (01-01 is off); pending at 2023-12-31.
        ("K8", "1", "2023-06-30", "2024-01-02", None, PENDING),
    ]
    assert {o.rule for o in obligations(a, AS_OF)} == {"DL-2", "DL-3", "DL-4", "DL-21", "TERM-11", "TERM-12"}
    # E (执恢15号) resumed A on 2023-09-01: K8 #1 ends after that, so it is dropped.
    assert rows(dataclasses.replace(a, resumed_on=D("2023-09-01")), AS_OF, "K8") == []


def test_example_c_handler_never_assigned():
    c = case(
        "2023-11-20",
        [
            ev("execution_notice", "2023-11-22"),
            ev("property_report_order", "2023-11-22"),
            ev("online_inquiry", "2023-11-24"),
        ],
    )
    assert rows(c, AS_OF, "K1") == [("K1", None, "2023-11-20", "2023-11-27", None, OVERDUE)]
    assert rows(c, D("2023-11-27"), "K1") == [("K1", None, "2023-11-20", "2023-11-27", None, OVERDUE)]
    assert rows(c, D("2023-11-26"), "K1") == [("K1", None, "2023-11-20", "2023-11-27", None, PENDING)]


# -- K1–K4 ----------------------------------------------------------------------------------


def test_k1_due_day_rolls_past_labour_day():
    # Filed 04-24: + 7 = 05-01 (holiday) → 05-04.
    on_time = case("2023-04-24", [ev("handler_assigned", "2023-05-04", handler="王某")])
    late = case("2023-04-24", [ev("handler_assigned", "2023-05-05", handler="王某")])
    assert rows(on_time, AS_OF, "K1") == [("K1", None, "2023-04-24", "2023-05-04", "2023-05-04", DONE)]
    assert rows(late, AS_OF, "K1") == [("K1", None, "2023-04-24", "2023-05-04", "2023-05-05", DONE_LATE)]


def test_k1_due_on_a_make_up_saturday():
    # Filed 04-29 (holiday): + 7 = Sat 05-06, a 调休 working day: not rolled.
    assert rows(case("2023-04-29"), AS_OF, "K1") == [("K1", None, "2023-04-29", "2023-05-06", None, OVERDUE)]


def test_k2_k3_trigger_is_the_application_or_the_filing():
    with_app = case("2023-03-02", application_received_on="2023-02-27")
    without = case("2023-03-02")
    assert [r[2:4] for r in rows(with_app, AS_OF) if r[0] in ("K2", "K3")] == [
        ("2023-02-27", "2023-03-09")
    ] * 2
    # 03-02 + 10 = Sun 03-12 → Mon 03-13.
    assert [r[2:4] for r in rows(without, AS_OF) if r[0] in ("K2", "K3")] == [
        ("2023-03-02", "2023-03-13")
    ] * 2


def test_k4_first_online_inquiry():
    c = case("2023-03-02", [ev("online_inquiry", "2023-03-14"), ev("online_inquiry", "2023-03-20")])
    assert rows(c, AS_OF, "K4") == [("K4", None, "2023-03-02", "2023-03-13", "2023-03-14", DONE_LATE)]
    assert obligations(c, AS_OF)[3].rule == "DL-21"


def test_k1_to_k4_only_for_first_and_resumed_cases():
    assert [r[0] for r in rows(case("2023-09-01", code="执恢"), AS_OF)] == ["K1", "K2", "K3", "K4"]
    assert rows(case("2023-03-02", code="执保"), AS_OF) == []
    assert rows(case("2023-03-02", code="执异"), AS_OF) == []


def test_a_discharging_event_after_as_of_is_not_seen():
    c = case("2023-03-02", [ev("handler_assigned", "2023-03-03", handler="王某")])
    assert rows(c, D("2023-03-02"), "K1") == [("K1", None, "2023-03-02", "2023-03-09", None, PENDING)]
    assert rows(c, D("2023-03-03"), "K1") == [("K1", None, "2023-03-02", "2023-03-09", "2023-03-03", DONE)]


def test_a_case_not_yet_filed_has_no_obligations():
    assert obligations(case("2023-03-02"), D("2023-03-01")) == []


def test_everything_known():
    c = case("2023-03-02", [ev("handler_assigned", "2023-03-10", handler="王某")])
    assert rows(c, None) == [
        ("K1", None, "2023-03-02", "2023-03-09", "2023-03-10", DONE_LATE),
        ("K2", None, "2023-03-02", "2023-03-13", None, OVERDUE),
        ("K3", None, "2023-03-02", "2023-03-13", None, OVERDUE),
        ("K4", None, "2023-03-02", "2023-03-13", None, OVERDUE),
    ]


# -- lapse ----------------------------------------------------------------------------------


def test_k1_to_k4_lapse_when_the_case_closes_on_or_before_their_last_day():
    # Closed 03-09, K1's last day; K2–K4 end 03-13. The handler is assigned after closing.
    c = case("2023-03-02", [ev("handler_assigned", "2023-03-10", handler="王某")], closed="2023-03-09")
    assert [(r[0], r[4], r[5]) for r in rows(c, AS_OF)] == [
        ("K1", None, LAPSED),
        ("K2", None, LAPSED),
        ("K3", None, LAPSED),
        ("K4", None, LAPSED),
    ]


def test_closing_after_the_last_day_leaves_it_overdue_and_later_events_discharge_nothing():
    c = case(
        "2023-03-02",
        [ev("handler_assigned", "2023-03-10", handler="王某"), ev("online_inquiry", "2023-03-11")],
        closed="2023-03-10",
    )
    got = {r[0]: (r[4], r[5]) for r in rows(c, AS_OF)}
    assert got["K1"] == ("2023-03-10", DONE_LATE)  # an event on the closing day still counts
    assert got["K4"] == (None, LAPSED)  # closed 03-10 ≤ 03-13; the 03-11 inquiry is after closing
    c2 = case("2023-03-02", [ev("handler_assigned", "2023-03-11", handler="王某")], closed="2023-03-10")
    assert rows(c2, AS_OF, "K1") == [("K1", None, "2023-03-02", "2023-03-09", None, OVERDUE)]


def test_an_unseen_closing_does_not_lapse():
    c = case("2023-03-02", closed="2023-03-09")
    assert rows(c, D("2023-03-08"), "K1") == [("K1", None, "2023-03-02", "2023-03-09", None, PENDING)]
    assert rows(c, D("2023-03-09"), "K1") == [("K1", None, "2023-03-02", "2023-03-09", None, LAPSED)]


# -- K5 -------------------------------------------------------------------------------------


def test_k5_one_per_clue():
    c = case(
        "2023-03-02",
        [
            ev("clue_received", "2023-02-20", clue="c1"),  # before filing: starts at filing
            ev("clue_received", "2023-04-03", clue="c2"),
            ev("clue_verified", "2023-04-10", clue="c2"),
            ev("clue_verified", "2023-04-11", clue="c1"),
        ],
    )
    assert rows(c, AS_OF, "K5") == [
        ("K5", "c1", "2023-03-02", "2023-03-09", "2023-04-11", DONE_LATE),
        ("K5", "c2", "2023-04-03", "2023-04-10", "2023-04-10", DONE),
    ]
    assert {o.rule for o in obligations(c, AS_OF) if o.key_node == "K5"} == {"DL-6"}


def test_k5_clue_after_as_of_is_not_seen_and_k5_lapses():
    c = case("2023-03-02", [ev("clue_received", "2023-04-03", clue="c1")], closed="2023-04-05")
    assert rows(c, D("2023-04-02"), "K5") == []
    assert rows(c, D("2023-04-04"), "K5") == [("K5", "c1", "2023-04-03", "2023-04-10", None, PENDING)]
    assert rows(c, AS_OF, "K5") == [("K5", "c1", "2023-04-03", "2023-04-10", None, LAPSED)]


def test_k5_applies_to_every_case_type():
    c = case("2023-03-02", [ev("clue_received", "2023-03-03", clue="c1")], code="执保")
    assert rows(c, AS_OF) == [("K5", "c1", "2023-03-03", "2023-03-10", None, OVERDUE)]


# -- K7 -------------------------------------------------------------------------------------


def test_k7_registry_entry_within_7_days_of_service():
    def served(*extra):
        return case(
            "2023-03-02", [ev("ruling_served", "2023-06-30"), *extra], closed="2023-06-30", mode=TERMINATED
        )

    assert rows(served(ev("termination_registry_entry", "2023-07-07")), AS_OF, "K7") == [
        ("K7", None, "2023-06-30", "2023-07-07", "2023-07-07", DONE)
    ]
    assert rows(served(ev("termination_registry_entry", "2023-07-10")), AS_OF, "K7")[0][5] == DONE_LATE
    assert rows(served(), D("2023-07-06"), "K7")[0][5] == PENDING
    assert rows(served(), D("2023-07-07"), "K7")[0][5] == OVERDUE  # K7 never lapses
    assert rows(served(), D("2023-06-29"), "K7") == []


# -- K8 -------------------------------------------------------------------------------------


def test_k8_chain():
    c = case(
        "2023-03-02",
        [
            ev("online_inquiry", "2023-06-30"),  # the closing day itself: does not discharge
            ev("online_inquiry", "2023-12-20"),
            ev("online_inquiry", "2024-07-01"),
        ],
        closed="2023-06-30",
        mode=TERMINATED,
    )
    assert rows(c, D("2025-06-01"), "K8") == [
        ("K8", "1", "2023-06-30", "2024-01-02", "2023-12-20", DONE),
        ("K8", "2", "2023-12-20", "2024-06-20", "2024-07-01", DONE_LATE),
        ("K8", "3", "2024-07-01", "2025-01-02", None, OVERDUE),  # 01-01 is off
    ]
    # At 2024-06-25 the late inquiry has not happened: the chain stops at #2, overdue.
    assert rows(c, D("2024-06-25"), "K8") == [
        ("K8", "1", "2023-06-30", "2024-01-02", "2023-12-20", DONE),
        ("K8", "2", "2023-12-20", "2024-06-20", None, OVERDUE),
    ]
    assert rows(c, D("2023-06-29"), "K8") == []  # the closing is not seen yet


def test_k8_only_after_a_termination_closing():
    c = case("2023-03-02", [ev("online_inquiry", "2023-12-20")], closed="2023-06-30")
    assert rows(c, AS_OF, "K8") == []


def k8_run(closed: str, last_inquiries: list[str]) -> CaseRecord:
    """A 终本 case with an inquiry every 150 days after closing, then ``last_inquiries``."""
    start = D(closed)
    stop = D(last_inquiries[0])
    dates = []
    d = start + timedelta(days=150)
    while d < stop:
        dates.append(d.isoformat())
        d += timedelta(days=150)
    events = [ev("online_inquiry", x) for x in [*dates, *last_inquiries]]
    return case(f"{int(closed[:4]) - 1}-12-02", events, closed=closed, mode=TERMINATED)


def test_k8_created_while_the_last_day_is_within_five_years():
    # Closed 2019-06-28: horizon 2024-06-28. Triggered 2023-12-28 → last day 2024-06-28:
    # created (inclusive); triggered 2024-01-02 → 2024-07-02: not created.
    c = k8_run("2019-06-28", ["2023-12-28", "2024-01-02"])
    got = rows(c, D("2025-01-01"), "K8")
    assert got[-1] == ("K8", str(len(got)), "2023-12-28", "2024-06-28", "2024-01-02", DONE)
    assert [r[1] for r in got] == [str(i) for i in range(1, len(got) + 1)]
    assert all(r[5] == DONE for r in got)


def test_k8_horizon_compares_the_rolled_last_day():
    # Closed Sat 2019-06-29: horizon Sat 2024-06-29. Triggered 2023-12-29 → 06-29 rolls
    # to Mon 07-01, after the horizon: not created.
    c = k8_run("2019-06-29", ["2023-12-29"])
    got = rows(c, D("2025-01-01"), "K8")
    assert got[-1][2] < "2023-12-29"
    assert got[-1][4] == "2023-12-29"


def test_k8_dropped_after_resumption():
    c = case(
        "2023-03-02",
        [ev("online_inquiry", "2023-12-20"), ev("online_inquiry", "2024-03-05")],
        closed="2023-06-30",
        mode=TERMINATED,
    )
    resumed = dataclasses.replace(c, resumed_on=D("2024-03-01"))
    assert rows(resumed, D("2024-12-31"), "K8") == [
        ("K8", "1", "2023-06-30", "2024-01-02", "2023-12-20", DONE)
    ]
    # Resumed on the last day itself: kept (only a last day *after* the filing is dropped).
    on_due = dataclasses.replace(c, resumed_on=D("2024-01-02"))
    assert [r[1] for r in rows(on_due, D("2024-12-31"), "K8")] == ["1"]
    # A resumption after as-of is not seen.
    assert [r[1] for r in rows(resumed, D("2024-02-29"), "K8")] == ["1", "2"]
    assert rows(resumed, None, "K8") == [("K8", "1", "2023-06-30", "2024-01-02", "2023-12-20", DONE)]


# -- provisional ----------------------------------------------------------------------------


def test_obligations_through_an_unpublished_year_are_provisional():
    c = case("2026-12-28")  # + 7 days = 2027-01-04, 2027 has no schedule yet
    got = {o.key_node: (o.due_on, o.provisional) for o in obligations(c, None)}
    assert got["K1"] == (D("2027-01-04"), True)
    assert all(not o.provisional for o in obligations(case("2023-03-02"), AS_OF))
