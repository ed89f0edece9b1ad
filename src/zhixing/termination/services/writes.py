"""The common write path of every 终本 act: lock the case row first, check who acts and the
version, append node events, bump the version with a conditional UPDATE, store the fingerprint
and derive the case's facts again."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, Max
from django.utils import timezone

from zhixing.cases.bundle import fingerprint
from zhixing.cases.loader import load_record
from zhixing.cases.models import Case, NodeEvent
from zhixing.cases.records import CaseRecord
from zhixing.lib import errors
from zhixing.metrics.facts import refresh_facts
from zhixing.termination.facts import refresh_termination_facts
from zhixing.termination.validation import InputError, StaleVersion

SYSTEM = "系统"


class NotAllowed(errors.NotAllowed, InputError):
    """The user may not do this (a 403 in the API; the case itself is visible)."""


def who(user) -> str:
    return (getattr(user, "display_name", "") or user.get_username()) if user is not None else SYSTEM


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
