"""Stored 终本 verdict parts, and the check over many closings that reads them.

``zhixing check termination`` over a province (400,000 closings) cannot load every case
and re-run T1–T14: that costs about a millisecond a case. T1–T13 never depend on the as-of
date (rules.py), so they are evaluated once per changed case, at write time, and stored
with their sentences in :class:`~zhixing.termination.models.TerminationFact`; only T14
depends on as-of, and it needs just two stored days (the first ``ruling_served`` and the
first ``termination_registry_entry``). :func:`termination_rows` then builds every row of
the check from stored rows, and recomputes from the record only where a row is missing or
stale (the case changed since, or the rules did) — so its answer is always
``check_termination``'s, whether or not the stored rows are up to date.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from functools import lru_cache

from django.db import connections, transaction
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from zhixing.cases.choices import DEADLINE_TYPES, CaseType, ClosingMode
from zhixing.cases.loader import load_records
from zhixing.cases.models import Case
from zhixing.cases.records import CaseRecord, Event
from zhixing.flow.rules import events_by_node
from zhixing.termination import rules
from zhixing.termination.models import TerminationFact

#: Bump when rules.py changes a check or a sentence: every stored row becomes stale.
RULES_VERSION = 1
CHUNK = 2000


def is_termination_closing(record: CaseRecord) -> bool:
    """A 首执 or 执恢 case closed by 终本 (indicators.md §7), whatever the as-of."""
    return (
        record.case_type in DEADLINE_TYPES
        and record.closing_mode == ClosingMode.TERMINATED_CURRENT
        and record.closed_on is not None
    )


class IndexedRecord(CaseRecord):
    """A copy of a record whose ``events_of``, ``first`` and ``debtors`` answer from an
    index built once, with exactly the answers of :class:`CaseRecord`'s scans (events in
    record order): T1–T13 scan a 终本 case's events some twenty-five times. Speed only —
    build one with :meth:`of`; it is read by the rule functions like any record."""

    __slots__ = ("_by_node", "_debtors")

    @classmethod
    def of(cls, record: CaseRecord) -> IndexedRecord:
        view = object.__new__(cls)
        for name in _RECORD_FIELDS:
            object.__setattr__(view, name, getattr(record, name))
        object.__setattr__(view, "_by_node", events_by_node(record))
        object.__setattr__(view, "_debtors", record.debtors)
        return view

    @property
    def debtors(self):
        return self._debtors

    def events_of(self, *nodes: str) -> list[Event]:
        index = self._by_node
        present = [node for node in dict.fromkeys(nodes) if node in index]
        if not present:
            return []
        if len(present) == 1:
            return list(index[present[0]])
        return CaseRecord.events_of(self, *nodes)  # interleaved groups: the record's order

    def first(
        self, node: str, *, on_or_after: date | None = None, on_or_before: date | None = None
    ) -> Event | None:
        for e in self._by_node.get(node, ()):
            if on_or_after is not None and e.on < on_or_after:
                continue
            if on_or_before is not None and e.on > on_or_before:
                break
            return e
        return None


_RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(CaseRecord))
_last_static: tuple[CaseRecord | None, dict[str, str]] = (None, {})


def static_reasons(record: CaseRecord) -> dict[str, str]:
    """indicators.md §7: the failed checks among T1–T13 (``rules.STATIC_CHECKS``, in
    order) with their sentences; empty when all hold. The answer for the last record asked
    about is kept (records are immutable), so deriving a case's facts
    (``metrics.facts.derive``) and its stored verdict row (:func:`fact_of`) — as the import
    does — evaluate the checks once. Do not modify the returned dict."""
    global _last_static
    last = _last_static
    if last[0] is record:
        return last[1]
    view = IndexedRecord.of(record)
    reasons = {check: reason for check, fn in rules.STATIC_CHECKS if (reason := fn(view)) is not None}
    _last_static = (record, reasons)
    return reasons


def termination_facts(record: CaseRecord) -> rules.TerminationFacts:
    """``rules.termination_facts(record)`` (indicators.md §7: T1–T13 and T14's last day and
    registry-entry day), with T1–T13 from :func:`static_reasons`."""
    due = rules._t14_due(record)
    entry = rules._registry_entry(record)
    return rules.TerminationFacts(
        failed_static=tuple(static_reasons(record)),
        t14_due=due[1] if due else None,
        registry_entry_on=entry.on if entry else None,
    )


def fact_of(case_id: int, version: int, record: CaseRecord) -> TerminationFact:
    """indicators.md §7: T1–T13 with their sentences (rules.STATIC_CHECKS) and T14's two days."""
    reasons = dict(static_reasons(record))
    served = record.first("ruling_served")
    entry = record.first("termination_registry_entry")
    return TerminationFact(
        case_id=case_id,
        case_version=version,
        rules_version=RULES_VERSION,
        failed_static=list(reasons),
        reasons_static=reasons,
        served_on=served.on if served else None,
        registry_entry_on=entry.on if entry else None,
    )


def refresh_termination_facts(pairs: Iterable[tuple[int, CaseRecord]]) -> int:
    """Store the verdict parts of the given cases (call it wherever ``refresh_facts`` is
    called, in the same transaction); cases that are not 终本 closings lose their row."""
    pairs = list(pairs)
    if not pairs:
        return 0
    ids = [pk for pk, _ in pairs]
    versions = dict(Case.objects.filter(pk__in=ids).values_list("pk", "version"))
    rows = [fact_of(pk, versions[pk], record) for pk, record in pairs if is_termination_closing(record)]
    with transaction.atomic():
        TerminationFact.objects.filter(case_id__in=ids).delete()
        TerminationFact.objects.bulk_create(rows)
    return len(rows)


def refresh_stale_facts(queryset: QuerySet[Case] | None = None, *, progress=None) -> int:
    """Recompute missing or stale rows of 终本 closings (idempotent: a second run finds none)."""
    stale = _stale_ids(queryset if queryset is not None else Case.objects.all())
    done = 0
    for start in range(0, len(stale), CHUNK):
        done += refresh_termination_facts(load_records(stale[start : start + CHUNK]))
        if progress:
            progress(done)
    return done


def _closings(queryset: QuerySet[Case], as_of: date | None = None) -> QuerySet[Case]:
    qs = queryset.filter(
        case_type__in=[t.value for t in DEADLINE_TYPES],
        closing_mode=ClosingMode.TERMINATED_CURRENT,
        closed_on__isnull=False,
    )
    return qs.filter(closed_on__lte=as_of, filed_on__lte=as_of) if as_of is not None else qs


def _stale_ids(queryset: QuerySet[Case]) -> list[int]:
    rows = _closings(queryset).values_list(
        "pk", "version", "termination_fact__case_version", "termination_fact__rules_version"
    )
    return sorted(pk for pk, v, fv, rv in rows if fv != v or rv != RULES_VERSION)


@lru_cache(maxsize=65536)
def _t14(served_on: str, entry_on: str | None, as_of: date) -> tuple[str | None, bool]:
    """T14's failure sentence and pending flag from its two days (ISO strings), by the rule
    functions themselves on a record holding just those two events: T14 depends on
    nothing else (rules._t14_due, rules._registry_entry)."""
    served = date.fromisoformat(served_on)
    events = [Event("ruling_served", served, 0)]
    if entry_on is not None:
        events.append(Event("termination_registry_entry", date.fromisoformat(entry_on), 1))
    events.sort(key=lambda e: e.on)
    probe = CaseRecord(
        case_number="", court="", case_type=CaseType.FIRST, filed_on=date.min,
        events=tuple(replace(e, seq=i) for i, e in enumerate(events)),
        closed_on=served, closing_mode=ClosingMode.TERMINATED_CURRENT,
    )  # fmt: skip
    return rules.t14_registry_entry(probe, as_of), rules.t14_pending(probe, as_of)


def _iso(value) -> str | None:
    """A date column as ISO text: SQLite hands back text, PostgreSQL a ``date``."""
    return value if value is None or isinstance(value, str) else value.isoformat()


def _json(value):
    """A JSON column read raw: text on SQLite and (as Django sets psycopg up) PostgreSQL."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _raw(queryset: QuerySet) -> Iterator[tuple]:
    """The rows of a ``values_list`` queryset without Django's per-value converters: over
    hundreds of thousands of rows they cost more than the query."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(CHUNK * 5):
            yield from batch


def row_from_fact(
    case_number: str, closed_on: str, failed_static: list[str], reasons_static: dict[str, str],
    served_on: str | None, entry_on: str | None, as_of: date,
) -> dict:  # fmt: skip
    """The row ``rules.check_termination(record, as_of).to_json()`` gives, from the stored
    parts (dates as ISO text)."""
    reasons = {check: reasons_static[check] for check in failed_static}
    pending = []
    # T14 looks only at the first ruling_served seen at as-of (rules._t14_due).
    if served_on is not None and served_on <= as_of.isoformat():
        t14, is_pending = _t14(served_on, entry_on, as_of)
        if t14 is not None:
            reasons["T14"] = t14
        if is_pending:
            pending = ["T14"]
    failed = list(reasons)
    return {
        "case_number": case_number,
        "closed_on": closed_on,
        "verdict": rules.verdict_of(failed),
        "failed": failed,
        "pending": pending,
        "reasons": reasons,
    }


def termination_rows(queryset: QuerySet[Case], as_of: date) -> Iterator[dict]:
    """The rows of ``zhixing check termination --json`` (spec/cli.md, indicators.md §7) for
    every 终本 closing (首执, 执恢) in ``queryset`` closed on or before as-of, in id order:
    exactly ``check_termination``'s, from stored rows where they are valid and from the
    record where a row is missing or stale."""
    text = {
        # Dates read as ISO text: no per-value conversion (the rows compare and print text).
        name: Cast(column, output_field=CharField())
        for name, column in (
            ("closed_iso", "closed_on"),
            ("served_iso", "termination_fact__served_on"),
            ("entry_iso", "termination_fact__registry_entry_on"),
        )
    }
    qs = _closings(queryset, as_of).order_by("pk").annotate(**text)
    rows = list(
        _raw(
            qs.values_list(
                "pk", "case_number", "closed_iso", "version", "termination_fact__case_version",
                "termination_fact__rules_version", "termination_fact__failed_static", "served_iso", "entry_iso",
                "termination_fact__reasons_static",
            )
        )
    )  # fmt: skip
    stale = [r[0] for r in rows if r[4] != r[3] or r[5] != RULES_VERSION]
    stale_set = set(stale)
    fresh: dict[int, dict | None] = {}
    pending_stale = iter(load_records(stale)) if stale else iter(())
    for pk, number, closed_on, _, _, _, failed_static, served_on, entry_on, reasons_static in rows:
        if pk in stale_set:
            while pk not in fresh:
                loaded_pk, record = next(pending_stale)
                verdict = rules.check_termination(record, as_of)
                fresh[loaded_pk] = verdict.to_json() if verdict is not None else None
            row = fresh.pop(pk)
            if row is not None:
                yield row
            continue
        if failed_static in ("[]", []):
            failed, reasons = [], {}
        else:
            failed, reasons = _json(failed_static), _json(reasons_static)
        yield row_from_fact(number, _iso(closed_on), failed, reasons, _iso(served_on), _iso(entry_on), as_of)


def termination_verdicts(queryset: QuerySet[Case], as_of: date) -> Iterator[rules.TerminationVerdict]:
    """:func:`termination_rows` as ``TerminationVerdict`` values (for pages)."""
    for row in termination_rows(queryset, as_of):
        yield rules.TerminationVerdict(
            case_number=row["case_number"],
            closed_on=date.fromisoformat(row["closed_on"]),
            verdict=row["verdict"],
            failed=tuple(row["failed"]),
            pending=tuple(row["pending"]),
            reasons=row["reasons"],
        )
