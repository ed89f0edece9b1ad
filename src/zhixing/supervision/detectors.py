"""Detectors of passive, selective and abusive enforcement, misreported closings and
suppressed filings (消极执行、选择性执行、乱执行、误报结、压案不立).

Seed 001 (洛阳 2021) lists "消极执行、选择性执行、乱执行的30种常见表现" and has every open
case, above all those open over a year, checked one by one; seed 003 (SPC 2018) forbids
faked data: suppressed filings (压案不立), misreported closings (误报结). These detectors
find the patterns of those lists that the case record can show. Each is a pure function
of a ``CaseRecord`` (or of a court's daily filing counts) and an as-of date, like the
rules modules, and its docstring says what it looks for and on what it rests. A hit is
only a lead for a person to review (confirm, or dismiss with a reason): the record
cannot show every lawful reason for a gap.

As-of (indicators.md §1): a detector sees only facts dated on or before as-of. The bundle
does not date ``recovered_amount``; the money recovered by a day is taken as
``recovered_amount`` less the receipts noticed after that day (``recovered_by``).

A hit's ``facts`` are the facts the finding rests on, chosen so that they do not change
while the finding stays true (e.g. "found on F, not restrained within the period", not
"still not restrained today"); the store keys findings on them, so a dismissed finding
stays dismissed until those facts change.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from zhixing.cases.choices import DEADLINE_TYPES, ClosingMode
from zhixing.cases.records import CaseRecord, Event
from zhixing.flow.nodes import INTERVALS, NODES
from zhixing.lib import periods
from zhixing.lib.workdays import calendar

PASSIVE, SELECTIVE, ABUSIVE, MISREPORTED, SUPPRESSION = (
    "passive",
    "selective",
    "abusive",
    "misreported",
    "suppression",
)
CATEGORY_LABELS = {
    PASSIVE: "消极执行",
    SELECTIVE: "选择性执行",
    ABUSIVE: "乱执行",
    MISREPORTED: "误报结",
    SUPPRESSION: "压案不立",
}

#: Nodes that are not an act of the court on the case: a clue is the applicant's act,
#: an interference record is about someone else's.
NOT_ACTIONS = frozenset({"interference_record", "clue_received"})
#: Acts that are not nodes, by the name P1 reports them with.
OTHER_ACTIONS = {"filing": "立案", "receipt": "执行款到账", "disbursement": "执行款发放"}
#: T13 (indicators.md §7): balances the 终本 checks treat as not worth pursuing.
BALANCE_CATEGORIES = frozenset({"存款", "网络资金"})
DISPOSALS = frozenset({"deduction", "sale", "in_kind_satisfaction", "asset_not_disposable"})
#: Nodes about one asset: what the restraint and disposal checks read.
ASSET_NODES = DISPOSALS | {"restraint", "restraint_renewed", "restraint_released", "auction", "appraisal"}
#: Nodes that end a restraint of their asset (an auction only when 成交).
ENDING_NODES = frozenset({"restraint_released", "sale", "in_kind_satisfaction"})
_STARTS = {start: kind for kind, (start, _) in INTERVALS.items()}
_ENDS = {end: kind for kind, (_, end) in INTERVALS.items()}
ZERO = Decimal(0)

# The period functions are pure functions of their dates; a run over a million cases asks
# the same few thousand questions again and again, so their answers are cached.
_add_months = lru_cache(maxsize=1 << 16)(periods.add_months)
_days_deadline = lru_cache(maxsize=1 << 16)(periods.days_deadline)


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    """The thresholds. Defaults follow the texts cited by each detector; a court may set
    stricter ones (``settings.ZHIXING_DETECTORS`` or the ``detect`` command's options)."""

    inactivity_days: int = 30  # P1: seed 001 "长期不采取执行措施"; the 30 days
    first_inquiry_months: int = 1  # P2: DL-7 "一般应当在1个月内完成…调查"
    long_open_months: int = 12  # P3: seed 001 "1年以上未结案件逐案排查"
    restraint_days: int = 30  # S1: days to restrain property found (no SPC period; local practice)
    freeze_days: int = 3  # S2: an online freeze is one click away (QRY-1, 2006 期限规定 第四条 "立即")
    small_balance: Decimal = Decimal("1000")  # S2: T13's "under 1,000 yuan …"
    small_share: Decimal = Decimal("0.05")  # S2: "… and at most 5 % of the unpaid claim"
    over_seizure_margin: Decimal = Decimal("0.50")  # A1: value > unpaid × (1 + margin)
    release_days: int = 7  # A2: days to release restraints after full performance
    suppression_drop: float = 0.5  # F1: the month-end rate is below (1 − drop) × the court's own rate
    suppression_alpha: float = 0.001  # F1: and so low that chance explains it less than 1 time in 1,000
    suppression_min_expected: float = 10.0  # F1: courts too small to judge are left alone
    suppression_lookback_months: int = 12  # F1: months examined, ending with the last full month
    suppression_baseline_months: int = 3  # F1: the court's own history: the 3 months ending with that month
    month_end_working_days: int = 5  # F1: the month-end window
    year_end_working_days: int = 10  # F1: December's window

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> DetectorConfig:
        """A config from settings-like values (unknown keys are an error, amounts strings)."""
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"未知的检测参数：{', '.join(sorted(unknown))}")
        base = cls()
        out = {}
        for key, value in values.items():
            kind = type(getattr(base, key))
            out[key] = Decimal(str(value)) if kind is Decimal else kind(value)
        return cls(**out)


DEFAULT = DetectorConfig()


def _text(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


class Hit(NamedTuple):
    """One finding of one detector: ``subject`` is a case number, or a court code for a
    court-level finding; ``key`` tells several hits of a detector on one subject apart
    (an asset, a month). ``text`` is the Chinese sentence for people, filled with
    ``args`` (``str.format``) only when read: most hits of a run are findings already
    stored, whose sentence nobody needs again. (A named tuple: a run makes a million.)"""

    detector: str
    subject: str
    court: str
    facts: dict[str, Any]
    text: str
    key: str = ""
    args: tuple = ()

    @property
    def summary(self) -> str:
        return self.text.format(*self.args) if self.args else self.text

    @property
    def fingerprint(self) -> str:
        """The identity of the facts: SHA-256 of their canonical JSON."""
        body = json.dumps(
            {"key": self.key, "facts": self.facts}, ensure_ascii=False, sort_keys=True, default=_text
        )
        return hashlib.sha256(body.encode()).hexdigest()

    def facts_json(self) -> dict[str, Any]:
        return json.loads(json.dumps(self.facts, ensure_ascii=False, default=_text))


# -- what a detector reads: the case at as-of ---------------------------------------------


class CaseView:
    """A case as seen at as-of, indexed in one pass over its events for every detector
    (the detectors run over a million cases, so each reads these fields rather than
    scanning the events again)."""

    __slots__ = (
        "as_of", "asset_events", "case", "deductions", "events", "first_inquiry_on", "first_interval_on", "found",
        "has_restraint", "last_action", "last_action_on", "running", "settlements",
    )  # fmt: skip

    def __init__(self, case: CaseRecord, as_of: date):
        self.case = case
        self.as_of = as_of
        events = case.events
        if events and events[-1].on > as_of:  # events are in date order
            events = tuple(e for e in events if e.on <= as_of)
        self.events = events
        last_on, last_node = case.filed_on, "filing"
        running: set[str] = set()
        first_interval = first_inquiry = None
        found: dict[str, tuple[date, str, Decimal]] = {}
        asset_events: list[Event] = []
        deductions: list[date] = []
        settlements: list[date] = []
        has_restraint = False
        for e in events:
            node = e.node
            if node not in NOT_ACTIONS:
                last_on, last_node = e.on, node
            if node in ASSET_NODES:
                if node == "restraint":
                    has_restraint = True
                elif node == "deduction":
                    deductions.append(e.on)
                if "asset" in e.data:
                    asset_events.append(e)
            elif node == "online_inquiry" or node == "clue_verified":
                if node == "online_inquiry" and first_inquiry is None:
                    first_inquiry = e.on
                for item in e.data.get("found") or ():
                    asset = item.get("asset")
                    if asset and asset not in found:
                        found[asset] = (e.on, item.get("category", ""), Decimal(item.get("value") or 0))
            elif node in _STARTS:
                running.add(_STARTS[node])
                if first_interval is None:
                    first_interval = e.on
            elif node in _ENDS:
                running.discard(_ENDS[node])
            elif node == "settlement":
                settlements.append(e.on)
        # Money moving through the case's account is the court at work too.
        for r in case.receipts:
            if last_on < r.notice_on <= as_of:
                last_on, last_node = r.notice_on, "receipt"
        for x in case.disbursements:
            if last_on < x.on <= as_of:
                last_on, last_node = x.on, "disbursement"
        self.last_action_on, self.last_action = last_on, last_node
        self.running = running
        self.first_interval_on, self.first_inquiry_on = first_interval, first_inquiry
        self.found, self.asset_events = found, asset_events
        self.deductions, self.settlements, self.has_restraint = deductions, settlements, has_restraint

    @property
    def is_open(self) -> bool:
        c = self.case
        return c.filed_on <= self.as_of and not (c.closed_on is not None and c.closed_on <= self.as_of)

    def closed_as(self, mode: ClosingMode) -> bool:
        c = self.case
        return c.closing_mode == mode and c.closed_on is not None and c.closed_on <= self.as_of

    def interval_open(self) -> bool:
        """A suspension, postponement or excluded period (DL-14) is running at as-of."""
        return bool(self.running)

    def interval_started(self, on_or_before: date) -> bool:
        return self.first_interval_on is not None and self.first_interval_on <= on_or_before

    def recovered_by(self, day: date) -> Decimal:
        """Money recovered by the end of ``day``: ``recovered_amount`` less the receipts
        noticed after it (the bundle does not date ``recovered_amount``)."""
        later = sum((r.amount for r in self.case.receipts if r.notice_on > day), ZERO)
        return max(ZERO, self.case.recovered_amount - later) if later else self.case.recovered_amount

    def unpaid_on(self, day: date) -> Decimal | None:
        if self.case.claim_amount is None:
            return None
        return self.case.claim_amount - self.recovered_by(day)

    def found_assets(self) -> dict[str, tuple[date, str, Decimal]]:
        """asset → (first day found, category, value) from inquiry results and verified
        clues that carry results (``found``, the same shape as an inquiry's)."""
        return self.found

    def handled(self, asset: str, by: date, nodes: frozenset[str]) -> bool:
        """An event of ``nodes`` on ``asset`` dated on or before ``by``."""
        return any(e.on <= by and e.node in nodes and e.data.get("asset") == asset for e in self.asset_events)

    def restraints(self) -> list[Restraint]:
        """Every restraint with its renewals and its end, as seen at as-of. A restraint ends
        when released, when its asset is sold, auctioned (成交) or taken in kind, or when
        deductions of the asset reach its recorded value; a partial deduction lowers the
        value held from its day on."""
        out: list[Restraint] = []
        current: dict[str, Restraint] = {}
        for e in self.asset_events:
            asset = e.data["asset"]
            node = e.node
            if node == "restraint":
                r = Restraint(asset, e.on, e.data.get("category", ""), Decimal(e.data.get("value") or 0),
                              e.date_field("expires_on"))  # fmt: skip
                out.append(r)
                current[asset] = r
            elif asset not in current:
                continue
            elif node == "restraint_renewed":
                current[asset].expires_on = e.date_field("expires_on")
            elif node == "deduction":
                r = current[asset]
                r.deductions.append((e.on, Decimal(e.data.get("amount") or 0)))
                if r.value_on(e.on) <= 0:
                    current.pop(asset).ended_on = e.on
            elif node in ENDING_NODES or (node == "auction" and e.data.get("result") == "成交"):
                current.pop(asset).ended_on = e.on
        return out


@dataclass(slots=True)
class Restraint:
    asset: str
    on: date
    category: str
    value: Decimal  # the value recorded when placed
    expires_on: date | None  # the last day in force, after renewals (DL-20)
    ended_on: date | None = None
    deductions: list[tuple[date, Decimal]] = field(default_factory=list)

    def in_force(self, day: date) -> bool:
        """Placed on or before ``day``, not ended on or before it, not expired before it."""
        return (
            self.on <= day
            and (self.ended_on is None or self.ended_on > day)
            and (self.expires_on is None or self.expires_on >= day)
        )

    def value_on(self, day: date) -> Decimal:
        """The recorded value less what was deducted from the asset by ``day``."""
        return self.value - sum((amount for on, amount in self.deductions if on <= day), ZERO)


# -- the case detectors -------------------------------------------------------------------


def passive_inactive(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """P1 消极执行 — no recorded action for 30 days on an open case (seed 001: 消极执行,
    "长期不采取执行措施"; DL-7, DL-13: a case is to be worked through within its period).

    Looks at open 首执/执恢 cases. The last action is the latest event on or before as-of
    other than a clue received (the applicant's act) or an interference record (someone
    else's), or receipt or disbursement of money on the case's account, or the filing
    day if there is none. Fires when the whole of the
    ``inactivity_days`` after it (PER-1, not rolled: a duration) have passed by as-of.
    Lawful lookalike: a case suspended, postponed or in an excluded period (DL-14:
    appraisal, auction, publication …) at as-of waits lawfully and does not fire.
    Rests on: the day and node of the last action."""
    c = v.case
    if c.case_type not in DEADLINE_TYPES or not v.is_open or v.interval_open():
        return
    last_on, last_node = v.last_action_on, v.last_action
    if periods.add_days(last_on, cfg.inactivity_days) <= v.as_of:
        what = NODES[last_node].label if last_node in NODES else OTHER_ACTIONS[last_node]
        yield Hit("passive_inactive", c.case_number, c.court, {"last_action_on": last_on, "last_action": last_node},
                  "自最近一次执行行为（{} {}）起已 {} 日无任何执行节点记录。", args=(last_on, what, (v.as_of - last_on).days))  # fmt: skip


def passive_no_first_inquiry(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """P2 消极执行 — no online inquiry in the first month (DL-7: the asset investigation
    "一般应当在1个月内完成"; DL-21 and K4 ask for the first inquiry within days; QRY-5).

    Looks at open 首执/执恢 cases whose first month (filed_on + 1 month, PER-4, not rolled)
    is over by as-of and which have no ``online_inquiry`` dated on or before its last
    day. Lawful lookalike: a case suspended or postponed within its first month, before
    any inquiry, has a reason to wait. Rests on: the filing day and the month's end (a
    later inquiry does not undo a missed first month)."""
    c = v.case
    if c.case_type not in DEADLINE_TYPES or not v.is_open:
        return
    end = _add_months(c.filed_on, cfg.first_inquiry_months)
    if end > v.as_of:
        return
    first = v.first_inquiry_on
    if first is not None and first <= end:
        return
    if v.interval_started(end if first is None else min(end, first)):
        return
    when = f"，首次网络查控在 {first.isoformat()}" if first else "，至今没有网络查控记录"
    yield Hit("passive_no_first_inquiry", c.case_number, c.court, {"filed_on": c.filed_on, "first_month_ends_on": end},
              "立案（{}）后一个月内（至 {}）未进行网络查控{}。", args=(c.filed_on, end, when))  # fmt: skip


def passive_long_open(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """P3 消极执行 — open over one year (seed 001: "对所有未结案件尤其是1年以上未结案件逐案
    排查"; seed 000's backlog ledger by age, indicators.md §10).

    Looks at open 首执/执恢 cases with as-of after filed_on + 12 months (PER-4, not
    rolled; "以上/超过" read as strictly after, PER-6). A case filed exactly a year before
    as-of does not fire. Rests on: the filing day."""
    c = v.case
    if c.case_type not in DEADLINE_TYPES or not v.is_open:
        return
    limit = _add_months(c.filed_on, cfg.long_open_months)
    if v.as_of > limit:
        yield Hit("passive_long_open", c.case_number, c.court, {"filed_on": c.filed_on},
                  "立案于 {}，截至 {} 已超过一年未结。", args=(c.filed_on, v.as_of))  # fmt: skip


_RESTRAIN_OR_DISPOSE = frozenset({"restraint"}) | DISPOSALS | {"auction"}
_FREEZE_OR_DEDUCT = frozenset({"restraint", "deduction"})


def selective_not_restrained(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """S1 选择性执行 — property found but not restrained within the period (seed 001:
    选择性执行, "对群众提供的财产线索应查尽查"; 2006 期限规定 第四条: control measures at
    once when property may be moved; PROP-8/DL-6 for clues).

    Looks at open 首执/执恢 cases with an unpaid claim, at every asset other than a bank
    or internet-fund balance (those are S2's) found by an ``online_inquiry`` or by a
    ``clue_verified`` that records results (``found``). Its period ends ``restraint_days``
    after the day it was first found, rolled forward (PER-1, PER-3: a deadline for an
    act). Fires when that day is on or before as-of and the asset was neither
    restrained, nor disposed of (deducted, auctioned, sold, taken in kind), nor recorded
    as not disposable (TERM-5) on or before it. Lawful lookalikes: restrained on the
    last day; found less than the period ago; the claim paid. Rests on: the asset, its
    category and value, and the day it was found."""
    c = v.case
    if c.case_type not in DEADLINE_TYPES or not v.is_open:
        return
    unpaid = v.unpaid_on(v.as_of)
    if unpaid is None or unpaid <= 0:
        return
    for asset, (found_on, category, value) in v.found_assets().items():
        if category in BALANCE_CATEGORIES or value <= 0:
            continue
        due = _days_deadline(found_on, cfg.restraint_days)
        if due <= v.as_of and not v.handled(asset, due, _RESTRAIN_OR_DISPOSE):
            yield Hit("selective_not_restrained", c.case_number, c.court,
                      {"asset": asset, "category": category, "value": value, "found_on": found_on},
                      f"{found_on.isoformat()} 查得财产 {asset}（{category}，{value:.2f} 元），"
                      f"至 {due.isoformat()} 未采取查封、扣押、冻结或处置措施。", key=asset)  # fmt: skip


def selective_deposit_not_frozen(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """S2 选择性执行 — a found deposit not frozen (QRY-1: online freezing has the same
    effect as at the counter, so it is one step away; 2006 期限规定 第四条 "立即采取控制性
    执行措施").

    Looks at open 首执/执恢 cases with an unpaid claim, at every 存款 or 网络资金 balance
    found by an inquiry (or a verified clue with results). Its period ends
    ``freeze_days`` after the day found, rolled forward (PER-1, PER-3). Fires when that
    day is on or before as-of and the balance was neither restrained (冻结) nor deducted
    on or before it. Lawful lookalike: a balance under 1,000 yuan that is at most 5 % of
    the unpaid claim (the T13 practice threshold, indicators.md §7) is not worth a
    freeze. Rests on: the asset, its value and the day found."""
    c = v.case
    if c.case_type not in DEADLINE_TYPES or not v.is_open:
        return
    unpaid = v.unpaid_on(v.as_of)
    if unpaid is None or unpaid <= 0:
        return
    for asset, (found_on, category, value) in v.found_assets().items():
        if category not in BALANCE_CATEGORIES or value <= 0:
            continue
        if value < cfg.small_balance and value <= unpaid * cfg.small_share:
            continue
        due = _days_deadline(found_on, cfg.freeze_days)
        if due <= v.as_of and not v.handled(asset, due, _FREEZE_OR_DEDUCT):
            yield Hit("selective_deposit_not_frozen", c.case_number, c.court,
                      {"asset": asset, "category": category, "value": value, "found_on": found_on},
                      f"{found_on.isoformat()} 查得{category} {asset}（{value:.2f} 元），至 {due.isoformat()} 未冻结或扣划。",
                      key=asset)  # fmt: skip


def _performed_on(v: CaseView) -> tuple[bool, date | None]:
    """Whether the case is fully performed at as-of, and the day it was (None: unknown).
    Performed = the money recovered by as-of reaches the claim (that day: the first
    receipt day from which it does, else the last deduction), or the case was closed
    执行完毕, which includes a performed settlement (CLOSE-7)."""
    c = v.case
    days: list[date] = []
    paid_up = bool(c.claim_amount) and v.recovered_by(v.as_of) >= c.claim_amount
    if paid_up:
        receipt_days = sorted({r.notice_on for r in c.receipts if r.notice_on <= v.as_of})
        day = next((d for d in receipt_days if v.recovered_by(d) >= c.claim_amount), None)
        if day is None and v.deductions:
            day = v.deductions[-1]
        if day is not None:
            days.append(day)
    closed = v.closed_as(ClosingMode.PERFORMED)
    if closed:
        days.append(c.closed_on)
    if not (paid_up or closed):
        return False, None
    return True, (min(days) if days else None)


def abusive_over_seizure(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """A1 乱执行 — 超标的查封: restraints whose recorded value exceeds the unpaid claim by
    more than the margin (seed 001: "杜绝超标的查封、冻结", 查封扣押冻结规定 "以其价额足以
    清偿…为限" [M]; CREDIT-3/C6 compare the same two amounts).

    Looks at every case with a claim, on each day up to as-of on which a restraint was
    placed or money arrived (the only days the comparison can turn): the restraints in
    force that day (placed, not released, not past ``expires_on`` after renewals, DL-20)
    are worth more than unpaid × (1 + ``over_seizure_margin``), while the case is not yet
    performed. Fires on the first such day — an over-seizure later lifted is still one.
    Lawful lookalikes: restraints worth up to the margin above the debt; a restraint
    that expired or was released before the next one was placed. Rests on: that day, the
    restraints in force and the unpaid claim then."""
    c = v.case
    if c.claim_amount is None or c.claim_amount <= 0:
        return
    if not v.has_restraint:
        return
    restraints = v.restraints()
    performed, performed_on = _performed_on(v)
    days = sorted({r.on for r in restraints} | {r.notice_on for r in c.receipts if r.notice_on <= v.as_of})
    factor = 1 + cfg.over_seizure_margin
    for day in days:
        if performed and (performed_on is None or day >= performed_on):
            break  # after full performance every restraint is A2's matter
        unpaid = v.unpaid_on(day)
        if unpaid is None or unpaid <= 0:
            continue
        held = [(r.asset, r.value_on(day)) for r in restraints if r.in_force(day)]
        total = sum((value for _, value in held), ZERO)
        if total > unpaid * factor:
            yield Hit("abusive_over_seizure", c.case_number, c.court,
                      {"on": day, "restraints": sorted([a, value] for a, value in held), "unpaid": unpaid},
                      f"{day.isoformat()} 在控财产价值合计 {total:.2f} 元，超过未履行金额 {unpaid:.2f} 元的 "
                      f"{factor:.2f} 倍（超标的查封）。")  # fmt: skip
            return


def abusive_kept_after_performance(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """A2 乱执行 — a restraint kept after full performance (seed 001: 乱执行; PROP-7 and
    TERM-15: measures end once the obligation is performed; DL-20 restraints are held
    only for the claim).

    Looks at every case fully performed by as-of (money recovered reaches the claim, or
    closed 执行完毕). The release is due ``release_days`` after the performance day,
    rolled forward (PER-1, PER-3). Fires when that day is on or before as-of and a
    restraint is still in force at as-of (or when the performance day is unknown and one
    is in force). Lawful lookalikes: restraints released, or expired, in time; a 终本
    case keeps its restraints (TERM-14) and is not performed. Rests on: the performance
    day and the restraints still in force."""
    c = v.case
    performed, performed_on = _performed_on(v)
    if not performed or not v.has_restraint:
        return
    if performed_on is not None and _days_deadline(performed_on, cfg.release_days) > v.as_of:
        return
    held = [r for r in v.restraints() if r.in_force(v.as_of)]
    if held:
        names = "、".join(r.asset for r in held)
        when = performed_on.isoformat() if performed_on else "（日期不详）"
        yield Hit("abusive_kept_after_performance", c.case_number, c.court,
                  {"performed_on": performed_on, "restraints": sorted([r.asset, r.value_on(v.as_of)] for r in held)},
                  f"已于 {when} 履行完毕，截至 {v.as_of.isoformat()} 仍未解除对 {names} 的查封、扣押、冻结。")  # fmt: skip


def misreported_performed(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """M1 误报结 — closed 执行完毕 while recovered < claim and no settlement recorded (seed
    003: no misreported closings; CLOSE-7: 执行完毕 needs full performance or a fully
    performed 和解协议).

    Looks at cases closed by 执行完毕 on or before as-of with a claim above 0,
    ``recovered_amount`` below it and no ``settlement`` event on or before the closing
    day. Lawful lookalike: a settlement recorded before the closing (the applicant
    accepted less). Rests on: the closing day, the claim and the amount recovered."""
    c = v.case
    if not v.closed_as(ClosingMode.PERFORMED) or not c.claim_amount or c.recovered_amount >= c.claim_amount:
        return
    if any(day <= c.closed_on for day in v.settlements):
        return
    yield Hit("misreported_performed", c.case_number, c.court,
              {"closed_on": c.closed_on, "claim": c.claim_amount, "recovered": c.recovered_amount},
              f"以执行完毕结案（{c.closed_on.isoformat()}），但到位金额 {c.recovered_amount:.2f} 元少于申请标的 "
              f"{c.claim_amount:.2f} 元，且无执行和解记录。")  # fmt: skip


def misreported_terminated(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """M2 误报结 — closed 终本 with recovered ≥ claim (seed 003/004: misreported closings;
    TERM-10 and T11: a 终本 needs an unrealised amount, recovered < claim).

    Looks at cases closed by 终结本次执行程序 on or before as-of with a claim above 0 and
    ``recovered_amount`` at least the claim: a performed case reported as one without
    property. Lawful lookalike: a 终本 with part of the claim unpaid. Rests on: the
    closing day, the claim and the amount recovered."""
    c = v.case
    if (
        not v.closed_as(ClosingMode.TERMINATED_CURRENT)
        or not c.claim_amount
        or c.recovered_amount < c.claim_amount
    ):
        return
    yield Hit("misreported_terminated", c.case_number, c.court,
              {"closed_on": c.closed_on, "claim": c.claim_amount, "recovered": c.recovered_amount},
              f"以终结本次执行程序结案（{c.closed_on.isoformat()}），但到位金额 {c.recovered_amount:.2f} 元已达申请标的 "
              f"{c.claim_amount:.2f} 元。")  # fmt: skip


# -- filing suppression (a court-level detector) -------------------------------------------


def _poisson_cdf(k: int, lam: float) -> float:
    """P(X ≤ k) for X ~ Poisson(lam), summed in log space (no SciPy)."""
    if lam <= 0:
        return 1.0
    term = math.exp(-lam)
    total = term
    for i in range(1, k + 1):
        term *= lam / i
        total += term
    return min(1.0, total)


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


@lru_cache(maxsize=1024)
def _month_end_window(year: int, month: int, n: int) -> tuple[date, date]:
    """From the month's n-th last working day to its last calendar day."""
    cal = calendar()
    last = _month_end(year, month)
    day, seen, first = last, 0, last
    while seen < n and day.month == month:
        if cal.is_working_day(day):
            seen += 1
            first = day
        day -= timedelta(days=1)
    return first, last


#: Days before a break of at least this many days off (春节, 国庆) are quiet for lawful
#: reasons (applicants wait for after the holiday), and so many of them are set aside.
LONG_BREAK_DAYS, PRE_BREAK_DAYS = 7, 10


@lru_cache(maxsize=64)
def _quiet_days(year: int) -> frozenset[date]:
    """Days of ``year`` within ``PRE_BREAK_DAYS`` before a break of ``LONG_BREAK_DAYS``
    or more days off (a break starting early in the next year counts too)."""
    cal = calendar()
    quiet: set[date] = set()
    day, end, run = date(year, 1, 1), date(year + 1, 1, 31), 0
    while day <= end:
        if not cal.is_working_day(day):
            run += 1
        else:
            if run >= LONG_BREAK_DAYS:
                start = day - timedelta(days=run)
                quiet.update(start - timedelta(days=k) for k in range(1, PRE_BREAK_DAYS + 1))
            run = 0
        day += timedelta(days=1)
    return frozenset(d for d in quiet if d.year == year)


class _Days:
    """Cumulative filings and counted working days over a span of calendar days, with
    the quiet days before long breaks set aside (neither filings nor days counted)."""

    def __init__(self, daily: Mapping[date, int], start: date, end: date):
        cal = calendar()
        self.start = start
        filed, work = [0], [0]
        day = start
        while day <= end:
            quiet = day in _quiet_days(day.year)
            filed.append(filed[-1] + (0 if quiet else daily.get(day, 0)))
            work.append(work[-1] + (0 if quiet or not cal.is_working_day(day) else 1))
            day += timedelta(days=1)
        self.filed, self.work = filed, work

    def _index(self, day: date) -> int:
        return min(max((day - self.start).days, 0), len(self.filed) - 1)

    def between(self, first: date, last: date) -> tuple[int, int]:
        """(filings, working days) counted from ``first`` to ``last`` inclusive."""
        i, j = self._index(first), self._index(last + timedelta(days=1))
        return self.filed[j] - self.filed[i], self.work[j] - self.work[i]


def filing_suppression(
    court: str, daily: Mapping[date, int], as_of: date, cfg: DetectorConfig = DEFAULT
) -> list[Hit]:
    """F1 压案不立 — a court's daily filings dropping sharply at month or year end against
    its own history (seed 003: "suppressed filings" are faked data; DL-1: a case is to be
    filed within 7 days of the application, whatever the month).

    ``daily`` maps a filing day to the number of 首执 cases the court filed that day. For
    each month that ended on or before as-of, within the last
    ``suppression_lookback_months``: the window is the month's last
    ``month_end_working_days`` working days (December: ``year_end_working_days``); the
    court's own rate is its filings per working day over the
    ``suppression_baseline_months`` months ending with that month, the month-end windows
    left out. Fires when the window's filings are below (1 − ``suppression_drop``) of
    what that rate predicts, the prediction is at least ``suppression_min_expected``
    cases, and a Poisson count that low has probability under ``suppression_alpha`` (a
    low alpha: every court is tested every month). Lawful lookalikes: filings are counted
    per working day, so a holiday at a month end does not fire; the 10 days before a
    break of 7 days or more (春节, 国庆) are set aside, since applicants wait for after
    the holiday. Rests on: the month, the window, the filings in it and the expected
    number."""
    hits: list[Hit] = []
    last_full = (
        as_of
        if as_of == _month_end(as_of.year, as_of.month)
        else date(as_of.year, as_of.month, 1) - timedelta(days=1)
    )
    first_month = periods.add_months(
        date(last_full.year, last_full.month, 1), -(cfg.suppression_lookback_months - 1)
    )
    span = _Days(daily, periods.add_months(first_month, -(cfg.suppression_baseline_months - 1)), last_full)

    def window(year: int, month: int) -> tuple[date, date]:
        return _month_end_window(
            year, month, cfg.year_end_working_days if month == 12 else cfg.month_end_working_days
        )

    for back in range(cfg.suppression_lookback_months):
        first_day = periods.add_months(date(last_full.year, last_full.month, 1), -back)
        year, month = first_day.year, first_day.month
        w_start, w_end = window(year, month)
        base_filed, base_days = 0, 0
        for m in range(cfg.suppression_baseline_months):
            prev = periods.add_months(first_day, -m)
            p_start, _ = window(prev.year, prev.month)
            f, n = span.between(prev, p_start - timedelta(days=1))
            base_filed, base_days = base_filed + f, base_days + n
        filed, w_days = span.between(w_start, w_end)
        if base_days == 0 or w_days == 0:
            continue
        expected = base_filed / base_days * w_days
        if expected < cfg.suppression_min_expected or filed >= expected * (1 - cfg.suppression_drop):
            continue
        if _poisson_cdf(filed, expected) >= cfg.suppression_alpha:
            continue
        label = "年末" if month == 12 else "月末"
        hits.append(
            Hit("filing_suppression", court, court,
                {"month": f"{year:04d}-{month:02d}", "window": [w_start, w_end], "filed": filed,
                 "expected": Decimal(str(round(expected, 2)))},
                f"{year} 年 {month} 月{label}（{w_start.isoformat()} 至 {w_end.isoformat()}，计 {w_days} 个工作日）立案 {filed} 件，"
                f"按本院近 {cfg.suppression_baseline_months} 个月的日均立案应约 {expected:.1f} 件，降幅 "
                f"{(1 - filed / expected) * 100:.0f}%。", key=f"{year:04d}-{month:02d}")
        )  # fmt: skip
    return hits


def daily_filings(cases: Iterable[CaseRecord], as_of: date) -> dict[str, Counter]:
    """court → filing day → 首执 filings (the cases a court could hold back), up to as-of."""
    out: dict[str, Counter] = defaultdict(Counter)
    for c in cases:
        if c.filed_on <= as_of and c.case_type in DEADLINE_TYPES:
            out[c.court][c.filed_on] += 1
    return out


# -- the catalog ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Detector:
    code: str
    category: str
    label: str
    looks_for: str
    cites: tuple[str, ...]
    fn: Callable[[CaseView, DetectorConfig], Iterator[Hit]] | None = field(default=None, repr=False)
    #: The cases it can fire on, so a run skips the rest cheaply: ``open`` (open 首执/执恢
    #: cases), ``restraint`` (cases with a restraint), ``closed`` (cases closed by as-of).
    scope: str = "open"

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]


CATALOG: tuple[Detector, ...] = (
    Detector("passive_inactive", PASSIVE, "长期无执行行为", "未结的首执/执恢案件连续 30 日无任何执行节点记录（中止、暂缓、不计入期限的期间除外）",
             ("seed 001", "DL-7", "DL-13", "DL-14"), passive_inactive),
    Detector("passive_no_first_inquiry", PASSIVE, "首月未网络查控", "立案后一个月内没有网络查控记录",
             ("seed 001", "DL-7", "DL-21", "QRY-5", "K4"), passive_no_first_inquiry),
    Detector("passive_long_open", PASSIVE, "超过一年未结", "立案超过一年仍未结案", ("seed 001", "seed 000", "DL-13"), passive_long_open),
    Detector("selective_not_restrained", SELECTIVE, "查得财产未控制", "查控或线索查得的财产（存款、网络资金除外）在 30 日内未查封、扣押、冻结或处置",
             ("seed 001", "DL-6", "PROP-8", "TERM-5"), selective_not_restrained),
    Detector("selective_deposit_not_frozen", SELECTIVE, "查得存款未冻结", "查得的存款、网络资金在 3 日内未冻结或扣划（小额余额除外）",
             ("QRY-1", "T13"), selective_deposit_not_frozen),
    Detector("abusive_over_seizure", ABUSIVE, "超标的查封", "在控财产价值超过未履行金额加上可设定的幅度（默认 50%）",
             ("seed 001", "CREDIT-3", "DL-20"), abusive_over_seizure, "restraint"),
    Detector("abusive_kept_after_performance", ABUSIVE, "履行完毕未解除控制", "履行完毕 7 日后仍有未解除的查封、扣押、冻结",
             ("seed 001", "PROP-7", "TERM-15", "DL-20"), abusive_kept_after_performance, "restraint"),
    Detector("misreported_performed", MISREPORTED, "虚报执行完毕", "以执行完毕结案但到位金额少于申请标的且无和解记录",
             ("seed 003", "CLOSE-7"), misreported_performed, "closed"),
    Detector("misreported_terminated", MISREPORTED, "终本案件已全额到位", "以终本结案但到位金额不少于申请标的",
             ("seed 003", "seed 004", "TERM-10", "T11"), misreported_terminated, "closed"),
    Detector("filing_suppression", SUPPRESSION, "月末年末压案不立", "法院月末、年末日均立案数较本院前期显著下降",
             ("seed 003", "DL-1")),
)  # fmt: skip
BY_CODE: dict[str, Detector] = {d.code: d for d in CATALOG}
CASE_DETECTORS: tuple[Detector, ...] = tuple(d for d in CATALOG if d.fn is not None)


def detect_case(
    case: CaseRecord, as_of: date, cfg: DetectorConfig = DEFAULT, only: Iterable[str] | None = None
) -> list[Hit]:
    """Every case detector (or those named in ``only``) over one case at as-of. A case
    filed after as-of did not exist yet and has no findings. Detectors are skipped
    cheaply on cases outside their ``scope``."""
    if case.filed_on > as_of:
        return []
    view = CaseView(case, as_of)
    closed = case.closed_on is not None and case.closed_on <= as_of
    wanted = _SCOPED if only is None else _scoped(frozenset(only))
    hits: list[Hit] = []
    if not closed and case.case_type in DEADLINE_TYPES:
        for fn in wanted[0]:
            hits.extend(fn(view, cfg))
    if view.has_restraint:
        for fn in wanted[1]:
            hits.extend(fn(view, cfg))
    if closed:
        for fn in wanted[2]:
            hits.extend(fn(view, cfg))
    return hits


def _scoped(codes: frozenset[str] | None) -> tuple[tuple[Callable, ...], ...]:
    """The detector functions by scope (open, restraint, closed), in catalog order."""
    return tuple(
        tuple(d.fn for d in CASE_DETECTORS if d.scope == scope and (codes is None or d.code in codes))
        for scope in ("open", "restraint", "closed")
    )


_SCOPED = _scoped(None)


def detect_all(cases: Iterable[CaseRecord], as_of: date, cfg: DetectorConfig = DEFAULT) -> list[Hit]:
    """Every detector over the given cases: the case detectors per case, then filing
    suppression per court over the same cases' filing days."""
    hits: list[Hit] = []
    daily: dict[str, Counter] = defaultdict(Counter)
    for c in cases:
        hits += detect_case(c, as_of, cfg)
        if c.filed_on <= as_of and c.case_type in DEADLINE_TYPES:
            daily[c.court][c.filed_on] += 1
    for court in sorted(daily):
        hits += filing_suppression(court, daily[court], as_of, cfg)
    return hits
