"""The delivery worker: claim due outbox rows with a lease, send pending ones in batches,
poll sent ones, apply the answers, retry failures with backoff, mark rows stuck; and
the pushed answers (callbacks)."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhixing.courts.models import Court
from zhixing.inquiry import connectors
from zhixing.inquiry.connectors import ConnectorError, PollItem
from zhixing.inquiry.models import (
    InquiryRequest,
    OutboxMessage,
    OutboxState,
    Status,
)
from zhixing.inquiry.services.answers import apply_answers_many
from zhixing.inquiry.services.wire import payload


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
