"""The simulated 总对总 service as a real separate process (``zhixing inquiry-sim`` on a free
loopback port), and a case of 武陟县法院 with one applicant and two debtors."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from zhixing.inquiry.sim import Faults

NO_FAULTS = {**vars(Faults()), "found_rate": 0.3, "refuse_rate": 0.0}


class Sim:
    """A running ``zhixing inquiry-sim`` process; ``restart()`` kills and starts it again
    on the same port (with its journal, it remembers what it accepted)."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.journal = tmp / "journal.jsonl"
        self.port = 0
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        port_file = self.tmp / "port"
        port_file.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "zhixing.cli", "inquiry-sim", "--port", str(self.port), "--port-file",
             str(port_file), "--journal", str(self.journal), "--secret", "s3cret-key"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        line = self.proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line + self.proc.stderr.read()
        self.port = int(port_file.read_text())

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def admin(self, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method="POST" if data is not None else "GET",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def faults(self, **kw) -> dict:
        return self.admin("/admin/faults", {**NO_FAULTS, **kw})

    def stats(self) -> dict:
        return self.admin("/admin/stats")


@pytest.fixture(scope="session")
def sim_process(tmp_path_factory):
    sim = Sim(tmp_path_factory.mktemp("sim"))
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(sim_process, monkeypatch):
    """The simulator, reset, without faults, and the default connector pointing at it."""
    from zhixing.inquiry import connectors

    sim_process.admin("/admin/reset", {})
    sim_process.faults()
    monkeypatch.setenv("ZHIXING_INQUIRY_URL", sim_process.url)
    monkeypatch.setenv("ZHIXING_INQUIRY_SECRET", "s3cret-key")
    connectors._cache.clear()
    yield sim_process
    connectors._cache.clear()


@pytest.fixture
def wuzhi_case(personas, import_cases, bundle_case):
    """（2026）豫0823执… filed 2026-01-05, open, 武陟县法院: applicant p1, debtors p2 and p3."""
    from zhixing.cases.models import Case

    c = bundle_case(
        filed_on="2026-01-05",
        parties=[bundle_case.applicant(), bundle_case.debtor(),
                 bundle_case.debtor("p3", kind="自然人", name="李某", id_number=bundle_case.id_number(), credit_code=None,
                                    legal_representative=None)],
        events=[bundle_case.ev("handler_assigned", "2026-01-05", handler="王某"),
                bundle_case.ev("execution_notice", "2026-01-05")],
    )  # fmt: skip
    for p in c["parties"]:
        for k in [k for k, v in p.items() if v is None]:
            del p[k]
    report = import_cases(c, today=date(2026, 11, 23))
    assert report.imported == 1, report.rejected
    return Case.objects.select_related("court").get(case_number=c["case_number"])


def drain(*, rounds: int = 200, policy=None, sleep: float = 0.02, now_step: float = 0.0) -> dict:
    """Run the worker until nothing is pending or sent (or ``rounds`` passes)."""
    from datetime import timedelta

    from django.utils import timezone

    from zhixing.inquiry.models import OutboxMessage, OutboxState
    from zhixing.inquiry.services import Policy, work_once

    policy = policy or Policy(backoff_base=0.01, backoff_max=0.05, poll_first=0.01, poll_max=0.05)
    total: dict = {}
    now = timezone.now()
    for _ in range(rounds):
        now = max(now + timedelta(seconds=now_step), timezone.now())
        for k, v in work_once(200, policy=policy, now=now).items():
            total[k] = total.get(k, 0) + v
        if not OutboxMessage.objects.filter(state__in=(OutboxState.PENDING, OutboxState.SENT)).exists():
            break
        time.sleep(sleep)
    return total
