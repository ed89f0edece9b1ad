"""The steps every fund write shares: input checks, the fixed lock order (case, account,
receipt), the running totals, the fund log and the facts refresh."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from zhixing.cases.bundle import fingerprint
from zhixing.cases.loader import load_record
from zhixing.cases.models import Case
from zhixing.courts.models import Court
from zhixing.funds import ledger
from zhixing.funds.ledger import ZERO, AmountError, Entries, parse_amount
from zhixing.funds.models import (
    CaseAccount,
    Disbursement,
    FundLog,
    Lodgement,
    Receipt,
    ReceiptKind,
)
from zhixing.funds.services.errors import Conflict, Forbidden, FundError
from zhixing.lib import clock
from zhixing.metrics.facts import refresh_facts

# The logger keeps the name it had when the services were one module.
log = logging.getLogger("zhixing.funds.services")

KEY_RE = re.compile(r"^[A-Za-z0-9._:\-]{8,64}$")
CHUNK = 2000


def _today(today: date | None) -> date:
    return today or clock.today()


def _key(value: str | None) -> str:
    """Idempotency keys: 8–64 characters of letters, digits and ``. _ : -`` (a UUID fits)."""
    if not value or not KEY_RE.match(value):
        raise FundError("idempotency_key", "幂等键缺失或格式不正确（8–64 位字母、数字或 . _ : -，如 UUID）")
    return value


def _amount(value: Any, field: str = "amount") -> Decimal:
    try:
        return parse_amount(value)
    except AmountError as e:
        raise FundError(field, str(e), rule="金额") from None


def _writer(user, case: Case) -> None:
    """Money of a case is handled by its own court's staff; a supervising court sees it
    but does not move it."""
    if user is None or not user.is_authenticated:
        raise Forbidden("user", "请先登录")
    if not (user.is_superuser or (user.court_id is not None and user.court_id == case.court_id)):
        raise Forbidden("case", "只能办理本院案件的案款")


def _lock_case(case_id: int) -> Case:
    # ``of=("self",)``: lock the case row only, not the court joined in (PostgreSQL would
    # lock every joined row and so queue all of a court's fund work behind one another).
    return Case.objects.select_for_update(of=("self",)).select_related("court").get(pk=case_id)


def _next_local_id(model, case: Case, prefix: str) -> str:
    """``r3``, ``d7``…: one more than the highest of that form in the case (bundle ids
    of other forms are left alone). Called under the case lock."""
    taken = model.objects.filter(case=case).values_list("local_id", flat=True)
    pattern = re.compile(rf"^{prefix}(\d+)$")
    numbers = [int(m.group(1)) for t in taken if (m := pattern.match(t))]
    return f"{prefix}{max(numbers, default=0) + 1}"


def entries_of(receipts: Iterable[Receipt] | QuerySet[Receipt]) -> dict[int, Entries]:
    """Receipt pk → its entries (funds.ledger), three queries whatever the number."""
    rows = (
        list(receipts.values_list("pk", "amount"))
        if isinstance(receipts, QuerySet)
        else [(r.pk, r.amount) for r in receipts]
    )
    if not rows:
        return {}
    ids = [pk for pk, _ in rows]
    flt = {"receipt__in": receipts} if isinstance(receipts, QuerySet) else {"receipt_id__in": ids}
    paid: dict[int, list] = defaultdict(list)
    refunds: dict[int, list] = defaultdict(list)
    for rid, on, amount, refund in (
        Disbursement.objects.filter(**flt).order_by("pk").values_list("receipt_id", "on", "amount", "refund")
    ):
        paid[rid].append((on, amount))
        if refund is not None:
            refunds[rid].append((on, amount))
    lodged: dict[int, list] = defaultdict(list)
    for rid, on, amount in (
        Lodgement.objects.filter(**flt).order_by("pk").values_list("receipt_id", "on", "amount")
    ):
        lodged[rid].append((on, amount))
    return {
        pk: Entries(amount, tuple(paid[pk]), tuple(refunds[pk]), tuple(lodged[pk])) for pk, amount in rows
    }


def _account(case: Case) -> CaseAccount:
    """The case's account, locked; opened from its entries as they stand (imported
    history) the first time. Called under the case lock, so it is opened once."""
    account = CaseAccount.objects.select_for_update().filter(case=case).first()
    if account is not None:
        return account
    totals = [ledger.position(e) for e in entries_of(Receipt.objects.filter(case=case)).values()]
    received = sum((p.received for p in totals), ZERO)
    out = {k: sum((getattr(p, k) for p in totals), ZERO) for k in ("disbursed", "lodged", "refunded")}
    if sum(out.values(), ZERO) > received:
        raise Conflict(
            "case", "本案历史流水的出款合计超过到账合计，请先核对（zhixing reconcile）", rule="FUND-1"
        )
    return CaseAccount.objects.create(
        case=case, number=f"{case.court.code}{case.pk:010d}", received=received, **out
    )


def _lock_receipt(case: Case, *, local_id: str | None = None, pk: int | None = None) -> Receipt:
    """The receipt, locked, with its running total set from the entries if it had none."""
    qs = Receipt.objects.select_for_update().filter(case=case)
    receipt = qs.filter(local_id=local_id).first() if pk is None else qs.filter(pk=pk).first()
    if receipt is None:
        raise FundError("receipt", f"本案没有到账 {local_id or pk}")
    if receipt.paid_out is None:
        out = ledger.position(entries_of([receipt])[receipt.pk]).out
        if out > receipt.amount:
            raise Conflict(
                "receipt",
                f"到账 {receipt.local_id} 的历史出款超过到账金额，请先核对（zhixing reconcile）",
                rule="FUND-1",
            )
        Receipt.objects.filter(pk=receipt.pk, paid_out__isnull=True).update(paid_out=out)
        receipt.paid_out = out
    return receipt


def _log(
    user, case: Case | None, court: Court, action: str, ref: str = "", amount: Decimal | None = None, **detail
) -> FundLog:
    row = FundLog.objects.create(case=case, court=court, action=action, ref=ref, amount=amount, detail=detail,
                                 actor=user if user is not None and user.is_authenticated else None)  # fmt: skip
    transaction.on_commit(
        lambda: log.info("案款 %s %s %s %s", action, case or court, ref, amount if amount is not None else "")
    )
    return row


def _refresh(case: Case) -> None:
    """The case's facts, and its fingerprint: its funds are part of its bundle line, so an
    export of it imports again as unchanged (cases.services)."""
    record = load_record(case.pk)
    refresh_facts([(case.pk, record)])
    Case.objects.filter(pk=case.pk).update(fingerprint=fingerprint(record))


def _set_recovered(case: Case, recovered: Decimal) -> None:
    """Stores the case's 执行到位 as funds.rules computed it from the value read under the
    case lock (so two writers add up, and the sum is exact Decimal on every database: no
    arithmetic in SQL). The case row changed, so its version moves: a page showing the old
    amount is stale. The caller refreshes the facts, so IND-05 moves in this transaction."""
    if recovered == case.recovered_amount:
        return
    Case.objects.filter(pk=case.pk).update(
        recovered_amount=recovered, version=F("version") + 1, updated_at=timezone.now()
    )
    case.recovered_amount = recovered
    case.version += 1


def _kind(value: str) -> str:
    if value not in ReceiptKind.values:
        labels = "、".join(ReceiptKind.labels)
        raise FundError("kind", f"款项性质应为 {labels} 之一", rule="AID-7")
    return value
