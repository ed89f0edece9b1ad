"""zhixing reconcile [--court CODE] [--json]: case-fund reconciliation — per court,
received = disbursed + lodged + refunded + balance — and every difference found between
the stored running totals and the entries (funds.services.reconcile). Exit status 1 when
a difference is found, so a scheduled run can alert."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhixing.cases.models import Case
from zhixing.cmdutil import court_by_code, emit_json, in_scope, table
from zhixing.funds.services import reconcile


class Command(BaseCommand):
    help = "案款对账：到账 = 发放 + 提存 + 退款 + 余额，报告所有不符"

    def add_arguments(self, parser):
        parser.add_argument("--court")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        report = reconcile(in_scope(Case.objects.all(), court_by_code(o["court"])))
        if o["json"]:
            emit_json(self, report)
        else:
            table(self, ["法院", "名称", "到账", "发放", "提存", "退款", "余额", "差额"],
                  [[r["court"], r["name"], r["received"], r["disbursed"], r["lodged"], r["refunded"], r["balance"],
                    r["difference"]] for r in report["courts"]])  # fmt: skip
            t = report["total"]
            self.stdout.write(f"合计：到账 {t['received']} = 发放 {t['disbursed']} + 提存 {t['lodged']} + 退款 {t['refunded']} "
                              f"+ 余额 {t['balance']}，差额 {t['difference']}（{report['cases']} 件案件）")  # fmt: skip
            for d in report["differences"]:
                self.stdout.write(f"不符：{d['case_number']} {d['receipt']} {d['field']}：{d['message']}"
                                  f"（应为 {d['expected']}，实为 {d['actual']}）")  # fmt: skip
        if report["differences"]:
            raise CommandError(f"发现 {len(report['differences'])} 处不符", returncode=1)
