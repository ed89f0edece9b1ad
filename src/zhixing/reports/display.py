"""Indicator figures as people read them, on pages and in documents: a share of 1 as a
percentage ("75.33%"), an average number of days with 天, an average count as a plain
number. The JSON API and the CLI keep the plain strings of spec/cli.md ("0.7533")."""

from __future__ import annotations

from decimal import Decimal

from zhixing.lib.formatting import percent, yuan
from zhixing.metrics import engine

#: Indicators whose value is an average count, not a share (IND-08: overdue key nodes a
#: case, indicators.md §3): shown as a plain number.
PLAIN = frozenset({"IND-08"})
#: Spreadsheet number formats (xlsx cells hold numbers, Excel formats them).
PERCENT_FORMAT = "0.00%"
NUMBER_FORMAT = "0.00"
YUAN_FORMAT = "#,##0.00"


def _indicator(ind: engine.Indicator | str) -> engine.Indicator:
    if isinstance(ind, engine.Indicator):
        return ind
    return {i.id: i for i in engine.catalog()}[ind]


def is_share(ind: engine.Indicator | str) -> bool:
    ind = _indicator(ind)
    return ind.kind != "days" and ind.id not in PLAIN


def shown(ind: engine.Indicator | str, value: str | Decimal | None) -> str:
    """``"0.7533"`` → ``"75.33%"``; IND-07 ``"123.45"`` → ``"123.45 天"``; "—" for none."""
    if value is None:
        return "—"
    ind = _indicator(ind)
    if ind.kind == "days":
        return f"{Decimal(value):,.2f} 天"
    if ind.id in PLAIN:
        return f"{Decimal(value):,.2f}"
    return percent(value)


def part(ind: engine.Indicator | str, value: str | int | None) -> str:
    """A numerator or denominator: yuan with separators for amounts, else a count."""
    if value is None:
        return "—"
    if _indicator(ind).kind == "amount":
        return yuan(value)
    return f"{int(Decimal(value)):,}"


def cell_format(ind: engine.Indicator | str) -> str:
    return PERCENT_FORMAT if is_share(ind) else NUMBER_FORMAT


def change(ind: engine.Indicator | str, value: str | Decimal | None) -> str:
    """A change against the previous period: percentage points for a share ("+1.25 个百分点"),
    a signed number otherwise; "" when there is nothing to compare."""
    if value is None or value == "":
        return ""
    d = Decimal(value)
    if is_share(ind):
        return f"{d * 100:+.2f} 个百分点"
    return f"{d:+,.2f}"
