"""终本 checks T1–T14 (indicators.md §7; rules.md §1.3 TERM-*).

A case closed by 终结本次执行程序 (首执 or 执恢; a 执恢 case is judged on its own events and its
own filing date) passes when every check holds. Each check ``tN_…`` is a pure function of
the case that returns ``None`` when it holds and otherwise the Chinese sentence a judge
reads, naming the check and its rule.

T1–T13 look only at facts dated on or before the closing day ("before closing"), or on or
before the ``termination_ruling`` day for T9/T10 ("before the ruling"), so they never
depend on the as-of date: the closing itself is on or before as-of whenever a verdict is
made. Only T14 depends on as-of: its last day is K7's (``ruling_served`` + 7 days, rolled
forward, TERM-11); until then it is *pending*, afterwards it holds iff a
``termination_registry_entry`` dated on or before as-of exists (lateness is K7's business).

:func:`termination_facts` splits the as-of-independent part off, so SQL can compute the
verdict for any as-of from three stored values (design.md: stored facts never depend on
as-of).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from zhixing.cases.choices import DEADLINE_TYPES, ClosingMode
from zhixing.cases.records import CaseRecord, Event, Party
from zhixing.credit.rules import adult_from, birth_date_of
from zhixing.lib import periods

QUALIFIED, TO_COMPLETE, UNQUALIFIED = "合格", "待完善", "不合格"

#: TERM-4: the categories every debtor must have queried online within the look-back.
REQUIRED_CATEGORIES = ("存款", "车辆", "不动产", "有价证券")
#: TERM-2 / CREDIT-2: property-report statuses that are a breach of the report duty.
BAD_REPORT_STATUSES = frozenset({"逾期", "拒绝", "虚假"})
#: T13 practice: balances of these categories may be left when small.
SMALL_BALANCE_CATEGORIES = frozenset({"存款", "网络资金"})
SMALL_BALANCE_LIMIT = Decimal("1000")  # "under 1,000 yuan": 999.99 passes, 1000.00 does not
SMALL_BALANCE_SHARE = Decimal("0.05")  # "at most 5% of the unpaid claim": inclusive
COERCIVE_NODES = ("fine", "detention", "criminal_referral")

CHECK_IDS = tuple(f"T{i}" for i in range(1, 15))


# -- shared vocabulary --------------------------------------------------------------------


def _closed_on(case: CaseRecord) -> date:
    if case.closed_on is None:
        raise ValueError(f"{case.case_number}: 终本 checks need a closed case")
    return case.closed_on


def _before_closing(case: CaseRecord, *nodes: str) -> list[Event]:
    """Events of ``nodes`` dated on or before the closing day, in date order."""
    closed_on = _closed_on(case)
    return [e for e in case.events_of(*nodes) if e.on <= closed_on]


def _of(event: Event, party_id: str) -> bool:
    return event.party == party_id


def _name(party: Party) -> str:
    return f"被执行人{party.name}"


def _ruling(case: CaseRecord) -> Event | None:
    """The ``termination_ruling`` the closing rests on: the last one on or before the
    closing day (a ruling re-issued before closing replaces the earlier one)."""
    rulings = _before_closing(case, "termination_ruling")
    return rulings[-1] if rulings else None


def _report_breach(case: CaseRecord, debtor: Party) -> str | None:
    """TERM-2 / CREDIT-2 / indicators.md §7 T4, T12: how ``debtor`` breached the property-report
    duty before closing — a report 逾期, 拒绝 or 虚假, or none filed on or after the last
    ``property_report_order`` (an order has no party: it is addressed to every debtor);
    None when there was no breach."""
    reports = [e for e in _before_closing(case, "property_report") if _of(e, debtor.id)]
    for e in reports:
        status = e.data.get("status")
        if status in BAD_REPORT_STATUSES:
            return f"{status}报告财产（{e.on.isoformat()}）"
    orders = _before_closing(case, "property_report_order")
    if orders:
        last = orders[-1]
        if not any(e.on >= last.on for e in reports):
            return f"收到报告财产令（{last.on.isoformat()}）后未报告财产"
    return None


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _yuan(amount: Decimal) -> str:
    return f"{amount:.2f}元"


def _join(check: str, rule: str, problems: Iterable[str]) -> str | None:
    problems = list(problems)
    if not problems:
        return None
    return f"{check}（{rule}）：" + "；".join(problems)


# -- T1–T14 -------------------------------------------------------------------------------


def t1_execution_notice(case: CaseRecord) -> str | None:
    """indicators.md §7 T1, TERM-2 (终本规定 第一条第（一）项): an ``execution_notice`` before closing."""
    if _before_closing(case, "execution_notice"):
        return None
    return f"T1（TERM-2）：结案（{_closed_on(case).isoformat()}）前未向被执行人发出执行通知书"


def t2_report_order(case: CaseRecord) -> str | None:
    """indicators.md §7 T2, TERM-2 (第一条第（一）项、第二条): a ``property_report_order`` before closing."""
    if _before_closing(case, "property_report_order"):
        return None
    return f"T2（TERM-2）：结案（{_closed_on(case).isoformat()}）前未向被执行人发出报告财产令"


def t3_consumption_restriction(case: CaseRecord) -> str | None:
    """indicators.md §7 T3, TERM-3 / CONS-3: every debtor has a ``consumption_restriction``
    before closing that was not lifted before closing (a lifting on the closing day counts:
    "before closing" includes that day). Restrictions and liftings of one debtor are taken in
    event order, so a restriction re-issued after a lifting holds again."""
    problems = []
    events = _before_closing(case, "consumption_restriction", "consumption_restriction_lifted")
    for debtor in case.debtors:
        mine = [e for e in events if _of(e, debtor.id)]
        if not any(e.node == "consumption_restriction" for e in mine):
            problems.append(f"{_name(debtor)}结案前未被采取限制消费措施")
        elif mine[-1].node == "consumption_restriction_lifted":
            problems.append(f"{_name(debtor)}的限制消费令已于{mine[-1].on.isoformat()}解除，结案时不在执行中")
    return _join("T3", "TERM-3", problems)


def t4_credit_listing(case: CaseRecord) -> str | None:
    """indicators.md §7 T4, TERM-3 / CREDIT-2 (财产调查规定 第十条): every debtor whose property
    report was late, refused or false — or who filed none after a report order — has a
    ``credit_listing`` before closing, unless a minor (a natural person under 18 on the
    closing day, CREDIT-4; one is 18 on the 18th birthday)."""
    closed_on = _closed_on(case)
    listings = _before_closing(case, "credit_listing")
    problems = []
    for debtor in case.debtors:
        breach = _report_breach(case, debtor)
        if breach is None or any(_of(e, debtor.id) for e in listings):
            continue
        birth = birth_date_of(debtor)
        if debtor.is_person and birth is not None and closed_on < adult_from(birth):
            continue  # CREDIT-4: a minor may not be listed
        problems.append(f"{_name(debtor)}{breach}，结案前未被纳入失信被执行人名单")
    return _join("T4", "TERM-3、CREDIT-2", problems)


def t5_online_inquiry(case: CaseRecord) -> str | None:
    """indicators.md §7 T5, TERM-4: for every debtor, each of 存款, 车辆, 不动产 and 有价证券
    was queried by an ``online_inquiry`` dated on or after closed_on − 3 months (PER-4, a
    look-back: not rolled) and on or before closed_on. An inquiry without ``party`` covers
    every debtor."""
    closed_on = _closed_on(case)
    since = periods.add_months(closed_on, -3)
    inquiries = _before_closing(case, "online_inquiry")
    problems = []
    for debtor in case.debtors:
        mine = [e for e in inquiries if e.party is None or _of(e, debtor.id)]
        for category in REQUIRED_CATEGORIES:
            days = [e.on for e in mine if category in (e.data.get("categories") or ())]
            if not days:
                problems.append(f"{_name(debtor)}的{category}结案前未经网络查询")
            elif days[-1] < since:
                problems.append(
                    f"{_name(debtor)}的{category}最后一次网络查询为{days[-1].isoformat()}，"
                    f"早于结案前三个月（{since.isoformat()}）"
                )
    return _join("T5", "TERM-4", problems)


def t6_clues_verified(case: CaseRecord) -> str | None:
    """indicators.md §7 T6, TERM-4 (核查财产线索): every ``clue_received`` before closing has
    its ``clue_verified`` (same ``clue``) before closing."""
    verified = {e.clue for e in _before_closing(case, "clue_verified")}
    problems = [
        f"财产线索{e.clue}（{e.on.isoformat()}收到）结案前未核查"
        for e in _before_closing(case, "clue_received")
        if e.clue not in verified
    ]
    return _join("T6", "TERM-4", problems)


def t7_three_months(case: CaseRecord) -> str | None:
    """indicators.md §7 T7, TERM-6 (终本规定 第一条第（四）项): closed_on is after filed_on + 3
    months (PER-4, not rolled; PER-6 "超过" excludes the day itself)."""
    closed_on = _closed_on(case)
    limit = periods.add_months(case.filed_on, 3)
    if periods.exceeds(closed_on, limit):
        return None
    return (
        f"T7（TERM-6）：立案日{case.filed_on.isoformat()}起三个月至{limit.isoformat()}，"
        f"结案日{closed_on.isoformat()}未超过三个月"
    )


def t8_debtor_search(case: CaseRecord) -> str | None:
    """indicators.md §7 T8, TERM-7 (第一条第（五）项): a debtor recorded ``debtor_missing``
    before closing has a ``debtor_search`` before closing."""
    missing = _before_closing(case, "debtor_missing")
    searches = _before_closing(case, "debtor_search")
    problems = []
    for debtor in case.debtors:
        gone = [e for e in missing if _of(e, debtor.id)]
        if gone and not any(_of(e, debtor.id) for e in searches):
            problems.append(f"{_name(debtor)}下落不明（{gone[0].on.isoformat()}），结案前未依法查找")
    return _join("T8", "TERM-7", problems)


def t9_interview(case: CaseRecord) -> str | None:
    """indicators.md §7 T9, TERM-8 (终本规定 第五条): an ``applicant_interview`` on or before the
    ``termination_ruling`` day records the applicant's ``opinion``. Without a ruling before
    closing there is nothing for the interview to precede: the check fails."""
    ruling = _ruling(case)
    if ruling is None:
        return "T9（TERM-8）：结案前没有终本裁定，无法认定裁定前已约谈申请执行人并听取其意见"
    if any(e.on <= ruling.on and e.data.get("opinion") for e in case.events_of("applicant_interview")):
        return None
    return f"T9（TERM-8）：终本裁定（{ruling.on.isoformat()}）前未约谈申请执行人并记录其对终本的意见"


def t10_consent_or_approval(case: CaseRecord) -> str | None:
    """indicators.md §7 T10, TERM-9 (民诉法解释 第五百一十七条): on or before the ruling day the
    applicant agreed (``applicant_interview`` with opinion 同意), or both a
    ``collegial_review`` and a ``president_approval`` were made. Fails without a ruling."""
    ruling = _ruling(case)
    if ruling is None:
        return "T10（TERM-9）：结案前没有终本裁定，无法认定申请执行人同意或经合议庭评议并报院长批准"

    def before_ruling(node: str) -> list[Event]:
        return [e for e in case.events_of(node) if e.on <= ruling.on]

    if any(e.data.get("opinion") == "同意" for e in before_ruling("applicant_interview")):
        return None
    if before_ruling("collegial_review") and before_ruling("president_approval"):
        return None
    return (
        f"T10（TERM-9）：终本裁定（{ruling.on.isoformat()}）前申请执行人未同意终结本次执行程序，"
        "也未经合议庭评议并报院长批准"
    )


def t11_ruling_served(case: CaseRecord) -> str | None:
    """indicators.md §7 T11, TERM-10 (终本规定 第六条): a ``termination_ruling`` and its
    ``ruling_served`` (on or after the ruling day) before closing, and recovered_amount <
    claim_amount (an unrealised claim remains)."""
    closed_on = _closed_on(case)
    problems = []
    ruling = _ruling(case)
    if ruling is None:
        problems.append(f"结案（{closed_on.isoformat()}）前未作出终结本次执行程序裁定")
    elif not any(e.on >= ruling.on for e in _before_closing(case, "ruling_served")):
        problems.append(
            f"终本裁定（{ruling.on.isoformat()}）未在结案（{closed_on.isoformat()}）前送达申请执行人"
        )
    claim = case.claim_amount if case.claim_amount is not None else Decimal(0)
    if not case.recovered_amount < claim:
        problems.append(
            f"执行到位金额{_yuan(case.recovered_amount)}已达申请执行标的{_yuan(claim)}，没有未实现的债权"
        )
    return _join("T11", "TERM-10", problems)


def t12_coercive_measures(case: CaseRecord) -> str | None:
    """indicators.md §7 T12, TERM-2 (终本规定 第二条第（三）项): every debtor whose report was
    late, refused or false — or who filed none after a report order — was fined, detained
    or referred for prosecution (``fine``, ``detention``, ``criminal_referral``) before
    closing. Unlike T4 there is no exemption for minors."""
    measures = _before_closing(case, *COERCIVE_NODES)
    problems = []
    for debtor in case.debtors:
        breach = _report_breach(case, debtor)
        if breach is not None and not any(_of(e, debtor.id) for e in measures):
            problems.append(f"{_name(debtor)}{breach}，结案前未被罚款、拘留或移送追究刑事责任")
    return _join("T12", "TERM-2", problems)


def t13_found_assets(case: CaseRecord) -> str | None:
    """indicators.md §7 T13, TERM-5 and audit practice (rules.md §1.2, check 6): every asset
    found by an ``online_inquiry`` before closing was deducted (``deduction``), sold
    (``auction`` with result 成交, ``sale``, ``in_kind_satisfaction``) or recorded
    ``asset_not_disposable`` before closing — or is a 存款 or 网络资金 balance under 1,000
    yuan (strictly) and at most 5% (inclusive) of the unpaid claim (claim − recovered).

    An asset found by several inquiries is judged by its latest finding (its current
    balance)."""
    disposed: set[Any] = set()
    for e in _before_closing(
        case, "deduction", "sale", "in_kind_satisfaction", "asset_not_disposable", "auction"
    ):
        if e.node != "auction" or e.data.get("result") == "成交":
            disposed.add(e.asset)
    latest: dict[Any, dict[str, Any]] = {}
    for e in _before_closing(case, "online_inquiry"):
        for item in e.data.get("found") or ():
            latest[item.get("asset")] = item
    share = case.unpaid * SMALL_BALANCE_SHARE
    problems = []
    for asset, item in latest.items():
        if asset in disposed:
            continue
        category, value = item.get("category"), _money(item.get("value"))
        if (
            category in SMALL_BALANCE_CATEGORIES
            and value is not None
            and value < SMALL_BALANCE_LIMIT
            and value <= share
        ):
            continue
        shown = (
            f"{category or '类别不明'}，{_yuan(value)}" if value is not None else f"{category or '类别不明'}"
        )
        problems.append(
            f"网络查询发现的财产{asset}（{shown}）结案前未扣划、未处置，也未记录无法处置的原因"
            f"（小额存款、网络资金须低于1000元且不超过未执行金额的5%即{_yuan(share)}）"
        )
    return _join("T13", "TERM-5", problems)


def _t14_due(case: CaseRecord, as_of: date | None = None) -> tuple[Event, date] | None:
    """K7's trigger and last day: the first ``ruling_served`` (seen at as-of) + 7 days,
    rolled forward (PER-1, PER-3, TERM-11)."""
    served = case.first("ruling_served", on_or_before=as_of)
    if served is None:
        return None
    return served, periods.days_deadline(served.on, 7)


def _registry_entry(case: CaseRecord) -> Event | None:
    return case.first("termination_registry_entry")


def t14_registry_entry(case: CaseRecord, as_of: date) -> str | None:
    """indicators.md §7 T14, TERM-11 (终本规定 第十二条): once K7's last day (ruling_served + 7
    days, rolled) is on or before as-of, a ``termination_registry_entry`` dated on or before
    as-of exists; its lateness is counted by K7, not here. Returns None while the last day
    is after as-of (see :func:`t14_pending`) and when no ruling was served (T11 reports it)."""
    due = _t14_due(case, as_of)
    if due is None or due[1] > as_of:
        return None
    entry = _registry_entry(case)
    if entry is not None and entry.on <= as_of:
        return None
    served, last_day = due
    return (
        f"T14（TERM-11）：终本裁定于{served.on.isoformat()}送达申请执行人，应于{last_day.isoformat()}前"
        f"录入终结本次执行程序案件信息库，截至{as_of.isoformat()}仍未录入"
    )


def t14_pending(case: CaseRecord, as_of: date) -> bool:
    """indicators.md §7: T14 neither passes nor fails while its last day is after as-of."""
    due = _t14_due(case, as_of)
    return due is not None and due[1] > as_of


#: T1–T13 in order: they read only facts on or before the closing (or ruling) day.
STATIC_CHECKS: tuple[tuple[str, Callable[[CaseRecord], str | None]], ...] = (
    ("T1", t1_execution_notice),
    ("T2", t2_report_order),
    ("T3", t3_consumption_restriction),
    ("T4", t4_credit_listing),
    ("T5", t5_online_inquiry),
    ("T6", t6_clues_verified),
    ("T7", t7_three_months),
    ("T8", t8_debtor_search),
    ("T9", t9_interview),
    ("T10", t10_consent_or_approval),
    ("T11", t11_ruling_served),
    ("T12", t12_coercive_measures),
    ("T13", t13_found_assets),
)


# -- verdict --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TerminationVerdict:
    """The 终本 verdict of one case at an as-of date (indicators.md §7, spec/cli.md
    ``check termination --json``)."""

    case_number: str
    closed_on: date
    verdict: str  # 合格, 待完善, 不合格
    failed: tuple[str, ...]  # check ids in order T1…T14
    pending: tuple[str, ...]  # checks not yet due at as-of (only T14 can be)
    reasons: dict[str, str] = field(default_factory=dict)  # failed id → sentence naming the rule

    def to_json(self) -> dict[str, Any]:
        return {
            "case_number": self.case_number,
            "closed_on": self.closed_on.isoformat(),
            "verdict": self.verdict,
            "failed": list(self.failed),
            "pending": list(self.pending),
            "reasons": dict(self.reasons),
        }


def verdict_of(failed: Iterable[str]) -> str:
    """indicators.md §7: 合格 when all pass; 待完善 when T14 is the only failure; else 不合格."""
    failed = tuple(failed)
    if not failed:
        return QUALIFIED
    return TO_COMPLETE if failed == ("T14",) else UNQUALIFIED


def is_judged(case: CaseRecord, as_of: date) -> bool:
    """indicators.md §7, §5 IND-09: a 首执 or 执恢 case closed by 终本 on or before as-of."""
    return (
        case.case_type in DEADLINE_TYPES
        and case.closing_mode == ClosingMode.TERMINATED_CURRENT
        and case.closed_by(as_of)
    )


def check_termination(case: CaseRecord, as_of: date) -> TerminationVerdict | None:
    """indicators.md §7: the verdict of a 终本 closing at as-of (the end of that day), or
    None when the case is not a 首执/执恢 case closed by 终本 on or before as-of."""
    if not is_judged(case, as_of):
        return None
    reasons = {check: reason for check, fn in STATIC_CHECKS if (reason := fn(case)) is not None}
    t14 = t14_registry_entry(case, as_of)
    if t14 is not None:
        reasons["T14"] = t14
    failed = tuple(reasons)
    return TerminationVerdict(
        case_number=case.case_number,
        closed_on=_closed_on(case),
        verdict=verdict_of(failed),
        failed=failed,
        pending=("T14",) if t14_pending(case, as_of) else (),
        reasons=reasons,
    )


@dataclass(frozen=True)
class TerminationFacts:
    """The as-of-independent part of the verdict (design.md "stored facts never depend on
    as-of"). At as-of the case is 合格 iff ``not failed_static and (t14_due is None or
    t14_due > as_of or (registry_entry_on is not None and registry_entry_on <= as_of))``;
    T14 fails iff ``t14_due <= as_of`` and no entry by as-of; it is pending iff
    ``t14_due > as_of``."""

    failed_static: tuple[str, ...]  # failed ids among T1–T13
    t14_due: date | None  # K7's rolled last day; None when no ruling was served
    registry_entry_on: date | None  # the first termination_registry_entry

    def failed_at(self, as_of: date) -> tuple[str, ...]:
        t14_fails = (
            self.t14_due is not None
            and self.t14_due <= as_of
            and (self.registry_entry_on is None or self.registry_entry_on > as_of)
        )
        return (*self.failed_static, "T14") if t14_fails else self.failed_static


def termination_facts(case: CaseRecord) -> TerminationFacts:
    """indicators.md §7 split for storage: T1–T13 (which never depend on as-of) and T14's
    last day and registry-entry day. Meaningful for 终本 closings (see :func:`is_judged`)."""
    due = _t14_due(case)
    entry = _registry_entry(case)
    return TerminationFacts(
        failed_static=tuple(check for check, fn in STATIC_CHECKS if fn(case) is not None),
        t14_due=due[1] if due else None,
        registry_entry_on=entry.on if entry else None,
    )
