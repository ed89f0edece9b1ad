"""zhixing petition_reminders [--as-of DATE] [--court CODE] [--lead N] [--json]: create a
reminder for every petition clock (PET-1 registration, PET-2 closing, PET-3 screening)
that is overdue at as-of or due within N working days. Idempotent: a reminder exists
once per petition, clock, kind and due day."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhixing.cmdutil import court_by_code, emit_json, parse_date, table
from zhixing.lib import clock
from zhixing.petitions.services import send_reminders


class Command(BaseCommand):
    help = "信访期限提醒（登记、办结、甄别）"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="截至日 YYYY-MM-DD（默认今天）")
        parser.add_argument("--court", help="法院代字（含下级法院）")
        parser.add_argument("--lead", type=int, default=2, help="提前提醒的工作日数（默认 2）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        as_of = parse_date(o["as_of"], "--as-of") or clock.today()
        created = send_reminders(as_of, court=court_by_code(o["court"]), lead_working_days=o["lead"])
        rows = [
            {"petition": r.petition_id, "case_number": r.petition.case.case_number if r.petition.case_id else None,
             "local_id": r.petition.local_id, "handled_by": r.petition.handling_court_code, "clock": r.clock,
             "kind": r.kind, "due_on": r.due_on.isoformat()}
            for r in created
        ]  # fmt: skip
        if o["json"]:
            emit_json(self, {"as_of": as_of.isoformat(), "created": rows})
            return
        table(self, ["信访", "案号", "办理法院", "期限", "提醒", "到期日"],
              [[r["local_id"], r["case_number"] or "（未关联）", r["handled_by"], r["clock"], r["kind"], r["due_on"]] for r in rows])  # fmt: skip
