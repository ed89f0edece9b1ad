"""zhixing ledger --as-of DATE [--court CODE] [--json] (spec/cli.md, indicators.md §10)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhixing.cmdutil import court_by_code, emit_json, parse_date, table
from zhixing.lib import clock
from zhixing.metrics.services import ledger


class Command(BaseCommand):
    help = "积案台账（indicators.md §10）"

    def add_arguments(self, parser):
        parser.add_argument("--as-of")
        parser.add_argument("--court")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        as_of = parse_date(o["as_of"], "--as-of") or clock.today()
        report = ledger(as_of, court_by_code(o["court"]))
        if o["json"]:
            emit_json(self, report)
            return
        self.stdout.write(f"积案台账，截至 {report['as_of']}")
        table(
            self,
            ["法院", "状态", "案龄", "标签", "件数"],
            [[r["court"], r["status"], r["age"], r["tag"] or "—", r["cases"]] for r in report["rows"]],
        )
