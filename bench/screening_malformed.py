"""Benchmark: a screening batch of 100,000 malformed IDs against 100,000 valid ones.

A malformed item must cost no more than a valid one. Each kind of batch is posted, as
JSON, to ``POST /api/screen/batch`` through Django's test client (the whole request:
middleware, parsing, validation, screening, the audit row, the answer) in a fresh process
of its own, so that its peak memory is its own; the list holds a few thousand entries.

    uv run python bench/screening_malformed.py [--n 100000] [--repeat 3]

Prints one line per kind: wall and CPU seconds of the request (best of ``--repeat``) and
the process's peak RSS above its RSS just before the first request.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("valid", "check-digit", "nul", "surrogate", "wrong-type", "mixed")


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ids(kind: str, n: int, rng: random.Random) -> list:
    from zhixing.lib.identifiers import id_number_check_char

    out = []
    for i in range(n):
        first17 = f"4108231{rng.randrange(950, 999)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{i % 1000:03d}"
        good = first17 + id_number_check_char(first17)
        which = kind if kind != "mixed" else KINDS[1 + i % 4]
        if which == "valid":
            out.append(good)
        elif which == "check-digit":
            out.append(first17 + ("0" if good[17] != "0" else "1"))
        elif which == "nul":
            out.append(first17 + "\x00")
        elif which == "surrogate":
            out.append(first17 + "\ud800")
        else:
            out.append(int(first17))
    return out


def one(kind: str, n: int, repeat: int, db: str) -> dict:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from zhixing.credit import index, screening, services
    from zhixing.credit.models import Scope

    call_command("migrate", verbosity=0)
    agency = services.create_agency(f"bench-{kind}", "基准测试单位")
    _, key = services.issue_key(agency, Scope.values)
    index.warm(background=False)
    body = json.dumps({"ids": ids(kind, n, random.Random(7))})
    before = rss_mib()
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        screening.key_limiter.reset()
        t0, c0 = time.perf_counter(), time.process_time()
        r = Client().post(
            "/api/screen/batch", body, content_type="application/json", headers={"X-API-Key": key}
        )
        best_wall = min(best_wall, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
        assert r.status_code == 200, (r.status_code, r.content[:300])
        answer = r.json()
        del r
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "kind": kind,
        "n": n,
        "body_bytes": len(body.encode()),
        "wall_s": round(best_wall, 3),
        "cpu_s": round(best_cpu, 3),
        "peak_above_start_mib": round(peak - before, 1),
        "screened": answer["screened"],
        "invalid": len(answer["invalid"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.n, args.repeat, args.db)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds.split(","):
            db = str(Path(tmp) / f"{kind}.sqlite3")
            out = subprocess.run(
                [sys.executable, __file__, "--one", kind, "--n", str(args.n), "--repeat", str(args.repeat),
                 "--db", db],
                cwd=ROOT, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if out.returncode:
                print(kind, "failed:", out.stderr[-2000:])
                continue
            print(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
