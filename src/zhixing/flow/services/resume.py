"""Suspensions and postponements that resume by themselves on their planned day (DL-14)."""

from __future__ import annotations

from datetime import date

from zhixing.cases.loader import load_record
from zhixing.cases.models import Case, NodeEvent
from zhixing.flow import checks
from zhixing.flow.services.errors import Conflict, FlowError
from zhixing.flow.services.events import record_event
from zhixing.flow.services.people import SYSTEM
from zhixing.lib.clock import today


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
