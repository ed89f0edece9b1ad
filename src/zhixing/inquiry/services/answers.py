"""Applying answers: the answers of a request land in the case as node events (through
``flow.services``), a deduction's money as a receipt in the fund ledger, with the result
rows, in one transaction; idempotent (a re-delivered answer changes nothing)."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhixing.cases import bulk
from zhixing.cases.models import Case, NodeEvent
from zhixing.flow import services as flow
from zhixing.inquiry.models import (
    CONTROL_KINDS,
    InquiryRequest,
    InquiryResult,
    Kind,
    OutboxMessage,
    OutboxState,
    ResultStatus,
    Status,
)
from zhixing.inquiry.services.wire import Answer, parse_answer
from zhixing.lib.clock import today

log = logging.getLogger(__name__)


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
    merged = _merge(items)
    out = dict.fromkeys(merged, 0)
    case_ids = _apply_deductions(merged, out)
    if not case_ids:
        return out
    with transaction.atomic():
        reqs, have = _lock(case_ids, merged)
        todo, finished = _sort_out(reqs, merged, have)
        recorded = _record(todo)
        rows, partial = _land(todo, recorded, have, out, finished)
        # Plain tuples through the import's fast insert: bulk_create's per-value work was
        # a third of a batch's time (the unique (request, category) still holds in SQL).
        bulk.insert(InquiryResult, RESULT_COLUMNS, rows)
        _close(finished, partial)
    return out


def _merge(items: list[tuple[int, list | tuple, bool]]) -> dict[int, tuple[list, bool]]:
    """Request pk → (all its raw results, complete if any delivery said so)."""
    merged: dict[int, tuple[list, bool]] = {}
    for pk, raw, complete in items:
        prev = merged.get(pk)
        merged[pk] = (list(raw), complete) if prev is None else (prev[0] + list(raw), prev[1] or complete)
    return merged


def _apply_deductions(merged: dict[int, tuple[list, bool]], out: dict[int, int]) -> set[int]:
    """Land the deductions one by one (taken out of ``merged``, counted in ``out``); returns
    the cases of the other requests."""
    heads = InquiryRequest.objects.filter(pk__in=list(merged)).values_list("pk", "kind", "case_id")
    case_ids = set()
    for pk, kind, case_id in heads:
        if kind == Kind.DEDUCT:
            raw, complete = merged.pop(pk)
            out[pk] = apply_answers(pk, raw, complete=complete)
        else:
            case_ids.add(case_id)
    return case_ids


def _lock(
    case_ids: set[int], merged: dict[int, tuple[list, bool]]
) -> tuple[list[InquiryRequest], dict[int, set[str]]]:
    """Lock the cases (in id order, as record_events_bulk), then the requests; the requests
    and the categories each has answered already."""
    list(Case.objects.select_for_update(of=("self",)).filter(pk__in=sorted(case_ids)).order_by("pk").values_list("pk", flat=True))  # fmt: skip
    reqs = list(
        InquiryRequest.objects.select_for_update(of=("self",))
        .select_related("case__court", "party")
        .filter(pk__in=list(merged))
        .exclude(kind=Kind.DEDUCT)
        .order_by("pk")
    )
    have: dict[int, set[str]] = defaultdict(set)
    for rid, category in InquiryResult.objects.filter(request__in=reqs).values_list("request_id", "category"):
        have[rid].add(category)
    return reqs, have


def _sort_out(
    reqs: list[InquiryRequest], merged: dict[int, tuple[list, bool]], have: dict[int, set[str]]
) -> tuple[list[tuple[InquiryRequest, dict[str, Answer]]], list[int]]:
    """The open requests with new answers, and those complete with nothing new (finished)."""
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
    return todo, finished


def _record(todo: list[tuple[InquiryRequest, dict[str, Answer]]]) -> dict[int, Any]:
    """Every request's event through one ``flow.record_events_bulk``: request pk → the
    event recorded, or the FlowError its case refused it with."""
    specs: list[flow.NewEvent] = []
    pks: list[int] = []
    for req, answers in todo:
        spec = _event_spec(req, list(answers.values()))
        if spec is not None:
            pks.append(req.pk)
            specs.append(flow.NewEvent(req.case_id, *spec))
    recorded = flow.record_events_bulk(specs, user=None, source=NodeEvent.Source.SYSTEM)
    return dict(zip(pks, recorded, strict=True))


def _land(
    todo: list[tuple[InquiryRequest, dict[str, Answer]]],
    recorded: dict[int, Any],
    have: dict[int, set[str]],
    out: dict[int, int],
    finished: list[int],
) -> tuple[list[tuple], list[int]]:
    """The result rows of every request, its count in ``out``, and its state: a refused or
    unrecorded request finished at once, a complete one added to ``finished``; returns the
    rows and the requests now partly answered."""
    rows: list[tuple] = []
    partial: list[int] = []
    for req, answers in todo:
        event, error = recorded.get(req.pk), ""
        if isinstance(event, flow.FlowError):
            event, error = None, _not_recorded(req, event)
        rows += _result_tuples(req, answers, event, None)
        out[req.pk] = len(answers)
        if set(req.categories) <= have[req.pk] | set(answers):
            refused = req.kind in CONTROL_KINDS and all(
                a.status == ResultStatus.REFUSED for a in answers.values()
            )
            if refused or error:
                _finish(req, failed=refused, error=next(iter(answers.values())).message if refused else error)
            else:
                finished.append(req.pk)
        elif req.status != Status.PARTIAL:
            partial.append(req.pk)
    return rows, partial


def _close(finished: list[int], partial: list[int]) -> None:
    """Mark the finished requests done (and their outbox rows), the others partial."""
    if finished:
        InquiryRequest.objects.filter(pk__in=finished).update(
            status=Status.DONE, completed_at=timezone.now(), error=""
        )
        OutboxMessage.objects.filter(request_id__in=finished).update(
            state=OutboxState.DONE, lease_token="", lease_until=None
        )
    if partial:
        InquiryRequest.objects.filter(pk__in=partial).update(status=Status.PARTIAL)


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
