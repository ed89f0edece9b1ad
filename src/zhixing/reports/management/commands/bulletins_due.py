"""zhixing bulletins_due [--date D] [--court CODE …] [--kind K …] [--format F …] [--json]

The scheduled job (cron or a systemd timer, e.g. daily at 00:30): produces every
bulletin due for DATE that is not produced yet — the daily one each day, the weekly one
on Sundays, the monthly one on the month's last day — as HTML, PDF and xlsx, one
``Bulletin`` row each. DATE defaults to yesterday (China time): a bulletin reports a
whole day, and one made during the day would miss its end. Running it twice produces
nothing new.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from zhixing.cmdutil import USAGE, court_by_code, emit_json, parse_date
from zhixing.lib import clock
from zhixing.reports import bulletins
from zhixing.reports.services import bulletins_due
from zhixing.reports.windows import KINDS


class Command(BaseCommand):
    help = "生成当日应出而尚未生成的通报（定时任务）"

    def add_arguments(self, parser):
        parser.add_argument("--date")
        parser.add_argument(
            "--court", action="append", default=[], help="可重复；默认为包含全部案件的最低一级法院"
        )
        parser.add_argument("--kind", action="append", default=[], help="可重复；默认按日期应出的类型")
        parser.add_argument(
            "--format", dest="formats", action="append", default=[], help="可重复；默认 html、pdf、xlsx"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        day = parse_date(o["date"], "--date") or clock.today() - timedelta(days=1)
        for kind in o["kind"]:
            if kind not in KINDS:
                raise CommandError(f"--kind 应为 daily、weekly 或 monthly，实际为 {kind!r}", returncode=USAGE)
        for fmt in o["formats"]:
            if fmt not in bulletins.FORMATS:
                raise CommandError(f"--format 应为 html、pdf 或 xlsx，实际为 {fmt!r}", returncode=USAGE)
        courts = [court_by_code(code) for code in o["court"]]
        if not courts:
            default = bulletins.default_court()
            courts = [default] if default is not None else []
        report = bulletins_due(
            day, courts, kinds=o["kind"] or None, formats=o["formats"] or bulletins.FORMATS
        )
        if o["json"]:
            emit_json(self, report.as_json())
            return
        for p in report.produced:
            self.stdout.write(f"已生成 {p['filename']}（{p['size']} 字节）")
        self.stdout.write(
            f"{report.date}：生成 {len(report.produced)} 份，已有或正在生成 {report.skipped} 份"
        )
