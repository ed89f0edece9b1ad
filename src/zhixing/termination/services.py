"""Every state change of 终本 management: one typed function per act.

Each function owns its transaction: it locks the case row first (``select_for_update``),
rejects a stale ``expected_version``, validates the act against the case as it is now
(``validation``: a clear Chinese error naming the field and the rule, nothing saved),
appends the node events (append-only ``NodeEvent`` rows with who and when) and its own
history row, bumps ``Case.version`` with a conditional UPDATE, stores the new fingerprint,
and derives the case's facts again in the same transaction (``refresh_facts`` and the
stored 终本 verdict parts). Nothing here ever lifts a measure (TERM-14).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from zhixing.cases.bundle import fingerprint
from zhixing.cases.casenumber import CaseNumber
from zhixing.cases.choices import CaseType, ClosingMode
from zhixing.cases.loader import load_record, load_records
from zhixing.cases.models import Case, NodeEvent, Party
from zhixing.cases.records import CaseRecord
from zhixing.courts.models import Court, Role
from zhixing.lib import errors, periods
from zhixing.lib.clock import today
from zhixing.metrics.facts import refresh_facts
from zhixing.metrics.models import ObligationFact
from zhixing.termination import followup, rules, validation
from zhixing.termination.facts import refresh_termination_facts
from zhixing.termination.models import (
    ApplicantNotice,
    Approval,
    CaseNumberCounter,
    HidingGround,
    Interview,
    Reminder,
    Resumption,
    ReviewCampaign,
    ReviewFinding,
    ReviewItem,
    Ruling,
    TerminationClosing,
)
from zhixing.termination.validation import InputError, StaleVersion, raise_if

#: Roles that may approve a 终本 closing whose checks failed (issue item 2: "the bureau chief").
OVERRIDE_ROLES = frozenset({Role.BUREAU_CHIEF})
SYSTEM = "系统"
AMOUNT_RE = re.compile(r"^\d+(\.\d{1,2})?$")


class NotAllowed(errors.NotAllowed, InputError):
    """The user may not do this (a 403 in the API; the case itself is visible)."""


def who(user) -> str:
    return (getattr(user, "display_name", "") or user.get_username()) if user is not None else SYSTEM


# -- the common write path -------------------------------------------------------------------


def _may_act(user, case: Case) -> bool:
    if user is None:
        return True  # background jobs
    if user.is_superuser:
        return True
    return user.visible_courts().filter(pk=case.court_id).exists()


def _lock(case_id: int, user, expected_version: int | None) -> Case:
    """Lock the case row (always first: design.md's fixed lock order) and check who acts and
    that nobody changed the case since the form was loaded."""
    case = Case.objects.select_for_update().select_related("court").get(pk=case_id)
    if not _may_act(user, case):
        raise NotAllowed([("case", "无权办理本案")])
    if expected_version is not None and case.version != expected_version:
        raise StaleVersion(expected_version, case.version)
    return case


def _append(case: Case, node: str, on: date, data: dict[str, Any], user, source: str) -> NodeEvent:
    """One append-only node event, ordered after every event already entered that day."""
    last = NodeEvent.objects.filter(case=case).aggregate(m=Max("position"))["m"]
    data = {k: v for k, v in data.items() if v is not None}
    data.setdefault("by", who(user))
    return NodeEvent.objects.create(
        case=case, node=node, on=on, data=data, position=(last or 0) + 1, source=source, recorded_by=user
    )


def _commit(case: Case, **fields: Any) -> CaseRecord:
    """Bump the version with a conditional UPDATE (a concurrent writer that slipped past the
    lock, or a stale in-memory row, makes it fail), store the fingerprint of the case as it
    now is, and derive its facts again."""
    if fields:
        Case.objects.filter(pk=case.pk).update(**fields)  # closing fields first: the record reads them
    record = load_record(case.pk)
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        version=F("version") + 1, fingerprint=fingerprint(record), updated_at=timezone.now()
    )
    if updated != 1:
        raise StaleVersion(case.version, Case.objects.get(pk=case.pk).version)
    case.version += 1
    for name, value in fields.items():
        setattr(case, name, value)
    _refresh([(case.pk, record)])
    return record


def _refresh(pairs: list[tuple[int, CaseRecord]]) -> None:
    refresh_facts(pairs)
    refresh_termination_facts(pairs)


# -- the gate and the closing (issue item 2) ------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    """What the officer sees before closing: errors that forbid the closing, and the checks
    as of the closing day."""

    closed_on: date
    errors: list[tuple[str, str]]
    verdict: rules.TerminationVerdict | None

    @property
    def needs_override(self) -> bool:
        return self.verdict is not None and bool(self.verdict.failed)

    def to_json(self) -> dict[str, Any]:
        return {
            "closed_on": self.closed_on.isoformat(),
            "errors": [{"field": f, "message": m} for f, m in self.errors],
            "verdict": self.verdict.to_json() if self.verdict else None,
            "needs_override": self.needs_override,
        }


def preview_closing(case: Case, closed_on: date) -> Gate:
    """The gate without saving anything: run the checks as of ``closed_on``."""
    record = load_record(case.pk)
    errors = validation.closing_errors(record, closed_on, today())
    verdict = (
        None
        if any(f in ("closed_on", "case_type") for f, _ in errors)
        else validation.gate_verdict(record, closed_on)
    )
    return Gate(closed_on, errors, verdict)


def may_override(user, case: Case) -> bool:
    return user is not None and (user.is_superuser or (user.role in OVERRIDE_ROLES and _may_act(user, case)))


def close_by_termination(
    case_id: int,
    *,
    user,
    expected_version: int | None,
    closed_on: date,
    override_reason: str = "",
    source: str = "form",
) -> TerminationClosing:
    """Close a case by 终结本次执行程序 through the gate. Closing with failed checks needs the
    bureau chief (of the case's court or a court above it) and a reason; the verdict at
    closing is kept. The measures in force stay in force (TERM-14): nothing is lifted."""
    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        case = _lock(case_id, user, expected_version)
        record = load_record(case.pk)
        raise_if(validation.closing_errors(record, closed_on, today()))
        verdict = validation.gate_verdict(record, closed_on)
        overridden = bool(verdict.failed)
        if overridden:
            listing = "；".join(verdict.reasons[c] for c in verdict.failed)
            if not may_override(user, case):
                raise NotAllowed(
                    [
                        (
                            "override_reason",
                            f"终本检查未通过，须由执行局长批准并说明理由后结案。未通过项：{listing}",
                        )
                    ]
                )
            if not override_reason:
                raise InputError(
                    [("override_reason", f"终本检查未通过，批准结案须填写理由。未通过项：{listing}")]
                )
        closing = TerminationClosing.objects.create(
            case=case,
            closed_on=closed_on,
            verdict=verdict.verdict,
            failed=list(verdict.failed),
            pending=list(verdict.pending),
            reasons=dict(verdict.reasons),
            overridden=overridden,
            override_reason=override_reason if overridden else "",
            closed_by=user,
            approved_by=user if overridden else None,
        )
        _commit(case, closed_on=closed_on, closing_mode=ClosingMode.TERMINATED_CURRENT)
        # A resumed case's original may be waiting on this closing (TERM-15 grounds): its
        # follow-up is derived when read, so nothing else to do.
        return closing


# -- interview and ruling (issue item 3) ------------------------------------------------------------


def record_interview(
    case_id: int, *, user, expected_version: int | None, on: date, applicant: str, attendee: str, interviewers: str,
    place: str, told: dict[str, bool], opinion: str, statement: str = "", recorder: str = "", source: str = "form",
) -> Interview:  # fmt: skip
    """约谈申请执行人 (TERM-8): appends ``applicant_interview`` (with ``opinion`` and ``party``)
    and keeps who, where and what was said for the 约谈笔录."""
    with transaction.atomic():
        case = _lock(case_id, user, expected_version)
        record = load_record(case.pk)
        problems = validation.interview_errors(
            record, on=on, applicant=applicant, told=told, opinion=opinion, today=today()
        )
        for field, value, label in (
            ("attendee", attendee, "到场人员"),
            ("interviewers", interviewers, "约谈人"),
            ("place", place, "约谈地点"),
        ):
            if not (value or "").strip():
                problems.append((field, f"请填写{label}"))
        raise_if(problems)
        event = _append(
            case, "applicant_interview", on, {"opinion": opinion, "party": applicant}, user, source
        )
        interview = Interview.objects.create(
            case=case, event=event, interviewed_on=on, applicant=applicant, attendee=attendee.strip(),
            interviewers=interviewers.strip(), recorder=(recorder or "").strip(), place=place.strip(),
            told_progress=True, told_measures=True, told_property=True, told_basis=True,
            opinion=opinion, statement=(statement or "").strip(), recorded_by=user,
        )  # fmt: skip
        _commit(case)
        return interview


def record_ruling(
    case_id: int, *, user, expected_version: int | None, on: date, approval: str, presiding: str, clerk: str,
    judges: str = "", collegial_on: date | None = None, president_on: date | None = None,
    process_note: str = "", property_note: str = "", source: str = "form",
) -> Ruling:  # fmt: skip
    """终结本次执行程序裁定 (TERM-9, TERM-10). With ``approval`` = panel the collegial review
    and the president's approval are recorded as their own node events."""
    with transaction.atomic():
        case = _lock(case_id, user, expected_version)
        record = load_record(case.pk)
        problems = validation.ruling_errors(
            record,
            on=on,
            approval=approval,
            collegial_on=collegial_on,
            president_on=president_on,
            today=today(),
        )
        for field, value, label in (("presiding", presiding, "审判长或执行员"), ("clerk", clerk, "书记员")):
            if not (value or "").strip():
                problems.append((field, f"请填写{label}"))
        raise_if(problems)
        if approval == Approval.PANEL:
            _append(case, "collegial_review", collegial_on, {}, user, source)
            _append(case, "president_approval", president_on, {}, user, source)
        event = _append(case, "termination_ruling", on, {}, user, source)
        ruling = Ruling.objects.create(
            case=case, event=event, ruled_on=on, approval=approval, presiding=presiding.strip(), judges=(judges or "").strip(),
            clerk=clerk.strip(), process_note=(process_note or "").strip(), property_note=(property_note or "").strip(),
            recorded_by=user,
        )  # fmt: skip
        _commit(case)
        return ruling


def record_service(
    case_id: int, *, user, expected_version: int | None, on: date, source: str = "form"
) -> NodeEvent:
    """The ruling served on the applicant (TERM-10): ``ruling_served``."""
    with transaction.atomic():
        case = _lock(case_id, user, expected_version)
        raise_if(validation.service_errors(load_record(case.pk), on=on, today=today()))
        event = _append(case, "ruling_served", on, {}, user, source)
        _commit(case)
        return event


# -- after closing (issue item 4) -------------------------------------------------------------------


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


# -- resumption (issue item 5) -----------------------------------------------------------------------


def next_case_number(court: Court, type_code: str, year: int) -> str:
    """The next free 案号 for (court, type, year) (CASENO-6/7). Call inside a transaction: it
    locks the court row, then the counter, so concurrent callers queue; a number already
    taken (e.g. imported) is skipped."""
    Court.objects.select_for_update().get(pk=court.pk)
    counter, _ = CaseNumberCounter.objects.select_for_update().get_or_create(
        court=court, type_code=type_code, year=year
    )
    seq = counter.last
    while True:
        seq += 1
        number = str(CaseNumber(year, court.code, type_code, seq))
        if not Case.objects.filter(case_number=number).exists():
            break
    CaseNumberCounter.objects.filter(pk=counter.pk).update(last=seq)
    return number


def resume(
    case_id: int,
    *,
    user,
    expected_version: int | None,
    filed_on: date,
    reason: str,
    handler: str = "",
    source: str = "form",
) -> Resumption:
    """恢复执行 (CLOSE-6, CASENO-7, TERM-13): open a new 执恢 case from a 终本 case with a
    number of the filing year, the same parties, the unpaid amount as its claim, the
    original as ``original_case_number``; the measures in force carry over (TERM-14) and
    are listed on both cases. The original gains the link (and its K8 obligations after
    the filing day are dropped, indicators.md §3)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        original = _lock(case_id, user, expected_version)
        record = load_record(original.pk)
        already = (
            Case.objects.filter(original_case_number=original.case_number, case_type=CaseType.RESUMED)
            .values_list("case_number", flat=True)
            .first()
        )
        problems = validation.resumption_errors(record, filed_on=filed_on, already=already, today=today())
        if not reason:
            problems.append(("reason", "请填写恢复执行事由（如：发现被执行人有可供执行财产）"))
        raise_if(problems)
        number = next_case_number(original.court, "执恢", filed_on.year)
        unpaid = record.unpaid.quantize(Decimal("0.01"))
        resumed = Case.objects.create(
            case_number=number, court=original.court, case_type=CaseType.RESUMED, filed_on=filed_on,
            original_case_number=original.case_number, basis=original.basis, claim_amount=unpaid,
            recovered_amount=Decimal("0.00"), tags=list(original.tags), handler=(handler or original.handler),
            fingerprint="",
        )  # fmt: skip
        Party.objects.bulk_create(
            [
                Party(
                    case=resumed,
                    court=resumed.court,
                    local_id=p.local_id,
                    role=p.role,
                    kind=p.kind,
                    name=p.name,
                    id_number=p.id_number,
                    credit_code=p.credit_code,
                    birth_date=p.birth_date,
                    legal_representative=p.legal_representative,
                    special=p.special,
                    extra=p.extra,
                    position=p.position,
                )
                for p in original.parties.order_by("position")
            ]
        )
        measures = [m.to_json() for m in followup.live_measures(record, filed_on)]
        link = Resumption.objects.create(
            original=original,
            resumed=resumed,
            unpaid_amount=unpaid,
            carried_measures=measures,
            reason=reason,
            recorded_by=user,
        )
        new_record = load_record(resumed.pk)
        Case.objects.filter(pk=resumed.pk).update(fingerprint=fingerprint(new_record))
        _refresh([(resumed.pk, new_record)])
        _commit(original)  # the original's facts now see resumed_on
        return link


# -- cross-review (issue item 6) ----------------------------------------------------------------------


def sample_closings(campaign_key: str, court_code: str, population: list[str], k: int) -> list[str]:
    """A reproducible random sample of ``k`` case numbers: ``random.Random`` seeded from the
    campaign's key and the court's code, drawn from the population sorted by case number (so
    the database's row order does not matter)."""
    ordered = sorted(population)
    rng = random.Random(f"{campaign_key}|{court_code}")
    return sorted(rng.sample(ordered, min(k, len(ordered))))


def assign_reviewer_courts(subjects: list[str], organiser: str) -> dict[str, str]:
    """Each subject court's sample goes to another court: subject courts in code order each
    review the next one's closings (a ring); a lone subject court is reviewed by the
    organising court."""
    ordered = sorted(subjects)
    if len(ordered) == 1:
        return {ordered[0]: organiser}
    return {code: ordered[(i + 1) % len(ordered)] for i, code in enumerate(ordered)}


#: Who may be assigned a review by default: the bureau's judicial staff.
REVIEW_ROLES = frozenset({Role.JUDGE, Role.OFFICER, Role.ASSISTANT, Role.TEAM_LEAD, Role.BUREAU_CHIEF})


def create_campaign(
    *, user, key: str, court: Court, period_start: date, period_end: date, per_court: int, as_of: date | None = None,
    reviewers=None,
) -> ReviewCampaign:  # fmt: skip
    """交叉互评: draw each subordinate court's sample of 终本 closings in the period, snapshot
    the automatic verdicts at ``as_of`` (default: today), and assign each sample to another
    court's reviewers: round-robin, in username order, over ``reviewers`` of that court
    (default: its active users in :data:`REVIEW_ROLES`)."""
    key = (key or "").strip()
    as_of = as_of or today()
    problems: list[tuple[str, str]] = []
    if not key:
        problems.append(("key", "请填写评查批次编号"))
    elif ReviewCampaign.objects.filter(key=key).exists():
        problems.append(("key", f"评查批次编号“{key}”已存在"))
    if period_end < period_start:
        problems.append(("period_end", "结案期间止日早于起日"))
    if as_of < period_end:
        problems.append(
            ("as_of", f"自动检查截至日（{as_of.isoformat()}）早于结案期间止日（{period_end.isoformat()}）")
        )
    if per_court < 1:
        problems.append(("per_court", "每院抽查件数至少为1"))
    if not (user.is_superuser or (user.supervises and user.visible_courts().filter(pk=court.pk).exists())):
        raise NotAllowed([("court", "只有上级法院的执行局长、院领导或指挥中心可以组织交叉互评")])
    subordinates = list(
        Court.objects.filter(path__startswith=court.path).exclude(pk=court.pk).order_by("code")
    )
    if not subordinates:
        problems.append(("court", f"{court.name}没有下级法院"))
    raise_if(problems)
    closings = Case.objects.filter(
        court__in=subordinates, case_type__in=[CaseType.FIRST, CaseType.RESUMED],
        closing_mode=ClosingMode.TERMINATED_CURRENT, closed_on__gte=period_start, closed_on__lte=period_end,
    )  # fmt: skip
    by_court: dict[str, list[str]] = {}
    for number, code in closings.values_list("case_number", "court__code"):
        by_court.setdefault(code, []).append(number)
    with transaction.atomic():
        campaign = ReviewCampaign.objects.create(
            key=key, court=court, period_start=period_start, period_end=period_end, per_court=per_court,
            as_of=as_of, created_by=user,
        )  # fmt: skip
        if not by_court:
            return campaign
        courts = {c.code: c for c in Court.objects.filter(code__in=[*by_court, court.code])}
        reviewers_of = assign_reviewer_courts(list(by_court), court.code)
        items = []
        for code in sorted(by_court):
            chosen = sample_closings(key, code, by_court[code], per_court)
            reviewer_court = courts[reviewers_of[code]]
            if reviewers is not None:
                people = sorted(
                    (u for u in reviewers if u.court_id == reviewer_court.pk), key=lambda u: u.username
                )
            else:
                people = list(
                    reviewer_court.users.filter(is_active=True, role__in=REVIEW_ROLES).order_by("username")
                )
            ids = dict(Case.objects.filter(case_number__in=chosen).values_list("case_number", "pk"))
            records = dict(load_records(list(ids.values())))
            for i, number in enumerate(chosen):
                verdict = rules.check_termination(records[ids[number]], as_of)
                items.append(
                    ReviewItem(
                        campaign=campaign,
                        case_id=ids[number],
                        subject_court=courts[code],
                        reviewer_court=reviewer_court,
                        reviewer=people[i % len(people)] if people else None,
                        position=i,
                        auto_verdict=verdict.verdict,
                        auto_failed=list(verdict.failed),
                        auto_pending=list(verdict.pending),
                        auto_reasons=dict(verdict.reasons),
                    )
                )
        ReviewItem.objects.bulk_create(items)
        return campaign


def reviewable_items(user):
    """Items a user reviews: those assigned to their court (to them or to nobody in
    particular); the organising court's users see every item of their campaigns."""
    if user is None or not user.is_authenticated:
        return ReviewItem.objects.none()
    if user.is_superuser:
        return ReviewItem.objects.all()
    mine = Q(reviewer_court_id=user.court_id) & (Q(reviewer=user) | Q(reviewer__isnull=True))
    if user.supervises:
        mine |= Q(campaign__court__in=user.visible_courts())
    return ReviewItem.objects.filter(mine)


def record_review(
    item_id: int, *, user, findings: dict[str, tuple[bool, str]], comment: str = ""
) -> ReviewItem:
    """A reviewer's verdict on every check T1–T14 of one sampled closing (checks pending at
    the campaign's as-of may be left out). A second review of the same item is refused."""
    with transaction.atomic():
        item = ReviewItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None or not (
            user.is_superuser
            or (item.reviewer_court_id == user.court_id and item.reviewer_id in (None, user.pk))
        ):
            raise NotAllowed([("item", "本案不是分配给您的评查案件")])
        problems: list[tuple[str, str]] = []
        if item.reviewed_at is not None:
            problems.append(("item", f"本案已于{timezone.localtime(item.reviewed_at):%Y-%m-%d %H:%M}评查"))
        unknown = sorted(set(findings) - set(rules.CHECK_IDS))
        if unknown:
            problems.append(("findings", f"未知的检查项：{'、'.join(unknown)}（应为 T1…T14）"))
        needed = [c for c in rules.CHECK_IDS if c not in item.auto_pending]
        missing = [c for c in needed if c not in findings]
        if missing:
            problems.append(("findings", f"请对每一检查项给出意见，缺少：{'、'.join(missing)}"))
        raise_if(problems)
        ReviewFinding.objects.bulk_create(
            [
                ReviewFinding(
                    item=item, check_id=c, passes=bool(findings[c][0]), note=(findings[c][1] or "").strip()
                )
                for c in rules.CHECK_IDS
                if c in findings
            ]
        )
        ReviewItem.objects.filter(pk=item.pk).update(
            reviewed_at=timezone.now(), reviewed_by=user, comment=(comment or "").strip()
        )
        item.refresh_from_db()
        return item


__all__ = [
    "Gate",
    "InputError",
    "NotAllowed",
    "StaleVersion",
    "close_by_termination",
    "create_campaign",
    "create_reminders",
    "deliver_notices",
    "next_case_number",
    "preview_closing",
    "record_hiding_ground",
    "record_interview",
    "record_post_closing_inquiry",
    "record_registry_entry",
    "record_registry_hidden",
    "record_review",
    "record_ruling",
    "record_service",
    "resume",
    "send_reminders",
]
