"""Every change in supervision: 督办 orders (issue, report back, accept, return,
escalate), findings (the detection run, confirm / dismiss) and interference records.

Each function owns its transaction, locks the rows it changes in a fixed order (case,
then order or finding), checks the ``version`` the caller read, and writes an
append-only history row. Bad input raises ``SupervisionError`` naming the field and the
rule; nothing is saved.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet

from zhixing.cases.access import find_visible_case
from zhixing.cases.choices import DEADLINE_TYPES
from zhixing.cases.loader import load_records
from zhixing.cases.models import Case, NodeEvent
from zhixing.courts.models import SUPERVISING_ROLES, Court, Role, User
from zhixing.lib import errors, periods
from zhixing.petitions.services import case_changed, today
from zhixing.supervision import detectors as D
from zhixing.supervision.models import (
    ORDER_TRANSITIONS,
    Finding,
    FindingReview,
    FindingStatus,
    InterferenceRecord,
    OrderStatus,
    SupervisionEvent,
    SupervisionOrder,
)


class SupervisionError(errors.Refused, ValueError):
    """Bad input: ``field`` names the input, ``message`` says the rule (Chinese)."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class Conflict(errors.Conflict, SupervisionError):
    """Someone else changed the row since the caller read it."""


class Forbidden(errors.NotAllowed, SupervisionError):
    """The user may see the row but not do this to it."""


def visible_case(user: User, case_number: str) -> Case:
    """A case named in the body: one the user may not see is bad input (422) naming the field."""
    case = find_visible_case(user, case_number)
    if case is None:
        raise SupervisionError("case_number", f"没有可查看的案件 {case_number}")
    return case


# -- 督办 -------------------------------------------------------------------------------------


def is_superior(court: Court | None, of: Court) -> bool:
    """``court`` is strictly above ``of`` in the hierarchy."""
    return court is not None and court.pk != of.pk and of.path.startswith(court.path)


def issue_order(user: User, *, case_number: str, due_on: date, required_action: str) -> SupervisionOrder:
    """督办: a supervising user of a court above the case's court flags the case with a
    deadline and the action it requires."""
    case = visible_case(user, case_number)
    if not (user.is_superuser or (user.supervises and is_superior(user.court, case.court))):
        raise Forbidden("case_number", "只有上级法院的监督人员可以督办下级法院的案件")
    issuer = (
        user.court if user.court is not None and is_superior(user.court, case.court) else case.court.parent
    )
    if issuer is None:
        raise SupervisionError("case_number", "该案件没有上级法院")
    if not required_action.strip():
        raise SupervisionError("required_action", "缺少督办事项")
    issued = today()
    if due_on is None or due_on <= issued:
        raise SupervisionError("due_on", "办理期限应晚于今天")
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        order = SupervisionOrder.objects.create(
            case=case, court=case.court, issued_by_court=issuer, issued_by=user, issued_on=issued, due_on=due_on,
            required_action=required_action.strip(),
        )  # fmt: skip
        SupervisionEvent.objects.create(order=order, action=SupervisionEvent.Action.ISSUE, on=issued, by=user,
                                        content=required_action.strip())  # fmt: skip
    return order


def can_report(user: User, order: SupervisionOrder) -> bool:
    """The supervised court reports back: a user of the case's court."""
    return user.is_superuser or user.court_id == order.court_id


def can_review(user: User, order: SupervisionOrder) -> bool:
    """The issuing court (or one above it) accepts or returns, through a supervising user."""
    if user.is_superuser:
        return True
    return (
        user.supervises and user.court is not None and order.issued_by_court.path.startswith(user.court.path)
    )


def _transition(user: User, order: SupervisionOrder, action: str, version: int | None, *, content: str = "",
                fields: dict | None = None) -> SupervisionOrder:  # fmt: skip
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=order.case_id).first()
        fresh = (
            SupervisionOrder.objects.select_for_update(of=("self",))
            .select_related("issued_by_court", "court")
            .get(pk=order.pk)
        )
        if version is not None and fresh.version != version:
            raise Conflict("version", "该督办已被他人修改，请刷新后重试")
        target = ORDER_TRANSITIONS.get((fresh.status, action))
        if target is None:
            raise SupervisionError(
                "status",
                f"督办状态为「{OrderStatus(fresh.status).label}」，不能{SupervisionEvent.Action(action).label}",
            )
        values = {"status": target, **(fields or {})}
        updated = SupervisionOrder.objects.filter(pk=fresh.pk, version=fresh.version).update(
            version=F("version") + 1, **values
        )
        if updated != 1:
            raise Conflict("version", "该督办已被他人修改，请刷新后重试")
        SupervisionEvent.objects.create(order=fresh, action=action, on=today(), by=user, content=content)
        fresh.refresh_from_db()
    return fresh


def report_back(
    user: User, order: SupervisionOrder, *, content: str, version: int | None = None
) -> SupervisionOrder:
    """报告: the lower court reports what it did."""
    if not can_report(user, order):
        raise Forbidden("order", "只有被督办法院可以报告办理情况")
    if not content.strip():
        raise SupervisionError("content", "缺少办理情况")
    return _transition(
        user, order, "report", version, content=content.strip(), fields={"reported_on": today()}
    )


def accept(
    user: User, order: SupervisionOrder, *, note: str = "", version: int | None = None
) -> SupervisionOrder:
    """审核通过: the superior closes the order."""
    if not can_review(user, order):
        raise Forbidden("order", "只有督办法院的监督人员可以审核")
    return _transition(user, order, "accept", version, content=note.strip(), fields={"closed_on": today()})


def return_order(user: User, order: SupervisionOrder, *, note: str, due_on: date | None = None,
                 version: int | None = None) -> SupervisionOrder:  # fmt: skip
    """退回: the superior wants more; optionally with a new deadline (the order can then
    escalate again if that one passes)."""
    if not can_review(user, order):
        raise Forbidden("order", "只有督办法院的监督人员可以退回")
    if not note.strip():
        raise SupervisionError("note", "退回应说明理由")
    fields: dict = {}
    if due_on is not None:
        if due_on <= today():
            raise SupervisionError("due_on", "新的办理期限应晚于今天")
        fields = {"due_on": due_on, "escalated_on": None}
    return _transition(user, order, "return", version, content=note.strip(), fields=fields)


def escalate_overdue(as_of: date, *, court: Court | None = None) -> list[SupervisionOrder]:
    """The escalation job: every order still waiting for the lower court whose due day is
    on or before as-of (indicators.md §1: as-of is the end of that day) is marked
    escalated, once; its superior's dashboard lists it first. Claimed with a conditional
    UPDATE, so running twice (or twice at once) escalates nothing new."""
    qs = SupervisionOrder.objects.filter(
        status=OrderStatus.OPEN, due_on__lte=as_of, escalated_on__isnull=True
    )
    if court is not None:
        qs = qs.filter(
            Q(court__path__startswith=court.path) | Q(issued_by_court__path__startswith=court.path)
        )
    done = []
    for pk in qs.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            claimed = SupervisionOrder.objects.filter(
                pk=pk, status=OrderStatus.OPEN, due_on__lte=as_of, escalated_on__isnull=True
            ).update(escalated_on=as_of, version=F("version") + 1)
            if claimed:
                order = SupervisionOrder.objects.get(pk=pk)
                days = (as_of - order.due_on).days
                SupervisionEvent.objects.create(order=order, action=SupervisionEvent.Action.ESCALATE, on=as_of,
                                                content=f"逾期 {days} 日未报告，已升级提示")  # fmt: skip
                done.append(order)
    return done


def orders_for(user: User) -> QuerySet[SupervisionOrder]:
    return SupervisionOrder.objects.visible_to(user).select_related(
        "case", "court", "issued_by_court", "issued_by"
    )


# -- findings -----------------------------------------------------------------------------------


def config() -> D.DetectorConfig:
    """The thresholds: defaults, overridden by ``settings.ZHIXING_DETECTORS`` (a dict)."""
    return D.DetectorConfig.from_mapping(getattr(settings, "ZHIXING_DETECTORS", {}) or {})


@dataclass
class DetectionReport:
    as_of: date
    cases: int = 0
    created: int = 0
    seen_again: int = 0
    cleared: int = 0
    by_detector: Counter = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)

    def as_json(self, *, with_findings: bool = True) -> dict:
        out = {
            "as_of": self.as_of.isoformat(),
            "cases": self.cases,
            "created": self.created,
            "seen_again": self.seen_again,
            "cleared": self.cleared,
            "by_detector": dict(sorted(self.by_detector.items())),
        }
        if with_findings:
            out["findings"] = [finding_json(f) for f in self.findings]
        return out


def finding_json(f: Finding) -> dict:
    d = D.BY_CODE[f.detector]
    return {
        "id": f.pk,
        "detector": f.detector,
        "label": d.label,
        "category": f.category,
        "category_label": D.CATEGORY_LABELS[f.category],
        "cites": list(d.cites),
        "case_number": f.case.case_number if f.case_id else None,
        "court": f.court.code,
        "facts": f.facts,
        "summary": f.summary,
        "status": f.status,
        "first_seen_on": f.first_seen_on.isoformat(),
        "last_seen_on": f.last_seen_on.isoformat(),
        "cleared_on": f.cleared_on.isoformat() if f.cleared_on else None,
        "version": f.version,
    }


def _store(hits: list[D.Hit], subjects: Iterable[str], detectors: Iterable[str], as_of: date,
           case_ids: dict[str, int], court_ids: dict[str, int], report: DetectionReport) -> None:  # fmt: skip
    """Upsert one batch: a hit whose identity exists is seen again (and un-cleared);
    a new identity is a new pending finding; a finding of an evaluated subject and
    detector that no hit produced is cleared as of this run (if the run is not older
    than its last sighting)."""
    subjects, detectors = list(subjects), list(detectors)
    existing = {
        (f.detector, f.subject, f.fingerprint): f
        for f in Finding.objects.filter(subject__in=subjects, detector__in=detectors)
    }
    fresh: list[Finding] = []
    seen: set[int] = set()
    touched: list[Finding] = []
    for h in hits:
        identity = (h.detector, h.subject, h.fingerprint)
        f = existing.get(identity)
        if f is None:
            f = Finding(
                detector=h.detector, category=D.BY_CODE[h.detector].category, subject=h.subject,
                fingerprint=h.fingerprint, case_id=case_ids.get(h.subject), court_id=court_ids[h.court],
                facts=h.facts_json(), summary=h.summary, first_seen_on=as_of, last_seen_on=as_of,
            )  # fmt: skip
            existing[identity] = f
            fresh.append(f)
            report.created += 1
        elif f.pk not in seen:
            seen.add(f.pk)
            changed = False
            if as_of > f.last_seen_on:
                f.last_seen_on, changed = as_of, True
            if as_of < f.first_seen_on:
                f.first_seen_on, changed = as_of, True
            if f.cleared_on is not None and as_of >= f.cleared_on:
                f.cleared_on, changed = None, True
            if changed:
                touched.append(f)
            report.seen_again += 1
        report.by_detector[h.detector] += 1
        report.findings.append(f)
    for f in existing.values():
        if f.pk is not None and f.pk not in seen and f.cleared_on is None and as_of > f.last_seen_on:
            f.cleared_on = as_of
            touched.append(f)
            report.cleared += 1
    Finding.objects.bulk_create(fresh)
    if touched:
        Finding.objects.bulk_update(touched, ["last_seen_on", "first_seen_on", "cleared_on"])


def run_detection(as_of: date, *, court: Court | None = None, cfg: D.DetectorConfig | None = None,
                  chunk: int = 2000, progress: Callable[[int], None] | None = None) -> DetectionReport:  # fmt: skip
    """``zhixing detect``: every detector over the cases of ``court``'s subtree (all
    courts when None) filed on or before as-of, findings stored idempotently (running
    twice creates nothing new). Case detectors run on every such case (open ones for the
    passive and selective patterns, closed ones for misreported closings and
    restraints); filing suppression runs per court on its daily 首执 filings."""
    cfg = cfg or config()
    report = DetectionReport(as_of=as_of)
    courts = Court.objects.all() if court is None else court.subtree()
    court_ids = dict(courts.values_list("code", "pk"))
    cases = Case.objects.filter(filed_on__lte=as_of)
    if court is not None:
        cases = cases.in_subtree(court)
    case_codes = [d.code for d in D.CASE_DETECTORS]
    batch: list[tuple[int, object]] = []

    def flush() -> None:
        if not batch:
            return
        hits: list[D.Hit] = []
        case_ids: dict[str, int] = {}
        for pk, record in batch:
            case_ids[record.case_number] = pk
            hits += D.detect_case(record, as_of, cfg)
        with transaction.atomic():
            _store(hits, case_ids, case_codes, as_of, case_ids, court_ids, report)
        report.cases += len(batch)
        batch.clear()
        if progress:
            progress(report.cases)

    for pair in load_records(cases, chunk=chunk):
        batch.append(pair)
        if len(batch) >= chunk:
            flush()
    flush()

    # Filing suppression: the daily counts come straight from the database (no records).
    start = periods.add_months(
        as_of, -(cfg.suppression_lookback_months + cfg.suppression_baseline_months + 1)
    )
    daily: dict[str, Counter] = defaultdict(Counter)
    rows = (
        Case.objects.filter(
            filed_on__gte=start, filed_on__lte=as_of, case_type__in=list(DEADLINE_TYPES), court__in=courts
        )
        .values_list("court__code", "filed_on")
        .annotate(n=Count("pk"))
    )
    for code, day, n in rows:
        daily[code][day] += n
    hits = [h for code in sorted(daily) for h in D.filing_suppression(code, daily[code], as_of, cfg)]
    with transaction.atomic():
        _store(hits, sorted(daily), ["filing_suppression"], as_of, {}, court_ids, report)
    return report


def findings_for(user: User) -> QuerySet[Finding]:
    return Finding.objects.visible_to(user).select_related("case", "court")


def can_review_findings(user: User) -> bool:
    """Reviewers are leaders (team leads and supervising roles), not the officers whose
    work the findings are about."""
    return user.is_superuser or user.role in SUPERVISING_ROLES or user.role == Role.TEAM_LEAD


def review(
    user: User, finding: Finding, *, decision: str, reason: str = "", version: int | None = None
) -> Finding:
    """确认 / 排除: a decision on a finding, kept with its reason for ever (a later
    decision adds a row; the finding shows the latest). Dismissing needs a reason."""
    if not Finding.objects.visible_to(user).filter(pk=finding.pk).exists():
        raise SupervisionError("finding", "没有这条监督发现")
    if not can_review_findings(user):
        raise Forbidden("finding", "只有团队负责人、执行局长等监督人员可以核查")
    if decision not in (FindingStatus.CONFIRMED, FindingStatus.DISMISSED):
        raise SupervisionError("decision", "结论应为 confirmed（确认）或 dismissed（排除）")
    if decision == FindingStatus.DISMISSED and not reason.strip():
        raise SupervisionError("reason", "排除应说明理由")
    with transaction.atomic():
        if finding.case_id:
            Case.objects.select_for_update().filter(pk=finding.case_id).first()
        fresh = Finding.objects.select_for_update().get(pk=finding.pk)
        if version is not None and fresh.version != version:
            raise Conflict("version", "该发现已被他人核查，请刷新后重试")
        updated = Finding.objects.filter(pk=fresh.pk, version=fresh.version).update(
            status=decision, version=F("version") + 1
        )
        if updated != 1:
            raise Conflict("version", "该发现已被他人核查，请刷新后重试")
        FindingReview.objects.create(finding=fresh, decision=decision, reason=reason.strip(), by=user)
        fresh.refresh_from_db()
    return fresh


# -- 领导干部干预记录 --------------------------------------------------------------------------------

#: Roles of a court's leadership who see the interference records of their court.
LEADERSHIP = frozenset(
    {Role.BUREAU_CHIEF, Role.VICE_PRESIDENT, Role.PRESIDENT, Role.COMMAND_CENTRE, Role.ADMIN}
)


def names_user(person: str, user: User) -> bool:
    """The free-text ``person`` names ``user``: it equals, or contains, their display name
    or username (names of one character are too short to tell and only match exactly)."""
    text = person.strip()
    for name in (user.display_name.strip(), user.username.strip()):
        if name and (text == name or (len(name) >= 2 and name in text)):
            return True
    return False


def may_see_interference(user: User, *, court: Court, person: str, recorded_by_id: int | None = None) -> bool:
    """The rule of ``interference_visible_to`` for one record or one ``interference_record``
    node of a case of ``court`` (for pages that show a case's log: the node carries the
    same ``person`` and ``content``)."""
    if user is None or not user.is_authenticated:
        return False
    if not user.is_superuser:
        leader = (
            user.role in LEADERSHIP and user.court_id is not None and court.path.startswith(user.court.path)
        )
        if not (leader or (recorded_by_id is not None and recorded_by_id == user.pk)):
            return False
    return not names_user(person, user)


def interference_visible_to(user: User) -> QuerySet[InterferenceRecord]:
    """Records ``user`` may see: those they recorded, and — for the leadership of a court
    (bureau chief and above) — those of cases of their court and the courts below it
    (the superior court); never one that names them."""
    qs = InterferenceRecord.objects.select_related("case", "court", "recorded_by")
    if user is None or not user.is_authenticated:
        return qs.none()
    if not user.is_superuser:
        mine = Q(recorded_by=user)
        if user.role in LEADERSHIP and user.court_id is not None:
            mine |= Q(court__path__startswith=user.court.path)
        qs = qs.filter(mine)
    # Exclusion by name is done in Python: "contains the display name" is not portable SQL
    # over a free-text column, and the lists are short.
    hidden = [pk for pk, person in qs.values_list("pk", "person") if names_user(person, user)]
    return qs.exclude(pk__in=hidden) if hidden else qs


def record_interference(
    user: User, *, case_number: str, person: str, content: str, occurred_on: date
) -> InterferenceRecord:
    """领导干部干预记录: any user who can see a case records an attempt to interfere in it.
    Appends the ``interference_record`` node to the case's log (case-bundle.md) and an
    immutable record, in one transaction."""
    case = visible_case(user, case_number)
    if not person.strip():
        raise SupervisionError("person", "缺少干预人")
    if not content.strip():
        raise SupervisionError("content", "缺少干预内容")
    if occurred_on is None or occurred_on > today():
        raise SupervisionError("occurred_on", "干预日期不能晚于今天")
    if occurred_on < case.filed_on:
        raise SupervisionError(
            "occurred_on", f"干预日期早于立案日期 {case.filed_on.isoformat()}（节点不能早于立案）"
        )
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        position = (NodeEvent.objects.filter(case=case).aggregate(m=Max("position"))["m"] or 0) + 1
        by = user.display_name or user.username
        event = NodeEvent.objects.create(
            case=case, node="interference_record", on=occurred_on, position=position,
            data={"person": person.strip(), "content": content.strip(), "by": by},
            source=NodeEvent.Source.FORM, recorded_by=user,
        )  # fmt: skip
        record = InterferenceRecord.objects.create(
            case=case, court=case.court, person=person.strip(), content=content.strip(), occurred_on=occurred_on,
            node_event=event, recorded_by=user,
        )  # fmt: skip
        case_changed(case.pk)
    return record
