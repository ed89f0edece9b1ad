"""zhixing export [--court CODE] [--output FILE] (spec/cli.md)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from zhixing.cases.models import Case
from zhixing.cases.services import export_lines
from zhixing.cmdutil import court_by_code, in_scope


class Command(BaseCommand):
    help = "导出案件数据包（JSON Lines）"

    def add_arguments(self, parser):
        parser.add_argument("--court", help="法院代字（含其下级法院）")
        parser.add_argument("--output", help="输出文件（默认标准输出）")

    def handle(self, *args, **options):
        cases = in_scope(Case.objects.all(), court_by_code(options["court"]))
        out = open(options["output"], "w", encoding="utf-8") if options["output"] else sys.stdout  # noqa: SIM115
        try:
            for line in export_lines(cases):
                out.write(line + "\n")
        finally:
            if out is not sys.stdout:
                out.close()
