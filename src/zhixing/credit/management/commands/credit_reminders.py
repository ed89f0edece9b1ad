"""zhixing credit_reminders [--as-of DATE] [--court CODE] [--auto-delete] [--json]

K9 (indicators.md §3; CREDIT-8/9: delete within 3 working days of the ground): create a
reminder for every active 失信 entry whose deletion ground has arisen by as-of (once per
entry and due day), claim the unsent ones (a conditional UPDATE, so two runs never send
one twice) and list them. With ``--auto-delete`` the system deletes those entries itself
on as-of, so a daily run keeps every deletion on time. Idempotent.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhixing.cmdutil import USAGE, court_by_code, emit_json, parse_date, table
from zhixing.credit import services
from zhixing.lib import clock


class Command(BaseCommand):
    help = "失信信息删除提醒（K9）及到期自动删除"

    def add_arguments(self, parser):
        parser.add_argument("--as-of")
        parser.add_argument("--court")
        parser.add_argument("--auto-delete", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        today = clock.today()
        as_of = parse_date(o["as_of"], "--as-of") or today
        if o["auto_delete"] and as_of != today:
            # A deletion is dated the day it is made: the system cannot delete in the past.
            raise CommandError("--auto-delete 只能按今天执行（不指定 --as-of）", returncode=USAGE)
        court = court_by_code(o["court"])
        deleted = services.auto_delete(as_of) if o["auto_delete"] else []
        services.create_reminders(as_of)
        claimed = services.claim_reminders()
        due = services.due_entries(as_of)
        if court is not None:
            due = due.filter(court__path__startswith=court.path)
            claimed = [r for r in claimed if r.court.path.startswith(court.path)]
        rows = [
            {
                "case_number": e.case_number,
                "listing": e.listing,
                "party": e.party,
                "name": e.name,
                "ground_on": e.deletion_ground_on,
                "due_on": e.deletion_due_on,
                "status": "overdue" if e.deletion_due_on < as_of else "pending",
            }
            for e in due
        ]
        document = {
            "as_of": as_of,
            "deleted": [
                {"case_number": d.case.case_number, "listing": d.listing, "on": d.decided_on} for d in deleted
            ],
            "notified": [
                {"case_number": r.entry.case_number, "listing": r.entry.listing, "due_on": r.due_on}
                for r in claimed
            ],
            "due": rows,
        }
        if o["json"]:
            emit_json(self, document)
            return
        self.stdout.write(f"截至 {as_of.isoformat()}：自动删除 {len(deleted)} 条，新发提醒 {len(claimed)} 条")
        table(
            self,
            ["案号", "编号", "被执行人", "事由发生日", "应删除日", "状态"],
            [
                [r["case_number"], r["listing"], r["name"], r["ground_on"], r["due_on"], r["status"]]
                for r in rows
            ],
        )
