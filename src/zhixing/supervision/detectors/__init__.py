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

One module per family — :mod:`.passive` (消极执行), :mod:`.selective` (选择性执行),
:mod:`.abusive` (乱执行), :mod:`.misreported` (误报结), :mod:`.suppression` (压案不立) —
over the shared :mod:`.base` (config, finding, the case at as-of); :mod:`.catalog` lists
them and runs them. The names are re-exported here.
"""

from zhixing.cases.records import Event
from zhixing.supervision.detectors.abusive import abusive_kept_after_performance, abusive_over_seizure
from zhixing.supervision.detectors.base import (
    ABUSIVE,
    ASSET_NODES,
    BALANCE_CATEGORIES,
    CATEGORY_LABELS,
    DEFAULT,
    DISPOSALS,
    ENDING_NODES,
    MISREPORTED,
    NOT_ACTIONS,
    OTHER_ACTIONS,
    PASSIVE,
    SELECTIVE,
    SUPPRESSION,
    ZERO,
    CaseView,
    DetectorConfig,
    Hit,
    Restraint,
)
from zhixing.supervision.detectors.catalog import (
    BY_CODE,
    CASE_DETECTORS,
    CATALOG,
    Detector,
    detect_all,
    detect_case,
)
from zhixing.supervision.detectors.misreported import misreported_performed, misreported_terminated
from zhixing.supervision.detectors.passive import (
    passive_inactive,
    passive_long_open,
    passive_no_first_inquiry,
)
from zhixing.supervision.detectors.selective import selective_deposit_not_frozen, selective_not_restrained
from zhixing.supervision.detectors.suppression import (
    LONG_BREAK_DAYS,
    PRE_BREAK_DAYS,
    daily_filings,
    filing_suppression,
)

__all__ = [
    "ABUSIVE",
    "ASSET_NODES",
    "BALANCE_CATEGORIES",
    "BY_CODE",
    "CASE_DETECTORS",
    "CATALOG",
    "CATEGORY_LABELS",
    "DEFAULT",
    "DISPOSALS",
    "ENDING_NODES",
    "LONG_BREAK_DAYS",
    "MISREPORTED",
    "NOT_ACTIONS",
    "OTHER_ACTIONS",
    "PASSIVE",
    "PRE_BREAK_DAYS",
    "SELECTIVE",
    "SUPPRESSION",
    "ZERO",
    "CaseView",
    "Detector",
    "DetectorConfig",
    "Event",
    "Hit",
    "Restraint",
    "abusive_kept_after_performance",
    "abusive_over_seizure",
    "daily_filings",
    "detect_all",
    "detect_case",
    "filing_suppression",
    "misreported_performed",
    "misreported_terminated",
    "passive_inactive",
    "passive_long_open",
    "passive_no_first_inquiry",
    "selective_deposit_not_frozen",
    "selective_not_restrained",
]
