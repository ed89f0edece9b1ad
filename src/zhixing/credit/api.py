"""The credit JSON API.

``router`` (mounted at ``/api/credit/``): officers' decisions on a case — 纳入, 删除, 撤销,
更正 a listing; issue, amend and lift a consumption restriction — and the list, the due
deletions and (for administrators) the agencies' audit trail. Session-authenticated,
scoped with ``visible_to``; a decision can be made only by the case's own court.

``screening_router`` (mounted at ``/api/``): the 协助单位 screening API, authenticated
by ``X-API-Key`` with per-key scopes, rate-limited per key, every call audited:
``POST /api/screen``, ``POST /api/screen/batch``, ``GET /api/list/changes``,
``GET /api/list/snapshot`` and ``GET /api/screen/audit`` (the calling agency's own trail).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError, ValidationError
from ninja.security import APIKeyHeader, django_auth
from pydantic import WithJsonSchema

from zhixing.cases.access import visible_case
from zhixing.cases.casenumber import normalise
from zhixing.cases.models import Case
from zhixing.courts.models import Role
from zhixing.credit import screening, services
from zhixing.credit.models import (
    CreditDecision,
    DeletionGround,
    LiftingGround,
    ListEntry,
    RestrictedRole,
    Scope,
    ScreeningAudit,
)
from zhixing.lib.masking import audience, mask_data, shown_id
from zhixing.lib.paging import MAX_OFFSET

# -- shared --------------------------------------------------------------------------------------


def _error(field: str, message: str, where: str = "body") -> ValidationError:
    return ValidationError([{"loc": [where, field], "msg": message, "type": "value_error"}])


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _viewer(context) -> object:
    """The user a response is serialised for (lib.masking decides what they see)."""
    request = (context or {}).get("request")
    return getattr(request, "user", None)


# -- officers ------------------------------------------------------------------------------------

router = Router(tags=["失信与限制消费"], auth=django_auth)


class DocumentIn(Schema):
    decided_on: date = Field(description="决定日期（不得晚于今天）")
    document_number: str = Field(description="决定书文号，如（2024）豫0823执88号之一")
    signer: str = Field(description="签发人（院长）")
    reason: str = Field("", description="理由")
    version: int | None = Field(None, description="案件版本号（读取时的 version）；不一致时返回 409")

    def document(self) -> services.Document:
        return services.Document(self.decided_on, self.document_number, self.signer, self.reason)


class ListingIn(DocumentIn):
    party: str = Field(description="被执行人的当事人编号，如 p2")
    grounds: list[Literal["G1", "G2", "G3", "G4", "G5", "G6"]] = Field(description="失信情形（CREDIT-1）")
    term_years: int | None = Field(
        None, description="期限（年）：仅G1时为空；其他情形2年，或3–5年（CREDIT-5）"
    )
    restrict: bool = Field(False, description="尚未限制消费的，同时发布限制消费令（CONS-2）")
    on_applicant_request: bool = Field(False, description="依申请执行人申请纳入")
    requested_on: date | None = Field(None, description="收到申请日期")


class DeletionIn(DocumentIn):
    ground: DeletionGround = Field(description="删除事由（CREDIT-8/9）")


class CreditCorrectionIn(DocumentIn):
    fields: dict[str, str] = Field(
        description="更正的公布信息：name、id_number、credit_code、legal_representative、conduct"
    )


class PersonIn(Schema):
    role: RestrictedRole
    name: str
    id_number: str = ""


class RestrictionIn(DocumentIn):
    party: str
    persons: list[PersonIn] | None = Field(
        None,
        description="单位被执行人的法定代表人、主要负责人、影响债务履行的直接责任人员、实际控制人（CONS-4）",
    )


class LiftingIn(DocumentIn):
    ground: LiftingGround = Field(description="解除事由（CONS-7）")


class DecisionOut(Schema):
    id: int
    action: str
    party: str
    listing: str
    decided_on: date
    document_number: str
    signer: str
    grounds: list[str]
    term_years: int | None
    ground: str
    persons: list[dict]
    fields: dict
    reason: str
    version: int

    @staticmethod
    def resolve_version(d: CreditDecision) -> int:
        return Case.objects.filter(pk=d.case_id).values_list("version", flat=True).first()

    @staticmethod
    def resolve_persons(d: CreditDecision, context) -> list[dict]:
        return mask_data(d.persons, audience(_viewer(context), d.court_id))

    @staticmethod
    def resolve_fields(d: CreditDecision, context) -> dict:
        return mask_data(d.fields, audience(_viewer(context), d.court_id))


class EntryOut(Schema):
    entry: int = Field(alias="pk")
    seq: int
    case_number: str
    court: str = Field(alias="court.code")
    party: str
    listing: str
    kind: str
    role: str
    is_unit: bool
    name: str
    identifier: str
    unit_name: str
    grounds: list[str]
    term_years: int | None
    listed_on: date
    ended_on: date | None
    ended_by: str
    deletion_ground_on: date | None
    deletion_due_on: date | None
    active: bool

    @staticmethod
    def resolve_identifier(e: ListEntry, context) -> str:
        return shown_id(e.identifier, viewer=_viewer(context), case_court=e.court_id, unit=e.is_unit)


class CaseCreditOut(Schema):
    case_number: str
    version: int
    entries: list[EntryOut]
    decisions: list[DecisionOut]


def _case(request, case_number: str) -> Case:
    return visible_case(request.user, case_number)


def _decide(fn, request, case_number: str, **kwargs) -> CreditDecision:
    return fn(request.user, _case(request, case_number), **kwargs)


@router.get("/cases/{case_number}", response=CaseCreditOut, summary="本案失信与限制消费信息")
def case_credit(request, case_number: str):
    case = _case(request, case_number)
    return {
        "case_number": case.case_number,
        "version": case.version,
        "entries": list(
            ListEntry.objects.filter(case=case).select_related("court").order_by("kind", "listed_on", "pk")
        ),
        "decisions": list(CreditDecision.objects.filter(case=case).order_by("decided_on", "pk")),
    }


@router.post("/cases/{case_number}/listings", response={201: DecisionOut}, summary="纳入失信被执行人名单")
def create_listing(request, case_number: str, body: ListingIn):
    """规则在保存前检查：未成年人不得纳入（CREDIT-4）、仅G1不设期限（CREDIT-5）、须已限制消费（CONS-2）、
    已控制财产足以清偿的不得以G1纳入（CREDIT-3）、依申请删除后六个月内不再依申请纳入（CREDIT-10）。"""
    d = _decide(
        services.list_party,
        request,
        case_number,
        party=body.party,
        grounds=list(body.grounds),
        term_years=body.term_years,
        doc=body.document(),
        restrict=body.restrict,
        on_applicant_request=body.on_applicant_request,
        requested_on=body.requested_on,
        expected_version=body.version,
    )
    return 201, d


@router.post(
    "/cases/{case_number}/listings/{listing}/deletion", response={201: DecisionOut}, summary="删除失信信息"
)
def delete_listing(request, case_number: str, listing: str, body: DeletionIn):
    d = _decide(
        services.delete_listing,
        request,
        case_number,
        listing=listing,
        ground=body.ground.value,
        doc=body.document(),
        expected_version=body.version,
    )
    return 201, d


@router.post(
    "/cases/{case_number}/listings/{listing}/revocation", response={201: DecisionOut}, summary="撤销失信信息"
)
def revoke_listing(request, case_number: str, listing: str, body: DocumentIn):
    d = _decide(
        services.revoke_listing,
        request,
        case_number,
        listing=listing,
        doc=body.document(),
        expected_version=body.version,
    )
    return 201, d


@router.post(
    "/cases/{case_number}/listings/{listing}/correction", response={201: DecisionOut}, summary="更正失信信息"
)
def correct_listing(request, case_number: str, listing: str, body: CreditCorrectionIn):
    d = _decide(
        services.correct_listing,
        request,
        case_number,
        listing=listing,
        fields=body.fields,
        doc=body.document(),
        expected_version=body.version,
    )
    return 201, d


@router.post("/cases/{case_number}/restrictions", response={201: DecisionOut}, summary="发布或变更限制消费令")
def create_restriction(request, case_number: str, body: RestrictionIn):
    persons = None if body.persons is None else [p.dict() for p in body.persons]
    d = _decide(
        services.restrict_consumption,
        request,
        case_number,
        party=body.party,
        persons=persons,
        doc=body.document(),
        expected_version=body.version,
    )
    return 201, d


@router.post(
    "/cases/{case_number}/restrictions/{party}/lifting", response={201: DecisionOut}, summary="解除限制消费"
)
def lift_restriction(request, case_number: str, party: str, body: LiftingIn):
    d = _decide(
        services.lift_restriction,
        request,
        case_number,
        party=party,
        ground=body.ground.value,
        doc=body.document(),
        expected_version=body.version,
    )
    return 201, d


class EntryFilter(Schema):
    q: str = Field("", description="案号、姓名或名称、证件号码")
    kind: Literal["dishonest", "restricted", ""] = ""
    active: bool | None = None


@router.get("/entries", response=list[EntryOut], summary="名单（本院及下级法院）")
def entries(
    request,
    filters: Query[EntryFilter],
    limit: int = Query(100, ge=1, description="至多 500 条"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    qs = ListEntry.objects.visible_to(request.user).select_related("court")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    q = filters.q.strip()
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(case_number=normalise(q)) | Q(name=q) | Q(identifier=q.upper()))
    return list(qs.order_by("-listed_on", "pk")[offset : offset + min(limit, 500)])


@router.get("/due", response=list[EntryOut], summary="应删除的失信信息（K9）")
def due(request, as_of: date | None = None):
    """删除事由已发生、尚未删除的失信信息，按应删除日排序（CREDIT-8/9，三个工作日内删除）。"""
    day = as_of or timezone.localdate()
    return list(
        services.due_entries(day).filter(pk__in=ListEntry.objects.visible_to(request.user).values("pk"))
    )


class AuditOut(Schema):
    id: int
    agency: str = Field(alias="agency.code")
    at: datetime
    endpoint: str
    status: int
    asked: str
    asked_count: int
    hit: bool
    hits: int
    hit_identifiers: list[str]
    invalid: list[dict]


@router.get("/audit", response=list[AuditOut], summary="协助单位筛查记录（系统管理员）")
def audit_trail(request, agency: str = "", limit: int = Query(200, ge=1, description="至多 1000 条")):
    user = request.user
    if not (user.is_superuser or user.role == Role.ADMIN):
        raise HttpError(403, "只有系统管理员可以查看协助单位的筛查记录")
    qs = ScreeningAudit.objects.select_related("agency").order_by("-at", "-pk")
    if agency:
        qs = qs.filter(agency__code=agency)
    return list(qs[: min(limit, 1000)])


# -- agencies (screening) ------------------------------------------------------------------------


class AgencyKey(APIKeyHeader):
    """``X-API-Key: zx_…``; an unknown, revoked or malformed key is a 401."""

    param_name = "X-API-Key"

    def _get_key(self, request):
        # META directly: ``request.headers`` would parse every header on each call.
        return request.META.get("HTTP_X_API_KEY")

    def authenticate(self, request, key):
        return screening.keys.get(key)


screening_router = Router(tags=["协助单位筛查"], auth=AgencyKey())


def _caller(request, scope: str) -> screening.Caller:
    caller: screening.Caller = request.auth
    try:
        screening.admit(caller, scope)
    except screening.Refused as e:
        raise HttpError(e.status, e.message) from None
    return caller


class AgencyScreenIn(Schema):
    id: str = Field(description="18位公民身份号码或统一社会信用代码", examples=["410823198503122036"])


class HitOut(Schema):
    kind: Literal["dishonest", "restricted"] = Field(
        description="dishonest 失信被执行人；restricted 限制消费"
    )
    role: str = Field(
        description="debtor 被执行人本人；legal_representative 等为单位被执行人的相关人员（CONS-4）"
    )
    since: date
    court: str
    court_name: str
    case_number: str


class ScreenOut(Schema):
    id: str
    listed: bool = Field(description="是否在失信被执行人名单中")
    listed_since: date | None
    restricted: bool = Field(description="是否被限制消费（含单位被执行人的法定代表人等，CONS-4）")
    restricted_since: date | None
    entries: list[HitOut]


@screening_router.post("/screen", response=ScreenOut, summary="筛查一人或一个单位")
def screen(request, body: AgencyScreenIn):
    """查询一个公民身份号码或统一社会信用代码是否在失信被执行人名单中、是否被限制消费，自何时起，哪个法院、哪个案件。
    证件号码格式或校验位错误返回 422 并指明该号码。每次查询均记录在案（协助单位、时间、查询内容、是否命中）。"""
    try:
        status, payload = screening.screen_call(request.auth, body.id, _client_ip(request))
    except screening.Refused as e:
        raise HttpError(e.status, e.message) from None
    # Encoded directly: ``screen_call`` builds ScreenOut's shape (and a 422 in ninja's
    # error shape), which the tests check; the lean server's fast path sends the same bytes.
    return HttpResponse(screening.dumps(payload), status=status, content_type="application/json")


class BatchIn(Schema):
    # Items of any JSON type are accepted here and a malformed one (a number, a null, an ID
    # with a NUL) is reported in ``invalid`` with the rest screened; the documentation
    # still says what an item should be.
    ids: Annotated[
        list[Any],
        WithJsonSchema(
            {
                "type": "array",
                "items": {"type": "string"},
                "maxItems": screening.BATCH_LIMIT,
                "description": f"至多 {screening.BATCH_LIMIT} 个证件号码",
            }
        ),
    ] = Field(description=f"至多 {screening.BATCH_LIMIT} 个证件号码", max_length=screening.BATCH_LIMIT)


class BadItem(Schema):
    index: int
    id: str
    error: str


class BatchOut(Schema):
    count: int = Field(description="提交的号码数")
    screened: int = Field(description="格式正确、已筛查的号码数")
    hit_count: int
    hits: list[ScreenOut] = Field(description="命中的号码（按提交顺序）；未列出的号码均未命中")
    invalid: list[BadItem] = Field(description="格式错误的号码及其位置，其余号码照常筛查")


@screening_router.post("/screen/batch", response=BatchOut, summary="批量筛查")
def screen_batch(request, body: BatchIn):
    """一次至多十万个号码。只返回命中的号码；格式错误的号码逐个列出（位置、号码、原因），不影响其他号码的筛查。"""
    caller = _caller(request, Scope.BATCH)
    result = screening.screen_batch(body.ids)
    screening.audit.record(
        caller,
        "batch",
        asked=f"{result.count}个号码",
        asked_count=result.count,
        asked_packed=screening.pack_asked(result.asked_keys, result.asked_tags),
        invalid=result.invalid,
        hits=[h["id"] for h in result.hits],
        remote_addr=_client_ip(request),
    )
    # Encoded directly, like ``screen``: validating 100,000 ``invalid`` items against
    # BatchOut would cost more than screening them (``screen_batch`` builds its shape).
    return HttpResponse(screening.dumps(result.as_json()), content_type="application/json")


class ChangeOut(Schema):
    entry: int = Field(description="名单条目编号：按此编号新增、替换或删除本地副本中的条目")
    seq: int = Field(description="变更序号（单调递增）")
    op: Literal["upsert", "remove"]
    kind: str
    role: str
    unit: bool
    name: str
    id: str | None
    unit_name: str | None
    since: date
    ended_on: date | None
    court: str
    court_name: str
    case_number: str


class ChangesOut(Schema):
    since: int
    next: int = Field(description="下次请求的 since")
    more: bool = Field(description="是否还有更多变更（立即以 next 再次请求）")
    changes: list[ChangeOut]


@screening_router.get("/list/changes", response=ChangesOut, summary="名单增量变更")
def list_changes(
    request,
    since: int = Query(..., ge=0, description="上次得到的 next（或快照的 seq）"),
    limit: int = Query(10_000, ge=1, le=50_000),
):
    """自变更序号 since 之后的全部变更，按序号排列。以全量快照为起点，依次应用（upsert 按 entry 替换，remove 删除），
    即与本系统名单一致。新增、删除、撤销、更正、解除在提交后即进入变更流。"""
    caller = _caller(request, Scope.CHANGES)
    result = screening.changes(since, limit)
    screening.audit.record(
        caller,
        "changes",
        asked=f"since={since}",
        asked_count=len(result["changes"]),
        remote_addr=_client_ip(request),
    )
    return result


@screening_router.get("/list/snapshot", summary="全量名单快照（签名）")
def list_snapshot(request):
    """JSON Lines：首行为说明（format、agency、generated_at、seq），其后每行一个生效条目，末行为
    ``{"count", "sha256", "algorithm": "HMAC-SHA256", "signature"}``。验证方法：取末行之前的全部字节，
    以本单位的快照密钥（十六进制，随接口密钥一并发放）计算 HMAC-SHA256，与 signature 比较。
    之后以首行的 seq 调用 /api/list/changes 保持同步。"""
    caller = _caller(request, Scope.SNAPSHOT)
    screening.audit.record(caller, "snapshot", asked="snapshot", remote_addr=_client_ip(request))
    response = StreamingHttpResponse(
        screening.snapshot_lines(caller.agency_code), content_type="application/x-ndjson"
    )
    response["Content-Disposition"] = 'attachment; filename="credit-snapshot.jsonl"'
    return response


class OwnAuditOut(Schema):
    at: datetime
    endpoint: str
    status: int
    asked: str
    asked_count: int
    hit: bool
    hits: int


@screening_router.get("/screen/audit", response=list[OwnAuditOut], summary="本单位的查询记录")
def own_audit(request, limit: int = Query(100, ge=1, le=1000)):
    """只返回调用者本单位的记录；任何单位都看不到其他单位的记录。"""
    caller = _caller(request, Scope.AUDIT)
    return list(ScreeningAudit.objects.filter(agency_id=caller.agency_id).order_by("-at", "-pk")[:limit])
