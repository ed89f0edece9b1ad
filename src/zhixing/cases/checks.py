"""The four case checks of spec/cli.md (``zhixing check termination|credit|funds|petitions``)
as rows, shared by the command, the API and the case page."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef

from zhixing.cases.choices import ClosingMode
from zhixing.cases.models import Case, NodeEvent
from zhixing.credit.rules import credit_checks
from zhixing.funds import models as funds
from zhixing.funds.rules import receipt_clocks
from zhixing.petitions.models import Petition
from zhixing.petitions.rules import petition_clocks
from zhixing.termination.rules import check_termination

KINDS = ("termination", "credit", "funds", "petitions")


def cases_for(kind: str, as_of: date):
    """The cases a check of ``kind`` reports on at as-of (unscoped: callers narrow them)."""
    seen = Case.objects.filter(filed_on__lte=as_of)
    if kind == "termination":
        return seen.filter(closing_mode=ClosingMode.TERMINATED_CURRENT, closed_on__lte=as_of)
    if kind == "credit":
        listed = NodeEvent.objects.filter(case=OuterRef("pk"), node="credit_listing", on__lte=as_of)
        return seen.filter(Exists(listed))
    if kind == "funds":
        return seen.filter(Exists(funds.Receipt.objects.filter(case=OuterRef("pk"), notice_on__lte=as_of)))
    return seen.filter(Exists(Petition.objects.filter(case=OuterRef("pk"), received_on__lte=as_of)))


def rows_for(kind: str, record, as_of: date) -> list[dict]:
    """The JSON rows (spec/cli.md ``check KIND --json``) of one case at as-of."""
    if kind == "termination":
        verdict = check_termination(record, as_of)
        return [verdict.to_json()] if verdict else []
    if kind == "credit":
        return [r.to_json() for r in credit_checks(record, as_of)]
    if kind == "funds":
        return [c.to_json() for c in receipt_clocks(record, as_of) if c.notice_on <= as_of]
    return [c.to_json() for c in petition_clocks(record, as_of) if c.received_on <= as_of]
