"""Who may approve what in case funds: pure functions, no database.

Payments out of a case account (发放、提存、退款) are approved at a level that depends on
the amount; each court configures its thresholds (``ApprovalThreshold``), a court
without any uses its nearest ancestor's, and without any at all :data:`DEFAULT`:
up to and including 100,000 yuan the team lead, above it the bureau chief ("以下" includes
the amount itself, PER-6). A deferral (延缓发放) is approved by the bureau chief or a
court leader whatever the amount (FUND-2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from zhixing.courts.models import Role

#: Approving roles, lowest first: a role may approve what any lower one may.
RANK: dict[str, int] = {Role.TEAM_LEAD: 1, Role.BUREAU_CHIEF: 2, Role.VICE_PRESIDENT: 3, Role.PRESIDENT: 4}

#: (max_amount inclusive, role); ``None`` = no upper limit.
Threshold = tuple[Decimal | None, str]

DEFAULT: tuple[Threshold, ...] = ((Decimal("100000.00"), Role.TEAM_LEAD), (None, Role.BUREAU_CHIEF))

#: FUND-2: 执行局局长 or 主管院领导 (a vice president in charge, or the president).
DEFERRAL_ROLES = frozenset({Role.BUREAU_CHIEF, Role.VICE_PRESIDENT, Role.PRESIDENT})


def ordered(thresholds: Iterable[Threshold]) -> list[Threshold]:
    """Thresholds by amount, the open-ended one last."""
    return sorted(thresholds, key=lambda t: (t[0] is None, t[0] or Decimal(0)))


def validate(thresholds: Sequence[Threshold]) -> str | None:
    """A court's table is usable when every role approves, amounts rise with the role,
    and exactly one row has no upper limit. Returns the problem in Chinese, or None."""
    rows = ordered(thresholds)
    if not rows:
        return "至少需要一档审批权限"
    if sum(1 for m, _ in rows if m is None) != 1:
        return "必须有且只有一档不设金额上限"
    last_rank = 0
    for limit, role in rows:
        if role not in RANK:
            return f"{Role(role).label}不能审批案款"
        if limit is not None and limit <= 0:
            return "金额上限必须大于 0"
        if RANK[role] < last_rank:
            return "金额越高，审批级别不能越低"
        last_rank = RANK[role]
    return None


def required_role(amount: Decimal, thresholds: Iterable[Threshold]) -> str:
    """The lowest role that approves ``amount``: the first threshold (by amount) whose
    limit is at least ``amount`` (以下，含本数). A table without an open-ended row sends
    larger amounts to the president."""
    for limit, role in ordered(thresholds):
        if limit is None or amount <= limit:
            return role
    return Role.PRESIDENT


def may_approve(role: str, required: str) -> bool:
    """``role`` is the required role or ranks above it."""
    return RANK.get(role, 0) >= RANK[required] > 0


def effective(tables: Sequence[Sequence[Threshold]]) -> tuple[Threshold, ...]:
    """The table in force for a court, given the tables of the court and its ancestors,
    nearest first: the first non-empty one, else :data:`DEFAULT`."""
    for table in tables:
        if table:
            return tuple(ordered(table))
    return DEFAULT
