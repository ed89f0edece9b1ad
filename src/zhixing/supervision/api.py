"""Supervision in the JSON API (mounted at ``/api/supervision/``): 督办 orders, findings
of the detectors with their review, interference records, and the detector catalog.

Lookups are scoped (a row of a court the user may not see is a 404); changes go through
``supervision.services``: bad input is a 422 naming the field and the rule, a stale
``version`` a 409, an action the user's role or court does not allow a 403.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import ValidationError

from zhixing.courts.models import Court
from zhixing.lib.paging import MAX_PAGE
from zhixing.supervision import detectors as D
from zhixing.supervision import services
from zhixing.supervision.models import Finding, FindingStatus, OrderStatus, SupervisionOrder

router = Router(tags=["督办与监督"])
PAGE_SIZE = 50


def bad_query(field: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["query", field], "msg": message, "type": "value_error"}])


def page_of(qs: QuerySet, page: int, render) -> dict:
    start = (page - 1) * PAGE_SIZE
    return {"items": [render(x) for x in qs[start : start + PAGE_SIZE]], "count": qs.count()}


# -- the detector catalog -----------------------------------------------------------------------


@router.get("/detectors", response=list[dict], summary="检测规则目录（各规则查找什么、依据什么）")
def detectors(request):
    return [
        {"code": d.code, "category": d.category, "category_label": d.category_label, "label": d.label,
         "looks_for": d.looks_for, "cites": list(d.cites), "definition": (d.fn or D.filing_suppression).__doc__}
        for d in D.CATALOG
    ]  # fmt: skip


# -- findings ----------------------------------------------------------------------------------


def finding_detail(f: Finding) -> dict:
    out = services.finding_json(f)
    out["reviews"] = [
        {
            "decision": r.decision,
            "label": r.get_decision_display(),
            "reason": r.reason,
            "by": r.by.username,
            "at": r.at,
        }
        for r in f.reviews.select_related("by")
    ]
    return out


@router.get("/findings", response=dict, summary="监督发现（待核查、已确认、已排除）")
def list_findings(
    request,
    status: str = Query("pending", description="pending、confirmed、dismissed 或 all"),
    category: str = Query("", description="passive、selective、abusive、misreported、suppression"),
    detector: str = "",
    court: str = Query("", description="法院代字（含下级法院）"),
    include_cleared: bool = Query(False, description="包括已不再发现的"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
):
    qs = services.findings_for(request.user)
    if status != "all":
        if status not in FindingStatus.values:
            raise bad_query("status", "status 应为 pending、confirmed、dismissed 或 all")
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if detector:
        qs = qs.filter(detector=detector)
    if court:
        scope = Court.objects.filter(code=court).first()
        qs = qs.filter(court__path__startswith=scope.path) if scope else qs.none()
    if not include_cleared:
        qs = qs.filter(cleared_on__isnull=True)
    return page_of(qs.order_by("-last_seen_on", "court__path", "subject", "pk"), page, services.finding_json)


@router.get("/findings/{int:pk}", response=dict, summary="监督发现详情（含核查记录）")
def get_finding(request, pk: int):
    return finding_detail(get_object_or_404(services.findings_for(request.user), pk=pk))


class SupervisionReviewIn(Schema):
    decision: str
    reason: str = ""
    version: int | None = None


@router.post("/findings/{int:pk}/review", response=dict, summary="核查：确认或排除（排除须说明理由）")
def review_finding(request, pk: int, body: SupervisionReviewIn):
    f = get_object_or_404(services.findings_for(request.user), pk=pk)
    services.review(request.user, f, decision=body.decision, reason=body.reason, version=body.version)
    return finding_detail(get_object_or_404(services.findings_for(request.user), pk=pk))


# -- 督办 ----------------------------------------------------------------------------------------


def order_json(o: SupervisionOrder, *, as_of: date | None = None, history: bool = False) -> dict:
    as_of = as_of or timezone.localdate() - timedelta(days=1)
    out = {
        "id": o.pk,
        "case_number": o.case.case_number,
        "court": o.court.code,
        "issued_by_court": o.issued_by_court.code,
        "issued_by": o.issued_by.username,
        "issued_on": o.issued_on,
        "due_on": o.due_on,
        "required_action": o.required_action,
        "status": o.status,
        "status_label": OrderStatus(o.status).label,
        "reported_on": o.reported_on,
        "closed_on": o.closed_on,
        "overdue": o.is_overdue(as_of),
        "escalated_on": o.escalated_on,
        "version": o.version,
    }
    if history:
        out["history"] = [
            {"action": e.action, "label": e.get_action_display(), "on": e.on, "content": e.content,
             "by": e.by.username if e.by_id else None, "at": e.at}
            for e in o.history.select_related("by")
        ]  # fmt: skip
    return out


@router.get("/orders", response=dict, summary="督办列表（本院督办的和本院被督办的）")
def list_orders(
    request,
    status: str = Query("pending", description="pending（未办结）、open、reported、closed 或 all"),
    overdue: bool = Query(False, description="只看逾期未报告的"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
):
    qs = services.orders_for(request.user)
    if status == "pending":
        qs = qs.pending()
    elif status in OrderStatus.values:
        qs = qs.filter(status=status)
    elif status != "all":
        raise bad_query("status", "status 应为 pending、open、reported、closed 或 all")
    if overdue:
        qs = qs.filter(status=OrderStatus.OPEN, due_on__lt=timezone.localdate())
    return page_of(qs.order_by("due_on", "pk"), page, order_json)


class OrderIn(Schema):
    case_number: str
    due_on: date
    required_action: str


@router.post("/orders", response={201: dict}, summary="督办下级法院案件")
def create_order(request, body: OrderIn):
    o = services.issue_order(request.user, case_number=body.case_number, due_on=body.due_on,
             required_action=body.required_action)  # fmt: skip
    return Status(
        201, order_json(get_object_or_404(services.orders_for(request.user), pk=o.pk), history=True)
    )


@router.get("/orders/{int:pk}", response=dict, summary="督办详情（含办理记录）")
def get_order(request, pk: int):
    return order_json(get_object_or_404(services.orders_for(request.user), pk=pk), history=True)


class ReportIn(Schema):
    content: str
    version: int | None = None


@router.post("/orders/{int:pk}/report", response=dict, summary="被督办法院报告办理情况")
def report_order(request, pk: int, body: ReportIn):
    o = get_object_or_404(services.orders_for(request.user), pk=pk)
    services.report_back(request.user, o, content=body.content, version=body.version)
    return order_json(get_object_or_404(services.orders_for(request.user), pk=pk), history=True)


class AcceptIn(Schema):
    note: str = ""
    version: int | None = None


@router.post("/orders/{int:pk}/accept", response=dict, summary="督办法院审核通过（办结）")
def accept_order(request, pk: int, body: AcceptIn):
    o = get_object_or_404(services.orders_for(request.user), pk=pk)
    services.accept(request.user, o, note=body.note, version=body.version)
    return order_json(get_object_or_404(services.orders_for(request.user), pk=pk), history=True)


class ReturnIn(Schema):
    note: str
    due_on: date | None = None
    version: int | None = None


@router.post("/orders/{int:pk}/return", response=dict, summary="督办法院退回（可重新设定期限）")
def return_order(request, pk: int, body: ReturnIn):
    o = get_object_or_404(services.orders_for(request.user), pk=pk)
    services.return_order(request.user, o, note=body.note, due_on=body.due_on, version=body.version)
    return order_json(get_object_or_404(services.orders_for(request.user), pk=pk), history=True)


# -- interference records ---------------------------------------------------------------------------


def interference_json(r) -> dict:
    return {
        "id": r.pk,
        "case_number": r.case.case_number,
        "court": r.court.code,
        "person": r.person,
        "content": r.content,
        "occurred_on": r.occurred_on,
        "recorded_by": r.recorded_by.username,
        "recorded_at": r.recorded_at,
    }


@router.get("/interference", response=dict, summary="领导干部干预记录（局长及上级法院可见，被记录人不可见）")
def list_interference(request, page: int = Query(1, ge=1, le=MAX_PAGE)):
    return page_of(
        services.interference_visible_to(request.user).order_by("-occurred_on", "-pk"),
        page,
        interference_json,
    )


class InterferenceIn(Schema):
    case_number: str
    person: str
    content: str
    occurred_on: date


@router.post("/interference", response={201: dict}, summary="记录干预（记录不可修改、不可删除）")
def create_interference(request, body: InterferenceIn):
    r = services.record_interference(request.user, case_number=body.case_number, person=body.person,
             content=body.content, occurred_on=body.occurred_on)  # fmt: skip
    return Status(201, interference_json(r))
