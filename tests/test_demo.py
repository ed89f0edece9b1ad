"""`zhixing demo`: three years of history ending yesterday, then every scheduled job a court
runs, once; the 失信 list, the public search, the screening API, findings and the current
year's indicators agree with the cases; demo parties have phones and the portal works with
the console notifier; every role is told where to start; a second run changes nothing.

Built in-process with a fixed "today" (a small demo: 20 cases per court-year), and once as
the command a new user runs (8 cases per court-year, served), whose portal code must appear
on the terminal that runs it."""

from __future__ import annotations

import http.cookiejar
import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Max
from django.test import Client
from django.urls import reverse

from zhixing.cases.models import Case, NodeEvent, Party
from zhixing.courts.models import User
from zhixing.credit.models import ListEntry
from zhixing.credit.services import create_agency, issue_key, rebuild_entries
from zhixing.flow.models import Alert
from zhixing.metrics.models import ObligationFact
from zhixing.portal.services import phone_of
from zhixing.reports.models import Bulletin
from zhixing.simulate import demo
from zhixing.supervision.models import Finding

#: A Wednesday in mid-June: the current year is half gone, the history ends on Tuesday.
TODAY = date(2026, 6, 17)
YESTERDAY = date(2026, 6, 16)
MOBILE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """The demo as of TODAY (two years, 20 cases per court-year), built once for the module
    inside a transaction that is rolled back at its end; each test runs in a savepoint."""
    out = io.StringIO()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            done = demo.prepare(TODAY, years=2, per_court_year=20, say=lambda s: print(s, file=out))
            yield done, out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def built(demo_db, db):
    return demo_db


def counts() -> dict[str, int]:
    return {
        "cases": Case.objects.count(),
        "events": NodeEvent.objects.count(),
        "entries": ListEntry.objects.count(),
        "active": ListEntry.objects.filter(active=True).count(),
        "alerts": Alert.objects.count(),
        "findings": Finding.objects.count(),
        "bulletins": Bulletin.objects.count(),
        "users": User.objects.count(),
    }


def test_history_ends_yesterday_with_open_cases_and_pending_nodes(built):
    done, printed = built
    assert demo.history_end(TODAY) == YESTERDAY
    assert "2025 年 1 月 1 日至 2026 年 6 月 16 日" in printed
    last_filed = Case.objects.aggregate(m=Max("filed_on"))["m"]
    assert YESTERDAY - timedelta(days=7) <= last_filed <= YESTERDAY
    # Nothing of the imported history happens after yesterday.
    imported = NodeEvent.objects.filter(source=NodeEvent.Source.IMPORT)
    assert imported.aggregate(m=Max("on"))["m"] <= YESTERDAY
    # Recent cases are still open and their key nodes mostly pending, not overdue.
    recent_open = Case.objects.filter(filed_on__gte=YESTERDAY - timedelta(days=30), closed_on__isnull=True)
    assert recent_open.count() >= 10
    open_nodes = ObligationFact.objects.filter(done_on__isnull=True, lapsed=False, due_on__isnull=False)
    pending = open_nodes.filter(due_on__gte=TODAY).count()
    overdue = open_nodes.filter(due_on__lt=TODAY).count()
    assert pending > 4 * overdue > 0
    assert done["overdue_scan"] == Alert.objects.count() > 0


def test_current_year_indicators_are_not_zero_and_courts_differ(built):
    out = io.StringIO()
    call_command(
        "indicators", "--from", "2026-01-01", "--to", "2026-06-16", "--as-of", "2026-06-16", "--court", "豫08",
        "--json", stdout=out,
    )  # fmt: skip
    report = json.loads(out.getvalue())
    total = report["total"]["indicators"] if "indicators" in report["total"] else report["total"]
    for ind in ("IND-01", "IND-02", "IND-05", "IND-06"):
        assert total[ind]["denominator"] not in (0, "0.00"), ind
        assert total[ind]["value"] not in (None, "0.0000"), ind
    actual = [c["indicators"]["IND-02"]["value"] for c in report["courts"]]
    assert len(actual) == 11
    assert len(set(actual)) >= 5  # the courts rank differently


def test_credit_list_is_what_the_events_imply_and_is_public(built):
    active = set(ListEntry.objects.filter(active=True).values_list("source", "kind"))
    assert sum(kind == ListEntry.Kind.DISHONEST for _, kind in active) > 0
    # Derived again from nothing but the event log, the list is the same.
    ListEntry.objects.all().delete()
    rebuild_entries()
    assert set(ListEntry.objects.filter(active=True).values_list("source", "kind")) == active

    name = demo.listed_name()
    entries = ListEntry.objects.filter(active=True, kind=ListEntry.Kind.DISHONEST, name=name, is_unit=False)
    page = Client().get("/public/credit/", {"q": name})
    assert page.status_code == 200
    html = page.content.decode()
    for entry in entries:
        assert entry.case_number in html

    # The agencies' screening API answers for the same person.
    agency = create_agency("railway", "中国国家铁路集团有限公司")
    _, key = issue_key(agency, ["screen"])
    entry = entries.first()
    r = Client().post(
        "/api/screen", json.dumps({"id": entry.identifier}), content_type="application/json",
        headers={"X-API-Key": key},
    )  # fmt: skip
    assert r.status_code == 200
    answer = r.json()
    assert answer["listed"] is True
    assert entry.case_number in {e["case_number"] for e in answer["entries"]}


def test_findings_reminders_and_bulletins_exist(built):
    done, printed = built
    assert Finding.objects.count() == done["detect"] > 0
    assert Bulletin.objects.count() == done["bulletins_due"] >= 3  # the daily one, in three formats
    assert done["credit_rebuild"] > 0
    for name, _label, _job in demo.JOBS:
        assert f"（zhixing {name}）" in printed


def test_demo_parties_have_phones_and_open_the_portal_with_the_console_code(built, settings, caplog):
    """The applicant the demo names (a natural person of a 武陟 case still open) opens the
    case with its number, the ID number and the code the console notifier prints."""
    settings.PORTAL_NOTIFIER = "console"
    phones = Counter(bool(MOBILE.fullmatch(phone_of(p))) for p in Party.objects.all())
    assert phones == {True: Party.objects.count()}
    party = demo.portal_party()
    assert party is not None and MOBILE.fullmatch(party.phone)
    case = Case.objects.get(case_number=party.case_number)
    assert case.court.code == "豫0823" and case.closed_on is None
    assert case.filed_on <= YESTERDAY - timedelta(days=30)  # its progress has something to show

    client = Client()
    with caplog.at_level(logging.WARNING, logger="zhixing.portal"):
        r = client.post("/portal/", {"case_number": party.case_number, "identifier": party.id_number})
    assert r.status_code == 302 and r["Location"] == "/portal/verify/"
    [message] = [rec.getMessage() for rec in caplog.records if rec.name == "zhixing.portal"]
    assert f"执行公开验证码 → {party.phone}：" in message
    code = re.search(r"验证码为(\d{6})", message).group(1)
    r = client.post("/portal/verify/", {"code": code})
    assert r.status_code == 302 and r["Location"] == "/portal/case/"
    page = client.get("/portal/case/")
    assert page.status_code == 200 and party.case_number in page.content.decode()


def test_start_points_name_a_page_for_every_role(built):
    lines = "\n".join(demo.start_points("http://127.0.0.1:8000"))
    assert "→ http://127.0.0.1:8000/dashboard/  指挥中心" in lines
    assert "→ http://127.0.0.1:8000/flow/queue/  到期与超期" in lines
    assert "→ http://127.0.0.1:8000/portal/  执行公开" in lines
    party = demo.portal_party()
    assert (
        f"案号 {party.case_number}，申请执行人 {party.name}，身份证号 {party.id_number}，登记手机 {party.phone}"
        in lines
    )
    assert f"/public/credit/?q={demo.listed_name()}  失信被执行人公开查询" in lines
    for account in demo.ACCOUNTS:
        assert f"  {account.username} " in lines
        assert f"→ http://127.0.0.1:8000{reverse(account.start)}  {account.why}" in lines
        client = Client()
        client.force_login(User.objects.get(username=account.username))
        assert client.get(reverse(account.start)).status_code == 200, account
    for username in ("wz_zhixingyuan", "admin"):  # one shared password hash: each may log in
        assert Client().login(username=username, password=demo.DEMO_PASSWORD), username
    assert not Client().login(username="zhihui", password="zhixing-demo-2024")
    assert User.objects.get(username="admin").is_superuser
    for path in ("/portal/", f"/public/credit/?q={demo.listed_name()}"):
        assert Client().get(path).status_code == 200, path


def test_a_second_run_changes_nothing(built):
    before = counts()
    printed = io.StringIO()
    assert demo.prepare(TODAY, years=2, per_court_year=20, say=lambda s: print(s, file=printed)) == {}
    assert (
        "演示数据库已存在" in printed.getvalue()
        and "今天（2026-06-17）的定时任务已经运行过" in printed.getvalue()
    )
    assert counts() == before
    # Run anyway, every job finds nothing to do.
    done = demo.run_jobs(TODAY, lambda s: None)
    assert done == dict.fromkeys([name for name, _, _ in demo.JOBS], 0)
    assert counts() == before


def test_the_next_day_the_daily_jobs_run_again(built):
    """A demo started again the next day runs the daily group (not the import's jobs)."""
    printed = io.StringIO()
    done = demo.prepare(TODAY + timedelta(days=1), say=lambda s: print(s, file=printed))
    assert set(done) == {name for name, _, _ in demo.JOBS} - demo.AFTER_IMPORT
    assert done["bulletins_due"] == 3  # the daily bulletin of 17 June
    assert Bulletin.objects.filter(date=TODAY).count() == 3


def test_a_database_whose_jobs_never_ran_gets_the_imports_jobs_too(built):
    """A demo database built before the demo ran the jobs (no bulletin, an empty list) is
    brought in line on its next start, and told its history is old."""
    Bulletin.objects.all().delete()
    ListEntry.objects.all().delete()
    printed = io.StringIO()
    later = TODAY + timedelta(days=40)
    done = demo.prepare(later, say=lambda s: print(s, file=printed))
    assert set(done) == {name for name, _, _ in demo.JOBS}
    assert ListEntry.objects.filter(active=True).count() > 0
    last = Case.objects.aggregate(m=Max("filed_on"))["m"]
    assert f"其中最晚的案件立案于 {last.isoformat()}；删除数据库后重新运行" in printed.getvalue()


def test_today_cannot_be_in_the_future(db):
    before = counts()
    with pytest.raises(CommandError, match=r"--today：不得晚于今天"):
        call_command("demo", "--no-serve", "--today", "2999-01-01")
    assert counts() == before


# -- the command, as a new user runs it ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Reader(threading.Thread):
    """Collects what a child process writes to one of its pipes."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream, self.text = stream, ""

    def run(self):
        for line in self.stream:
            self.text += line

    def wait_for(self, pattern: str, seconds: float = 60) -> re.Match:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = re.search(pattern, self.text)
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"{pattern!r} not printed; got:\n{self.text[-2000:]}")


def csrf_post(opener, url: str, fields: dict) -> tuple[int, str]:
    page = opener.open(url).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": url})
    with opener.open(request) as r:
        return r.status, r.geturl()


def test_the_command_builds_prints_where_to_start_and_the_portal_code_on_its_terminal(tmp_path):
    """As a new user runs it (a small demo): the build, the jobs, the log-ins and start
    points, then the server; the 武陟 applicant it names opens the portal with the code the
    demo's own terminal shows, even with the log level raised to ERROR."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "ZHIXING_PORTAL_NOTIFIER": "console",
        "ZHIXING_LOG_LEVEL": "ERROR",  # the demo keeps the portal's codes visible even so
    }
    port = free_port()
    argv = [sys.executable, "-m", "zhixing.cli", "demo", "--years", "1", "--cases-per-court-year", "8"]
    server = subprocess.Popen(
        [*argv, "--port", str(port)], cwd=tmp_path, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = Reader(server.stdout), Reader(server.stderr)
    out.start()
    err.start()
    try:
        out.wait_for("zhixing 已启动", 240)
        printed = out.text
        assert "已导入" in printed
        assert "（zhixing credit_rebuild）" in printed and "（zhixing inquiry_daily）" in printed
        for username in ("zhihui", "juzhang", "wz_zhixingyuan", "wx_zhixingyuan", "admin"):
            assert f"  {username} " in printed
        assert "打印在运行 zhixing demo 的这个终端窗口" in printed
        number, id_number, phone = re.search(
            r"案号 (\S+)，申请执行人 \S+，身份证号 (\d{17}[\dX])，登记手机 (1\d{10})", printed
        ).groups()
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        status, url = csrf_post(opener, f"{base}/portal/", {"case_number": number, "identifier": id_number})
        assert (status, url) == (200, f"{base}/portal/verify/")
        code = err.wait_for(rf"执行公开验证码 → {phone}：.*验证码为(\d{{6}})", 10).group(1)
        status, url = csrf_post(opener, f"{base}/portal/verify/", {"code": code})
        assert (status, url) == (200, f"{base}/portal/case/")
        assert number in opener.open(url).read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)
