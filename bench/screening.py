"""Benchmark: screening against the 失信 / 限制消费 list (issue 8 §4).

Targets, on a simulated list of 10,000,000 active entries: single screening over HTTP on
loopback ≥ 2,000 requests/s sustained with p99 ≤ 20 ms; a batch of 1,000,000 IDs ≤ 5 s;
index memory ≤ 1.5 GB; index build ≤ 60 s; compared in the same run with a lookup through
the database's index on ``identifier``.

    uv run python bench/screening.py [--entries 10000000] [--db /tmp/zhixing_credit_bench.sqlite3]
                                     [--seconds 20] [--concurrency 8] [--threads 4] [--batch 1000000]

The list is written once into a SQLite file and reused by later runs (generating ten
million valid identifiers and inserting them takes a few minutes). Entries are inserted
straight into ``credit_listentry`` with foreign-key checks off: the cases they name are
not created (screening never reads the case table). The HTTP server is
``zhixing screening_serve`` in its own process (waitress), which builds its own index.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGIONS = [
    f"41{c:02d}{d:02d}" for c in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17) for d in range(1, 20)
]
COURTS = ["豫08"] + [f"豫08{d:02d}" for d in (1, 2, 3, 4, 11, 21, 22, 23, 25, 82, 83)]  # 豫0823 among them
ID_CHECK = "10X98765432"


def rss_mib(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def make_id(rng: random.Random) -> str:
    birth = date.fromordinal(rng.randrange(date(1950, 1, 1).toordinal(), date(2005, 12, 31).toordinal()))
    body = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ID_CHECK[(2 * int(body, 13)) % 11]


def make_code(rng: random.Random) -> str:
    from zhixing.lib.identifiers import credit_code_check_char, organization_code_check_char

    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    org = "".join(rng.choice(chars) for _ in range(8))
    first17 = "91" + rng.choice(REGIONS) + org + organization_code_check_char(org)
    return first17 + credit_code_check_char(first17)


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "?")  # fmt: skip
    mem = int(
        next(
            ln.split()[1]
            for ln in Path("/proc/meminfo").read_text().splitlines()
            if ln.startswith("MemTotal")
        )
    )
    return f"{os.cpu_count()} cores ({cpu}), {mem / 2**20:.0f} GiB RAM, load average {os.getloadavg()[0]:.1f}"


# -- the list ------------------------------------------------------------------------------------


def populate(db: Path, n: int, seed: int = 8) -> None:
    """Write ``n`` active entries (5% units, 70% 失信 / 30% 限制消费) unless already there."""
    from zhixing.courts.models import Court
    from zhixing.courts.services import ensure_court

    for code in COURTS:
        ensure_court(code)
    court_ids = list(Court.objects.filter(code__in=COURTS).values_list("pk", flat=True))
    case_ids = case_pool()
    con = sqlite3.connect(db)
    have = con.execute("SELECT COUNT(*) FROM credit_listentry WHERE active = 1").fetchone()[0]
    if have >= n:
        print(f"list: {have:,} active entries already in {db}", flush=True)
        fill_payloads(con)
        con.close()
        return
    print(f"list: writing {n:,} entries into {db} …", flush=True)
    started = time.perf_counter()
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("DELETE FROM credit_listentry")
    indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'credit_listentry' "
                          "AND sql IS NOT NULL").fetchall()  # fmt: skip
    for name, _ in indexes:
        con.execute(f'DROP INDEX "{name}"')
    from zhixing.credit.entries import packed
    from zhixing.credit.index import payload

    rng = random.Random(seed)
    sql = (
        "INSERT INTO credit_listentry (id, source, case_number, party, listing, kind, role, is_unit, name, identifier, "
        "key, key_tag, unit_name, legal_representative, grounds, term_years, conduct, listed_on, ended_on, ended_by, "
        "deletion_ground_on, deletion_due_on, withdrawn, active, seq, updated_at, case_id, court_id, screen_payload) "
        "VALUES (?, ?, ?, 'p2', ?, ?, 'debtor', ?, '某某', ?, ?, ?, '', '', ?, NULL, '', ?, NULL, '', NULL, NULL, 0, 1, ?, "
        "'2026-01-01 00:00:00', ?, ?, ?)"
    )
    # Precomputed pieces: generating ten million rows is otherwise most of the work.
    births = [
        d.strftime("%Y%m%d")
        for d in (
            date.fromordinal(o) for o in range(date(1950, 1, 1).toordinal(), date(2005, 12, 31).toordinal())
        )
    ]
    seqs = [f"{n:03d}" for n in range(1000)]
    days = [date.fromordinal(date(2019, 1, 1).toordinal() + n) for n in range(2500)]
    rand = rng.random
    pick = rng.choice
    chunk = 200_000
    for start in range(0, n, chunk):
        rows = []
        for i in range(start + 1, min(n, start + chunk) + 1):
            r = rand()
            if r < 0.05:  # a unit
                ident = make_code(rng)
                key, tag = packed(ident)
            else:
                body = pick(REGIONS) + pick(births) + pick(seqs)
                c = (2 * int(body, 13)) % 11
                ident = body + ID_CHECK[c]
                key, tag = int(body), 0
            dishonest = r < 0.7
            day, court = pick(days), pick(court_ids)
            rows.append((
                i, f"B{i}", f"（{2019 + i % 7}）豫0823执{i}号", "L1" if dishonest else "",
                "dishonest" if dishonest else "restricted", r < 0.05, ident, key, tag,
                '["G1"]' if dishonest else "[]", day.isoformat(), i, case_ids[i % len(case_ids)], court,
                payload("dishonest" if dishonest else "restricted", "debtor", court, day),
            ))  # fmt: skip
        con.executemany(sql, rows)
        con.commit()
        print(f"  {min(n, start + chunk):,} ({time.perf_counter() - started:.0f} s)", flush=True)
    for _, ddl in indexes:
        con.execute(ddl)
    con.execute("INSERT OR REPLACE INTO credit_listsequence (id, value) VALUES (1, ?)", (n,))
    con.commit()
    con.execute("ANALYZE")
    con.close()
    print(f"list written in {time.perf_counter() - started:.0f} s", flush=True)


def fill_payloads(con: sqlite3.Connection) -> None:
    """Entries written before ``screen_payload`` existed: compute it in SQL (every bench
    entry is a debtor's), with the covering index dropped meanwhile."""
    if not con.execute("SELECT 1 FROM credit_listentry WHERE screen_payload IS NULL LIMIT 1").fetchone():
        return
    started = time.perf_counter()
    con.execute("DROP INDEX IF EXISTS tmp_cov2")
    (ddl,) = con.execute("SELECT sql FROM sqlite_master WHERE name = 'credit_entry_screen'").fetchone()
    con.execute("DROP INDEX credit_entry_screen")
    con.execute(
        "UPDATE credit_listentry SET screen_payload = (CASE kind WHEN 'dishonest' THEN 1 ELSE 2 END) + 256 * court_id "
        "+ 4294967296 * CAST(julianday(listed_on) - 1721424.5 AS INTEGER)"
    )
    con.commit()
    con.execute(ddl)
    con.commit()
    print(f"list: screen_payload filled in {time.perf_counter() - started:.0f} s", flush=True)


def case_pool(size: int = 10_000) -> list[int]:
    """Real case rows for the entries to name (so foreign keys hold: a migration checks
    them on SQLite). Entries carry their own case numbers; several share a case row."""
    from zhixing.cases.models import Case
    from zhixing.courts.models import Court

    court = Court.objects.get(code="豫0823")
    have = list(Case.objects.filter(fingerprint="bench").order_by("pk").values_list("pk", flat=True))
    if len(have) < size:
        Case.objects.bulk_create(
            [
                Case(case_number=f"（2020）豫0823执{900_000 + k}号", court=court, case_type="first", filed_on=date(2020, 1, 2),
                     fingerprint="bench")
                for k in range(len(have), size)
            ],
            batch_size=5000,
        )  # fmt: skip
        have = list(Case.objects.filter(fingerprint="bench").order_by("pk").values_list("pk", flat=True))
    return have


def sample_ids(db: Path, k: int, hit_rate: float, seed: int = 9) -> list[str]:
    """``k`` valid identifiers, a share ``hit_rate`` of them on the list."""
    con = sqlite3.connect(db)
    top = con.execute("SELECT MAX(id) FROM credit_listentry").fetchone()[0]
    rng = random.Random(seed)
    hits = int(k * hit_rate)
    picks = rng.sample(range(1, top + 1), hits)
    listed = []
    for start in range(0, len(picks), 50_000):
        part = picks[start : start + 50_000]
        marks = ",".join("?" * len(part))
        listed += [
            r[0] for r in con.execute(f"SELECT identifier FROM credit_listentry WHERE id IN ({marks})", part)
        ]
    con.close()
    others = [make_id(rng) for _ in range(k - len(listed))]
    ids = listed + others
    rng.shuffle(ids)
    return ids


# -- HTTP load -----------------------------------------------------------------------------------


async def _worker(
    port: int, key: str, ids: list[str], stop: float, lat: list[float], errors: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = random.randrange(len(ids))
    while time.perf_counter() < stop:
        body = b'{"id":"' + ids[i % len(ids)].encode() + b'"}'
        i += 1
        t = time.perf_counter()
        writer.write(b"POST /api/screen HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + key.encode()
                     + b"\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode()
                     + b"\r\n\r\n" + body)  # fmt: skip
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        lat.append(time.perf_counter() - t)
        if not head.startswith(b"HTTP/1.1 200"):
            errors.append(int(head[9:12]))
    writer.close()


def http_single(
    port: int, key: str, ids: list[str], seconds: float, concurrency: int, server_pid: int
) -> dict:
    async def run(duration: float) -> tuple[list[float], list[int], float]:
        lat: list[float] = []
        errors: list[int] = []
        start = time.perf_counter()
        await asyncio.gather(
            *[_worker(port, key, ids, start + duration, lat, errors) for _ in range(concurrency)]
        )
        return lat, errors, time.perf_counter() - start

    asyncio.run(run(3.0))  # warm-up: connections, caches
    cpu_server, cpu_client = cpu_seconds(server_pid), time.process_time()
    lat, errors, elapsed = asyncio.run(run(seconds))
    cpu_server, cpu_client = cpu_seconds(server_pid) - cpu_server, time.process_time() - cpu_client
    lat.sort()

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(len(lat) * p))] * 1000

    return {
        "requests": len(lat), "seconds": elapsed, "rps": len(lat) / elapsed, "p50_ms": pct(0.50),
        "p99_ms": pct(0.99), "max_ms": lat[-1] * 1000, "errors": len(errors),
        "server_cpu_us_per_request": cpu_server / len(lat) * 1e6,
        "client_cpu_us_per_request": cpu_client / len(lat) * 1e6,
    }  # fmt: skip


def http_batch(
    port: int, key: str, ids: list[str], per_request: int, parallel: int
) -> tuple[float, int, int]:
    """Screen ``ids`` in requests of ``per_request``, ``parallel`` at a time."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    def one(chunk: list[str]) -> tuple[int, int]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.request("POST", "/api/screen/batch", json.dumps({"ids": chunk}),
                     {"X-API-Key": key, "Content-Type": "application/json"})  # fmt: skip
        r = conn.getresponse()
        data = json.loads(r.read())
        conn.close()
        if r.status != 200:
            raise SystemExit(f"batch: HTTP {r.status} {data}")
        return data["hit_count"], len(data["invalid"])

    chunks = [ids[s : s + per_request] for s in range(0, len(ids), per_request)]
    start = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        results = list(pool.map(one, chunks))
    return time.perf_counter() - start, sum(h for h, _ in results), sum(i for _, i in results)


def family(pid: int) -> list[int]:
    """``pid`` and its child processes (the forked workers of the server)."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return [pid, *kids]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its children (/proc/PID/stat)."""
    total = 0.0
    for p in family(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def pss_mib(pid: int) -> float:
    """Proportional set size of a process and its children: shared pages (the index
    arrays the forked workers share) are counted once overall."""
    total = 0
    for p in family(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--db", default="/tmp/zhixing_credit_bench.sqlite3")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--workers", type=int, default=2, help="server processes (zhixing screening_serve --workers)"
    )
    parser.add_argument("--hit-rate", type=float, default=0.01, help="share of screened IDs on the list")
    parser.add_argument("--batch", type=int, default=1_000_000)
    parser.add_argument("--db-sample", type=int, default=20_000)
    parser.add_argument("--populate-only", action="store_true", help="write the list and stop")
    parser.add_argument(
        "--no-inprocess", action="store_true", help="skip the in-process part (index build, lookups, batch)"
    )
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP part")
    args = parser.parse_args()

    db = Path(args.db)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhixing.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhixing.credit import index, screening, services
    from zhixing.credit.models import Agency, ListEntry, Scope

    populate(db, args.entries)
    if args.populate_only:
        return
    print(f"machine: {machine()}", flush=True)
    results: dict = {"entries": ListEntry.objects.filter(active=True).count()}

    if not args.no_inprocess:
        # 1. Index build and memory, in this process.
        before = rss_mib()
        started, cpu = time.perf_counter(), time.process_time()
        idx = index.build()
        results["build_s"] = time.perf_counter() - started
        results["build_cpu_s"] = time.process_time() - cpu
        results["index_mib"] = idx.memory_bytes() / 2**20
        results["rss_growth_mib"] = rss_mib() - before
        index.holder.index = idx
        index.holder.start_poller()  # no polling on the measured path
        print(f"index: {len(idx):,} entries built in {results['build_s']:.1f} s "
              f"(CPU {results['build_cpu_s']:.1f} s); arrays {results['index_mib']:.0f} MiB, "
              f"process grew {results['rss_growth_mib']:.0f} MiB", flush=True)  # fmt: skip

        # 2. Single lookups in process: the index vs the database's index on identifier.
        probe = sample_ids(db, args.db_sample, 0.5)
        started, cpu = time.perf_counter(), time.process_time()
        found_index = sum(1 for x in probe if screening.screen_one(x)["entries"])
        per_index = (time.perf_counter() - started) / len(probe)
        cpu_index = (time.process_time() - cpu) / len(probe)
        fields = ("pk", "kind", "role", "listed_on", "court__code", "court__name", "case_number")
        started, cpu = time.perf_counter(), time.process_time()
        found_orm = sum(
            1 for x in probe if list(ListEntry.objects.filter(identifier=x, active=True).values_list(*fields))
        )
        per_orm = (time.perf_counter() - started) / len(probe)
        cpu_orm = (time.process_time() - cpu) / len(probe)
        from django.db import connection

        started, cpu = time.perf_counter(), time.process_time()
        with connection.cursor() as cur:
            found_sql = 0
            for x in probe:
                cur.execute("SELECT id, kind, role, listed_on, court_id, case_number FROM credit_listentry "
                            "WHERE identifier = %s AND active = %s", [x, True])  # fmt: skip
                found_sql += bool(cur.fetchall())
        per_sql = (time.perf_counter() - started) / len(probe)
        cpu_sql = (time.process_time() - cpu) / len(probe)
        assert found_index == found_orm == found_sql, (found_index, found_orm, found_sql)
        results.update(lookup_index_us=per_index * 1e6, lookup_orm_us=per_orm * 1e6, lookup_sql_us=per_sql * 1e6,
                       lookup_index_cpu_us=cpu_index * 1e6, lookup_orm_cpu_us=cpu_orm * 1e6,
                       lookup_sql_cpu_us=cpu_sql * 1e6, probe=len(probe), probe_hits=found_index)  # fmt: skip
        print(f"single lookup in process ({len(probe):,} IDs, {found_index:,} on the list): index {per_index * 1e6:.1f} µs, "
              f"SQL through the ORM {per_orm * 1e6:.1f} µs (×{per_orm / per_index:.1f}), raw SQL {per_sql * 1e6:.1f} µs "
              f"(×{per_sql / per_index:.1f}); CPU per lookup: index {cpu_index * 1e6:.1f} µs, ORM {cpu_orm * 1e6:.1f} µs "
              f"(×{cpu_orm / cpu_index:.1f}), raw SQL {cpu_sql * 1e6:.1f} µs (×{cpu_sql / cpu_index:.1f})", flush=True)  # fmt: skip

        # 3. A batch of a million IDs in process: 5% on the list, a few malformed.
        batch = sample_ids(db, args.batch, args.hit_rate, seed=10)
        for i in range(0, len(batch), 100_000):
            batch[i] = batch[i][:17] + ("0" if batch[i][17] != "0" else "1")
        started, cpu = time.perf_counter(), time.process_time()
        result = screening.screen_batch(batch)
        results["batch_inprocess_s"] = time.perf_counter() - started
        results["batch_inprocess_cpu_s"] = time.process_time() - cpu
        results["batch_hits"] = len(result.hits)
        results["batch_invalid"] = len(result.invalid)
        started, cpu = time.perf_counter(), time.process_time()
        sample = batch[:50_000]
        db_hits = sum(1 for x in sample if ListEntry.objects.filter(identifier=x, active=True).exists())
        results["batch_db_s_extrapolated"] = (time.perf_counter() - started) * len(batch) / len(sample)
        results["batch_db_cpu_s_extrapolated"] = (time.process_time() - cpu) * len(batch) / len(sample)
        print(f"batch of {len(batch):,} in process: {results['batch_inprocess_s']:.2f} s (CPU {results['batch_inprocess_cpu_s']:.2f} s; {len(result.hits):,} hits, "
              f"{len(result.invalid)} malformed); one indexed query per ID would take ~{results['batch_db_s_extrapolated']:.0f} s "
              f"(CPU {results['batch_db_cpu_s_extrapolated']:.0f} s) "
              f"(measured on {len(sample):,}, {db_hits:,} hits)", flush=True)  # fmt: skip
        del batch, result

    if not args.no_http:
        # 4. Over HTTP: a screening server in its own process.
        agency = Agency.objects.filter(code="bench").first() or services.create_agency(
            "bench", "基准测试单位"
        )
        Agency.objects.filter(pk=agency.pk).update(rate_per_minute=100_000_000)
        _, key = services.issue_key(agency, Scope.values, label="bench")
        port = free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        server_log = open(Path(args.db).with_suffix(".server.log"), "w")  # noqa: SIM115 (closed below)
        server = subprocess.Popen([sys.executable, "-m", "zhixing.cli", "screening_serve", "--port", str(port),
                                   "--threads", str(args.threads), "--workers", str(args.workers)], env=env,
                                  stdout=subprocess.PIPE,
                                  stderr=server_log, text=True)  # fmt: skip
        try:
            started = time.perf_counter()
            line = server.stdout.readline()
            if not line:
                raise SystemExit(f"server did not start, see {server_log.name}")
            results["server_start_s"] = time.perf_counter() - started
            time.sleep(1.0)  # the workers fork after the first line
            results["server_pss_mib"] = pss_mib(server.pid)
            print(
                f"server: {args.workers} worker(s) ready in {results['server_start_s']:.1f} s, "
                f"memory (PSS, shared pages once) {results['server_pss_mib']:.0f} MiB",
                flush=True,
            )
            ids = sample_ids(db, 100_000, args.hit_rate, seed=11)
            single = http_single(port, key, ids, args.seconds, args.concurrency, server.pid)
            results["http"] = single
            print(f"HTTP single ({args.concurrency} connections, {args.threads} server threads, {args.seconds:.0f} s): "
                  f"{single['rps']:.0f} req/s, p50 {single['p50_ms']:.1f} ms, p99 {single['p99_ms']:.1f} ms, "
                  f"max {single['max_ms']:.0f} ms, errors {single['errors']}; CPU per request: server "
                  f"{single['server_cpu_us_per_request']:.0f} µs, load generator {single['client_cpu_us_per_request']:.0f} µs",
                  flush=True)  # fmt: skip
            big = sample_ids(db, args.batch, args.hit_rate, seed=12)
            seconds, hits, _ = http_batch(port, key, big, screening.BATCH_LIMIT, args.workers)
            results["http_batch_s"] = seconds
            print(f"HTTP batch: {len(big):,} IDs in {len(big) // screening.BATCH_LIMIT} requests of "
                  f"{screening.BATCH_LIMIT:,}, {args.workers} at a time: {seconds:.2f} s ({hits:,} hits)", flush=True)  # fmt: skip
            results["server_pss_after_mib"] = pss_mib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
            server_log.close()
    print(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
