"""zhixing demo [--port N] [--no-serve]: build the demo database once, print the log-ins,
serve the UI (spec/cli.md). Run again, it reuses the database."""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from zhixing.cases.models import Case
from zhixing.cases.services import import_bundle
from zhixing.courts.models import Court, Role, User
from zhixing.courts.services import ensure_court, import_courts

#: Demo log-ins: (username, court code, role, display name). One per role, at the court
#: where that role works in the demo city.
ACCOUNTS = (
    ("zhihui", "豫08", Role.COMMAND_CENTRE, "焦作中院指挥中心"),
    ("yuanzhang", "豫08", Role.PRESIDENT, "焦作中院院长"),
    ("juzhang", "豫08", Role.BUREAU_CHIEF, "焦作中院执行局长"),
    ("wz_juzhang", "豫0823", Role.BUREAU_CHIEF, "武陟法院执行局长"),
    ("wz_tuandui", "豫0823", Role.TEAM_LEAD, "武陟法院团队负责人"),
    ("wz_faguan", "豫0823", Role.JUDGE, "武陟法院执行法官"),
    ("wz_zhixingyuan", "豫0823", Role.OFFICER, "王某"),
    ("wz_zhuli", "豫0823", Role.ASSISTANT, "武陟法院法官助理"),
    ("wz_shujiyuan", "豫0823", Role.CLERK, "武陟法院书记员"),
    ("wx_zhixingyuan", "豫0825", Role.OFFICER, "温县法院执行员"),
)
DEMO_PASSWORD = "zhixing-demo-2025"  # printed to the person running the demo; demo data only
DEMO_END = date(2025, 12, 31)


class Command(BaseCommand):
    help = "生成演示数据库（焦作中院及其基层法院的模拟案件），打印登录账号并启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="只生成数据，不启动服务")
        parser.add_argument("--cases-per-court-year", type=int, default=600)
        parser.add_argument("--years", type=int, default=3)

    def handle(self, *args, **o):
        if Case.objects.exists():
            self.stdout.write(f"演示数据库已存在（{Case.objects.count()} 件案件），直接使用。")
        else:
            build(o["years"], o["cases_per_court_year"], self.stdout)
        accounts()
        campaigns()
        self.stdout.write(f"\n登录账号（密码均为 {DEMO_PASSWORD}）：")
        for username, code, role, _name in ACCOUNTS:
            court = Court.objects.get(code=code)
            user = User.objects.get(username=username)
            self.stdout.write(f"  {username:<16} {court.name} · {role.label}（{user.display_name}）")
        self.stdout.write("  admin            系统管理员（/admin/）")
        if not o["no_serve"]:
            from zhixing.cases.management.commands.serve import serve

            self.stdout.write("")
            serve(o["host"], o["port"], 8, self.stdout)


def build(years: int, per_court_year: int, out) -> None:
    from zhixing.simulate.generator import court_names, simulate

    started = time.monotonic()
    names = court_names()
    import_courts([f'{{"code": "{code}", "name": "{name}"}}' for code, name in names.items()])
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "demo.jsonl"
        out.write(f"正在生成 {years} 年的模拟案件（焦作中院及其基层法院）…")
        simulate(bundle, seed=2018, years=years, cases_per_court_year=per_court_year, end=DEMO_END)

        def show(done: int) -> None:
            print(f"\r正在导入：{done} 件", end="", file=sys.stderr, flush=True)

        with bundle.open(encoding="utf-8") as f:
            report = import_bundle(f, progress=show)
        print(file=sys.stderr)
    out.write(f"已导入 {report.imported} 件案件，用时 {time.monotonic() - started:.0f} 秒。")


def campaigns() -> None:
    """The 2018 焦作 campaign (seed 000) and the same targets over the demo's own last
    summer, so the campaign pages have figures (idempotent)."""
    from zhixing.reports.campaigns import JIAOZUO_2018, seed_jiaozuo_2018
    from zhixing.reports.models import Campaign

    seed_jiaozuo_2018()
    Campaign.objects.get_or_create(
        name="执行攻坚百日会战（演示）",
        court=ensure_court("豫08"),
        start=date(DEMO_END.year, 5, 1),
        defaults={
            "end": date(DEMO_END.year, 8, 10),
            "targets": JIAOZUO_2018["targets"],
            "description": "演示数据：以 2018 年百日会战的目标考核演示数据的最后一个夏天。",
        },  # fmt: skip
    )


def busiest_handler(court: Court) -> str | None:
    """The 承办人 with most cases in a court: the demo officer is that person, so
    "我的案件" has cases."""
    from django.db.models import Count

    row = (
        Case.objects.filter(court=court)
        .exclude(handler="")
        .values("handler")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return row["handler"] if row else None


@transaction.atomic
def accounts() -> None:
    """One log-in per role (idempotent)."""
    for username, code, role, name in ACCOUNTS:
        court = ensure_court(code)
        if role in (Role.OFFICER, Role.JUDGE):
            name = busiest_handler(court) or name
        user, created = User.objects.get_or_create(
            username=username, defaults={"court": court, "role": role, "display_name": name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(
            "admin",
            password=DEMO_PASSWORD,
            court=ensure_court("豫08"),
            role=Role.ADMIN,
            display_name="系统管理员",
        )
