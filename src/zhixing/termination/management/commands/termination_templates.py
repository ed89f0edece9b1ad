"""zhixing termination_templates [--output DIR]: write the default 约谈笔录 and 终本裁定书
templates (.docx). Without --output they replace the package defaults in
termination/doc_templates/ (the files kept in the repository); a court edits a copy and
uploads it in the admin (文书模板)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from zhixing.termination.documents import TEMPLATE_DIR, build_default_templates


class Command(BaseCommand):
    help = "生成默认的约谈笔录、终本裁定书 Word 模板"

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(TEMPLATE_DIR), help="输出目录（默认：程序内置模板目录）")

    def handle(self, *args, **o):
        for path in build_default_templates(Path(o["output"])):
            self.stdout.write(str(path))
