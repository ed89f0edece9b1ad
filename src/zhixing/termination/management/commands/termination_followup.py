"""zhixing termination_followup [--as-of DATE] [--lead-days N] [--court CODE] [--json]

The daily job of 终本 follow-up (TERM-11, TERM-12, TERM-15): deliver the queued notices of
re-query results to applicants (recording ``inquiry_result_notified``), create one reminder
per open after-closing obligation due within N days (or overdue), and send the unsent
reminders. Every step claims its rows with a conditional UPDATE or a unique constraint, so
running it twice creates and sends nothing new."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand

from zhixing.cases.models import Case
from zhixing.cmdutil import court_by_code, emit_json, in_scope, parse_date
from zhixing.termination import services


class Command(BaseCommand):
    help = "终本后续：告知查询结果、生成并发送到期提醒"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="截至日（默认今天）")
        parser.add_argument("--lead-days", type=int, default=7, help="提前提醒天数（默认 7）")
        parser.add_argument("--court")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        as_of: date = parse_date(o["as_of"], "--as-of") or services.today()
        court = court_by_code(o["court"])
        notified = services.deliver_notices(as_of)
        cases = in_scope(Case.objects.all(), court) if court else None
        created = services.create_reminders(as_of, lead_days=o["lead_days"], cases=cases)
        sent = services.send_reminders()
        result = {
            "as_of": as_of.isoformat(),
            "notices_delivered": notified,
            "reminders_created": created,
            "reminders_sent": sent,
        }
        if o["json"]:
            emit_json(self, result)
        else:
            self.stdout.write(
                f"截至 {as_of}：告知查询结果 {notified} 件，新提醒 {created} 条，发送提醒 {sent} 条"
            )
