"""Rankings of peer courts per indicator, change against the previous period, and the
12-month trend.

Peers are the courts of one level under a court (e.g. the basic courts under 豫08). A
peer's figure covers its own cases and those of the courts below it (辖区): the engine's
sums are added up the tree, never the ratios (design.md). Every figure is the
indicators.md §5 figure, from ``metrics.engine``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from zhixing.courts.models import Court
from zhixing.metrics import engine
from zhixing.metrics.services import _PARAM, run_django
from zhixing.reports.windows import previous_window, trend_windows

#: indicators.md §5: a shorter average duration (IND-07) and fewer overdue key nodes per
#: accepted case (IND-08) are better; for every other indicator higher is better.
LOWER_IS_BETTER = frozenset({"IND-07", "IND-08"})


def higher_is_better(indicator_id: str) -> bool:
    return indicator_id not in LOWER_IS_BETTER


def competition_ranks(values: Sequence[Decimal | None], *, higher_is_better: bool = True) -> list[int | None]:
    """Standard competition ranking ("1224"): equal values share a rank and the next
    value's rank skips the places they took. A missing value (denominator 0) is not
    ranked (None)."""
    ranked = [v for v in values if v is not None]
    ordered = sorted(ranked, reverse=higher_is_better)
    first_place: dict[Decimal, int] = {}
    for place, v in enumerate(ordered, start=1):
        first_place.setdefault(v, place)
    return [None if v is None else first_place[v] for v in values]


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


# -- peers and their sums -------------------------------------------------------------------


@dataclass(frozen=True)
class Peers:
    parent: Court | None
    level: int
    courts: list[Court]
    #: ids of every court whose cases count (the peers' subtrees, narrowed to visible).
    scope_ids: list[int]


def default_level(parent: Court | None) -> int:
    """The level just below ``parent`` (its own level for a basic court, which has none
    below it); basic courts when no parent is given."""
    if parent is None:
        return Court.Level.BASIC
    return min(parent.level + 1, Court.Level.BASIC)


def peers(parent: Court | None, level: int | None = None, visible: Iterable[int] | None = None) -> Peers:
    """The courts at ``level`` in ``parent``'s subtree (every court at that level when
    ``parent`` is None) that the user may see, in hierarchy order."""
    level = default_level(parent) if level is None else level
    qs = Court.objects.all() if parent is None else parent.subtree()
    if visible is not None:
        qs = qs.filter(pk__in=list(visible))
    within = list(qs.order_by("path"))
    chosen = [c for c in within if c.level == level]
    prefixes = tuple(c.path for c in chosen)
    scope = [c.pk for c in within if prefixes and c.path.startswith(prefixes)]
    return Peers(parent, level, chosen, scope)


def peer_sums(
    group: Peers,
    window: engine.Window,
    by_court: dict[int, dict[str, int]] | None = None,
    paths: dict[int, str] | None = None,
) -> dict[int, dict[str, int]]:
    """Per peer id, the engine sums of its subtree (visible courts only). ``by_court``:
    the window's per-court sums if the caller has them already (a superset of the
    peers' subtrees is fine), saving the queries; ``paths``: ``scope_paths(group)``, for a
    caller summing many windows."""
    if by_court is None:
        by_court = engine.compute_sums(run_django, group.scope_ids, window)
    if paths is None:
        paths = scope_paths(group)
    out = {}
    for peer in group.courts:
        out[peer.pk] = engine.add_sums(
            s for pk, s in by_court.items() if paths.get(pk, "").startswith(peer.path)
        )
    return out


def scope_paths(group: Peers) -> dict[int, str]:
    """Court id → tree path, for the courts in the group's scope."""
    return dict(Court.objects.filter(pk__in=group.scope_ids).values_list("pk", "path"))


# -- ranking ----------------------------------------------------------------------------------


def rank_rows(figures_by_court: dict[str, dict], indicator_id: str) -> dict[str, int | None]:
    """Court code → rank for one indicator, from ``{code: {indicator id: figure}}``."""
    codes = list(figures_by_court)
    values = [_decimal(figures_by_court[c][indicator_id]["value"]) for c in codes]
    return dict(
        zip(codes, competition_ranks(values, higher_is_better=higher_is_better(indicator_id)), strict=True)
    )


def _window_json(window: engine.Window | None) -> dict | None:
    if window is None:
        return None
    return {"from": window.start.isoformat(), "to": window.end.isoformat(), "as_of": window.as_of.isoformat()}


def _change(now: str | None, before: str | None) -> str | None:
    if now is None or before is None:
        return None
    # Both carry the indicator's places, so the difference is exact at those places.
    return str(Decimal(now) - Decimal(before))


_NO_PREVIOUS = object()


def ranking(
    window: engine.Window,
    parent: Court | None,
    *,
    level: int | None = None,
    visible: Iterable[int] | None = None,
    previous: engine.Window | object | None = _NO_PREVIOUS,
    indicators: Sequence[str] | None = None,
    sums: dict[int, dict[str, int]] | None = None,
) -> dict:
    """Per indicator, the peer courts ranked (ties shared, "1224"; IND-07 and IND-08
    ascending), each with its figure, and its rank and value in the previous period
    (default: ``windows.previous_window``; None: no comparison). ``change`` is value
    minus previous value; ``rank_change`` is previous rank minus rank (positive: moved up).
    Courts without a value (denominator 0) come last, unranked. ``sums``: the window's
    per-court engine sums, if the caller has computed them."""
    group = peers(parent, level, visible)
    if previous is _NO_PREVIOUS:
        previous = previous_window(window)
    catalog = [ind for ind in engine.catalog() if indicators is None or ind.id in indicators]
    now = {
        c.code: engine.figures(s) for c, s in zip(group.courts, _sums_list(group, window, sums), strict=True)
    }
    before = (
        {c.code: engine.figures(s) for c, s in zip(group.courts, _sums_list(group, previous), strict=True)}
        if previous is not None
        else None
    )
    order = {c.code: i for i, c in enumerate(group.courts)}
    names = {c.code: c.name for c in group.courts}
    result = []
    for ind in catalog:
        ranks = rank_rows(now, ind.id)
        before_ranks = rank_rows(before, ind.id) if before is not None else {}
        rows = []
        for code in now:
            fig = now[code][ind.id]
            prev = before[code][ind.id] if before is not None else None
            prev_rank = before_ranks.get(code)
            rows.append(
                {
                    "court": code,
                    "name": names[code],
                    "rank": ranks[code],
                    "numerator": fig["numerator"],
                    "denominator": fig["denominator"],
                    "value": fig["value"],
                    "previous_rank": prev_rank,
                    "previous_value": prev["value"] if prev else None,
                    "change": _change(fig["value"], prev["value"] if prev else None),
                    "rank_change": None
                    if prev_rank is None or ranks[code] is None
                    else prev_rank - ranks[code],
                }
            )
        rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, order[r["court"]]))
        result.append(
            {
                "id": ind.id,
                "name": ind.name,
                "definition": ind.definition,
                "higher_is_better": higher_is_better(ind.id),
                "rows": rows,
            }
        )
    return {
        **_window_json(window),
        "parent": parent.code if parent else None,
        "level": group.level,
        "previous": _window_json(previous),
        "indicators": result,
    }


def _sums_list(
    group: Peers, window: engine.Window, by_court: dict | None = None, paths: dict[int, str] | None = None
) -> list[dict[str, int]]:
    sums = peer_sums(group, window, by_court, paths)
    return [sums[c.pk] for c in group.courts]


# -- several windows in one pass -------------------------------------------------------------


def sum_names(indicator_ids: Iterable[str] | None = None) -> set[str]:
    """The engine sums the given indicators' figures read (every indicator when None);
    ``accepted`` is ``new`` + ``carried`` (``engine.compute_sums``)."""
    names = set()
    for ind in engine.catalog():
        if indicator_ids is None or ind.id in indicator_ids:
            names |= {ind.numerator, ind.denominator}
    if "accepted" in names:
        names |= {"new", "carried"}
    return names


def _statements(courts: str, names: set[str]) -> list[str]:
    """The ``ranges`` statements of ``engine.queries`` narrowed to the statements (and, for
    the case facts, the sums) that ``names`` need: a trend of IND-01 need not read the
    3-year cohort twelve times. Same conditions, same ranges."""
    case_names = [n for n in [*engine.CASE_SUMS, *engine.CASE_VALUE_SUMS] if n in names]
    groups: dict[str, list[str]] = {r: [] for r in engine.CASE_RANGES}
    for name in case_names:
        for r in engine.SUM_RANGES.get(name, ("closed",)):
            groups[r].append(name)
    out = [
        engine._case_select(courts, group, f" AND {engine.CASE_RANGES[r]}")
        for r, group in groups.items()
        if group
    ]
    if "overdue" in names:
        out.append(engine.overdue_query(courts, engine._obligation_range(courts)))
    if names & engine.PETITION_SUMS.keys():
        out.append(engine.petition_query(courts, engine.PETITION_RANGE))
    if names & engine.RECEIPT_SUMS.keys():
        out.append(engine.receipt_query(courts, engine.RECEIPT_RANGE))
    return out


def _over_windows(sql: str, count: int) -> str:
    """One engine statement for ``count`` windows at once: the windows become a small
    table ``w`` (k, f, t, a, f3) joined to the facts, each named date ``:x`` becomes
    ``w.x`` and the rows are grouped by window too. Every condition is the engine's own,
    evaluated with each window's dates, so a window's sums are what ``compute_sums`` gives
    for it alone; the index ranges are read per window row (``CROSS JOIN`` keeps ``w``
    the outer loop on SQLite)."""
    table = " UNION ALL ".join(
        ["SELECT 0 AS k, %s AS f, %s AS t, %s AS a, %s AS f3"]
        + [f"SELECT {k}, %s, %s, %s, %s" for k in range(1, count)]
    )
    sql = _PARAM.sub(lambda m: f"w.{m.group(1)}", sql)
    for old, new in (
        ("SELECT ", "SELECT w.k AS window_k, "),
        (" FROM ", f" FROM ({table}) w CROSS JOIN "),
        (" GROUP BY ", " GROUP BY w.k, "),
    ):
        assert sql.count(old) == 1, (old, sql)
        sql = sql.replace(old, new)
    return sql


def window_sums(
    court_ids: Sequence[int], windows: Sequence[engine.Window], names: set[str] | None = None
) -> list[dict[int, dict[str, int]]]:
    """For each window, per court id, the engine sums ``names`` (default: all) — what
    ``engine.compute_sums(run_django, court_ids, window)`` gives, restricted to ``names``
    — with one statement per fact range for all the windows together instead of one per
    window (tests/reports/test_trend.py compares them)."""
    result: list[dict[int, dict[str, int]]] = [{} for _ in windows]
    if not court_ids or not windows:
        return result
    names = sum_names() if names is None else set(names)
    if "accepted" in names:
        names |= {"new", "carried"}
    courts = ", ".join(str(int(pk)) for pk in court_ids)
    params = [d for w in windows for d in (w.start, w.end, w.as_of, w.three_years_from)]
    with connection.cursor() as cursor:
        for sql in _statements(courts, names):
            cursor.execute(_over_windows(sql, len(windows)), params)
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                values = dict(zip(columns, row, strict=True))
                bucket = result[int(values.pop("window_k"))].setdefault(values.pop("court_id"), {})
                for key, value in values.items():
                    if key in names:
                        bucket[key] = bucket.get(key, 0) + int(value or 0)
    if "accepted" in names:
        for per_court in result:
            for bucket in per_court.values():
                bucket["accepted"] = bucket.get("new", 0) + bucket.get("carried", 0)
    return result


# -- trend ----------------------------------------------------------------------------------


def trend(
    day: date,
    parent: Court | None,
    *,
    level: int | None = None,
    visible: Iterable[int] | None = None,
    months: int = 12,
    indicators: Sequence[str] | None = None,
) -> dict:
    """Each indicator's value per calendar month for the ``months`` months ending with
    DATE's month (``windows.trend_windows``: each month as of its month end, the current
    month to DATE), for every peer and for all of them together. The months' sums come
    from one pass (``window_sums``), limited to the sums the indicators read."""
    group = peers(parent, level, visible)
    wanted = [ind.id for ind in engine.catalog() if indicators is None or ind.id in indicators]
    windows = trend_windows(day, months)
    paths = scope_paths(group)
    by_window = window_sums(group.scope_ids, windows, sum_names(wanted))
    total: dict[str, list] = {i: [] for i in wanted}
    per_court: dict[str, dict[str, list]] = {c.code: {i: [] for i in wanted} for c in group.courts}
    for w, by_court in zip(windows, by_window, strict=True):
        sums = _sums_list(group, w, by_court, paths)
        for court, s in zip(group.courts, sums, strict=True):
            figs = engine.figures(s)
            for i in wanted:
                per_court[court.code][i].append(figs[i]["value"])
        figs = engine.figures(engine.add_sums(sums))
        for i in wanted:
            total[i].append(figs[i]["value"])
    return {
        "months": [w.start.strftime("%Y-%m") for w in windows],
        "windows": [_window_json(w) for w in windows],
        "parent": parent.code if parent else None,
        "level": group.level,
        "total": total,
        "courts": [{"court": c.code, "name": c.name, "indicators": per_court[c.code]} for c in group.courts],
    }
