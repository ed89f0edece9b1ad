"""Restraints and their expiry (DL-20), and the case's supervision data."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from zhixing.cases.loader import load_record
from zhixing.cases.models import Case, NodeEvent
from zhixing.cases.records import CaseRecord, Event
from zhixing.flow import checks
from zhixing.flow import rules as flow_rules
from zhixing.flow import rules_restraints as R
from zhixing.flow.models import ExtensionRequest, ExtensionStatus
from zhixing.flow.services.errors import FlowError
from zhixing.flow.services.extensions import (
    can_request_extension,
    extension_json,
    extensions_for,
    latest_request_day,
)
from zhixing.flow.services.queue import _scope_filter
from zhixing.lib import periods
from zhixing.lib.clock import today

RESTRAINT_NODES = ("restraint", "restraint_renewed", "restraint_released")


def restraint_json(r: R.Restraint) -> dict:
    return {
        "asset": r.asset,
        "measure": r.measure,
        "category": r.category,
        "value": r.value,
        "restrained_on": r.restrained_on.isoformat(),
        "expires_on": r.expires_on.isoformat(),
        "renewals": [d.isoformat() for d in r.renewals],
        "released_on": r.released_on.isoformat() if r.released_on else None,
        "max_years": r.max_years,
        "status": r.status,
        "status_label": R.STATUS_LABELS[r.status],
        "remind_on": r.remind_on.isoformat(),
        "days_left": r.days_left,
        "problems": [{"rule": p.rule, "message": p.message} for p in r.problems],
        "rule": "DL-20",
    }


def expiring_restraints(
    user, *, as_of: date, days: int = R.REMINDER_DAYS, court_code: str = "", include_expired: bool = False
) -> list[dict]:
    """DL-20 per court: the restraints in force at as-of whose term ends within ``days``
    days (the renewal reminder, 30 days ahead by default), and with ``include_expired``
    those whose term ran out without a renewal and were never released. Reads only the
    restraint events of the cases in scope (one query), then the pure rules."""
    if days < 0 or days > 366:
        raise FlowError("days", "天数应在 0–366 之间")
    scope_q = _scope_filter(user, "court", court_code)
    rows = (
        NodeEvent.objects.filter(
            scope_q, node__in=RESTRAINT_NODES, withdrawn=False, superseded_by__isnull=True, on__lte=as_of
        )
        .order_by("case_id", "on", "position", "pk")
        .values_list(
            "case_id", "case__case_number", "case__court__code", "case__handler", "node", "on", "data"
        )
    )
    by_case: dict[int, list] = defaultdict(list)
    heads: dict[int, tuple[str, str, str]] = {}
    for case_id, number, court, handler, node, on, data in rows:
        by_case[case_id].append(Event(node, on, len(by_case[case_id]), data))
        heads[case_id] = (number, court, handler)
    horizon = periods.add_days(as_of, days)
    out = []
    for case_id, events in by_case.items():
        for r in R.restraint_terms(events, as_of, reminder_days=days):
            keep = r.status in (R.ACTIVE, R.EXPIRING) and r.expires_on <= horizon
            if keep or (include_expired and r.status == R.EXPIRED):
                number, court, handler = heads[case_id]
                out.append({"case_number": number, "court": court, "handler": handler, **restraint_json(r)})
    return sorted(out, key=lambda x: (x["expires_on"], x["case_number"], x["asset"]))


def application_period_json(record: CaseRecord) -> dict:
    p = R.application_period(record)
    return {
        "rule": p.rule,
        "applies": p.applies,
        "start_on": p.start_on.isoformat() if p.start_on else None,
        "expires_on": p.expires_on.isoformat() if p.expires_on else None,
        "applied_on": p.applied_on.isoformat(),
        "late": p.late,
        "days_late": p.days_late,
        "warning": p.warning,
        "blocking": p.blocking,
    }


def case_supervision(user, case: Case, *, as_of: date | None = None) -> dict:
    """What the case page shows around deadlines: the deadline in force and whether an
    extension may still be requested (DL-13), the extension requests, the restraints and
    their expiry (DL-20), planned resumptions (DL-14), and the application period warning
    (PER-7 — a warning, never a block: PER-8)."""
    as_of = as_of or today()
    record = load_record(case)
    detail = flow_rules.deadline_detail(record, as_of)
    deadline = None
    if detail is not None and detail.deadline is not None:
        last = latest_request_day(detail.deadline)
        pending = ExtensionRequest.objects.filter(case=case, status=ExtensionStatus.PENDING).exists()
        deadline = {
            "deadline": detail.deadline.isoformat(),
            "base_on": detail.base_on.isoformat(),
            "extensions": list(detail.extensions),
            "excluded_days": detail.excluded_days,
            "open_interval": detail.open_interval,
            "provisional": detail.provisional,
            "latest_extension_request_on": last.isoformat(),
            "can_request_extension": (
                record.closed_on is None
                and as_of <= last
                and not pending
                and can_request_extension(user, case)
            ),
            "rule": "DL-13",
        }
    planned = [
        {
            "kind": kind,
            "start_on": start.on.isoformat(),
            "until": start.data.get("until"),
            "end_node": checks.INTERVALS[kind][1],
        }
        for kind, start in checks.open_intervals(record, as_of)
        if start.data.get("until")
    ]
    return {
        "case_number": case.case_number,
        "version": case.version,
        "as_of": as_of.isoformat(),
        "deadline": deadline,
        "extension_requests": [extension_json(r) for r in extensions_for(user).filter(case=case)],
        "restraints": [restraint_json(r) for r in R.restraint_terms(record.events, as_of)],
        "planned_resumptions": planned,
        "application_period": application_period_json(record),
    }
