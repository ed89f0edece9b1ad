"""The read side: which categories were queried when and which are missing (TERM-4), open
and stuck requests, restraint expiry; a request as JSON."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from zhixing.cases.choices import IMPLEMENTATION_TYPES, PartyRole
from zhixing.cases.models import Case, NodeEvent, Party
from zhixing.cases.records import Event
from zhixing.flow import rules_restraints as R
from zhixing.flow import services as flow
from zhixing.inquiry.models import (
    ALL_CATEGORIES,
    REQUIRED_CATEGORIES,
    InquiryRequest,
    Kind,
    OutboxMessage,
    Status,
)
from zhixing.lib import periods
from zhixing.lib.clock import today


def _coverage_of(events: list[tuple[date, dict]], debtors: list[tuple[str, str]], as_of: date) -> list[dict]:
    """Per debtor (local id, name): per category the last query day and the assets found;
    the required categories (TERM-4) missing or older than 3 months before as-of."""
    since = periods.add_months(as_of, -3)
    out = []
    for local_id, name in debtors:
        last: dict[str, date] = {}
        found: dict[str, int] = defaultdict(int)
        for on, data in events:
            if data.get("party") not in (None, local_id):
                continue
            for c in data.get("categories") or ():
                if c not in last or on > last[c]:
                    last[c] = on
            for item in data.get("found") or ():
                found[item.get("category")] += 1
        missing = [c for c in REQUIRED_CATEGORIES if c not in last]
        stale = [c for c in REQUIRED_CATEGORIES if c in last and last[c] < since]
        out.append({
            "party": local_id, "name": name,
            "categories": [{"category": c, "last_on": last[c].isoformat() if c in last else None, "found": found.get(c, 0)}
                           for c in ALL_CATEGORIES],
            "missing": missing, "stale": stale, "since": since.isoformat(),
            "complete": not missing and not stale, "rule": "TERM-4",
        })  # fmt: skip
    return out


def case_coverage(case: Case, as_of: date | None = None) -> dict:
    """One case: coverage per debtor (``online_inquiry`` events, whoever recorded them),
    the requests and their state, and restraints with their expiry (DL-20)."""
    as_of = as_of or today()
    events = list(
        NodeEvent.objects.filter(case=case, node="online_inquiry", withdrawn=False, superseded_by__isnull=True, on__lte=as_of)
        .order_by("on", "position").values_list("on", "data")
    )  # fmt: skip
    debtors = list(
        case.parties.filter(role=PartyRole.DEBTOR).order_by("position").values_list("local_id", "name")
    )
    restraint_rows = (
        NodeEvent.objects.filter(case=case, node__in=flow.RESTRAINT_NODES, withdrawn=False, superseded_by__isnull=True, on__lte=as_of)
        .order_by("on", "position", "pk").values_list("node", "on", "data")
    )  # fmt: skip
    evs = [Event(n, on, i, d) for i, (n, on, d) in enumerate(restraint_rows)]
    renewals = {
        r.asset: r for r in InquiryRequest.objects.filter(case=case, kind=Kind.RENEW).order_by("created_at")
    }
    restraints = []
    for r in R.restraint_terms(evs, as_of):
        row = flow.restraint_json(r)
        pending = renewals.get(r.asset)
        row["renewal"] = request_json(pending) if pending and pending.status not in (Status.DONE,) else None
        restraints.append(row)
    return {
        "case_number": case.case_number,
        "as_of": as_of.isoformat(),
        "debtors": _coverage_of(events, debtors, as_of),
        "restraints": restraints,
    }


def court_coverage(courts, as_of: date | None = None) -> list[dict]:
    """Per court (open 执行实施 cases at as-of): how many debtors have the four required
    categories queried within 3 months (TERM-4), how many lack each category, and the
    requests open and stuck."""
    as_of = as_of or today()
    courts = list(courts)
    open_cases = Case.objects.filter(court__in=courts, case_type__in=IMPLEMENTATION_TYPES).open_at(as_of)
    events: dict[int, list] = defaultdict(list)
    for case_id, on, data in NodeEvent.objects.filter(
        case__in=open_cases, node="online_inquiry", withdrawn=False, superseded_by__isnull=True, on__lte=as_of
    ).values_list("case_id", "on", "data"):
        events[case_id].append((on, data))
    debtors: dict[int, list] = defaultdict(list)
    court_of: dict[int, int] = {}
    for case_id, court_id, local_id, name in Party.objects.filter(
        case__in=open_cases, role=PartyRole.DEBTOR
    ).values_list("case_id", "case__court_id", "local_id", "name"):
        debtors[case_id].append((local_id, name))
        court_of[case_id] = court_id
    stats = {c.pk: {"court": c.code, "name": c.name, "cases": 0, "debtors": 0, "covered": 0,
                    "missing": dict.fromkeys(REQUIRED_CATEGORIES, 0), "stale": dict.fromkeys(REQUIRED_CATEGORIES, 0),
                    "open_requests": 0, "stuck_requests": 0} for c in courts}  # fmt: skip
    for case_id, ds in debtors.items():
        s = stats[court_of[case_id]]
        s["cases"] += 1
        for row in _coverage_of(events.get(case_id, []), ds, as_of):
            s["debtors"] += 1
            s["covered"] += row["complete"]
            for c in row["missing"]:
                s["missing"][c] += 1
            for c in row["stale"]:
                s["stale"][c] += 1
    for court_id in InquiryRequest.objects.filter(court__in=courts).open().values_list("court_id", flat=True):
        stats[court_id]["open_requests"] += 1
    for court_id in InquiryRequest.objects.filter(court__in=courts, status=Status.STUCK).values_list(
        "court_id", flat=True
    ):
        stats[court_id]["stuck_requests"] += 1
    return [s for s in stats.values() if s["cases"] or s["open_requests"] or s["stuck_requests"]]


def request_json(r: InquiryRequest, *, results: bool = False) -> dict:
    out = {
        "request_id": str(r.request_id),
        "case_number": r.case.case_number,
        "court": r.court.code,
        "party": r.party.local_id,
        "party_name": r.party.name,
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "system": r.system,
        "categories": list(r.categories),
        "asset": r.asset or None,
        "amount": str(r.amount) if r.amount is not None else None,
        "expires_on": r.expires_on.isoformat() if r.expires_on else None,
        "origin": r.origin,
        "notice_number": r.notice_number,
        "status": r.status,
        "status_label": r.get_status_display(),
        "error": r.error or None,
        "requested_on": r.requested_on.isoformat(),
        "completed_at": r.completed_at.isoformat() if r.completed_at else None,
    }
    if results:
        out["results"] = [
            {"category": x.category, "status": x.status, "status_label": x.get_status_display(), "assets": x.assets,
             "total": str(x.total), "message": x.message or None, "answered_on": x.answered_on.isoformat(),
             "receipt": x.receipt.local_id if x.receipt_id else None}
            for x in r.results.select_related("receipt")
        ]  # fmt: skip
        out["outbox"] = _outbox_json(r)
    return out


def _outbox_json(r: InquiryRequest) -> dict | None:
    m = OutboxMessage.objects.filter(request=r).first()
    if m is None:
        return None
    return {"state": m.state, "attempts": m.attempts, "failures": m.failures, "polls": m.polls,
            "next_attempt_at": m.next_attempt_at.isoformat(), "last_error": m.last_error or None}  # fmt: skip
