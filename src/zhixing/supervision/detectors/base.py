"""What every detector shares: the categories, the thresholds (:class:`DetectorConfig`), a
finding (:class:`Hit`) and the case as a detector reads it at as-of (:class:`CaseView`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from zhixing.cases.choices import ClosingMode
from zhixing.cases.records import CaseRecord, Event
from zhixing.flow.nodes import INTERVALS
from zhixing.lib import periods

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
