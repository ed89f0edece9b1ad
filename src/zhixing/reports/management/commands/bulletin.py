"""zhixing bulletin daily|weekly|monthly --date DATE [--court CODE] --format html|pdf|xlsx
--output FILE (spec/cli.md).

Every argument is checked here rather than by argparse, so that a usage error is the
one-line stderr message and exit code 2 that spec/cli.md promises.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhixing.cmdutil import USAGE, court_by_code, parse_date
from zhixing.reports import bulletins
from zhixing.reports.windows import KINDS


class Command(BaseCommand):
    help = "执行工作通报（日、周、月），HTML、PDF 或 xlsx"

    def add_arguments(self, parser):
        parser.add_argument("kind", nargs="?", help="daily、weekly 或 monthly")
        parser.add_argument("--date")
        parser.add_argument("--court")
        parser.add_argument("--format", dest="fmt")
        parser.add_argument("--output")

    def handle(self, *args, **o):
        kind, fmt, output = o["kind"], o["fmt"], o["output"]
        if kind not in KINDS:
            raise CommandError(f"通报类型应为 daily、weekly 或 monthly，实际为 {kind!r}", returncode=USAGE)
        if o["date"] is None:
            raise CommandError("缺少 --date DATE", returncode=USAGE)
        day = parse_date(o["date"], "--date")
        if fmt not in bulletins.FORMATS:
            raise CommandError(f"--format 应为 html、pdf 或 xlsx，实际为 {fmt!r}", returncode=USAGE)
        if not output:
            raise CommandError("缺少 --output FILE", returncode=USAGE)
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"--output 的目录 {str(target.parent)!r} 不存在", returncode=USAGE)
        court = court_by_code(o["court"]) if o["court"] else bulletins.default_court()
        content = bulletins.render(bulletins.build(kind, day, court), fmt)
        # Write beside the target and rename: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".bulletin-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(content)
            os.replace(tmp, target)
        except OSError as e:
            Path(tmp).unlink(missing_ok=True)
            raise CommandError(f"无法写入 {output}：{e.strerror}", returncode=USAGE) from None
        self.stderr.write(f"{bulletins.title(kind, court)}（{day}）→ {output}（{len(content)} 字节）")
