"""Resumption: a new 执恢 case from a 终本 case, numbered from the court's counter (CLOSE-6,
CASENO-7, TERM-13)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from zhixing.cases.bundle import fingerprint
from zhixing.cases.casenumber import CaseNumber
from zhixing.cases.choices import CaseType
from zhixing.cases.loader import load_record
from zhixing.cases.models import Case, Party
from zhixing.courts.models import Court
from zhixing.lib.clock import today
from zhixing.termination import followup, validation
from zhixing.termination.models import CaseNumberCounter, Resumption
from zhixing.termination.services.writes import _commit, _lock, _refresh
from zhixing.termination.validation import raise_if


def next_case_number(court: Court, type_code: str, year: int) -> str:
    """The next free 案号 for (court, type, year) (CASENO-6/7). Call inside a transaction: it
    locks the court row, then the counter, so concurrent callers queue; a number already
    taken (e.g. imported) is skipped."""
    Court.objects.select_for_update().get(pk=court.pk)
    counter, _ = CaseNumberCounter.objects.select_for_update().get_or_create(
        court=court, type_code=type_code, year=year
    )
    seq = counter.last
    while True:
        seq += 1
        number = str(CaseNumber(year, court.code, type_code, seq))
        if not Case.objects.filter(case_number=number).exists():
            break
    CaseNumberCounter.objects.filter(pk=counter.pk).update(last=seq)
    return number


def resume(
    case_id: int,
    *,
    user,
    expected_version: int | None,
    filed_on: date,
    reason: str,
    handler: str = "",
    source: str = "form",
) -> Resumption:
    """恢复执行 (CLOSE-6, CASENO-7, TERM-13): open a new 执恢 case from a 终本 case with a
    number of the filing year, the same parties, the unpaid amount as its claim, the
    original as ``original_case_number``; the measures in force carry over (TERM-14) and
    are listed on both cases. The original gains the link (and its K8 obligations after
    the filing day are dropped, indicators.md §3)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        original = _lock(case_id, user, expected_version)
        record = load_record(original.pk)
        already = (
            Case.objects.filter(original_case_number=original.case_number, case_type=CaseType.RESUMED)
            .values_list("case_number", flat=True)
            .first()
        )
        problems = validation.resumption_errors(record, filed_on=filed_on, already=already, today=today())
        if not reason:
            problems.append(("reason", "请填写恢复执行事由（如：发现被执行人有可供执行财产）"))
        raise_if(problems)
        number = next_case_number(original.court, "执恢", filed_on.year)
        unpaid = record.unpaid.quantize(Decimal("0.01"))
        resumed = Case.objects.create(
            case_number=number, court=original.court, case_type=CaseType.RESUMED, filed_on=filed_on,
            original_case_number=original.case_number, basis=original.basis, claim_amount=unpaid,
            recovered_amount=Decimal("0.00"), tags=list(original.tags), handler=(handler or original.handler),
            fingerprint="",
        )  # fmt: skip
        Party.objects.bulk_create(
            [
                Party(
                    case=resumed,
                    court=resumed.court,
                    local_id=p.local_id,
                    role=p.role,
                    kind=p.kind,
                    name=p.name,
                    id_number=p.id_number,
                    credit_code=p.credit_code,
                    birth_date=p.birth_date,
                    legal_representative=p.legal_representative,
                    special=p.special,
                    extra=p.extra,
                    position=p.position,
                )
                for p in original.parties.order_by("position")
            ]
        )
        measures = [m.to_json() for m in followup.live_measures(record, filed_on)]
        link = Resumption.objects.create(
            original=original,
            resumed=resumed,
            unpaid_amount=unpaid,
            carried_measures=measures,
            reason=reason,
            recorded_by=user,
        )
        new_record = load_record(resumed.pk)
        Case.objects.filter(pk=resumed.pk).update(fingerprint=fingerprint(new_record))
        _refresh([(resumed.pk, new_record)])
        _commit(original)  # the original's facts now see resumed_on
        return link
