"""zhixing campaign [--seed] [--id N] [--date D] [--json]

``--seed`` creates the 2018 焦作 campaign (执行攻坚百日会战, 2018-05-01…2018-08-10,
"三个90%" and 三年整体执结率 80%) if it is missing. Otherwise prints each campaign's
progress on DATE (default today): per court, each target indicator's value and the
cases still needed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhixing.cmdutil import USAGE, emit_json, parse_date, table
from zhixing.lib import clock
from zhixing.reports import campaigns
from zhixing.reports.models import Campaign


class Command(BaseCommand):
    help = "专项活动：建立 2018 年焦作百日会战（--seed），或查看进度"

    def add_arguments(self, parser):
        parser.add_argument("--seed", action="store_true")
        parser.add_argument("--id", type=int)
        parser.add_argument("--date")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        if o["seed"]:
            campaign, created = campaigns.seed_jiaozuo_2018()
            doc = {"id": campaign.pk, "name": campaign.name, "created": created}
            if o["json"]:
                emit_json(self, doc)
            else:
                self.stdout.write(
                    f"{'已建立' if created else '已存在'}：{campaign.name}（{campaign.start} 至 {campaign.end}）"
                )
            return
        day = parse_date(o["date"], "--date") or clock.today()
        qs = Campaign.objects.select_related("court")
        if o["id"] is not None:
            qs = qs.filter(pk=o["id"])
            if not qs.exists():
                raise CommandError(f"--id {o['id']}：没有这个专项活动", returncode=USAGE)
        reports = [campaigns.progress(c, day) for c in qs]
        if o["json"]:
            emit_json(self, reports)
            return
        for rep in reports:
            self.stdout.write(
                f"{rep['name']}（{rep['court_name']}，{rep['start']} 至 {rep['end']}，"
                f"{campaigns.STATUS_LABELS[rep['status']]}）"
            )
            rows = []
            for row in [*rep["courts"], {"name": "合计", **rep["total"]}]:
                for t in rep["targets"]:
                    fig = row["indicators"].get(t["id"])
                    if fig:
                        rows.append(
                            [
                                row["name"],
                                t["id"],
                                t["name"],
                                fig["value"] or "—",
                                fig["target"],
                                "—" if fig["cases_needed"] is None else fig["cases_needed"],
                            ]
                        )
            table(self, ["法院", "指标", "名称", "值", "目标", "尚需件数"], rows)
