"""Interview and ruling: 约谈申请执行人 (TERM-8), the 终本 ruling (TERM-9, TERM-10) and its
service on the applicant."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from zhixing.cases.loader import load_record
from zhixing.cases.models import NodeEvent
from zhixing.lib.clock import today
from zhixing.termination import validation
from zhixing.termination.models import Approval, Interview, Ruling
from zhixing.termination.services.writes import _append, _commit, _lock
from zhixing.termination.validation import raise_if


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
