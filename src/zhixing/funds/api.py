"""Case funds in the JSON API (mounted at ``/api/funds/``).

Reads: the §9 clocks exactly as ``zhixing check funds --json`` (spec/cli.md), unpaid
money by age per court/team/officer, unidentified money by age, a case's account,
reconciliation, pending approvals. Writes: receipts, unidentified money and its
assignment, payment requests (disbursement, lodgement, refund) and their approval,
deferrals. Every lookup is narrowed with ``visible_to(request.user)``: a case or court
the user may not see is a 404. Amounts travel as strings (``"80000.00"``): a JSON number
is a 422, as is every refused action, whose body names the field and the rule:
``{"detail": [{"loc": ["body", "amount"], "msg": "…", "type": "fund_error", "rule": "FUND-1"}]}``
(403 for another court's money or an approval above the user's level, 409 for an
idempotency key reused for something else). A write repeated with the same
``idempotency_key`` answers 200 with the first result and ``"replayed": true``; a new one
answers 201.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.http import Http404, JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema

from zhixing.cases.access import visible_case
from zhixing.cases.models import Case
from zhixing.courts.access import court_scope
from zhixing.funds import services
from zhixing.funds.ledger import money
from zhixing.funds.models import (
    Deferral,
    OrderKind,
    PaymentOrder,
    Receipt,
    ReceiptKind,
    Source,
    UnidentifiedReceipt,
)

router = Router(tags=["案款"])


def _created(body: dict, replayed: bool) -> JsonResponse:
    return JsonResponse({**body, "replayed": replayed}, status=200 if replayed else 201,
                        json_dumps_params={"ensure_ascii": False})  # fmt: skip


def _cases(user, court: str) -> QuerySet[Case]:
    """The cases of ``court``'s subtree (default: every court the user may see); a court
    the user may not see is a 404."""
    scope, _ = court_scope(user, court)
    qs = Case.objects.visible_to(user)
    return qs.in_subtree(scope) if court and scope is not None else qs


def _as_of(value: date | None) -> date:
    return value or timezone.localdate()


def order_json(o: PaymentOrder) -> dict:
    entry = None
    if o.disbursement_id:
        entry = {"kind": "disbursement", "id": o.disbursement.local_id, "on": o.disbursement.on.isoformat()}
    elif o.refund_id:
        entry = {
            "kind": "refund",
            "id": o.refund.disbursement.local_id,
            "on": o.refund.disbursement.on.isoformat(),
        }
    elif o.lodgement_id:
        entry = {"kind": "lodgement", "id": o.lodgement.pk, "on": o.lodgement.on.isoformat()}
    return {
        "order": o.pk,
        "case_number": o.case.case_number,
        "receipt": o.receipt.local_id,
        "kind": o.kind,
        "status": o.status,
        "amount": money(o.amount),
        "payee": o.payee or None,
        "payee_name": o.payee_name or None,
        "ground": o.ground or None,
        "required_role": o.required_role,
        "requested_by": o.requested_by.username,
        "requested_at": o.requested_at.isoformat(),
        "decided_by": o.decided_by.username if o.decided_by else None,
        "decided_at": o.decided_at.isoformat() if o.decided_at else None,
        "decision_note": o.decision_note or None,
        "entry": entry,
    }


def receipt_json(r: Receipt) -> dict:
    return {"case_number": r.case.case_number, "receipt": r.local_id, "notice_on": r.notice_on.isoformat(),
            "amount": money(r.amount), "payer": r.payer or None}  # fmt: skip


def deferral_json(d: Deferral) -> dict:
    return {
        "deferral": d.pk, "case_number": d.case.case_number, "receipt": d.receipt.local_id,
        "approved_on": d.approved_on.isoformat(), "ground": d.ground, "detail": d.detail or None,
        "ends_on": d.ends_on.isoformat() if d.ends_on else None,
        "approved_by": d.approved_by.username if d.approved_by else None,
        "approved_at": d.approved_at.isoformat() if d.approved_at else None,
    }  # fmt: skip


def unidentified_json(u: UnidentifiedReceipt) -> dict:
    return {
        "id": u.pk, "court": u.court.code, "arrived_on": u.arrived_on.isoformat(), "amount": money(u.amount),
        "payer": u.payer or None, "reference": u.reference or None,
        "case_number": u.receipt.case.case_number if u.receipt_id else None,
        "receipt": u.receipt.local_id if u.receipt_id else None,
        "assigned_on": u.assigned_on.isoformat() if u.assigned_on else None,
    }  # fmt: skip


# -- reads -----------------------------------------------------------------------------------


@router.get("/clocks", response=list[dict], summary="案款发放时钟（同 zhixing check funds --json）")
def clocks(request, as_of: date | None = None, court: str = "", status: str = ""):
    """indicators.md §9 for every receipt noticed on or before ``as_of`` (default today)
    of the cases in scope; ``status`` keeps one status (e.g. ``overdue``)."""
    rows = services.clock_rows(_cases(request.user, court), _as_of(as_of))
    return [r for r in rows if r["status"] == status] if status else rows


@router.get("/buckets", response=dict, summary="未发放案款账龄（按法院、团队或承办人）")
def unpaid(request, as_of: date | None = None, court: str = "", by: str = "court"):
    """Unpaid money by days since the finance notice (≤5, 6–10, 11–15, 16–30, >30), with
    its overdue and deferred part; ``by`` = ``court``, ``team`` or ``handler``."""
    return services.unpaid_buckets(_cases(request.user, court), _as_of(as_of), by)


@router.get("/unidentified/ages", response=dict, summary="不明款账龄（按法院）")
def unidentified_ages(request, as_of: date | None = None, court: str = ""):
    scope, _ = court_scope(request.user, court)
    qs = UnidentifiedReceipt.objects.visible_to(request.user)
    if court and scope is not None:
        qs = qs.in_subtree(scope)
    return services.unidentified_report(qs, _as_of(as_of))


@router.get("/reconciliation", response=dict, summary="案款对账：到账 = 发放 + 提存 + 退款 + 余额")
def reconciliation(request, court: str = ""):
    return services.reconcile(_cases(request.user, court))


@router.get("/cases/{case_number}", response=dict, summary="案件的案款账户、各笔到账及其发放时钟")
def account(request, case_number: str, as_of: date | None = None):
    case = visible_case(request.user, case_number)
    summary = services.account_summary(case, as_of)
    summary["as_of"] = summary["as_of"].isoformat()
    for r in summary["receipts"]:
        r["notice_on"] = r["notice_on"].isoformat()
    summary["orders"] = [
        order_json(o)
        for o in PaymentOrder.objects.filter(case=case)
        .select_related(
            "case",
            "receipt",
            "requested_by",
            "decided_by",
            "disbursement",
            "lodgement",
            "refund__disbursement",
        )
        .order_by("pk")
    ]
    summary["deferrals"] = [
        deferral_json(d)
        for d in Deferral.objects.filter(case=case)
        .select_related("case", "receipt", "approved_by")
        .order_by("pk")
    ]
    return summary


@router.get("/orders", response=list[dict], summary="待审批的出款申请")
def orders(request):
    return [{**order_json(o), "can_approve": can} for o, can in services.pending_orders(request.user)]


@router.get("/unidentified", response=list[dict], summary="不明款（未认领在前）")
def unidentified_list(request, open: bool = True):
    qs = UnidentifiedReceipt.objects.visible_to(request.user).select_related("court", "receipt__case")
    if open:
        qs = qs.filter(receipt__isnull=True)
    return [unidentified_json(u) for u in qs.order_by("arrived_on", "pk")]


# -- writes ----------------------------------------------------------------------------------

AMOUNT = Field(
    ...,
    description='金额（元），字符串，最多两位小数，如 "80000.00"；不接受 JSON 数字',
    examples=["80000.00"],
)
KEY = Field(..., min_length=8, max_length=64, description="幂等键（如 UUID）：重试同一请求时保持不变")


class ReceiptIn(Schema):
    amount: str = AMOUNT
    notice_on: date = Field(..., description="承办人收到财务部门到账通知的日期（30 日发放期限自次日起算）")
    payer: str = ""
    idempotency_key: str = KEY
    kind: str = Field(
        ReceiptKind.EXECUTION,
        description="款项性质：execution（执行款，计入执行到位）、relief（司法救助金）或 fees（案件受理费、执行费）",
    )


@router.post("/cases/{case_number}/receipts", response={200: dict, 201: dict}, summary="登记到账")
def add_receipt(request, case_number: str, body: ReceiptIn):
    case = visible_case(request.user, case_number)
    done = services.record_receipt(request.user, case, amount=body.amount, notice_on=body.notice_on, payer=body.payer,
                                   idempotency_key=body.idempotency_key, source=Source.API,
                                   kind=body.kind)  # fmt: skip
    return _created(receipt_json(done.value), done.replayed)


class DirectPaymentIn(Schema):
    amount: str = AMOUNT
    paid_on: date = Field(..., description="被执行人直接向申请执行人交付的日期")
    note: str = Field("", description="如：申请执行人确认收到")
    idempotency_key: str = KEY


@router.post("/cases/{case_number}/direct-payments", response={200: dict, 201: dict}, summary="登记直接交付")
def add_direct_payment(request, case_number: str, body: DirectPaymentIn):
    """被执行人直接向申请执行人交付 (FUND-7): counted in the case's 执行到位; nothing passes
    through the case account."""
    case = visible_case(request.user, case_number)
    done = services.record_direct_payment(request.user, case, amount=body.amount, paid_on=body.paid_on,
                                          note=body.note, idempotency_key=body.idempotency_key)  # fmt: skip
    entry = done.value
    out = {"case_number": case.case_number, "amount": money(entry.amount), "paid_on": entry.detail["paid_on"],
            "recovered_amount": money(Case.objects.get(pk=case.pk).recovered_amount)}  # fmt: skip
    return _created(out, done.replayed)


class PaymentIn(Schema):
    kind: str = Field(
        OrderKind.DISBURSEMENT, description="disbursement（发放）、lodgement（提存）或 refund（退款）"
    )
    receipt: str = Field(..., description="到账编号，如 r1")
    amount: str | None = Field(
        None, description="金额（元），字符串；提存不填（提存全部余额）", examples=["80000.00"]
    )
    payee: str = Field("", description="发放：收款当事人编号，如 p1")
    payee_name: str = Field("", description="退款：退款对象，默认交款人")
    ground: str = Field("", description="提存：法定事由；退款：理由")
    evidence: str = Field("", description="提存：证据材料说明")
    idempotency_key: str = KEY


@router.post(
    "/cases/{case_number}/payments",
    response={200: dict, 201: dict},
    summary="申请发放、提存或退款（按金额审批）",
)
def add_payment(request, case_number: str, body: PaymentIn):
    """Executed at once when the requester may approve the amount, else pending."""
    case = visible_case(request.user, case_number)
    done = services.request_payment(
        request.user, case, kind=body.kind, receipt=body.receipt, amount=body.amount, payee=body.payee,
        payee_name=body.payee_name, ground=body.ground, evidence=body.evidence,
        idempotency_key=body.idempotency_key, source=Source.API,
    )  # fmt: skip
    return _created(order_json(done.value), done.replayed)


class FundsDecisionIn(Schema):
    note: str = ""


@router.post("/orders/{order_id}/approve", response=dict, summary="批准并执行出款")
def approve(request, order_id: int, body: FundsDecisionIn):
    done = services.approve_payment(request.user, order_id, note=body.note)
    return {**order_json(done.value), "replayed": done.replayed}


class RejectIn(Schema):
    reason: str


@router.post("/orders/{order_id}/reject", response=dict, summary="驳回出款申请")
def reject(request, order_id: int, body: RejectIn):
    done = services.reject_payment(request.user, order_id, reason=body.reason)
    return {**order_json(done.value), "replayed": done.replayed}


class DeferralIn(Schema):
    receipt: str
    ground: str = Field(..., description="延缓发放的法定事由之一（FUND-2）")
    detail: str = ""
    ends_on: date | None = None


@router.post(
    "/cases/{case_number}/deferrals", response={201: dict}, summary="批准延缓发放（执行局局长或院领导）"
)
def add_deferral(request, case_number: str, body: DeferralIn):
    case = visible_case(request.user, case_number)
    done = services.approve_deferral(request.user, case, receipt=body.receipt, ground=body.ground,
                                     detail=body.detail, ends_on=body.ends_on, source=Source.API)  # fmt: skip
    return _created(deferral_json(done.value), done.replayed)


class DeferralEndIn(Schema):
    ends_on: date


@router.post("/deferrals/{deferral_id}/end", response=dict, summary="登记延缓事由消除日期")
def end_deferral(request, deferral_id: int, body: DeferralEndIn):
    done = services.end_deferral(request.user, deferral_id, ends_on=body.ends_on)
    return {**deferral_json(done.value), "replayed": done.replayed}


class UnidentifiedIn(Schema):
    amount: str = AMOUNT
    arrived_on: date
    payer: str = ""
    reference: str = ""
    idempotency_key: str = KEY


@router.post("/unidentified", response={200: dict, 201: dict}, summary="登记不明款（本院）")
def add_unidentified(request, body: UnidentifiedIn):
    done = services.record_unidentified(request.user, amount=body.amount, arrived_on=body.arrived_on,
                                        payer=body.payer, reference=body.reference,
                                        idempotency_key=body.idempotency_key)  # fmt: skip
    return _created(unidentified_json(done.value), done.replayed)


class FundsAssignIn(Schema):
    case_number: str
    notice_on: date | None = None


@router.post("/unidentified/{item_id}/assign", response={200: dict, 201: dict}, summary="不明款认领到案件")
def assign(request, item_id: int, body: FundsAssignIn):
    try:
        case = visible_case(request.user, body.case_number)
    except Http404:
        raise services.NotFound("case_number", "没有这个案件") from None
    done = services.assign_unidentified(request.user, item_id, case, notice_on=body.notice_on)
    return _created(receipt_json(done.value), done.replayed)
