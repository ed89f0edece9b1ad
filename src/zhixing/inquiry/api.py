"""Online inquiry and control in the JSON API (mounted at ``/api/inquiry/``).

Every lookup starts from ``visible_to(user)``: a case or request of a court the user may
not see is a 404. Changes go through ``inquiry.services``; bad input is a 422 naming the
field and the rule (QRY-2: only a 被执行人 of the case), acting where one may only look a
403. The callback endpoint is the one exception to session authentication: the external
system signs its body with the court's connector secret (HMAC-SHA256).
"""

from __future__ import annotations

import uuid
from datetime import date

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError, ValidationError

from zhixing.cases.access import visible_case
from zhixing.courts.access import court_scope
from zhixing.courts.models import Court
from zhixing.inquiry import services
from zhixing.inquiry.connectors import ConnectorError
from zhixing.inquiry.models import ALL_CATEGORIES, InquiryRequest, Kind
from zhixing.inquiry.models import Status as RequestStatus
from zhixing.lib.paging import MAX_PAGE

router = Router(tags=["网络查控"])
PAGE_SIZE = 50


def _request(user, request_id: str) -> InquiryRequest:
    try:
        rid = uuid.UUID(request_id)
    except ValueError:
        raise Http404("没有这个请求") from None
    return get_object_or_404(
        InquiryRequest.objects.visible_to(user).select_related("case", "court", "party"), request_id=rid
    )


class RequestIn(Schema):
    case_number: str
    party: str = Field(description="当事人编号（本案被执行人，QRY-2）")
    kind: str = Field(
        Kind.INQUIRY, description="inquiry 查询、freeze 冻结、renew 续冻、release 解除冻结、deduct 扣划"
    )
    categories: list[str] = Field(list(ALL_CATEGORIES), description="、".join(ALL_CATEGORIES))
    system: str = "总对总"
    asset: str = ""
    amount: str | None = Field(None, description="冻结或扣划金额（元，字符串）")
    expires_on: date | None = None


@router.post("/requests", response={201: dict}, summary="发起网络查询或控制（冻结、续冻、解冻、扣划）")
def create_request(request, body: RequestIn):
    case = visible_case(request.user, body.case_number)
    req = services.request_inquiry(request.user, case, party=body.party, kind=body.kind,
                                   categories=body.categories, system=body.system, asset=body.asset,
                                   amount=body.amount, expires_on=body.expires_on)  # fmt: skip
    return Status(201, services.request_json(_request(request.user, str(req.request_id)), results=True))


@router.get("/requests", response=dict, summary="网络查控请求列表")
def list_requests(
    request,
    case_number: str = "",
    status: str = Query("", description="queued、sent、partial、done、failed、stuck；空为全部"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
):
    qs = InquiryRequest.objects.visible_to(request.user).select_related("case", "court", "party")
    if case_number:
        qs = qs.filter(case=visible_case(request.user, case_number))
    if status:
        if status not in RequestStatus.values:
            raise ValidationError(
                [
                    {
                        "loc": ["query", "status"],
                        "msg": f"status 应为 {'、'.join(RequestStatus.values)} 之一",
                        "type": "value_error",
                    }
                ]
            )
        qs = qs.filter(status=status)
    start = (page - 1) * PAGE_SIZE
    return {"items": [services.request_json(r) for r in qs[start : start + PAGE_SIZE]], "count": qs.count()}


@router.get("/requests/{request_id}", response=dict, summary="一个请求及其各类别反馈")
def get_request(request, request_id: str):
    return services.request_json(_request(request.user, request_id), results=True)


@router.post("/requests/{request_id}/retry", response=dict, summary="重新发送滞留的请求")
def retry_request(request, request_id: str):
    req = services.retry(request.user, _request(request.user, request_id))
    return services.request_json(req, results=True)


@router.get("/coverage/case/{case_number}", response=dict, summary="本案网络查询覆盖情况与查封冻结期限")
def case_coverage(request, case_number: str, as_of: date | None = None):
    case = visible_case(request.user, case_number)
    return services.case_coverage(case, as_of or timezone.localdate())


@router.get("/coverage", response=dict, summary="各法院网络查询覆盖情况（TERM-4 四类财产）")
def court_coverage(request, court: str = "", as_of: date | None = None):
    scope, _visible = court_scope(request.user, court)
    if scope is None:
        courts = Court.objects.all()
    else:
        courts = (
            scope.subtree()
            if (request.user.supervises or request.user.is_superuser)
            else Court.objects.filter(pk=scope.pk)
        )
    as_of = as_of or timezone.localdate()
    return {"as_of": as_of.isoformat(), "courts": services.court_coverage(courts, as_of), "rule": "TERM-4"}


#: The one answer to every refused callback.
CALLBACK_REFUSED = "回调未被接受：签名无效"


@router.post("/callback/{court_code}", auth=None, response=dict, summary="查控结果回调（对方以 HMAC 签名）")
def callback(request: HttpRequest, court_code: str):
    """A caller without the court's secret gets one answer (``CALLBACK_REFUSED``) whether
    the court does not exist, has no connector or no callback secret, or the signature is
    wrong: the endpoint must not tell strangers which courts exist or how they are set up.
    Only a signed body that is malformed gets its own 400."""
    court = Court.objects.filter(code=court_code).first()
    try:
        if court is None:
            raise ConnectorError(CALLBACK_REFUSED, retryable=False)
        new = services.receive_callback(court, request.body, request.headers.get("X-Signature", ""))
    except ConnectorError as e:
        if e.retryable:
            raise HttpError(400, str(e)) from None
        raise HttpError(403, CALLBACK_REFUSED) from None
    return {"accepted": True, "new_results": new}
