"""zhixing check termination|credit|funds|petitions [--as-of DATE] [--court CODE] [--json]
(spec/cli.md; indicators.md §6–§9)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhixing.cases.checks import KINDS, cases_for, rows_for
from zhixing.cases.loader import load_records
from zhixing.cmdutil import USAGE, court_by_code, emit_json, in_scope, parse_date, table
from zhixing.lib import clock


class Command(BaseCommand):
    help = "终本、失信、案款、信访检查（indicators.md §6–§9）"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("--as-of")
        parser.add_argument("--court")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        kind = o["kind"]
        as_of = parse_date(o["as_of"], "--as-of")
        if as_of is None:
            if kind != "termination":
                raise CommandError(f"check {kind} 需要 --as-of", returncode=USAGE)
            as_of = clock.today()
        court = court_by_code(o["court"])
        if kind == "termination":
            # Stored verdict rows where valid, the rules where a row is missing or stale.
            from zhixing.cases.models import Case
            from zhixing.termination.facts import termination_rows

            rows = list(termination_rows(in_scope(Case.objects.all(), court), as_of))
        else:
            cases = in_scope(cases_for(kind, as_of), court)
            rows = [row for _, record in load_records(cases) for row in rows_for(kind, record, as_of)]
        if o["json"]:
            emit_json(self, rows)
            return
        if kind == "termination":
            table(self, ["案号", "结案日期", "结论", "不合格项", "待到期"],
                  [[r["case_number"], r["closed_on"], r["verdict"], "、".join(r["failed"]), "、".join(r["pending"])] for r in rows])  # fmt: skip
            for r in rows:
                for check, reason in r["reasons"].items():
                    self.stdout.write(f"  {r['case_number']} {check}：{reason}")
        elif kind == "credit":
            table(self, ["案号", "当事人", "纳入日期", "情形", "应删除日", "删除日", "不合格项"],
                  [[r["case_number"], r["party_name"], r["listed_on"], "、".join(r["grounds"]), r["deletion_due_on"],
                    r["deleted_on"], "、".join(r["failed"])] for r in rows])  # fmt: skip
        elif kind == "funds":
            table(self, ["案号", "到账", "通知日", "金额", "应发放日", "已发放", "发放完毕日", "状态"],
                  [[r["case_number"], r["receipt"], r["notice_on"], r["amount"], r["due_on"], r["disbursed"],
                    r["disbursed_on"], r["status"]] for r in rows])  # fmt: skip
        else:
            table(self, ["案号", "信访", "办理法院", "收到日", "登记期限", "登记", "办结期限", "办结", "状态"],
                  [[r["case_number"], r["petition"], r["handled_by"], r["received_on"], r["registration_due_on"],
                    r["registration_status"], r["closing_due_on"], r["closed_on"], r["status"]] for r in rows])  # fmt: skip
