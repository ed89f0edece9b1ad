"""A search text found inside a party's name or a case number (合作社, 建国, 执1301), read
from the n-gram tables the database keeps (migration 0005: every two characters of a name,
every three of a case number, with the row's court).

A row contains the text where it holds the text's grams side by side (each gram is kept with
its place), so the rows are those of the text's rarest gram in the courts in scope (each gram
counted up to a cap: a few index ranges), narrowed to those holding each other gram at its
place beside it (index probes); no name or number is read to test it. Why places: without
them 农业专业合作社 holds every gram of 农业合作社, and the province's 26,000 such names were
each read to find no match (0.58 s). A text shorter than a gram is not looked for this way: a name fragment from two
characters on, a case-number fragment from three (a shorter piece of a case number — 13,
执1 — is in thousands of them and is no search anyone means; a one-character name is
found by its prefix, as every name is).

Letters: the grams hold ASCII letters lowered, so a fragment matches ASCII letters in any
case (as the prefix search does on SQLite) and other letters as written, on both databases.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from zhixing.cases.models import Case, NameGram, NumberGram, Party

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
#: Each gram is counted up to this many rows: enough to tell the rarest of a text's grams.
GRAM_CAP = 5000


def fold(text: str) -> str:
    """``text`` with its ASCII letters lowered, as the triggers fold what they index."""
    return text.translate(_ASCII_LOWER)


def pieces(text: str, size: int) -> list[tuple[int, str]]:
    """Each piece of ``size`` characters of ``text`` (folded) with where it starts (from 0)."""
    folded = fold(text)
    return [(i, folded[i : i + size]) for i in range(len(folded) - size + 1)]


def rows(scoped: QuerySet, model, ref: str, text: str) -> QuerySet | None:
    """The gram rows of ``scoped`` (a gram table in the courts in scope) that start ``text`` in
    their ``ref`` row's name or number: rows of the text's rarest piece (each piece counted up
    to ``GRAM_CAP``) with every other piece of the text beside it (index probes: piece, court,
    row, place). Exact: no row is read to test the text. None when ``text`` is shorter than a
    piece."""
    size = model._meta.get_field("gram").max_length
    parts = pieces(text, size)
    if not parts:
        return None
    counts = {
        g: scoped.filter(gram=g).order_by()[:GRAM_CAP].count() for g in dict.fromkeys(g for _, g in parts)
    }
    at, rarest = min(parts, key=lambda part: counts[part[1]])
    found = scoped.filter(gram=rarest).order_by()
    if counts[rarest] == 0:
        return found  # empty, and known to be
    for i, g in sorted(parts, key=lambda part: counts[part[1]]):  # the rarer first: fewer probes
        if i != at:
            beside = model.objects.filter(gram=g, court=OuterRef("court"), pos=OuterRef("pos") + (i - at))
            found = found.filter(Exists(beside.filter(**{ref: OuterRef(ref)})))
    return found


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
