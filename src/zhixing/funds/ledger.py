"""A receipt's money, derived from its entries: pure functions, no database.

received = disbursed + lodged + refunded + balance, per receipt, per case, per court.
A refund leaves the account as a disbursement (so the §9 clock sees it) and is counted
here as refunded, not disbursed. A lodgement recorded through the service carries its
amount; an imported one (the bundle has no amount) is read as lodging what of the receipt
was never disbursed, refunded or otherwise lodged — so imported history balances unless
its disbursements alone exceed the receipt, which reconciliation reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
#: 16 digits, 2 after the point (cases.models.MONEY).
MAX_AMOUNT = Decimal("99999999999999.99")
_AMOUNT_RE = re.compile(r"^[0-9]{1,14}(\.[0-9]{1,2})?$")  # ASCII digits only: \d matches "１"


class AmountError(ValueError):
    """An amount that is not a positive number of yuan with at most two decimals."""


def parse_amount(value: object) -> Decimal:
    """design.md "Money is Decimal, never float": a positive amount of yuan, given as a
    Decimal, an int or a string like ``"80000.00"`` (at most 2 decimals). Floats, booleans,
    exponents, signs, zero and negatives are refused with a Chinese message."""
    if isinstance(value, (bool, float)):
        raise AmountError('金额必须是精确的十进制数（如 "80000.00"），不能是浮点数')
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("-"):
            raise AmountError("金额必须大于 0")
        if not _AMOUNT_RE.match(text):
            raise AmountError(f"金额格式不正确：{value!r}（应为如 80000.00 的数字，最多两位小数）")
        value = Decimal(text)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise AmountError('金额必须是精确的十进制数（如 "80000.00"）')
    if value <= 0:
        raise AmountError("金额必须大于 0")
    if value != value.quantize(CENT):
        raise AmountError("金额最多两位小数（分）")
    if value > MAX_AMOUNT:
        raise AmountError("金额过大")
    return value.quantize(CENT)


@dataclass(frozen=True, slots=True)
class Entries:
    """One receipt's entries: ``disbursements`` and ``refunds`` as (on, amount) — a refund
    is also one of the disbursements, listed again in ``refunds`` — and ``lodgements`` as
    (on, amount or None for an imported one)."""

    amount: Decimal
    disbursements: tuple[tuple[date, Decimal], ...] = ()
    refunds: tuple[tuple[date, Decimal], ...] = ()
    lodgements: tuple[tuple[date, Decimal | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Position:
    """Where a receipt's money stands at a day (or with everything known)."""

    received: Decimal
    disbursed: Decimal  # paid to payees, refunds excluded
    lodged: Decimal
    refunded: Decimal

    @property
    def out(self) -> Decimal:
        return self.disbursed + self.lodged + self.refunded

    @property
    def balance(self) -> Decimal:
        """May be negative only in imported history that paid out more than arrived."""
        return self.received - self.out


def lodged_amounts(e: Entries) -> list[Decimal]:
    """The amount of each lodgement, in the order given: its own, or for an imported one
    what of the receipt was never disbursed (refunds included) nor lodged with an amount —
    the first imported lodgement takes it all, later ones nothing."""
    paid = sum((a for _, a in e.disbursements), ZERO)
    explicit = sum((a for _, a in e.lodgements if a is not None), ZERO)
    rest = max(ZERO, e.amount - paid - explicit)
    out: list[Decimal] = []
    for _, amount in e.lodgements:
        if amount is None:
            out.append(rest)
            rest = ZERO
        else:
            out.append(amount)
    return out


def position(e: Entries, as_of: date | None = None) -> Position:
    """The receipt's position at the end of ``as_of`` (None: everything known): entries
    dated after it have not happened yet (indicators.md §1)."""
    horizon = date.max if as_of is None else as_of
    paid = sum((a for on, a in e.disbursements if on <= horizon), ZERO)
    refunded = sum((a for on, a in e.refunds if on <= horizon), ZERO)
    lodged = sum(
        (a for (on, _), a in zip(e.lodgements, lodged_amounts(e), strict=True) if on <= horizon),
        ZERO,
    )
    return Position(received=e.amount, disbursed=paid - refunded, lodged=lodged, refunded=refunded)


def outstanding(e: Entries, as_of: date | None = None) -> Decimal:
    """Money of the receipt still in the account at as-of (never below zero)."""
    return max(ZERO, position(e, as_of).balance)


def money(value: Decimal) -> str:
    """Amounts in JSON: strings with 2 decimals (spec/cli.md)."""
    return str(value.quantize(CENT))
