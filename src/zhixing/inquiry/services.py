"""Every change in online inquiry and control (网络查控), and the read side (coverage).

- :func:`request_inquiry`: an officer's (or a job's) inquiry or control request for one
  debtor (QRY-2) with its electronic assistance notice (QRY-1), saved with its outbox
  row in one transaction.
- :func:`work_once`: one pass of the delivery worker — claim due outbox rows with a
  conditional UPDATE (a lease), send pending ones in batches, poll sent ones, apply the
  answers, retry failures with exponential backoff, mark rows stuck after too many
  failures or too long a wait. Safe to run in several processes and to kill at any point:
  an expired lease makes a row claimable again, a re-sent request is deduplicated by the
  far side (request id) and a re-delivered answer by ours (one result per request and
  category; the deduction's receipt keyed by the request id).
- :func:`apply_answers`: the answers of one request land in the case as node events
  through ``flow.services.record_event`` — ``online_inquiry`` (party, system, categories,
  found) for an inquiry, ``restraint`` / ``restraint_renewed`` / ``restraint_released`` /
  ``deduction`` for control acts — and a deduction's money as a receipt in the fund
  ledger (``funds.services.record_receipt``, idempotency key = request id), all in one
  transaction with the result rows. :func:`apply_answers_many`: the same for a whole poll
  batch or callback in one transaction (``flow.services.record_events_bulk``: the same
  rules per event, one facts refresh per batch) — the worker's and the callback's path;
  deductions stay one by one.
- :func:`run_daily`: inquiries for new cases, the 6-monthly re-query after 终本 (TERM-12,
  the K8 obligations), and renewals of restraints before expiry (DL-20). Idempotent.
- :func:`case_coverage`, :func:`court_coverage`: which categories were queried when,
  which are missing (the T5 view, TERM-4), open and stuck requests, restraint expiry.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhixing.cases import bulk
from zhixing.cases.choices import IMPLEMENTATION_TYPES, ClosingMode, PartyRole
from zhixing.cases.models import Case, NodeEvent, Party
from zhixing.cases.records import Event
from zhixing.courts.models import Court
from zhixing.flow import rules_restraints as R
from zhixing.flow import services as flow
from zhixing.inquiry import connectors
from zhixing.inquiry.connectors import ConnectorError, PollItem
from zhixing.inquiry.models import (
    ALL_CATEGORIES,
    CONTROL_KINDS,
    CONTROLLABLE,
    DEDUCTIBLE,
    REQUIRED_CATEGORIES,
    InquiryRequest,
    InquiryResult,
    Kind,
    Origin,
    OutboxMessage,
    OutboxState,
    ResultStatus,
    Status,
    System,
)
from zhixing.lib import periods
from zhixing.lib.clock import today

log = logging.getLogger(__name__)


class InquiryError(ValueError):
    """Bad input: ``field`` names the input, ``message`` says the rule (Chinese)."""

    status = 422

    def __init__(self, field: str, message: str, *, rule: str = ""):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.rule = rule


class Forbidden(InquiryError):
    status = 403


# -- requests ---------------------------------------------------------------------------------


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
    categories = list(categories or ())
    if not categories:
        raise InquiryError("categories", "至少选择一个查询类别")
    for c in categories:
        if c not in ALL_CATEGORIES:
            raise InquiryError("categories", f"未知的查询类别 {c!r}（应为 {'、'.join(ALL_CATEGORIES)}）")
    if len(set(categories)) != len(categories):
        raise InquiryError("categories", "查询类别重复")
    money = None
    if kind in CONTROL_KINDS:
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
        if kind in (Kind.DEDUCT, Kind.FREEZE):
            money = _clean_amount(amount)
        if kind in (Kind.FREEZE, Kind.RENEW):
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
    rid = uuid.uuid4()
    number, seal = _notice(case, kind, rid, on)
    try:
        with transaction.atomic():
            req = InquiryRequest.objects.create(
                request_id=rid, case=case, court_id=case.court_id, party=party, kind=kind, system=system,
                categories=categories, asset=asset if kind in CONTROL_KINDS else "", amount=money,
                expires_on=expires_on if kind in (Kind.FREEZE, Kind.RENEW) else None, origin=origin,
                dedup_key=dedup_key, notice_number=number, notice_seal=seal,
                requested_by=user if user is not None and user.is_authenticated else None, requested_on=on,
            )  # fmt: skip
            OutboxMessage.objects.create(request=req, court_id=case.court_id, next_attempt_at=timezone.now())
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


# -- the wire format ---------------------------------------------------------------------------


def payload(req: InquiryRequest, callback_url: str = "") -> dict:
    """The request as sent to the external system: the debtor's identity (QRY-2: only a
    被执行人, only for this case) and the electronic notice (QRY-1)."""
    p = req.party
    body = {
        "request_id": str(req.request_id),
        "kind": req.kind,
        "court": req.court.code,
        "case_number": req.case.case_number,
        "party": {"role": "被执行人", "kind": p.get_kind_display(), "name": p.name,
                  "id_number": p.id_number or None, "credit_code": p.credit_code or None},
        "categories": list(req.categories),
        "notice": {"number": req.notice_number, "seal": req.notice_seal, "issued_on": req.requested_on.isoformat()},
    }  # fmt: skip
    if req.kind in CONTROL_KINDS:
        body["asset"] = req.asset
        body["amount"] = str(req.amount) if req.amount is not None else None
        body["expires_on"] = req.expires_on.isoformat() if req.expires_on else None
    if callback_url:
        body["callback_url"] = callback_url
    return body


@dataclass(frozen=True, slots=True)
class Answer:
    category: str
    status: str
    assets: tuple[dict, ...]
    amount: Decimal | None
    message: str
    answered_on: date
    institution: str


def parse_answer(raw: dict, *, fallback_on: date) -> Answer | None:
    """One category's answer from the wire; None when it is malformed (ignored: the
    next poll brings it again)."""
    category = raw.get("category")
    status = raw.get("status")
    if category not in ALL_CATEGORIES or status not in ResultStatus.values:
        return None
    try:
        answered_on = date.fromisoformat(raw["answered_on"]) if raw.get("answered_on") else fallback_on
        amount = Decimal(str(raw["amount"])) if raw.get("amount") not in (None, "") else None
        assets = []
        for a in raw.get("assets") or ():
            item = {"asset": str(a["asset"]), "category": str(a.get("category") or category)}
            if a.get("value") not in (None, ""):
                item["value"] = str(Decimal(str(a["value"])).quantize(Decimal("0.01")))
            if a.get("institution"):
                item["institution"] = str(a["institution"])
            assets.append(item)
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None
    return Answer(category, status, tuple(assets), amount, str(raw.get("message") or "")[:200], answered_on,
                  str(raw.get("institution") or ""))  # fmt: skip


# -- applying answers ------------------------------------------------------------------------


def _event_day(case: Case, answered_on: date) -> date:
    """The event's day: the answer's day, within [filing day, today]."""
    return min(max(answered_on, case.filed_on), today())


def apply_answers(
    req: InquiryRequest | int, raw_results: list[dict] | tuple[dict, ...], *, complete: bool
) -> int:
    """Land the answers of one request, idempotently: categories already answered are
    skipped (a duplicate delivery changes nothing), the new ones become result rows and
    node events, in one transaction. Returns the number of new result rows.

    An inquiry's answers become one ``online_inquiry`` event (the categories answered,
    not those refused; the assets found) — what T5 (TERM-4) and K8 (TERM-12) read. A
    control act's answer becomes ``restraint`` (冻结), ``restraint_renewed``,
    ``restraint_released`` or ``deduction``; a deduction's amount is also a receipt in
    the fund ledger with the request id as idempotency key, so it is booked once."""
    pk = req.pk if isinstance(req, InquiryRequest) else req
    with transaction.atomic():
        # Case first, then the request (the fixed lock order of flow and funds services).
        case_id = InquiryRequest.objects.filter(pk=pk).values_list("case_id", flat=True).get()
        Case.objects.select_for_update(of=("self",)).filter(pk=case_id).get()
        req = (
            InquiryRequest.objects.select_for_update(of=("self",))
            .select_related("case__court", "party")
            .get(pk=pk)
        )
        if req.status in (Status.DONE, Status.FAILED):
            return 0
        have = set(req.results.values_list("category", flat=True))
        answers = _new_answers(req, raw_results, have)
        done = have | set(answers)
        if not answers:
            if complete and set(req.categories) <= done:
                _finish(req, failed=False)
            return 0
        event, error = None, ""
        spec = _event_spec(req, list(answers.values()))
        if spec is not None:
            try:
                event = flow.record_event(req.case, *spec, user=None, expected_version=None,
                                          source=NodeEvent.Source.SYSTEM)  # fmt: skip
            except flow.FlowError as e:
                error = _not_recorded(req, e)
        receipt = _book_deduction(req, list(answers.values()))
        bulk.insert(InquiryResult, RESULT_COLUMNS, _result_tuples(req, answers, event, receipt))
        if set(req.categories) <= done:
            refused = req.kind in CONTROL_KINDS and all(
                a.status == ResultStatus.REFUSED for a in answers.values()
            )
            _finish(req, failed=refused, error=next(iter(answers.values())).message if refused else error)
        elif req.status != Status.PARTIAL:
            InquiryRequest.objects.filter(pk=req.pk).update(status=Status.PARTIAL)
        return len(answers)


def _new_answers(req: InquiryRequest, raw_results, have: set[str]) -> dict[str, Answer]:
    """The parsable answers of categories asked and not answered yet, the first of each."""
    answers: dict[str, Answer] = {}
    fallback = today()
    for raw in raw_results:
        a = parse_answer(raw, fallback_on=fallback)
        if a is not None and a.category in req.categories and a.category not in have:
            answers.setdefault(a.category, a)
    return answers


RESULT_COLUMNS = (
    "request",
    "category",
    "status",
    "assets",
    "total",
    "message",
    "answered_on",
    "event",
    "receipt",
)


def _result_tuples(req: InquiryRequest, answers: dict[str, Answer], event, receipt) -> list[tuple]:
    """The result rows of one request's new answers, as tuples in RESULT_COLUMNS order."""
    return [
        (req.pk, a.category, a.status, list(a.assets),
         sum((Decimal(x.get("value", "0")) for x in a.assets), Decimal("0")) if a.amount is None else a.amount,
         a.message, a.answered_on, event.pk if event is not None else None, receipt.pk if receipt is not None else None)
        for a in answers.values()
    ]  # fmt: skip


def apply_answers_many(items: list[tuple[int, list | tuple, bool]]) -> dict[int, int]:
    """The answers of many requests (one poll batch, one callback) as ``(request pk, raw
    results, complete)``, landed as :func:`apply_answers` lands each — the same skipping of
    categories already answered (a duplicate delivery changes nothing), the same events,
    result rows and states — but in one transaction for the lot: the cases locked in id
    order, then the requests; every event through one ``flow.record_events_bulk`` (each
    checked by flow's own rules against its case; an event the case refuses is said on
    its request only, its answers are kept), the result rows with one bulk_create, the
    facts derived once. Deductions (扣划) keep the per-request path: their receipt is
    booked with its own idempotency key, one request at a time. Returns request pk →
    number of new result rows."""
    merged: dict[int, tuple[list, bool]] = {}
    for pk, raw, complete in items:
        prev = merged.get(pk)
        merged[pk] = (list(raw), complete) if prev is None else (prev[0] + list(raw), prev[1] or complete)
    out = dict.fromkeys(merged, 0)
    heads = InquiryRequest.objects.filter(pk__in=list(merged)).values_list("pk", "kind", "case_id")
    case_ids = set()
    for pk, kind, case_id in heads:
        if kind == Kind.DEDUCT:
            raw, complete = merged.pop(pk)
            out[pk] = apply_answers(pk, raw, complete=complete)
        else:
            case_ids.add(case_id)
    if not case_ids:
        return out
    with transaction.atomic():
        # Cases first (in id order, as record_events_bulk), then the requests.
        list(Case.objects.select_for_update(of=("self",)).filter(pk__in=sorted(case_ids)).order_by("pk").values_list("pk", flat=True))  # fmt: skip
        reqs = list(
            InquiryRequest.objects.select_for_update(of=("self",))
            .select_related("case__court", "party")
            .filter(pk__in=list(merged))
            .exclude(kind=Kind.DEDUCT)
            .order_by("pk")
        )
        have: dict[int, set[str]] = defaultdict(set)
        for rid, category in InquiryResult.objects.filter(request__in=reqs).values_list(
            "request_id", "category"
        ):
            have[rid].add(category)
        todo: list[tuple[InquiryRequest, dict[str, Answer]]] = []
        finished: list[int] = []
        for req in reqs:
            if req.status in (Status.DONE, Status.FAILED):
                continue
            raw, complete = merged[req.pk]
            answers = _new_answers(req, raw, have[req.pk])
            if answers:
                todo.append((req, answers))
            elif complete and set(req.categories) <= have[req.pk]:
                finished.append(req.pk)
        specs: list[flow.NewEvent] = []
        spec_of: dict[int, int] = {}
        for req, answers in todo:
            spec = _event_spec(req, list(answers.values()))
            if spec is not None:
                spec_of[req.pk] = len(specs)
                specs.append(flow.NewEvent(req.case_id, *spec))
        recorded = flow.record_events_bulk(specs, user=None, source=NodeEvent.Source.SYSTEM)
        rows: list[tuple] = []
        partial: list[int] = []
        for req, answers in todo:
            event, error = None, ""
            if req.pk in spec_of:
                event = recorded[spec_of[req.pk]]
                if isinstance(event, flow.FlowError):
                    event, error = None, _not_recorded(req, event)
            rows += _result_tuples(req, answers, event, None)
            out[req.pk] = len(answers)
            if set(req.categories) <= have[req.pk] | set(answers):
                refused = req.kind in CONTROL_KINDS and all(
                    a.status == ResultStatus.REFUSED for a in answers.values()
                )
                if refused or error:
                    _finish(
                        req, failed=refused, error=next(iter(answers.values())).message if refused else error
                    )
                else:
                    finished.append(req.pk)
            elif req.status != Status.PARTIAL:
                partial.append(req.pk)
        # Plain tuples through the import's fast insert: bulk_create's per-value work was
        # a third of a batch's time (the unique (request, category) still holds in SQL).
        bulk.insert(InquiryResult, RESULT_COLUMNS, rows)
        if finished:
            InquiryRequest.objects.filter(pk__in=finished).update(
                status=Status.DONE, completed_at=timezone.now(), error=""
            )
            OutboxMessage.objects.filter(request_id__in=finished).update(
                state=OutboxState.DONE, lease_token="", lease_until=None
            )
        if partial:
            InquiryRequest.objects.filter(pk__in=partial).update(status=Status.PARTIAL)
    return out


def _finish(req: InquiryRequest, *, failed: bool, error: str = "") -> None:
    InquiryRequest.objects.filter(pk=req.pk).update(
        status=Status.FAILED if failed else Status.DONE, completed_at=timezone.now(), error=error
    )
    OutboxMessage.objects.filter(request_id=req.pk).update(
        state=OutboxState.DONE, lease_token="", lease_until=None
    )


def _event_spec(req: InquiryRequest, answers: list[Answer]) -> tuple[str, date, dict] | None:
    """The node event (node, day, fields) the answers of ``req`` become; None when every
    category was refused (nothing happened in the case)."""
    case = req.case
    usable = [a for a in answers if a.status != ResultStatus.REFUSED]
    if not usable:
        return None
    on = _event_day(case, max(a.answered_on for a in usable))
    note = f"网络查控请求 {req.request_id}（{req.notice_number}）"
    if req.kind == Kind.INQUIRY:
        found = [{"asset": x["asset"], "category": x["category"], "value": x.get("value", "0.00")}
                 for a in usable for x in a.assets]  # fmt: skip
        data = {"party": req.party.local_id, "system": req.system, "categories": [a.category for a in usable],
                "found": found, "note": note}  # fmt: skip
        node = "online_inquiry"
    else:
        a = usable[0]
        if req.kind == Kind.FREEZE:
            value = a.amount if a.amount is not None else req.amount
            node, data = "restraint", {"asset": req.asset, "measure": "冻结", "category": a.category,
                                       "value": str(value), "expires_on": req.expires_on.isoformat()}  # fmt: skip
        elif req.kind == Kind.RENEW:
            node, data = "restraint_renewed", {"asset": req.asset, "expires_on": req.expires_on.isoformat()}
        elif req.kind == Kind.RELEASE:
            node, data = "restraint_released", {"asset": req.asset}
        else:
            node, data = (
                "deduction",
                {"asset": req.asset, "amount": str(a.amount if a.amount is not None else req.amount)},
            )
        data["note"] = note
    return node, on, data


def _not_recorded(req: InquiryRequest, e: flow.FlowError) -> str:
    # The answer stays (result rows) even if the case refuses the event (e.g. a
    # correction withdrew the asset): say so on the request rather than lose it.
    log.warning("网络查控结果未能记入案件 %s: %s", req.case, e)
    error = f"结果未能记入节点：{e.message}"[:500]
    InquiryRequest.objects.filter(pk=req.pk).update(error=error)
    return error


def _book_deduction(req: InquiryRequest, answers: list[Answer]):
    """A successful deduction (扣划) is money for the case: a receipt in the fund ledger,
    keyed by the request id (FUND-1's clock starts on the day we learn of it)."""
    if req.kind != Kind.DEDUCT:
        return None
    done = [a for a in answers if a.status == ResultStatus.DONE]
    if not done:
        return None
    from zhixing.funds import services as funds
    from zhixing.funds.models import Source

    a = done[0]
    amount = a.amount if a.amount is not None else req.amount
    return funds.record_receipt(
        req.requested_by, req.case, amount=amount, notice_on=_event_day(req.case, a.answered_on),
        payer=a.institution or "网络扣划", idempotency_key=f"inq-{req.request_id}", source=Source.API,
    ).value  # fmt: skip


# -- the worker --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Policy:
    """Delivery timing. ``backoff`` doubles per consecutive failure from ``backoff_base``
    up to ``backoff_max`` (± 20 % jitter); ``max_failures`` consecutive failures, or no
    complete answer ``stuck_after`` after the first send, make a row stuck."""

    backoff_base: float = 2.0
    backoff_max: float = 900.0
    max_failures: int = 8
    poll_first: float = 5.0
    poll_max: float = 3600.0
    stuck_after: float = 7 * 86400.0
    lease: float = 120.0
    callback_url: str = ""

    def backoff(self, failures: int, retry_after: float | None = None) -> float:
        delay = min(self.backoff_max, self.backoff_base * (2 ** max(failures - 1, 0)))
        delay *= random.uniform(0.8, 1.2)
        return max(delay, retry_after or 0.0)

    def poll_delay(self, polls: int) -> float:
        return min(self.poll_max, self.poll_first * (2 ** min(polls, 16)))


def claim(
    limit: int, *, now: datetime | None = None, policy: Policy = Policy(), token: str | None = None
) -> list[OutboxMessage]:
    """Claim up to ``limit`` due rows for this worker: a conditional UPDATE that only
    takes rows no live lease holds, so two workers never hold the same row.

    Several workers at once get disjoint batches rather than racing for the same rows:
    on PostgreSQL the candidates are read ``FOR UPDATE SKIP LOCKED`` (rows another
    worker is claiming right now are passed over, not waited for); on SQLite the
    transaction is IMMEDIATE (settings), so claims run one after another and each sees
    the previous one's leases. The conditional UPDATE stays as the guarantee either way."""
    now = now or timezone.now()
    token = token or uuid.uuid4().hex
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    with transaction.atomic():
        due = OutboxMessage.objects.filter(
            free, state__in=(OutboxState.PENDING, OutboxState.SENT), next_attempt_at__lte=now
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        OutboxMessage.objects.filter(
            free, pk__in=ids, state__in=(OutboxState.PENDING, OutboxState.SENT)
        ).update(lease_token=token, lease_until=now + timedelta(seconds=policy.lease))
    return list(
        OutboxMessage.objects.filter(lease_token=token, pk__in=ids).select_related(
            "request__case", "request__party", "request__court", "court"
        )
    )


def _release(m: OutboxMessage, **fields) -> None:
    """Update a claimed row, only while this worker still holds it."""
    fields.update(lease_token="", lease_until=None)
    OutboxMessage.objects.filter(pk=m.pk, lease_token=m.lease_token).update(**fields)


def _failed(m: OutboxMessage, e: ConnectorError, now: datetime, policy: Policy, *, sending: bool) -> str:
    failures = m.failures + 1
    stuck = (not e.retryable) or failures >= policy.max_failures
    fields = {"failures": failures, "last_error": str(e)[:500]}
    if sending:
        fields["attempts"] = m.attempts + 1
    if stuck:
        _release(m, state=OutboxState.STUCK, **fields)
        InquiryRequest.objects.filter(pk=m.request_id).update(status=Status.STUCK, error=str(e)[:500])
        return "stuck"
    _release(m, next_attempt_at=now + timedelta(seconds=policy.backoff(failures, e.retry_after)), **fields)
    return "retry"


def work_once(limit: int = 500, *, policy: Policy = Policy(), now: datetime | None = None) -> dict[str, int]:
    """One pass over due outbox rows; returns counts (sent, polled, answers, retry, stuck,
    done, resent)."""
    now = now or timezone.now()
    counts: dict[str, int] = defaultdict(int)
    messages = claim(limit, now=now, policy=policy)
    by_court: dict[int, list[OutboxMessage]] = defaultdict(list)
    for m in messages:
        by_court[m.court_id].append(m)
    for group in by_court.values():
        try:
            conn = connectors.connector_for(group[0].court)
        except ConnectorError as e:
            for m in group:
                counts[_failed(m, e, now, policy, sending=m.state == OutboxState.PENDING)] += 1
            continue
        pending = [m for m in group if m.state == OutboxState.PENDING]
        sent = [m for m in group if m.state == OutboxState.SENT]
        for i in range(0, len(pending), conn.batch_size):
            _send(conn, pending[i : i + conn.batch_size], now, policy, counts)
        for i in range(0, len(sent), conn.batch_size):
            _poll(conn, sent[i : i + conn.batch_size], now, policy, counts)
    return dict(counts)


def _send(conn, batch: list[OutboxMessage], now: datetime, policy: Policy, counts: dict) -> None:
    try:
        outcomes = {
            o.request_id: o for o in conn.send([payload(m.request, policy.callback_url) for m in batch])
        }
    except ConnectorError as e:
        for m in batch:
            counts[_failed(m, e, now, policy, sending=True)] += 1
        return
    accepted, rejected = [], []
    for m in batch:
        o = outcomes.get(str(m.request.request_id))
        if o is None:  # not in the answer: as if not sent
            counts[_failed(m, ConnectorError("应答中没有此请求"), now, policy, sending=True)] += 1
        elif o.status in ("accepted", "duplicate"):
            accepted.append(m)
        else:
            rejected.append((m, o.error))
    with transaction.atomic():
        _mark_sent(accepted, now, policy)
        InquiryRequest.objects.filter(pk__in=[m.request_id for m in accepted], status=Status.QUEUED).update(
            status=Status.SENT
        )
        for m, error in rejected:
            _release(m, state=OutboxState.DONE, attempts=m.attempts + 1, last_error=error[:500])
            InquiryRequest.objects.filter(pk=m.request_id).update(
                status=Status.FAILED, error=f"对方拒绝：{error}"[:500], completed_at=now
            )
    counts["sent"] += len(accepted)
    counts["rejected"] += len(rejected)


def _mark_sent(accepted: list[OutboxMessage], now: datetime, policy: Policy) -> None:
    """The accepted rows are sent, with one UPDATE per lease (each row only while this
    worker's lease still holds it, as :func:`_release`)."""
    for token in {m.lease_token for m in accepted}:
        OutboxMessage.objects.filter(pk__in=[m.pk for m in accepted if m.lease_token == token], lease_token=token).update(
            state=OutboxState.SENT, attempts=F("attempts") + 1, failures=0, last_error="",
            first_sent_at=Coalesce(F("first_sent_at"), Value(now)),
            next_attempt_at=now + timedelta(seconds=policy.poll_first), lease_token="", lease_until=None,
        )  # fmt: skip


def _poll(conn, batch: list[OutboxMessage], now: datetime, policy: Policy, counts: dict) -> None:
    try:
        items = conn.poll([str(m.request.request_id) for m in batch])
    except ConnectorError as e:
        for m in batch:
            counts[_failed(m, e, now, policy, sending=False)] += 1
        return
    counts["polled"] += len(batch)
    merged: dict[str, PollItem] = {}
    for it in items:  # the same request may come twice (duplicate delivery): keep every answer
        prev = merged.get(it.request_id)
        merged[it.request_id] = (
            it
            if prev is None
            else PollItem(
                it.request_id, max(prev.state, it.state, key=_STATE_RANK.get), prev.results + it.results
            )
        )
    answered: list[OutboxMessage] = []
    for m in batch:
        it = merged.get(str(m.request.request_id))
        if it is None:
            _release(
                m, polls=m.polls + 1, next_attempt_at=now + timedelta(seconds=policy.poll_delay(m.polls))
            )
            continue
        if it.state == "unknown":
            # The far side has no record (lost, or restarted without its journal): send again.
            _release(
                m,
                state=OutboxState.PENDING,
                polls=m.polls + 1,
                next_attempt_at=now,
                last_error="对方无此请求记录，重新发送",
            )
            counts["resent"] += 1
            continue
        answered.append(m)
    if not answered:
        return
    # The whole batch's answers in one transaction (one validation and facts pass per
    # batch instead of per request).
    new = apply_answers_many(
        [(m.request_id, merged[str(m.request.request_id)].results,
          merged[str(m.request.request_id)].state == "complete") for m in answered]
    )  # fmt: skip
    counts["answers"] += sum(new.values())
    still_open = set(
        OutboxMessage.objects.filter(pk__in=[m.pk for m in answered], state=OutboxState.SENT).values_list(
            "pk", flat=True
        )
    )
    for m in answered:
        if m.pk not in still_open:
            counts["done"] += 1
            continue
        if m.first_sent_at and (now - m.first_sent_at).total_seconds() > policy.stuck_after:
            _release(m, state=OutboxState.STUCK, polls=m.polls + 1, last_error="超过期限未收到完整反馈")
            InquiryRequest.objects.filter(pk=m.request_id).update(
                status=Status.STUCK, error="超过期限未收到完整反馈"
            )
            counts["stuck"] += 1
            continue
        _release(m, polls=m.polls + 1, next_attempt_at=now + timedelta(seconds=policy.poll_delay(m.polls)))


_STATE_RANK = {"unknown": 0, "processing": 1, "complete": 2}


def receive_callback(court: Court, body: bytes, signature: str) -> int:
    """A pushed answer (callback) for requests of ``court``'s subtree: checked with the
    court's connector secret, applied like a poll answer (idempotent). Returns the
    number of new result rows."""
    conn = connectors.connector_for(court)
    items = conn.parse_callback(body, signature)
    known: dict[uuid.UUID, list[PollItem]] = defaultdict(list)
    for it in items:
        try:
            rid = uuid.UUID(it.request_id)
        except ValueError:
            continue
        if it.state != "unknown":
            known[rid].append(it)
    if not known:
        return 0
    pks = dict(
        InquiryRequest.objects.filter(
            request_id__in=list(known), court__path__startswith=court.path
        ).values_list("request_id", "pk")
    )
    batch = [
        (pks[rid], it.results, it.state == "complete")
        for rid, its in known.items()
        if rid in pks
        for it in its
    ]
    return sum(apply_answers_many(batch).values())


# -- the daily job ----------------------------------------------------------------------------


def run_daily(as_of: date | None = None, *, new_days: int = 7, requery_lead: int = 30,
              renewal_lead: int = R.REMINDER_DAYS, court: Court | None = None) -> dict[str, int]:  # fmt: skip
    """The daily job, idempotent by ``dedup_key``:

    - every open 执行实施 case filed within ``new_days`` days of as-of gets an inquiry of
      all categories for each debtor that has none yet (DL-21: network query within 5
      days of filing);
    - every 终本 case whose K8 re-query (TERM-12, 终本规定第九条: every 6 months for 5
      years) is not done and due within ``requery_lead`` days gets one per debtor;
    - every restraint in force that expires within ``renewal_lead`` days and can be
      renewed online gets a renewal to the longest term the law allows (DL-20, 民诉法
      解释第485条), sent before expiry.
    """
    from zhixing.metrics.models import ObligationFact

    as_of = as_of or today()
    counts = {"new_case": 0, "requery": 0, "renewal": 0}
    cases = Case.objects.all() if court is None else Case.objects.in_subtree(court)

    fresh = cases.filter(
        case_type__in=IMPLEMENTATION_TYPES, closed_on__isnull=True, filed_on__lte=as_of,
        filed_on__gte=periods.add_days(as_of, -new_days),
    )  # fmt: skip
    asked = InquiryRequest.objects.filter(kind=Kind.INQUIRY).values("party_id")
    debtors = (
        Party.objects.filter(case__in=fresh, role=PartyRole.DEBTOR)
        .exclude(pk__in=asked)
        .select_related("case__court")
    )
    chunk: list[tuple[Party, str]] = []
    for p in debtors.iterator(chunk_size=QUEUE_CHUNK):
        chunk.append((p, f"new:{p.pk}"))
        if len(chunk) >= QUEUE_CHUNK:
            counts["new_case"] += _ensure_many(chunk, Origin.NEW_CASE, as_of)
            chunk = []
    counts["new_case"] += _ensure_many(chunk, Origin.NEW_CASE, as_of)

    due = ObligationFact.objects.filter(
        key_node="K8", done_on__isnull=True, due_on__lte=periods.add_days(as_of, requery_lead),
        case__in=cases.filter(closing_mode=ClosingMode.TERMINATED_CURRENT),
    ).values_list("case_id", "ref")  # fmt: skip
    refs = dict(due)
    parties = Party.objects.filter(case_id__in=refs, role=PartyRole.DEBTOR).select_related("case__court")
    pairs = [(p, f"requery:{p.case_id}:{refs[p.case_id]}:{p.pk}") for p in parties]
    for i in range(0, len(pairs), QUEUE_CHUNK):
        counts["requery"] += _ensure_many(pairs[i : i + QUEUE_CHUNK], Origin.REQUERY, as_of)

    counts["renewal"] = _renewals(cases, as_of, renewal_lead)
    return counts


#: Requests queued per transaction by the daily job.
QUEUE_CHUNK = 1000


def _ensure(case: Case, party: Party, origin: str, key: str, as_of: date) -> bool:
    if InquiryRequest.objects.filter(dedup_key=key).exists():
        return False
    request_inquiry(None, case, party=party, origin=origin, dedup_key=key, on=as_of)
    return True


def _ensure_many(pairs: list[tuple[Party, str]], origin: str, as_of: date) -> int:
    """The daily job's inquiries (all categories, 总对总, no user) for ``(debtor, dedup
    key)`` pairs, those whose key is new, queued with their outbox rows in one
    transaction: what :func:`request_inquiry` does one by one (its checks hold by
    construction here: a job may act on every case, the party is a 被执行人 of its own
    case, the categories are all valid), with the notice numbers counted per case once.
    A concurrent run that queued one of the keys first (IntegrityError) sends the chunk
    through the one-by-one path, which returns the existing request."""
    if not pairs:
        return 0
    known = set(
        InquiryRequest.objects.filter(dedup_key__in=[k for _, k in pairs]).values_list("dedup_key", flat=True)
    )
    todo = [(p, k) for p, k in pairs if k not in known]
    for p, _ in todo:
        if p.role != PartyRole.DEBTOR:  # the callers select debtors; never query anyone else (QRY-2)
            raise InquiryError("party", f"{p.name} 不是被执行人，不得查询（QRY-2）", rule="QRY-2")
    if not todo:
        return 0
    seq = dict(
        InquiryRequest.objects.filter(case_id__in={p.case_id for p, _ in todo})
        .exclude(notice_number="")
        .values("case_id").annotate(n=Count("pk")).values_list("case_id", "n")
    )  # fmt: skip
    reqs = []
    for p, key in todo:
        seq[p.case_id] = seq.get(p.case_id, 0) + 1
        rid = uuid.uuid4()
        number, seal = _notice(p.case, Kind.INQUIRY, rid, as_of, seq[p.case_id])
        reqs.append(InquiryRequest(
            request_id=rid, case=p.case, court_id=p.case.court_id, party=p, kind=Kind.INQUIRY,
            system=System.NATIONAL, categories=list(ALL_CATEGORIES), origin=origin, dedup_key=key,
            notice_number=number, notice_seal=seal, requested_on=as_of,
        ))  # fmt: skip
    now = timezone.now()
    try:
        with transaction.atomic():
            InquiryRequest.objects.bulk_create(reqs)
            OutboxMessage.objects.bulk_create(
                [OutboxMessage(request=r, court_id=r.court_id, next_attempt_at=now) for r in reqs]
            )
    except IntegrityError:
        return sum(_ensure(p.case, p, origin, key, as_of) for p, key in todo)
    return len(reqs)


def _renewals(cases, as_of: date, lead: int) -> int:
    rows = (
        NodeEvent.objects.filter(case__in=cases, node__in=flow.RESTRAINT_NODES, withdrawn=False,
                                 superseded_by__isnull=True, on__lte=as_of)
        .order_by("case_id", "on", "position", "pk")
        .values_list("case_id", "node", "on", "data")
    )  # fmt: skip
    by_case: dict[int, list[Event]] = defaultdict(list)
    for case_id, node, on, data in rows:
        by_case[case_id].append(Event(node, on, len(by_case[case_id]), data))
    made = 0
    for case_id, events in by_case.items():
        for r in R.restraint_terms(events, as_of, reminder_days=lead):
            if r.status not in (R.ACTIVE, R.EXPIRING) or r.days_left is None or r.days_left > lead:
                continue
            if (r.category or "其他") not in CONTROLLABLE:
                continue
            key = f"renew:{case_id}:{r.asset}:{r.expires_on.isoformat()}"
            if InquiryRequest.objects.filter(dedup_key=key).exists():
                continue
            case = Case.objects.select_related("court").get(pk=case_id)
            debtor = case.parties.filter(role=PartyRole.DEBTOR).order_by("position").first()
            if debtor is None:
                continue
            try:
                request_inquiry(None, case, party=debtor, kind=Kind.RENEW, categories=[r.category], asset=r.asset,
                                expires_on=R.longest_expiry(r.expires_on, r.category), origin=Origin.RENEWAL,
                                dedup_key=key, on=as_of)  # fmt: skip
            except InquiryError as e:
                log.warning("续冻请求未能生成 %s %s: %s", case, r.asset, e)
                continue
            made += 1
    return made


# -- coverage (read side) ----------------------------------------------------------------------


def _coverage_of(events: list[tuple[date, dict]], debtors: list[tuple[str, str]], as_of: date) -> list[dict]:
    """Per debtor (local id, name): per category the last query day and the assets found;
    the required categories (TERM-4) missing or older than 3 months before as-of."""
    since = periods.add_months(as_of, -3)
    out = []
    for local_id, name in debtors:
        last: dict[str, date] = {}
        found: dict[str, int] = defaultdict(int)
        for on, data in events:
            if data.get("party") not in (None, local_id):
                continue
            for c in data.get("categories") or ():
                if c not in last or on > last[c]:
                    last[c] = on
            for item in data.get("found") or ():
                found[item.get("category")] += 1
        missing = [c for c in REQUIRED_CATEGORIES if c not in last]
        stale = [c for c in REQUIRED_CATEGORIES if c in last and last[c] < since]
        out.append({
            "party": local_id, "name": name,
            "categories": [{"category": c, "last_on": last[c].isoformat() if c in last else None, "found": found.get(c, 0)}
                           for c in ALL_CATEGORIES],
            "missing": missing, "stale": stale, "since": since.isoformat(),
            "complete": not missing and not stale, "rule": "TERM-4",
        })  # fmt: skip
    return out


def case_coverage(case: Case, as_of: date | None = None) -> dict:
    """One case: coverage per debtor (``online_inquiry`` events, whoever recorded them),
    the requests and their state, and restraints with their expiry (DL-20)."""
    as_of = as_of or today()
    events = list(
        NodeEvent.objects.filter(case=case, node="online_inquiry", withdrawn=False, superseded_by__isnull=True, on__lte=as_of)
        .order_by("on", "position").values_list("on", "data")
    )  # fmt: skip
    debtors = list(
        case.parties.filter(role=PartyRole.DEBTOR).order_by("position").values_list("local_id", "name")
    )
    restraint_rows = (
        NodeEvent.objects.filter(case=case, node__in=flow.RESTRAINT_NODES, withdrawn=False, superseded_by__isnull=True, on__lte=as_of)
        .order_by("on", "position", "pk").values_list("node", "on", "data")
    )  # fmt: skip
    evs = [Event(n, on, i, d) for i, (n, on, d) in enumerate(restraint_rows)]
    renewals = {
        r.asset: r for r in InquiryRequest.objects.filter(case=case, kind=Kind.RENEW).order_by("created_at")
    }
    restraints = []
    for r in R.restraint_terms(evs, as_of):
        row = flow.restraint_json(r)
        pending = renewals.get(r.asset)
        row["renewal"] = request_json(pending) if pending and pending.status not in (Status.DONE,) else None
        restraints.append(row)
    return {
        "case_number": case.case_number,
        "as_of": as_of.isoformat(),
        "debtors": _coverage_of(events, debtors, as_of),
        "restraints": restraints,
    }


def court_coverage(courts, as_of: date | None = None) -> list[dict]:
    """Per court (open 执行实施 cases at as-of): how many debtors have the four required
    categories queried within 3 months (TERM-4), how many lack each category, and the
    requests open and stuck."""
    as_of = as_of or today()
    courts = list(courts)
    open_cases = Case.objects.filter(court__in=courts, case_type__in=IMPLEMENTATION_TYPES).open_at(as_of)
    events: dict[int, list] = defaultdict(list)
    for case_id, on, data in NodeEvent.objects.filter(
        case__in=open_cases, node="online_inquiry", withdrawn=False, superseded_by__isnull=True, on__lte=as_of
    ).values_list("case_id", "on", "data"):
        events[case_id].append((on, data))
    debtors: dict[int, list] = defaultdict(list)
    court_of: dict[int, int] = {}
    for case_id, court_id, local_id, name in Party.objects.filter(
        case__in=open_cases, role=PartyRole.DEBTOR
    ).values_list("case_id", "case__court_id", "local_id", "name"):
        debtors[case_id].append((local_id, name))
        court_of[case_id] = court_id
    stats = {c.pk: {"court": c.code, "name": c.name, "cases": 0, "debtors": 0, "covered": 0,
                    "missing": dict.fromkeys(REQUIRED_CATEGORIES, 0), "stale": dict.fromkeys(REQUIRED_CATEGORIES, 0),
                    "open_requests": 0, "stuck_requests": 0} for c in courts}  # fmt: skip
    for case_id, ds in debtors.items():
        s = stats[court_of[case_id]]
        s["cases"] += 1
        for row in _coverage_of(events.get(case_id, []), ds, as_of):
            s["debtors"] += 1
            s["covered"] += row["complete"]
            for c in row["missing"]:
                s["missing"][c] += 1
            for c in row["stale"]:
                s["stale"][c] += 1
    for court_id in InquiryRequest.objects.filter(court__in=courts).open().values_list("court_id", flat=True):
        stats[court_id]["open_requests"] += 1
    for court_id in InquiryRequest.objects.filter(court__in=courts, status=Status.STUCK).values_list(
        "court_id", flat=True
    ):
        stats[court_id]["stuck_requests"] += 1
    return [s for s in stats.values() if s["cases"] or s["open_requests"] or s["stuck_requests"]]


def request_json(r: InquiryRequest, *, results: bool = False) -> dict:
    out = {
        "request_id": str(r.request_id),
        "case_number": r.case.case_number,
        "court": r.court.code,
        "party": r.party.local_id,
        "party_name": r.party.name,
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "system": r.system,
        "categories": list(r.categories),
        "asset": r.asset or None,
        "amount": str(r.amount) if r.amount is not None else None,
        "expires_on": r.expires_on.isoformat() if r.expires_on else None,
        "origin": r.origin,
        "notice_number": r.notice_number,
        "status": r.status,
        "status_label": r.get_status_display(),
        "error": r.error or None,
        "requested_on": r.requested_on.isoformat(),
        "completed_at": r.completed_at.isoformat() if r.completed_at else None,
    }
    if results:
        out["results"] = [
            {"category": x.category, "status": x.status, "status_label": x.get_status_display(), "assets": x.assets,
             "total": str(x.total), "message": x.message or None, "answered_on": x.answered_on.isoformat(),
             "receipt": x.receipt.local_id if x.receipt_id else None}
            for x in r.results.select_related("receipt")
        ]  # fmt: skip
        out["outbox"] = _outbox_json(r)
    return out


def _outbox_json(r: InquiryRequest) -> dict | None:
    m = OutboxMessage.objects.filter(request=r).first()
    if m is None:
        return None
    return {"state": m.state, "attempts": m.attempts, "failures": m.failures, "polls": m.polls,
            "next_attempt_at": m.next_attempt_at.isoformat(), "last_error": m.last_error or None}  # fmt: skip
