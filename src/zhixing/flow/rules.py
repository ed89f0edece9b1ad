"""Deadlines of a case: the statutory deadline (indicators.md §2) and the key-node
obligations K1–K5, K7, K8 (indicators.md §3; K6 is in ``funds.rules``, K9 in
``credit.rules``).

Every function is pure: ``(case, as_of)`` in, facts out. ``as_of`` is the *end* of that
day: events, closings and the resumption dated after it have not happened yet
(indicators.md §1). ``as_of=None`` means "everything known": what is stored as the
as-of-independent fact (e.g. an interval still open then has no end, so the statutory
deadline is ``None``, unbounded).

The periods come from the catalog ``keynodes.yaml`` (rules as data, design.md), loaded
once by :func:`catalog` / :func:`period`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources

import yaml

from zhixing.cases.choices import DEADLINE_TYPES, CaseType
from zhixing.cases.records import CaseRecord, Event
from zhixing.flow.nodes import INTERVALS
from zhixing.flow.obligations import LAPSED, Obligation, status_at
from zhixing.lib import periods
from zhixing.lib.workdays import calendar

# -- the catalog (keynodes.yaml) ----------------------------------------------------------

UNITS = ("days", "months", "years", "working_days")


@dataclass(frozen=True, slots=True)
class Period:
    """A legal period: N days / months / years (PER-1, PER-4) or N working days (PER-5);
    ``rolled``: the last day of a deadline for an act moves to a working day (PER-3)."""

    n: int
    unit: str
    rolled: bool

    def end(self, trigger: date) -> date:
        """The last day before any roll-forward (PER-1/PER-4/PER-5)."""
        if self.unit == "days":
            return periods.add_days(trigger, self.n)
        if self.unit == "months":
            return periods.add_months(trigger, self.n)
        if self.unit == "years":
            return periods.add_years(trigger, self.n)
        # PER-5: the n-th working day after the trigger is a working day by construction.
        return periods.working_days_deadline(trigger, self.n)

    def last_day(self, trigger: date) -> date:
        """The last day of the period started by ``trigger``, rolled forward when the
        catalog says so (PER-3)."""
        return self.due(trigger)[0]

    def due(self, trigger: date) -> tuple[date, bool]:
        """``(last day, provisional)`` of the period started by ``trigger``: the last day
        as :meth:`last_day` gives it (PER-1/PER-3/PER-4/PER-5) and whether it was computed
        through a year without an official schedule (indicators.md §1,
        ``periods.is_provisional``). Memoised on the calendar, so a new holiday schedule
        forgets it: many cases share trigger days."""
        cache = calendar().memo(_DUE)
        key = (self.n, self.unit, self.rolled, trigger)
        found = cache.get(key)
        if found is None:
            end = self.end(trigger)
            last = periods.roll_forward(end) if self.rolled else end
            found = cache[key] = (last, periods.is_provisional(trigger, last))
        return found


#: The calendar memo of :meth:`Period.due`.
_DUE = "flow.rules.Period.due"


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One catalog entry: a key node (K1…K9) or another deadline (``periods:`` section)."""

    id: str
    period: Period
    rule: str
    source: str
    in_force_from: date | None
    in_force_to: date | None
    node: str | None = None  # key nodes: the discharging node code
    trigger: str | None = None  # key nodes: what creates the obligation
    case_types: frozenset[CaseType] | None = None  # None: every case type

    def applies_to(self, case_type: CaseType) -> bool:
        return self.case_types is None or case_type in self.case_types

    def in_force(self, on: date) -> bool:
        """The source is in force on ``on`` (unknown bounds are open). Informational:
        indicators.md §3 applies the catalog to every case whatever its date."""
        return (self.in_force_from is None or self.in_force_from <= on) and (
            self.in_force_to is None or on <= self.in_force_to
        )


def _spec(raw: dict) -> RuleSpec:
    p = raw["period"]
    if p["unit"] not in UNITS:
        raise ValueError(f"keynodes.yaml {raw['id']}: unknown period unit {p['unit']!r}")
    types = raw.get("case_types")
    return RuleSpec(
        id=raw["id"],
        period=Period(n=int(p["n"]), unit=p["unit"], rolled=bool(raw["rolled"])),
        rule=raw["rule"],
        source=raw["source"],
        in_force_from=raw["in_force"]["from"],
        in_force_to=raw["in_force"]["to"],
        node=raw.get("node"),
        trigger=raw.get("trigger"),
        case_types=None if types is None else frozenset(CaseType(t) for t in types),
    )


@functools.cache
def _load() -> tuple[dict[str, RuleSpec], dict[str, RuleSpec]]:
    text = resources.files("zhixing.flow").joinpath("keynodes.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    key_nodes = {r["id"]: _spec(r) for r in raw["key_nodes"]}
    others = {r["id"]: _spec(r) for r in raw["periods"]}
    return key_nodes, others


def catalog() -> dict[str, RuleSpec]:
    """The key-node catalog K1…K9 of indicators.md §3, in catalog order."""
    return dict(_load()[0])


def key_node(key: str) -> RuleSpec:
    """One key node of the catalog (``"K1"`` … ``"K9"``)."""
    return _load()[0][key]


def period(name: str) -> RuleSpec:
    """Another catalog deadline: ``statutory``, ``statutory_non_litigation`` (DL-13),
    ``post_termination_horizon`` (TERM-12), ``deferral_resume`` (FUND-2),
    ``petition_registration`` / ``petition_closing`` / ``petition_screening`` (PET-1…3)."""
    return _load()[1][name]


# -- as-of helpers --------------------------------------------------------------------------


def _horizon(as_of: date | None) -> date:
    """The last day whose facts are seen; ``None`` (everything known) sees every day."""
    return date.max if as_of is None else as_of


def _seen(events: Iterable[Event], as_of: date | None) -> Iterator[Event]:
    horizon = _horizon(as_of)
    return (e for e in events if e.on <= horizon)


def _closed_on(case: CaseRecord, as_of: date | None) -> date | None:
    """The closing day if the closing is seen at as-of (a later closing has not happened)."""
    if case.closed_on is not None and case.closed_on <= _horizon(as_of):
        return case.closed_on
    return None


_NO_EVENTS: tuple[Event, ...] = ()
_last_index: tuple[CaseRecord | None, dict[str, list[Event]]] = (None, {})


def events_by_node(case: CaseRecord) -> dict[str, list[Event]]:
    """The events of ``case`` grouped by node code, each group in record order: one pass
    over the events instead of one per rule. The index of the last case asked for is
    kept (records are immutable), so the deadline, the obligations and the 终本 checks of
    one case — as ``metrics.facts.derive`` asks for them — share it. Read-only."""
    global _last_index
    last = _last_index
    if last[0] is case:
        return last[1]
    index: dict[str, list[Event]] = {}
    for e in case.events:
        group = index.get(e.node)
        if group is None:
            index[e.node] = [e]
        else:
            group.append(e)
    _last_index = (case, index)
    return index


# -- §2 the statutory deadline ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlineDetail:
    """How the statutory deadline was built (indicators.md §2 steps 1–4), for display."""

    base_on: date  # step 1 (filing + 6 or 3 months, PER-4)
    extensions: tuple[int, ...]  # months of the counted extensions, in date order (step 2)
    excluded_days: int | None  # step 3; None when a counted interval is open with as_of=None
    deadline: date | None  # step 4, rolled (PER-3); None = unbounded
    provisional: bool
    open_interval: bool  # a counted interval is still open at as-of (the case is not overdue)


#: The nodes that can move a statutory deadline (DL-13 extensions, DL-14 intervals).
_DEADLINE_NODES = frozenset({"extension_approved", *(node for pair in INTERVALS.values() for node in pair)})


def _intervals(case: CaseRecord, as_of: date | None) -> list[tuple[date, date | None]]:
    """The seen DL-14 intervals as (start, end) with the end ``None`` while still open at
    as-of. Starts and ends pair up per kind in date order (case-bundle.md); an ``_end``
    after as-of is not seen, so its interval is open at as-of."""
    starts = {start: kind for kind, (start, _) in INTERVALS.items()}
    ends = {end: kind for kind, (_, end) in INTERVALS.items()}
    open_: dict[str, int] = {}
    spans: list[list] = []
    for e in _seen(case.events, as_of):
        if e.node in starts and starts[e.node] not in open_:
            open_[starts[e.node]] = len(spans)
            spans.append([e.on, None])
        elif e.node in ends and ends[e.node] in open_:
            spans[open_.pop(ends[e.node])][1] = e.on
    return [(s, t) for s, t in spans]


def _excluded_days(spans: list[tuple[date, date | None]], clip: date | None) -> int | None:
    """DL-14 step 3: the number of distinct days d with start ≤ d < end in the union of
    ``spans``, each end taken no later than ``clip`` (an interval open at as-of ends at
    as-of + 1 day). ``None`` when an open interval meets ``clip=None`` (unbounded)."""
    clipped: list[tuple[date, date]] = []
    for start, end in spans:
        if end is None and clip is None:
            return None
        stop = clip if end is None else (end if clip is None else min(end, clip))
        if stop > start:
            clipped.append((start, stop))
    total = 0
    reach: date | None = None  # end of the union so far (spans sorted by start)
    for start, stop in sorted(clipped):
        if reach is None or start >= reach:
            total += (stop - start).days
            reach = stop
        elif stop > reach:
            total += (stop - reach).days
            reach = stop
    return total


def _plain_deadline(spec: RuleSpec, filed_on: date) -> DeadlineDetail:
    """DL-13 for a case without extensions or DL-14 intervals (most cases): steps 2 and 3
    add nothing, so the deadline is the base period's rolled last day whatever the as-of.
    Memoised on the calendar by (base period, filing day)."""
    cache = calendar().memo(_PLAIN)
    key = (spec.id, filed_on)
    detail = cache.get(key)
    if detail is None:
        deadline, provisional = spec.period.due(filed_on)
        base = spec.period.end(filed_on)
        detail = cache[key] = DeadlineDetail(base, (), 0, deadline, provisional, False)
    return detail


_PLAIN = "flow.rules._plain_deadline"


def deadline_detail(case: CaseRecord, as_of: date | None) -> DeadlineDetail | None:
    """indicators.md §2, DL-13/DL-14: the statutory deadline of a 首次执行 or 恢复执行 case
    (``None`` for every other type), with how it was built.

    1. base = filed_on + 6 months (3 if ``non_litigation``), PER-4;
    2. each counted ``extension_approved`` adds its ``months`` (PER-4), in date order;
    3. excluded days = distinct days d, start ≤ d < end, in the union of the counted
       suspension / postponement / exclusion intervals; open at as-of → end = as-of + 1;
    4. deadline = (base + extensions) + excluded days, rolled forward (PER-3).

    Extensions and intervals are taken in date order (an interval by its start). One
    *counts* when its date is on or before the deadline in force at that moment: steps
    1–3 over what has counted so far, not rolled, seen as of that day — so a counted
    interval still running on that day t ends, for this comparison, at t + 1 (it has
    suspended the case through t). Hence while a counted interval is open the deadline
    in force is at least t + 1 and the case is never overdue; a later approval or
    suspension revives nothing. Items dated after as-of are not seen.
    """
    if case.case_type not in DEADLINE_TYPES:
        return None
    base_spec = period("statutory_non_litigation" if case.non_litigation else "statutory")
    if _DEADLINE_NODES.isdisjoint(events_by_node(case)):
        return _plain_deadline(base_spec, case.filed_on)
    base = base_spec.period.end(case.filed_on)

    items: list[tuple[date, int | tuple[date, date | None]]] = [
        (e.on, int(e.data["months"])) for e in _seen(case.events, as_of) if e.node == "extension_approved"
    ]
    items += [(span[0], span) for span in _intervals(case, as_of)]
    # Date order. Within one day the order cannot matter: an item counts when its day is
    # ≤ the deadline in force, and counting another item of that day only raises it.
    items.sort(key=lambda item: item[0])

    extended = base
    extensions: list[int] = []
    counted: list[tuple[date, date | None]] = []
    for on, item in items:
        # The deadline in force at the end of day `on`: a counted interval running then
        # has suspended the case through `on`, so it ends at on + 1 for this comparison.
        so_far = _excluded_days(counted, on + timedelta(days=1))
        in_force = periods.add_days(extended, so_far or 0)
        if on > in_force:
            continue  # too late: it revives nothing (and later items are dated later still)
        if isinstance(item, int):
            extensions.append(item)
            extended = periods.add_months(extended, item)
        else:
            counted.append(item)

    clip = None if as_of is None else as_of + timedelta(days=1)
    excluded = _excluded_days(counted, clip)
    still_open = any(end is None for _, end in counted)
    if excluded is None:
        return DeadlineDetail(base, tuple(extensions), None, None, False, True)
    unrolled = periods.add_days(extended, excluded)
    deadline = periods.roll_forward(unrolled) if base_spec.period.rolled else unrolled
    return DeadlineDetail(
        base_on=base,
        extensions=tuple(extensions),
        excluded_days=excluded,
        deadline=deadline,
        provisional=periods.is_provisional(case.filed_on, deadline),
        open_interval=still_open,
    )


def statutory_deadline(case: CaseRecord, as_of: date | None) -> tuple[date | None, bool]:
    """indicators.md §2, DL-13/DL-14: ``(deadline, provisional)`` — the rolled statutory
    deadline of a 首执/执恢 case as of ``as_of`` (see :func:`deadline_detail`). ``None``
    for 财产保全 and review cases, and (with ``as_of=None``) while a counted interval is
    still open: unbounded."""
    detail = deadline_detail(case, as_of)
    if detail is None:
        return None, False
    return detail.deadline, detail.provisional


def closed_within_deadline(case: CaseRecord, as_of: date | None) -> bool:
    """indicators.md §2 ``closed_within_deadline``, DL-13: the case is closed (on or
    before as-of) and closed_on ≤ its statutory deadline; false while open and for case
    types without a deadline. An unbounded deadline (a counted interval open with
    ``as_of=None``) is never missed."""
    closed_on = _closed_on(case, as_of)
    if closed_on is None or case.case_type not in DEADLINE_TYPES:
        return False
    deadline, _ = statutory_deadline(case, as_of)
    return deadline is None or closed_on <= deadline


# -- §3 key nodes K1–K5, K7, K8 ---------------------------------------------------------------


def _obligation(
    spec: RuleSpec,
    trigger: date,
    done_on: date | None,
    horizon: date,
    *,
    ref: str | None = None,
    lapse_on: date | None = None,
) -> Obligation:
    """An obligation of catalog entry ``spec`` triggered on ``trigger``, seen at the end of
    day ``horizon`` (``date.max``: everything known). ``lapse_on``: the seen closing day
    for K1–K5, which lapse when the case closes on or before their last day without them
    (indicators.md §3)."""
    due, provisional = spec.period.due(trigger)
    if done_on is None and lapse_on is not None and lapse_on <= due:
        status = LAPSED
    else:
        status = status_at(due, done_on, horizon)
    return Obligation(spec.id, spec.node, ref, trigger, due, done_on, status, provisional, spec.rule)


def _first_on(events: Iterable[Event], start: date, stop: date) -> date | None:
    """The day of the first of ``events`` (record order) with start ≤ on ≤ stop."""
    for e in events:
        if start <= e.on <= stop:
            return e.on
    return None


@functools.cache
def _k1_to_k4(case_type: CaseType) -> tuple[RuleSpec, ...]:
    """K1–K4 of the catalog that apply to ``case_type``, in catalog order."""
    return tuple(spec for key in ("K1", "K2", "K3", "K4") if (spec := key_node(key)).applies_to(case_type))


def _before_closing_nodes(case: CaseRecord, as_of: date | None) -> list[Obligation]:
    """K1–K5 (DL-2, DL-3, DL-4, DL-21, DL-6; indicators.md §3). Discharged by the first
    matching event on or after the trigger; they lapse when the case closes on or before
    their last day without it, and events after the closing discharge nothing."""
    index = events_by_node(case)
    horizon = _horizon(as_of)
    closed_on = _closed_on(case, as_of)
    stop = min(horizon, closed_on) if closed_on is not None else horizon
    out: list[Obligation] = []
    for spec in _k1_to_k4(case.case_type):
        trigger = case.application_on if spec.trigger == "application_received" else case.filed_on
        done = _first_on(index.get(spec.node, _NO_EVENTS), trigger, stop)
        out.append(_obligation(spec, trigger, done, horizon, lapse_on=closed_on))

    clues = index.get("clue_received")
    spec = key_node("K5")
    if clues and spec.applies_to(case.case_type):
        verified = index.get(spec.node, _NO_EVENTS)
        for e in clues:
            if e.on > horizon:
                continue
            # A clue handed in before filing starts its 7 days at filing (indicators.md §3).
            trigger = max(e.on, case.filed_on)
            clue = e.data.get("clue")
            done = next(
                (v.on for v in verified if trigger <= v.on <= stop and v.data.get("clue") == clue), None
            )
            out.append(_obligation(spec, trigger, done, horizon, ref=clue, lapse_on=closed_on))
    return out


def _registry_entry(case: CaseRecord, as_of: date | None) -> list[Obligation]:
    """K7, TERM-11: the 终本 registry entry within 7 days after the ruling is served on the
    applicant (the first ``ruling_served`` seen). No lapse: an entry after the closing
    still discharges it."""
    index = events_by_node(case)
    horizon = _horizon(as_of)
    served = next((e for e in index.get("ruling_served", _NO_EVENTS) if e.on <= horizon), None)
    if served is None:
        return []
    spec = key_node("K7")
    if not spec.applies_to(case.case_type):
        return []
    done = _first_on(index.get(spec.node, _NO_EVENTS), served.on, horizon)
    return [_obligation(spec, served.on, done, horizon)]


def _post_termination_inquiries(case: CaseRecord, as_of: date | None) -> list[Obligation]:
    """K8, TERM-12: after a 终本 closing, an ``online_inquiry`` every 6 months for 5 years.

    The first trigger is the closing day, each next trigger the inquiry that discharged
    the previous K8 (an inquiry dated strictly after the trigger day). An obligation is
    created while its (rolled) last day ≤ closed_on + 5 years (PER-4, inclusive); once a
    linked 恢复执行 case is filed (``resumed_on``, seen at as-of), those whose last day
    is after that filing day are dropped. ``ref`` is the sequence number "1", "2", …
    """
    closed_on = _closed_on(case, as_of)
    if closed_on is None or not case.is_terminated_current:
        return []
    spec = key_node("K8")
    if not spec.applies_to(case.case_type):
        return []
    horizon = _horizon(as_of)
    cap = period("post_termination_horizon").period.last_day(closed_on)
    resumed_on = case.resumed_on if case.resumed_on is not None and case.resumed_on <= horizon else None
    inquiries = [e.on for e in events_by_node(case).get(spec.node, _NO_EVENTS) if e.on <= horizon]

    out: list[Obligation] = []
    trigger = closed_on
    while True:
        due = spec.period.last_day(trigger)
        if due > cap or (resumed_on is not None and due > resumed_on):
            break  # later links have later last days: the chain ends here
        done = next((on for on in inquiries if on > trigger), None)
        out.append(_obligation(spec, trigger, done, horizon, ref=str(len(out) + 1)))
        if done is None:
            break
        trigger = done
    return out


def obligations(case: CaseRecord, as_of: date | None) -> list[Obligation]:
    """indicators.md §3: the key-node obligations K1–K5, K7 and K8 of ``case`` as of
    ``as_of`` (K6: ``funds.rules.k6_obligations``; K9: ``credit.rules``), in catalog
    order. K1–K4 apply to 首次执行 and 恢复执行 cases only. A case not yet filed at
    as-of has none."""
    if as_of is not None and case.filed_on > as_of:
        return []
    out = _before_closing_nodes(case, as_of)
    out += _registry_entry(case, as_of)
    out += _post_termination_inquiries(case, as_of)
    return out
