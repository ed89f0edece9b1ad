"""zhixing check termination|credit|funds|petitions [--as-of DATE] [--court CODE] [--json]
(spec/cli.md; indicators.md §6–§9)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef

from zhixing.cases.choices import ClosingMode
from zhixing.cases.loader import load_records
from zhixing.cases.models import Case, NodeEvent
from zhixing.cmdutil import USAGE, court_by_code, emit_json, in_scope, parse_date, table
from zhixing.credit.rules import credit_checks
from zhixing.funds import models as funds
from zhixing.funds.rules import receipt_clocks
from zhixing.petitions.models import Petition
from zhixing.petitions.rules import petition_clocks
from zhixing.termination.rules import check_termination

KINDS = ("termination", "credit", "funds", "petitions")


def _cases(kind: str, as_of: date):
    seen = Case.objects.filter(filed_on__lte=as_of)
    if kind == "termination":
        return seen.filter(closing_mode=ClosingMode.TERMINATED_CURRENT, closed_on__lte=as_of)
    if kind == "credit":
        listed = NodeEvent.objects.filter(case=OuterRef("pk"), node="credit_listing", on__lte=as_of)
        return seen.filter(Exists(listed))
    if kind == "funds":
        return seen.filter(Exists(funds.Receipt.objects.filter(case=OuterRef("pk"), notice_on__lte=as_of)))
    return seen.filter(Exists(Petition.objects.filter(case=OuterRef("pk"), received_on__lte=as_of)))


def rows_for(kind: str, record, as_of: date) -> list[dict]:
    if kind == "termination":
        verdict = check_termination(record, as_of)
        return [verdict.to_json()] if verdict else []
    if kind == "credit":
        return [r.to_json() for r in credit_checks(record, as_of)]
    if kind == "funds":
        return [c.to_json() for c in receipt_clocks(record, as_of) if c.notice_on <= as_of]
    return [c.to_json() for c in petition_clocks(record, as_of) if c.received_on <= as_of]


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
            as_of = date.today()
        cases = in_scope(_cases(kind, as_of), court_by_code(o["court"]))
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
