"""The demo database (``zhixing demo``): three years of simulated cases of 焦作中院 and its
basic courts ending yesterday (China date), imported, then every scheduled job a court
runs once, so that the 失信 list, the public search, findings, alerts and bulletins agree
with the cases; one log-in per role and, per role, the page to start at.

Everything here is idempotent: a second run reuses the database (no second import) and
the jobs, each idempotent on its own, create nothing new on the same day.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse

from zhixing.cases.models import Case, Party
from zhixing.courts.models import Court, Role, User
from zhixing.courts.services import ensure_court, import_courts
from zhixing.lib import clock

#: The simulator's seed for the demo: the same day gives the same demo everywhere.
SEED = 2018
DEMO_PASSWORD = "zhixing-demo-2025"  # printed to the person running the demo; demo data only
#: The basic court whose officers, cases and parties the printed start points use.
HOME_COURT = "豫0823"

Say = Callable[[str], None]


@dataclass(frozen=True)
class Account:
    """A demo log-in and the page its role starts at (a URL name and what it is for)."""

    username: str
    court: str
    role: Role
    name: str
    start: str  # URL name
    why: str


ACCOUNTS = (
    Account("zhihui", "豫08", Role.COMMAND_CENTRE, "焦作中院指挥中心", "dashboard:index", "指挥中心：全市本年度指标与各院排名"),
    Account("yuanzhang", "豫08", Role.PRESIDENT, "焦作中院院长", "reports:rankings", "排名与通报：各院核心指标排名"),
    Account("juzhang", "豫08", Role.BUREAU_CHIEF, "焦作中院执行局长", "supervision:index", "督办与监督：待核查的监督发现"),
    Account("wz_juzhang", "豫0823", Role.BUREAU_CHIEF, "武陟法院执行局长", "termination:reviews", "终本审查：待审核的终本案件"),
    Account("wz_tuandui", "豫0823", Role.TEAM_LEAD, "武陟法院团队负责人", "funds:orders", "案款发放审批"),
    Account("wz_faguan", "豫0823", Role.JUDGE, "武陟法院执行法官", "termination:index", "终本管理：终本条件与提醒"),
    Account("wz_zhixingyuan", "豫0823", Role.OFFICER, "王某", "flow:queue", "到期与超期：本人案件的节点期限"),
    Account("wz_zhuli", "豫0823", Role.ASSISTANT, "武陟法院法官助理", "inquiry:index", "网络查控：查询请求与结果"),
    Account("wz_shujiyuan", "豫0823", Role.CLERK, "武陟法院书记员", "cases:list", "案件查询：查找案件、录入送达等节点"),
    Account("wx_zhixingyuan", "豫0825", Role.OFFICER, "温县法院执行员", "flow:queue", "到期与超期：本人案件的节点期限"),
)  # fmt: skip


def china_today() -> date:
    """The demo's "today": the one the scheduled jobs use (the China date)."""
    return clock.today()


def history_end(today: date) -> date:
    """The last day of the demo's history: yesterday, the last whole day."""
    return today - timedelta(days=1)


# -- the build ------------------------------------------------------------------------------------


def prepare(today: date, *, years: int = 3, per_court_year: int = 600, say: Say) -> dict[str, int]:
    """The whole demo database as of ``today``: the history (built once), the scheduled
    jobs, the log-ins and the campaigns. Returns what the jobs did."""
    built = build(today, years=years, per_court_year=per_court_year, say=say)
    done: dict[str, int] = {}
    if built or not jobs_ran(today):
        say("运行法院的定时任务（每项任务都是幂等的，重复运行不会重复生成）：")
        done = run_jobs(today, say, after_import=built or not jobs_ran())
    else:
        say(f"今天（{today.isoformat()}）的定时任务已经运行过。")
    accounts()
    campaigns()
    return done


def build(today: date, *, years: int, per_court_year: int, say: Say) -> bool:
    """Simulate ``years`` calendar years of filings ending yesterday and import them, unless
    the database already holds cases. Returns whether it built."""
    from zhixing.cases.services import import_bundle
    from zhixing.simulate.generator import court_names, simulate

    if Case.objects.exists():
        say(f"演示数据库已存在（{Case.objects.count()} 件案件），直接使用。")
        latest = Case.objects.aggregate(m=Max("filed_on"))["m"]
        if latest < history_end(today) - timedelta(days=30):
            say(
                f"  其中最晚的案件立案于 {latest.isoformat()}；删除数据库后重新运行，可得到截至昨天的演示数据。"
            )
        return False
    started = time.monotonic()
    end = history_end(today)
    import_courts([f'{{"code": "{code}", "name": "{name}"}}' for code, name in court_names().items()])
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "demo.jsonl"
        say(
            f"正在生成模拟案件（焦作中院及其基层法院，{end.year - years + 1} 年 1 月 1 日至 {end.year} 年 {end.month} 月 {end.day} 日）…"
        )
        simulate(
            bundle, seed=SEED, years=years, cases_per_court_year=per_court_year, end=end,
            progress=_progress("正在生成"),
        )  # fmt: skip
        print(file=sys.stderr)
        with bundle.open(encoding="utf-8") as f:
            report = import_bundle(f, progress=_progress("正在导入"), today=today)
        print(file=sys.stderr)
    say(f"已导入 {report.imported} 件案件，用时 {time.monotonic() - started:.0f} 秒。")
    return True


def _progress(label: str) -> Callable[[int], None]:
    def show(done: int) -> None:
        print(f"\r{label}：{done} 件", end="", file=sys.stderr, flush=True)

    return show


# -- the scheduled jobs -----------------------------------------------------------------------------


def run_jobs(today: date, say: Say, *, after_import: bool = True) -> dict[str, int]:
    """Every job a court runs after an import and then daily, once, in the README's order
    ("Scheduled jobs and other commands"), as the commands run them with their default
    dates: the list rebuilt from the event log and the 终本 verdicts stored first (what
    must follow an import; skipped when ``after_import`` is false), then the daily group.
    Each job is idempotent, so running this again the same day creates nothing. Returns
    what each job did, by command name."""
    done: dict[str, int] = {}
    for name, label, job in JOBS:
        if name in AFTER_IMPORT and not after_import:
            continue
        started = time.monotonic()
        count, text = job(today)
        done[name] = count
        say(f"  {label}（zhixing {name}）：{text}（{time.monotonic() - started:.1f} 秒）")
    return done


def jobs_ran(today: date | None = None) -> bool:
    """Whether the daily jobs ran today (ever, without ``today``): their daily bulletin of
    yesterday exists. The demo's second start on a day does not run them again (they
    would create nothing, but reading every case to find that out takes a while); a
    database whose jobs never ran (built by an earlier demo) gets the import's jobs too."""
    from zhixing.reports.models import Bulletin

    done = Bulletin.objects.filter(kind=Bulletin.Kind.DAILY, status=Bulletin.Status.DONE)
    return (done if today is None else done.filter(date=history_end(today))).exists()


def _credit_rebuild(today: date) -> tuple[int, str]:
    from zhixing.credit.models import ListEntry
    from zhixing.credit.services import rebuild_entries

    changed = rebuild_entries()
    active = ListEntry.objects.filter(active=True)
    dishonest = active.filter(kind=ListEntry.Kind.DISHONEST).count()
    return changed, f"变更 {changed} 条，生效中 失信 {dishonest} 条、限制消费 {active.count() - dishonest} 条"


def _termination_facts(today: date) -> tuple[int, str]:
    from zhixing.termination.facts import refresh_stale_facts

    n = refresh_stale_facts(Case.objects.all())
    return n, f"更新 {n} 件终本案件的检查结果"


def _resume_suspensions(today: date) -> tuple[int, str]:
    from zhixing.flow.services import resume_due

    n = len(resume_due(today))
    return n, f"恢复执行 {n} 件"


def _overdue_scan(today: date) -> tuple[int, str]:
    from zhixing.flow.models import Alert
    from zhixing.flow.services import scan_overdue

    n = scan_overdue(history_end(today))
    return n, f"新增预警 {n} 条，累计 {Alert.objects.count()} 条"


def _credit_reminders(today: date) -> tuple[int, str]:
    """Reminders only: deleting on the system's own motion (``--auto-delete``) is a
    court's choice, and the demo leaves the due deletions to the officers (/credit/due/)."""
    from zhixing.credit import services

    made = len(services.create_reminders(today))
    services.claim_reminders()
    due = services.due_entries(today).count()
    return made, f"新发删除提醒 {made} 条，应删除 {due} 条"


def _petition_reminders(today: date) -> tuple[int, str]:
    from zhixing.petitions.services import send_reminders

    n = len(send_reminders(today))
    return n, f"新提醒 {n} 条"


def _termination_followup(today: date) -> tuple[int, str]:
    from zhixing.termination import services

    notified = services.deliver_notices(today)
    created = services.create_reminders(today)
    services.send_reminders()
    return notified + created, f"告知查询结果 {notified} 件，新提醒 {created} 条"


def _detect(today: date) -> tuple[int, str]:
    from zhixing.cmdutil import progress_printer
    from zhixing.supervision.services import run_detection

    report = run_detection(today, progress=progress_printer("  已检测案件"))
    print(file=sys.stderr)
    return report.created, f"检测案件 {report.cases} 件，新发现 {report.created} 条"


def _escalate(today: date) -> tuple[int, str]:
    from zhixing.supervision.services import escalate_overdue

    n = len(escalate_overdue(history_end(today)))
    return n, f"督办升级 {n} 件"


def _bulletins_due(today: date) -> tuple[int, str]:
    from zhixing.reports import bulletins
    from zhixing.reports.services import bulletins_due

    court = bulletins.default_court()
    report = bulletins_due(history_end(today), [court] if court is not None else [])
    n = len(report.produced)
    return n, f"生成 {n} 份，已有 {report.skipped} 份"


def _inquiry_daily(today: date) -> tuple[int, str]:
    from zhixing.inquiry.services import run_daily

    counts = run_daily(today)
    text = f"新收案件查询 {counts['new_case']} 条，终本定期查询 {counts['requery']} 条，续冻 {counts['renewal']} 条"
    return sum(counts.values()), text


#: The jobs that follow an import (README: "run it after zhixing import").
AFTER_IMPORT = frozenset({"credit_rebuild", "termination_facts"})
JOBS: tuple[tuple[str, str, Callable[[date], tuple[int, str]]], ...] = (
    ("credit_rebuild", "重建失信及限制消费名单", _credit_rebuild),
    ("termination_facts", "终本检查结果", _termination_facts),
    ("resume_suspensions", "中止、暂缓到期恢复", _resume_suspensions),
    ("overdue_scan", "超期扫描", _overdue_scan),
    ("credit_reminders", "失信删除提醒", _credit_reminders),
    ("petition_reminders", "信访期限提醒", _petition_reminders),
    ("termination_followup", "终本后续", _termination_followup),
    ("detect", "消极执行等检测", _detect),
    ("escalate", "督办逾期升级", _escalate),
    ("bulletins_due", "到期通报", _bulletins_due),
    ("inquiry_daily", "网络查控每日任务", _inquiry_daily),
)


# -- log-ins and campaigns -------------------------------------------------------------------------------


def busiest_handler(court: Court) -> str | None:
    """The 承办人 with most cases in a court: the demo officer is that person, so
    "我的案件" has cases."""
    row = (
        Case.objects.filter(court=court)
        .exclude(handler="")
        .values("handler")
        .annotate(n=Count("pk"))
        .order_by("-n", "handler")
        .first()
    )
    return row["handler"] if row else None


@transaction.atomic
def accounts() -> None:
    """One log-in per role (idempotent). The accounts share one password, so its hash is
    computed once (a password hash costs half a second by design)."""
    hashed = None
    for a in ACCOUNTS:
        court = ensure_court(a.court)
        name = a.name
        if a.role in (Role.OFFICER, Role.JUDGE):
            name = busiest_handler(court) or name
        user, created = User.objects.get_or_create(
            username=a.username, defaults={"court": court, "role": a.role, "display_name": name}
        )
        if created:
            hashed = hashed or make_password(DEMO_PASSWORD)
            user.password = hashed
            user.save(update_fields=["password"])
    if not User.objects.filter(username="admin").exists():
        admin = User.objects.create_superuser(
            "admin", password=None, court=ensure_court("豫08"), role=Role.ADMIN, display_name="系统管理员"
        )
        admin.password = hashed or make_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])


def last_summer(end: date) -> int:
    """The year of the last 1 May – 10 August wholly in the history ending ``end``."""
    return end.year if end >= date(end.year, 8, 10) else end.year - 1


def campaigns() -> None:
    """The 2018 焦作 campaign (seed 000) and the same targets over the demo's own last
    summer, so the campaign pages have figures (idempotent)."""
    from zhixing.reports.campaigns import JIAOZUO_2018, seed_jiaozuo_2018
    from zhixing.reports.models import Campaign

    seed_jiaozuo_2018()
    latest = Case.objects.aggregate(m=Max("filed_on"))["m"]
    if latest is None:
        return
    year = last_summer(latest)
    Campaign.objects.get_or_create(
        name="执行攻坚百日会战（演示）",
        court=ensure_court("豫08"),
        start=date(year, 5, 1),
        defaults={
            "end": date(year, 8, 10),
            "targets": JIAOZUO_2018["targets"],
            "description": "演示数据：以 2018 年百日会战的目标考核演示数据的最后一个夏天。",
        },  # fmt: skip
    )


# -- where to start ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortalParty:
    case_number: str
    name: str
    id_number: str
    phone: str


def portal_party() -> PortalParty | None:
    """A natural-person applicant with a phone on file, of an open case of the home court
    filed a month or more ago (its progress shows several nodes and is still moving; any
    open case if none is that old): the party the demo invites to the portal."""
    from zhixing.cases.choices import PartyKind, PartyRole
    from zhixing.portal.services import phone_of

    parties = (
        Party.objects.filter(
            case__court__code=HOME_COURT,
            case__closed_on__isnull=True,
            role=PartyRole.APPLICANT,
            kind=PartyKind.PERSON,
        )
        .exclude(id_number="")
        .select_related("case")
        .order_by("-case__filed_on", "case__case_number")
    )
    latest = parties.aggregate(m=Max("case__filed_on"))["m"]
    if latest is None:
        return None
    settled = parties.filter(case__filed_on__lte=latest - timedelta(days=30))
    for party in [*settled[:100], *parties[:100]]:
        phone = phone_of(party)
        if phone:
            return PortalParty(party.case.case_number, party.name, party.id_number, phone)
    return None


def listed_name() -> str | None:
    """The name of a natural person on the published 失信 list of the home court."""
    from zhixing.credit.models import ListEntry

    entry = (
        ListEntry.objects.active()
        .filter(kind=ListEntry.Kind.DISHONEST, court__code=HOME_COURT, is_unit=False)
        .order_by("-listed_on", "pk")
        .first()
    )
    return entry.name if entry is not None else None


def code_destination() -> str:
    """Where the portal's verification code goes with the configured notifier, in words."""
    from django.conf import settings

    from zhixing.portal import notify

    channel = notify.channel()
    if channel == "console":
        return "验证码不发短信，打印在运行 zhixing demo 的这个终端窗口（“执行公开验证码 → 手机号：…”一行）"
    if channel == "file":
        return f"验证码写入文件 {getattr(settings, 'PORTAL_CODE_FILE', '')}"
    if channel == "none":
        return "未配置验证码（ZHIXING_PORTAL_NOTIFIER=none），凭案号和身份证号即可查看"
    return "验证码由法院配置的短信通道发送"


def show_console_codes() -> None:
    """The console notifier writes the code as a WARNING of ``zhixing.portal``; keep that
    logger at WARNING even if ``ZHIXING_LOG_LEVEL`` is set higher, so the code the demo
    points to is on the terminal."""
    log = logging.getLogger("zhixing.portal")
    if not log.isEnabledFor(logging.WARNING):
        log.setLevel(logging.WARNING)


def start_points(base: str) -> list[str]:
    """Lines telling each role where to start, in Chinese."""
    lines = [f"\n登录账号（密码均为 {DEMO_PASSWORD}）及各角色的起始页面："]
    courts = dict(Court.objects.values_list("code", "name"))
    for a in ACCOUNTS:
        user = User.objects.get(username=a.username)
        who = f"{courts.get(a.court, a.court)} · {a.role.label}（{user.display_name}）"
        lines.append(f"  {a.username:<16} {who}")
        lines.append(f"  {'':<16} → {base}{reverse(a.start)}  {a.why}")
    lines.append(f"  {'admin':<16} 系统管理员 → {base}/admin/")
    party = portal_party()
    if party is not None:
        lines += [
            "\n当事人（无需登录）：",
            f"  → {base}{reverse('portal:lookup')}  执行公开",
            f"    案号 {party.case_number}，申请执行人 {party.name}，身份证号 {party.id_number}，"
            f"登记手机 {party.phone}",
            f"    {code_destination()}。",
        ]
    name = listed_name()
    if name is not None:
        lines += [
            "\n公众（无需登录）：",
            f"  → {base}{reverse('credit_public:search')}?q={name}  失信被执行人公开查询",
        ]
    return lines
