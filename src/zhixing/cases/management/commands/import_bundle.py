"""zhixing import FILE [--courts FILE] [--json] (spec/cli.md)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from zhixing.cases.services import import_bundle, vacuum_after_import
from zhixing.cmdutil import USAGE, emit_json, progress_printer
from zhixing.courts.services import CourtError, import_courts


class Command(BaseCommand):
    help = "导入案件数据包（JSON Lines）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="案件数据包文件（- 表示标准输入）")
        parser.add_argument("--courts", help="法院文件（JSON Lines：code, name, parent）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        if options["courts"]:
            try:
                with open(options["courts"], encoding="utf-8") as f:
                    import_courts(f)
            except (OSError, CourtError) as e:
                raise CommandError(str(e), returncode=USAGE) from None
        try:
            # Binary: each line is decoded on its own, so one line that is not UTF-8 is one
            # rejected line rather than the end of the import.
            stream = sys.stdin.buffer if options["file"] == "-" else open(options["file"], "rb")  # noqa: SIM115
        except OSError as e:
            raise CommandError(f"无法打开 {options['file']}：{e.strerror}", returncode=USAGE) from None
        show = progress_printer("已处理行数") if sys.stderr.isatty() else None
        with stream:
            report = import_bundle(stream, progress=show)
        if show:
            print(file=sys.stderr)
        vacuum_after_import(report.imported)
        if options["json"]:
            emit_json(self, report.as_json())
        else:
            self.stdout.write(
                f"导入 {report.imported} 件，未变化 {report.unchanged} 件，拒绝 {len(report.rejected)} 行"
            )
            for r in report.rejected:
                self.stdout.write(f"  第 {r['line']} 行 {r['case_number'] or ''} {r['field']}：{r['error']}")
        if report.rejected:
            raise CommandError(f"{len(report.rejected)} 行被拒绝", returncode=1)
