"""Money out: the approval thresholds, a request to disburse, lodge (FUND-3) or refund,
its approval, execution or rejection (FUND-1 专款专付)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zhixing.cases.models import Case, Party
from zhixing.courts.models import Court, Role
from zhixing.funds import approvals, rules
from zhixing.funds.ledger import money
from zhixing.funds.models import (
    ApprovalThreshold,
    CaseAccount,
    Disbursement,
    Lodgement,
    LodgementGround,
    OrderKind,
    OrderStatus,
    PaymentOrder,
    Receipt,
    Refund,
    Source,
)
from zhixing.funds.services.common import (
    _account,
    _amount,
    _key,
    _lock_case,
    _lock_receipt,
    _log,
    _next_local_id,
    _refresh,
    _set_recovered,
    _today,
    _writer,
)
from zhixing.funds.services.errors import Conflict, Done, Forbidden, FundError, NotFound


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
