"""Every change in the process flow, and the supervision around deadlines (issue 4).

- :func:`record_event`, :func:`correct_event`, :func:`withdraw_event`: the one way forms,
  the API and jobs append to a case's node log (``NodeEvent``, append-only). Each
  validates the case *as it would be* with the bundle's own rules (``parse_case`` of the
  changed case), refuses future dates and acts that discharge an obligation before its
  trigger, checks the version the caller read (conditional UPDATE), and derives that
  case's facts again — only that case's. :func:`record_events_bulk` applies the same
  checks to many events of many cases in one transaction (machine answers): one bulk
  load, one insert, one facts refresh; a refused event is refused alone.
- Extension requests (DL-13): :func:`request_extension`, :func:`decide_extension`.
- Jobs: :func:`scan_overdue` (daily alerts, idempotent), :func:`resume_due` (suspensions
  that end by themselves, idempotent).
- Read side: :func:`queue` (due soon / overdue per officer, team or court),
  :func:`expiring_restraints` (DL-20), :func:`case_supervision` (PER-7 warning etc.).

Bad input raises :class:`FlowError` naming the field and the rule (Chinese); nothing is
saved. A stale version raises :class:`Conflict`; an act the user's role or court does
not allow raises :class:`Forbidden`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhixing.cases.bundle import BundleError, case_to_bundle, fingerprint, parse_case
from zhixing.cases.choices import DEADLINE_TYPES
from zhixing.cases.loader import load_record, load_records
from zhixing.cases.models import Case, NodeEvent
from zhixing.cases.records import CaseRecord, Event
from zhixing.courts.models import Court, Role
from zhixing.flow import checks
from zhixing.flow import rules as flow_rules
from zhixing.flow import rules_restraints as R
from zhixing.flow.models import EXTENSION_TRANSITIONS, Alert, ExtensionRequest, ExtensionStatus
from zhixing.flow.nodes import NODES
from zhixing.lib import errors, periods
from zhixing.lib.clock import today
from zhixing.metrics.facts import refresh_facts
from zhixing.metrics.models import CaseFact, ObligationFact

SYSTEM = "系统"
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: Nodes whose entry must go through the 失信 decision workflow (credit.services), which
#: numbers the decision document and keeps the published list in step (CREDIT-1…CREDIT-9).
CREDIT_NODES = frozenset({"credit_listing", "credit_deletion", "credit_revocation", "credit_correction"})

#: DL-13 (2006 规定): the extension is requested at least 5 days before the deadline expires.
EXTENSION_LEAD_DAYS = 5
#: DL-13 (审限规定第五条): one extension of 3 months; a further one is reported to the high court.
EXTENSION_USUAL_MONTHS = 3
#: DL-13: who approves an extension (审限规定: 院长; 2006 规定: 院长或副院长).
EXTENSION_APPROVERS = frozenset({Role.PRESIDENT, Role.VICE_PRESIDENT})


class FlowError(errors.Refused, ValueError):
    """Bad input: ``field`` names the input, ``message`` says the rule (Chinese)."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class Conflict(errors.Conflict, FlowError):
    """Someone else changed the case (or the request) since the caller read it."""


class Forbidden(errors.NotAllowed, FlowError):
    """The user may see the case but not do this to it."""


def who(user) -> str:
    """The name recorded as ``by`` and matched against a case's ``handler``."""
    if user is None:
        return SYSTEM
    return getattr(user, "display_name", "") or user.get_username()


def can_act(user, case: Case) -> bool:
    """Recording on a case: background jobs (``user=None``), a superuser, or a user of a
    court that sees the case's court (their own court; a supervising role also below it)."""
    if user is None or user.is_superuser:
        return True
    return user.visible_courts().filter(pk=case.court_id).exists()


# -- the node log ----------------------------------------------------------------------------------


def _effective_rows(case_id: int) -> list[NodeEvent]:
    """The rows the loader turns into the record's events, in the record's order."""
    return list(
        NodeEvent.objects.filter(case_id=case_id, withdrawn=False, superseded_by__isnull=True).order_by(
            "on", "position", "pk"
        )
    )


def _clean(node: str, on: Any, data: Any, *, for_correction: bool = False) -> tuple[date, dict]:
    if node not in NODES:
        raise FlowError("node", f"未知的节点代码 {node!r}")
    if not for_correction and node in CREDIT_NODES:
        raise FlowError(
            "node", f"{NODES[node].label}须通过失信决定办理（载明决定书文号，并同步公布名单，CREDIT-1）"
        )
    if isinstance(on, str):
        if not _DATE_RE.match(on):
            raise FlowError("on", f"日期格式应为 YYYY-MM-DD，实际为 {on!r}")
        try:
            on = date.fromisoformat(on)
        except ValueError:
            raise FlowError("on", f"日期 {on} 不存在") from None
    if not isinstance(on, date):
        raise FlowError("on", "缺少日期")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FlowError("data", "节点内容应为对象")
    if "node" in data or "on" in data:
        raise FlowError("data", "节点内容不能含 node 或 on 字段")
    if on > today():
        raise FlowError("on", f"日期 {on} 晚于今天（{today()}），不能预先登记")
    return on, {k: v for k, v in data.items() if v is not None}


def _validated(case: Case, before: CaseRecord, events: list[dict], new_index: int | None) -> CaseRecord:
    """The case as it would be with ``events`` (bundle shape), checked by the bundle's own
    rules; a broken rule becomes a FlowError naming the field of the act."""
    obj = case_to_bundle(before)
    obj["events"] = events
    try:
        after = parse_case(obj, today=today())
    except BundleError as e:
        prefix = f"events[{new_index}]" if new_index is not None else None
        if prefix and e.field == prefix + ".on":
            raise FlowError("on", e.message) from None
        if prefix and e.field.startswith(prefix + "."):
            name = e.field[len(prefix) + 1 :]
            raise FlowError("node" if name == "node" else name, e.message) from None
        if e.field.startswith("events["):
            i = int(e.field[len("events[") : e.field.index("]")])
            other = events[i]
            raise FlowError(
                "event", f"{checks.label(other.get('node'))}（{other.get('on')}）：{e.message}"
            ) from None
        raise FlowError(e.field, e.message) from None
    if problems := checks.introduced(before, after):
        raise FlowError("on", problems[0])
    return after


def _bump(case: Case, record: CaseRecord) -> None:
    """Optimistic concurrency: the version the lock read becomes version + 1 with a
    conditional UPDATE, or the caller lost a race (0 rows)."""
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        version=F("version") + 1, fingerprint=fingerprint(record), updated_at=timezone.now()
    )
    if updated != 1:
        current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first()
        raise Conflict("version", f"案件已被他人修改（版本 {case.version} → {current}），请刷新后重试")
    case.version += 1


def _bump_many(pairs: list[tuple[Case, CaseRecord]]) -> None:
    """:func:`_bump` for many cases with one ``executemany`` (the same conditional UPDATE
    per case: a lost race is a Conflict and the caller's transaction rolls back)."""
    q = connection.ops.quote_name
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {q(Case._meta.db_table)} SET version = version + 1, fingerprint = %s, updated_at = %s"
            f" WHERE {q(Case._meta.pk.column)} = %s AND version = %s",
            [(fingerprint(record), now, case.pk, case.version) for case, record in pairs],
        )
        updated = cursor.rowcount
    if updated != len(pairs) and updated != -1:
        raise Conflict("version", "案件已被他人修改，请刷新后重试")
    for case, _ in pairs:
        case.version += 1


def _refresh(case_id: int) -> CaseRecord:
    """Derive this case's facts again (and only this case's), in the caller's transaction
    (refresh_facts also writes the 终本 verdict rows)."""
    record = load_record(case_id)
    refresh_facts([(case_id, record)])
    return record


def _lock(case: Case | int, user, expected_version: int | None) -> Case:
    """Lock the case row (always first: the fixed lock order) and check who acts and the
    version the caller read."""
    pk = case.pk if isinstance(case, Case) else case
    locked = Case.objects.select_for_update().select_related("court").get(pk=pk)
    if not can_act(user, locked):
        raise Forbidden("case", "无权办理本案")
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            "version", f"案件已被他人修改（版本 {expected_version} → {locked.version}），请刷新后重试"
        )
    return locked


def _pre_checks(before: CaseRecord, node: str, on: date, data: dict) -> None:
    if on < before.filed_on and node != "clue_received":
        raise FlowError("on", f"日期 {on} 早于立案日期 {before.filed_on}")
    for field, message in checks.planned_end_problems(node, on, data) + checks.interval_end_problems(
        before, node, on
    ):
        raise FlowError(field, message)


def _next_position(case: Case) -> int:
    last = NodeEvent.objects.filter(case=case).aggregate(m=Max("position"))["m"]
    return (last or 0) + 1


def record_event(
    case: Case,
    node: str,
    on: date | str,
    data: dict | None,
    *,
    user,
    expected_version: int | None,
    reason: str = "",
    source: str = NodeEvent.Source.FORM,
) -> NodeEvent:
    """Append one process node to ``case`` (design.md: the one typed service).

    Refused with a FlowError, nothing saved: an unknown node; a date after today (no
    entry in advance) or before filing (except ``clue_received``, case-bundle.md); a
    missing or bad field by the bundle's rules (e.g. ``extension_approved`` months ≤ 0,
    DL-13); an ``until`` (planned resumption) not after the start, or an ``_end`` before
    its start (DL-14); an event that discharges an obligation before its trigger
    (:func:`checks.discharge_order_problems`); 失信 nodes (they go through the credit
    decision workflow). A past date is allowed: the row keeps when it was entered
    (``recorded_at``) and the optional ``reason``.

    ``expected_version``: the ``Case.version`` the caller's form showed; a different
    current version is a Conflict. ``None`` (jobs only) acts on the current version.
    The version is bumped with a conditional UPDATE and only this case's facts are
    derived again, in the same transaction.
    """
    on, data = _clean(node, on, data)
    if user is not None:
        data["by"] = who(user)  # who recorded it (case-bundle.md), never what the input claims
    data.setdefault("by", SYSTEM)
    with transaction.atomic():
        locked = _lock(case, user, expected_version)
        before = load_record(locked.pk)
        _pre_checks(before, node, on, data)
        events = [{"node": e.node, "on": e.on.isoformat(), **e.data} for e in before.events]
        events.append({"node": node, "on": on.isoformat(), **data})
        _validated(locked, before, events, len(events) - 1)
        row = NodeEvent.objects.create(
            case=locked,
            node=node,
            on=on,
            data=data,
            position=_next_position(locked),
            reason=reason.strip(),
            source=source,
            recorded_by=user if user is not None and user.is_authenticated else None,
        )
        _bump(locked, load_record(locked.pk))
        _refresh(locked.pk)
    if isinstance(case, Case):
        case.version = locked.version
    return row


@dataclass(frozen=True, slots=True)
class NewEvent:
    """One event for :func:`record_events_bulk`: what :func:`record_event` takes for one case."""

    case_id: int
    node: str
    on: date | str
    data: dict | None
    reason: str = ""


def record_events_bulk(
    items: list[NewEvent], *, user=None, source: str = NodeEvent.Source.SYSTEM
) -> list[NodeEvent | FlowError]:
    """Append many events to many cases in one transaction (machine answers, jobs): the
    bulk form of :func:`record_event`, with the same rules and the same result per event.

    Each item is checked exactly as :func:`record_event` checks it (``_clean``,
    ``_pre_checks``, the case as it would be through the bundle parser, no discharge
    before its trigger) against its case *including the items before it* (several events
    of one case are appended in order). A refused item is a FlowError in its place of the
    returned list and nothing of it is saved; the others are saved. A case's version is
    bumped once per call (not per event), without an expected version (jobs act on the
    current one). Cost per call instead of
    per event: the cases are locked in id order (the fixed lock order, so two callers
    never deadlock) and loaded with one bulk load, the events inserted with one
    bulk_create, and the facts of the touched cases derived once (``refresh_facts``)."""
    results: list[NodeEvent | FlowError | None] = [None] * len(items)
    cleaned: dict[int, tuple[date, dict]] = {}
    for i, item in enumerate(items):
        try:
            on, data = _clean(item.node, item.on, item.data)
        except FlowError as e:
            results[i] = e
            continue
        if user is not None:
            data["by"] = who(user)
        data.setdefault("by", SYSTEM)
        cleaned[i] = (on, data)
    if not cleaned:
        return results  # type: ignore[return-value]
    ids = sorted({items[i].case_id for i in cleaned})
    recorded_by = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        locked = {
            c.pk: c
            for c in Case.objects.select_for_update()
            .select_related("court")
            .filter(pk__in=ids)
            .order_by("pk")
        }
        current = dict(load_records(list(locked)))
        positions = dict(
            NodeEvent.objects.filter(case_id__in=list(locked))
            .values("case_id")
            .annotate(m=Max("position"))
            .values_list("case_id", "m")
        )
        rows: list[tuple[int, NodeEvent]] = []
        for i, (on, data) in cleaned.items():
            item = items[i]
            case = locked.get(item.case_id)
            try:
                if case is None:
                    raise FlowError("case", "没有这个案件")
                if not can_act(user, case):
                    raise Forbidden("case", "无权办理本案")
                before = current[case.pk]
                _pre_checks(before, item.node, on, data)
                events = [{"node": e.node, "on": e.on.isoformat(), **e.data} for e in before.events]
                events.append({"node": item.node, "on": on.isoformat(), **data})
                current[case.pk] = _validated(case, before, events, len(events) - 1)
            except FlowError as e:
                results[i] = e
                continue
            positions[case.pk] = (positions.get(case.pk) or 0) + 1
            rows.append((i, NodeEvent(case=case, node=item.node, on=on, data=data, position=positions[case.pk],
                                      reason=item.reason.strip(), source=source, recorded_by=recorded_by)))  # fmt: skip
        if rows:
            NodeEvent.objects.bulk_create([row for _, row in rows])
            touched = sorted({row.case_id for _, row in rows})
            records = list(load_records(touched))
            _bump_many([(locked[pk], record) for pk, record in records])
            refresh_facts(records)
            for i, row in rows:
                results[i] = row
    return results  # type: ignore[return-value]


def _replace(
    event: NodeEvent,
    *,
    on: date | None,
    data: dict | None,
    withdraw: bool,
    user,
    reason: str,
    expected_version: int | None,
) -> NodeEvent:
    if not (reason or "").strip():
        raise FlowError("reason", "更正或撤回节点记录须说明理由")
    with transaction.atomic():
        locked = _lock(event.case_id, user, expected_version)
        rows = _effective_rows(locked.pk)
        index = next((i for i, r in enumerate(rows) if r.pk == event.pk), None)
        if index is None:
            raise Conflict("event", "该节点记录已被更正或撤回，请刷新后重试")
        old = rows[index]
        before = load_record(locked.pk)
        events = [{"node": e.node, "on": e.on.isoformat(), **e.data} for e in before.events]
        del events[index]
        new_index = None
        if not withdraw:
            if old.node in CREDIT_NODES:
                raise FlowError("node", f"{NODES[old.node].label}的更正须通过失信决定办理（CREDIT-1）")
            on, data = _clean(
                old.node,
                on if on is not None else old.on,
                data if data is not None else old.data,
                for_correction=True,
            )
            data["by"] = who(user)
            _pre_checks(_without(before, index), old.node, on, data)
            events.append({"node": old.node, "on": on.isoformat(), **data})
            new_index = len(events) - 1
        elif old.node in CREDIT_NODES:
            raise FlowError("node", f"{NODES[old.node].label}的撤回须通过失信决定办理（CREDIT-1）")
        _validated(locked, before, events, new_index)
        row = NodeEvent.objects.create(
            case=locked,
            node=old.node,
            on=old.on if withdraw else on,
            data={"by": who(user)} if withdraw else data,
            position=_next_position(locked),
            supersedes=old,
            withdrawn=withdraw,
            reason=reason.strip(),
            source=NodeEvent.Source.FORM,
            recorded_by=user if user is not None and user.is_authenticated else None,
        )
        _bump(locked, load_record(locked.pk))
        _refresh(locked.pk)
    return row


def _without(record: CaseRecord, index: int) -> CaseRecord:
    import dataclasses

    return dataclasses.replace(record, events=record.events[:index] + record.events[index + 1 :])


def correct_event(
    event: NodeEvent,
    *,
    on: date | str | None = None,
    data: dict | None = None,
    user,
    reason: str,
    expected_version: int | None = None,
) -> NodeEvent:
    """Correct an event: a new row with the new day and/or fields (``data`` replaces the
    fields as a whole) that supersedes ``event``; the old row stays as history. The node
    stays the same (to change it, withdraw and record). A reason is required; the same
    checks as :func:`record_event` apply to the case as it would be."""
    return _replace(
        event, on=on, data=data, withdraw=False, user=user, reason=reason, expected_version=expected_version
    )


def withdraw_event(event: NodeEvent, *, user, reason: str, expected_version: int | None = None) -> NodeEvent:
    """Withdraw an event entered in error: a withdrawal row superseding it (history kept).
    Refused when the case would break a rule without it (e.g. an ``_end`` left without its
    start, a renewal of an asset no longer restrained)."""
    return _replace(
        event, on=None, data=None, withdraw=True, user=user, reason=reason, expected_version=expected_version
    )


# -- extension requests (DL-13) --------------------------------------------------------------------


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


# -- alerts: the daily overdue scan ------------------------------------------------------------


def scan_overdue(as_of: date) -> int:
    """Record every obligation overdue at the end of ``as_of`` as an alert, once
    (indicators.md §1/§3: not lapsed, last day on or before as-of, not discharged on or
    before its last day — a discharge after it was still a lapse). One INSERT … SELECT over
    the stored obligation facts, not a query per case; the unique obligation key and
    ``ON CONFLICT DO NOTHING`` make a second run (or two at once) create nothing.
    Returns the number of new alerts."""
    ops = connection.ops
    q = ops.quote_name
    alert, fact, case = Alert._meta.db_table, ObligationFact._meta.db_table, Case._meta.db_table
    sql = f"""
        INSERT INTO {q(alert)} (case_id, court_id, key_node, ref, trigger_on, due_on, handler, found_as_of, created_at)
        SELECT o.case_id, o.court_id, o.key_node, o.ref, o.trigger_on, o.due_on, c.handler, %s, %s
        FROM {q(fact)} o JOIN {q(case)} c ON c.id = o.case_id
        WHERE o.lapsed = %s AND o.due_on <= %s AND (o.done_on IS NULL OR o.done_on > o.due_on)
        ON CONFLICT (case_id, key_node, ref, trigger_on) DO NOTHING
    """  # table names come from the models; every value is a parameter
    params = [
        ops.adapt_datefield_value(as_of),
        ops.adapt_datetimefield_value(timezone.now()),
        False,
        ops.adapt_datefield_value(as_of),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def alerts_for(user) -> QuerySet[Alert]:
    return Alert.objects.visible_to(user).select_related("case", "court", "acknowledged_by")


def acknowledge(alert: Alert, *, user) -> Alert:
    """Mark an alert as seen (who, when). Claimed with a conditional UPDATE: a second
    acknowledgement changes nothing and keeps the first one's name."""
    if not alerts_for(user).filter(pk=alert.pk).exists():
        raise Http404("没有这条预警")
    Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_by=user, acknowledged_at=timezone.now()
    )
    alert.refresh_from_db()
    return alert


def alert_json(a: Alert) -> dict:
    return {
        "id": a.pk,
        "case_number": a.case.case_number,
        "court": a.court.code,
        "handler": a.handler,
        "key_node": a.key_node,
        "label": obligation_label(a.key_node),
        "ref": a.ref or None,
        "trigger_on": a.trigger_on.isoformat(),
        "due_on": a.due_on.isoformat(),
        "rule": flow_rules.key_node(a.key_node).rule,
        "found_as_of": a.found_as_of.isoformat(),
        "created_at": a.created_at.isoformat(),
        "acknowledged_by": who(a.acknowledged_by) if a.acknowledged_by_id else None,
        "acknowledged_at": a.acknowledged_at.isoformat() if a.acknowledged_at else None,
    }


# -- suspensions that resume by themselves ------------------------------------------------------


def resume_due(as_of: date) -> list[NodeEvent]:
    """Append the ``_end`` of every open suspension / postponement whose planned end
    (``until``) is on or before ``as_of``, dated ``until`` (DL-14: the case resumes that
    day). Idempotent: the interval is closed afterwards, so a second run finds nothing; a
    case changed meanwhile by someone else (a version conflict) is left for the next run."""
    if as_of > today():
        raise FlowError("as_of", f"as_of（{as_of}）晚于今天，不能预先恢复")
    starts = [start for kind, (start, _) in checks.INTERVALS.items() if kind in checks.PLANNED_KINDS]
    candidates = set()
    rows = NodeEvent.objects.filter(
        node__in=starts,
        withdrawn=False,
        superseded_by__isnull=True,
        case__closed_on__isnull=True,
        data__has_key="until",
    ).values_list("case_id", "data")
    for case_id, data in rows:
        until = data.get("until")
        if isinstance(until, str) and until <= as_of.isoformat():
            candidates.add(case_id)
    appended: list[NodeEvent] = []
    for case_id in sorted(candidates):
        case = Case.objects.get(pk=case_id)
        for due in checks.due_resumptions(load_record(case_id), as_of):
            try:
                appended.append(
                    record_event(
                        case,
                        due.end_node,
                        due.until,
                        {"by": SYSTEM, "note": f"按计划于 {due.until} 恢复（自动）"},
                        user=None,
                        expected_version=case.version,
                        source=NodeEvent.Source.SYSTEM,
                    )
                )
            except Conflict:
                break  # someone else changed the case: the next run sees it afresh
    return appended


# -- the queue ---------------------------------------------------------------------------------

SCOPES = ("mine", "team", "court")
STATUTORY = "DL-13"
BEFORE_CLOSING = ("K1", "K2", "K3", "K4", "K5")
EXTRA_LABELS = {"disbursement": "案款发放"}


def obligation_label(key: str) -> str:
    if key == STATUTORY:
        return "执行期限届满"
    node = flow_rules.key_node(key).node
    return NODES[node].label if node in NODES else EXTRA_LABELS.get(node, node)


def _team_handlers(user) -> list[str]:
    from zhixing.funds.models import OfficerTeam

    if user.court_id is None:
        raise FlowError("scope", "用户没有所属法院")
    team = (
        OfficerTeam.objects.filter(court_id=user.court_id, handler=who(user))
        .values_list("team", flat=True)
        .first()
    )
    if team is None:
        raise FlowError("scope", f"{who(user)} 未登记执行团队（请管理员在“执行团队成员”中登记）")
    return list(
        OfficerTeam.objects.filter(court_id=user.court_id, team=team).values_list("handler", flat=True)
    )


def _scope_filter(user, scope: str, court_code: str = "") -> Q:
    """Cases of the queue's scope, as a filter on ``case__…``: ``mine`` — the user's own
    cases (handler = the user's name, in the user's court); ``team`` — the cases of every
    officer in the user's 执行团队 (funds.OfficerTeam); ``court`` — every case of the courts
    the user may see, or of ``court_code``'s subtree (Http404 if not visible)."""
    if scope not in SCOPES:
        raise FlowError("scope", f"范围应为 {'、'.join(SCOPES)} 之一")
    if scope == "court":
        visible = Court.objects.all() if user.is_superuser else user.visible_courts()
        if court_code:
            court = visible.filter(code=court_code).first()
            if court is None:
                raise Http404("没有这个法院")
            return Q(case__court__path__startswith=court.path)
        return Q() if user.is_superuser else Q(case__court__in=visible)
    if user.court_id is None:
        raise FlowError("scope", "用户没有所属法院")
    handlers = [who(user)] if scope == "mine" else _team_handlers(user)
    return Q(case__court_id=user.court_id, case__handler__in=handlers)


@dataclass(frozen=True, slots=True)
class QueueItem:
    case_number: str
    court: str
    handler: str
    key_node: str
    label: str
    ref: str | None
    trigger_on: date | None
    due_on: date
    days_left: int
    status: str
    rule: str
    provisional: bool

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    def as_json(self) -> dict:
        return {
            "case_number": self.case_number,
            "court": self.court,
            "handler": self.handler,
            "key_node": self.key_node,
            "label": self.label,
            "ref": self.ref,
            "trigger_on": self.trigger_on.isoformat() if self.trigger_on else None,
            "due_on": self.due_on.isoformat(),
            "days_left": self.days_left,
            "status": self.status,
            "rule": self.rule,
            "provisional": self.provisional,
        }


def _status(due_on: date, as_of: date) -> str:
    if due_on < as_of:
        return "overdue"
    return "due_today" if due_on == as_of else "due_soon"


QUEUE_STATUS_LABELS = {"overdue": "已超期", "due_today": "今日到期", "due_soon": "即将到期"}


def queue(user, *, as_of: date, scope: str = "mine", days: int = 7, court_code: str = "") -> list[QueueItem]:
    """The work queue on day ``as_of``: every obligation (K1–K9, indicators.md §3) not
    discharged on or before as_of whose last day is on or before as_of + ``days``, and
    the statutory deadline (DL-13) of every case open then that ends in that range.

    ``status``: ``overdue`` — the last day has passed (overdue at the end of as_of − 1,
    indicators.md §1; the daily scan has recorded it as an alert); ``due_today`` — the
    last day is as_of itself (overdue at its end if still undone); ``due_soon`` — later.
    K1–K5 of a case closed on or before as_of are left out: they lapsed or can no longer
    be done (events after the closing discharge nothing). Ordered by last day."""
    if days < 0 or days > 366:
        raise FlowError("days", "天数应在 0–366 之间")
    scope_q = _scope_filter(user, scope, court_code)
    horizon = as_of + timedelta(days=days)
    facts = (
        ObligationFact.objects.filter(scope_q)
        .open_on(as_of)
        .due_by(horizon)
        .not_closed_out(BEFORE_CLOSING, as_of, closing="case")
        .values_list(
            "case__case_number",
            "case__court__code",
            "case__handler",
            "key_node",
            "ref",
            "trigger_on",
            "due_on",
            "provisional",
        )
    )
    items = [
        QueueItem(
            number,
            court,
            handler,
            key,
            obligation_label(key),
            ref or None,
            trigger,
            due,
            (due - as_of).days,
            _status(due, as_of),
            flow_rules.key_node(key).rule,
            provisional,
        )
        for number, court, handler, key, ref, trigger, due, provisional in facts
    ]
    deadlines = (
        CaseFact.objects.filter(
            scope_q, statutory_deadline__isnull=False, statutory_deadline__lte=horizon, filed_on__lte=as_of
        )
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
        .values_list(
            "case__case_number",
            "case__court__code",
            "case__handler",
            "filed_on",
            "statutory_deadline",
            "deadline_provisional",
        )
    )
    items += [
        QueueItem(
            number,
            court,
            handler,
            STATUTORY,
            obligation_label(STATUTORY),
            None,
            filed,
            due,
            (due - as_of).days,
            _status(due, as_of),
            STATUTORY,
            provisional,
        )
        for number, court, handler, filed, due, provisional in deadlines
    ]
    return sorted(items, key=lambda i: (i.due_on, i.case_number, i.key_node, i.ref or ""))


# -- restraints (DL-20) and the case's supervision data -------------------------------------------


RESTRAINT_NODES = ("restraint", "restraint_renewed", "restraint_released")


def restraint_json(r: R.Restraint) -> dict:
    return {
        "asset": r.asset,
        "measure": r.measure,
        "category": r.category,
        "value": r.value,
        "restrained_on": r.restrained_on.isoformat(),
        "expires_on": r.expires_on.isoformat(),
        "renewals": [d.isoformat() for d in r.renewals],
        "released_on": r.released_on.isoformat() if r.released_on else None,
        "max_years": r.max_years,
        "status": r.status,
        "status_label": R.STATUS_LABELS[r.status],
        "remind_on": r.remind_on.isoformat(),
        "days_left": r.days_left,
        "problems": [{"rule": p.rule, "message": p.message} for p in r.problems],
        "rule": "DL-20",
    }


def expiring_restraints(
    user, *, as_of: date, days: int = R.REMINDER_DAYS, court_code: str = "", include_expired: bool = False
) -> list[dict]:
    """DL-20 per court: the restraints in force at as-of whose term ends within ``days``
    days (the renewal reminder, 30 days ahead by default), and with ``include_expired``
    those whose term ran out without a renewal and were never released. Reads only the
    restraint events of the cases in scope (one query), then the pure rules."""
    if days < 0 or days > 366:
        raise FlowError("days", "天数应在 0–366 之间")
    scope_q = _scope_filter(user, "court", court_code)
    rows = (
        NodeEvent.objects.filter(
            scope_q, node__in=RESTRAINT_NODES, withdrawn=False, superseded_by__isnull=True, on__lte=as_of
        )
        .order_by("case_id", "on", "position", "pk")
        .values_list(
            "case_id", "case__case_number", "case__court__code", "case__handler", "node", "on", "data"
        )
    )
    by_case: dict[int, list] = defaultdict(list)
    heads: dict[int, tuple[str, str, str]] = {}
    for case_id, number, court, handler, node, on, data in rows:
        by_case[case_id].append(Event(node, on, len(by_case[case_id]), data))
        heads[case_id] = (number, court, handler)
    horizon = periods.add_days(as_of, days)
    out = []
    for case_id, events in by_case.items():
        for r in R.restraint_terms(events, as_of, reminder_days=days):
            keep = r.status in (R.ACTIVE, R.EXPIRING) and r.expires_on <= horizon
            if keep or (include_expired and r.status == R.EXPIRED):
                number, court, handler = heads[case_id]
                out.append({"case_number": number, "court": court, "handler": handler, **restraint_json(r)})
    return sorted(out, key=lambda x: (x["expires_on"], x["case_number"], x["asset"]))


def application_period_json(record: CaseRecord) -> dict:
    p = R.application_period(record)
    return {
        "rule": p.rule,
        "applies": p.applies,
        "start_on": p.start_on.isoformat() if p.start_on else None,
        "expires_on": p.expires_on.isoformat() if p.expires_on else None,
        "applied_on": p.applied_on.isoformat(),
        "late": p.late,
        "days_late": p.days_late,
        "warning": p.warning,
        "blocking": p.blocking,
    }


def case_supervision(user, case: Case, *, as_of: date | None = None) -> dict:
    """What the case page shows around deadlines: the deadline in force and whether an
    extension may still be requested (DL-13), the extension requests, the restraints and
    their expiry (DL-20), planned resumptions (DL-14), and the application period warning
    (PER-7 — a warning, never a block: PER-8)."""
    as_of = as_of or today()
    record = load_record(case)
    detail = flow_rules.deadline_detail(record, as_of)
    deadline = None
    if detail is not None and detail.deadline is not None:
        last = latest_request_day(detail.deadline)
        pending = ExtensionRequest.objects.filter(case=case, status=ExtensionStatus.PENDING).exists()
        deadline = {
            "deadline": detail.deadline.isoformat(),
            "base_on": detail.base_on.isoformat(),
            "extensions": list(detail.extensions),
            "excluded_days": detail.excluded_days,
            "open_interval": detail.open_interval,
            "provisional": detail.provisional,
            "latest_extension_request_on": last.isoformat(),
            "can_request_extension": (
                record.closed_on is None
                and as_of <= last
                and not pending
                and can_request_extension(user, case)
            ),
            "rule": "DL-13",
        }
    planned = [
        {
            "kind": kind,
            "start_on": start.on.isoformat(),
            "until": start.data.get("until"),
            "end_node": checks.INTERVALS[kind][1],
        }
        for kind, start in checks.open_intervals(record, as_of)
        if start.data.get("until")
    ]
    return {
        "case_number": case.case_number,
        "version": case.version,
        "as_of": as_of.isoformat(),
        "deadline": deadline,
        "extension_requests": [extension_json(r) for r in extensions_for(user).filter(case=case)],
        "restraints": [restraint_json(r) for r in R.restraint_terms(record.events, as_of)],
        "planned_resumptions": planned,
        "application_period": application_period_json(record),
    }
