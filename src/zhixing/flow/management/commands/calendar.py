"""zhixing calendar show | load FILE: the working-day calendar (PER-3, PER-5)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from zhixing.cmdutil import USAGE
from zhixing.flow.calendar import load_schedule, sync_calendar
from zhixing.lib import workdays
from zhixing.metrics.facts import refresh_all_facts


class Command(BaseCommand):
    help = "工作日历：查看已知年度，或载入国务院公布的某年节假日安排（JSON）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("show", help="列出有官方安排的年度")
        load = sub.add_parser("load", help='载入 {"year", "source", "holidays": [...], "workdays": [...]}')
        load.add_argument("file")

    def handle(self, *args, **o):
        sync_calendar()
        if o["action"] == "show":
            cal = workdays.calendar()
            years = sorted(cal.official_years())
            self.stdout.write(f"官方安排年度：{years[0]}–{years[-1]}（共 {len(years)} 年）")
            self.stdout.write(
                f"其余年度尚无官方安排：{workdays.FIXED_HOLIDAYS_FROM} 年起周末及按日期固定的法定节假日"
                "（元旦、春节除夕至初三、清明节、劳动节 5 月 1–2 日、端午节、中秋节、国庆节 10 月 1–3 日）放假，"
                "不含调休；此前年度仅周末放假。经过这些年度计算的日期均标记为暂定。"
            )
            return
        try:
            with open(o["file"], encoding="utf-8") as f:
                document = json.load(f)
            row = load_schedule(document)
        except (OSError, json.JSONDecodeError) as e:
            raise CommandError(f"无法读取 {o['file']}：{e}", returncode=USAGE) from None
        except workdays.ScheduleError as e:
            raise CommandError(f"节假日安排有误：{e}", returncode=1) from None
        n = refresh_all_facts()
        self.stdout.write(f"已载入 {row.year} 年节假日安排（{row.source}），重新计算 {n} 件案件的期限。")
