"""zhixing screening_serve [--host H] [--port N] [--threads T] [--workers W]: the 协助单位
screening API alone (``credit.serving``), with the index built before the first request
and kept current, and the audit trail written in bulk, from background threads.

With ``--workers W`` > 1 the index is built once and W processes are forked to serve the
same listening socket: Python runs one thread at a time per process, so on a machine
with several cores that many processes answer in parallel, and the index's arrays are
shared between them copy-on-write (they are never written after the build).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
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
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, **o):
        from django.db import connections

        from zhixing.credit import index, serving

        settings.ROOT_URLCONF = "zhixing.credit.serving"
        settings.MIDDLEWARE = serving.MIDDLEWARE
        # "Task queue depth is N" at every burst: expected under load, not news.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        started = time.perf_counter()
        built = index.warm(background=False)
        print(
            f"筛查索引：{len(built)} 条，{built.memory_bytes() / 2**20:.0f} MiB，{time.perf_counter() - started:.1f} 秒",
            file=sys.stderr,
            flush=True,
        )
        sock = socket.create_server((o["host"], o["port"]), backlog=1024)
        self.stdout.write(
            f"筛查服务已启动：http://{o['host']}:{o['port']}/api/screen（{o['workers']} 个进程）"
        )
        self.stdout.flush()
        if o["workers"] <= 1:
            self._serve(sock, o["threads"])
            return
        connections.close_all()  # a forked process must not share the parent's connection
        children = []
        for _ in range(o["workers"]):
            pid = os.fork()
            if pid == 0:
                try:
                    self._serve(sock, o["threads"])
                finally:
                    os._exit(0)
            children.append(pid)

        def stop(signum, frame):
            for pid in children:
                os.kill(pid, signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for pid in children:
            os.waitpid(pid, 0)

    def _serve(self, sock, threads: int) -> None:
        from django.core.wsgi import get_wsgi_application
        from waitress import serve

        from zhixing.credit import index, screening, serving

        index.holder.start_poller()
        screening.audit.start_flusher()
        serve(
            serving.application(get_wsgi_application()),
            sockets=[sock],
            threads=threads,
            ident="zhixing-screening",
            _quiet=True,
            connection_limit=1000,
            channel_timeout=60,
        )
