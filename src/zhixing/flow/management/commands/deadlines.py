"""zhixing deadlines --as-of DATE [--court CODE] [--json] (spec/cli.md, indicators.md §2–3)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhixing.cases.loader import load_records
from zhixing.cases.models import Case
from zhixing.cmdutil import court_by_code, emit_json, in_scope, parse_date, table
from zhixing.flow.deadlines import case_deadlines


class Command(BaseCommand):
    help = "每件案件的法定执行期限和关键节点（indicators.md §2–3）"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True)
        parser.add_argument("--court")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        as_of = parse_date(o["as_of"], "--as-of")
        cases = in_scope(Case.objects.filter(filed_on__lte=as_of), court_by_code(o["court"]))
        rows = [case_deadlines(record, as_of) for _, record in load_records(cases)]
        if o["json"]:
            emit_json(self, rows)
            return
        out = []
        for r in rows:
            overdue = [f"{x['key_node']}" for x in r["obligations"] if x["status"] == "overdue"]
            out.append([r["case_number"], r["statutory_deadline"] or "—", "是" if r["closed_within_deadline"] else "否",
                        "、".join(overdue) or "—", "是" if r["provisional"] else ""])  # fmt: skip
        table(self, ["案号", "法定期限", "期限内结案", "超期节点", "暂定"], out)
