"""zhixing demo [--port N] [--no-serve]: build the demo database once (three years of
simulated cases ending yesterday), run every scheduled job a court runs, print the log-ins
and where each role starts, serve the UI (spec/cli.md). Run again, it reuses the database
(``zhixing.simulate.demo``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhixing.cmdutil import USAGE, parse_date
from zhixing.simulate import demo


class Command(BaseCommand):
    help = "生成演示数据库（焦作中院及其基层法院的模拟案件，截至昨天），运行定时任务，打印登录账号并启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="只生成数据，不启动服务")
        parser.add_argument("--cases-per-court-year", type=int, default=600)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--today", help="把这一天当作今天（YYYY-MM-DD，不晚于今天；用于测试和截图）")

    def handle(self, *args, **o):
        real_today = demo.china_today()
        today = parse_date(o["today"], "--today") or real_today
        if today > real_today:
            raise CommandError(f"--today：不得晚于今天（{real_today}）", returncode=USAGE)
        say = self.stdout.write
        demo.prepare(today, years=o["years"], per_court_year=o["cases_per_court_year"], say=say)
        demo.show_console_codes()
        for line in demo.start_points(f"http://{o['host']}:{o['port']}"):
            say(line)
        if not o["no_serve"]:
            from zhixing.cases.management.commands.serve import serve

            say("")
            serve(o["host"], o["port"], 8, self.stdout)
