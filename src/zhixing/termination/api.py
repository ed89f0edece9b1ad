"""终本 management in the JSON API (mounted at ``/api/termination/``).

Every case is looked up through ``visible_to`` (``cases.access.visible_case``): a case of a
court the user may not see is a 404. Writes take the ``version`` the client last read;
a stale one is a 409. Bad input is a 422 whose ``detail`` names the field and the rule
(``loc``: ``["body", field]``), and nothing is saved; an act the user's role does not allow
(closing over failed checks without being the bureau chief) is a 403. Amounts are strings
(a JSON number for an amount is a 422).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.security import django_auth

from zhixing.cases.access import visible_case
from zhixing.cases.models import Case
from zhixing.courts.models import Court
from zhixing.termination import documents, services, views_data
from zhixing.termination.models import Interview, ReviewCampaign, Ruling

router = Router(tags=["终本管理"], auth=django_auth)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


class Versioned(Schema):
    version: int = Field(..., description="客户端读取时的案件版本号（乐观并发）")


# -- reading -----------------------------------------------------------------------------------


@router.get(
    "/cases/{case_number}",
    response=dict,
    summary="终本管理概况：检查结论、结案记录、约谈、裁定、后续义务、延续措施、恢复执行",
)
def case_overview(request, case_number: str, as_of: date | None = None):
    case = visible_case(request.user, case_number)
    return views_data.overview(request.user, case, as_of)


@router.get("/cases/{case_number}/gate", response=dict, summary="结案前检查（按结案日运行 T1–T14，不保存）")
def gate(request, case_number: str, closed_on: date):
    case = visible_case(request.user, case_number)
    return services.preview_closing(case, closed_on).to_json()


# -- the closing -----------------------------------------------------------------------------------


class TerminationCloseIn(Versioned):
    closed_on: date
    override_reason: str = Field("", description="检查未通过时执行局长批准结案的理由")


@router.post("/cases/{case_number}/close", response={201: dict}, summary="以终结本次执行程序方式结案")
def close(request, case_number: str, payload: TerminationCloseIn):
    case = visible_case(request.user, case_number)
    closing = services.close_by_termination(case.pk, user=request.user, expected_version=payload.version,
        closed_on=payload.closed_on, override_reason=payload.override_reason, source="api",
    )  # fmt: skip
    return Status(201, views_data.closing_json(closing))


# -- interview and ruling ----------------------------------------------------------------------------


class InterviewIn(Versioned):
    on: date
    applicant: str = Field(..., description="申请执行人的当事人编号，如 p1")
    attendee: str
    interviewers: str
    recorder: str = ""
    place: str
    told_progress: bool = False
    told_measures: bool = False
    told_property: bool = False
    told_basis: bool = False
    opinion: str = Field(..., description="同意 或 不同意")
    statement: str = ""


@router.post("/cases/{case_number}/interviews", response={201: dict}, summary="约谈申请执行人（TERM-8）")
def add_interview(request, case_number: str, payload: InterviewIn):
    case = visible_case(request.user, case_number)
    told = {k: getattr(payload, k) for k in ("told_progress", "told_measures", "told_property", "told_basis")}
    interview = services.record_interview(case.pk, user=request.user, expected_version=payload.version, on=payload.on,
        applicant=payload.applicant, attendee=payload.attendee, interviewers=payload.interviewers,
        recorder=payload.recorder, place=payload.place, told=told, opinion=payload.opinion,
        statement=payload.statement, source="api",
    )  # fmt: skip
    return Status(201, views_data.interview_json(interview))


@router.get("/cases/{case_number}/interviews/{interview_id}.docx", summary="约谈笔录（Word）")
def interview_docx(request, case_number: str, interview_id: int):
    case = visible_case(request.user, case_number)
    interview = get_object_or_404(Interview.objects.select_related("case__court"), pk=interview_id, case=case)
    return _docx(
        documents.interview_document(interview, viewer=request.user),
        f"{case.case_number}约谈笔录{interview.interviewed_on}.docx",
    )


class RulingIn(Versioned):
    on: date
    approval: str = Field(..., description="consent（申请执行人同意）或 panel（合议庭评议并报院长批准）")
    presiding: str
    judges: str = ""
    clerk: str
    collegial_on: date | None = None
    president_on: date | None = None
    process_note: str = ""
    property_note: str = ""


@router.post(
    "/cases/{case_number}/rulings", response={201: dict}, summary="终结本次执行程序裁定（TERM-9、TERM-10）"
)
def add_ruling(request, case_number: str, payload: RulingIn):
    case = visible_case(request.user, case_number)
    ruling = services.record_ruling(case.pk, user=request.user, expected_version=payload.version, on=payload.on,
        approval=payload.approval, presiding=payload.presiding, judges=payload.judges, clerk=payload.clerk,
        collegial_on=payload.collegial_on, president_on=payload.president_on, process_note=payload.process_note,
        property_note=payload.property_note, source="api",
    )  # fmt: skip
    return Status(201, views_data.ruling_json(ruling))


@router.get("/cases/{case_number}/rulings/{ruling_id}.docx", summary="终本裁定书（Word）")
def ruling_docx(request, case_number: str, ruling_id: int):
    case = visible_case(request.user, case_number)
    ruling = get_object_or_404(Ruling.objects.select_related("case__court"), pk=ruling_id, case=case)
    return _docx(documents.ruling_document(ruling, viewer=request.user), f"{case.case_number}执行裁定书.docx")


class DayIn(Versioned):
    on: date


class HiddenIn(DayIn):
    note: str = ""


def _event(fn, request, case_number: str, **kwargs) -> Status:
    case = visible_case(request.user, case_number)
    event = fn(case.pk, user=request.user, source="api", **kwargs)
    return Status(
        201, {"node": event.node, "on": event.on.isoformat(), "version": Case.objects.get(pk=case.pk).version}
    )


@router.post("/cases/{case_number}/service", response={201: dict}, summary="终本裁定送达申请执行人")
def served(request, case_number: str, payload: DayIn):
    return _event(
        services.record_service, request, case_number, expected_version=payload.version, on=payload.on
    )


# -- after closing -------------------------------------------------------------------------------------


@router.post("/cases/{case_number}/registry-entry", response={201: dict}, summary="录入终本案件库（TERM-11）")
def registry_entry(request, case_number: str, payload: DayIn):
    return _event(
        services.record_registry_entry, request, case_number, expected_version=payload.version, on=payload.on
    )


@router.post(
    "/cases/{case_number}/registry-hidden", response={201: dict}, summary="屏蔽终本案件库信息（TERM-15）"
)
def registry_hidden(request, case_number: str, payload: HiddenIn):
    return _event(
        services.record_registry_hidden,
        request,
        case_number,
        expected_version=payload.version,
        on=payload.on,
        note=payload.note,
    )


class GroundIn(Versioned):
    arose_on: date
    ground: str = Field(..., description="performed（义务已全部履行）、terminated（裁定终结执行）或 other")
    note: str = ""


@router.post(
    "/cases/{case_number}/hiding-grounds", response={201: dict}, summary="登记屏蔽事由（TERM-15：3日内屏蔽）"
)
def hiding_ground(request, case_number: str, payload: GroundIn):
    case = visible_case(request.user, case_number)
    row = services.record_hiding_ground(case.pk, user=request.user, expected_version=payload.version,
        arose_on=payload.arose_on, ground=payload.ground, note=payload.note,
    )  # fmt: skip
    return Status(201, {"arose_on": row.arose_on.isoformat(), "ground": row.get_ground_display()})


class FoundIn(Schema):
    asset: str
    category: str
    value: str = Field(..., description='金额，字符串，如 "523.00"')


class InquiryIn(Versioned):
    on: date
    system: str = "总对总"
    categories: list[str]
    found: list[FoundIn] = []
    party: str | None = None


@router.post(
    "/cases/{case_number}/inquiries",
    response={201: dict},
    summary="终本后定期网络查询（TERM-12），结果自动告知申请执行人",
)
def inquiry(request, case_number: str, payload: InquiryIn):
    return _event(
        services.record_post_closing_inquiry, request, case_number, expected_version=payload.version, on=payload.on,
        system=payload.system, categories=payload.categories, found=[f.dict() for f in payload.found], party=payload.party,
    )  # fmt: skip


@router.get("/reminders", response=list[dict], summary="终本后续义务提醒（本院及下级法院）")
def reminders(request, as_of: date | None = None, court: str = ""):
    return views_data.reminder_rows(request.user, as_of, court)


# -- resumption ----------------------------------------------------------------------------------------


class ResumeIn(Versioned):
    filed_on: date
    reason: str
    handler: str = ""


@router.post(
    "/cases/{case_number}/resume", response={201: dict}, summary="恢复执行：新立执恢案件（CASENO-7）"
)
def resume(request, case_number: str, payload: ResumeIn):
    case = visible_case(request.user, case_number)
    link = services.resume(case.pk, user=request.user, expected_version=payload.version, filed_on=payload.filed_on,
        reason=payload.reason, handler=payload.handler, source="api",
    )  # fmt: skip
    return Status(201, views_data.resumption_json(link))


# -- cross-review --------------------------------------------------------------------------------------


class CampaignIn(Schema):
    key: str
    court: str = Field("", description="组织法院代字，默认本院")
    period_start: date
    period_end: date
    per_court: int
    as_of: date | None = None


@router.post("/reviews", response={201: dict}, summary="交叉互评：抽取样本并分配评查法院")
def create_review(request, payload: CampaignIn):
    court = request.user.court if not payload.court else Court.objects.filter(code=payload.court).first()
    if court is None:
        raise ValidationError([{"loc": ["body", "court"], "msg": "没有这个法院", "type": "value_error"}])
    campaign = services.create_campaign(user=request.user, key=payload.key, court=court, period_start=payload.period_start,
        period_end=payload.period_end, per_court=payload.per_court, as_of=payload.as_of,
    )  # fmt: skip
    return Status(201, views_data.campaign_json(campaign, request.user))


def _campaign(request, key: str) -> ReviewCampaign:
    campaign = ReviewCampaign.objects.filter(key=key).select_related("court").first()
    if campaign is None or not views_data.may_see_campaign(request.user, campaign):
        raise HttpError(404, "没有这个评查批次")
    return campaign


@router.get("/reviews/{key}", response=dict, summary="评查批次及我可以看到的抽查案件")
def review(request, key: str):
    return views_data.campaign_json(_campaign(request, key), request.user)


@router.get(
    "/reviews/{key}/items/{item_id}",
    response=dict,
    summary="一件抽查案件（当事人信息脱敏；评查人看不到自动检查结论）",
)
def review_item(request, key: str, item_id: int):
    campaign = _campaign(request, key)
    item = views_data.visible_item(request.user, campaign, item_id)
    return views_data.item_json(item, request.user, with_case=True)


class FindingIn(Schema):
    passes: bool
    note: str = ""


class TerminationReviewIn(Schema):
    findings: dict[str, FindingIn]
    comment: str = ""


@router.post("/reviews/{key}/items/{item_id}", response={201: dict}, summary="登记评查意见（逐项 T1–T14）")
def review_record(request, key: str, item_id: int, payload: TerminationReviewIn):
    campaign = _campaign(request, key)
    item = views_data.visible_item(request.user, campaign, item_id)
    findings = {c: (f.passes, f.note) for c, f in payload.findings.items()}
    item = services.record_review(item.pk, user=request.user, findings=findings, comment=payload.comment)
    return Status(201, views_data.item_json(item, request.user))


@router.get("/reviews/{key}/report", response=dict, summary="评查报告：评查意见与自动检查的一致率及分歧清单")
def review_report(request, key: str) -> dict[str, Any]:
    campaign = _campaign(request, key)
    if not views_data.organises(request.user, campaign):
        raise HttpError(403, "只有组织法院可以查看评查报告")
    return views_data.report(campaign)
