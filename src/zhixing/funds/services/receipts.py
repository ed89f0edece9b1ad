"""Money in: 到账 of a case (FUND-1), 不明款 and its assignment to a case (FUND-6, FUND-4),
直接交付 (FUND-7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zhixing.cases.models import Case
from zhixing.funds import rules
from zhixing.funds.ledger import ZERO
from zhixing.funds.models import (
    CaseAccount,
    FundLog,
    Receipt,
    ReceiptKind,
    Source,
    UnidentifiedReceipt,
)
from zhixing.funds.services.common import (
    _account,
    _amount,
    _key,
    _kind,
    _lock_case,
    _log,
    _next_local_id,
    _refresh,
    _set_recovered,
    _today,
    _writer,
)
from zhixing.funds.services.errors import Conflict, Done, Forbidden, FundError, NotFound


def record_receipt(user, case: Case, *, amount: Any, notice_on: date, payer: str = "", idempotency_key: str,
                   source: str = Source.FORM, kind: str = ReceiptKind.EXECUTION,
                   today: date | None = None) -> Done[Receipt]:  # fmt: skip
    """到账: money for the case arrived and the handler got the finance notice on
    ``notice_on`` — the day the 30-day clock starts (FUND-1, indicators.md §9). ``kind`` is
    its 款项性质; 执行款 adds its amount to the case's 执行到位 (funds.rules.recovery_of_receipt:
    KPI-8, AID-7) in the same transaction."""
    _writer(user, case)
    amount = _amount(amount)
    kind = _kind(kind)
    key = _key(idempotency_key)
    day = _today(today)
    if notice_on > day:
        raise FundError("notice_on", "到账通知日期不能晚于今天")
    if notice_on < case.filed_on:
        raise FundError("notice_on", f"到账通知日期早于立案日期 {case.filed_on.isoformat()}")
    try:
        with transaction.atomic():
            case = _lock_case(case.pk)
            earlier = Receipt.objects.filter(idempotency_key=key).first()
            if earlier is not None:
                return _replay_receipt(earlier, case, amount, notice_on, kind)
            receipt = _create_receipt(
                user, case, amount=amount, notice_on=notice_on, payer=payer, key=key, source=source, kind=kind
            )
            _refresh(case)
            return Done(receipt)
    except IntegrityError:
        earlier = Receipt.objects.filter(idempotency_key=key).first()
        if earlier is None:
            raise
        return _replay_receipt(earlier, case, amount, notice_on, kind)


def _replay_receipt(
    earlier: Receipt, case: Case, amount: Decimal, notice_on: date, kind: str
) -> Done[Receipt]:
    if (earlier.case_id, earlier.amount, earlier.notice_on, earlier.kind) != (
        case.pk,
        amount,
        notice_on,
        kind,
    ):
        raise Conflict("idempotency_key", "该幂等键已用于另一笔到账登记")
    return Done(earlier, replayed=True)


def _create_receipt(user, case: Case, *, amount: Decimal, notice_on: date, payer: str, key: str, source: str,
                    kind: str = ReceiptKind.EXECUTION) -> Receipt:  # fmt: skip
    """Under the case lock: the receipt, the account's total, and the case's 执行到位."""
    account = _account(case)
    receipt = Receipt.objects.create(
        case=case, local_id=_next_local_id(Receipt, case, "r"), notice_on=notice_on, amount=amount, payer=payer,
        paid_out=ZERO, source=source, idempotency_key=key, recorded_by=user, recorded_at=timezone.now(), kind=kind,
    )  # fmt: skip
    CaseAccount.objects.filter(pk=account.pk).update(received=F("received") + amount)
    _set_recovered(case, case.recovered_amount + rules.recovery_of_receipt(kind, amount))
    _log(
        user,
        case,
        case.court,
        "receipt",
        receipt.local_id,
        amount,
        notice_on=notice_on.isoformat(),
        payer=payer,
        kind=kind,
    )
    return receipt


def record_unidentified(user, *, amount: Any, arrived_on: date, payer: str = "", reference: str = "",
                        idempotency_key: str, today: date | None = None) -> Done[UnidentifiedReceipt]:  # fmt: skip
    """不明款 (FUND-6): money in the court's account that no case claims yet. Recorded at
    the user's court; its age counts from ``arrived_on``."""
    if user is None or not user.is_authenticated or user.court_id is None:
        raise Forbidden("court", "只有法院工作人员可以登记不明款")
    amount = _amount(amount)
    key = _key(idempotency_key)
    if arrived_on > _today(today):
        raise FundError("arrived_on", "入账日期不能晚于今天")

    def replay(earlier: UnidentifiedReceipt) -> Done[UnidentifiedReceipt]:
        if (earlier.court_id, earlier.amount, earlier.arrived_on) != (user.court_id, amount, arrived_on):
            raise Conflict("idempotency_key", "该幂等键已用于另一笔不明款登记")
        return Done(earlier, replayed=True)

    earlier = UnidentifiedReceipt.objects.filter(idempotency_key=key).first()
    if earlier is not None:
        return replay(earlier)
    try:
        with transaction.atomic():
            item = UnidentifiedReceipt.objects.create(court_id=user.court_id, arrived_on=arrived_on, amount=amount,
                                                      payer=payer, reference=reference, idempotency_key=key,
                                                      recorded_by=user)  # fmt: skip
            _log(
                user,
                None,
                user.court,
                "unidentified",
                str(item.pk),
                amount,
                arrived_on=arrived_on.isoformat(),
                payer=payer,
            )
    except IntegrityError:
        earlier = UnidentifiedReceipt.objects.filter(idempotency_key=key).first()
        if earlier is None:
            raise
        return replay(earlier)
    return Done(item)


def assign_unidentified(user, item_id: int, case: Case, *, notice_on: date | None = None,
                        today: date | None = None) -> Done[Receipt]:  # fmt: skip
    """Ties unidentified money to its case (一案一账号, FUND-4/6): a Receipt of the same
    amount and payer is created in the case; its clock starts on ``notice_on`` (default
    today: the handler is told the day it is identified). Assigning the same item to the
    same case again returns the first receipt."""
    _writer(user, case)
    item = UnidentifiedReceipt.objects.visible_to(user).filter(pk=item_id).first()
    if item is None:
        raise NotFound("unidentified", "没有这笔不明款")
    if item.court_id != case.court_id:
        raise FundError("case", "不明款只能认领到本院收款的案件", rule="FUND-4")
    day = _today(today)
    notice_on = notice_on or day
    if notice_on > day or notice_on < item.arrived_on:
        raise FundError("notice_on", "到账通知日期应在入账日期与今天之间")
    with transaction.atomic():
        case = _lock_case(case.pk)
        item = UnidentifiedReceipt.objects.select_for_update().get(pk=item.pk)
        if item.receipt_id is not None:
            if item.receipt.case_id == case.pk:
                return Done(item.receipt, replayed=True)
            raise Conflict(
                "unidentified",
                f"这笔不明款已于 {item.assigned_on.isoformat()} 认领到 {item.receipt.case.case_number}",
            )
        receipt = _create_receipt(user, case, amount=item.amount, notice_on=notice_on, payer=item.payer,
                                  key=f"unidentified-{item.pk}", source=Source.FORM)  # fmt: skip
        item.receipt, item.assigned_on, item.assigned_by, item.assigned_at = (
            receipt,
            day,
            user,
            timezone.now(),
        )
        item.save(update_fields=["receipt", "assigned_on", "assigned_by", "assigned_at"])
        _log(
            user,
            case,
            case.court,
            "unidentified_assigned",
            str(item.pk),
            item.amount,
            receipt=receipt.local_id,
        )
        _refresh(case)
    return Done(receipt)


DIRECT_PAYMENT = "direct_payment"


def record_direct_payment(user, case: Case, *, amount: Any, paid_on: date, idempotency_key: str, note: str = "",
                          today: date | None = None) -> Done[FundLog]:  # fmt: skip
    """直接交付 (FUND-7): the debtor paid ``amount`` straight to the applicant on ``paid_on``,
    as the applicant confirmed. No money passes through the case account, so nothing is
    paid out of it; the case's 执行到位 grows by the amount (funds.rules.
    recovery_of_direct_payment, KPI-8). Kept in the fund log (its ``ref`` is the key): a
    request repeated with the same key returns the first entry."""
    _writer(user, case)
    amount = _amount(amount)
    key = _key(idempotency_key)
    if paid_on > _today(today):
        raise FundError("paid_on", "交付日期不能晚于今天")
    if paid_on < case.filed_on:
        raise FundError("paid_on", f"交付日期早于立案日期 {case.filed_on.isoformat()}")
    with transaction.atomic():
        case = _lock_case(case.pk)
        earlier = FundLog.objects.filter(action=DIRECT_PAYMENT, ref=key).first()
        if earlier is not None:
            if (earlier.case_id, earlier.amount, earlier.detail.get("paid_on")) != (
                case.pk,
                amount,
                paid_on.isoformat(),
            ):
                raise Conflict("idempotency_key", "该幂等键已用于另一笔直接交付登记")
            return Done(earlier, replayed=True)
        _set_recovered(case, case.recovered_amount + rules.recovery_of_direct_payment(amount))
        entry = _log(
            user, case, case.court, DIRECT_PAYMENT, key, amount, paid_on=paid_on.isoformat(), note=note
        )
        _refresh(case)
    return Done(entry)
