"""Petition clocks (执行信访, indicators.md §8, PET-1…PET-3).

Pure functions of ``(case, as_of)``. ``as_of`` is the end of that day: a petition
received after it has not arrived, and a registration, screening or closing dated after
it has not happened (indicators.md §1); ``as_of=None`` sees everything. Periods come from
the catalog (``flow/keynodes.yaml``: ``petition_registration``, ``petition_closing``,
``petition_screening``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from zhixing.cases.records import CaseRecord, Petition
from zhixing.flow.rules import period
from zhixing.lib import periods

#: Clock statuses (indicators.md §8, spec/cli.md ``check petitions --json``).
ON_TIME, LATE, OVERDUE, PENDING = "on_time", "late", "overdue", "pending"


def clock_status(due_on: date, done_on: date | None, as_of: date | None) -> str:
    """indicators.md §8: ``on_time`` (done on or before its due day), ``late`` (done after
    it), ``overdue`` (not done, due day on or before as-of), ``pending`` (not done, due
    day after as-of). ``done_on`` must already be a fact seen at as-of."""
    if done_on is not None:
        return ON_TIME if done_on <= due_on else LATE
    if as_of is None or due_on <= as_of:
        return OVERDUE
    return PENDING


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


@dataclass(frozen=True, slots=True)
class PetitionClock:
    """The three clocks of one petition at as-of (indicators.md §8)."""

    case_number: str
    petition: str
    handled_by: str  # the court that handles it and where it counts (default: the case's court)
    received_on: date
    registration_due_on: date
    registered_on: date | None
    registration_status: str
    closing_due_on: date
    closed_on: date | None
    status: str  # the closing clock's status
    screening_due_on: date | None  # only for a petition about a lower court
    screening_status: str | None
    provisional: bool = False

    def to_json(self) -> dict[str, Any]:
        """The shape of spec/cli.md ``check petitions --json`` (plus ``provisional``)."""
        return {
            "case_number": self.case_number,
            "petition": self.petition,
            "handled_by": self.handled_by,
            "received_on": _iso(self.received_on),
            "registration_due_on": _iso(self.registration_due_on),
            "registered_on": _iso(self.registered_on),
            "registration_status": self.registration_status,
            "closing_due_on": _iso(self.closing_due_on),
            "closed_on": _iso(self.closed_on),
            "status": self.status,
            "screening_due_on": _iso(self.screening_due_on),
            "screening_status": self.screening_status,
            "provisional": self.provisional,
        }


def _clock(case: CaseRecord, p: Petition, as_of: date | None) -> PetitionClock:
    def seen(d: date | None) -> date | None:
        return d if d is not None and (as_of is None or d <= as_of) else None

    registration_due = period("petition_registration").period.last_day(p.received_on)  # PET-1
    closing_due = period("petition_closing").period.last_day(p.received_on)  # PET-2
    screening_due = (
        period("petition_screening").period.last_day(p.received_on) if p.about_lower_court else None
    )  # PET-3
    registered_on, closed_on, screened_on = seen(p.registered_on), seen(p.closed_on), seen(p.screened_on)
    last = max(d for d in (registration_due, closing_due, screening_due) if d is not None)
    return PetitionClock(
        case_number=case.case_number,
        petition=p.id,
        handled_by=p.handled_by or case.court,
        received_on=p.received_on,
        registration_due_on=registration_due,
        registered_on=registered_on,
        registration_status=clock_status(registration_due, registered_on, as_of),
        closing_due_on=closing_due,
        closed_on=closed_on,
        status=clock_status(closing_due, closed_on, as_of),
        screening_due_on=screening_due,
        screening_status=None if screening_due is None else clock_status(screening_due, screened_on, as_of),
        provisional=periods.is_provisional(p.received_on, last),
    )


def petition_clocks(case: CaseRecord, as_of: date | None) -> list[PetitionClock]:
    """indicators.md §8, PET-1/2/3: the clocks of every petition received on or before
    as-of, in bundle order. Registration is due on the 5th working day after
    ``received_on`` (PET-1); closing 30 days after it, rolled forward (PET-2); screening,
    only for a petition about a lower court, on the 15th working day after it (PET-3),
    else ``screening_due_on`` and ``screening_status`` are ``None``."""
    return [_clock(case, p, as_of) for p in case.petitions if as_of is None or p.received_on <= as_of]
