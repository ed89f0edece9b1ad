"""Every change to a petition (执行信访): intake, registration, linking to a case,
assigning the handler, screening and handing down by a superior court, handling, the
reply and the closing; and the reminder job (PET-1…PET-3).

Each function owns its transaction: it locks the case (if any) and then the petition,
checks the petition's ``version`` when the caller read one (two officers editing one
petition cannot both win silently), writes a ``PetitionEvent`` (who, when, what, why)
and, for a petition of a case, derives the case's facts again (``refresh_facts``) so
IND-11 stays right. Bad input raises ``PetitionError`` naming the field and the rule, and
nothing is saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from zhixing.cases.bundle import fingerprint
from zhixing.cases.choices import PETITION_SOURCES, REFERRERS, CaseType
from zhixing.cases.loader import load_record
from zhixing.cases.models import Case
from zhixing.cases.records import CaseRecord
from zhixing.cases.records import Petition as PetitionRecord
from zhixing.courts.models import Court, User
from zhixing.lib import errors, periods
from zhixing.lib.clock import today
from zhixing.metrics.facts import refresh_facts
from zhixing.petitions import rules
from zhixing.petitions.models import Petition, PetitionEvent, PetitionReminder

Action = PetitionEvent.Action


class PetitionError(errors.Refused, ValueError):
    """Bad input: ``field`` names the input, ``message`` says the rule (Chinese)."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class Conflict(errors.Conflict, PetitionError):
    """Someone else changed the petition since the caller read it."""


class NotAllowed(errors.NotAllowed, PetitionError):
    """The user may see the petition but not act on it (another court's, or already closed)."""


# -- reading -------------------------------------------------------------------------------------


def to_record(p: Petition) -> PetitionRecord:
    """The bundle form of a stored petition (what the rules read)."""
    return PetitionRecord(
        id=p.local_id,
        received_on=p.received_on,
        registered_on=p.registered_on,
        source=p.source or None,
        referred_by=p.referred_by or None,
        about_lower_court=p.about_lower_court,
        handled_by=p.handled_by or None,
        screened_on=p.screened_on,
        closed_on=p.closed_on,
        replied=p.replied,
    )


def clocks(p: Petition, as_of: date | None) -> rules.PetitionClock | None:
    """The PET-1…PET-3 clocks of one petition at as-of (``petitions.rules``), also for a
    petition not yet linked to a case; None if it was received after as-of."""
    record = CaseRecord(
        case_number=p.case.case_number if p.case_id else "",
        court=p.handling_court_code,
        case_type=CaseType.FIRST,
        filed_on=p.received_on,
        petitions=(to_record(p),),
    )
    found = rules.petition_clocks(record, as_of)
    return found[0] if found else None


# -- permissions ---------------------------------------------------------------------------------


def can_act(user: User, p: Petition) -> bool:
    """A user may work on a petition handled by a court they may see (their own court; a
    supervising role also the courts below it)."""
    if user.is_superuser:
        return True
    code = p.handling_court_code
    return bool(code) and user.visible_courts().filter(code=code).exists()


def _require(user: User, p: Petition) -> None:
    if not can_act(user, p):
        raise NotAllowed("petition", "无权办理该信访（只能办理本院或下级法院办理的信访）")


# -- helpers -----------------------------------------------------------------------------------


def _day(value: date | None, field: str, *, not_before: date | None = None, label: str = "收到日期") -> date:
    if value is None:
        raise PetitionError(field, "缺少日期")
    if value > today():
        raise PetitionError(field, f"日期 {value.isoformat()} 晚于今天，不能预先登记")
    if not_before is not None and value < not_before:
        raise PetitionError(field, f"日期 {value.isoformat()} 早于{label} {not_before.isoformat()}")
    return value


def _next_local_id(case: Case | None) -> str:
    """``x1``, ``x2`` … within the case (the bundle's ids are unique per case)."""
    if case is None:
        return "x1"
    used = set(Petition.objects.filter(case=case).values_list("local_id", flat=True))
    n = len(used) + 1
    while f"x{n}" in used:
        n += 1
    return f"x{n}"


def _locked(p: Petition, version: int | None) -> Petition:
    """Lock the case (first) and the petition, in that fixed order, and check the version."""
    if p.case_id:
        Case.objects.select_for_update().filter(pk=p.case_id).first()
    fresh = (
        Petition.objects.select_for_update(of=("self",)).select_related("case__court", "court").get(pk=p.pk)
    )
    if version is not None and fresh.version != version:
        raise Conflict("version", "该信访已被他人修改，请刷新后重试")
    return fresh


def _save(p: Petition, user: User | None, action: str, on: date, fields: Iterable[str], *, note: str = "",
          data: dict | None = None) -> Petition:  # fmt: skip
    """Write the changed fields with a version bump (conditional UPDATE), the history row,
    and the case's facts."""
    values = {f: getattr(p, f) for f in fields}
    updated = Petition.objects.filter(pk=p.pk, version=p.version).update(version=F("version") + 1, **values)
    if updated != 1:
        raise Conflict("version", "该信访已被他人修改，请刷新后重试")
    p.version += 1
    PetitionEvent.objects.create(petition=p, action=action, on=on, by=user, note=note, data=data or {})
    if p.case_id:
        case_changed(p.case_id)
    return p


def case_changed(case_id: int) -> None:
    """After a change to what a case's bundle carries: its facts again (indicators), its
    fingerprint (a re-import of its export is a no-op) and its version."""
    record = load_record(case_id)
    refresh_facts([(case_id, record)])
    Case.objects.filter(pk=case_id).update(version=F("version") + 1, fingerprint=fingerprint(record))


def _court_label(court: Court) -> str | None:
    """The bundle's ``referred_by`` for a petition handed down by ``court``."""
    label = Court.Level(court.level).label
    return label if label in REFERRERS else None


# -- the workflow --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Intake:
    received_on: date
    source: str
    petitioner: str
    content: str
    case_number: str = ""
    referred_by: str = ""
    about_lower_court: bool | None = None


def intake(user: User, data: Intake) -> Petition:
    """接收: a petition taken in at the user's court by visit, letter, online or phone,
    about a case (which the user must be able to see) or none yet. It is handled where it
    was taken in; one about a case of a court below is a petition "about a lower court",
    to be screened (PET-3)."""
    if user.court_id is None and not user.is_superuser:
        raise PetitionError("court", "用户没有所属法院，不能接收信访")
    if data.source not in PETITION_SOURCES:
        raise PetitionError("source", f"来源应为 {'、'.join(PETITION_SOURCES)} 之一")
    if data.referred_by and data.referred_by not in REFERRERS:
        raise PetitionError("referred_by", f"交办机关应为 {'、'.join(REFERRERS)} 之一或空")
    if not data.petitioner.strip():
        raise PetitionError("petitioner", "缺少信访人")
    if not data.content.strip():
        raise PetitionError("content", "缺少信访事项")
    received = _day(data.received_on, "received_on")
    case = None
    if data.case_number:
        from zhixing.cases.casenumber import normalise

        case = (
            Case.objects.visible_to(user)
            .select_related("court")
            .filter(case_number=normalise(data.case_number))
            .first()
        )
        if case is None:
            raise PetitionError("case_number", f"没有可查看的案件 {data.case_number}")
    court = user.court or (case.court if case else None)
    if court is None:
        raise PetitionError("court", "无法确定受理法院")
    about_lower = data.about_lower_court
    if about_lower is None:
        about_lower = (
            case is not None and case.court_id != court.pk and case.court.path.startswith(court.path)
        )
    with transaction.atomic():
        if case is not None:
            Case.objects.select_for_update().filter(pk=case.pk).first()
        p = Petition.objects.create(
            case=case,
            local_id=_next_local_id(case),
            received_on=received,
            source=data.source,
            referred_by=data.referred_by,
            about_lower_court=about_lower,
            # Blank means "the case's court" in the bundle; a caseless petition names its court.
            handled_by="" if case is not None and case.court_id == court.pk else court.code,
            court=court,
            petitioner=data.petitioner.strip(),
            content=data.content.strip(),
        )
        PetitionEvent.objects.create(
            petition=p,
            action=Action.INTAKE,
            on=received,
            by=user,
            data={"source": data.source, "case": case.case_number if case else None},
        )
        if case is not None:
            case_changed(case.pk)
    return p


def register(user: User, p: Petition, *, on: date, handler: User, version: int | None = None) -> Petition:
    """登记 with the handler named at registration (PET-1: within 5 working days of
    receipt; a late registration is still recorded, and the clock reports it late)."""
    with transaction.atomic():
        p = _locked(p, version)
        _require(user, p)
        if p.registered_on is not None:
            raise PetitionError("registered_on", f"该信访已于 {p.registered_on.isoformat()} 登记")
        p.registered_on = _day(on, "registered_on", not_before=p.received_on)
        _check_handler(handler, p)
        p.handler = handler
        return _save(
            p, user, Action.REGISTER, on, ["registered_on", "handler"], data={"handler": handler.username}
        )


def _check_handler(handler: User, p: Petition) -> None:
    if handler is None or not handler.is_active:
        raise PetitionError("handler", "缺少承办人")
    if handler.court is None or handler.court.code != p.handling_court_code:
        raise PetitionError("handler", "承办人应为办理法院的工作人员")


def assign(user: User, p: Petition, *, handler: User, version: int | None = None) -> Petition:
    """确定承办人 (or change it)."""
    with transaction.atomic():
        p = _locked(p, version)
        _require(user, p)
        _check_handler(handler, p)
        p.handler = handler
        return _save(p, user, Action.ASSIGN, today(), ["handler"], data={"handler": handler.username})


def link_case(user: User, p: Petition, *, case_number: str, version: int | None = None) -> Petition:
    """关联案件: tie a petition taken in without a case to the case it is about. From then
    on it is part of that case's bundle and counts in IND-11."""
    from zhixing.cases.casenumber import normalise

    case = (
        Case.objects.visible_to(user)
        .select_related("court")
        .filter(case_number=normalise(case_number))
        .first()
    )
    if case is None:
        raise PetitionError("case_number", f"没有可查看的案件 {case_number}")
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        p = _locked(p, version)
        _require(user, p)
        if p.case_id is not None:
            raise PetitionError("case_number", f"该信访已关联案件 {p.case.case_number}")
        court_code = p.handling_court_code
        p.case = case
        p.local_id = _next_local_id(case)
        # Blank means "the case's court" in the bundle.
        p.handled_by = "" if court_code == case.court.code else court_code
        if p.court_id and case.court_id != p.court_id and case.court.path.startswith(p.court.path):
            p.about_lower_court = True
        return _save(p, user, Action.LINK, today(), ["case", "local_id", "handled_by", "about_lower_court"],
                     data={"case": case.case_number})  # fmt: skip


def screen(
    user: User, p: Petition, *, on: date, refer_to: str = "", note: str = "", version: int | None = None
) -> Petition:
    """甄别 by a superior court of a petition about a lower court (PET-3: within 15
    working days of receipt). With ``refer_to`` (a court below the handling court) the
    petition is handed down (交办): a new petition of that court, received on the
    screening day, with ``referred_by`` naming the level of the court that handed it
    down; its own PET-1/PET-2 clocks start that day."""
    with transaction.atomic():
        p = _locked(p, version)
        _require(user, p)
        if not p.about_lower_court:
            raise PetitionError("screened_on", "只有反映下级法院问题的信访需要甄别（PET-3）")
        if p.screened_on is not None:
            raise PetitionError("screened_on", f"该信访已于 {p.screened_on.isoformat()} 甄别")
        p.screened_on = _day(on, "screened_on", not_before=p.received_on)
        child = None
        if refer_to:
            handling = Court.objects.filter(code=p.handling_court_code).first()
            target = Court.objects.filter(code=refer_to).first()
            if (
                handling is None
                or target is None
                or target.pk == handling.pk
                or not target.path.startswith(handling.path)
            ):
                raise PetitionError("refer_to", f"{refer_to} 不是办理法院的下级法院，不能交办")
            if p.case_id and p.case.court_id != target.pk:
                raise PetitionError("refer_to", f"应交办给案件承办法院 {p.case.court.code}")
            child = Petition.objects.create(
                case=p.case,
                local_id=_next_local_id(p.case),
                received_on=p.screened_on,
                source=p.source,
                referred_by=_court_label(handling) or "",
                about_lower_court=False,
                handled_by="" if p.case_id else target.code,
                court=target,
                petitioner=p.petitioner,
                content=p.content,
                referred_from=p,
            )
            PetitionEvent.objects.create(
                petition=child,
                action=Action.INTAKE,
                on=p.screened_on,
                by=user,
                data={"referred_from": p.pk},
                note=note,
            )
        data = {"refer_to": refer_to or None, "referral": child.pk if child else None}
        return _save(
            p, user, Action.REFER if child else Action.SCREEN, on, ["screened_on"], note=note, data=data
        )


def record_handling(user: User, p: Petition, *, on: date, note: str, version: int | None = None) -> Petition:
    """办理: a step taken on the petition (a talk, a site visit, a supervision request)."""
    if not note.strip():
        raise PetitionError("note", "缺少办理情况")
    with transaction.atomic():
        p = _locked(p, version)
        _require(user, p)
        if p.closed_on is not None:
            raise NotAllowed("petition", "该信访已办结")
        _day(on, "on", not_before=p.received_on)
        return _save(p, user, Action.HANDLE, on, [], note=note.strip())


def reply(user: User, p: Petition, *, on: date, content: str, version: int | None = None) -> Petition:
    """答复信访人: the result told to the petitioner (PET-2 "及时将办理结果告知信访人")."""
    if not content.strip():
        raise PetitionError("content", "缺少答复内容")
    with transaction.atomic():
        p = _locked(p, version)
        _require(user, p)
        _day(on, "on", not_before=p.received_on)
        p.replied = True
        p.reply_content = content.strip()
        return _save(p, user, Action.REPLY, on, ["replied", "reply_content"], note=content.strip())


def close(user: User, p: Petition, *, on: date, version: int | None = None) -> Petition:
    """办结 (PET-2: within 30 days of receipt, rolled). Only a registered petition whose
    petitioner has been answered can be closed: IND-11 counts a closing with ``replied``."""
    with transaction.atomic():
        p = _locked(p, version)
        _require(user, p)
        if p.closed_on is not None:
            raise PetitionError("closed_on", f"该信访已于 {p.closed_on.isoformat()} 办结")
        if p.registered_on is None:
            raise PetitionError("closed_on", "该信访尚未登记，不能办结（PET-1）")
        if not p.replied:
            raise PetitionError("replied", "办结前应将办理结果答复信访人（PET-2）")
        p.closed_on = _day(on, "closed_on", not_before=p.registered_on, label="登记日期")
        return _save(p, user, Action.CLOSE, on, ["closed_on"])


# -- reminders ---------------------------------------------------------------------------------


def _open_clocks(c: rules.PetitionClock) -> Iterable[tuple[str, date, str]]:
    """(clock, due day, status) of the clocks not yet done."""
    if c.registration_status in (rules.OVERDUE, rules.PENDING):
        yield PetitionReminder.Clock.REGISTRATION, c.registration_due_on, c.registration_status
    if c.status in (rules.OVERDUE, rules.PENDING):
        yield PetitionReminder.Clock.CLOSING, c.closing_due_on, c.status
    if c.screening_status in (rules.OVERDUE, rules.PENDING):
        yield PetitionReminder.Clock.SCREENING, c.screening_due_on, c.screening_status


def due_reminders(p: Petition, as_of: date, *, lead_working_days: int = 2) -> list[tuple[str, str, date]]:
    """(clock, kind, due day) for each clock of ``p`` overdue at as-of, or pending with
    its last day within ``lead_working_days`` working days after as-of."""
    c = clocks(p, as_of)
    if c is None:
        return []
    soon = periods.working_days_deadline(as_of, lead_working_days)
    out = []
    for clock, due, status in _open_clocks(c):
        if status == rules.OVERDUE:
            out.append((clock, PetitionReminder.Kind.OVERDUE, due))
        elif due <= soon:
            out.append((clock, PetitionReminder.Kind.DUE_SOON, due))
    return out


def send_reminders(
    as_of: date, *, court: Court | None = None, lead_working_days: int = 2
) -> list[PetitionReminder]:
    """The reminder job: one reminder per clock, kind and due day, created once however
    often the job runs (the unique constraint claims it). Returns the reminders created
    by this run."""
    qs = Petition.objects.filter(received_on__lte=as_of).filter(
        Q(registered_on__isnull=True)
        | Q(closed_on__isnull=True)
        | Q(about_lower_court=True, screened_on__isnull=True)
    )
    if court is not None:
        codes = list(court.subtree().values_list("code", flat=True))
        qs = qs.filter(
            Q(case__court__path__startswith=court.path)
            | Q(court__path__startswith=court.path)
            | Q(handled_by__in=codes)
        )
    created: list[PetitionReminder] = []
    for p in qs.select_related("case__court", "court").order_by("pk").iterator(chunk_size=2000):
        for clock, kind, due in due_reminders(p, as_of, lead_working_days=lead_working_days):
            try:
                with transaction.atomic():
                    reminder = PetitionReminder.objects.create(
                        petition=p, clock=clock, kind=kind, due_on=due, created_on=as_of
                    )
            except IntegrityError:
                continue  # an earlier run (or a concurrent one) already claimed it
            created.append(reminder)
    return created
