"""Import and export of case bundles (spec/case-bundle.md, spec/cli.md).

Import streams the file and writes in batches, one transaction each: a crash loses at
most the batch in flight, which was not yet reported as imported, and a re-run turns
every line already stored into a no-op (same canonical fingerprint). Facts of the
imported cases are derived in the same transaction (design.md: rules at write time).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from django.db import transaction

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


def import_bundle(stream: IO[str], *, progress: Callable[[int], None] | None = None, batch: int = BATCH,
                  today: date | None = None) -> ImportReport:  # fmt: skip
    """Import a case bundle; every good line is kept, every bad one reported."""
    report = ImportReport()
    courts: dict[str, Court] = {}
    seen: dict[str, str] = {}  # case number → fingerprint, for repeats within the file
    pending: list[tuple[Line, str]] = []
    for line in read_lines(stream, today=today):
        if line.record is None:
            report.reject(line.number, line.case_number, line.field, line.error)
            continue
        fp = fingerprint(line.record)
        number = line.record.case_number
        if number in seen:
            if seen[number] == fp:
                report.unchanged += 1
            else:
                report.reject(line.number, number, "case_number", "案号在本文件中重复且内容不同")
            continue
        seen[number] = fp
        pending.append((line, fp))
        if len(pending) >= batch:
            _write_batch(pending, report, courts)
            pending = []
            if progress:
                progress(report.imported + report.unchanged + len(report.rejected))
    if pending:
        _write_batch(pending, report, courts)
        if progress:
            progress(report.imported + report.unchanged + len(report.rejected))
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
        cases = _insert(fresh, courts)
        # A resumed case changes its original's facts (K8 drop, ledger), and an original
        # may arrive after the case that resumes it.
        resumed = resumptions(r.case_number for r, _ in fresh)
        pairs = []
        for case, (record, _) in zip(cases, fresh, strict=True):
            if record.case_number in resumed:
                from dataclasses import replace

                record = replace(record, resumed_on=resumed[record.case_number])
            pairs.append((case.pk, record))
        originals = {r.original_case_number for r, _ in fresh if r.case_type == CaseType.RESUMED and r.original_case_number}
        refresh_facts(pairs)
        if originals:
            stored = Case.objects.filter(case_number__in=originals).exclude(pk__in=[c.pk for c in cases])
            refresh_facts(list(load_records(stored)))
        report.imported += len(fresh)


def _insert(fresh: list[tuple[CaseRecord, str]], courts: dict[str, Court]) -> list[Case]:
    cases = Case.objects.bulk_create(
        [
            Case(
                case_number=r.case_number,
                court=courts[r.court],
                case_type=r.case_type,
                non_litigation=r.non_litigation,
                application_received_on=r.application_received_on,
                filed_on=r.filed_on,
                original_case_number=r.original_case_number or "",
                basis=r.basis,
                claim_amount=r.claim_amount,
                recovered_amount=r.recovered_amount,
                tags=list(r.tags),
                handler=r.handler or "",
                closed_on=r.closed_on,
                closing_mode=r.closing_mode or "",
                extra=r.extra,
                fingerprint=fp,
            )
            for r, fp in fresh
        ]
    )
    parties, events, receipts, petitions = [], [], [], []
    for case, (r, _) in zip(cases, fresh, strict=True):
        parties += [
            Party(
                case=case, local_id=p.id, role=p.role, kind=p.kind, name=p.name, id_number=p.id_number or "",
                credit_code=p.credit_code or "", birth_date=p.birth_date, legal_representative=p.legal_representative or "",
                special=list(p.special), extra=p.extra, position=i,
            )  # fmt: skip
            for i, p in enumerate(r.parties)
        ]
        events += [NodeEvent(case=case, node=e.node, on=e.on, data=e.data, position=e.seq) for e in r.events]
        receipts += [
            funds.Receipt(case=case, local_id=x.id, notice_on=x.notice_on, amount=x.amount, payer=x.payer or "") for x in r.receipts
        ]
        petitions += [
            Petition(
                case=case, local_id=p.id, received_on=p.received_on, registered_on=p.registered_on, source=p.source or "",
                referred_by=p.referred_by or "", about_lower_court=p.about_lower_court, handled_by=p.handled_by or "",
                screened_on=p.screened_on, closed_on=p.closed_on, replied=p.replied,
            )  # fmt: skip
            for p in r.petitions
        ]
    Party.objects.bulk_create(parties)
    NodeEvent.objects.bulk_create(events)
    receipts = funds.Receipt.objects.bulk_create(receipts)
    Petition.objects.bulk_create(petitions)
    receipt_pk = {(x.case_id, x.local_id): x.pk for x in receipts}
    disbursements, deferrals, lodgements = [], [], []
    for case, (r, _) in zip(cases, fresh, strict=True):
        disbursements += [
            funds.Disbursement(case=case, receipt_id=receipt_pk[(case.pk, d.receipt)], local_id=d.id, on=d.on,
                               amount=d.amount, payee=d.payee or "")  # fmt: skip
            for d in r.disbursements
        ]
        deferrals += [
            funds.Deferral(case=case, receipt_id=receipt_pk[(case.pk, d.receipt)], approved_on=d.approved_on,
                           ground=d.ground or "", ends_on=d.ends_on, position=i)  # fmt: skip
            for i, d in enumerate(r.deferrals)
        ]
        lodgements += [
            funds.Lodgement(case=case, receipt_id=receipt_pk[(case.pk, x.receipt)], on=x.on, ground=x.ground or "", position=i)
            for i, x in enumerate(r.lodgements)
        ]
    funds.Disbursement.objects.bulk_create(disbursements)
    funds.Deferral.objects.bulk_create(deferrals)
    funds.Lodgement.objects.bulk_create(lodgements)
    return cases


def export_lines(cases) -> Iterator[str]:
    """Bundle lines of the given cases (a queryset), streamed in id order."""
    for _, record in load_records(cases):
        yield dumps(record)
