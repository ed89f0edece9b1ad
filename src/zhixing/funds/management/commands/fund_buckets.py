"""zhixing fund_buckets --as-of DATE [--by court|team|handler] [--court CODE] [--json]:
unpaid case money by days since the finance notice (≤5, 6–10, 11–15, 16–30, >30 days),
with its overdue and deferred part, and unidentified money by age (FUND-6)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhixing.cases.models import Case
from zhixing.cmdutil import USAGE, court_by_code, emit_json, in_scope, parse_date, table
from zhixing.funds import buckets
from zhixing.funds.models import UnidentifiedReceipt
from zhixing.funds.services import unidentified_report, unpaid_buckets


class Command(BaseCommand):
    help = "未发放案款账龄（按法院、团队、承办人）与不明款账龄"

    def add_arguments(self, parser):
        parser.add_argument("--as-of")
        parser.add_argument("--by", choices=buckets.GROUPINGS, default="court")
        parser.add_argument("--court")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        as_of = parse_date(o["as_of"], "--as-of")
        if as_of is None:
            raise CommandError("fund_buckets 需要 --as-of", returncode=USAGE)
        court = court_by_code(o["court"])
        report = unpaid_buckets(in_scope(Case.objects.all(), court), as_of, o["by"])
        ages = unidentified_report(in_scope(UnidentifiedReceipt.objects.all(), court), as_of)
        if o["json"]:
            emit_json(self, {**report, "unidentified": ages})
            return
        keys = {"court": ["court"], "team": ["court", "team"], "handler": ["court", "team", "handler"]}[
            o["by"]
        ]
        heads = {"court": "法院", "team": "团队", "handler": "承办人"}
        table(self, [heads[k] for k in keys] + [label for _, label, _ in buckets.UNPAID] + ["合计", "其中超期", "其中延缓"],
              [[r[k] for k in keys] + [r["buckets"][b]["amount"] for b, _, _ in buckets.UNPAID]
               + [r["unpaid"]["amount"], r["overdue"]["amount"], r["deferred"]["amount"]] for r in report["rows"]])  # fmt: skip
        self.stdout.write("")
        table(self, ["法院（不明款）"] + [label for _, label, _ in buckets.UNIDENTIFIED] + ["合计"],
              [[r["court"]] + [r["buckets"][b]["amount"] for b, _, _ in buckets.UNIDENTIFIED] + [r["unassigned"]["amount"]]
               for r in ages["rows"]])  # fmt: skip
