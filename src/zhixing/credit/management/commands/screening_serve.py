"""zhixing screening_serve [--host H] [--port N] [--threads T]: the 协助单位 screening API
alone (``credit.serving``), with the index built before the first request and kept
current, and the audit trail written in bulk, from background threads."""

from __future__ import annotations

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动协助单位筛查服务（内存索引）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8100)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, **o):
        import logging

        from waitress import serve

        # "Task queue depth is N" at every burst: expected under load, not news.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)

        from zhixing.credit import index, serving

        settings.ROOT_URLCONF = "zhixing.credit.serving"
        settings.MIDDLEWARE = serving.MIDDLEWARE
        started = time.perf_counter()
        built = index.warm(background=True)
        print(
            f"筛查索引：{len(built)} 条，{built.memory_bytes() / 2**20:.0f} MiB，"
            f"{time.perf_counter() - started:.1f} 秒",
            file=sys.stderr,
            flush=True,
        )
        from django.core.wsgi import get_wsgi_application

        self.stdout.write(f"筛查服务已启动：http://{o['host']}:{o['port']}/api/screen")
        self.stdout.flush()
        serve(
            serving.application(get_wsgi_application()),
            host=o["host"],
            port=o["port"],
            threads=o["threads"],
            ident="zhixing-screening",
            _quiet=True,
            connection_limit=1000,
            channel_timeout=60,
        )
