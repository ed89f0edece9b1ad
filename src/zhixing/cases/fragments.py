"""A search text found inside a party's name or a case number (合作社, 建国, 执1301), read
from the n-gram tables the database keeps (migration 0005, names since 0008: every three
characters of a name or case number, with the row's court).

A row contains the text where it holds the text's grams side by side (each gram is kept with
its place), so the rows are those of the text's rarest gram in the courts in scope (each gram
counted up to a cap: a few index ranges), narrowed to those holding, each at its place beside
it, enough other grams to cover the text (index probes); no name or number is read to test it.
Why places: without them 农业专业合作社 holds every gram of 农业合作社, and the province's 26,000
such names were each read to find no match (0.58 s). A text shorter than a gram is not looked
for this way, but for a name's two characters, which are where its grams start (a name's last
gram is its last two characters): a name fragment from two characters on, a case-number
fragment from three (a shorter piece of a case number — 13, 执1 — is in thousands of them and
is no search anyone means; a one-character name is found by its prefix, as every name is).

Letters: the grams hold ASCII letters lowered, so a fragment matches ASCII letters in any
case (as the prefix search does on SQLite) and other letters as written, on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Exists, IntegerField, Lookup, OuterRef, Q, QuerySet

from zhixing.cases import bulk
from zhixing.cases.models import Case, NameGram, NumberGram, Party

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
#: Each gram is counted up to this many rows: enough to tell the rarest of a text's grams.
GRAM_CAP = 5000
#: A gram's length, for names (migration 0008) and case numbers (0005).
GRAM = 3


def fold(text: str) -> str:
    """``text`` with its ASCII letters lowered, as the triggers fold what they index."""
    return text.translate(_ASCII_LOWER)


def pieces(text: str, size: int) -> list[tuple[int, str]]:
    """Each piece of ``size`` characters of ``text`` (folded) with where it starts (from 0)."""
    folded = fold(text)
    return [(i, folded[i : i + size]) for i in range(len(folded) - size + 1)]


def name_grams(name: str) -> list[tuple[int, str]]:
    """The grams the triggers keep of a name (migration 0008), each with where it starts (from
    0): three characters from each place but the last, so the one at the last-but-one place is
    the name's last two characters."""
    folded = fold(name)
    return [(i, folded[i : i + GRAM]) for i in range(len(folded) - 1)]


def rows(scoped: QuerySet, model, ref: str, text: str) -> QuerySet | None:
    """The gram rows of ``scoped`` (a gram table in the courts in scope) that start ``text`` in
    their ``ref`` row's name or number: rows of the rarest of the text's pieces that lie side by
    side (a third of its pieces, each counted up to ``GRAM_CAP``: each count is a query) with,
    beside it, the fewest other pieces that together cover every character of the text (index
    probes: piece, court, row, place; ``_cover``). Exact: no row is read to
    test the text. None when ``text`` is shorter than a piece (a name's two-character text is
    one piece: the grams that start with it)."""
    parts = pieces(text, GRAM)
    if not parts and model is NameGram and len(text) == GRAM - 1:
        parts = [(0, fold(text))]
    if not parts:
        return None
    # Candidates for the lead: pieces side by side that cover the text (a third of them), each
    # counted until one is in no row — then neither is the text.
    counts: dict[int, int] = {}
    for i in dict.fromkeys([*range(0, len(parts), GRAM), len(parts) - 1]):
        counts[i] = scoped.filter(_piece(parts[i][1])).order_by()[:GRAM_CAP].count()
        if not counts[i]:
            return scoped.none()
    at = min(counts, key=counts.__getitem__)
    found = scoped.filter(_piece(parts[at][1])).order_by()
    for i in _cover(len(text), at):
        g = parts[i][1]
        beside = model.objects.filter(gram=g, court=OuterRef("court"), pos=OuterRef("pos") + (i - at))
        found = found.filter(Exists(beside.filter(**{ref: OuterRef(ref)})))
    return found


def _cover(length: int, at: int) -> list[int]:
    """Where the pieces start that, with the one at ``at``, cover every character of a text of
    ``length`` (≥ ``GRAM``): every third place before it, and every third back from the end after
    it, no piece more than those two sides need (each is a probe of every row: 陟县某化工有限公
    took 3 rather than 5, and PostgreSQL had planned the six-way join in 144 ms)."""
    return [*range(0, at, GRAM), *range(length - GRAM, at, -GRAM)]


def _piece(gram: str) -> Q:
    """The grams that hold ``gram`` where they start: itself or, a name's two characters, every
    gram starting with them (a range in code-point order, which both databases keep)."""
    if len(gram) == GRAM:
        return Q(gram=gram)
    return Q(gram__gte=gram, gram__lte=gram + "\U0010ffff")


@IntegerField.register_lookup
class AnyOf(Lookup):
    """``field = ANY(%s)``, the ids (a frozenset) as one array literal (PostgreSQL only: ``ids_in``).
    A frozenset, as Django walks a list's every item to resolve it, and a literal, as psycopg
    dumps a list item by item in Python (each 6–7 ms for 1,800 ids)."""

    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", (*params, bulk.int_array(self.rhs))


def ids_in(field: str, ids: Iterable[int]) -> Q:
    """``field`` is one of ``ids``. On PostgreSQL one array parameter rather than a parameter
    an id: psycopg cut the SQL of an IN list of 1,800 ids at each of its placeholders, on every
    request (33 ms of a 150 ms search for 陟县某商贸有限公), and PostgreSQL parsed each one."""
    ids = frozenset(ids)
    if connection.vendor == "postgresql" and ids:
        return Q(**{f"{field}__any": ids})
    return Q(**{f"{field}__in": ids})


def name_rows(text: str, name_grams: QuerySet[NameGram]) -> QuerySet[NameGram] | None:
    return rows(name_grams, NameGram, "party", text)


def number_rows(text: str, number_grams: QuerySet[NumberGram]) -> QuerySet[NumberGram] | None:
    return rows(number_grams, NumberGram, "case", text)


def parties(found: QuerySet[NameGram] | None) -> QuerySet[Party]:
    """The parties of ``name_rows``."""
    return Party.objects.none() if found is None else Party.objects.filter(pk__in=found.values("party_id"))


def cases(found: QuerySet[NumberGram] | None) -> QuerySet[Case]:
    """The cases of ``number_rows``."""
    return Case.objects.none() if found is None else Case.objects.filter(pk__in=found.values("case_id"))


def case_ids(found: QuerySet | None, is_open: bool | None = None) -> QuerySet:
    """The case id of each row of ``name_rows`` or ``number_rows`` (a case once a row: a name
    holding the text twice, or two parties holding it, repeat it), of open or closed cases if
    asked. In no order: what it serves needs none."""
    if found is None:
        return Case.objects.none().values_list("pk", flat=True)
    ref = "party__case" if found.model is NameGram else "case"
    if is_open is not None:
        found = found.filter(**{f"{ref}__closed_on__isnull": is_open})
    return found.values_list(f"{ref}_id", flat=True).order_by()


def first_case_ids(found: QuerySet | None, limit: int) -> list[int]:
    """The case ids of the first ``limit`` rows of ``name_rows`` or ``number_rows`` (one a row, as
    ``case_ids``). A name's rows are read alone and their parties' cases looked up after: joined
    to the parties in one query, PostgreSQL looked up the case of every row of the text in the
    courts in scope before it tested their court (化工有限 for 焦作's chief: 27,000 parties,
    143 ms, against 10 ms)."""
    if found is None:
        return []
    if found.model is not NameGram:
        return list(case_ids(found)[:limit])
    party_ids = list(found.values_list("party_id", flat=True).order_by()[:limit])
    case_of = dict(Party.objects.filter(ids_in("pk", party_ids)).values_list("pk", "case_id"))
    return [case_of[pk] for pk in party_ids]


class CaseCount:
    """The number of distinct cases among ``case_ids``, read no further than it takes to reach
    the cap the count is sliced to (``CappedPaginator``: ``counted[:1001].count()``): first
    twice the cap rows, then four times as many each round. ``first``: ids already read, each
    row's (the first of ``case_ids``' rows), which may settle the count with no query at all.

    Why: a fragment in thousands of names (合作社) lists its newest cases by walking them, but
    counting by that walk tested each case to the cap's thousandth match (202 ms for 武陟's
    officer at a million cases); its gram rows give the same count from an index range."""

    def __init__(self, case_ids: QuerySet, first: Iterable[int] = (), cap: int | None = None) -> None:
        self.case_ids, self.first, self.cap = case_ids, list(first), cap

    @classmethod
    def of(cls, found: QuerySet, first: list[int], is_open: bool | None) -> CaseCount:
        """The count of ``found``'s cases (``name_rows`` or ``number_rows``), open or closed if
        asked; ``first``, the case ids of its first rows, serve only when it is not."""
        return cls(case_ids(found, is_open), first if is_open is None else ())

    def __getitem__(self, key: slice) -> CaseCount:
        assert key.start is None and key.step is None, key
        return CaseCount(self.case_ids, self.first, key.stop)

    def count(self) -> int:
        cap = self.cap
        if cap is None:
            return len(set(self.case_ids))
        if len(set(self.first)) >= cap:
            return cap
        limit = 2 * cap
        while True:
            ids = list(self.case_ids[:limit])
            distinct = len(set(ids))
            if distinct >= cap or len(ids) < limit:
                return min(distinct, cap)
            limit *= 4


class Counted:
    """A count known before any is asked (every match's id in hand), served the way
    ``CappedPaginator`` asks for one: ``counted[:cap].count()``."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __getitem__(self, key: slice) -> Counted:
        assert key.start is None and key.step is None, key
        return Counted(self.n if key.stop is None else min(self.n, key.stop))

    def count(self) -> int:
        return self.n
