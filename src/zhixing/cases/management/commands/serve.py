"""zhixing serve [--host H] [--port N]: the web UI and API (waitress, a production WSGI
server that runs the same on a court's laptop and on a server)."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网页界面和接口服务"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, **o):
        serve(o["host"], o["port"], o["threads"], self.stdout)


def serve(host: str, port: int, threads: int, out) -> None:
    from waitress.server import create_server

    from zhixing.wsgi import application

    # The socket is bound here, so whoever reads the line below can connect at once.
    server = create_server(application, host=host, port=port, threads=threads, ident="zhixing")
    out.write(f"zhixing 已启动：http://{host}:{port}/ （Ctrl+C 停止）")
    out.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
