"""zhixing overdue_scan [--as-of DATE] [--json]: record every key-node obligation overdue at
the end of as-of (default: yesterday, the last whole day) as an alert, once each
(idempotent: a second run creates nothing new)."""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.management.base import BaseCommand

from zhixing.cmdutil import emit_json, parse_date
from zhixing.flow.models import Alert
from zhixing.flow.services import scan_overdue
from zhixing.lib import clock


class Command(BaseCommand):
    help = "每日超期扫描：把新超期的关键节点记为预警（幂等：重复运行不会重复生成）"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="截至日 YYYY-MM-DD（默认昨天：期限届满日当天结束后才算超期）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        as_of = parse_date(o["as_of"], "--as-of") or clock.today() - timedelta(days=1)
        started = time.perf_counter()
        created = scan_overdue(as_of)
        elapsed = round(time.perf_counter() - started, 3)
        total = Alert.objects.count()
        if o["json"]:
            emit_json(
                self, {"as_of": as_of.isoformat(), "created": created, "alerts": total, "seconds": elapsed}
            )
            return
        self.stdout.write(f"截至 {as_of}：新增预警 {created} 条，累计 {total} 条（{elapsed} 秒）")
