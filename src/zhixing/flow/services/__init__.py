"""Every change in the process flow, and the supervision around deadlines.

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

One module per job — :mod:`.events` (the node log), :mod:`.extensions`, :mod:`.alerts`,
:mod:`.resume`, :mod:`.queue`, :mod:`.supervision` (and :mod:`.errors`, :mod:`.people`);
the names are re-exported here.
"""

from zhixing.cases.loader import load_record  # the views read a case's record through this package
from zhixing.flow.services.alerts import acknowledge, alert_json, alerts_for, scan_overdue
from zhixing.flow.services.errors import Conflict, FlowError, Forbidden
from zhixing.flow.services.events import (
    CREDIT_NODES,
    NewEvent,
    correct_event,
    record_event,
    record_events_bulk,
    withdraw_event,
)
from zhixing.flow.services.extensions import (
    EXTENSION_APPROVERS,
    EXTENSION_LEAD_DAYS,
    EXTENSION_USUAL_MONTHS,
    can_decide_extension,
    can_request_extension,
    deadline_in_force,
    decide_extension,
    extension_counts,
    extension_json,
    extension_warnings,
    extensions_for,
    latest_request_day,
    request_extension,
    unrolled_deadline,
)
from zhixing.flow.services.people import SYSTEM, can_act, who
from zhixing.flow.services.queue import (
    BEFORE_CLOSING,
    EXTRA_LABELS,
    QUEUE_STATUS_LABELS,
    SCOPES,
    STATUTORY,
    QueueItem,
    obligation_label,
    queue,
)
from zhixing.flow.services.resume import resume_due
from zhixing.flow.services.supervision import (
    RESTRAINT_NODES,
    application_period_json,
    case_supervision,
    expiring_restraints,
    restraint_json,
)
from zhixing.lib.clock import today  # the one clock every module of the package reads

__all__ = [
    "BEFORE_CLOSING",
    "CREDIT_NODES",
    "EXTENSION_APPROVERS",
    "EXTENSION_LEAD_DAYS",
    "EXTENSION_USUAL_MONTHS",
    "EXTRA_LABELS",
    "QUEUE_STATUS_LABELS",
    "RESTRAINT_NODES",
    "SCOPES",
    "STATUTORY",
    "SYSTEM",
    "Conflict",
    "FlowError",
    "Forbidden",
    "NewEvent",
    "QueueItem",
    "acknowledge",
    "alert_json",
    "alerts_for",
    "application_period_json",
    "can_act",
    "can_decide_extension",
    "can_request_extension",
    "case_supervision",
    "correct_event",
    "deadline_in_force",
    "decide_extension",
    "expiring_restraints",
    "extension_counts",
    "extension_json",
    "extension_warnings",
    "extensions_for",
    "latest_request_day",
    "load_record",
    "obligation_label",
    "queue",
    "record_event",
    "record_events_bulk",
    "request_extension",
    "restraint_json",
    "resume_due",
    "scan_overdue",
    "today",
    "unrolled_deadline",
    "who",
    "withdraw_event",
]
