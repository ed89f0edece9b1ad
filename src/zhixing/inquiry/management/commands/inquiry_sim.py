"""zhixing inquiry-sim [--host H] [--port N] [--seed N] [--journal FILE] [fault flags…]:
run the simulated national inquiry service (总对总) on loopback until interrupted.

Prints one line ``listening on http://HOST:PORT`` on stdout once it accepts connections
(with ``--port 0`` the port is chosen by the system; ``--port-file`` also writes it).
Faults can be changed while it runs: ``POST /admin/faults`` with the same field names."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhixing.inquiry.sim import Faults, serve


class Command(BaseCommand):
    help = "模拟总对总网络查控服务（本机 HTTP）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--port-file", help="启动后把端口号写入此文件")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--journal", help="请求日志文件（重启后仍识别已受理的请求）")
        parser.add_argument("--secret", default="", help="回调签名密钥")
        for name, default in vars(Faults()).items():
            parser.add_argument(f"--{name.replace('_', '-')}", type=float, default=default)

    def handle(self, *args, **o):
        if o["host"] not in ("127.0.0.1", "localhost", "::1"):
            raise CommandError("模拟服务只监听本机地址（127.0.0.1）")
        faults = Faults(**{k: o[k] for k in vars(Faults())})
        journal = Path(o["journal"]) if o["journal"] else None
        server, _service, stop = serve(o["host"], o["port"], seed=o["seed"], faults=faults, journal=journal,
                                       secret=o["secret"])  # fmt: skip
        port = server.server_address[1]
        if o["port_file"]:
            Path(o["port_file"]).write_text(str(port), encoding="utf-8")
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        print(f"listening on http://{o['host']}:{port}", flush=True)
        try:
            server.serve_forever(poll_interval=0.1)
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            server.server_close()
            sys.stdout.flush()
