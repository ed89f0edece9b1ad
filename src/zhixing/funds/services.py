"""Every change to case funds, and the reports built from them (design.md: one typed
service function per state change, owning its transaction).

Each write:

- takes its row locks in one fixed order — case, then its account, then the receipt,
  then the order or deferral — so two writers never wait on each other in a circle
  (``select_for_update`` on PostgreSQL; on SQLite every transaction is IMMEDIATE, so
  writers simply queue);
- checks the money under those locks and moves the running totals with conditional
  UPDATEs that the database's CHECK constraints guard too (``Receipt.paid_out <=
  amount``, the account's out ≤ received): nothing is paid beyond what arrived, even by
  code that forgot the lock;
- is idempotent by key: a request repeated with the same ``idempotency_key`` returns the
  first result (``replayed=True``) and pays nothing; the same key with different content
  is refused;
- appends a ``FundLog`` row (who, when, what, why) and refreshes the case's facts
  (``metrics.facts.refresh_facts``) in the same transaction, so indicators stay right;
- keeps the case's 执行到位 (``recovered_amount``) by ``funds.rules``: a receipt of 执行款
  adds to it, a refund takes it back, relief and fees never count (KPI-8, AID-7) — so the
  case page, the portal and IND-05 agree the moment the money moves.

Bad input raises :class:`FundError` naming the field and the rule, with a Chinese
message; nothing is saved. Imported history is never judged here: it is recorded as it
happened and reported by the checks and by :func:`reconcile`.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from zhixing.cases.bundle import fingerprint
from zhixing.cases.choices import CaseType
from zhixing.cases.loader import load_record, load_records
from zhixing.cases.models import Case, Party
from zhixing.cases.records import CaseRecord
from zhixing.cases.records import Deferral as DeferralRecord
from zhixing.cases.records import Disbursement as DisbursementRecord
from zhixing.cases.records import Lodgement as LodgementRecord
from zhixing.cases.records import Receipt as ReceiptRecord
from zhixing.courts.models import Court, Role
from zhixing.funds import approvals, buckets, ledger, rules
from zhixing.funds.batch import ClockBatch
from zhixing.funds.ledger import ZERO, AmountError, Entries, money, parse_amount
from zhixing.funds.models import (
    ApprovalThreshold,
    CaseAccount,
    Deferral,
    DeferralGround,
    Disbursement,
    FundLog,
    Lodgement,
    LodgementGround,
    OfficerTeam,
    OrderKind,
    OrderStatus,
    PaymentOrder,
    Receipt,
    ReceiptKind,
    Refund,
    Source,
    UnidentifiedReceipt,
)
from zhixing.lib import clock, errors
from zhixing.metrics.facts import refresh_facts

log = logging.getLogger(__name__)

KEY_RE = re.compile(r"^[A-Za-z0-9._:\-]{8,64}$")
CHUNK = 2000


class FundError(errors.Refused):
    """Bad input or a refused action: ``field`` names the input, ``rule`` the rule
    (FUND-1…, or a plain reason); the member of the error family says the HTTP status."""

    utf8_json = True

    def __init__(self, field: str, message: str, *, rule: str = ""):
        super().__init__(message, field, rule)

    def as_json(self) -> dict:
        return {"loc": ["body", self.field], "msg": self.message, "type": "fund_error", "rule": self.rule}

    def body(self) -> dict:
        """The funds API answers every refusal (not only a 422) as a list of problems."""
        return {"detail": [self.as_json()]}


class Forbidden(errors.NotAllowed, FundError):
    """The user may see the case but not do this (another court's case, approval level)."""


class NotFound(errors.NotFound, FundError):
    pass


class Conflict(errors.Conflict, FundError):
    """The key was used for something else, or the thing was already done."""


@dataclass(frozen=True, slots=True)
class Done[T]:
    """A service's result; ``replayed`` when an earlier request with the same key made it."""

    value: T
    replayed: bool = False


# -- shared steps ----------------------------------------------------------------------------


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


# -- receipts ---------------------------------------------------------------------------------


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


# -- payments out: disbursement, lodgement, refund --------------------------------------------


def thresholds_for(court: Court) -> tuple[approvals.Threshold, ...]:
    """The approval table in force at ``court``: its own, or its nearest ancestor's, or
    the default (funds.approvals)."""
    codes = [c for c in court.path.split("/") if c]
    tables: dict[str, list] = defaultdict(list)
    for code, limit, role in ApprovalThreshold.objects.filter(court__code__in=codes).values_list(
        "court__code", "max_amount", "role"
    ):
        tables[code].append((limit, role))
    return approvals.effective([tables.get(c, []) for c in reversed(codes)])


def set_thresholds(user, court: Court, table: Iterable[tuple[Any, str]]) -> tuple[approvals.Threshold, ...]:
    """Replaces a court's approval table (bureau chief or court leader of that court)."""
    if not (user.is_superuser or (user.court_id == court.pk and user.role in approvals.DEFERRAL_ROLES)):
        raise Forbidden("court", "只有本院执行局局长或院领导可以设置审批权限")
    rows = [(None if limit in (None, "") else _amount(limit, "max_amount"), role) for limit, role in table]
    problem = approvals.validate(rows)
    if problem:
        raise FundError("thresholds", problem)
    with transaction.atomic():
        ApprovalThreshold.objects.filter(court=court).delete()
        ApprovalThreshold.objects.bulk_create(
            [ApprovalThreshold(court=court, max_amount=m, role=r) for m, r in rows]
        )
        _log(
            user,
            None,
            court,
            "thresholds",
            court.code,
            None,
            table=[[None if m is None else str(m), r] for m, r in rows],
        )
    return thresholds_for(court)


def request_payment(user, case: Case, *, kind: str, receipt: str, idempotency_key: str, amount: Any = None,
                    payee: str = "", payee_name: str = "", ground: str = "", evidence: str = "",
                    source: str = Source.FORM, today: date | None = None) -> Done[PaymentOrder]:  # fmt: skip
    """A request to pay money out of receipt ``receipt`` (its local id, e.g. ``r1``):

    - ``disbursement`` (发放) of ``amount`` to the party ``payee`` (its local id);
    - ``lodgement`` (提存, FUND-3) of the whole balance, with a FUND-3 ``ground`` and the
      ``evidence``;
    - ``refund`` (退款) of ``amount`` to ``payee_name`` (default: the payer), ``ground``
      saying why.

    The amount must not exceed the receipt's balance (FUND-1 专款专付). The order needs the
    approval level of the court's thresholds for its amount; when the requester holds
    that level it is approved and executed at once, otherwise it waits for
    :func:`approve_payment`. Returns the order (``order.status``, and its entry)."""
    _writer(user, case)
    key = _key(idempotency_key)
    if kind not in OrderKind.values:
        raise FundError("kind", "类别应为 发放、提存 或 退款")
    if kind == OrderKind.LODGEMENT:
        if amount not in (None, ""):
            raise FundError("amount", "提存的是到账的全部余额，不另填金额", rule="FUND-3")
        if ground not in LodgementGround.values:
            raise FundError("ground", "提存事由应为法定情形之一（FUND-3）", rule="FUND-3")
        if not evidence.strip():
            raise FundError("evidence", "提存须附证据材料说明（FUND-3）", rule="FUND-3")
    else:
        amount = _amount(amount)
    if kind == OrderKind.DISBURSEMENT and not Party.objects.filter(case=case, local_id=payee).exists():
        raise FundError("payee", f"收款人 {payee!r} 不是本案当事人", rule="FUND-1")
    if kind == OrderKind.REFUND and not ground.strip():
        raise FundError("ground", "退款须写明理由")
    try:
        with transaction.atomic():
            case = _lock_case(case.pk)
            earlier = PaymentOrder.objects.filter(idempotency_key=key).first()
            if earlier is not None:
                return _replay_order(earlier, case, kind, receipt, amount, payee, payee_name)
            _account(case)
            rec = _lock_receipt(case, local_id=receipt)
            balance = rec.amount - rec.paid_out
            if kind == OrderKind.LODGEMENT:
                if balance <= 0:
                    raise FundError("receipt", f"到账 {rec.local_id} 已无余额可提存", rule="FUND-3")
                amount = balance
            elif amount > balance:
                raise FundError("amount", f"金额 {money(amount)} 元超过到账 {rec.local_id} 的余额 {money(balance)} 元（不得超过到账金额）",
                                rule="FUND-1")  # fmt: skip
            if kind == OrderKind.REFUND:
                payee_name = payee_name.strip() or rec.payer
                if not payee_name:
                    raise FundError("payee_name", "请填写退款对象")
            required = approvals.required_role(amount, thresholds_for(case.court))
            order = PaymentOrder.objects.create(
                case=case, receipt=rec, kind=kind, amount=amount, payee=payee if kind == OrderKind.DISBURSEMENT else "",
                payee_name=payee_name, ground=ground, evidence=evidence, idempotency_key=key, required_role=required,
                source=source, requested_by=user,
            )  # fmt: skip
            _log(user, case, case.court, "payment_requested", str(order.pk), amount, kind=kind, receipt=rec.local_id,
                 required_role=required)  # fmt: skip
            if approvals.may_approve(user.role, required):
                _execute(user, case, rec, order, _today(today), note="申请人具有审批权限，自动批准")
                _refresh(case)
            return Done(order)
    except IntegrityError:
        earlier = PaymentOrder.objects.filter(idempotency_key=key).first()
        if earlier is None:
            raise
        return _replay_order(earlier, case, kind, receipt, amount, payee, payee_name)


def _replay_order(
    earlier: PaymentOrder, case: Case, kind: str, receipt: str, amount, payee: str, payee_name: str
):
    same = (earlier.case_id, earlier.kind, earlier.receipt.local_id) == (case.pk, kind, receipt)
    if same and kind != OrderKind.LODGEMENT:
        same = earlier.amount == amount
    if same and kind == OrderKind.DISBURSEMENT:
        same = earlier.payee == payee
    if same and kind == OrderKind.REFUND and payee_name.strip():
        same = earlier.payee_name == payee_name.strip()
    if not same:
        raise Conflict("idempotency_key", "该幂等键已用于另一笔出款申请，不会重复出款")
    return Done(earlier, replayed=True)


def disburse(user, case: Case, *, receipt: str, amount: Any, payee: str, idempotency_key: str,
             source: str = Source.FORM, today: date | None = None) -> Done[PaymentOrder]:  # fmt: skip
    """发放 ``amount`` of ``receipt`` to party ``payee`` (see :func:`request_payment`)."""
    return request_payment(user, case, kind=OrderKind.DISBURSEMENT, receipt=receipt, amount=amount, payee=payee,
                           idempotency_key=idempotency_key, source=source, today=today)  # fmt: skip


def lodge(user, case: Case, *, receipt: str, ground: str, evidence: str, idempotency_key: str,
          source: str = Source.FORM, today: date | None = None) -> Done[PaymentOrder]:  # fmt: skip
    """提存 the whole balance of ``receipt`` (FUND-3; see :func:`request_payment`)."""
    return request_payment(user, case, kind=OrderKind.LODGEMENT, receipt=receipt, ground=ground, evidence=evidence,
                           idempotency_key=idempotency_key, source=source, today=today)  # fmt: skip


def refund(user, case: Case, *, receipt: str, amount: Any, reason: str, idempotency_key: str, payee_name: str = "",
           source: str = Source.FORM, today: date | None = None) -> Done[PaymentOrder]:  # fmt: skip
    """退款 ``amount`` of ``receipt`` to ``payee_name`` (see :func:`request_payment`)."""
    return request_payment(user, case, kind=OrderKind.REFUND, receipt=receipt, amount=amount, ground=reason,
                           payee_name=payee_name, idempotency_key=idempotency_key, source=source, today=today)  # fmt: skip


def _execute(user, case: Case, rec: Receipt, order: PaymentOrder, day: date, note: str = "") -> None:
    """Pays the order: the receipt's running total first (a conditional UPDATE that finds
    no row when the balance is short), then the account, then the entry. Under the case
    and receipt locks."""
    if day < rec.notice_on:
        raise FundError("on", f"出款日期不能早于到账通知日期 {rec.notice_on.isoformat()}")
    if order.kind == OrderKind.LODGEMENT and order.amount != rec.amount - rec.paid_out:
        raise Conflict("amount", "到账余额在申请后已变化，请重新提出提存申请", rule="FUND-3")
    moved = Receipt.objects.filter(pk=rec.pk, paid_out__lte=F("amount") - order.amount).update(
        paid_out=F("paid_out") + order.amount
    )
    if not moved:
        balance = rec.amount - rec.paid_out
        raise FundError("amount", f"金额 {money(order.amount)} 元超过到账 {rec.local_id} 的余额 {money(balance)} 元（不得超过到账金额）",
                        rule="FUND-1")  # fmt: skip
    rec.paid_out += order.amount
    field = {
        OrderKind.DISBURSEMENT: "disbursed",
        OrderKind.LODGEMENT: "lodged",
        OrderKind.REFUND: "refunded",
    }[order.kind]
    CaseAccount.objects.filter(case=case).update(**{field: F(field) + order.amount})
    if order.kind == OrderKind.REFUND:
        _set_recovered(case, rules.recovery_after_refund(case.recovered_amount, rec.kind, order.amount))
    now = timezone.now()
    order.status, order.decided_by, order.decided_at, order.decision_note = (
        OrderStatus.EXECUTED,
        user,
        now,
        note,
    )
    if order.kind == OrderKind.LODGEMENT:
        position = Lodgement.objects.filter(case=case).count()
        order.lodgement = Lodgement.objects.create(
            case=case, receipt=rec, on=day, ground=order.ground, position=position, amount=order.amount,
            evidence=order.evidence, idempotency_key=order.idempotency_key, source=order.source,
            recorded_by=order.requested_by, recorded_at=now,
        )  # fmt: skip
    else:
        payment = Disbursement.objects.create(
            case=case, receipt=rec, local_id=_next_local_id(Disbursement, case, "d"), on=day, amount=order.amount,
            payee=order.payee, idempotency_key=order.idempotency_key, source=order.source,
            recorded_by=order.requested_by, recorded_at=now,
        )  # fmt: skip
        if order.kind == OrderKind.DISBURSEMENT:
            order.disbursement = payment
        else:
            order.refund = Refund.objects.create(
                disbursement=payment, payee_name=order.payee_name, reason=order.ground
            )
    order.save()
    _log(user, case, case.court, "payment_executed", str(order.pk), order.amount, kind=order.kind,
         receipt=rec.local_id, on=day.isoformat(), note=note)  # fmt: skip


def _order_for(user, order_id: int) -> PaymentOrder:
    order = PaymentOrder.objects.visible_to(user).filter(pk=order_id).first()
    if order is None:
        raise NotFound("order", "没有这张出款审批单")
    return order


def approve_payment(user, order_id: int, *, note: str = "", today: date | None = None) -> Done[PaymentOrder]:
    """审批: an approver of the case's court at the level the order requires (or above)
    approves it, and it is executed in the same transaction — if the balance still
    covers it. Approving an order already executed returns it (``replayed``)."""
    order = _order_for(user, order_id)
    with transaction.atomic():
        case = _lock_case(order.case_id)
        _writer(user, case)
        _account(case)
        rec = _lock_receipt(case, pk=order.receipt_id)
        order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == OrderStatus.EXECUTED:
            return Done(order, replayed=True)
        if order.status != OrderStatus.PENDING:
            raise Conflict("order", f"该审批单已{order.get_status_display()}")
        if not approvals.may_approve(user.role, order.required_role):
            raise Forbidden(
                "order",
                f"{money(order.amount)} 元的{order.get_kind_display()}须由{Role(order.required_role).label}或更高级别审批",
            )
        _execute(user, case, rec, order, _today(today), note=note)
        _refresh(case)
    return Done(order)


def reject_payment(user, order_id: int, *, reason: str) -> Done[PaymentOrder]:
    """驳回 a pending order (an approver at its level, with a reason). Nothing moves."""
    order = _order_for(user, order_id)
    if not reason.strip():
        raise FundError("reason", "驳回须写明理由")
    with transaction.atomic():
        case = _lock_case(order.case_id)
        _writer(user, case)
        order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == OrderStatus.REJECTED:
            return Done(order, replayed=True)
        if order.status != OrderStatus.PENDING:
            raise Conflict("order", f"该审批单已{order.get_status_display()}")
        if not approvals.may_approve(user.role, order.required_role):
            raise Forbidden("order", f"须由{Role(order.required_role).label}或更高级别审批")
        order.status, order.decided_by, order.decided_at, order.decision_note = (
            OrderStatus.REJECTED,
            user,
            timezone.now(),
            reason,
        )
        order.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        _log(user, case, case.court, "payment_rejected", str(order.pk), order.amount, reason=reason)
    return Done(order)


def pending_orders(user) -> list[tuple[PaymentOrder, bool]]:
    """Orders waiting for approval that ``user`` may see, each with whether ``user`` may
    approve it."""
    qs = (
        PaymentOrder.objects.visible_to(user)
        .filter(status=OrderStatus.PENDING)
        .select_related("case", "receipt", "requested_by")
        .order_by("requested_at", "pk")
    )
    return [
        (
            o,
            (user.is_superuser or user.court_id == o.case.court_id)
            and approvals.may_approve(user.role, o.required_role),
        )
        for o in qs
    ]


# -- deferrals --------------------------------------------------------------------------------


def approve_deferral(user, case: Case, *, receipt: str, ground: str, detail: str = "", ends_on: date | None = None,
                     source: str = Source.FORM, today: date | None = None) -> Done[Deferral]:  # fmt: skip
    """延缓发放 (FUND-2): the bureau chief or a court leader of the case's court stops the
    receipt's 30-day clock on one of the five grounds, today. Refused when the due day in
    force has already passed (a deferral approved after it stops nothing, indicators.md
    §9), or when nothing is left to pay. ``ends_on``, when the ground's end is known; else
    :func:`end_deferral` records it later."""
    _writer(user, case)
    if user.role not in approvals.DEFERRAL_ROLES:
        raise Forbidden("approved_by", "延缓发放须经执行局局长或主管院领导批准（FUND-2）", rule="FUND-2")
    if ground not in DeferralGround.values:
        raise FundError("ground", "延缓事由应为法定五种情形之一（FUND-2）", rule="FUND-2")
    if ground == DeferralGround.OTHER and not detail.strip():
        raise FundError("detail", "以“其他正当理由”延缓的，须写明具体理由", rule="FUND-2")
    day = _today(today)
    if ends_on is not None and ends_on < day:
        raise FundError("ends_on", "事由消除日期不能早于批准日期")
    with transaction.atomic():
        case = _lock_case(case.pk)
        _account(case)
        rec = _lock_receipt(case, local_id=receipt)
        if rec.notice_on > day:
            raise FundError("receipt", "到账通知之前不能批准延缓")
        if rec.paid_out >= rec.amount:
            raise FundError("receipt", f"到账 {rec.local_id} 已无余额，无需延缓发放", rule="FUND-2")
        clock = next(c for c in rules.receipt_clocks(load_record(case.pk), day) if c.receipt == rec.local_id)
        if clock.status == rules.LODGED:
            raise FundError("receipt", f"到账 {rec.local_id} 已提存，无需延缓发放", rule="FUND-3")
        if clock.due_on is not None and day > clock.due_on:
            raise FundError("approved_on", f"发放期限已于 {clock.due_on.isoformat()} 届满，届满后不能再批准延缓发放（FUND-2）",
                            rule="FUND-2")  # fmt: skip
        deferral = Deferral.objects.create(
            case=case, receipt=rec, approved_on=day, ground=ground, ends_on=ends_on,
            position=Deferral.objects.filter(case=case).count(), detail=detail, source=source,
            approved_by=user, approved_at=timezone.now(),
        )  # fmt: skip
        _log(user, case, case.court, "deferral_approved", rec.local_id, None, ground=ground, detail=detail,
             due_on=None if clock.due_on is None else clock.due_on.isoformat(),
             ends_on=None if ends_on is None else ends_on.isoformat())  # fmt: skip
        _refresh(case)
    return Done(deferral)


def end_deferral(user, deferral_id: int, *, ends_on: date, today: date | None = None) -> Done[Deferral]:
    """The deferral's ground ended on ``ends_on`` (FUND-2): the money is due within 10
    days after it. Recorded once; recording the same day again returns it."""
    deferral = Deferral.objects.visible_to(user).filter(pk=deferral_id).select_related("case").first()
    if deferral is None:
        raise NotFound("deferral", "没有这条延缓发放记录")
    _writer(user, deferral.case)
    if ends_on > _today(today):
        raise FundError("ends_on", "事由消除日期不能晚于今天")
    if ends_on < deferral.approved_on:
        raise FundError("ends_on", f"事由消除日期不能早于批准日期 {deferral.approved_on.isoformat()}")
    with transaction.atomic():
        case = _lock_case(deferral.case_id)
        deferral = Deferral.objects.select_for_update().get(pk=deferral.pk)
        if deferral.ends_on is not None:
            if deferral.ends_on == ends_on:
                return Done(deferral, replayed=True)
            raise Conflict("ends_on", f"该延缓已登记事由消除日期 {deferral.ends_on.isoformat()}")
        deferral.ends_on, deferral.ended_by, deferral.ended_at = ends_on, user, timezone.now()
        deferral.save(update_fields=["ends_on", "ended_by", "ended_at"])
        _log(
            user,
            case,
            case.court,
            "deferral_ended",
            deferral.receipt.local_id,
            None,
            ends_on=ends_on.isoformat(),
        )
        _refresh(case)
    return Done(deferral)


# -- reading: the account, clocks, buckets ----------------------------------------------------


def account_summary(case: Case, as_of: date | None = None) -> dict:
    """The case account: number, totals, and each receipt with its entries, balance and
    §9 clock at as-of (default today). Totals are the stored account's when it is open,
    else derived from the entries."""
    day = _today(as_of)
    receipts = list(Receipt.objects.filter(case=case).order_by("pk"))
    entries = entries_of(receipts)
    clocks = {c.receipt: c for c in rules.receipt_clocks(load_record(case.pk), day)}
    account = CaseAccount.objects.filter(case=case).first()
    positions = {r.pk: ledger.position(entries[r.pk]) for r in receipts}
    if account is not None:
        totals = {"received": account.received, "disbursed": account.disbursed, "lodged": account.lodged,
                  "refunded": account.refunded}  # fmt: skip
    else:
        totals = {
            k: sum((getattr(p, k) for p in positions.values()), ZERO)
            for k in ("received", "disbursed", "lodged", "refunded")
        }
    totals["balance"] = totals["received"] - totals["disbursed"] - totals["lodged"] - totals["refunded"]
    out = []
    for r in receipts:
        p = positions[r.pk]
        clock = clocks.get(r.local_id)
        out.append(
            {
                "receipt": r.local_id, "notice_on": r.notice_on, "amount": money(r.amount), "payer": r.payer,
                "disbursed": money(p.disbursed), "lodged": money(p.lodged), "refunded": money(p.refunded),
                "balance": money(p.balance), "clock": clock.to_json() if clock else None,
            }
        )  # fmt: skip
    return {
        "case_number": case.case_number,
        "account": account.number if account else None,
        "as_of": day,
        "totals": {k: money(v) for k, v in totals.items()},
        "receipts": out,
    }


def fund_cases(cases: QuerySet[Case], as_of: date | None = None) -> QuerySet[Case]:
    """Cases seen at as-of with a receipt noticed on or before it (as ``zhixing check funds``)."""
    if as_of is None:
        return cases.filter(Exists(Receipt.objects.filter(case=OuterRef("pk"))))
    return cases.filter(filed_on__lte=as_of).filter(
        Exists(Receipt.objects.filter(case=OuterRef("pk"), notice_on__lte=as_of))
    )


def clock_rows(cases: QuerySet[Case], as_of: date) -> list[dict]:
    """The rows of ``zhixing check funds --as-of`` (spec/cli.md) for these cases, computed
    by the same rule (funds.rules.receipt_clocks) from the same records."""
    return [
        c.to_json()
        for _, record in load_records(fund_cases(cases, as_of))
        for c in rules.receipt_clocks(record, as_of)
        if c.notice_on <= as_of
    ]


@dataclass(frozen=True, slots=True)
class FundCase:
    """One case's money as the clocks and buckets need it — no events, parties or
    petitions: ``record`` carries the case's receipts, disbursements, deferrals and
    lodgements; ``entries`` the ledger view by receipt local id."""

    case_id: int
    court: str
    handler: str
    record: CaseRecord
    entries: dict[str, Entries]


def load_fund_cases(cases: QuerySet[Case], *, chunk: int = CHUNK) -> Iterator[FundCase]:
    """FundCases of the cases that have receipts, a handful of queries per chunk."""
    ids = list(fund_cases(cases).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        yield from _fund_chunk(ids[start : start + chunk])


def _chunk_rows(qs: QuerySet, ids: list[int], field: str, *values: str) -> Iterator[tuple]:
    """Rows of ``qs`` whose ``field`` is one of ``ids`` (sorted). Dense ids are read as a
    range and filtered here — a long ``IN (…)`` list costs more to build than the rows
    it leaves out — sparse ones with ``IN``."""
    if ids[-1] - ids[0] < 2 * len(ids):
        wanted = set(ids)
        position = values.index(field) if field in values else None
        rows = (
            qs.filter(**{f"{field}__gte": ids[0], f"{field}__lte": ids[-1]})
            .order_by("pk")
            .values_list(*values)
        )
        return (r for r in rows if r[position] in wanted) if position is not None else iter(rows)
    return iter(qs.filter(**{f"{field}__in": ids}).order_by("pk").values_list(*values))


def _fund_chunk(ids: list[int]) -> Iterator[FundCase]:
    heads = list(_chunk_rows(Case.objects.all(), ids, "pk", "pk", "case_number", "court__code", "handler", "case_type",
                             "filed_on"))  # fmt: skip
    receipts: dict[int, list] = defaultdict(list)
    local: dict[int, str] = {}
    for pk, case_id, lid, notice_on, amount, payer in _chunk_rows(
        Receipt.objects.all(), ids, "case_id", "pk", "case_id", "local_id", "notice_on", "amount", "payer"
    ):
        local[pk] = lid
        receipts[case_id].append((pk, ReceiptRecord(lid, notice_on, amount, payer or None)))
    paid: dict[int, list] = defaultdict(list)
    by_receipt: dict[int, list] = defaultdict(list)
    refunds: dict[int, list] = defaultdict(list)
    for case_id, rid, lid, on, amount, payee, refund in _chunk_rows(
        Disbursement.objects.all(),
        ids,
        "case_id",
        "case_id",
        "receipt_id",
        "local_id",
        "on",
        "amount",
        "payee",
        "refund",
    ):
        paid[case_id].append(DisbursementRecord(lid, local[rid], on, amount, payee or None))
        by_receipt[rid].append((on, amount))
        if refund is not None:
            refunds[rid].append((on, amount))
    deferrals: dict[int, list] = defaultdict(list)
    for case_id, rid, approved_on, ground, ends_on in _chunk_rows(
        Deferral.objects.all(), ids, "case_id", "case_id", "receipt_id", "approved_on", "ground", "ends_on"
    ):
        deferrals[case_id].append(DeferralRecord(local[rid], approved_on, ground or None, ends_on))
    lodged: dict[int, list] = defaultdict(list)
    lodged_by_receipt: dict[int, list] = defaultdict(list)
    for case_id, rid, on, ground, amount in _chunk_rows(
        Lodgement.objects.all(), ids, "case_id", "case_id", "receipt_id", "on", "ground", "amount"
    ):
        lodged[case_id].append(LodgementRecord(local[rid], on, ground or None))
        lodged_by_receipt[rid].append((on, amount))
    for pk, number, court, handler, case_type, filed_on in heads:
        record = CaseRecord(
            case_number=number, court=court, case_type=CaseType(case_type), filed_on=filed_on,
            receipts=tuple(r for _, r in receipts[pk]), disbursements=tuple(paid[pk]), deferrals=tuple(deferrals[pk]),
            lodgements=tuple(lodged[pk]),
        )  # fmt: skip
        entries = {
            r.id: Entries(
                r.amount, tuple(by_receipt[rpk]), tuple(refunds[rpk]), tuple(lodged_by_receipt[rpk])
            )
            for rpk, r in receipts[pk]
        }
        yield FundCase(pk, court, handler or "", record, entries)


def receipt_items(cases: Iterable[FundCase], as_of: date) -> Iterator[buckets.Item]:
    """Each receipt noticed by as-of with its §9 clock status (funds.rules, through
    funds.batch) and the money still unpaid (funds.ledger)."""
    batch = ClockBatch(as_of)
    for fc in cases:
        court, handler, lodged = fc.court, fc.handler, bool(fc.record.lodgements)
        for receipt, disbursed, _, _, status, _, _ in batch.rows(fc.record):
            if lodged:  # the ledger reads lodged amounts (an imported lodgement has none)
                unpaid = ledger.outstanding(fc.entries[receipt.id], as_of)
            else:  # the clock already summed the disbursements (refunds included) by as-of
                unpaid = receipt.amount - disbursed
                if unpaid < 0:
                    unpaid = ZERO
            yield buckets.Item(court, handler, receipt.notice_on, unpaid, status)


def teams_of(courts: Iterable[str] | None = None) -> dict[tuple[str, str], str]:
    """(court code, handler) → team name."""
    qs = OfficerTeam.objects.all()
    if courts is not None:
        qs = qs.filter(court__code__in=list(courts))
    return {(c, h): t for c, h, t in qs.values_list("court__code", "handler", "team")}


def unpaid_buckets(cases: QuerySet[Case], as_of: date, by: str = "court") -> dict:
    """Unpaid money by days since notice (≤5, 6–10, 11–15, 16–30, >30), by court, team
    or officer (funds.buckets.summarise) for these cases at as-of."""
    if by not in buckets.GROUPINGS:
        raise FundError("by", "分组应为 court、team 或 handler")
    teams = teams_of() if by != "court" else {}
    return buckets.summarise(
        receipt_items(load_fund_cases(fund_cases(cases, as_of)), as_of), as_of, by, teams
    )


def unidentified_report(items: QuerySet[UnidentifiedReceipt], as_of: date) -> dict:
    """Unidentified money still unassigned at as-of, by court and age (FUND-6)."""
    from django.db.models import Q

    open_items = items.filter(arrived_on__lte=as_of).filter(
        Q(assigned_on__isnull=True) | Q(assigned_on__gt=as_of)
    )
    return buckets.unidentified_ages(open_items.values_list("court__code", "arrived_on", "amount"), as_of)


# -- reconciliation ----------------------------------------------------------------------------


def reconcile(cases: QuerySet[Case], *, chunk: int = CHUNK) -> dict:
    """received = disbursed + lodged + refunded + balance, per case and per court.

    ``balance`` is the stored account's where the case has one (else derived). Reported
    as differences: a receipt whose entries pay out more than it received; a receipt's
    running total (``paid_out``) or an account's totals that disagree with the entries;
    an entry filed under another case than its receipt; an executed order whose entry
    differs from it; unidentified money assigned with another amount."""
    differences: list[dict] = []
    courts: dict[str, dict[str, Decimal]] = {}
    names = dict(Court.objects.values_list("code", "name"))
    ids = list(cases.order_by("pk").values_list("pk", flat=True))
    fields = ("received", "disbursed", "lodged", "refunded", "balance")

    def differ(case_number: str, receipt: str, field: str, expected, actual, message: str) -> None:
        differences.append({"case_number": case_number, "receipt": receipt, "field": field,
                            "expected": money(expected), "actual": money(actual), "message": message})  # fmt: skip

    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        heads = dict(Case.objects.filter(pk__in=part).values_list("pk", "case_number"))
        court_of = dict(Case.objects.filter(pk__in=part).values_list("pk", "court__code"))
        receipts = list(Receipt.objects.filter(case_id__in=part).order_by("pk"))
        entries = entries_of(receipts)
        accounts = {a.case_id: a for a in CaseAccount.objects.filter(case_id__in=part)}
        derived: dict[int, dict[str, Decimal]] = {pk: dict.fromkeys(fields[:4], ZERO) for pk in part}
        for r in receipts:
            p = ledger.position(entries[r.pk])
            d = derived[r.case_id]
            for k in fields[:4]:
                d[k] += getattr(p, k)
            number = heads[r.case_id]
            if p.balance < 0:
                differ(number, r.local_id, "balance", ZERO, p.balance, "出款合计超过到账金额")
            if r.paid_out is not None and r.paid_out != p.out:
                differ(number, r.local_id, "paid_out", p.out, r.paid_out, "到账的已出款累计与流水合计不符")
        for pk in part:
            number, d = heads[pk], derived[pk]
            account = accounts.get(pk)
            balance = d["received"] - d["disbursed"] - d["lodged"] - d["refunded"]
            if account is not None:
                for k in fields[:4]:
                    if getattr(account, k) != d[k]:
                        differ(
                            number, "", k, d[k], getattr(account, k), f"案款账户{_LABELS[k]}与流水合计不符"
                        )
                balance = account.balance
            totals = courts.setdefault(court_of[pk], dict.fromkeys(fields, ZERO))
            for k in fields[:4]:
                totals[k] += d[k]
            totals["balance"] += balance
        for number, rid, field in (
            *Disbursement.objects.filter(case_id__in=part).exclude(case_id=F("receipt__case_id"))
            .values_list("case__case_number", "receipt__local_id", "local_id"),
            *Lodgement.objects.filter(case_id__in=part).exclude(case_id=F("receipt__case_id"))
            .values_list("case__case_number", "receipt__local_id", "on"),
        ):  # fmt: skip
            differences.append({"case_number": number, "receipt": rid, "field": "case", "expected": None, "actual": None,
                                "message": f"流水 {field} 记在了到账所属案件之外的案件"})  # fmt: skip
        for o in PaymentOrder.objects.filter(case_id__in=part, status=OrderStatus.EXECUTED).select_related(
            "case", "receipt", "disbursement", "lodgement", "refund__disbursement"
        ):
            entry = o.disbursement or o.lodgement or (o.refund.disbursement if o.refund else None)
            if entry is None or entry.amount != o.amount or entry.receipt_id != o.receipt_id:
                differ(o.case.case_number, o.receipt.local_id, "order", o.amount, entry.amount if entry else ZERO,
                       f"出款审批单 {o.pk} 与其流水不符")  # fmt: skip
        for u in (
            UnidentifiedReceipt.objects.filter(receipt__case_id__in=part)
            .exclude(amount=F("receipt__amount"))
            .select_related("receipt__case")
        ):
            differ(
                u.receipt.case.case_number,
                u.receipt.local_id,
                "amount",
                u.amount,
                u.receipt.amount,
                f"不明款 {u.pk} 认领金额不符",
            )
    rows = []
    for code in sorted(courts):
        t = courts[code]
        diff = t["received"] - t["disbursed"] - t["lodged"] - t["refunded"] - t["balance"]
        rows.append(
            {
                "court": code,
                "name": names.get(code, code),
                **{k: money(t[k]) for k in fields},
                "difference": money(diff),
            }
        )
    total = {k: sum((courts[c][k] for c in courts), ZERO) for k in fields}
    total_diff = (
        total["received"] - total["disbursed"] - total["lodged"] - total["refunded"] - total["balance"]
    )
    return {
        "cases": len(ids),
        "courts": rows,
        "total": {**{k: money(v) for k, v in total.items()}, "difference": money(total_diff)},
        "differences": differences,
    }


_LABELS = {"received": "到账合计", "disbursed": "发放合计", "lodged": "提存合计", "refunded": "退款合计"}
