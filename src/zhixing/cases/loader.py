"""Building ``CaseRecord``s from the database, in chunks, with a handful of queries per
chunk whatever its size (no per-case queries).

Only effective events are loaded: a row superseded by a correction, and a withdrawal
row itself, are history, not facts of the case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date

from django.db import connection
from django.db.models import QuerySet

from zhixing.cases import bulk
from zhixing.cases.choices import CaseType, ClosingMode, PartyKind, PartyRole
from zhixing.cases.models import Case, NodeEvent, Party
from zhixing.cases.records import CaseRecord, Deferral, Disbursement, Event, Lodgement, Petition, Receipt
from zhixing.cases.records import Party as PartyRecord
from zhixing.funds import models as funds
from zhixing.petitions.models import Petition as PetitionRow

CHUNK = 2000
#: Values per ``IN (…)`` list (SQLite allows 32,766 parameters; PostgreSQL 65,535).
IN_CHUNK = 5000


def resumptions(case_numbers: Iterable[str]) -> dict[str, date]:
    """case number → filing day of the earliest 恢复执行 case naming it as original.

    Raw SQL: an import asks this for every batch, and Django's per-value lookup
    preparation of a long ``IN`` list costs more than the query (``bulk.one_of``)."""
    numbers = list(case_numbers)
    found: dict[str, date] = {}
    table = connection.ops.quote_name(Case._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(numbers), IN_CHUNK):
            where, params = bulk.one_of("original_case_number", numbers[start : start + IN_CHUNK])
            cursor.execute(
                f"SELECT original_case_number, MIN(filed_on) FROM {table} WHERE case_type = %s"
                f" AND {where} GROUP BY original_case_number",
                [CaseType.RESUMED.value, *params],
            )
            for number, first in cursor.fetchall():
                found[number] = date.fromisoformat(first) if isinstance(first, str) else first
    return found


def load_records(
    cases: QuerySet[Case] | Iterable[int], *, chunk: int = CHUNK
) -> Iterator[tuple[int, CaseRecord]]:
    """Yield ``(case id, record)`` for the given cases (a queryset or ids), in id order."""
    if isinstance(cases, QuerySet):
        ids = list(cases.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(cases)
    for start in range(0, len(ids), chunk):
        yield from _load_chunk(ids[start : start + chunk])


def load_record(case: Case | int) -> CaseRecord:
    pk = case.pk if isinstance(case, Case) else case
    return next(_load_chunk([pk]))[1]


def _load_chunk(ids: list[int]) -> Iterator[tuple[int, CaseRecord]]:
    rows = list(
        Case.objects.filter(pk__in=ids)
        .order_by("pk")
        .values(
            "pk", "case_number", "court__code", "case_type", "non_litigation", "application_received_on",
            "filed_on", "original_case_number", "basis", "claim_amount", "recovered_amount", "tags",
            "handler", "closed_on", "closing_mode", "extra",
        )
    )  # fmt: skip
    parties = defaultdict(list)
    for p in Party.objects.filter(case_id__in=ids).order_by("case_id", "position").values():
        parties[p["case_id"]].append(
            PartyRecord(
                id=p["local_id"],
                role=PartyRole(p["role"]),
                kind=PartyKind(p["kind"]),
                name=p["name"],
                id_number=p["id_number"] or None,
                credit_code=p["credit_code"] or None,
                birth_date=p["birth_date"],
                legal_representative=p["legal_representative"] or None,
                special=tuple(p["special"]),
                extra=p["extra"],
            )
        )
    events = defaultdict(list)
    rows_of_events = list(
        NodeEvent.objects.filter(case_id__in=ids)
        .order_by("case_id", "on", "position", "pk")
        .values_list("pk", "case_id", "node", "on", "data", "supersedes_id", "withdrawn")
    )
    # Superseded rows are dropped here rather than by a join in the query: a correction is
    # always of its own case (flow.services), so the rows read hold every correction that
    # matters. The join let PostgreSQL, its statistics stale in the middle of an import,
    # hash the whole event table for a chunk of 18 cases (0.15–0.3 s a batch at 100,000 cases).
    superseded = {row[5] for row in rows_of_events if row[5] is not None}
    for pk, case_id, node, on, data, _, withdrawn in rows_of_events:
        if not withdrawn and pk not in superseded:
            events[case_id].append((case_id, node, on, data))
    receipts = defaultdict(list)
    receipt_ids = {}
    for r in funds.Receipt.objects.filter(case_id__in=ids).order_by("pk").values():
        receipt_ids[r["id"]] = r["local_id"]
        receipts[r["case_id"]].append(
            Receipt(r["local_id"], r["notice_on"], r["amount"], r["payer"] or None, r["kind"])
        )
    disbursements = defaultdict(list)
    for d in funds.Disbursement.objects.filter(case_id__in=ids).order_by("pk").values():
        disbursements[d["case_id"]].append(
            Disbursement(
                d["local_id"], receipt_ids[d["receipt_id"]], d["on"], d["amount"], d["payee"] or None
            )
        )
    deferrals = defaultdict(list)
    for d in funds.Deferral.objects.filter(case_id__in=ids).order_by("pk").values():
        deferrals[d["case_id"]].append(
            Deferral(receipt_ids[d["receipt_id"]], d["approved_on"], d["ground"] or None, d["ends_on"])
        )
    lodgements = defaultdict(list)
    for lg in funds.Lodgement.objects.filter(case_id__in=ids).order_by("pk").values():
        lodgements[lg["case_id"]].append(
            Lodgement(receipt_ids[lg["receipt_id"]], lg["on"], lg["ground"] or None)
        )
    petitions = defaultdict(list)
    for p in PetitionRow.objects.filter(case_id__in=ids).order_by("pk").values():
        petitions[p["case_id"]].append(
            Petition(
                id=p["local_id"],
                received_on=p["received_on"],
                registered_on=p["registered_on"],
                source=p["source"] or None,
                referred_by=p["referred_by"] or None,
                about_lower_court=p["about_lower_court"],
                handled_by=p["handled_by"] or None,
                screened_on=p["screened_on"],
                closed_on=p["closed_on"],
                replied=p["replied"],
            )
        )
    resumed = resumptions(r["case_number"] for r in rows)
    for r in rows:
        pk = r["pk"]
        yield (
            pk,
            CaseRecord(
                case_number=r["case_number"],
                court=r["court__code"],
                case_type=CaseType(r["case_type"]),
                filed_on=r["filed_on"],
                non_litigation=r["non_litigation"],
                application_received_on=r["application_received_on"],
                original_case_number=r["original_case_number"] or None,
                basis=r["basis"],
                claim_amount=r["claim_amount"],
                recovered_amount=r["recovered_amount"],
                tags=tuple(r["tags"]),
                handler=r["handler"] or None,
                parties=tuple(parties[pk]),
                events=tuple(
                    Event(node, on, seq, data) for seq, (_, node, on, data) in enumerate(events[pk])
                ),
                receipts=tuple(receipts[pk]),
                disbursements=tuple(disbursements[pk]),
                deferrals=tuple(deferrals[pk]),
                lodgements=tuple(lodgements[pk]),
                petitions=tuple(petitions[pk]),
                closed_on=r["closed_on"],
                closing_mode=ClosingMode(r["closing_mode"]) if r["closing_mode"] else None,
                resumed_on=resumed.get(r["case_number"]),
                extra=r["extra"],
            ),
        )
