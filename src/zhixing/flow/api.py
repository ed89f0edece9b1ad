"""The process flow and the supervision around deadlines in the JSON API (mounted at
``/api/flow/``): the work queue, overdue alerts, expiring restraints (DL-20), extension
requests (DL-13), a case's deadline data with the application-period warning (PER-7/8),
and recording, correcting and withdrawing process nodes.

Lookups are scoped (a case or row of a court the user may not see is a 404); changes go
through ``flow.services``, whose errors the API answers in one place (``zhixing.api``): bad
input is a 422 naming the field and the rule, a stale ``version`` a 409, an act the user's role
or court does not allow a 403.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError

from zhixing.cases.access import visible_case
from zhixing.cases.loader import load_record
from zhixing.cases.models import Case, NodeEvent
from zhixing.flow import services
from zhixing.flow.models import ExtensionStatus
from zhixing.lib.masking import audience, mask_data
from zhixing.lib.paging import MAX_PAGE

router = Router(tags=["期限监管"])
PAGE_SIZE = 50


def query_call(fn, *args, **kwargs):
    """As :func:`call`, for reads: bad parameters are named in ``query``."""
    try:
        return fn(*args, **kwargs)
    except services.FlowError as e:
        raise ValidationError(
            [{"loc": ["query", e.field], "msg": e.message, "type": "value_error"}]
        ) from None


def page_of(items: list, page: int) -> list:
    start = (max(page, 1) - 1) * PAGE_SIZE
    return items[start : start + PAGE_SIZE]


# -- the queue ------------------------------------------------------------------------------------


class QueueQuery(Schema):
    as_of: date | None = None
    scope: str = "mine"
    days: int = 7
    court: str = ""
    page: int = Field(1, ge=1, le=MAX_PAGE)


@router.get("/queue", response=dict, summary="待办与超期（本人、本团队或本院的关键节点与执行期限）")
def get_queue(request, q: Query[QueueQuery]):
    """Obligations (K1–K9) not discharged by ``as_of`` (default today) whose last day is
    on or before as_of + ``days``, and statutory deadlines (DL-13) of open cases in that
    range. ``scope``: ``mine`` (cases whose handler is the user), ``team`` (the user's
    执行团队), ``court`` (every court the user may see, or ``court``'s subtree).
    ``status``: overdue (the last day has passed), due_today, due_soon."""
    as_of = q.as_of or services.today()
    items = query_call(
        services.queue, request.user, as_of=as_of, scope=q.scope, days=q.days, court_code=q.court
    )
    return {
        "as_of": as_of.isoformat(),
        "scope": q.scope,
        "days": q.days,
        "count": len(items),
        "overdue": sum(1 for i in items if i.status == "overdue"),
        "items": [i.as_json() for i in page_of(items, q.page)],
    }


# -- alerts ---------------------------------------------------------------------------------------


@router.get("/alerts", response=dict, summary="超期预警（每日扫描生成）")
def list_alerts(
    request, acknowledged: bool | None = None, court: str = "", page: int = Query(1, ge=1, le=MAX_PAGE)
):
    qs = services.alerts_for(request.user)
    if acknowledged is not None:
        qs = qs.filter(acknowledged_at__isnull=not acknowledged)
    if court:
        qs = qs.filter(court__code=court)
    qs = qs.order_by("-due_on", "pk")
    start = (max(page, 1) - 1) * PAGE_SIZE
    return {"count": qs.count(), "items": [services.alert_json(a) for a in qs[start : start + PAGE_SIZE]]}


@router.post("/alerts/{alert_id}/acknowledge", response=dict, summary="确认已阅预警")
def acknowledge_alert(request, alert_id: int):
    alert = get_object_or_404(services.alerts_for(request.user), pk=alert_id)
    return services.alert_json(services.acknowledge(alert, user=request.user))


# -- restraints (DL-20) ---------------------------------------------------------------------------


@router.get("/restraints", response=dict, summary="查封、扣押、冻结即将到期（DL-20，默认提前30日提醒续行）")
def get_restraints(
    request,
    as_of: date | None = None,
    days: int = 30,
    court: str = "",
    include_expired: bool = False,
    page: int = Query(1, ge=1, le=MAX_PAGE),
):
    as_of = as_of or services.today()
    items = query_call(
        services.expiring_restraints,
        request.user,
        as_of=as_of,
        days=days,
        court_code=court,
        include_expired=include_expired,
    )
    return {"as_of": as_of.isoformat(), "days": days, "count": len(items), "items": page_of(items, page)}


# -- a case --------------------------------------------------------------------------------------


@router.get(
    "/cases/{case_number}",
    response=dict,
    summary="案件期限监管数据（执行期限、延长、控制期限、申请执行期间提示）",
)
def get_case(request, case_number: str, as_of: date | None = None):
    """``application_period`` is the PER-7 check: ``late`` with a ``warning`` sentence when
    the application came after the 2-year period — a warning only (``blocking`` is always
    false, PER-8)."""
    case = visible_case(request.user, case_number)
    return services.case_supervision(request.user, case, as_of=as_of)


class EventIn(Schema):
    node: str
    on: str
    data: dict[str, Any] | None = None
    version: int
    reason: str = ""


def event_json(e: NodeEvent, version: int, user, case: Case) -> dict:
    """The row as ``user`` may see it: a supervising court correcting a node of a court
    below gets its ID numbers in the staff form (lib.masking's rule)."""
    return {
        "id": e.pk,
        "node": e.node,
        "on": e.on.isoformat(),
        "data": mask_data(e.data, audience(user, case.court_id)),
        "supersedes": e.supersedes_id,
        "withdrawn": e.withdrawn,
        "reason": e.reason,
        "recorded_at": e.recorded_at.isoformat(),
        "case_version": version,
    }


@router.post("/cases/{case_number}/events", response={201: dict}, summary="登记节点")
def post_event(request, case_number: str, body: EventIn):
    """One process node (spec/case-bundle.md "An event"): ``data`` holds its fields
    (amounts as strings). ``version`` is the case version the form showed."""
    case = visible_case(request.user, case_number)
    event = services.record_event(
        case,
        body.node,
        body.on,
        body.data,
        user=request.user,
        expected_version=body.version,
        reason=body.reason,
        source=NodeEvent.Source.API,
    )
    return Status(201, event_json(event, case.version, request.user, case))


class FlowCorrectionIn(Schema):
    on: str | None = None
    data: dict[str, Any] | None = None
    reason: str
    version: int


class WithdrawalIn(Schema):
    reason: str
    version: int


def _visible_event(user, event_id: int) -> NodeEvent:
    return get_object_or_404(
        NodeEvent.objects.filter(case__in=Case.objects.visible_to(user)).select_related("case"), pk=event_id
    )


@router.post("/events/{event_id}/correction", response={201: dict}, summary="更正节点（新记录取代原记录）")
def post_correction(request, event_id: int, body: FlowCorrectionIn):
    event = _visible_event(request.user, event_id)
    row = services.correct_event(
        event,
        on=body.on,
        data=body.data,
        user=request.user,
        reason=body.reason,
        expected_version=body.version,
    )
    return Status(201, event_json(row, body.version + 1, request.user, event.case))


@router.post("/events/{event_id}/withdrawal", response={201: dict}, summary="撤回节点（保留原记录）")
def post_withdrawal(request, event_id: int, body: WithdrawalIn):
    event = _visible_event(request.user, event_id)
    row = services.withdraw_event(event, user=request.user, reason=body.reason, expected_version=body.version)
    return Status(201, event_json(row, body.version + 1, request.user, event.case))


# -- extension requests (DL-13) -------------------------------------------------------------------


class ExtensionIn(Schema):
    months: int
    reason: str
    version: int | None = None


class FlowDecisionIn(Schema):
    approve: bool
    note: str = ""
    version: int | None = None


@router.get("/extensions", response=dict, summary="延长执行期限申请")
def list_extensions(request, status: str = "pending", page: int = Query(1, ge=1, le=MAX_PAGE)):
    qs = services.extensions_for(request.user)
    if status in ExtensionStatus.values:
        qs = qs.filter(status=status)
    start = (max(page, 1) - 1) * PAGE_SIZE
    return {"count": qs.count(), "items": [services.extension_json(r) for r in qs[start : start + PAGE_SIZE]]}


@router.post(
    "/cases/{case_number}/extensions",
    response={201: dict},
    summary="申请延长执行期限（DL-13：期限届满5日前）",
)
def post_extension(request, case_number: str, body: ExtensionIn):
    case = visible_case(request.user, case_number)
    r = services.request_extension(
        case,
        months=body.months,
        reason=body.reason,
        user=request.user,
        expected_version=body.version,
    )
    out = services.extension_json(r)
    out["warnings"] = services.extension_warnings(load_record(case), r.months)
    return Status(201, out)


@router.post("/extensions/{request_id}/decision", response=dict, summary="审批延长执行期限（院长、副院长）")
def post_decision(request, request_id: int, body: FlowDecisionIn):
    r = get_object_or_404(services.extensions_for(request.user), pk=request_id)
    decided = services.decide_extension(
        r,
        approve=body.approve,
        user=request.user,
        note=body.note,
        version=body.version,
    )
    return services.extension_json(decided)
