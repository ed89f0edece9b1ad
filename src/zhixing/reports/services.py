"""Producing bulletins (the only code that writes ``Bulletin`` rows) and campaigns.

The scheduled job claims a row per (kind, court, date, format) before rendering — the
unique constraint lets one run win the insert — and marks it done with a conditional
UPDATE that only the claim's holder can make. Running it twice produces nothing new;
a claim left ``pending`` by a crashed run is taken over after ``CLAIM_TIMEOUT``.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhixing.courts.models import Court
from zhixing.reports import bulletins
from zhixing.reports.models import Bulletin

CLAIM_TIMEOUT = timedelta(minutes=30)


def due_kinds(day: date) -> list[str]:
    """The bulletins due for DATE: the daily one every day, the weekly one on Sunday
    (Monday–Sunday, spec/cli.md's weekly window), the monthly one on the month's last day."""
    kinds = ["daily"]
    if day.weekday() == 6:
        kinds.append("weekly")
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        kinds.append("monthly")
    return kinds


def _claim(kind: str, court: Court, day: date, fmt: str, now: datetime) -> Bulletin | None:
    """The row for this bulletin, claimed by us at ``now``; None when it is done or
    another run's claim is still fresh."""
    try:
        with transaction.atomic():
            return Bulletin.objects.create(kind=kind, court=court, date=day, format=fmt, claimed_at=now)
    except IntegrityError:
        pass
    row = Bulletin.objects.filter(kind=kind, court=court, date=day, format=fmt).first()
    if row is None or row.status == Bulletin.Status.DONE:
        return None
    taken = Bulletin.objects.filter(
        pk=row.pk, status=Bulletin.Status.PENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(claimed_at=now)
    if not taken:
        return None
    row.claimed_at = now
    return row


def _finish(row: Bulletin, content: bytes, name: str) -> bool:
    """Store the file and mark the row done, if our claim still holds."""
    return bool(
        Bulletin.objects.filter(pk=row.pk, status=Bulletin.Status.PENDING, claimed_at=row.claimed_at).update(
            status=Bulletin.Status.DONE,
            content=content,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            filename=name,
            produced_at=timezone.now(),
        )
    )


@dataclass
class DueReport:
    date: date
    produced: list[dict] = field(default_factory=list)
    skipped: int = 0

    def as_json(self) -> dict:
        return {"date": self.date.isoformat(), "produced": self.produced, "skipped": self.skipped}


def produce(kind: str, court: Court, day: date, formats: Sequence[str] = bulletins.FORMATS, *,
            report: DueReport | None = None) -> DueReport:  # fmt: skip
    """Produce the bulletin (kind, court, DATE) in every format not produced yet. The
    data are built once for all formats; a system job, so no user scope applies."""
    report = report or DueReport(day)
    now = timezone.now()
    claimed = []
    for fmt in formats:
        row = _claim(kind, court, day, fmt, now)
        if row is None:
            report.skipped += 1
        else:
            claimed.append(row)
    if not claimed:
        return report
    data = bulletins.build(kind, day, court)
    for row in claimed:
        content = bulletins.render(data, row.format)
        name = bulletins.filename(kind, day, court, row.format)
        if _finish(row, content, name):
            report.produced.append(
                {
                    "kind": kind,
                    "court": court.code,
                    "format": row.format,
                    "filename": name,
                    "size": len(content),
                }
            )
        else:
            report.skipped += 1
    return report


def bulletins_due(day: date, courts: Iterable[Court], *, kinds: Sequence[str] | None = None,
                  formats: Sequence[str] = bulletins.FORMATS) -> DueReport:  # fmt: skip
    """Every bulletin due for DATE (``due_kinds``) for each court, in each format, that
    is not produced yet."""
    report = DueReport(day)
    for court in courts:
        for kind in kinds or due_kinds(day):
            produce(kind, court, day, formats, report=report)
    return report
