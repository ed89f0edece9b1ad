"""zhixing termination_facts [--court CODE] [--json]: store the 终本 verdict parts of every
closing whose stored row is missing or stale (termination.facts). Idempotent: a second run
finds nothing to do. ``zhixing check termination`` is right without it, only slower."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from zhixing.cases.models import Case
from zhixing.cmdutil import court_by_code, emit_json, in_scope, progress_printer
from zhixing.termination.facts import refresh_stale_facts


class Command(BaseCommand):
    help = "计算并保存终本检查的存储结果（缺失或过期的）"

    def add_arguments(self, parser):
        parser.add_argument("--court")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        cases = in_scope(Case.objects.all(), court_by_code(o["court"]))
        show = progress_printer("已计算") if sys.stderr.isatty() else None
        done = refresh_stale_facts(cases, progress=show)
        if show:
            print(file=sys.stderr)
        if o["json"]:
            emit_json(self, {"refreshed": done})
        else:
            self.stdout.write(f"已更新 {done} 件终本案件的检查结果")
