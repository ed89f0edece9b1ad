"""zhixing simulate --seed N [--courts K] [--years Y] [--cases-per-court-year C] --output FILE
[--end DATE] [--labels FILE] (spec/cli.md)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from zhixing.cmdutil import parse_date, progress_printer


class Command(BaseCommand):
    help = "生成模拟法院的案件数据包（同一种子生成相同结果）"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, required=True)
        parser.add_argument("--courts", type=int, help="生成的基层法院数（默认：焦作中院及其基层法院）")
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--cases-per-court-year", type=int)
        parser.add_argument("--end", help="快照日期（默认 2025-12-31）")
        parser.add_argument("--labels", help="写出每件案件注入的问题（JSON Lines）")
        parser.add_argument("--output", required=True)

    def handle(self, *args, **o):
        from zhixing.simulate.generator import simulate

        kwargs = {}
        if o["end"]:
            kwargs["end"] = parse_date(o["end"], "--end")
        show = progress_printer("已生成案件") if sys.stderr.isatty() else None
        summary = simulate(
            o["output"], seed=o["seed"], courts=o["courts"], years=o["years"],
            cases_per_court_year=o["cases_per_court_year"], labels=o["labels"], progress=show, **kwargs,
        )  # fmt: skip
        if show:
            print(file=sys.stderr)
        self.stderr.write(str(summary))
