"""zhixing detect [--as-of DATE] [--court CODE] [--json]: run every detector of passive,
selective and abusive enforcement, misreported closings and suppressed filings, and
store the findings idempotently (a finding's identity is its detector, its case or court
and a fingerprint of the facts it rests on: running twice creates nothing new, and a
dismissed finding stays dismissed until those facts change)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from zhixing.cmdutil import USAGE, court_by_code, emit_json, parse_date, progress_printer, table
from zhixing.lib import clock
from zhixing.supervision import detectors as D
from zhixing.supervision.services import config, run_detection


class Command(BaseCommand):
    help = "消极执行、选择性执行、乱执行、误报结、压案不立检测（结果存入监督发现，可核查）"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="截至日 YYYY-MM-DD（默认今天）")
        parser.add_argument("--court", help="法院代字（含下级法院）")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--over-seizure-margin", help="超标的查封幅度，如 0.5 表示超过未履行金额 50%%")

    def handle(self, *args, **o):
        as_of = parse_date(o["as_of"], "--as-of") or clock.today()
        court = court_by_code(o["court"])
        cfg = config()
        if o["over_seizure_margin"] is not None:
            try:
                margin = Decimal(o["over_seizure_margin"])
            except InvalidOperation:
                margin = Decimal(-1)
            if margin < 0:
                raise CommandError("--over-seizure-margin 应为不小于 0 的小数", returncode=USAGE)
            cfg = replace(cfg, over_seizure_margin=margin)
        report = run_detection(
            as_of, court=court, cfg=cfg, progress=None if o["json"] else progress_printer("已检测案件")
        )
        if o["json"]:
            emit_json(self, report.as_json())
            return
        self.stderr.write("")
        self.stdout.write(
            f"截至 {as_of.isoformat()}：检测案件 {report.cases} 件，新发现 {report.created} 条，"
            f"再次发现 {report.seen_again} 条，不再发现 {report.cleared} 条。"
        )
        rows = [
            [D.BY_CODE[code].category_label, D.BY_CODE[code].label, n]
            for code, n in sorted(report.by_detector.items())
        ]
        table(self, ["类别", "检测规则", "发现"], rows)
