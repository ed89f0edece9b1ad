"""The working-day calendar as the database knows it: the library's official years plus
the schedules an administrator loaded (``HolidaySchedule``). Loading a schedule changes
deadlines, so every case's facts are derived again (indicators.md §1, "provisional")."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from zhixing.flow.models import HolidaySchedule
from zhixing.lib import workdays


def sync_calendar() -> None:
    """Register every stored schedule with the process-wide calendar."""
    from django.db.utils import DatabaseError

    try:
        rows = list(HolidaySchedule.objects.all())
    except DatabaseError:  # not migrated yet: the library's years only
        return
    for row in rows:
        workdays.register_schedule(
            row.year, map(date.fromisoformat, row.holidays), map(date.fromisoformat, row.workdays), row.source
        )


@transaction.atomic
def load_schedule(document: dict, *, user=None) -> HolidaySchedule:
    """Validate and store one year's schedule (raises workdays.ScheduleError naming the
    field), register it, and return the row. Facts are refreshed by the caller."""
    year, holidays, workdays_ = workdays.parse_schedule(document)
    source = document.get("source") or ""
    row, _ = HolidaySchedule.objects.update_or_create(
        year=year,
        defaults={
            "source": source,
            "holidays": [d.isoformat() for d in sorted(holidays)],
            "workdays": [d.isoformat() for d in sorted(workdays_)],
            "loaded_by": user,
        },
    )
    workdays.register_schedule(year, holidays, workdays_, source)
    return row
