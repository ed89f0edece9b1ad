"""zhixing refresh_facts: derive every case's facts again (after a rule or calendar change)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from zhixing.cmdutil import progress_printer
from zhixing.metrics.facts import refresh_all_facts


class Command(BaseCommand):
    help = "重新计算全部案件的期限、节点和指标事实"

    def handle(self, *args, **o):
        show = progress_printer("已计算案件") if sys.stderr.isatty() else None
        n = refresh_all_facts(progress=show)
        if show:
            print(file=sys.stderr)
        self.stdout.write(f"已重新计算 {n} 件案件。")
