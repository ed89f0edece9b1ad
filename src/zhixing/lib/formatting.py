"""How numbers look to a person: amounts of yuan with thousands separators, rates as
percentages. JSON and the machine interface keep their plain forms (spec/cli.md: amounts
are strings like ``"80000.00"``, rates ``"0.7533"``); these are for pages and documents."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

CENT = Decimal("0.01")
#: What people type between the groups of an amount: "30,000.00", "30，000", "30 000".
_GROUPING = re.compile(r"(?<=\d)[,，\s\u00a0\u3000](?=\d{3}(?:\D|$))")


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "" or isinstance(value, (bool, float)):
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def yuan(value: object) -> str:
    """``Decimal("30000")`` → ``"30,000.00"``; "—" for a missing amount."""
    d = _decimal(value)
    if d is None:
        return "—"
    return f"{d.quantize(CENT, ROUND_HALF_EVEN):,.2f}"


def percent(value: object, places: int = 2) -> str:
    """A rate as a share of 1 (``"0.7533"``) → ``"75.33%"``; "—" when there is none
    (an indicator whose denominator is 0)."""
    d = _decimal(value)
    if d is None:
        return "—"
    q = Decimal(1).scaleb(-places)
    return f"{(d * 100).quantize(q, ROUND_HALF_EVEN)}%"


def ungroup(text: str) -> str:
    """Drop the thousands separators a person typed, so "30,000.00" reads as "30000.00".
    Only separators between digit groups go: "1,2" stays as it is (and is refused later)."""
    return _GROUPING.sub("", text.strip())
