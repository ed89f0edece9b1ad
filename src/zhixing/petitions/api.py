"""Petitions in the JSON API (mounted at ``/api/petitions/``).

Every lookup starts from ``Petition.objects.visible_to(user)``: a petition of a court the
user may not see is a 404, as if it did not exist. Changes go through
``petitions.services``; bad input is a 422 naming the field and the rule, a stale
``version`` a 409, and acting on a petition one may see but not handle a 403.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError

from zhixing.cases.casenumber import normalise
from zhixing.cases.choices import PETITION_SOURCES
from zhixing.courts.models import Court, User
from zhixing.lib.paging import MAX_PAGE
from zhixing.petitions import services
from zhixing.petitions.models import Petition

router = Router(tags=["执行信访"])


def petition_json(p: Petition, *, as_of: date | None = None, history: bool = False) -> dict:
    """A petition with its bundle fields, the workflow's fields and its clocks at as-of
    (default today; the shape of ``check petitions --json`` for the clocks)."""
    clock = services.clocks(p, as_of or timezone.localdate())
    out = {
        "id": p.pk,
        "case_number": p.case.case_number if p.case_id else None,
        "local_id": p.local_id,
        "court": p.court.code if p.court_id else None,
        "handled_by": p.handling_court_code,
        "received_on": p.received_on,
        "registered_on": p.registered_on,
        "source": p.source or None,
        "referred_by": p.referred_by or None,
        "about_lower_court": p.about_lower_court,
        "screened_on": p.screened_on,
        "closed_on": p.closed_on,
        "replied": p.replied,
        "petitioner": p.petitioner,
        "content": p.content,
        "handler": (p.handler.display_name or p.handler.username) if p.handler_id else None,
        "reply_content": p.reply_content,
        "referred_from": p.referred_from_id,
        "version": p.version,
        "clocks": clock.to_json() if clock else None,
    }
    if history:
        out["history"] = [
            {"action": e.action, "label": e.get_action_display(), "on": e.on, "by": e.by.username if e.by_id else None,
             "note": e.note, "data": e.data, "at": e.at}
            for e in p.history.select_related("by")
        ]  # fmt: skip
    return out


def visible(user, pk: int) -> Petition:
    return get_object_or_404(
        Petition.objects.visible_to(user).select_related("case__court", "court", "handler"), pk=pk
    )


def unprocessable(field: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["body", field], "msg": message, "type": "value_error"}])


PAGE_SIZE = 50


def search(user, *, status: str = "open", court: str = "", case_number: str = "") -> QuerySet[Petition]:
    """The petitions ``user`` may see, narrowed by status (open / closed / all), by the
    handling court's subtree and by case number; newest first."""
    qs = Petition.objects.visible_to(user).select_related("case__court", "court", "handler")
    if status == "open":
        qs = qs.filter(closed_on__isnull=True)
    elif status == "closed":
        qs = qs.filter(closed_on__isnull=False)
    if court:
        scope = Court.objects.filter(code=court).first()
        codes = list(scope.subtree().values_list("code", flat=True)) if scope else []
        qs = qs.filter(
            Q(handled_by__in=codes)
            | Q(handled_by="", case__court__code__in=codes)
            | Q(handled_by="", case__isnull=True, court__code__in=codes)
        )
    if case_number:
        qs = qs.filter(case__case_number=normalise(case_number))
    return qs.order_by("-received_on", "-pk")


@router.get("", response=dict, summary="信访列表（本院及下级法院范围）")
def list_petitions(
    request,
    status: str = Query("open", description="open（未办结）、closed（已办结）或 all"),
    court: str = Query("", description="办理法院代字（含下级法院）"),
    case_number: str = "",
    page: int = Query(1, ge=1, le=MAX_PAGE),
):
    """``{"items": [...], "count": N}``, 50 a page."""
    if status not in ("open", "closed", "all"):
        raise ValidationError(
            [{"loc": ["query", "status"], "msg": "status 应为 open、closed 或 all", "type": "value_error"}]
        )
    qs = search(request.user, status=status, court=court, case_number=case_number)
    start = (page - 1) * PAGE_SIZE
    return {"items": [petition_json(p) for p in qs[start : start + PAGE_SIZE]], "count": qs.count()}


class IntakeIn(Schema):
    received_on: date
    source: str = Field(description="、".join(PETITION_SOURCES))
    petitioner: str
    content: str
    case_number: str = ""
    referred_by: str = ""
    about_lower_court: bool | None = None


@router.post("", response={201: dict}, summary="接收信访（可暂不关联案件）")
def create_petition(request, body: IntakeIn):
    p = services.intake(request.user, services.Intake(**body.dict()))
    return Status(201, petition_json(visible(request.user, p.pk), history=True))


@router.get("/{int:pk}", response=dict, summary="信访详情（含期限与办理记录）")
def get_petition(request, pk: int, as_of: date | None = None):
    return petition_json(visible(request.user, pk), as_of=as_of, history=True)


def _handler(user, username: str) -> User:
    handler = User.objects.filter(username=username).select_related("court").first()
    if handler is None:
        raise unprocessable("handler", f"没有用户 {username}")
    return handler


class RegisterIn(Schema):
    registered_on: date
    handler: str = Field(description="承办人用户名")
    version: int | None = None


@router.post("/{int:pk}/register", response=dict, summary="登记并确定承办人（PET-1）")
def register(request, pk: int, body: RegisterIn):
    p = visible(request.user, pk)
    services.register(
        request.user,
        p,
        on=body.registered_on,
        handler=_handler(request.user, body.handler),
        version=body.version,
    )
    return petition_json(visible(request.user, pk), history=True)


class PetitionAssignIn(Schema):
    handler: str
    version: int | None = None


@router.post("/{int:pk}/assign", response=dict, summary="确定或更换承办人")
def assign(request, pk: int, body: PetitionAssignIn):
    p = visible(request.user, pk)
    services.assign(request.user, p, handler=_handler(request.user, body.handler), version=body.version)
    return petition_json(visible(request.user, pk), history=True)


class LinkIn(Schema):
    case_number: str
    version: int | None = None


@router.post("/{int:pk}/link", response=dict, summary="关联案件")
def link(request, pk: int, body: LinkIn):
    p = visible(request.user, pk)
    services.link_case(request.user, p, case_number=body.case_number, version=body.version)
    return petition_json(visible(request.user, pk), history=True)


class PetitionScreenIn(Schema):
    screened_on: date
    refer_to: str = Field("", description="交办的下级法院代字（空：本院办理）")
    note: str = ""
    version: int | None = None


@router.post("/{int:pk}/screen", response=dict, summary="上级法院甄别，可交办下级法院（PET-3）")
def screen(request, pk: int, body: PetitionScreenIn):
    p = visible(request.user, pk)
    services.screen(
        request.user,
        p,
        on=body.screened_on,
        refer_to=body.refer_to,
        note=body.note,
        version=body.version,
    )
    return petition_json(visible(request.user, pk), history=True)


class HandleIn(Schema):
    on: date
    note: str
    version: int | None = None


@router.post("/{int:pk}/handle", response=dict, summary="记录办理情况")
def handle(request, pk: int, body: HandleIn):
    p = visible(request.user, pk)
    services.record_handling(request.user, p, on=body.on, note=body.note, version=body.version)
    return petition_json(visible(request.user, pk), history=True)


class ReplyIn(Schema):
    on: date
    content: str
    version: int | None = None


@router.post("/{int:pk}/reply", response=dict, summary="答复信访人（PET-2）")
def reply(request, pk: int, body: ReplyIn):
    p = visible(request.user, pk)
    services.reply(request.user, p, on=body.on, content=body.content, version=body.version)
    return petition_json(visible(request.user, pk), history=True)


class PetitionCloseIn(Schema):
    closed_on: date
    version: int | None = None


@router.post("/{int:pk}/close", response=dict, summary="办结（PET-2：收到后 30 日内）")
def close(request, pk: int, body: PetitionCloseIn):
    p = visible(request.user, pk)
    services.close(request.user, p, on=body.closed_on, version=body.version)
    return petition_json(visible(request.user, pk), history=True)
