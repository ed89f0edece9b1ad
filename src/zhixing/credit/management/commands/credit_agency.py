"""zhixing credit_agency add CODE NAME [--rate N] | key CODE [--scopes a,b] [--label L] |
revoke PREFIX | list — manage 协助单位 and their API keys. A new key is printed once (only
its hash is stored), with the agency's snapshot verification key."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhixing.cmdutil import USAGE, emit_json
from zhixing.credit import services
from zhixing.credit.models import Agency, ApiKey, Scope
from zhixing.credit.screening import agency_snapshot_key


class Command(BaseCommand):
    help = "管理协助单位及接口密钥"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="新增协助单位")
        add.add_argument("code")
        add.add_argument("name")
        add.add_argument("--rate", type=int, help="每个密钥每分钟请求上限")
        key = sub.add_parser("key", help="签发接口密钥（只显示一次）")
        key.add_argument("code")
        key.add_argument("--scopes", default=",".join(Scope.values))
        key.add_argument("--label", default="")
        revoke = sub.add_parser("revoke", help="吊销密钥")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list", help="列出密钥")
        for p in (add, key, revoke, listing):
            p.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        action = o["action"]
        if action == "add":
            agency = services.create_agency(o["code"], o["name"], rate_per_minute=o["rate"])
            out = {"agency": agency.code, "name": agency.name}
        elif action == "key":
            agency = Agency.objects.filter(code=o["code"]).first()
            if agency is None:
                raise CommandError(f"没有协助单位 {o['code']!r}", returncode=USAGE)
            try:
                key, plain = services.issue_key(
                    agency, [s.strip() for s in o["scopes"].split(",") if s.strip()], label=o["label"]
                )
            except services.CreditError as e:
                raise CommandError(e.message, returncode=USAGE) from None
            out = {
                "agency": agency.code,
                "key": plain,
                "prefix": key.prefix,
                "scopes": key.scopes,
                "snapshot_key": agency_snapshot_key(agency.code),
            }
        elif action == "revoke":
            keys = list(ApiKey.objects.filter(prefix=o["prefix"]))
            if len(keys) != 1:
                raise CommandError(f"前缀 {o['prefix']!r} 对应 {len(keys)} 个密钥", returncode=USAGE)
            key = services.revoke_key(keys[0])
            out = {"prefix": key.prefix, "revoked_at": key.revoked_at.isoformat()}
        else:
            out = [
                {
                    "agency": k.agency.code,
                    "prefix": k.prefix,
                    "scopes": k.scopes,
                    "revoked": k.revoked_at is not None,
                }
                for k in ApiKey.objects.select_related("agency").order_by("agency__code", "pk")
            ]
        if o["json"]:
            emit_json(self, out)
        else:
            self.stdout.write(str(out))
