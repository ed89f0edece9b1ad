"""One case's deadlines and obligations at an as-of date, in the spec/cli.md shape."""

from __future__ import annotations

from datetime import date

from zhixing.cases.records import CaseRecord
from zhixing.flow import rules
from zhixing.flow.obligations import Obligation
from zhixing.metrics.facts import all_obligations


def obligation_json(o: Obligation) -> dict:
    return {
        "key_node": o.key_node,
        "node": o.node,
        "ref": o.ref,
        "trigger_on": o.trigger_on.isoformat(),
        "due_on": o.due_on.isoformat() if o.due_on else None,
        "done_on": o.done_on.isoformat() if o.done_on else None,
        "status": o.status,
        "provisional": o.provisional,
        "rule": o.rule,
    }


def case_deadlines(case: CaseRecord, as_of: date) -> dict:
    """spec/cli.md ``deadlines --json``: one object per case (plus each obligation's rule)."""
    deadline, provisional = rules.statutory_deadline(case, as_of)
    obligations = all_obligations(case, as_of)
    return {
        "case_number": case.case_number,
        "statutory_deadline": deadline.isoformat() if deadline else None,
        "closed_within_deadline": rules.closed_within_deadline(case, as_of),
        "provisional": provisional or any(o.provisional for o in obligations),
        "obligations": [obligation_json(o) for o in obligations],
    }
