"""What an officer may record through a form or the API, beyond the bundle's format rules,
and the planned ends of suspensions. Pure functions of a case record and the proposed
event; problems are ``(field, message)`` with a Chinese message naming the rule.

The import takes history as it comes (a late or oddly ordered node is a fact the checks
report); a form refuses an act that breaks a rule before it is saved. Only problems the
new act *introduces* are refused, so a case imported with an old inconsistency can still
be worked on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import orjson

from zhixing.cases.records import CaseRecord, Event
from zhixing.flow.nodes import INTERVALS, NODES

#: Interval kinds whose start may carry a planned end ``until`` (the day the case resumes).
PLANNED_KINDS = ("suspension", "postponement")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STARTS = {start: kind for kind, (start, _) in INTERVALS.items()}
ENDS = {end: kind for kind, (_, end) in INTERVALS.items()}


def label(node: str) -> str:
    spec = NODES.get(node)
    return spec.label if spec else node


def _key(e: Event) -> tuple[str, date, bytes]:
    return e.node, e.on, orjson.dumps(e.data, option=orjson.OPT_SORT_KEYS)


def discharge_order_problems(case: CaseRecord) -> dict[tuple, str]:
    """Discharging events dated before what triggers them (indicators.md §3: an obligation
    is discharged by an event *on or after* its trigger), keyed by the offending event:

    - K5, DL-6: ``clue_verified`` of a clue before that clue was received;
    - K7, TERM-11: ``termination_registry_entry`` before the ruling was served;
    - DL-20: ``restraint_renewed`` / ``restraint_released`` of an asset before it was
      restrained;
    - CREDIT-8: ``credit_deletion`` / ``credit_revocation`` of a listing before the listing.
    """
    problems: dict[tuple, str] = {}
    received: dict[str, date] = {}
    restrained: dict[str, date] = {}
    listings: dict[str, date] = {}
    for e in case.events:
        if e.node == "clue_received":
            received.setdefault(e.clue, e.on)
        elif e.node == "restraint":
            restrained.setdefault(e.asset, e.on)
        elif e.node == "credit_listing" and e.data.get("id"):
            listings.setdefault(e.data["id"], e.on)
    served = case.first("ruling_served")
    for e in case.events:
        if e.node == "clue_verified" and e.clue in received and e.on < received[e.clue]:
            problems[_key(e)] = (
                f"核查财产线索 {e.clue} 的日期 {e.on} 早于收到该线索的日期 {received[e.clue]}（K5，DL-6）"
            )
        elif e.node == "termination_registry_entry" and served is not None and e.on < served.on:
            problems[_key(e)] = f"录入终本案件库的日期 {e.on} 早于终本裁定送达日期 {served.on}（K7，TERM-11）"
        elif (
            e.node in ("restraint_renewed", "restraint_released")
            and e.asset in restrained
            and e.on < restrained[e.asset]
        ):
            problems[_key(e)] = (
                f"{label(e.node)}的日期 {e.on} 早于财产 {e.asset} 的控制日期 {restrained[e.asset]}（DL-20）"
            )
        elif (
            e.node in ("credit_deletion", "credit_revocation")
            and e.listing in listings
            and e.on < listings[e.listing]
        ):
            problems[_key(e)] = (
                f"{label(e.node)}的日期 {e.on} 早于纳入失信名单 {e.listing} 的日期 {listings[e.listing]}（CREDIT-8）"
            )
    return problems


def introduced(before: CaseRecord, after: CaseRecord) -> list[str]:
    """The discharge-order problems ``after`` has that ``before`` had not."""
    old = discharge_order_problems(before)
    return [message for key, message in discharge_order_problems(after).items() if key not in old]


def planned_end_problems(node: str, on: date, data: dict) -> list[tuple[str, str]]:
    """DL-14: the optional ``until`` of a ``suspension_start`` / ``postponement_start`` is
    the day the case resumes (the day of its ``_end``; days start ≤ d < until are
    excluded), so it must be a date after the start. No other node carries it."""
    if "until" not in data or data["until"] is None:
        return []
    kind = STARTS.get(node)
    if kind not in PLANNED_KINDS:
        return [("until", f"只有中止执行、暂缓执行可以填写计划恢复日期（{label(node)}不适用）")]
    value = data["until"]
    if not isinstance(value, str) or not _DATE_RE.match(value):
        return [("until", f"日期格式应为 YYYY-MM-DD，实际为 {value!r}")]
    try:
        until = date.fromisoformat(value)
    except ValueError:
        return [("until", f"日期 {value} 不存在")]
    if until <= on:
        return [
            ("until", f"计划恢复日期 {until} 应晚于{label(node)}日期 {on}（期间不能在开始前结束，DL-14）")
        ]
    return []


def interval_end_problems(case: CaseRecord, node: str, on: date) -> list[tuple[str, str]]:
    """An ``_end`` dated before the start of the interval it would close (DL-14: an interval
    runs from its start to its end): a clearer message than the bundle's pairing error."""
    kind = ENDS.get(node)
    if kind is None:
        return []
    start_node = INTERVALS[kind][0]
    open_start: Event | None = None
    for e in case.events:
        if e.node == start_node:
            open_start = e
        elif e.node == node:
            open_start = None
    if open_start is not None and on < open_start.on:
        return [
            (
                "on",
                f"{label(node)}日期 {on} 早于{label(start_node)}日期 {open_start.on}（期间不能在开始前结束，DL-14）",
            )
        ]
    return []


@dataclass(frozen=True, slots=True)
class PlannedEnd:
    kind: str  # suspension / postponement
    start: Event
    until: date

    @property
    def end_node(self) -> str:
        return INTERVALS[self.kind][1]


def open_intervals(case: CaseRecord, as_of: date | None = None) -> Iterator[tuple[str, Event]]:
    """The intervals still open at as-of: ``(kind, start event)``, pairing in date order
    as case-bundle.md does."""
    open_: dict[str, Event] = {}
    for e in case.events:
        if as_of is not None and e.on > as_of:
            break
        if e.node in STARTS:
            open_.setdefault(STARTS[e.node], e)
        elif e.node in ENDS:
            open_.pop(ENDS[e.node], None)
    yield from open_.items()


def due_resumptions(case: CaseRecord, as_of: date) -> list[PlannedEnd]:
    """DL-14 intervals that end by themselves: a suspension or postponement still open
    whose start carries a planned end ``until`` on or before as-of gets its ``_end`` on
    that day (it resumes by itself). Closed cases are left alone."""
    if case.closed_on is not None:
        return []
    due = []
    for kind, start in open_intervals(case):
        raw = start.data.get("until")
        if kind in PLANNED_KINDS and raw:
            until = date.fromisoformat(raw)
            if until <= as_of:
                due.append(PlannedEnd(kind, start, until))
    return due
