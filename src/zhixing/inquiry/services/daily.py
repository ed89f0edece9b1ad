"""The daily job: inquiries for new cases, the 6-monthly re-query after 终本 (TERM-12)
and renewals of restraints before expiry (DL-20). Idempotent."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from zhixing.cases.choices import IMPLEMENTATION_TYPES, ClosingMode, PartyRole
from zhixing.cases.models import Case, NodeEvent, Party
from zhixing.cases.records import Event
from zhixing.courts.models import Court
from zhixing.flow import rules_restraints as R
from zhixing.flow import services as flow
from zhixing.inquiry.models import (
    ALL_CATEGORIES,
    CONTROLLABLE,
    InquiryRequest,
    Kind,
    Origin,
    OutboxMessage,
    System,
)
from zhixing.inquiry.services.errors import InquiryError
from zhixing.inquiry.services.requests import _notice, request_inquiry
from zhixing.lib import periods
from zhixing.lib.clock import today

log = logging.getLogger(__name__)


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
