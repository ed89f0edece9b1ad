"""A search text found inside a party's name or a case number (合作社, 建国, 执1301), read
from the n-gram tables the database keeps (migration 0005: every two characters of a name,
every three of a case number, with the row's court).

A row contains the text only if it holds every gram of the text, so the rows are those of
the text's rarest gram in the courts in scope (each gram counted up to a cap: a few index
ranges), narrowed to those holding the other grams too (index probes), then tested for the
text itself. A text shorter than a gram is not looked for this way: a name fragment from two
characters on, a case-number fragment from three (a shorter piece of a case number — 13,
执1 — is in thousands of them and is no search anyone means; a one-character name is
found by its prefix, as every name is).

Letters: the grams hold ASCII letters lowered, so a fragment matches ASCII letters in any
case (as the prefix search does on SQLite) and other letters as written.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from zhixing.cases.models import Case, NameGram, NumberGram, Party

NAME_GRAM, NUMBER_GRAM = (
    NameGram._meta.get_field("gram").max_length,
    NumberGram._meta.get_field("gram").max_length,
)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
#: Each gram is counted up to this many rows: enough to tell the rarest of a text's grams.
GRAM_CAP = 5000


def fold(text: str) -> str:
    """``text`` with its ASCII letters lowered, as the triggers fold what they index."""
    return text.translate(_ASCII_LOWER)


def grams(text: str, size: int) -> list[str]:
    """The distinct pieces of ``size`` characters of ``text`` (folded), in order."""
    folded = fold(text)
    return list(dict.fromkeys(folded[i : i + size] for i in range(len(folded) - size + 1)))


def _holding_all(scoped: QuerySet, model, ref: str, pieces: list[str]) -> QuerySet | None:
    """The gram rows of ``scoped`` (a gram table in the courts in scope) whose ``ref`` row has
    every piece of ``pieces``, read from the rarest piece; None when ``pieces`` is empty."""
    if not pieces:
        return None
    counted = sorted((scoped.filter(gram=g).order_by()[:GRAM_CAP].count(), g) for g in pieces)
    rows = scoped.filter(gram=counted[0][1]).order_by()
    if counted[0][0] == 0:
        return rows  # empty, and known to be
    for _count, g in counted[1:]:
        rows = rows.filter(
            Exists(model.objects.filter(gram=g, court=OuterRef("court"), **{ref: OuterRef(ref)}))
        )
    return rows


def named(text: str, name_grams: QuerySet[NameGram]) -> QuerySet[Party]:
    """The parties (of the courts of ``name_grams``) whose name contains ``text``."""
    rows = _holding_all(name_grams, NameGram, "party", grams(text, NAME_GRAM))
    if rows is None:
        return Party.objects.none()
    return Party.objects.filter(pk__in=rows.values("party_id"), name__icontains=text).order_by()


def numbered(text: str, number_grams: QuerySet[NumberGram]) -> QuerySet[Case]:
    """The cases (of the courts of ``number_grams``) whose case number contains ``text`` (a
    normalised case-number text)."""
    rows = _holding_all(number_grams, NumberGram, "case", grams(text, NUMBER_GRAM))
    if rows is None:
        return Case.objects.none()
    return Case.objects.filter(pk__in=rows.values("case_id"), case_number__icontains=text).order_by()
