"""The §9 clocks of many receipts at one as-of, fast (indicators.md §9, FUND-1…3).

The rule is ``funds.rules.receipt_clocks``; this module only avoids evaluating it again
for inputs it has already seen. For a receipt without deferrals or lodgements the rule
reads nothing but its notice day and the day it became fully paid by as-of (its due day,
status and ``provisional`` follow from those two and as-of; the amounts pass through).
So the rule is run once per distinct (notice day, fully-paid day) — a few tens of
thousands for a province's million receipts — on a one-receipt stand-in, and its verdict
reused; a receipt with a deferral or a lodgement goes to the rule as it is.
``tests/funds/test_batch.py`` checks the results equal the rule's on random cases.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from zhixing.cases.choices import CaseType
from zhixing.cases.records import CaseRecord, Disbursement, Receipt
from zhixing.funds import rules
from zhixing.funds.rules import ReceiptClock

ZERO = Decimal("0.00")
_ONE = Decimal("1.00")


def _by_day(payment: tuple[date, Decimal]) -> date:
    return payment[0]


class ClockBatch:
    """Clocks at ``as_of`` (None: everything known) for any number of cases."""

    def __init__(self, as_of: date | None):
        self.as_of = as_of
        self.horizon = date.max if as_of is None else as_of
        self._verdicts: dict[tuple[date, date | None], tuple[date | None, str, bool]] = {}

    def _verdict(self, notice_on: date, paid_on: date | None) -> tuple[date | None, str, bool]:
        key = (notice_on, paid_on)
        found = self._verdicts.get(key)
        if found is None:
            # The rule itself, on a stand-in with the same notice day and fully-paid day.
            stand_in = CaseRecord(
                case_number="",
                court="",
                case_type=CaseType.FIRST,
                filed_on=notice_on,
                receipts=(Receipt("r", notice_on, _ONE),),
                disbursements=() if paid_on is None else (Disbursement("d", "r", paid_on, _ONE),),
            )
            (clock,) = rules.receipt_clocks(stand_in, self.as_of)
            found = self._verdicts[key] = (clock.due_on, clock.status, clock.provisional)
        return found

    def rows(
        self, case: CaseRecord
    ) -> Iterator[tuple[Receipt, Decimal, date | None, date | None, str, bool, date | None]]:
        """Per receipt noticed by as-of, in bundle order: (receipt, disbursed by as-of,
        fully-paid day, due day, status, provisional, lodged day) — the fields of
        :class:`ReceiptClock` without building one."""
        horizon = self.horizon
        if case.deferrals or case.lodgements:
            for c in rules.receipt_clocks(case, self.as_of):
                yield (Receipt(c.receipt, c.notice_on, c.amount), c.disbursed, c.disbursed_on, c.due_on, c.status,
                       c.provisional, c.lodged_on)  # fmt: skip
            return
        verdicts = self._verdicts
        paid = case.disbursements
        for r in case.receipts:
            if r.notice_on > horizon:
                continue
            total, paid_on = ZERO, None
            if paid:
                mine = [(d.on, d.amount) for d in paid if d.receipt == r.id and d.on <= horizon]
                if len(mine) > 1:
                    mine.sort(key=_by_day)  # stable: payments of one day keep their order, as in the rule
                for on, amount in mine:
                    total += amount
                    if paid_on is None and total >= r.amount:
                        paid_on = on
            found = verdicts.get((r.notice_on, paid_on)) or self._verdict(r.notice_on, paid_on)
            yield r, total, paid_on, found[0], found[1], found[2], None

    def clocks(self, case: CaseRecord) -> list[ReceiptClock]:
        """Exactly ``rules.receipt_clocks(case, as_of)``."""
        return [
            ReceiptClock(
                case_number=case.case_number,
                receipt=r.id,
                notice_on=r.notice_on,
                amount=r.amount,
                due_on=due_on,
                disbursed=total,
                disbursed_on=paid_on,
                status=status,
                lodged_on=lodged_on,
                provisional=provisional,
            )
            for r, total, paid_on, due_on, status, provisional, lodged_on in self.rows(case)
        ]
