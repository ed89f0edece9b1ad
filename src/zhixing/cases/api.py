"""Cases in the JSON API (``/api/cases…``), and the case lookups the pages share.

Every lookup starts from ``Case.objects.visible_to(user)``: a case of a court the user
may not see is a 404, exactly as if it did not exist (design.md: "every lookup checks who
asks"). The check endpoints return the rows of ``zhixing check …`` / ``zhixing
deadlines`` for one case (spec/cli.md), computed by the same rule functions.
"""

import dataclasses
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Exists, F, OrderBy, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import PageNumberPagination, paginate

from zhixing.cases import fragments
from zhixing.cases.access import visible_case
from zhixing.cases.bundle import case_to_bundle
from zhixing.cases.casenumber import normalise
from zhixing.cases.checks import rows_for
from zhixing.cases.choices import CaseType, ClosingMode
from zhixing.cases.loader import load_record
from zhixing.cases.models import Case, NameGram, NumberGram, Party
from zhixing.cases.records import CaseRecord
from zhixing.courts.models import Court
from zhixing.flow.deadlines import case_deadlines
from zhixing.lib.masking import Audience, audience, mask, mask_data

PAGE_SIZE = 50

# -- lookups shared with the pages ----------------------------------------------------------


#: From this many parties matching a search text on, the text is common (a name such as
#: 林某 in a province's million cases): see ``search_listing``.
COMMON = 2000


class Scope(NamedTuple):
    """What a search reads, each of the courts in scope: the cases (open or closed, if asked),
    the parties (by the party's copy of the court) and the n-gram rows of their names and case
    numbers (``fragments``)."""

    cases: QuerySet[Case]
    parties: QuerySet[Party]
    name_grams: QuerySet[NameGram]
    number_grams: QuerySet[NumberGram]


def search_cases(user, *, q: str = "", court: str = "", is_open: bool | None = None) -> QuerySet[Case]:
    """The cases ``user`` may see, narrowed by a search text (a case number or party
    name starting with it or, failing that, containing it; a whole ID number / credit
    code), a court code (that court's subtree) and open/closed (a closing recorded or
    not). Newest filings first."""
    return _found(_scoped(user, court, is_open), q.strip())


def search_listing(
    user, *, q: str = "", court: str = "", is_open: bool | None = None
) -> tuple[QuerySet[Case], QuerySet]:
    """The cases of ``search_cases`` as two querysets: one to read a page from and one
    to count (capped: ``views.CappedPaginator``), each the fast way for the text.

    Why two: a text matching few parties of the courts in scope is read from the
    court-and-name index (the matches' ids, then their cases). A common name (``COMMON``
    parties or more in scope: 林某 among a province's million cases) matches too many cases
    to fetch and sort them all for the newest fifty, so its page walks the cases newest
    first (the filing-day index), testing each case's parties by their case index, and
    stops after a page. That walk is the slow way to count, so the count reads the
    court-and-name index (joined to the cases when open/closed narrows them) and stops at
    the cap. A common name that also starts a
    case number or is a whole ID number or credit code takes the general form. A common
    case-number prefix (a court's year, （2024）豫0823执) that names no party is walked the
    same way, its count read from the case-number index."""
    scope = _scoped(user, court, is_open)
    qs, parties = scope.cases, scope.parties
    q = q.strip()
    if q:
        named = parties.filter(_prefix("name", q)).order_by()  # no sort to count
        if named[:COMMON].count() >= COMMON and not qs.filter(_other_q(q)).exists():
            # The walk tests a case's own parties: the court condition would only add work.
            own = Party.objects.filter(_prefix("name", q), case=OuterRef("pk"))
            walk = qs.filter(Exists(own)).order_by("-filed_on", "case_number")
            if is_open is None:
                # The cases in scope are those of the parties in scope (a party keeps its
                # case's court): counted from the parties alone. PostgreSQL planned the
                # capped join below as a walk of the party case index (290 ms, against 15).
                return walk, named.values("case_id").distinct()
            if connection.vendor == "postgresql":
                # A semi-join: PostgreSQL read the join below from the party case index,
                # testing every party's name (157 ms at a million cases, against 12 ms).
                return walk, qs.filter(pk__in=named.values("case_id")).values("pk")
            return walk, qs.filter(_prefix("parties__name", q)).values("pk").distinct()
        number_prefix = _prefix("case_number", normalise(q))
        numbered = qs.filter(number_prefix)
        # Common among all cases, not those in scope: a court condition beside the prefix makes
        # PostgreSQL expect few matches (a court's share of the prefix's, where the prefix names
        # the court) and sort them all (38 ms) rather than read the index in order (2 ms). A
        # prefix common elsewhere and rare in scope just sorts its few matches.
        everywhere = Case.objects.filter(number_prefix).order_by(_by_number()).values("pk")
        if (
            everywhere[:COMMON].count() >= COMMON
            and not named.exists()
            and not qs.filter(pk__in=_holders(q)).exists()
        ):
            return numbered.order_by(*_NEWEST_OF_MANY), numbered.order_by(_by_number()).values("pk")
    found = qs.filter(search_q(q, parties)) if q else qs
    if not q or found.exists():
        found = found.order_by("-filed_on", "case_number")
        return found, found
    return _fragment_listing(scope, q, is_open)


def _fragment_listing(scope: Scope, q: str, is_open: bool | None) -> tuple[QuerySet[Case], QuerySet]:
    """``search_listing`` for a text that starts no case number, name or ID in scope. A
    fragment in the names of ``COMMON`` parties or more in scope (合作社, 有限公司) is walked as
    a common name is, its own parties tested by their case index; one in ``COMMON`` case numbers
    or more (豫0823执) walks the cases testing their numbers; each is counted from its n-gram
    rows (``fragments.CaseCount``). Otherwise its few matches are read from the n-gram tables.

    The n-gram rows of each are read once, no further than ``COMMON`` rows: that tells a common
    fragment, and for any other gives its cases' ids, which the page and its count then look up
    by key. Why: finding the rows is the search's work (陟县某化工有限公 for 焦作's chief, 1,800
    parties each of whose pieces is in 5,000 names or more: 70 ms), and the count and the page
    each did it again."""
    qs, number = scope.cases, normalise(q)
    name_rows = fragments.name_rows(q, scope.name_grams)
    number_rows = fragments.number_rows(number, scope.number_grams)
    named = fragments.first_case_ids(name_rows, COMMON)
    numbered = fragments.first_case_ids(number_rows, COMMON)
    holders = qs.filter(pk__in=_holders(q))
    newest = ("-filed_on", "case_number")
    if len(named) >= COMMON and not numbered and not holders.exists():
        # A scalar subquery, not EXISTS: PostgreSQL turns an EXISTS into a join, and for an infix
        # LIKE (whose matches it cannot estimate) hashes every party name in the table (合作社:
        # 2.3 s); a scalar subquery is tested case by case as the walk goes, and stops with it.
        own = Party.objects.filter(case=OuterRef("pk"), name__icontains=q).values("pk")[:1]
        walk = qs.alias(hit=Subquery(own)).filter(hit__isnull=False).order_by(*newest)
        return walk, fragments.CaseCount.of(name_rows, named, is_open)
    if len(numbered) >= COMMON and not named and not holders.exists():
        walk = qs.filter(case_number__icontains=number).order_by(*newest)
        return walk, fragments.CaseCount.of(number_rows, numbered, is_open)
    # Either list may have stopped at COMMON (a common fragment that also starts a holder's ID
    # or is in a few names): then its rows are read again, as a subquery.
    matched = Q(pk__in=[])
    for found, rows in ((named, name_rows), (numbered, number_rows)):
        if found:
            matched |= (
                fragments.ids_in("pk", found) if len(found) < COMMON else Q(pk__in=fragments.case_ids(rows))
            )
    found = qs.filter(_any_of(matched, [_holders(q)])).order_by(*newest)
    if is_open is None and len(named) < COMMON and len(numbered) < COMMON:
        # Every case in hand is in scope (its party's name or its number is), and these are all
        # of them: counted here, with the holders', rather than read again (15 ms of 1,800 cases).
        held = holders.values_list("pk", flat=True)
        return found, fragments.Counted(len({*named, *numbered, *held}))
    return found, found


#: The newest first among many matches read from another index. Why not the filing-day index:
#: walking it newest first for a case-number prefix passes every later filing (a court's
#: 2024 after all of 2025: 350,000 rows, 124 ms on PostgreSQL), where reading the matches
#: by number and sorting them takes 42 ms; the expression is not indexed, so it is sorted.
_NEWEST_OF_MANY = (Coalesce("filed_on", "filed_on").desc(), "case_number")


class _PatternOrder(OrderBy):
    """PostgreSQL: ascending in the order of the ``varchar_pattern_ops`` index, which holds
    the ``LIKE 'x%'`` range. The comment is for Django's compiler, which reads each order's
    direction from its SQL (ASC or DESC); ``USING ~<~`` is ascending."""

    template = "%(expression)s USING ~<~ /* ASC */"


def _by_number() -> OrderBy:
    """Case-number order, read from the index that holds a prefix's range. Why an order in a
    capped count: without one, PostgreSQL counts the first thousand matches of a year's prefix
    by a sequential scan that expects them spread evenly, where they lie together (an import
    writes a year at a time): 68–160 ms, against 2 ms in index order."""
    if connection.vendor == "postgresql":
        return _PatternOrder(F("case_number"))
    return OrderBy(F("case_number"))  # SQLite's range on the case-number index


def _scoped(user, court: str, is_open: bool | None) -> Scope:
    sets = [m.objects.visible_to(user) for m in (Case, Party, NameGram, NumberGram)]
    if court:
        top = Court.objects.filter(code=court).first()
        # An unknown court and a court the user may not see give the same empty list.
        sets = [qs.in_subtree(top) if top is not None else qs.none() for qs in sets]
    cases = sets[0].select_related("court")
    if is_open is not None:
        cases = cases.filter(closed_on__isnull=is_open)
    return Scope(cases, *sets[1:])


def _found(scope: Scope, q: str) -> QuerySet[Case]:
    qs = scope.cases
    if q:
        # What starts with the text first; only a text nothing starts with (a fragment such
        # as 执1301 or 农业合作社) is looked for inside numbers and names.
        found = qs.filter(search_q(q, scope.parties))
        qs = found if found.exists() else qs.filter(contains_q(q, scope))
    return qs.order_by("-filed_on", "case_number")


def _other_q(q: str) -> Q:
    """What ``search_q`` matches besides a name: a case number starting with ``q``, a party
    with this whole ID number or credit code."""
    return _any_of(_prefix("case_number", normalise(q)), [_holders(q)])


def _holders(q: str) -> QuerySet:
    """The ids of the cases with a party whose whole ID number or credit code is ``q``."""
    upper = q.upper()
    return Party.objects.filter(Q(id_number=upper) | Q(credit_code=upper)).values("case_id").order_by()


def _any_of(numbered: Q, case_ids: list[QuerySet]) -> Q:
    """A case matching ``numbered`` (a condition on the case's own columns) or with its id
    in one of ``case_ids``. SQLite reads each term of the OR from its own index ("MULTI-INDEX
    OR"); PostgreSQL plans an OR of IN-subqueries as a filter tested on every case row
    (1.1–1.6 s at a million cases), so there the ids are one UNION ALL subquery (0.4 ms)."""
    if connection.vendor == "postgresql":
        own = Case.objects.filter(numbered).values("pk").order_by()
        return Q(pk__in=own.union(*case_ids, all=True))
    found = numbered
    for ids in case_ids:
        found |= Q(pk__in=ids)
    return found


def _prefix(field: str, text: str) -> Q:
    """``field`` starts with ``text``, as an index range: PostgreSQL reads ``LIKE 'x%'``
    from Django's ``varchar_pattern_ops`` index; SQLite's LIKE ignores case and so uses no
    index, hence the range on SQLite, where text compares as UTF-8 bytes (every string
    starting with ``text`` lies in [text, text + U+10FFFF))."""
    if connection.vendor == "sqlite":
        # The range alone: a LIKE beside it would be tested on every row of the range.
        return Q(**{f"{field}__gte": text, f"{field}__lt": text + "\U0010ffff"})
    return Q(**{f"{field}__startswith": text})


def search_q(q: str, parties: QuerySet[Party]) -> Q:
    """The cases a search text finds, each way by an index (no scan of a
    million cases or parties): a case number starting with the text (half-width
    brackets accepted), a party among ``parties`` (those of the courts in scope) whose
    name starts with it, or a whole ID number or credit code (a trailing x matches X)."""
    names = parties.filter(_prefix("name", q)).values("case_id").order_by()
    return _any_of(_prefix("case_number", normalise(q)), [_holders(q), names])


def contains_q(q: str, scope: Scope) -> Q:
    """Part of a case number (from three characters) or of a party's name (from two) in the
    courts of ``scope``, read from the n-gram tables (``fragments``), or a whole ID number /
    credit code in any letter case. Without the n-grams this read every case number and name
    in scope: 0.45–1.1 s at a million cases."""
    names = fragments.parties(fragments.name_rows(q, scope.name_grams))
    numbers = fragments.cases(fragments.number_rows(normalise(q), scope.number_grams))
    return _containing(names, numbers, q)


def _containing(names: QuerySet[Party], numbers: QuerySet[Case], q: str) -> Q:
    """A case of ``numbers``, or of a party of ``names``, or with a holder of ``q``."""
    return _any_of(Q(pk__in=numbers.values("pk")), [names.values("case_id"), _holders(q)])


def sees_full_data(user, case: Case) -> bool:
    """The handling court sees full personal data of its cases; a supervising court sees
    the cases below it with ID numbers in the staff form (lib.masking's rule)."""
    return audience(user, case.court_id) is Audience.HANDLING


def masked(record: CaseRecord, seen_by: Audience = Audience.STAFF) -> CaseRecord:
    """The record with natural persons' ID numbers masked — in the parties and in the
    nodes' data (a 限制消费令's persons, a 更正's fields) — and birth dates and any
    undeclared party fields (phones, addresses) removed. Credit codes and names of legal
    persons are public registers and stay."""
    parties = tuple(
        dataclasses.replace(p, id_number=mask(p.id_number, seen_by), birth_date=None, extra={})
        for p in record.parties
    )
    events = tuple(dataclasses.replace(e, data=mask_data(e.data, seen_by)) for e in record.events)
    return dataclasses.replace(record, parties=parties, events=events)


def interference_hidden(user, case: Case, event_data: dict) -> bool:
    """An ``interference_record`` node is shown only to those who may see interference
    records of the case (never to the person named)."""
    from zhixing.supervision.services import may_see_interference

    return not may_see_interference(user, court=case.court, person=event_data.get("person") or "")


def record_for(user, case: Case) -> tuple[CaseRecord, bool]:
    """The case as ``user`` may see it, and whether it is masked."""
    record = load_record(case)
    if any(e.node == "interference_record" for e in record.events):
        events = tuple(
            e
            for e in record.events
            if e.node != "interference_record" or not interference_hidden(user, case, e.data)
        )
        record = dataclasses.replace(record, events=events)
    if sees_full_data(user, case):
        return record, False
    return masked(record), True


def check_as_of(case: Case, as_of: date | None) -> date:
    """The as-of day of a check (default: today, China time); a day before filing is bad
    input, as the case did not exist then (the CLI leaves such cases out)."""
    day = as_of or timezone.localdate()
    if day < case.filed_on:
        raise ValidationError(
            [
                {
                    "loc": ["query", "as_of"],
                    "msg": f"as_of 早于立案日期 {case.filed_on.isoformat()}",
                    "type": "value_error",
                }
            ]
        )
    return day


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


# -- the API ---------------------------------------------------------------------------------

router = Router(tags=["案件"])


class CaseSummary(Schema):
    """A list row; enumerations in the courts' terms, as the case bundle spells them."""

    case_number: str
    court: str
    court_name: str
    case_type: str
    filed_on: date
    closed_on: date | None
    closing_mode: str | None
    handler: str
    claim_amount: str | None
    recovered_amount: str
    tags: list[str]

    @staticmethod
    def resolve_court(case: Case) -> str:
        return case.court.code

    @staticmethod
    def resolve_court_name(case: Case) -> str:
        return case.court.name

    @staticmethod
    def resolve_case_type(case: Case) -> str:
        return CaseType(case.case_type).label

    @staticmethod
    def resolve_closing_mode(case: Case) -> str | None:
        return ClosingMode(case.closing_mode).label if case.closing_mode else None

    @staticmethod
    def resolve_claim_amount(case: Case) -> str | None:
        return money(case.claim_amount)

    @staticmethod
    def resolve_recovered_amount(case: Case) -> str:
        return money(case.recovered_amount)


class CaseFilter(Schema):
    q: str = ""
    court: str = ""
    open: bool | None = None


class CasePagination(PageNumberPagination):
    page_size = PAGE_SIZE


@router.get("", response=list[CaseSummary], summary="案件列表（按本院及下级法院范围）")
@paginate(CasePagination)
def list_cases(request, filters: Query[CaseFilter]):
    """``q`` matches part of a case number or a party's name, or a whole ID number or
    credit code; ``court`` narrows to that court and the courts below it; ``open=true``
    keeps cases without a closing."""
    return search_cases(request.user, q=filters.q, court=filters.court, is_open=filters.open)


@router.get("/{case_number}", response=dict, summary="案件（案件包格式，当事人信息按权限脱敏）")
def get_case(request, case_number: str):
    """The case in its bundle shape (spec/case-bundle.md) plus ``court_name`` and
    ``masked`` (true when ID numbers are masked: a case of a court below the user's)."""
    case = visible_case(request.user, case_number)
    record, is_masked = record_for(request.user, case)
    return {**case_to_bundle(record), "court_name": case.court.name, "masked": is_masked}


@router.get(
    "/{case_number}/deadlines", response=dict, summary="法定期限与关键节点（同 zhixing deadlines --json）"
)
def get_deadlines(request, case_number: str, as_of: date | None = None):
    case = visible_case(request.user, case_number)
    return case_deadlines(load_record(case), check_as_of(case, as_of))


def _check(kind: str, request, case_number: str, as_of: date | None) -> list[dict]:
    case = visible_case(request.user, case_number)
    # The rules read the full record (C1 needs the birth date an ID number carries); the
    # rows name parties by name only, so nothing masked leaks through them.
    return rows_for(kind, load_record(case), check_as_of(case, as_of))


@router.get(
    "/{case_number}/termination",
    response=list[dict],
    summary="终本检查（同 zhixing check termination --json）",
)
def get_termination(request, case_number: str, as_of: date | None = None):
    return _check("termination", request, case_number, as_of)


@router.get(
    "/{case_number}/credit", response=list[dict], summary="失信、限消检查（同 zhixing check credit --json）"
)
def get_credit(request, case_number: str, as_of: date | None = None):
    return _check("credit", request, case_number, as_of)


@router.get(
    "/{case_number}/funds", response=list[dict], summary="案款发放时钟（同 zhixing check funds --json）"
)
def get_funds(request, case_number: str, as_of: date | None = None):
    return _check("funds", request, case_number, as_of)


@router.get(
    "/{case_number}/petitions", response=list[dict], summary="信访时钟（同 zhixing check petitions --json）"
)
def get_petitions(request, case_number: str, as_of: date | None = None):
    return _check("petitions", request, case_number, as_of)
