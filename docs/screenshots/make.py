"""Screenshots of the main pages (docs/screenshots/*.png), from a small demo database.

    uv run python docs/screenshots/make.py [--keep]

Builds a demo database in a temporary directory (``zhixing demo --no-serve``), starts
``zhixing serve`` on a free port, signs in with the demo accounts and captures each page
at 1366×768 with Debian's Chromium (the portal also at 390×844). The portal look-up uses
the file notifier, so the verification code is read from a file.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent
DESK, PHONE = (1366, 768), (390, 844)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="zhixing-shots-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'demo.sqlite3'}",
        "ZHIXING_PORTAL_NOTIFIER": "file",
        "ZHIXING_PORTAL_CODE_FILE": str(tmp / "codes.txt"),
    }
    cli = [sys.executable, "-m", "zhixing.cli"]
    demo = subprocess.run(
        [*cli, "demo", "--no-serve", "--cases-per-court-year", "120"],
        cwd=tmp, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    # The demo prints "登录账号（密码均为 P）：" and then "  username  court · role（name）".
    password = re.search(r"密码均为 (\S+)）", demo.stdout).group(1)
    accounts = {u: password for u in re.findall(r"^\s+([a-z_]+)\s+\S+ · ", demo.stdout, re.M)}
    port = free_port()
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], cwd=tmp, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login/")
                break
            except OSError:
                time.sleep(0.2)
        shoot(base, accounts, env, tmp)
    finally:
        server.terminate()
        server.wait()


def login(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def shoot(base: str, accounts: dict, env: dict, tmp: Path) -> None:
    import django

    os.environ.update({k: env[k] for k in ("DATABASE_URL",)})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM beside Playwright's loop
    django.setup()
    from zhixing.cases.models import Case, Party

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--lang=zh-CN"])
        desk = browser.new_context(viewport={"width": DESK[0], "height": DESK[1]}, locale="zh-CN")
        page = desk.new_page()
        page.goto(base + "/login/")
        page.screenshot(path=OUT / "login.png")
        chief = next(u for u in accounts if u == "zhihui") if "zhihui" in accounts else next(iter(accounts))
        login(page, base, chief, accounts[chief])
        page.goto(base + "/dashboard/")
        try:
            page.wait_for_selector("#chart .main-svg", state="attached", timeout=10_000)
        except Exception:  # an empty window draws no chart; capture anyway
            print("warning: the dashboard chart was not drawn", file=sys.stderr)
        page.wait_for_timeout(500)
        page.screenshot(path=OUT / "dashboard.png")
        page.goto(base + "/reports/rankings/")
        page.wait_for_timeout(1000)
        page.screenshot(path=OUT / "ranking.png")
        officer = "wz_zhixingyuan"
        ctx = browser.new_context(viewport={"width": DESK[0], "height": DESK[1]}, locale="zh-CN")
        op = ctx.new_page()
        login(op, base, officer, accounts[officer])
        op.goto(base + "/cases/")
        op.screenshot(path=OUT / "case-list.png")
        case = Case.objects.filter(court__code="豫0823", closed_on__isnull=True).order_by("-filed_on").first()
        op.goto(base + f"/cases/{quote(case.case_number)}/")
        op.screenshot(path=OUT / "case.png")
        op.goto(base + "/flow/queue/")
        op.screenshot(path=OUT / "queue.png")
        # The portal, as a party on a phone and on a desk screen.
        party = (
            Party.objects.filter(case__court__code="豫0823", role="applicant").exclude(id_number="").first()
        )
        Party.objects.filter(pk=party.pk).update(extra={**party.extra, "phone": "13800001111"})
        for name, size in (("portal", PHONE), ("portal-desk", DESK)):
            pc = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
            pp = pc.new_page()
            pp.goto(base + "/portal/")
            pp.fill("#id_case_number", party.case.case_number)
            pp.fill("#id_identifier", party.id_number)
            pp.screenshot(path=OUT / f"{name}-lookup.png")
            pp.locator("button[type=submit]").click()
            code = re.findall(r"验证码为(\d{6})", (tmp / "codes.txt").read_text(encoding="utf-8"))[-1]
            pp.fill("#id_code", code)
            pp.locator("button[type=submit]").click()
            pp.wait_for_selector(".portal-steps")
            pp.screenshot(path=OUT / f"{name}-case.png", full_page=(size == PHONE))
            pc.close()
        public = browser.new_context(
            viewport={"width": DESK[0], "height": DESK[1]}, locale="zh-CN"
        ).new_page()
        from zhixing.credit.models import ListEntry

        entry = ListEntry.objects.filter(kind=ListEntry.Kind.DISHONEST).first()
        public.goto(base + "/public/credit/" + (f"?q={quote(entry.name)}" if entry else ""))
        public.screenshot(path=OUT / "public-credit.png")
        browser.close()


if __name__ == "__main__":
    main()
