"""The key-node obligation (关键节点, indicators.md §3) as every rule module reports it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: Statuses of an obligation at an as-of date (spec/cli.md, deadlines --json).
DONE, DONE_LATE, PENDING, OVERDUE, LAPSED = "done", "done_late", "pending", "overdue", "lapsed"


@dataclass(frozen=True, slots=True)
class Obligation:
    key_node: str  # K1 … K9
    node: str  # the node code that discharges it
    ref: str | None  # clue, receipt or listing id, or K8's sequence number; else None
    trigger_on: date
    due_on: date | None  # the (rolled) last day; None while no due day exists (K6 open deferral)
    done_on: date | None  # the discharging event's day, as seen at as-of
    status: str
    provisional: bool
    rule: str  # rule ID from rules.md, e.g. "DL-2"

    def overdue_in(self, start: date, end: date, as_of: date) -> bool:
        """indicators.md §3: last day in [start, end], on or before as-of, and not
        discharged on or before its last day (one done late counts; a lapsed one never)."""
        if self.status == LAPSED or self.due_on is None:
            return False
        if not (start <= self.due_on <= end and self.due_on <= as_of):
            return False
        return self.done_on is None or self.done_on > self.due_on


def status_at(due_on: date | None, done_on: date | None, as_of: date) -> str:
    """The status of a non-lapsed obligation at as-of (indicators.md §1, spec/cli.md)."""
    if done_on is not None and done_on <= as_of:
        return DONE if due_on is None or done_on <= due_on else DONE_LATE
    if due_on is not None and due_on <= as_of:
        return OVERDUE
    return PENDING
