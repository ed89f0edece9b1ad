"""Requests: an officer's (or a job's) inquiry or control request for one debtor (QRY-2)
with its electronic assistance notice (QRY-1), saved with its outbox row in one
transaction; a stuck request put back in the queue."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhixing.cases.choices import PartyRole
from zhixing.cases.models import Case, NodeEvent, Party
from zhixing.flow import rules_restraints as R
from zhixing.flow import services as flow
from zhixing.inquiry.models import (
    ALL_CATEGORIES,
    CONTROL_KINDS,
    CONTROLLABLE,
    DEDUCTIBLE,
    InquiryRequest,
    Kind,
    Origin,
    OutboxMessage,
    OutboxState,
    Status,
    System,
)
from zhixing.inquiry.services.errors import Forbidden, InquiryError
from zhixing.lib.clock import today


def known_assets(case: Case) -> dict[str, str]:
    """Asset id → category of every asset found by an inquiry or restrained in the case
    (control acts may only name these: case-bundle.md, asset references)."""
    out: dict[str, str] = {}
    rows = NodeEvent.objects.filter(
        case=case, node__in=("online_inquiry", "restraint"), withdrawn=False, superseded_by__isnull=True
    ).values_list("node", "data")
    for node, data in rows:
        if node == "online_inquiry":
            for item in data.get("found") or ():
                out[item.get("asset")] = item.get("category")
        else:
            out[data.get("asset")] = data.get("category")
    return out


def _notice(
    case: Case, kind: str, request_id: uuid.UUID, on: date, seq: int | None = None
) -> tuple[str, str]:
    """QRY-1: the electronic assistance notice (电子协助执行通知书) — its number and an
    electronic seal (HMAC of the notice's content with the installation's key). ``seq``:
    the notice's number in the case when the caller counted already (bulk queueing)."""
    if seq is None:
        seq = InquiryRequest.objects.filter(case=case).exclude(notice_number="").count() + 1
    label = "查询" if kind == Kind.INQUIRY else "协助执行"
    number = f"{case.case_number}{label}通知书第{seq}号"
    content = f"{number}|{case.court.code}|{kind}|{request_id}|{on.isoformat()}"
    seal = hmac.new(settings.SECRET_KEY.encode(), content.encode(), hashlib.sha256).hexdigest()[:32]
    return number, seal


#: The money columns are DecimalField(max_digits=16, decimal_places=2): below 10^14 yuan.
MAX_AMOUNT = Decimal(10) ** 14


def _clean_amount(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InquiryError(field, f"金额格式不正确：{value!r}") from None
    if not amount.is_finite() or amount <= 0:
        raise InquiryError(field, "金额应为正数，至多两位小数")
    if amount >= MAX_AMOUNT:  # before quantize, which fails on more digits than its context has
        raise InquiryError(field, "金额过大：整数部分至多14位（金额字段 16 位有效数字、两位小数）")
    if amount != amount.quantize(Decimal("0.01")):
        raise InquiryError(field, "金额应为正数，至多两位小数")
    return amount


def request_inquiry(
    user,
    case: Case,
    *,
    party: Party | str,
    kind: str = Kind.INQUIRY,
    categories: list[str] | tuple[str, ...] = ALL_CATEGORIES,
    asset: str = "",
    amount: Any = None,
    expires_on: date | None = None,
    system: str = System.NATIONAL,
    origin: str = Origin.OFFICER,
    dedup_key: str | None = None,
    on: date | None = None,
) -> InquiryRequest:
    """Queue an inquiry or a control act about one debtor of ``case``.

    Refused (InquiryError naming the field and the rule, nothing saved): a party that is
    not a 被执行人 of this case (QRY-2, 2013 网络查控规定第七条); unknown or repeated
    categories; a control act without a known asset of the case, or over more than one
    category; a deduction of something other than money, or without an amount; a freeze
    longer than the category's longest term (DL-20, 民诉法解释第485条); a freeze or a
    deduction on a closed case. Forbidden: a user who may not act on the case (control
    acts: only the case's own court). ``dedup_key`` (jobs): a second request with the
    same key returns the first.
    """
    on = on or today()
    _check_act(user, case, kind, system)
    party = _debtor(case, party)
    categories = _clean_categories(categories)
    money = None
    if kind in CONTROL_KINDS:
        money = _check_control(user, case, kind, categories, asset, amount, expires_on, on)
    rid = uuid.uuid4()
    number, seal = _notice(case, kind, rid, on)
    fields = dict(
        request_id=rid, case=case, court_id=case.court_id, party=party, kind=kind, system=system,
        categories=categories, asset=asset if kind in CONTROL_KINDS else "", amount=money,
        expires_on=expires_on if kind in (Kind.FREEZE, Kind.RENEW) else None, origin=origin,
        dedup_key=dedup_key, notice_number=number, notice_seal=seal,
        requested_by=user if user is not None and user.is_authenticated else None, requested_on=on,
    )  # fmt: skip
    return _save(fields, dedup_key)


def _check_act(user, case: Case, kind: str, system: str) -> None:
    """The kind and system are known, and the user may act on the case: control acts only
    by the case's own court (QRY-1)."""
    if kind not in Kind.values:
        raise InquiryError("kind", f"类型应为 {'、'.join(Kind.values)} 之一")
    if system not in System.values:
        raise InquiryError("system", "系统应为 总对总 或 点对点")
    if not flow.can_act(user, case):
        raise Forbidden("case", "无权办理本案")
    if (
        kind in CONTROL_KINDS
        and user is not None
        and not user.is_superuser
        and user.court_id != case.court_id
    ):
        raise Forbidden("case", "冻结、续冻、解除冻结和扣划只能由本案所属法院办理（QRY-1）")


def _debtor(case: Case, party: Party | str) -> Party:
    """QRY-2 (2013 网络查控规定第七条): only a 被执行人 of this case may be queried."""
    if isinstance(party, str):
        party_obj = Party.objects.filter(case=case, local_id=party).first()
        if party_obj is None:
            raise InquiryError("party", f"当事人 {party!r} 不是本案当事人，不得查询（QRY-2）", rule="QRY-2")
        party = party_obj
    if party.case_id != case.pk:
        raise InquiryError("party", f"{party.name} 不是本案当事人，不得查询（QRY-2）", rule="QRY-2")
    if party.role != PartyRole.DEBTOR:
        raise InquiryError(
            "party", f"{party.name} 是本案{party.get_role_display()}，只能查询被执行人（QRY-2）", rule="QRY-2"
        )
    return party


def _clean_categories(categories) -> list[str]:
    """At least one category, each known, none repeated."""
    categories = list(categories or ())
    if not categories:
        raise InquiryError("categories", "至少选择一个查询类别")
    for c in categories:
        if c not in ALL_CATEGORIES:
            raise InquiryError("categories", f"未知的查询类别 {c!r}（应为 {'、'.join(ALL_CATEGORIES)}）")
    if len(set(categories)) != len(categories):
        raise InquiryError("categories", "查询类别重复")
    return categories


def _check_control(
    user,
    case: Case,
    kind: str,
    categories: list[str],
    asset: str,
    amount: Any,
    expires_on: date | None,
    on: date,
) -> Decimal | None:
    """A control act (QRY-1): one controllable category, a known asset of the case, an open
    case for a freeze or deduction, a deduction of money by an officer; returns the
    amount of a freeze or deduction."""
    if len(categories) != 1 or categories[0] not in CONTROLLABLE:
        raise InquiryError("categories", "控制措施须针对一个可网络控制的财产类别（QRY-1）", rule="QRY-1")
    category = categories[0]
    assets = known_assets(case)
    if not asset or asset not in assets:
        raise InquiryError("asset", f"财产 {asset!r} 在本案中没有查询或控制记录", rule="QRY-1")
    if case.closed_on is not None and kind in (Kind.FREEZE, Kind.DEDUCT):
        raise InquiryError("case", "案件已结案，不能再冻结或扣划")
    if kind == Kind.DEDUCT:
        if category not in DEDUCTIBLE:
            raise InquiryError(
                "categories", f"{category}不能网络扣划（只限存款、网络资金、理财产品、公积金）"
            )
        if user is None:
            raise InquiryError("requested_by", "扣划须由承办人发起（款项入案款账户）")
    money = _clean_amount(amount) if kind in (Kind.DEDUCT, Kind.FREEZE) else None
    if kind in (Kind.FREEZE, Kind.RENEW):
        _check_expiry(case, kind, category, asset, expires_on, on)
    return money


def _check_expiry(
    case: Case, kind: str, category: str, asset: str, expires_on: date | None, on: date
) -> None:
    """DL-20 (民诉法解释第485条): a freeze or renewal states its last day, after today and
    within the category's longest term (a renewal's counted from the current expiry)."""
    if expires_on is None:
        raise InquiryError("expires_on", "冻结或续冻须载明期限届满日（DL-20）", rule="DL-20")
    if expires_on <= on:
        raise InquiryError("expires_on", "期限届满日应晚于今天", rule="DL-20")
    start = on if kind == Kind.FREEZE else _current_expiry(case, asset) or on
    limit = R.longest_expiry(start, category)
    if expires_on > limit:
        raise InquiryError(
            "expires_on",
            f"{category}的{'冻结' if kind == Kind.FREEZE else '续冻'}期限最长{R.max_years(category)}年，"
            f"不得晚于{limit.isoformat()}（DL-20，民诉法解释第485条）",
            rule="DL-20",
        )


def _save(fields: dict, dedup_key: str | None) -> InquiryRequest:
    """The request and its outbox row in one transaction; a job's second request with the
    same ``dedup_key`` returns the first."""
    try:
        with transaction.atomic():
            req = InquiryRequest.objects.create(**fields)
            OutboxMessage.objects.create(request=req, court_id=req.court_id, next_attempt_at=timezone.now())
    except IntegrityError:
        if dedup_key:
            earlier = InquiryRequest.objects.filter(dedup_key=dedup_key).first()
            if earlier is not None:
                return earlier
        raise
    return req


def _current_expiry(case: Case, asset: str) -> date | None:
    rows = NodeEvent.objects.filter(
        case=case, node__in=("restraint", "restraint_renewed"), withdrawn=False, superseded_by__isnull=True
    ).order_by("on", "position")
    last = None
    for e in rows:
        if e.data.get("asset") == asset and e.data.get("expires_on"):
            last = date.fromisoformat(e.data["expires_on"])
    return last


def retry(user, req: InquiryRequest) -> InquiryRequest:
    """Put a stuck request back in the queue (its request id stays: the far side still
    deduplicates it)."""
    if not flow.can_act(user, req.case):
        raise Forbidden("case", "无权办理本案")
    with transaction.atomic():
        n = OutboxMessage.objects.filter(request=req, state=OutboxState.STUCK).update(
            state=OutboxState.PENDING,
            failures=0,
            next_attempt_at=timezone.now(),
            lease_token="",
            lease_until=None,
        )
        if n != 1:
            raise InquiryError("request", "只有滞留的请求可以重新发送")
        InquiryRequest.objects.filter(pk=req.pk).update(status=Status.QUEUED, error="")
    req.refresh_from_db()
    return req
