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

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from functools import lru_cache

from django.db import transaction
from django.db.models import QuerySet

from zhixing.cases.choices import DEADLINE_TYPES, CaseType, ClosingMode
from zhixing.cases.loader import load_records
from zhixing.cases.models import Case
from zhixing.cases.records import CaseRecord, Event
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


def fact_of(case_id: int, version: int, record: CaseRecord) -> TerminationFact:
    """indicators.md §7: T1–T13 with their sentences (rules.STATIC_CHECKS) and T14's two days."""
    reasons = {check: reason for check, fn in rules.STATIC_CHECKS if (reason := fn(record)) is not None}
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
def _t14(served_on: date, entry_on: date | None, as_of: date) -> tuple[str | None, bool]:
    """T14's failure sentence and pending flag from its two days, by the rule functions
    themselves (on a record holding just those two events): it depends on nothing else."""
    events = [Event("ruling_served", served_on, 0)]
    if entry_on is not None:
        events.append(Event("termination_registry_entry", entry_on, 1))
    events.sort(key=lambda e: e.on)
    probe = CaseRecord(
        case_number="", court="", case_type=CaseType.FIRST, filed_on=date.min,
        events=tuple(replace(e, seq=i) for i, e in enumerate(events)),
        closed_on=served_on, closing_mode=ClosingMode.TERMINATED_CURRENT,
    )  # fmt: skip
    return rules.t14_registry_entry(probe, as_of), rules.t14_pending(probe, as_of)


def verdict_from_fact(
    case_number: str, closed_on: date, failed_static: list[str], reasons_static: dict[str, str],
    served_on: date | None, entry_on: date | None, as_of: date,
) -> rules.TerminationVerdict:  # fmt: skip
    """The verdict ``rules.check_termination`` gives at as-of, from the stored parts."""
    reasons = {check: reasons_static[check] for check in failed_static}
    pending: tuple[str, ...] = ()
    # T14 looks only at the first ruling_served seen at as-of (rules._t14_due).
    if served_on is not None and served_on <= as_of:
        t14, is_pending = _t14(served_on, entry_on, as_of)
        if t14 is not None:
            reasons["T14"] = t14
        if is_pending:
            pending = ("T14",)
    failed = tuple(reasons)
    return rules.TerminationVerdict(
        case_number=case_number,
        closed_on=closed_on,
        verdict=rules.verdict_of(failed),
        failed=failed,
        pending=pending,
        reasons=reasons,
    )


def termination_verdicts(queryset: QuerySet[Case], as_of: date) -> Iterator[rules.TerminationVerdict]:
    """indicators.md §7 for every 终本 closing (首执, 执恢) in ``queryset`` closed on or before
    as-of, in id order: ``check_termination``'s verdicts, from stored rows where valid."""
    qs = _closings(queryset, as_of).order_by("pk")
    rows = list(
        qs.values_list(
            "pk", "case_number", "closed_on", "version", "termination_fact__case_version",
            "termination_fact__rules_version", "termination_fact__failed_static", "termination_fact__served_on",
            "termination_fact__registry_entry_on",
        )
    )  # fmt: skip
    stale = [r[0] for r in rows if r[4] != r[3] or r[5] != RULES_VERSION]
    failing = [r[0] for r in rows if r[4] == r[3] and r[5] == RULES_VERSION and r[6]]
    reasons: dict[int, dict[str, str]] = {}
    for start in range(0, len(failing), CHUNK):
        reasons.update(
            TerminationFact.objects.filter(case_id__in=failing[start : start + CHUNK]).values_list(
                "case_id", "reasons_static"
            )
        )
    fresh: dict[int, rules.TerminationVerdict | None] = {}
    stale_set = set(stale)
    pending_stale = iter(load_records(stale)) if stale else iter(())
    for pk, number, closed_on, _, _, _, failed_static, served_on, entry_on in rows:
        if pk in stale_set:
            while pk not in fresh:
                loaded_pk, record = next(pending_stale)
                fresh[loaded_pk] = rules.check_termination(record, as_of)
            verdict = fresh.pop(pk)
            if verdict is not None:
                yield verdict
            continue
        yield verdict_from_fact(number, closed_on, failed_static, reasons.get(pk, {}), served_on, entry_on, as_of)


def termination_rows(queryset: QuerySet[Case], as_of: date) -> Iterator[dict]:
    """The rows of ``zhixing check termination --json`` (spec/cli.md) for ``queryset``."""
    for verdict in termination_verdicts(queryset, as_of):
        yield verdict.to_json()
