"""Indicators (indicators.md §4–5) as grouped SQL over the fact tables.

One definition, several engines: the queries below are plain SQL (CASE, SUM, BETWEEN,
GROUP BY) that SQLite, PostgreSQL, DuckDB and Spark SQL all run unchanged; each engine's
runner binds the named dates (``:f`` …) its own way (``services.run_django``,
``national.DuckDBFacts.run``, ``national.SparkFacts.run``). Two query shapes compute the
same sums from the same conditions: ``ranges`` for indexed row stores, ``scan`` for
column stores (see ``queries``). Amounts are integer fen and day counts integers, so sums
are exact everywhere. Each query returns one row per court; totals over courts add
numerators and denominators (never ratios).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal
from functools import cache
from pathlib import Path

import yaml

from zhixing.lib import periods

CATALOG_PATH = Path(__file__).with_name("catalog.yaml")


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    numerator: str
    denominator: str
    definition: str
    kind: str = "count"  # count | amount | days
    places: int = 4
    target: str | None = None
    gap: str | None = None  # cohort | fixed


@cache
def catalog() -> tuple[Indicator, ...]:
    with CATALOG_PATH.open(encoding="utf-8") as f:
        return tuple(Indicator(**item) for item in yaml.safe_load(f))


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    as_of: date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"窗口结束日 {self.end} 早于开始日 {self.start}")
        if self.as_of < self.end:
            raise ValueError(f"as-of {self.as_of} 早于窗口结束日 {self.end}（indicators.md §4: as-of ≥ to）")

    @property
    def three_years_from(self) -> date:
        """IND-13: from ``to`` − 3 years + 1 day (PER-4 year arithmetic)."""
        return periods.add_years(self.end, -3) + timedelta(days=1)

    def params(self) -> dict[str, date]:
        return {"f": self.start, "t": self.end, "a": self.as_of, "f3": self.three_years_from}


# -- the queries (named parameters :f :t :a :f3; {courts} is a list of integer ids) --------

_ACCEPTED = (
    "(c.filed_on BETWEEN :f AND :t OR (c.filed_on < :f AND (c.closed_on IS NULL OR c.closed_on >= :f)))"
)
_CLOSED = "c.closed_on BETWEEN :f AND :t"


def _when(condition: str, value: str = "1") -> str:
    return f"SUM(CASE WHEN {condition} THEN {value} ELSE 0 END)"


CASE_SUMS = {
    "new": "c.case_type = 'first' AND c.filed_on BETWEEN :f AND :t",
    "carried": "c.case_type = 'first' AND c.filed_on < :f AND (c.closed_on IS NULL OR c.closed_on >= :f)",
    "closed": f"c.case_type = 'first' AND {_CLOSED}",
    "actual": f"c.case_type = 'first' AND {_CLOSED} AND c.actual",
    "performed": f"c.case_type = 'first' AND {_CLOSED} AND c.performed",
    "terminated": f"c.case_type = 'first' AND {_CLOSED} AND c.terminated",
    "closed_within": f"c.case_type = 'first' AND {_CLOSED} AND c.closed_within_deadline",
    "termination_closed": f"c.case_type IN ('first', 'resumed') AND c.terminated AND {_CLOSED}",
    "termination_ok": f"c.case_type IN ('first', 'resumed') AND c.terminated AND {_CLOSED} AND NOT c.termination_failed"
    " AND (c.t14_due IS NULL OR c.t14_due > :a OR c.registry_entry_on <= :a)",
    "property_cohort": "c.case_type = 'first' AND NOT (c.terminated AND c.closed_on <= :a)"
    " AND c.resolution_day BETWEEN :f AND :t AND c.resolution_day <= :a",
    "property_actual": "c.case_type = 'first' AND NOT (c.terminated AND c.closed_on <= :a)"
    " AND c.resolution_day BETWEEN :f AND :t AND c.resolution_day <= :a AND c.actual AND c.closed_within_deadline",
    "three_year_filed": "c.case_type = 'first' AND c.filed_on BETWEEN :f3 AND :t",
    "three_year_done": "c.case_type = 'first' AND c.filed_on BETWEEN :f3 AND :t AND c.closed_on <= :a"
    " AND (c.terminated OR (c.actual AND c.closed_within_deadline))",
    "closed_resumed": f"c.case_type = 'resumed' AND {_CLOSED}",
    "performed_resumed": f"c.case_type = 'resumed' AND {_CLOSED} AND c.performed",
}
CASE_VALUE_SUMS = {
    "recovered_closed": (f"c.case_type = 'first' AND {_CLOSED}", "c.recovered_cents"),
    "claim_closed": (f"c.case_type = 'first' AND {_CLOSED}", "c.claim_cents"),
    "days_closed": (f"c.case_type = 'first' AND {_CLOSED}", "c.duration_days"),
    "recovered_closed_resumed": (f"c.case_type = 'resumed' AND {_CLOSED}", "c.recovered_cents"),
    "claim_closed_resumed": (f"c.case_type = 'resumed' AND {_CLOSED}", "c.claim_cents"),
}


def _case_select(courts: str, names: Iterable[str], where: str = "") -> str:
    sums = []
    for name in names:
        if name in CASE_SUMS:
            sums.append(f"{_when(CASE_SUMS[name])} AS {name}")
        else:
            cond, value = CASE_VALUE_SUMS[name]
            sums.append(f"{_when(cond, value)} AS {name}")
    return (
        f"SELECT c.court_id, {', '.join(sums)} FROM metrics_casefact c WHERE c.court_id IN ({courts}){where}"
        " GROUP BY c.court_id"
    )


def case_query(courts: str) -> str:
    """Every case sum in one pass over the case facts of the courts in scope (the shape
    for column stores: DuckDB, Spark)."""
    return _case_select(courts, [*CASE_SUMS, *CASE_VALUE_SUMS])


# The shape for the indexed row stores (SQLite, PostgreSQL): the rows a sum can count lie
# in index ranges implied by its own condition, so each group of sums reads only its
# ranges (by the (court, case_type, date) indexes) instead of every case of every court.
# A sum's condition stays its one definition; a range is only an implied pre-filter. Sums
# with several ranges have disjoint ranges whose union its condition implies, so adding the
# per-range results gives the sum (tests/metrics/test_engines.py checks both shapes agree).
CASE_RANGES = {
    "filed": "c.case_type = 'first' AND c.filed_on BETWEEN :f AND :t",
    "filed_3y": "c.case_type = 'first' AND c.filed_on BETWEEN :f3 AND :t",
    "closed": "c.case_type IN ('first', 'resumed') AND c.closed_on BETWEEN :f AND :t",
    "open_before": "c.case_type = 'first' AND c.closed_on IS NULL AND c.filed_on < :f",
    "closed_later": "c.case_type = 'first' AND c.closed_on >= :f AND c.filed_on < :f",
    "resolved": "c.case_type = 'first' AND c.resolution_day BETWEEN :f AND :t",
}
#: Each sum's ranges (a sum not named here is in "closed": closed in W, 首执 or 执恢).
SUM_RANGES = {
    "new": ("filed",),
    "carried": ("open_before", "closed_later"),
    "property_cohort": ("resolved",),
    "property_actual": ("resolved",),
    "three_year_filed": ("filed_3y",),
    "three_year_done": ("filed_3y",),
}


def case_range_queries(courts: str) -> list[str]:
    groups: dict[str, list[str]] = {name: [] for name in CASE_RANGES}
    for name in [*CASE_SUMS, *CASE_VALUE_SUMS]:
        for r in SUM_RANGES.get(name, ("closed",)):
            groups[r].append(name)
    return [_case_select(courts, names, f" AND {CASE_RANGES[r]}") for r, names in groups.items() if names]


_OVERDUE = (
    f"c.case_type = 'first' AND {_ACCEPTED} AND NOT o.lapsed AND o.due_on BETWEEN :f AND :t AND o.due_on <= :a"
    " AND (o.done_on IS NULL OR o.done_on > o.due_on)"
)
_P_RESOLUTION = "CASE WHEN p.closed_on IS NOT NULL AND p.closed_on <= p.closing_due_on THEN p.closed_on ELSE p.closing_due_on END"
_P_COHORT = f"{_P_RESOLUTION} BETWEEN :f AND :t AND {_P_RESOLUTION} <= :a"
_P_OK = f"{_P_COHORT} AND p.closed_on IS NOT NULL AND p.closed_on <= p.closing_due_on AND p.replied"
_P_REFERRED = "p.referred_by IN ('最高人民法院', '高级人民法院')"
_R_ON_TIME = "r.fully_disbursed_on IS NOT NULL AND r.fully_disbursed_on <= r.due_on"
_R_RESOLUTION = f"CASE WHEN {_R_ON_TIME} THEN r.fully_disbursed_on ELSE r.due_on END"
_R_COHORT = (
    f"NOT r.lodged AND r.due_on IS NOT NULL AND {_R_RESOLUTION} BETWEEN :f AND :t AND {_R_RESOLUTION} <= :a"
)
PETITION_SUMS = {
    "petitions": _P_COHORT,
    "petitions_ok": _P_OK,
    "referred_petitions": f"{_P_COHORT} AND {_P_REFERRED}",
    "referred_petitions_ok": f"{_P_OK} AND {_P_REFERRED}",
}
RECEIPT_SUMS = {"receipts": _R_COHORT, "receipts_ok": f"{_R_COHORT} AND {_R_ON_TIME}"}

#: Where each sum's rows come from: (FROM clause, the court column it is grouped by).
_SOURCES = {
    "case": ("metrics_casefact c", "c.court_id"),
    "obligation": ("metrics_obligationfact o JOIN metrics_casefact c ON c.case_id = o.case_id", "c.court_id"),
    "petition": ("metrics_petitionfact p JOIN metrics_casefact c ON c.case_id = p.case_id", "p.court_id"),
    "receipt": ("metrics_receiptfact r", "r.court_id"),
}


def overdue_query(courts: str, where: str = "") -> str:
    """IND-08: obligations of accepted cases overdue in W (§3)."""
    return (
        f"SELECT c.court_id, COUNT(*) AS overdue FROM {_SOURCES['obligation'][0]}"
        f" WHERE c.court_id IN ({courts}){where} AND {_OVERDUE} GROUP BY c.court_id"
    )


#: Implied pre-filters for the ranges shape. An obligation's row carries its case's court
#: (``facts.derive`` writes both from the one court id), so the due-day index is read by
#: court. A petition's or receipt's resolution day in W is its due day or a day on or
#: before it, so the due day is on or after W's start.
def _obligation_range(courts: str) -> str:
    return f" AND o.court_id IN ({courts})"


PETITION_RANGE = " AND p.closing_due_on >= :f"
RECEIPT_RANGE = " AND r.due_on >= :f"


def petition_query(courts: str, where: str = "") -> str:
    """IND-11/11a: petitions counted at handled_by by their resolution day (§8); the
    petition's handling court and its case's court must both be in scope."""
    sums = ", ".join(f"{_when(cond)} AS {name}" for name, cond in PETITION_SUMS.items())
    return (
        f"SELECT p.court_id, {sums} FROM {_SOURCES['petition'][0]}"
        f" WHERE p.court_id IN ({courts}) AND c.court_id IN ({courts}){where} GROUP BY p.court_id"
    )


def receipt_query(courts: str, where: str = "") -> str:
    """IND-12: receipts not lodged, by their resolution day (§9)."""
    sums = ", ".join(f"{_when(cond)} AS {name}" for name, cond in RECEIPT_SUMS.items())
    return (
        f"SELECT r.court_id, {sums} FROM {_SOURCES['receipt'][0]} WHERE r.court_id IN ({courts}){where}"
        " GROUP BY r.court_id"
    )


def behind(sum_name: str) -> tuple[str, str, str]:
    """(FROM clause, court column, condition) of the rows behind a named sum: the cases
    behind a figure's numerator or denominator (drill-down) use the very condition the
    figure counts."""
    if sum_name == "accepted":
        return (*_SOURCES["case"], f"c.case_type = 'first' AND {_ACCEPTED}")
    if sum_name in CASE_SUMS:
        return (*_SOURCES["case"], CASE_SUMS[sum_name])
    if sum_name in CASE_VALUE_SUMS:
        return (*_SOURCES["case"], CASE_VALUE_SUMS[sum_name][0])
    if sum_name == "overdue":
        return (*_SOURCES["obligation"], _OVERDUE)
    if sum_name in PETITION_SUMS:
        return (*_SOURCES["petition"], PETITION_SUMS[sum_name])
    if sum_name in RECEIPT_SUMS:
        return (*_SOURCES["receipt"], RECEIPT_SUMS[sum_name])
    raise KeyError(sum_name)


def queries(courts: str, shape: str) -> list[str]:
    """The statements computing every sum: ``scan`` reads each fact table once (column
    stores), ``ranges`` reads index ranges (SQLite, PostgreSQL). Same sums either way."""
    if shape == "scan":
        return [case_query(courts), overdue_query(courts), petition_query(courts), receipt_query(courts)]
    if shape == "ranges":
        return [
            *case_range_queries(courts),
            overdue_query(courts, _obligation_range(courts)),
            petition_query(courts, PETITION_RANGE),
            receipt_query(courts, RECEIPT_RANGE),
        ]
    raise ValueError(shape)


#: The shape ``compute_sums`` uses when none is given (the Django databases').
QUERY_SHAPE = "ranges"

#: Runs one query with named :parameters and returns rows as dicts.
Runner = Callable[[str, dict[str, date]], list[dict]]


def compute_sums(
    run: Runner, court_ids: Sequence[int], window: Window, shape: str | None = None
) -> dict[int, dict[str, int]]:
    """Per court id, every named sum the catalog uses (missing sums are 0)."""
    result: dict[int, dict[str, int]] = {}
    if not court_ids:
        return result
    courts = ", ".join(str(int(pk)) for pk in court_ids)
    for sql in queries(courts, shape or QUERY_SHAPE):
        for row in run(sql, window.params()):
            court = row.pop("court_id")
            bucket = result.setdefault(court, {})
            for key, value in row.items():
                bucket[key] = bucket.get(key, 0) + int(value or 0)
    for bucket in result.values():
        bucket["accepted"] = bucket.get("new", 0) + bucket.get("carried", 0)
    return result


def add_sums(rows: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for row in rows:
        for key, value in row.items():
            total[key] = total.get(key, 0) + value
    return total


# -- from sums to the reported figures -------------------------------------------------------


def _amount(cents: int) -> str:
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


def figure(ind: Indicator, sums: dict[str, int]) -> dict:
    """``{numerator, denominator, value[, target, cases_needed]}`` (spec/cli.md)."""
    n, d = sums.get(ind.numerator, 0), sums.get(ind.denominator, 0)
    if ind.kind == "amount":
        num, den = Decimal(n) / 100, Decimal(d) / 100
        out = {"numerator": _amount(n), "denominator": _amount(d)}
    elif ind.kind == "days":
        num, den = Decimal(n), Decimal(d)
        out = {"numerator": str(n), "denominator": d}
    else:
        num, den = Decimal(n), Decimal(d)
        out = {"numerator": n, "denominator": d}
    quantum = Decimal(1).scaleb(-ind.places)
    out["value"] = None if den == 0 else str((num / den).quantize(quantum, rounding=ROUND_HALF_EVEN))
    if ind.target is not None:
        out["target"] = ind.target
        out["cases_needed"] = cases_needed(ind, n, d)
    return out


def cases_needed(ind: Indicator, n: int, d: int) -> int | None:
    """§5: how many more good outcomes reach the target, in Decimal."""
    t = Decimal(ind.target)
    if ind.gap == "fixed":
        return max(0, int((t * d - n).to_integral_value(rounding=ROUND_CEILING)))
    if t == 1:
        return None  # every bad outcome is final: no number of new good ones mends it
    return max(0, int(((t * d - n) / (1 - t)).to_integral_value(rounding=ROUND_CEILING)))


def figures(sums: dict[str, int]) -> dict[str, dict]:
    return {ind.id: figure(ind, sums) for ind in catalog()}
