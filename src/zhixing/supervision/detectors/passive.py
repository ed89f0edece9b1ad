"""消极执行: detectors of a case left alone (P1–P3)."""

from __future__ import annotations

from collections.abc import Iterator

from zhixing.cases.choices import DEADLINE_TYPES
from zhixing.flow.nodes import NODES
from zhixing.lib import periods
from zhixing.supervision.detectors.base import (
    OTHER_ACTIONS,
    CaseView,
    DetectorConfig,
    Hit,
    _add_months,
)


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
