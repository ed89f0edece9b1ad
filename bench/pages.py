"""Benchmark: web pages at 1,000,000 cases (issue 11: the command centre and the case
page p95 ≤ 300 ms server-side, a case search ≤ 200 ms).

    nice -n 19 uv run python bench/pages.py build --db /tmp/pages/pages.sqlite3 [--cases 1000000]
    uv run python bench/pages.py run --db /tmp/pages/pages.sqlite3 [--requests 100]
    uv run python bench/pages.py run --database-url postgresql://postgres@127.0.0.1:5432/zhixing_pages

``build`` simulates a bundle (焦作中院 and its ten basic courts, 3 years, seed 1) and
imports it with ``zhixing import`` (parties, events, every fact row), then ANALYZEs.
``run`` measures requests through Django's test Client, logged in as two personas: the
执行局长 of 焦作中院 (豫08, sees its eleven courts) and an 执行员 of 武陟县法院 (豫0823).
Each page is requested ``--requests`` times after ``--warmup`` requests; a new database
connection per request, as the server has (CONN_MAX_AGE 0). Printed: p50/p95/p99 in ms,
SQL statements per request, and the alternatives the pages replaced (the 12-month trend
one month at a time with every sum; the search as an infix scan).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The dashboard window: the year of the simulated data, as of its last day.
DAY = date(2025, 12, 31)
CENTRE = f"/dashboard/?period=custom&from=2025-01-01&to={DAY}&as_of={DAY}"


def build(args) -> None:
    bundle = Path(args.bundle)
    if not bundle.exists():
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "zhixing.cli", "simulate", "--seed", "1", "--years", "3",
             "--cases-per-court-year", str(max(1, round(args.cases / 32.24))), "--output", str(bundle)],
            check=True,
        )  # fmt: skip
        print(f"simulated in {time.perf_counter() - t:.0f} s")
    env = {**os.environ, "DATABASE_URL": database_url(args)}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "zhixing.cli", "import", str(bundle), "--json"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    print(f"imported in {time.perf_counter() - t:.0f} s")
    setup(args)
    from django.db import connection

    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    print(f"ANALYZE in {time.perf_counter() - t:.0f} s")


def settings_cache_backend() -> str:
    from django.conf import settings

    return settings.CACHES["dashboard"]["BACKEND"]


def database_url(args) -> str:
    return args.database_url or f"sqlite:///{Path(args.db).resolve()}"


def setup(args) -> None:
    os.environ["DATABASE_URL"] = database_url(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def personas():
    from zhixing.courts.models import Court, Role, User

    def user(username: str, court: str, role: str) -> User:
        u, _ = User.objects.update_or_create(
            username=username, defaults={"court": Court.objects.get(code=court), "role": role}
        )
        return u

    return {
        "leader": user("bench_leader", "豫08", Role.BUREAU_CHIEF),
        "officer": user("bench_officer", "豫0823", Role.OFFICER),
    }


def samples(officer, n: int, seed: int = 1) -> dict[str, list[str]]:
    """Random case numbers, party names and ID numbers of the officer's court (so both
    personas may see them), drawn by id so the draw needs no scan; and the broad texts
    cut from them: a case-number prefix (a court's year: （2024）豫0823执, or that and the
    number's first digit) and a surname alone (尹), each matching thousands of cases."""
    from django.db.models import Max

    from zhixing.cases.models import Case, Party

    rng = random.Random(seed)
    top = Case.objects.aggregate(m=Max("pk"))["m"]
    numbers, names, ids = [], [], []
    while len(numbers) < n or len(ids) < n:
        case = Case.objects.filter(pk__gte=rng.randint(1, top), court=officer.court).order_by("pk").first()
        if case is None:
            continue
        if len(numbers) < n:
            numbers.append(case.case_number)
        parties = list(Party.objects.filter(case=case))
        person = next((p for p in parties if p.id_number), None)
        if len(names) < n:
            names.append(rng.choice(parties).name)
        if person and len(ids) < n:
            ids.append(person.id_number)
    prefixes = [n[: n.index("执") + 1 + rng.randint(0, 1)] for n in numbers]
    surnames = [name[0] for name in names]
    # What someone remembers of a name or a case number: a name without its first character
    # (and last, when four or more are left), a case number from 执 on (执1301号).
    inner = [name[1:-1] if len(name) >= 5 else name[1:] for name in names]
    tails = [n[n.index("执") :] for n in numbers]
    return {"numbers": numbers, "names": names, "ids": ids, "prefixes": prefixes, "surnames": surnames,
            "inner": inner, "tails": tails, "broad": [BROAD[i % len(BROAD)] for i in range(n)]}  # fmt: skip


#: Fragments typed as they come: in thousands of names (合作社, 有限公司), in none (农业合作社
#: in no court of the bench data), two characters (建国).
BROAD = ["合作社", "有限公司", "农业合作社", "建国"]
SEARCHES = (
    ("numbers", "case number"), ("names", "party name"), ("ids", "ID number"), ("prefixes", "case-number prefix"),
    ("surnames", "surname alone"), ("inner", "inside a name"), ("tails", "end of a case number"),
    ("broad", "broad fragment"),
)  # fmt: skip


def measure(client, urls: list[str], warmup: int, check=None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in urls[:warmup]:
        assert client.get(url).status_code == 200, url
    times, queries = [], []
    for url in urls[warmup:]:
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
        if check:
            check(url, response)
        queries.append(len(captured))
    q = statistics.quantiles(times, n=100, method="inclusive")
    return {"n": len(times), "p50": q[49], "p95": q[94], "p99": q[98], "max": max(times),
            "queries": statistics.median(queries)}  # fmt: skip


def old_trend(day, parent, visible, indicators):
    """The trend before issue 11: every engine sum, one ``compute_sums`` per month."""
    from zhixing.courts.models import Court
    from zhixing.metrics import engine
    from zhixing.metrics.services import run_django
    from zhixing.reports import rankings
    from zhixing.reports.windows import trend_windows

    group = rankings.peers(parent, None, visible)
    out = []
    for w in trend_windows(day):
        by_court = engine.compute_sums(run_django, group.scope_ids, w)
        paths = dict(Court.objects.filter(pk__in=group.scope_ids).values_list("pk", "path"))
        sums = [
            engine.add_sums(s for pk, s in by_court.items() if paths[pk].startswith(p.path))
            for p in group.courts
        ]
        out.append(engine.figures(engine.add_sums(sums))[indicators[0]]["value"])
    return out


def infix_q(text: str):
    """The search before issue 11's indexes: part of a case number, or of a party's name, or a
    whole ID number in any case, each case's parties tested through the case index."""
    from django.db.models import Exists, OuterRef, Q

    from zhixing.cases.models import Party

    parties = Party.objects.filter(case=OuterRef("pk")).filter(
        Q(name__icontains=text) | Q(id_number__iexact=text) | Q(credit_code__iexact=text)
    )
    return Q(case_number__icontains=text) | Exists(parties)


def wait_for_refreshes() -> None:
    """Until the dashboard's background refresh threads are done."""
    import threading

    for thread in threading.enumerate():
        if thread.name == "dashboard-refresh":
            thread.join()


def timed(fn, repeat: int) -> float:
    best = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best.append(time.perf_counter() - t)
    return statistics.median(best) * 1000


def run(args) -> None:
    setup(args)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from zhixing.cases.models import Case
    from zhixing.courts.access import court_scope
    from zhixing.reports import rankings

    load = [Path("/proc/loadavg").read_text().split()[:3]]
    people = personas()
    n = args.requests + args.warmup
    pick = samples(people["officer"], n)
    rows = []

    def client_for(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    def found(url, response):
        assert b"\xe5\x85\xb1 0 \xe4\xbb\xb6" not in response.content, url  # "共 0 件"

    detail = [reverse("cases:detail", args=[number]) for number in pick["numbers"]]
    for who in ("leader", "officer"):
        client = client_for(people[who])
        rows.append((f"command centre ({who})", measure(client, [CENTRE] * n, args.warmup)))
        rows.append((f"case page ({who})", measure(client, detail, args.warmup)))
        for kind, label in SEARCHES:
            urls = [f"/cases/?q={value}" for value in pick[kind]]
            check = None if kind == "broad" else found
            rows.append((f"search by {label} ({who})", measure(client, urls, args.warmup, check)))
        load.append(Path("/proc/loadavg").read_text().split()[:3])

    # The command centre while the court writes: the stamp moves (as any fact write moves
    # it) before every request. The figures are served from the cache, marked stale, and
    # recomputed in a background thread of this process (dashboard.cache).
    from django.core.cache import caches
    from django.db.models import F

    from zhixing.dashboard.models import FactStamp

    for who in ("leader", "officer"):
        client = client_for(people[who])
        client.get(CENTRE)  # an entry exists (computed under an older stamp)
        busy = []
        for _ in range(args.requests):
            FactStamp.objects.filter(pk=1).update(value=F("value") + 1)
            start = time.perf_counter()
            response = client.get(CENTRE)
            busy.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200 and "正在重新统计" in response.content.decode()
        q = statistics.quantiles(busy, n=100, method="inclusive")
        rows.append((f"command centre, a write before every request ({who})",
                     {"n": len(busy), "p50": q[49], "p95": q[94], "p99": q[98], "max": max(busy), "queries": float("nan")}))  # fmt: skip
        wait_for_refreshes()

    # The command centre after a restart of the server: its figures are kept in files
    # (ZHIXING_DASHBOARD_CACHE, the default beside a SQLite database), read again by the new
    # process. Measured as a process that has nothing of the cache in memory.
    if "FileBased" in settings_cache_backend():
        for who in ("leader", "officer"):
            client = client_for(people[who])
            client.get(CENTRE)
            restarted = []
            for _ in range(args.requests):
                caches.close_all()
                del caches["dashboard"]
                start = time.perf_counter()
                assert client.get(CENTRE).status_code == 200
                restarted.append((time.perf_counter() - start) * 1000)
            q = statistics.quantiles(restarted, n=100, method="inclusive")
            rows.append((f"command centre, first request after a restart ({who})",
                         {"n": len(restarted), "p50": q[49], "p95": q[94], "p99": q[98], "max": max(restarted),
                          "queries": float("nan")}))  # fmt: skip

    # The command centre with the cache empty (figures nobody computed before: a court or
    # window nobody looked at, or a new cache): every figure computed.
    for who in ("leader", "officer"):
        client = client_for(people[who])
        cold = []
        for _ in range(args.cold):
            caches["dashboard"].clear()
            start = time.perf_counter()
            assert client.get(CENTRE).status_code == 200
            cold.append((time.perf_counter() - start) * 1000)
        rows.append((f"command centre, cache empty ({who})", {"n": len(cold), "p50": statistics.median(cold),
                     "p95": max(cold), "p99": max(cold), "max": max(cold), "queries": float("nan")}))  # fmt: skip

    print(f"\n{connection.vendor}, {Case.objects.count():,} cases; load average {load}")
    print("| page | requests | p50 ms | p95 ms | p99 ms | max ms | SQL statements |")
    print("|---|---|---|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['n']} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {r['max']:.0f} | {r['queries']:.0f} |")  # fmt: skip

    # The alternatives, the same data and scope (the leader's: 豫08 and its courts).
    court, visible = court_scope(people["leader"], "")
    new = timed(lambda: rankings.trend(DAY, court, visible=visible, indicators=["IND-01"]), args.repeat)
    old = timed(lambda: old_trend(DAY, court, visible, ["IND-01"]), args.repeat)
    assert old_trend(DAY, court, visible, ["IND-01"]) == rankings.trend(DAY, court, visible=visible, indicators=["IND-01"])["total"]["IND-01"]  # fmt: skip
    print(f"\n12-month trend of IND-01 for 豫08: one pass {new:.0f} ms vs per month, every sum {old:.0f} ms"
          f" = {old / new:.1f}×")  # fmt: skip
    leader_cases = Case.objects.visible_to(people["leader"])
    for kind, _label in SEARCHES:
        values = pick[kind][: args.repeat] if kind != "broad" else BROAD

        def indexed(values=values):
            from zhixing.cases.api import search_listing
            from zhixing.cases.views import CappedPaginator

            for v in values:
                qs, counted = search_listing(people["leader"], q=v)
                CappedPaginator(qs, 50, counted).count, list(qs[:50])

        def scan(values=values):
            for v in values:
                qs = leader_cases.filter(infix_q(v)).order_by("-filed_on", "case_number")
                qs.count(), list(qs[:50])

        a, b = timed(indexed, 1) / len(values), timed(scan, 1) / len(values)
        print(f"search by {kind} (leader, count + first page): indexed, count capped at 1,000 {a:.1f} ms vs infix scan {b:.0f} ms = {b / a:.0f}×")  # fmt: skip
    print(f"load average at the end {Path('/proc/loadavg').read_text().split()[:3]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["build", "run"])
    parser.add_argument("--db", default="/tmp/pages/pages.sqlite3")
    parser.add_argument("--database-url")
    parser.add_argument("--bundle", default="/tmp/pages/b1m.jsonl")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold", type=int, default=5, help="command-centre requests with the cache emptied")
    args = parser.parse_args()
    build(args) if args.command == "build" else run(args)


if __name__ == "__main__":
    main()
