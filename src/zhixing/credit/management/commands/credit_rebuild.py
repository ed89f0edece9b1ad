"""zhixing credit_rebuild [--case NUMBER …] [--json]: derive the 失信 / 限制消费 list from
the event log (every case with a credit event or an entry, or the cases named).
Idempotent: a second run changes nothing. Run it after ``zhixing import``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhixing.cases.casenumber import normalise
from zhixing.cases.models import Case
from zhixing.cmdutil import USAGE, emit_json
from zhixing.credit.models import ListEntry
from zhixing.credit.services import rebuild_entries


class Command(BaseCommand):
    help = "由节点记录重建失信及限制消费名单"

    def add_arguments(self, parser):
        parser.add_argument("--case", action="append", default=[], help="案号（可重复）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        ids = None
        if o["case"]:
            numbers = [normalise(n) for n in o["case"]]
            found = dict(Case.objects.filter(case_number__in=numbers).values_list("case_number", "pk"))
            missing = [n for n in numbers if n not in found]
            if missing:
                raise CommandError(f"数据库中没有案件：{'、'.join(missing)}", returncode=USAGE)
            ids = found.values()
        changed = rebuild_entries(ids)
        result = {
            "changed": changed,
            "active": ListEntry.objects.filter(active=True).count(),
            "dishonest": ListEntry.objects.filter(active=True, kind=ListEntry.Kind.DISHONEST).count(),
            "restricted": ListEntry.objects.filter(active=True, kind=ListEntry.Kind.RESTRICTED).count(),
        }
        if o["json"]:
            emit_json(self, result)
        else:
            self.stdout.write(
                f"变更 {result['changed']} 条；生效中 {result['active']} 条"
                f"（失信 {result['dishonest']}，限制消费 {result['restricted']}）"
            )
