"""zhixing escalate [--as-of DATE] [--court CODE] [--json]: mark 督办 orders overdue at
as-of (default: yesterday, the last whole day) as escalated, once each."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand

from zhixing.cmdutil import court_by_code, emit_json, parse_date, table
from zhixing.lib import clock
from zhixing.supervision.services import escalate_overdue


class Command(BaseCommand):
    help = "督办逾期升级（幂等：重复运行不会重复升级）"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="截至日 YYYY-MM-DD（默认昨天：到期日当天结束后才算逾期）")
        parser.add_argument("--court", help="法院代字（含下级法院）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        as_of = parse_date(o["as_of"], "--as-of") or clock.today() - timedelta(days=1)
        orders = escalate_overdue(as_of, court=court_by_code(o["court"]))
        rows = [
            {"id": x.pk, "case_number": x.case.case_number, "court": x.court.code, "issued_by": x.issued_by_court.code,
             "due_on": x.due_on.isoformat(), "days_overdue": (as_of - x.due_on).days}
            for x in orders
        ]  # fmt: skip
        if o["json"]:
            emit_json(self, {"as_of": as_of.isoformat(), "escalated": rows})
            return
        table(self, ["督办", "案号", "法院", "督办法院", "期限", "逾期天数"],
              [[r["id"], r["case_number"], r["court"], r["issued_by"], r["due_on"], r["days_overdue"]] for r in rows])  # fmt: skip
