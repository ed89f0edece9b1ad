"""After closing: the 终本案件库 entry and its hiding (TERM-11, TERM-15), the periodic re-query
and its notice to the applicant (TERM-12), and the reminders of every after-closing obligation."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from zhixing.cases.choices import CaseType, ClosingMode
from zhixing.cases.loader import load_record, load_records
from zhixing.cases.models import Case, NodeEvent
from zhixing.cases.records import CaseRecord
from zhixing.lib import periods
from zhixing.lib.clock import today
from zhixing.metrics.models import ObligationFact
from zhixing.termination import followup, validation
from zhixing.termination.models import ApplicantNotice, HidingGround, Reminder, Resumption
from zhixing.termination.services.writes import _append, _commit, _lock
from zhixing.termination.validation import raise_if

AMOUNT_RE = re.compile(r"^\d+(\.\d{1,2})?$")


def record_registry_entry(
    case_id: int, *, user, expected_version: int | None, on: date, source: str = "form"
) -> NodeEvent:
    """录入终本案件库 (TERM-11): ``termination_registry_entry``."""
    with transaction.atomic():
        case = _lock(case_id, user, expected_version)
        raise_if(validation.registry_entry_errors(load_record(case.pk), on=on, today=today()))
        event = _append(case, "termination_registry_entry", on, {}, user, source)
        _commit(case)
        return event


def record_registry_hidden(
    case_id: int, *, user, expected_version: int | None, on: date, note: str = "", source: str = "form"
) -> NodeEvent:
    """屏蔽终本案件库信息 (TERM-15): ``termination_registry_hidden``."""
    with transaction.atomic():
        case = _lock(case_id, user, expected_version)
        raise_if(validation.registry_hidden_errors(load_record(case.pk), on=on, today=today()))
        event = _append(
            case, "termination_registry_hidden", on, {"note": (note or "").strip() or None}, user, source
        )
        _commit(case)
        return event


def record_hiding_ground(
    case_id: int, *, user, expected_version: int | None, arose_on: date, ground: str, note: str = ""
) -> HidingGround:
    """A TERM-15 ground on a 终本 case (performed, 终结执行 ruling, other): from that day the
    registry entry is to be hidden within 3 days."""
    with transaction.atomic():
        case = _lock(case_id, user, expected_version)
        record = load_record(case.pk)
        problems = validation._terminated(record)
        if not problems:
            problems = validation._day("arose_on", "事由发生日", arose_on, record, today())
        if ground not in HidingGround.Ground.values:
            problems.append(
                (
                    "ground",
                    "屏蔽事由应为：" + "、".join(f"{v}（{lbl}）" for v, lbl in HidingGround.Ground.choices),
                )
            )
        raise_if(problems)
        row = HidingGround.objects.create(
            case=case, arose_on=arose_on, ground=ground, note=(note or "").strip(), recorded_by=user
        )
        _commit(case)
        return row


def notice_text(record: CaseRecord, event: NodeEvent) -> str:
    """The notice of a re-query result (TERM-12), in the applicant's words: no ID numbers."""
    found = event.data.get("found") or []
    categories = "、".join(event.data.get("categories") or [])
    if found:
        items = "；".join(f"{f.get('category')}（{f.get('asset')}），价值{f.get('value')}元" for f in found)
        result = (
            f"发现以下财产：{items}。本院将依法处理；您也可以申请恢复执行（不受申请执行时效期间的限制）。"
        )
    else:
        result = "未发现可供执行的财产。本案终结本次执行程序后，本院将继续定期查询。"
    return f"{record.case_number}：本院于{event.on.isoformat()}通过网络执行查控系统对被执行人的{categories}进行了查询，{result}"


def record_post_closing_inquiry(
    case_id: int, *, user, expected_version: int | None, on: date, system: str, categories: list[str],
    found: list[dict[str, str]], party: str | None = None, source: str = "form",
) -> NodeEvent:  # fmt: skip
    """终本后定期网络查询 (TERM-12): ``online_inquiry`` after the closing, and the notice of its
    result to the applicant, queued in the same transaction (``deliver_notices`` sends it)."""
    from zhixing.flow import nodes as N

    with transaction.atomic():
        case = _lock(case_id, user, expected_version)
        record = load_record(case.pk)
        problems = validation.inquiry_errors(record, on=on, party=party, today=today())
        if system not in N.INQUIRY_SYSTEMS:
            problems.append(("system", "查控系统应为：" + "、".join(N.INQUIRY_SYSTEMS)))
        bad = [c for c in categories if c not in N.INQUIRY_CATEGORIES]
        if not categories or bad:
            problems.append(("categories", "查询范围应为以下一项或多项：" + "、".join(N.INQUIRY_CATEGORIES)))
        for i, item in enumerate(found):
            if item.get("category") not in N.INQUIRY_CATEGORIES:
                problems.append((f"found[{i}].category", "财产类别应为：" + "、".join(N.INQUIRY_CATEGORIES)))
            if not str(item.get("asset") or "").strip():
                problems.append((f"found[{i}].asset", "请填写财产编号"))
            value = item.get("value")
            if not isinstance(value, str) or not AMOUNT_RE.match(value):
                problems.append(
                    (f"found[{i}].value", '财产价值应为以字符串表示的金额（元，至多两位小数），如 "523.00"')
                )
        raise_if(problems)
        data = {
            "system": system,
            "categories": list(categories),
            "found": [dict(f) for f in found],
            "party": party,
        }
        event = _append(case, "online_inquiry", on, data, user, source)
        ApplicantNotice.objects.create(case=case, inquiry=event, text=notice_text(record, event))
        _commit(case)
        return event


#: A claim older than this is taken over (the process that claimed it died).
CLAIM_TIMEOUT = timedelta(minutes=10)


def deliver_notices(on: date | None = None, *, channel=None) -> int:
    """Deliver every queued re-query notice (TERM-12): claim it with a conditional UPDATE,
    hand it to ``channel`` (default: the party portal reads the stored text), and record
    ``inquiry_result_notified`` on the case. Idempotent: a delivered notice is never sent again."""
    on = on or today()
    now = timezone.now()
    delivered = 0
    candidates = ApplicantNotice.objects.filter(delivered_on__isnull=True).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    )
    for notice in list(candidates.order_by("pk")):
        claimed = ApplicantNotice.objects.filter(
            pk=notice.pk, delivered_on__isnull=True, claimed_at=notice.claimed_at
        ).update(claimed_at=now)
        if not claimed:
            continue  # another worker has it
        with transaction.atomic():
            case = _lock(notice.case_id, None, None)
            if channel is not None:
                channel(notice)
            day = max(on, notice.inquiry.on)
            event = _append(
                case,
                "inquiry_result_notified",
                day,
                {"note": f"告知{notice.inquiry.on.isoformat()}网络查询结果"},
                None,
                NodeEvent.Source.SYSTEM,
            )
            ApplicantNotice.objects.filter(pk=notice.pk).update(delivered_on=day, event=event)
            _commit(case)
        delivered += 1
    return delivered


def case_followups(record: CaseRecord, case_id: int, as_of: date) -> list[followup.FollowUp]:
    """A 终本 case's after-closing obligations, with its linked 执恢 case and recorded
    TERM-15 grounds from the database."""
    resumed = None
    link = Resumption.objects.filter(original_id=case_id).values_list("resumed_id", flat=True).first()
    if link is not None:
        resumed = load_record(link)
    else:
        other = (
            Case.objects.filter(original_case_number=record.case_number, case_type=CaseType.RESUMED)
            .order_by("filed_on", "pk")
            .first()
        )
        resumed = load_record(other) if other is not None else None
    grounds = [
        (g.arose_on, g.get_ground_display())
        for g in HidingGround.objects.filter(case_id=case_id).order_by("arose_on", "pk")
    ]
    return followup.followups(record, as_of, resumed=resumed, recorded=grounds)


def followup_candidates(qs, as_of: date, lead_days: int) -> list[int]:
    """The 终本 cases that may have an after-closing obligation to remind of, found in SQL so
    the daily job loads only those (a province holds hundreds of thousands of 终本 cases):
    an open K7/K8 due within the lead days (the stored obligation facts); a post-closing
    inquiry later than the last notice (an earlier inquiry is covered by any notice on or
    after its day, so only the latest matters); a TERM-15 ground with a registry entry."""
    horizon = periods.add_days(as_of, lead_days)
    ids = set(
        ObligationFact.objects.filter(
            case__in=qs.values("pk"), key_node__in=("K7", "K8"), done_on__isnull=True, due_on__lte=horizon
        ).values_list("case_id", flat=True)
    )
    effective = {"withdrawn": False, "superseded_by__isnull": True, "on__lte": as_of}
    last_inquiry = (
        NodeEvent.objects.filter(
            case=OuterRef("pk"), node="online_inquiry", on__gt=OuterRef("closed_on"), **effective
        )
        .order_by("-on")
        .values("on")[:1]
    )
    last_notice = (
        NodeEvent.objects.filter(case=OuterRef("pk"), node="inquiry_result_notified", **effective)
        .order_by("-on")
        .values("on")[:1]
    )
    ids |= set(
        qs.annotate(last_inquiry=Subquery(last_inquiry), last_notice=Subquery(last_notice))
        .filter(last_inquiry__isnull=False)
        .filter(Q(last_notice__isnull=True) | Q(last_inquiry__gt=F("last_notice")))
        .values_list("pk", flat=True)
    )
    ended = Case.objects.filter(
        case_type=CaseType.RESUMED, closing_mode__in=list(followup.HIDING_CLOSINGS), closed_on__lte=as_of
    ).values("original_case_number")
    grounds = HidingGround.objects.filter(case=OuterRef("pk"), arose_on__lte=as_of)
    entered = NodeEvent.objects.filter(case=OuterRef("pk"), node="termination_registry_entry", **effective)
    ids |= set(
        qs.filter(Q(case_number__in=ended) | Exists(grounds))
        .filter(Exists(entered))
        .values_list("pk", flat=True)
    )
    return sorted(ids)


def create_reminders(as_of: date, *, lead_days: int = 7, cases=None) -> int:
    """One reminder per open after-closing obligation due within ``lead_days`` (or due
    already; a notice at once). Idempotent: the (case, kind, ref) constraint keeps a second
    run from creating anything."""
    qs = Case.objects.filter(closing_mode=ClosingMode.TERMINATED_CURRENT, closed_on__lte=as_of)
    if cases is not None:
        qs = qs.filter(pk__in=cases.values("pk"))
    candidates = followup_candidates(qs, as_of, lead_days)
    existing = set(Reminder.objects.filter(case_id__in=candidates).values_list("case_id", "kind", "ref"))
    created = 0
    for pk, record in load_records(candidates):
        rows = [
            Reminder(case_id=pk, kind=f.kind, ref=f.ref, due_on=f.due_on, rule=f.rule, text=f.text)
            for f in case_followups(record, pk, as_of)
            if followup.due_for_reminder(f, as_of, lead_days) and (pk, f.kind, f.ref) not in existing
        ]
        if rows:
            Reminder.objects.bulk_create(rows, ignore_conflicts=True)
            created += len(rows)
    return created


def send_reminders(*, channel=None) -> int:
    """Mark each unsent reminder sent (conditional UPDATE: two workers never send one twice);
    ``channel`` delivers it (default: the handler's list on /termination/reminders/)."""
    sent = 0
    for reminder in list(Reminder.objects.filter(sent_at__isnull=True).order_by("pk")):
        if Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=timezone.now()):
            if channel is not None:
                channel(reminder)
            sent += 1
    return sent
