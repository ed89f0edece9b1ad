"""Restraint terms (查封、扣押、冻结的期限, DL-20) and the application period (申请执行期间,
PER-7/PER-8/PER-9). Pure functions of a case's events or record; ``as_of`` is the end of
that day (indicators.md §1: later events are unseen).

These are supervision aids, not indicators: no indicator of indicators.md reads them. The
expiry of a restraint is the last day of its term as recorded (``expires_on``); it is a
duration, so it is never rolled forward (indicators.md §1 "Roll forward" applies to
deadlines for acts only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from zhixing.cases.choices import CaseType
from zhixing.cases.records import CaseRecord, Event
from zhixing.lib import periods

# -- DL-20: restraint terms -----------------------------------------------------------------

#: DL-20 (民诉法解释第485条): the longest term of one restraint, in years, by the category
#: recorded on the ``restraint`` event. 银行存款 (and online balances held like deposits) 1
#: year; 动产 (vehicles, ships and other movables) 2; 不动产 and other property rights
#: (securities, equity, insurance, wealth products, housing funds, …) 3.
MAX_YEARS: dict[str, int] = {
    "存款": 1,
    "网络资金": 1,
    "车辆": 2,
    "船舶": 2,
    "动产": 2,
    "不动产": 3,
    "有价证券": 3,
    "理财产品": 3,
    "保险": 3,
    "股权": 3,
    "公积金": 3,
    "其他": 3,
}
#: Any category not listed is an "other property right" (DL-20: 3 years).
OTHER_RIGHTS_YEARS = 3
#: DL-20 leaves the lead time of the renewal alert to the court [INF]; the issue fixes 30 days.
REMINDER_DAYS = 30

ACTIVE, EXPIRING, EXPIRED, RELEASED = "active", "expiring", "expired", "released"
STATUS_LABELS = {ACTIVE: "有效", EXPIRING: "即将到期", EXPIRED: "已到期未续行", RELEASED: "已解除"}


def max_years(category: str | None) -> int:
    """DL-20: the longest term (years) of a restraint of ``category`` — 存款/网络资金 1,
    车辆/船舶/动产 2, 不动产 and every other property right 3."""
    return MAX_YEARS.get(category or "其他", OTHER_RIGHTS_YEARS)


def longest_expiry(start: date, category: str | None) -> date:
    """DL-20 with PER-1/PER-4: the latest allowed last day of a term that starts after
    ``start`` (the restraint day, or the previous term's last day for a renewal) — the
    corresponding day ``max_years`` later (2023-02-28 + 1 year → 2024-02-28; 2024-02-29
    + 1 year → 2025-02-28). Not rolled: a term is a duration, not a deadline for an act."""
    return periods.add_years(start, max_years(category))


@dataclass(frozen=True, slots=True)
class Problem:
    rule: str
    message: str  # Chinese, for the officer


@dataclass(frozen=True, slots=True)
class Restraint:
    """One restrained asset as of a day: the first ``restraint`` of the asset and every
    ``restraint_renewed`` / ``restraint_released`` of it seen then."""

    asset: str
    measure: str | None
    category: str | None
    value: str | None
    restrained_on: date
    first_expires_on: date
    expires_on: date  # the last day of the term in force (the latest renewal's, if any)
    renewals: tuple[date, ...]
    released_on: date | None
    max_years: int
    status: str  # ACTIVE / EXPIRING / EXPIRED / RELEASED at as-of
    remind_on: date  # expires_on − 30 days: the renewal reminder (DL-20 [INF] lead time)
    days_left: int  # expires_on − as_of (negative once expired)
    problems: tuple[Problem, ...] = field(default=())


def _seen(events: Iterable[Event], as_of: date | None) -> list[Event]:
    return [e for e in events if as_of is None or e.on <= as_of]


def restraint_terms(
    events: Iterable[Event], as_of: date, *, reminder_days: int = REMINDER_DAYS
) -> list[Restraint]:
    """DL-20 (民诉法解释第485条, rules.md §DL-20): every asset restrained in a case, with the
    term in force at ``as_of`` and what is wrong with it.

    - The term in force ends on the ``expires_on`` of the latest renewal made on or before
      the previous term's last day (届满 includes that day, PER-6), else of the restraint.
    - A renewal dated after the term it continues has run out renews nothing (DL-20: 续行
      must be done *before* expiry): the restraint had lapsed — reported as a problem.
    - A term longer than the maximum for its category (the first term from the restraint
      day, each renewal from the last day it continues) is reported as a problem.
    - Status at as-of: ``released`` once a ``restraint_released`` is seen; ``expired`` when
      the term in force ended before as-of; ``expiring`` when it ends within
      ``reminder_days`` (as_of ≥ expires_on − 30 days, the renewal reminder); else ``active``.

    Events are taken in date order (the record's order); one asset restrained twice
    (re-seized after a release) is reported from its latest ``restraint``.
    """
    by_asset: dict[str, list[Event]] = {}
    for e in _seen(events, as_of):
        if e.node == "restraint":
            by_asset[e.data.get("asset")] = [e]  # a later re-seizure starts a new chain
        elif e.node in ("restraint_renewed", "restraint_released") and e.data.get("asset") in by_asset:
            by_asset[e.data["asset"]].append(e)
    out: list[Restraint] = []
    for asset, chain in by_asset.items():
        out.append(_term(asset, chain, as_of, reminder_days))
    return sorted(out, key=lambda r: (r.expires_on, r.asset))


def _term(asset: str, chain: list[Event], as_of: date, reminder_days: int) -> Restraint:
    first = chain[0]
    category = first.data.get("category")
    years = max_years(category)
    expires = first.date_field("expires_on")
    problems: list[Problem] = []
    if expires < first.on:
        problems.append(
            Problem("DL-20", f"期限届满日 {expires} 早于{first.data.get('measure') or '控制'}日期 {first.on}")
        )
    elif expires > longest_expiry(first.on, category):
        problems.append(
            Problem(
                "DL-20",
                f"{category or '该类财产'}的控制期限不得超过{years}年（应不晚于 {longest_expiry(first.on, category)}），登记为 {expires}",
            )
        )
    renewals: list[date] = []
    released: date | None = None
    lapsed_on: date | None = None
    for e in chain[1:]:
        if released is not None:
            break
        if e.node == "restraint_released":
            released = e.on
            continue
        new_expiry = e.date_field("expires_on")
        if lapsed_on is not None or e.on > expires:
            lapsed_on = lapsed_on or expires
            problems.append(
                Problem(
                    "DL-20", f"续行日期 {e.on} 晚于期限届满日 {expires}：续行应在期限届满前办理，原控制已失效"
                )
            )
            continue
        if new_expiry <= expires:
            problems.append(Problem("DL-20", f"续行后的期限届满日 {new_expiry} 不晚于原届满日 {expires}"))
            continue
        if new_expiry > longest_expiry(expires, category):
            problems.append(
                Problem(
                    "DL-20",
                    f"续行期限不得超过{years}年（应不晚于 {longest_expiry(expires, category)}），登记为 {new_expiry}",
                )
            )
        renewals.append(e.on)
        expires = new_expiry
    remind_on = periods.add_days(expires, -reminder_days)
    if released is not None:
        status = RELEASED
    elif lapsed_on is not None or expires < as_of:
        status = EXPIRED
    elif as_of >= remind_on:
        status = EXPIRING
    else:
        status = ACTIVE
    return Restraint(
        asset=asset,
        measure=first.data.get("measure"),
        category=category,
        value=first.data.get("value"),
        restrained_on=first.on,
        first_expires_on=first.date_field("expires_on"),
        expires_on=expires,
        renewals=tuple(renewals),
        released_on=released,
        max_years=years,
        status=status,
        remind_on=remind_on,
        days_left=(expires - as_of).days,
        problems=tuple(problems),
    )


def expiring(events: Iterable[Event], as_of: date, days: int = REMINDER_DAYS) -> list[Restraint]:
    """DL-20 renewal reminder: the restraints still in force at as-of whose term ends within
    ``days`` days (as_of ≤ expires_on ≤ as_of + days)."""
    horizon = periods.add_days(as_of, days)
    return [
        r
        for r in restraint_terms(events, as_of)
        if r.status in (ACTIVE, EXPIRING) and r.expires_on <= horizon
    ]


# -- PER-7 / PER-8: the application period -------------------------------------------------------

APPLICATION_PERIOD_YEARS = 2


@dataclass(frozen=True, slots=True)
class ApplicationPeriod:
    """PER-7 for one case. ``late`` is a warning only (PER-8): it never blocks anything."""

    rule: str
    applies: bool
    start_on: date | None  # the basis's effective day (the start PER-7 falls back to)
    expires_on: date | None  # start + 2 years (PER-1, PER-4), rolled to a working day (PER-3)
    applied_on: date  # the application received day (the filing day if unknown)
    late: bool
    days_late: int
    warning: str | None
    blocking: bool = False  # PER-8: expiry is not a filing bar


def application_period(case: CaseRecord) -> ApplicationPeriod:
    """PER-7 (民事诉讼法第250条), PER-8 (民诉法解释第481条), PER-9: the 2-year 申请执行期间.

    The period starts at the end of the performance period the basis sets, or its
    effective day when it sets none; the bundle carries only ``basis.effective_on``, so that
    day is the start (the earliest possible one: a warning may come too early, never too
    late). It ends on the corresponding day two years later (PER-4). The last day of a
    period for a party's act falls on the next working day when it is a holiday (PER-3).
    The application is late when it was received (``application_received_on``, else the
    filing day) after that last day.

    Only 首次执行 cases are subject: a 恢复执行 case is a continued execution after 终本
    (PER-9, TERM-13), and preservation and review cases are not applications to execute.
    Suspensions and interruptions of the period (e.g. a settlement, 民诉法解释第466条) are
    not recorded in the bundle, so a late application is a *warning* to check them, never a
    block (PER-8: the court must accept; only a debtor objection found valid bars execution).
    """
    applied = case.application_on
    basis = case.basis or {}
    raw = basis.get("effective_on")
    if case.case_type != CaseType.FIRST:
        return ApplicationPeriod("PER-9", False, None, None, applied, False, 0, None)
    if not raw:
        return ApplicationPeriod("PER-7", True, None, None, applied, False, 0, None)
    start = date.fromisoformat(raw)
    expires = periods.roll_forward(periods.add_years(start, APPLICATION_PERIOD_YEARS))
    late = applied > expires
    warning = None
    if late:
        warning = (
            f"申请执行日期 {applied} 已超过申请执行期间（执行依据生效日 {start} 起二年，至 {expires} 届满，"
            f"PER-7）。请核实是否存在中止、中断事由（如执行和解）；超过期间不影响立案（PER-8），"
            f"被执行人提出异议且成立的，裁定不予执行。"
        )
    return ApplicationPeriod(
        rule="PER-7",
        applies=True,
        start_on=start,
        expires_on=expires,
        applied_on=applied,
        late=late,
        days_late=max(0, (applied - expires).days),
        warning=warning,
    )
