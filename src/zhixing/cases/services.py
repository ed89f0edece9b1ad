"""Import and export of case bundles (spec/case-bundle.md, spec/cli.md).

Import streams the file and writes in batches, one transaction each: a crash loses at
most the batch in flight, which was not yet reported as imported, and a re-run turns
every line already stored into a no-op (same canonical fingerprint). Facts of the
imported cases are derived in the same transaction (design.md: rules at write time).

The work is split so that a large bundle uses every core: chunks of lines go to worker
processes (forked; they never touch the database), which parse and validate each line,
take its fingerprint, derive its facts (``metrics.facts.derive``) and turn every row into
what the database driver takes (``bulk.Table``: COPY text for PostgreSQL). The parent is
the single writer: it reads the file, reserves the case ids each chunk may use (so rows
and facts can be made before their case is written; an id of a rejected or unchanged line
is simply never used), and judges every line exactly as a one-process import would —
in file order, against what the earlier batches left in the database. What a worker
cannot know it leaves to the parent: a case of a court not yet in the database, and a
case whose 恢复执行 case is already stored (its facts change), are derived by the parent.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing as mp
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

from zhixing.cases import bulk
from zhixing.cases.bundle import dumps, fingerprint, read_line
from zhixing.cases.choices import CaseType
from zhixing.cases.loader import IN_CHUNK, load_records, resumptions
from zhixing.cases.models import Case, NameGram, NodeEvent, NumberGram, Party
from zhixing.cases.records import CaseRecord
from zhixing.courts.models import Court
from zhixing.courts.services import CourtError, ensure_court
from zhixing.funds import models as funds
from zhixing.metrics import facts as metric_facts
from zhixing.metrics.facts import refresh_facts
from zhixing.metrics.models import CaseFact, ObligationFact, PetitionFact, ReceiptFact, TagFact
from zhixing.petitions.models import Petition
from zhixing.termination.facts import fact_of, is_termination_closing
from zhixing.termination.models import TerminationFact

#: Cases a transaction. Each commit writes out every page its batch changed — the grams' index
#: pages are all over their tables — so fewer, larger batches write each page fewer times:
#: SQLite's commits took 10.2 s of a 100,000-case import at 1,000, 4.4 s at 4,000 (bench/RESULTS.md).
BATCH = 4000
#: At most this much of the file (the length of its lines) a batch, and as much again in flight
#: in the workers: a file of larger cases makes smaller batches, so what the writer holds (about
#: four times the lines' length: rows, facts, the lines) does not grow with the cases' size.
BATCH_TEXT = 16 * 1024 * 1024
#: Lines a worker process takes at a time, and the file size (in lines) from which worker
#: processes pay for themselves.
CHUNK = 250
PARALLEL_FROM = 2_000
#: Case ids reserved at a time (``_IdReserve``).
RESERVE = 2_000
IMPORT_CACHE_KIB = 128 * 1024
IMPORT_WORK_MEM_KIB = 64 * 1024
WORKER_NICENESS = 10


@dataclass
class ImportReport:
    imported: int = 0
    unchanged: int = 0
    rejected: list[dict] = field(default_factory=list)

    def reject(self, line: int, case_number: str | None, field_path: str, error: str) -> None:
        self.rejected.append({"line": line, "case_number": case_number, "field": field_path, "error": error})

    def as_json(self) -> dict:
        return {"imported": self.imported, "unchanged": self.unchanged, "rejected": self.rejected}


@dataclass(slots=True)
class Prepared:
    """One good line, ready to write: its rows as driver payloads (``bulk.Table.rows``)."""

    number: int
    case_number: str
    fingerprint: str
    court: str
    codes: frozenset[str]  # courts its facts name: its own and its petitions' handlers
    pk: int  # the reserved id it gets if it is written
    raw: Any  # the line itself, for the parent when it must derive again
    original: str | None  # 恢复执行: the case it resumes
    rows: dict[str, Any] | None  # table key → payload; None: the parent prepares it
    funds: tuple | None = None  # (receipts, disbursements, deferrals, lodgements) as tuples


def import_bundle(stream: IO[str] | IO[bytes], *, progress: Callable[[int], None] | None = None, batch: int = BATCH,
                  today: date | None = None, workers: int | None = None) -> ImportReport:  # fmt: skip
    """Import a case bundle; every good line is kept, every bad one reported.

    ``workers``: processes that prepare lines (default: two on a machine with two or more
    cores when the bundle has at least ``PARALLEL_FROM`` lines, else none); the result does
    not depend on it."""
    report = ImportReport()
    courts: dict[str, Court] = {}
    known: dict[str, int] = dict(Court.objects.values_list("code", "pk"))
    pending: list[Prepared] = []
    numbers: set[str] = set()
    text = 0  # the length of the pending lines

    def flush() -> None:
        nonlocal text
        _write_batch(pending, report, courts, known, today)
        pending.clear()
        numbers.clear()
        text = 0
        if progress:
            progress(report.imported + report.unchanged + len(report.rejected))

    with _import_memory():
        for item in _prepared(stream, today, known, workers, batch):
            if item is _FLUSH:
                if pending:
                    flush()
                continue
            if type(item) is tuple:  # a rejected line: (number, case number, field, error)
                report.reject(*item)
                continue
            number = item.case_number
            if number in numbers:
                # A second line for a case still in the batch: write the batch first, so
                # this line is judged against what the earlier one left in the database.
                flush()
            pending.append(item)
            numbers.add(number)
            text += len(item.raw)
            if len(pending) >= batch or text >= BATCH_TEXT:
                flush()
        if pending:
            flush()
    report.rejected.sort(key=lambda r: r["line"])
    return report


@contextmanager
def _import_memory():
    """Memory the database may use for the import only, then its setting as it was.

    SQLite: a page cache that holds the indexes an import updates (default: 2 MB).
    Durability is unchanged (WAL, synchronous=NORMAL, as always).

    PostgreSQL: ``work_mem`` for the rows a statement's triggers read (the new events, parties
    and cases of a batch: transition tables) and the distinct case ids they count. At the
    default 4 MB each batch's event rows went to a temporary file and were read back (97 files,
    282 MB for 100,000 cases)."""
    if connection.vendor == "sqlite":
        show, assign, value = "PRAGMA cache_size", "PRAGMA cache_size = {}", -IMPORT_CACHE_KIB
    elif connection.vendor == "postgresql":
        show, assign, value = "SHOW work_mem", "SET work_mem = '{}'", f"{IMPORT_WORK_MEM_KIB}kB"
    else:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(show)
        before = cursor.fetchone()[0]  # an integer (SQLite), a text such as 4MB (PostgreSQL)
        cursor.execute(assign.format(value))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(assign.format(before))


# -- preparing lines (in worker processes or in-process) ------------------------------------------


def _chunks(stream: Iterable) -> Iterator[list[tuple[int, Any]]]:
    chunk: list[tuple[int, Any]] = []
    for item in enumerate(stream, start=1):
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _default_workers(large: bool) -> int:
    if not large or (os.cpu_count() or 1) < 2 or "fork" not in mp.get_all_start_methods():
        return 1
    return 2


def _prepared(stream, today: date | None, known: dict[str, int], workers: int | None, batch: int) -> Iterator:
    """The file's lines in order, each a ``Prepared`` or a rejection tuple. At most a batch and a
    few chunks (and ``BATCH_TEXT`` of lines) are in flight, so memory does not grow with the file."""
    vendor = connection.vendor
    chunks = _chunks(stream)
    head = list(itertools.islice(chunks, PARALLEL_FROM // CHUNK))
    if workers is None:
        workers = _default_workers(len(head) >= PARALLEL_FROM // CHUNK)
    if workers <= 1 or not head:
        reserve = _IdReserve(0)
        for chunk in itertools.chain(head, chunks):
            yield from prepare_chunk(chunk, reserve.take(len(chunk)), known, today, vendor)
        return
    # The first chunk here, written at once: the courts it names are then in the database
    # and the workers can derive the facts of the cases that follow.
    reserve = _IdReserve(RESERVE)
    yield from prepare_chunk(head[0], reserve.take(len(head[0])), known, today, vendor)
    yield _FLUSH
    # The workers prepare the next batch while the writer writes this one: with only a few
    # chunks in flight (fewer than a batch) they stopped, and the writer then waited for them.
    depth = -(-batch // CHUNK) + 2 * workers + 1
    with mp.get_context("fork").Pool(workers, initializer=_yield_to_writer) as pool:
        inflight: deque = deque()  # (result, the length of its lines)
        text = 0
        for chunk in itertools.chain(head[1:], chunks):
            args = (chunk, reserve.take(len(chunk)), dict(known), today, vendor)
            length = sum(len(raw) for _, raw in chunk)
            inflight.append((pool.apply_async(prepare_chunk, args), length))
            text += length
            while len(inflight) >= depth or text >= BATCH_TEXT:
                result, length = inflight.popleft()
                text -= length
                yield from result.get()
        while inflight:
            yield from inflight.popleft()[0].get()


_FLUSH = object()


class _IdReserve:
    """Case ids reserved ``size`` at a time and handed out a chunk at a time. A large import
    reserves ``RESERVE``: one round trip to the sequence for eight chunks (400 calls took
    1.4 s of a 100,000-case import on PostgreSQL); a small one exactly what it needs, so it
    leaves no gap. Ids left over at the end are never used, as those of rejected lines."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.ids: deque[int] = deque()

    def take(self, n: int) -> list[int]:
        if len(self.ids) < n:
            self.ids.extend(reserve_case_ids(max(n - len(self.ids), self.size)))
        return [self.ids.popleft() for _ in range(n)]


def _yield_to_writer() -> None:
    """A worker process runs at a lower priority than the writer. The writer is the one
    line of the import that cannot be split (one connection, file order); with the two
    workers and the writer on two cores, the scheduler gave each a third of the machine and
    the writer spent 16 of its 52 s runnable but not running (100,000 cases on SQLite)."""
    os.nice(WORKER_NICENESS)


def reserve_case_ids(n: int) -> list[int]:
    """``n`` case ids no other writer will take (ids never used leave gaps, as a rolled
    back insert does)."""
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
            )
            return [row[0] for row in cursor.fetchall()]
        with transaction.atomic():  # AUTOINCREMENT: new rows are numbered after sqlite_sequence
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
            top = max(row[0] if row else 0, cursor.fetchone()[0])
            if row:
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [top + n, table])
            else:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, top + n])
        return list(range(top + 1, top + n + 1))


def prepare_chunk(chunk: list[tuple[int, Any]], ids: list[int], known: dict[str, int], today: date | None,
                  vendor: str) -> list:  # fmt: skip
    """Parse, validate, fingerprint and prepare some lines (no database access)."""
    with _collector_paused():
        return _prepare(chunk, ids, known, today, vendor)


@contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off for the block, then as it was. Preparing a chunk
    allocates a few hundred thousand small objects (records, rows), which set off a
    collection every 700 allocations that finds nothing: the records hold no reference
    cycles, so reference counting frees them as always (measured: 13% of a worker's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _prepare(chunk: list[tuple[int, Any]], ids: list[int], known: dict[str, int], today: date | None,
             vendor: str) -> list:  # fmt: skip
    tables = _tables(vendor)
    now = timezone.now()
    out: list = []
    for (number, raw), pk in zip(chunk, ids, strict=True):
        line = read_line(number, raw, today=today)
        if line is None:
            continue
        record = line.record
        if record is None:
            out.append((number, line.case_number, line.field, line.error))
            continue
        codes = frozenset([record.court, *(p.handled_by for p in record.petitions if p.handled_by)])
        item = Prepared(
            number, record.case_number, fingerprint(record), record.court, codes, pk, raw,
            record.original_case_number if record.case_type == CaseType.RESUMED else None, None,
        )  # fmt: skip
        if codes <= known.keys():
            item.rows, item.funds = _rows(record, pk, item.fingerprint, known, tables, now)
        out.append(item)
    return out


CASE_COLUMNS = (
    "case_number", "court", "case_type", "non_litigation", "application_received_on", "filed_on",
    "original_case_number", "basis", "claim_amount", "recovered_amount", "tags", "handler", "closed_on",
    "closing_mode", "extra", "fingerprint", "version", "created_at", "updated_at",
)  # fmt: skip
PARTY_COLUMNS = (
    "case", "court", "local_id", "role", "kind", "name", "id_number", "credit_code", "birth_date", "legal_representative",
    "special", "extra", "position",
)  # fmt: skip
EVENT_COLUMNS = ("case", "node", "on", "data", "position", "withdrawn", "reason", "source", "recorded_at")
PETITION_COLUMNS = (
    "case", "local_id", "received_on", "registered_on", "source", "referred_by", "about_lower_court", "handled_by",
    "screened_on", "closed_on", "replied",
)  # fmt: skip


TERMINATION_COLUMNS = (
    "case", "case_version", "rules_version", "failed_static", "reasons_static", "served_on", "registry_entry_on",
)  # fmt: skip
#: What one case writes besides its funds: table key → (model, columns). The fact tables
#: are those ``metrics.facts.refresh_facts`` writes (tests/cases/test_import.py compares).
BASE_TABLES = {
    "case": (Case, ("id", *CASE_COLUMNS)),
    "party": (Party, PARTY_COLUMNS),
    "event": (NodeEvent, EVENT_COLUMNS),
    "petition": (Petition, PETITION_COLUMNS),
}
FACT_TABLES = {
    "fact": (CaseFact, metric_facts.FACT_COLUMNS),
    "obligation": (ObligationFact, metric_facts.OBLIGATION_COLUMNS),
    "receipt_fact": (ReceiptFact, metric_facts.RECEIPT_COLUMNS),
    "petition_fact": (PetitionFact, metric_facts.PETITION_COLUMNS),
    "tag": (TagFact, metric_facts.TAG_COLUMNS),
    "termination": (TerminationFact, TERMINATION_COLUMNS),
}


def _tables(vendor: str) -> dict[str, bulk.Table]:
    return {
        key: bulk.table(model, names, vendor)
        for key, (model, names) in {**BASE_TABLES, **FACT_TABLES}.items()
    }


def _rows(record: CaseRecord, pk: int, fp: str, known: dict[str, int], tables: dict[str, bulk.Table],
          now) -> tuple[dict, tuple | None]:  # fmt: skip
    """The payloads of one case (its id ``pk``, its fingerprint ``fp``), and its funds as plain tuples (their rows
    need the receipts' ids, which only the writer learns)."""
    r = record
    court_id = known[r.court]
    case_row = (
        pk, r.case_number, court_id, r.case_type.value, r.non_litigation, r.application_received_on,
        r.filed_on, r.original_case_number or "", r.basis, r.claim_amount, r.recovered_amount, list(r.tags),
        r.handler or "", r.closed_on, r.closing_mode.value if r.closing_mode else "", r.extra, fp, 1, now, now,
    )  # fmt: skip
    rows = {
        "case": [case_row],
        "party": [
            (
                pk,
                court_id,
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
        ],
        "event": [
            (pk, e.node, e.on, e.data, e.seq, False, "", NodeEvent.Source.IMPORT.value, now) for e in r.events
        ],
        "petition": [
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
        ],
    }
    payloads = {key: tables[key].rows(value) for key, value in rows.items()}
    payloads.update(_facts(record, pk, known, tables))
    money = None
    if r.receipts:
        money = (
            [(x.id, x.notice_on, x.amount, x.payer or "", x.kind) for x in r.receipts],
            [(d.receipt, d.id, d.on, d.amount, d.payee or "") for d in r.disbursements],
            [(d.receipt, d.approved_on, d.ground or "", d.ends_on, i) for i, d in enumerate(r.deferrals)],
            [(x.receipt, x.on, x.ground or "", i) for i, x in enumerate(r.lodgements)],
        )
    return payloads, money


def _facts(record: CaseRecord, pk: int, known: dict[str, int], tables: dict[str, bulk.Table]) -> dict:
    """The fact payloads of one case: what ``refresh_facts([(pk, record)])`` writes."""
    fact, obligations, receipts, petitions, tags = metric_facts.derive(pk, known[record.court], record, known)
    out = {
        "fact": tables["fact"].rows([fact]),
        "obligation": tables["obligation"].rows(obligations),
        "receipt_fact": tables["receipt_fact"].rows(receipts),
        "petition_fact": tables["petition_fact"].rows(petitions),
        "tag": tables["tag"].rows(tags),
    }
    if is_termination_closing(record):
        t = fact_of(pk, 1, record)
        row = (
            pk,
            t.case_version,
            t.rules_version,
            t.failed_static,
            t.reasons_static,
            t.served_on,
            t.registry_entry_on,
        )
        out["termination"] = tables["termination"].rows([row])
    return out


def _write_batch(pending: list[Prepared], report: ImportReport, courts: dict[str, Court], known: dict[str, int],
                 today: date | None) -> None:  # fmt: skip
    with transaction.atomic():
        existing = _fingerprints([p.case_number for p in pending])
        fresh: list[Prepared] = []
        for p in pending:
            number = p.case_number
            if number in existing:
                if existing[number] == p.fingerprint:
                    report.unchanged += 1
                else:
                    report.reject(p.number, number, "case_number", "案号已存在，且与已存案件内容不同")
                continue
            try:
                court = ensure_court(p.court, cache=courts)
            except CourtError as e:
                report.reject(p.number, number, "court", str(e))
                continue
            courts[court.code] = court
            known[court.code] = court.pk
            fresh.append(p)
        if not fresh:
            return
        for p in fresh:
            if p.rows is None:  # a court the workers did not know yet
                for code in p.codes - known.keys():
                    known[code] = ensure_court(code, cache=courts).pk
                p.rows, p.funds = _rows(
                    _record(p, today), p.pk, p.fingerprint, known, _tables(connection.vendor), timezone.now()
                )
        _insert(fresh, courts, known=known, today=today)
        ids = [p.pk for p in fresh]
        originals = {p.original for p in fresh if p.original}
        if originals:
            # A 恢复执行 case changes its original's facts (K8 drop, ledger). The batch's own
            # cases left out in Python: ``exclude(pk__in=ids)`` prepares each of the ids.
            written = set(ids)
            stored = [
                pk
                for pk in Case.objects.filter(case_number__in=originals).values_list("pk", flat=True)
                if pk not in written
            ]
            if stored:
                refresh_facts(list(load_records(stored)))
        report.imported += len(fresh)


def _fingerprints(numbers: list[str]) -> dict[str, str]:
    """case number → stored fingerprint, for those of ``numbers`` in the database (raw SQL:
    Django's preparation of a long ``IN`` list costs more than the query)."""
    table = connection.ops.quote_name(Case._meta.db_table)
    found: dict[str, str] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(numbers), IN_CHUNK):
            where, params = bulk.one_of("case_number", numbers[start : start + IN_CHUNK])
            cursor.execute(f"SELECT case_number, fingerprint FROM {table} WHERE {where}", params)
            found.update(cursor.fetchall())
    return found


def _record(p: Prepared, today: date | None) -> CaseRecord:
    record = read_line(p.number, p.raw, today=today).record
    assert record is not None and record.case_number == p.case_number
    return record


def _insert(
    fresh: list[Prepared], courts: dict[str, Court], *, known: dict[str, int], today: date | None
) -> list[int]:
    """Write the cases and everything they carry, with their facts; returns their ids in
    ``fresh`` order."""
    tables = _tables(connection.vendor)
    tables["case"].write([p.rows["case"] for p in fresh])
    ids = [p.pk for p in fresh]
    # A resumed case changes its original's facts (K8 drop, ledger), and an original may
    # arrive after the case that resumes it: derive those here, with the resumption known.
    resumed = resumptions(p.case_number for p in fresh)
    for p in fresh:
        if p.case_number in resumed:
            record = replace(_record(p, today), resumed_on=resumed[p.case_number])
            p.rows.update({key: None for key in FACT_TABLES})
            p.rows.update(_facts(record, p.pk, known, tables))
    for key in ("party", "event", "petition", *FACT_TABLES):
        tables[key].write([p.rows.get(key) for p in fresh])
    _insert_funds([(p.pk, p.funds) for p in fresh if p.funds])
    return ids


def _insert_funds(cases: list[tuple[int, tuple]]) -> None:
    if not cases:
        return
    receipts = [(pk, *row) for pk, money in cases for row in money[0]]
    bulk.insert(funds.Receipt, ("case", "local_id", "notice_on", "amount", "payer", "kind"), receipts)
    ids = [pk for pk, _ in cases]
    receipt_pk = {}
    table = connection.ops.quote_name(funds.Receipt._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), IN_CHUNK):
            where, params = bulk.one_of("case_id", ids[start : start + IN_CHUNK])
            cursor.execute(f"SELECT id, case_id, local_id FROM {table} WHERE {where}", params)
            receipt_pk.update(((case_id, local_id), pk) for pk, case_id, local_id in cursor.fetchall())
    disbursements, deferrals, lodgements = [], [], []
    for pk, (_, paid, deferred, lodged) in cases:
        disbursements += [(pk, receipt_pk[(pk, rid)], *rest) for rid, *rest in paid]
        deferrals += [(pk, receipt_pk[(pk, rid)], *rest) for rid, *rest in deferred]
        lodgements += [(pk, receipt_pk[(pk, rid)], *rest) for rid, *rest in lodged]
    bulk.insert(funds.Disbursement, ("case", "receipt", "local_id", "on", "amount", "payee"), disbursements)
    bulk.insert(
        funds.Deferral, ("case", "receipt", "approved_on", "ground", "ends_on", "position"), deferrals
    )
    bulk.insert(funds.Lodgement, ("case", "receipt", "on", "ground", "position"), lodgements)


#: From this many imported cases on, ``zhixing import`` refreshes PostgreSQL's statistics and
#: visibility map of the tables it wrote (``vacuum_after_import``).
VACUUM_FROM = 10_000


def vacuum_after_import(imported: int) -> list[str]:
    """PostgreSQL: ``VACUUM (ANALYZE)`` the tables a large import wrote; returns their names.

    Why: the indicator queries read the fact tables' covering indexes by index-only scans,
    which PostgreSQL uses only once the visibility map is set. Right after loading a million
    cases the indicator catalog took 2.76 s, after VACUUM ANALYZE 0.51 s (bench/RESULTS.md);
    autovacuum gets there eventually, this makes it so when the import returns. Needs
    autocommit (VACUUM cannot run in a transaction), as the command has."""
    if connection.vendor != "postgresql" or imported < VACUUM_FROM or connection.in_atomic_block:
        return []
    models = [m for m, _ in (*BASE_TABLES.values(), *FACT_TABLES.values())]
    models += [funds.Receipt, funds.Disbursement, funds.Deferral, funds.Lodgement]
    models += [NameGram, NumberGram]  # written by the triggers; searches read them index-only
    names = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        for name in names:
            quoted = connection.ops.quote_name(name)
            # The event log is the largest table and no query reads it index-only (every
            # reader wants the event's data): fresh statistics are all it needs, and autovacuum
            # sets its visibility map in its own time.
            cursor.execute(
                f"ANALYZE {quoted}" if name == NodeEvent._meta.db_table else f"VACUUM (ANALYZE) {quoted}"
            )
    return names


def export_lines(cases) -> Iterator[str]:
    """Bundle lines of the given cases (a queryset), streamed in id order."""
    for _, record in load_records(cases):
        yield dumps(record)
