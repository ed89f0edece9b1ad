"""Import and export of case bundles (spec/case-bundle.md, spec/cli.md).

Import streams the file and writes in batches, one transaction each: a crash loses at
most the batch in flight, which was not yet reported as imported, and a re-run turns
every line already stored into a no-op (same canonical fingerprint). Facts of the
imported cases are derived in the same transaction (design.md: rules at write time).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import IO

from django.db import transaction
from django.utils import timezone

from zhixing.cases import bulk
from zhixing.cases.bundle import Line, dumps, fingerprint, read_lines
from zhixing.cases.choices import CaseType
from zhixing.cases.loader import load_records, resumptions
from zhixing.cases.models import Case, NodeEvent, Party
from zhixing.cases.records import CaseRecord
from zhixing.courts.models import Court
from zhixing.courts.services import CourtError, ensure_court
from zhixing.funds import models as funds
from zhixing.metrics.facts import refresh_facts
from zhixing.petitions.models import Petition

BATCH = 500


@dataclass
class ImportReport:
    imported: int = 0
    unchanged: int = 0
    rejected: list[dict] = field(default_factory=list)

    def reject(self, line: int, case_number: str | None, field_path: str, error: str) -> None:
        self.rejected.append({"line": line, "case_number": case_number, "field": field_path, "error": error})

    def as_json(self) -> dict:
        return {"imported": self.imported, "unchanged": self.unchanged, "rejected": self.rejected}


def import_bundle(stream: IO[str] | IO[bytes], *, progress: Callable[[int], None] | None = None, batch: int = BATCH,
                  today: date | None = None) -> ImportReport:  # fmt: skip
    """Import a case bundle; every good line is kept, every bad one reported."""
    report = ImportReport()
    courts: dict[str, Court] = {}
    pending: list[tuple[Line, str]] = []
    numbers: set[str] = set()

    def flush() -> None:
        _write_batch(pending, report, courts)
        pending.clear()
        numbers.clear()
        if progress:
            progress(report.imported + report.unchanged + len(report.rejected))

    for line in read_lines(stream, today=today):
        if line.record is None:
            report.reject(line.number, line.case_number, line.field, line.error)
            continue
        number = line.record.case_number
        if number in numbers:
            # A second line for a case still in the batch: write the batch first, so
            # this line is judged against what the earlier one left in the database.
            flush()
        pending.append((line, fingerprint(line.record)))
        numbers.add(number)
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    report.rejected.sort(key=lambda r: r["line"])
    return report


def _write_batch(pending: list[tuple[Line, str]], report: ImportReport, courts: dict[str, Court]) -> None:
    with transaction.atomic():
        existing = dict(
            Case.objects.filter(case_number__in=[line.record.case_number for line, _ in pending]).values_list(
                "case_number", "fingerprint"
            )
        )
        fresh: list[tuple[CaseRecord, str]] = []
        for line, fp in pending:
            number = line.record.case_number
            if number in existing:
                if existing[number] == fp:
                    report.unchanged += 1
                else:
                    report.reject(line.number, number, "case_number", "案号已存在，且与已存案件内容不同")
                continue
            try:
                court = ensure_court(line.record.court, cache=courts)
            except CourtError as e:
                report.reject(line.number, number, "court", str(e))
                continue
            fresh.append((line.record, fp))
            courts[court.code] = court
        if not fresh:
            return
        ids = _insert(fresh, courts)
        # A resumed case changes its original's facts (K8 drop, ledger), and an original
        # may arrive after the case that resumes it.
        resumed = resumptions(r.case_number for r, _ in fresh)
        pairs = []
        for pk, (record, _) in zip(ids, fresh, strict=True):
            if record.case_number in resumed:
                record = replace(record, resumed_on=resumed[record.case_number])
            pairs.append((pk, record))
        originals = {
            r.original_case_number
            for r, _ in fresh
            if r.case_type == CaseType.RESUMED and r.original_case_number
        }
        refresh_facts(pairs)
        if originals:
            stored = Case.objects.filter(case_number__in=originals).exclude(pk__in=ids)
            refresh_facts(list(load_records(stored)))
        report.imported += len(fresh)


CASE_COLUMNS = (
    "case_number", "court", "case_type", "non_litigation", "application_received_on", "filed_on",
    "original_case_number", "basis", "claim_amount", "recovered_amount", "tags", "handler", "closed_on",
    "closing_mode", "extra", "fingerprint", "version", "created_at", "updated_at",
)  # fmt: skip
PARTY_COLUMNS = (
    "case", "local_id", "role", "kind", "name", "id_number", "credit_code", "birth_date", "legal_representative",
    "special", "extra", "position",
)  # fmt: skip
EVENT_COLUMNS = ("case", "node", "on", "data", "position", "withdrawn", "reason", "source", "recorded_at")
PETITION_COLUMNS = (
    "case", "local_id", "received_on", "registered_on", "source", "referred_by", "about_lower_court", "handled_by",
    "screened_on", "closed_on", "replied",
)  # fmt: skip


def _insert(fresh: list[tuple[CaseRecord, str]], courts: dict[str, Court]) -> list[int]:
    """Write the cases and everything they carry; returns their ids in ``fresh`` order."""
    now = timezone.now()
    bulk.insert(
        Case,
        CASE_COLUMNS,
        [
            (
                r.case_number,
                courts[r.court].pk,
                r.case_type.value,
                r.non_litigation,
                r.application_received_on,
                r.filed_on,
                r.original_case_number or "",
                r.basis,
                r.claim_amount,
                r.recovered_amount,
                list(r.tags),
                r.handler or "",
                r.closed_on,
                r.closing_mode.value if r.closing_mode else "",
                r.extra,
                fp,
                1,
                now,
                now,
            )  # fmt: skip
            for r, fp in fresh
        ],
    )
    pk_of = dict(
        Case.objects.filter(case_number__in=[r.case_number for r, _ in fresh]).values_list(
            "case_number", "pk"
        )
    )
    ids = [pk_of[r.case_number] for r, _ in fresh]
    parties, events, receipts, petitions = [], [], [], []
    for pk, (r, _) in zip(ids, fresh, strict=True):
        parties += [
            (
                pk,
                p.id,
                p.role.value,
                p.kind.value,
                p.name,
                p.id_number or "",
                p.credit_code or "",
                p.birth_date,
                p.legal_representative or "",
                list(p.special),
                p.extra,
                i,
            )  # fmt: skip
            for i, p in enumerate(r.parties)
        ]
        events += [
            (pk, e.node, e.on, e.data, e.seq, False, "", NodeEvent.Source.IMPORT.value, now) for e in r.events
        ]
        receipts += [(pk, x.id, x.notice_on, x.amount, x.payer or "") for x in r.receipts]
        petitions += [
            (
                pk,
                p.id,
                p.received_on,
                p.registered_on,
                p.source or "",
                p.referred_by or "",
                p.about_lower_court,
                p.handled_by or "",
                p.screened_on,
                p.closed_on,
                p.replied,
            )  # fmt: skip
            for p in r.petitions
        ]
    bulk.insert(Party, PARTY_COLUMNS, parties)
    bulk.insert(NodeEvent, EVENT_COLUMNS, events)
    bulk.insert(funds.Receipt, ("case", "local_id", "notice_on", "amount", "payer"), receipts)
    bulk.insert(Petition, PETITION_COLUMNS, petitions)
    if not receipts:
        return ids
    receipt_pk = {
        (case_id, local_id): pk
        for pk, case_id, local_id in funds.Receipt.objects.filter(case_id__in=ids).values_list(
            "pk", "case_id", "local_id"
        )
    }
    disbursements, deferrals, lodgements = [], [], []
    for pk, (r, _) in zip(ids, fresh, strict=True):
        disbursements += [
            (pk, receipt_pk[(pk, d.receipt)], d.id, d.on, d.amount, d.payee or "") for d in r.disbursements
        ]
        deferrals += [
            (pk, receipt_pk[(pk, d.receipt)], d.approved_on, d.ground or "", d.ends_on, i)
            for i, d in enumerate(r.deferrals)
        ]
        lodgements += [
            (pk, receipt_pk[(pk, x.receipt)], x.on, x.ground or "", i) for i, x in enumerate(r.lodgements)
        ]
    bulk.insert(funds.Disbursement, ("case", "receipt", "local_id", "on", "amount", "payee"), disbursements)
    bulk.insert(
        funds.Deferral, ("case", "receipt", "approved_on", "ground", "ends_on", "position"), deferrals
    )
    bulk.insert(funds.Lodgement, ("case", "receipt", "on", "ground", "position"), lodgements)
    return ids


def export_lines(cases) -> Iterator[str]:
    """Bundle lines of the given cases (a queryset), streamed in id order."""
    for _, record in load_records(cases):
        yield dumps(record)
