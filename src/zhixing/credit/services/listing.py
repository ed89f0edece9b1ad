"""Listing (纳入) a debtor on the 失信 list."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from zhixing.cases.models import Case, NodeEvent
from zhixing.credit import entries as E
from zhixing.credit.models import (
    Action,
    CreditDecision,
    DeletionGround,
)
from zhixing.credit.rules import TERM_GROUNDS, credit_checks, is_term_entry, listing_facts
from zhixing.credit.services.errors import CreditError
from zhixing.credit.services.locking import (
    Document,
    Locked,
    _append,
    _check_document,
    _debtor,
    _lock,
    _with_event,
)
from zhixing.credit.services.restriction import restrict_consumption
from zhixing.lib import periods

#: Checks a new listing must pass before it is saved (indicators.md §6; C3/C4 are about
#: deleting later, so they cannot fail on the listing day), with the form field each names.
LISTING_CHECKS = {"C1": "party", "C2": "term_years", "C5": "restrict", "C6": "grounds"}


def _next_listing_id(case: Case) -> str:
    """``L1``, ``L2`` … unique within the case (withdrawn events included)."""
    rows = NodeEvent.objects.filter(case=case, node="credit_listing").values_list("data", flat=True)
    used = {d.get("id") for d in rows if isinstance(d, dict)}
    n = len(used) + 1
    while f"L{n}" in used:
        n += 1
    return f"L{n}"


def default_term(grounds: list[str]) -> int | None:
    """CREDIT-5: no term for G1 alone, else two years."""
    return 2 if is_term_entry(tuple(grounds)) else None


@transaction.atomic
def list_party(
    user,
    case: Case | int,
    *,
    party: str,
    grounds: list[str],
    term_years: int | None,
    doc: Document,
    restrict: bool = False,
    on_applicant_request: bool = False,
    requested_on: date | None = None,
    expected_version: int | None = None,
) -> CreditDecision:
    """纳入失信被执行人名单 (CREDIT-1…6, CREDIT-10, CREDIT-13).

    Refused, with the rule, when: the party is not a debtor; the obligation is performed
    (CREDIT-1); the debtor is a minor on the decision day (C1, CREDIT-4); the term does
    not fit the grounds (C2, CREDIT-5 — G1 alone has none); no consumption restriction is
    in force and ``restrict`` is off (C5, CONS-2; with ``restrict`` the order is made the
    same day, before the listing); restraints already cover the unpaid claim and the only
    ground is G1 (C6, CREDIT-3); the party is already listed in this case; or, on the
    applicant's request, within six months of a deletion made on the applicant's own
    request (CREDIT-10)."""
    locked = _lock(user, case, expected_version)
    record = locked.record
    _check_document(doc, locked.case)
    debtor = _debtor(record, party)
    grounds = sorted(dict.fromkeys(grounds))
    if not grounds or any(g not in ("G1", *TERM_GROUNDS) for g in grounds):
        raise CreditError("grounds", "请至少选择一项失信情形（CREDIT-1）")
    if record.claim_amount is not None and record.unpaid <= 0:
        raise CreditError("party", "被执行人已全部履行生效法律文书确定的义务，不得纳入失信名单（CREDIT-1）")
    on = doc.decided_on
    active = [
        f for f in listing_facts(record) if f.party == party and f.listed_on <= on and f.ended_on is None
    ]
    if active:
        raise CreditError(
            "party",
            f"{debtor.name}在本案中已被纳入失信名单（{active[0].listed_on.isoformat()}），不能重复纳入",
        )
    if on_applicant_request:
        _credit_10(locked, party, on)
    if restrict and not E.restricted_on(record, party, on):
        restrict_consumption(user, locked.case, party=party, doc=doc, persons=None)
        locked = _lock(None, locked.case, None)
        record = locked.record
    listing_id = _next_listing_id(locked.case)
    data = {"id": listing_id, "party": party, "grounds": grounds, "term_years": term_years}
    prospective = _with_event(record, "credit_listing", on, data)
    (row,) = [r for r in credit_checks(prospective, on) if r.listing == listing_id]
    for check, field_name in LISTING_CHECKS.items():
        if check in row.reasons:
            raise CreditError(field_name, row.reasons[check])
    return _append(
        locked,
        user,
        "credit_listing",
        on,
        data,
        doc,
        {
            "grounds": grounds,
            "term_years": term_years,
            "on_applicant_request": on_applicant_request,
            "requested_on": requested_on,
        },
    )


def _credit_10(locked: Locked, party: str, on: date) -> None:
    """CREDIT-10 (失信规定 第十条第四款): after a deletion on the applicant's own request,
    the applicant's request to list again within six months (以内 includes the day) is refused."""
    last = (
        CreditDecision.objects.filter(case=locked.case, party=party, action=Action.DELETION)
        .order_by("-decided_on", "-pk")
        .first()
    )
    if last is not None and last.ground == DeletionGround.APPLICANT_REQUEST:
        until = periods.add_months(last.decided_on, 6)
        if on <= until:
            raise CreditError(
                "on_applicant_request",
                f"失信信息已于{last.decided_on.isoformat()}依申请执行人申请删除，"
                f"{until.isoformat()}前申请执行人再次申请纳入的，不予支持（CREDIT-10）",
            )
