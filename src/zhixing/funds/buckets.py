"""Unpaid money by age, per court, team and officer; unidentified money by age. Pure
functions over flat rows, fast enough for a province (bench/funds.py).

Age is a plain count of days, not a legal period (indicators.md §1: roll-forward applies
to deadlines for acts, not to durations): days since the finance notice for a receipt
(the §9 clock's trigger), days since the money arrived for unidentified money (FUND-6).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from zhixing.funds import rules
from zhixing.funds.ledger import ZERO, money

#: (key, label, last day of the bucket or None): days since notice ≤5, 6–10, 11–15, 16–30, >30.
UNPAID = (
    ("0-5", "≤5天", 5),
    ("6-10", "6–10天", 10),
    ("11-15", "11–15天", 15),
    ("16-30", "16–30天", 30),
    ("31+", ">30天", None),
)
#: FUND-6: money should be tied to its case within 3 days; a balance older than a month
#: (read as 30 days) is reported.
UNIDENTIFIED = (("0-3", "≤3天", 3), ("4-30", "4–30天", 30), ("31+", ">30天", None))

GROUPINGS = ("court", "team", "handler")
NO_TEAM = "未分组"
NO_HANDLER = "未分配"


def _lookup(scale) -> tuple[list[str], str]:
    """Bucket key by day count 0…last bound, and the key beyond it."""
    table: list[str] = []
    for key, _, last in scale:
        if last is None:
            return table, key
        table.extend([key] * (last + 1 - len(table)))
    raise ValueError("a scale ends with an open bucket")


def bucket_of(days: int, scale=UNPAID) -> str:
    """The bucket of an age in days (0 = the notice day itself)."""
    table, beyond = _lookup(scale)
    if days < 0:
        raise ValueError("age before the notice day")
    return table[days] if days < len(table) else beyond


class Item(NamedTuple):
    """One receipt at as-of: where it is counted and how much of it is still unpaid (a
    tuple: a million of them are made for a province's report)."""

    court: str
    handler: str
    notice_on: date
    outstanding: Decimal
    status: str  # the §9 clock status at as-of (funds.rules)


def _cell() -> list:
    return [0, ZERO]


def summarise(items: Iterable[Item], as_of: date, by: str = "court",
              teams: Mapping[tuple[str, str], str] | None = None) -> dict:  # fmt: skip
    """Unpaid money (outstanding > 0) by days since notice, grouped ``by`` court, team
    (court + team) or handler (court + team + officer), with the overdue and deferred
    part (clock status at as-of) and the total. Rows sorted by their keys."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {GROUPINGS}")
    teams = teams or {}
    table, beyond = _lookup(UNPAID)
    bound = len(table)
    today = as_of.toordinal()
    groups: dict[tuple[str, ...], dict[str, list]] = {}
    for it in items:
        if it.outstanding <= 0:
            continue
        days = today - it.notice_on.toordinal()
        if days < 0:
            continue  # noticed after as-of: not seen yet
        handler = it.handler or NO_HANDLER
        if by == "court":
            key: tuple[str, ...] = (it.court,)
        else:
            team = teams.get((it.court, handler), NO_TEAM)
            key = (it.court, team) if by == "team" else (it.court, team, handler)
        g = groups.get(key)
        if g is None:
            g = groups[key] = {k: _cell() for k, _, _ in UNPAID} | {"overdue": _cell(), "deferred": _cell()}
        cell = g[table[days] if days < bound else beyond]
        cell[0] += 1
        cell[1] += it.outstanding
        if it.status in (rules.OVERDUE, rules.DEFERRED):
            extra = g[it.status]
            extra[0] += 1
            extra[1] += it.outstanding
    names = GROUPINGS[: GROUPINGS.index(by) + 1]
    rows = [_row(dict(zip(names, key, strict=True)), groups[key]) for key in sorted(groups)]
    total: dict[str, list] = {k: _cell() for k, _, _ in UNPAID} | {"overdue": _cell(), "deferred": _cell()}
    for g in groups.values():
        for k, (n, amount) in g.items():
            total[k][0] += n
            total[k][1] += amount
    return {
        "as_of": as_of.isoformat(),
        "by": by,
        "buckets": [{"key": k, "label": label} for k, label, _ in UNPAID],
        "rows": rows,
        "total": _row({}, total),
    }


def _row(keys: dict, g: dict[str, list]) -> dict:
    def out(cell: list) -> dict:
        return {"receipts": cell[0], "amount": money(cell[1])}

    n = sum(g[k][0] for k, _, _ in UNPAID)
    amount = sum((g[k][1] for k, _, _ in UNPAID), ZERO)
    return {
        **keys,
        "buckets": {k: out(g[k]) for k, _, _ in UNPAID},
        "unpaid": {"receipts": n, "amount": money(amount)},
        "overdue": out(g["overdue"]),
        "deferred": out(g["deferred"]),
    }


def merge(parts: list[dict]) -> dict:
    """One summary from summaries of disjoint sets of receipts (same as-of and grouping),
    e.g. computed in parallel: counts and amounts add up row by row."""
    if not parts:
        raise ValueError("nothing to merge")
    first = parts[0]
    names = GROUPINGS[: GROUPINGS.index(first["by"]) + 1]
    cells = [k for k, _, _ in UNPAID]
    rows: dict[tuple, dict[str, list]] = {}
    total: dict[str, list] = {k: _cell() for k in [*cells, "overdue", "deferred"]}
    for part in parts:
        for row in part["rows"]:
            key = tuple(row[n] for n in names)
            g = rows.setdefault(key, {k: _cell() for k in [*cells, "overdue", "deferred"]})
            for k in g:
                src = row["buckets"][k] if k in cells else row[k]
                g[k][0] += src["receipts"]
                g[k][1] += Decimal(src["amount"])
                total[k][0] += src["receipts"]
                total[k][1] += Decimal(src["amount"])
    return {
        **{k: first[k] for k in ("as_of", "by", "buckets")},
        "rows": [_row(dict(zip(names, key, strict=True)), rows[key]) for key in sorted(rows)],
        "total": _row({}, total),
    }


def unidentified_ages(rows: Iterable[tuple[str, date, Decimal]], as_of: date) -> dict:
    """Unidentified money not yet tied to a case at as-of, given as (court code,
    arrived_on, amount), by court and age since arrival (FUND-6)."""
    table, beyond = _lookup(UNIDENTIFIED)
    bound = len(table)
    today = as_of.toordinal()
    groups: dict[str, dict[str, list]] = {}
    for court, arrived_on, amount in rows:
        days = today - arrived_on.toordinal()
        if days < 0:
            continue
        g = groups.setdefault(court, {k: _cell() for k, _, _ in UNIDENTIFIED})
        cell = g[table[days] if days < bound else beyond]
        cell[0] += 1
        cell[1] += amount

    def row(keys: dict, g: dict[str, list]) -> dict:
        return {
            **keys,
            "buckets": {k: {"items": g[k][0], "amount": money(g[k][1])} for k, _, _ in UNIDENTIFIED},
            "unassigned": {
                "items": sum(g[k][0] for k, _, _ in UNIDENTIFIED),
                "amount": money(sum((g[k][1] for k, _, _ in UNIDENTIFIED), ZERO)),
            },
        }

    total = {k: _cell() for k, _, _ in UNIDENTIFIED}
    for g in groups.values():
        for k, (n, amount) in g.items():
            total[k][0] += n
            total[k][1] += amount
    return {
        "as_of": as_of.isoformat(),
        "buckets": [{"key": k, "label": label} for k, label, _ in UNIDENTIFIED],
        "rows": [row({"court": c}, groups[c]) for c in sorted(groups)],
        "total": row({}, total),
    }
