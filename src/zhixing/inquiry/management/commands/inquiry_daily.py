"""zhixing inquiry_daily [--as-of DATE] [--court CODE] [--new-days N] [--requery-lead N]
[--renewal-lead N] [--json]: the daily job of online inquiry — an inquiry for every debtor
of a new case, the 6-monthly re-query of 终本 cases that is due (TERM-12), and renewals of
restraints before they expire (DL-20). Idempotent: a second run the same day queues
nothing. The requests are delivered by ``zhixing inquiry_work``."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from zhixing.cmdutil import court_by_code, parse_date
from zhixing.inquiry.services import run_daily
from zhixing.lib import clock


class Command(BaseCommand):
    help = "网络查控每日任务：新收案件查询、终本定期查询、到期续冻"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--court", help="法院代字（含下级法院）")
        parser.add_argument("--new-days", type=int, default=7, help="立案后多少天内的案件视为新收案件")
        parser.add_argument("--requery-lead", type=int, default=30, help="终本定期查询提前天数")
        parser.add_argument("--renewal-lead", type=int, default=30, help="续冻提前天数（DL-20）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        as_of = parse_date(o["as_of"], "--as-of") or clock.today()
        counts = run_daily(as_of, new_days=o["new_days"], requery_lead=o["requery_lead"],
                           renewal_lead=o["renewal_lead"], court=court_by_code(o["court"]))  # fmt: skip
        if o["json"]:
            self.stdout.write(json.dumps({"as_of": as_of.isoformat(), **counts}, ensure_ascii=False))
        else:
            self.stdout.write(
                f"{as_of.isoformat()} 新收案件查询 {counts['new_case']} 条，终本定期查询 {counts['requery']} 条，"
                f"续冻 {counts['renewal']} 条"
            )
