"""Extension requests of the statutory deadline (DL-13): ask, decide, read."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet

from zhixing.cases.choices import DEADLINE_TYPES
from zhixing.cases.loader import load_record
from zhixing.cases.models import Case, NodeEvent
from zhixing.cases.records import CaseRecord, Event
from zhixing.courts.models import Role
from zhixing.flow import rules as flow_rules
from zhixing.flow.models import EXTENSION_TRANSITIONS, ExtensionRequest, ExtensionStatus
from zhixing.flow.services.errors import Conflict, FlowError, Forbidden
from zhixing.flow.services.events import _lock, record_event
from zhixing.flow.services.people import who
from zhixing.lib import periods
from zhixing.lib.clock import today

#: DL-13 (2006 规定): the extension is requested at least 5 days before the deadline expires.
EXTENSION_LEAD_DAYS = 5
#: DL-13 (审限规定第五条): one extension of 3 months; a further one is reported to the high court.
EXTENSION_USUAL_MONTHS = 3
#: DL-13: who approves an extension (审限规定: 院长; 2006 规定: 院长或副院长).
EXTENSION_APPROVERS = frozenset({Role.PRESIDENT, Role.VICE_PRESIDENT})


def deadline_in_force(record: CaseRecord, on: date) -> date | None:
    """indicators.md §2: the statutory deadline in force at the end of ``on`` (rolled)."""
    detail = flow_rules.deadline_detail(record, on)
    return None if detail is None else detail.deadline


def latest_request_day(deadline: date) -> date:
    """DL-13 (2006 规定第一条 [V2]): an extension is requested at least 5 days before the
    deadline expires — on or before deadline − 5 days (PER-1: the request day + 5 days
    reaches the deadline)."""
    return periods.add_days(deadline, -EXTENSION_LEAD_DAYS)


def unrolled_deadline(detail: flow_rules.DeadlineDetail) -> date:
    """indicators.md §2 steps 1–3 without the roll-forward: what an extension's day is
    compared with (an approval after it counts for nothing, even before the rolled day)."""
    extended = detail.base_on
    for months in detail.extensions:
        extended = periods.add_months(extended, months)
    return periods.add_days(extended, detail.excluded_days or 0)


def extension_counts(record: CaseRecord, on: date, months: int) -> bool:
    """indicators.md §2: an ``extension_approved`` dated ``on`` would count — its day is on or
    before the deadline in force then (unrolled, with the excluded days so far). Asked of
    the rule itself rather than re-derived."""
    import dataclasses

    approved = Event("extension_approved", on, len(record.events), {"months": months})
    before = flow_rules.deadline_detail(record, on)
    after = flow_rules.deadline_detail(dataclasses.replace(record, events=(*record.events, approved)), on)
    return before is not None and len(after.extensions) > len(before.extensions)


def extension_warnings(record: CaseRecord, months: int) -> list[str]:
    """DL-13 (审限规定第五条): an extension is normally 3 months; a further one is reported
    to the high court for the record (备案). Warnings, not refusals."""
    out = []
    if months > EXTENSION_USUAL_MONTHS:
        out.append(f"审限规定第五条：延长期限一般为三个月，本次申请 {months} 个月（DL-13）")
    if record.events_of("extension_approved"):
        out.append("本案已延长过执行期限：再次延长应层报高级人民法院备案（DL-13）")
    return out


def can_request_extension(user, case: Case) -> bool:
    """The officers of the case's own court ask for its extension."""
    return user.is_superuser or (user.court_id is not None and user.court_id == case.court_id)


def can_decide_extension(user, request: ExtensionRequest) -> bool:
    """DL-13: the president or a vice-president of the case's court (2006 规定: 院长或副院长)."""
    return user.is_superuser or (user.court_id == request.court_id and user.role in EXTENSION_APPROVERS)


def request_extension(
    case: Case, *, months: Any, reason: str, user, expected_version: int | None = None
) -> ExtensionRequest:
    """Ask to extend the statutory deadline of an open 首执/执恢 case by ``months`` (DL-13).

    Refused: months not a positive whole number; no reason; a case without a deadline or
    closed; a request later than 5 days before the deadline in force today; a request
    already pending for the case."""
    if isinstance(months, bool) or not isinstance(months, int) or months <= 0:
        raise FlowError("months", "延长期限应为正整数月（DL-13）")
    if not (reason or "").strip():
        raise FlowError("reason", "缺少申请理由")
    on = today()
    with transaction.atomic():
        locked = _lock(case, user, expected_version)
        if not can_request_extension(user, locked):
            raise Forbidden("case", "只有本案所在法院可以申请延长执行期限")
        record = load_record(locked.pk)
        if record.case_type not in DEADLINE_TYPES:
            raise FlowError("case", "只有首次执行、恢复执行案件有执行期限（DL-13）")
        if record.closed_on is not None:
            raise FlowError("case", f"案件已于 {record.closed_on} 结案，不能再申请延长")
        deadline = deadline_in_force(record, on)
        if on > latest_request_day(deadline):
            raise FlowError(
                "requested_on",
                f"延长执行期限应在期限届满5日前申请（DL-13）：执行期限 {deadline} 届满，最迟应于 {latest_request_day(deadline)} 申请",
            )
        if ExtensionRequest.objects.filter(case=locked, status=ExtensionStatus.PENDING).exists():
            raise FlowError("case", "本案已有待审批的延长申请")
        return ExtensionRequest.objects.create(
            case=locked,
            court_id=locked.court_id,
            months=months,
            reason=reason.strip(),
            deadline_on=deadline,
            requested_by=user,
            requested_on=on,
        )


def decide_extension(
    request: ExtensionRequest, *, approve: bool, user, note: str = "", version: int | None = None
) -> ExtensionRequest:
    """Approve or reject a pending request (DL-13): only the president or a vice-president
    of the case's court. An approval appends ``extension_approved`` with ``months`` through
    :func:`record_event`, dated the decision day — refused once the deadline in force has
    passed, since a later approval would count for nothing (indicators.md §2: it revives
    nothing). A rejection needs a reason."""
    action = "approve" if approve else "reject"
    if not approve and not (note or "").strip():
        raise FlowError("note", "不批准应说明理由")
    on = today()
    with transaction.atomic():
        locked_case = _lock(request.case_id, user, None)
        fresh = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if not can_decide_extension(user, fresh):
            raise Forbidden("request", "延长执行期限须经本院院长或副院长批准（DL-13）")
        if version is not None and fresh.version != version:
            raise Conflict("version", "该申请已被他人处理，请刷新后重试")
        target = EXTENSION_TRANSITIONS.get((fresh.status, action))
        if target is None:
            raise FlowError("status", f"申请状态为「{ExtensionStatus(fresh.status).label}」，不能再审批")
        event = None
        if approve:
            record = load_record(locked_case.pk)
            if not extension_counts(record, on, fresh.months):
                detail = flow_rules.deadline_detail(record, on)
                raise FlowError(
                    "decided_on",
                    f"执行期限已于 {unrolled_deadline(detail)} 届满（节假日顺延至 {detail.deadline}），"
                    f"{on} 批准的延长不再计入（indicators.md §2：延长须在期限届满前批准，DL-13）",
                )
            event = record_event(
                locked_case,
                "extension_approved",
                on,
                {"months": fresh.months, "request": str(fresh.pk)},
                user=user,
                expected_version=None,
                reason=fresh.reason,
                source=NodeEvent.Source.FORM,
            )
        updated = ExtensionRequest.objects.filter(pk=fresh.pk, version=fresh.version).update(
            status=target,
            decided_by=user,
            decided_on=on,
            decision_note=(note or "").strip(),
            event=event,
            version=F("version") + 1,
        )
        if updated != 1:
            raise Conflict("version", "该申请已被他人处理，请刷新后重试")
        fresh.refresh_from_db()
    return fresh


def extensions_for(user) -> QuerySet[ExtensionRequest]:
    return ExtensionRequest.objects.visible_to(user).select_related(
        "case", "court", "requested_by", "decided_by"
    )


def extension_json(r: ExtensionRequest) -> dict:
    return {
        "id": r.pk,
        "case_number": r.case.case_number,
        "court": r.court.code,
        "months": r.months,
        "reason": r.reason,
        "deadline_on": r.deadline_on.isoformat(),
        "requested_by": who(r.requested_by),
        "requested_on": r.requested_on.isoformat(),
        "status": r.status,
        "status_label": r.get_status_display(),
        "approved": r.approved,
        "decided_by": who(r.decided_by) if r.decided_by_id else None,
        "decided_on": r.decided_on.isoformat() if r.decided_on else None,
        "decision_note": r.decision_note,
        "version": r.version,
        "rule": "DL-13",
    }
