"""The catalog of detectors and the runs over a case or many: which detector, what it looks
for, what it rests on, and on which cases it can fire."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from zhixing.cases.choices import DEADLINE_TYPES
from zhixing.cases.records import CaseRecord
from zhixing.supervision.detectors.abusive import abusive_kept_after_performance, abusive_over_seizure
from zhixing.supervision.detectors.base import (
    ABUSIVE,
    CATEGORY_LABELS,
    DEFAULT,
    MISREPORTED,
    PASSIVE,
    SELECTIVE,
    SUPPRESSION,
    CaseView,
    DetectorConfig,
    Hit,
)
from zhixing.supervision.detectors.misreported import misreported_performed, misreported_terminated
from zhixing.supervision.detectors.passive import (
    passive_inactive,
    passive_long_open,
    passive_no_first_inquiry,
)
from zhixing.supervision.detectors.selective import selective_deposit_not_frozen, selective_not_restrained
from zhixing.supervision.detectors.suppression import filing_suppression


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
