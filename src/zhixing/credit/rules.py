"""失信 and 限制消费 checks C1–C6 and the K9 deletion obligation (indicators.md §6, §3 K9;
rules.md §4 CREDIT-*, §5 CONS-*).

A listing is a ``credit_listing`` event. It is a **term entry** when its grounds include
any of G2–G6 (term 2 years, or 3–5 years) and a **no-term entry** otherwise (its only
ground is G1). A ``credit_deletion`` or ``credit_revocation`` ends the listing it names
(``listing``), or every listing of that party in the case still active at that event if it
names none; a revocation also ends every obligation of that listing (no K9, no C3/C4) —
when it comes on or before the deletion's due day; a later one discharges the deletion
late, because a report for a past as-of must never change (see :func:`k9_obligations`).

Everything is a pure function of the case and an as-of date (the end of that day; later
facts are unseen). :func:`listing_facts` is the as-of-independent part: which listing
ended when and by what, when its deletion ground arises and when deletion is due — a
screening index or SQL compares those days with any as-of.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from zhixing.cases.choices import ClosingMode
from zhixing.cases.records import CaseRecord, Event, Party
from zhixing.credit.models import Ground
from zhixing.flow.obligations import DONE_LATE, OVERDUE, Obligation, status_at
from zhixing.lib import periods
from zhixing.lib.formatting import yuan
from zhixing.lib.identifiers import id_number_birth_date

NO_TERM_GROUND = "G1"
TERM_GROUNDS = frozenset({"G2", "G3", "G4", "G5", "G6"})
#: CREDIT-8: closing modes that are a deletion ground of a no-term entry on the closing day.
#: The words of each ground, for messages a person reads (the code stays in the data).
GROUND_WORDS = dict(Ground.choices)


def _grounds_in_words(grounds) -> str:
    """``("G4", "G5")`` → "“违反财产报告制度”、“违反限制消费令”"."""
    return "、".join(f"“{GROUND_WORDS.get(g, g)}”" for g in grounds) or "无"


DELETING_CLOSINGS = {
    ClosingMode.PERFORMED: "案件以执行完毕结案",
    ClosingMode.TERMINATED: "案件裁定终结执行",
    ClosingMode.NOT_ENFORCED: "案件裁定不予执行",
}
DELETION, REVOCATION = "credit_deletion", "credit_revocation"
WORKING_DAYS_TO_DELETE = 3  # CREDIT-8/9: "三个工作日内"


# -- age (shared with termination.rules T4) -------------------------------------------------


def birth_date_of(party: Party) -> date | None:
    """A natural person's birth date: from the 公民身份号码 (characters 7–14), else the
    bundle's ``birth_date``; None when neither is known."""
    if party.id_number:
        born = id_number_birth_date(party.id_number)
        if born is not None:
            return born
    return party.birth_date


def adult_from(birth: date) -> date:
    """CREDIT-4 (indicators.md §6 C1): the day one turns 18 — the 18th birthday itself (周岁
    are reached on the birthday). For a 02-29 birthday in a common 18th year that day is
    02-28: PER-4 ends a year period with no corresponding day on the month's last day, and
    ``periods.add_years`` applies that rule."""
    return periods.add_years(birth, 18)


# -- listings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingFacts:
    """The as-of-independent facts of one listing (indicators.md §6). At as-of the listing
    is seen iff ``listed_on <= as_of``; it has ended iff ``ended_on <= as_of``; it is
    active on day d iff ``listed_on <= d`` and not ``ended_on <= d``.

    Its deletion obligation (K9, and C3/C4) is stored as-of-independently when
    ``has_deletion_obligation``: triggered on ``deletion_ground_on``, due on
    ``deletion_due_on``, done on ``ended_on`` (a deletion, or a revocation after the due
    day). Compared with any as-of this gives the same done/late/overdue answers as
    :func:`k9_obligations`; only a *pending* obligation later revoked in time is shown by
    :func:`k9_obligations` at an as-of before the revocation and not stored."""

    listing: str | None  # the bundle id, if any
    seq: int  # the credit_listing event's position in the case's event list
    party: str
    listed_on: date
    grounds: tuple[str, ...]
    term_years: Any  # as recorded (C2 reports a wrong one)
    is_term: bool
    ended_on: date | None
    ended_by: str | None  # credit_deletion or credit_revocation
    deletion_ground_on: date | None  # the K9 trigger
    deletion_due_on: date | None  # 3rd working day after it (PER-5)
    deletion_ground: str | None  # Chinese description of the ground
    rule: str  # CREDIT-8 (no-term) or CREDIT-9 (term)

    @property
    def deleted_on(self) -> date | None:
        return self.ended_on if self.ended_by == DELETION else None

    @property
    def revoked_on(self) -> date | None:
        return self.ended_on if self.ended_by == REVOCATION else None

    @property
    def has_deletion_obligation(self) -> bool:
        """K9 exists once its ground arises — unless the listing ended before the ground (there
        is nothing left to delete) or was revoked on or before the due day (the revocation
        ends the obligation, indicators.md §6). A revocation after the due day finds the
        obligation already overdue and discharges it late (§3 K9: discharged by
        ``credit_deletion`` or ``credit_revocation``), so a report for a past as-of never
        changes."""
        if self.deletion_ground_on is None or self.deletion_due_on is None:
            return False
        if self.ended_on is not None and self.ended_on < self.deletion_ground_on:
            return False
        return not (self.revoked_on is not None and self.revoked_on <= self.deletion_due_on)


def is_term_entry(grounds: tuple[str, ...]) -> bool:
    """indicators.md §6, CREDIT-5: a term entry when any ground is G2–G6."""
    return any(g in TERM_GROUNDS for g in grounds)


def _term(term_years: Any) -> int | None:
    """The recorded term as a whole number of years, or None when absent or not one."""
    if isinstance(term_years, bool):
        return None
    if isinstance(term_years, int):
        return term_years
    if isinstance(term_years, float) and term_years.is_integer():
        return int(term_years)
    return None


def _ends(case: CaseRecord) -> dict[int, Event]:
    """The event that ends each listing (by the listing's seq), from all of the case's
    events in order (indicators.md §6): a deletion or revocation naming a listing ends that
    listing; one naming none ends every listing of its party active at that event. The
    first ending wins; later events about an ended listing change nothing."""
    listings: list[Event] = []
    ended: dict[int, Event] = {}
    for e in case.events_of("credit_listing", DELETION, REVOCATION):
        if e.node == "credit_listing":
            listings.append(e)
            continue
        for listing in listings:
            if listing.seq in ended:
                continue
            named = e.listing
            if (named is not None and listing.data.get("id") == named) or (
                named is None and listing.party == e.party
            ):
                ended[listing.seq] = e
    return ended


def _no_term_ground(case: CaseRecord) -> tuple[date, str] | None:
    """CREDIT-8 (indicators.md §6 C3): the first deletion ground of a no-term entry — the
    closing day of a case closed 执行完毕, 终结执行 or 不予执行; or, for a 终本 closing, the
    day of the second ``online_inquiry`` after the closing day that found nothing."""
    if case.closed_on is None or case.closing_mode is None:
        return None
    if case.closing_mode in DELETING_CLOSINGS:
        return case.closed_on, DELETING_CLOSINGS[case.closing_mode]
    if case.closing_mode == ClosingMode.TERMINATED_CURRENT:
        empty = [
            e.on
            for e in case.events_of("online_inquiry")
            if e.on > case.closed_on and not e.data.get("found")
        ]
        if len(empty) >= 2:
            days = f"{empty[0].isoformat()}、{empty[1].isoformat()}"
            return empty[1], f"终本后两次网络查询（{days}）均未发现可供执行财产"
    return None


def _facts(case: CaseRecord, listing: Event, end: Event | None) -> ListingFacts:
    grounds = tuple(listing.data.get("grounds") or ())
    term = is_term_entry(grounds)
    ground: tuple[date, str] | None = None
    if term:
        years = _term(listing.data.get("term_years"))
        if years is not None and years > 0:
            # CREDIT-9: the term is a duration (PER-4, not rolled); deletion follows it.
            ground = periods.add_years(listing.on, years), f"纳入期限{years}年届满"
    else:
        found = _no_term_ground(case)
        if found is not None:
            # A listing made after its ground (which should not happen) is due from its own day.
            ground = max(found[0], listing.on), found[1]
    return ListingFacts(
        listing=listing.data.get("id"),
        seq=listing.seq,
        party=listing.party or "",
        listed_on=listing.on,
        grounds=grounds,
        term_years=listing.data.get("term_years"),
        is_term=term,
        ended_on=end.on if end else None,
        ended_by=end.node if end else None,
        deletion_ground_on=ground[0] if ground else None,
        deletion_due_on=periods.working_days_deadline(ground[0], WORKING_DAYS_TO_DELETE) if ground else None,
        deletion_ground=ground[1] if ground else None,
        rule="CREDIT-9" if term else "CREDIT-8",
    )


def listing_facts(case: CaseRecord) -> list[ListingFacts]:
    """indicators.md §6: every listing of the case with its as-of-independent facts, in
    event order (see :class:`ListingFacts` for how to read them at an as-of)."""
    ends = _ends(case)
    return [_facts(case, e, ends.get(e.seq)) for e in case.events_of("credit_listing")]


# -- C1–C6 ------------------------------------------------------------------------------------


def _seen(value: date | None, as_of: date) -> date | None:
    return value if value is not None and value <= as_of else None


def _deletion_at(facts: ListingFacts, as_of: date) -> tuple[date, date, date | None] | None:
    """The deletion obligation as seen at as-of: (ground day, due day, done day), or None
    while there is none. Only facts dated on or before as-of are used: a revocation after
    as-of is not seen, so until then the obligation stands."""
    ground, due = facts.deletion_ground_on, facts.deletion_due_on
    if ground is None or due is None or ground > as_of:
        return None
    ended = _seen(facts.ended_on, as_of)
    if ended is not None and ended < ground:
        return None  # ended before the ground arose: nothing left to delete
    if ended is not None and facts.ended_by == REVOCATION and ended <= due:
        return None  # revoked in time: the revocation ends the obligation (indicators.md §6)
    return ground, due, ended


def c1_adult(case: CaseRecord, facts: ListingFacts) -> str | None:
    """indicators.md §6 C1, CREDIT-4: a natural person is 18 or older on the listing day
    (birth date from the ID number; 18 on the 18th birthday, 02-29 → 02-28, see
    :func:`adult_from`). Units and persons of unknown birth date pass."""
    party = case.party(facts.party)
    if party is None or not party.is_person:
        return None
    birth = birth_date_of(party)
    if birth is None or facts.listed_on >= adult_from(birth):
        return None
    return (
        f"C1 纳入时未满十八周岁：{party.name}生于{birth.isoformat()}，{adult_from(birth).isoformat()}年满十八周岁，"
        f"纳入失信被执行人名单时（{facts.listed_on.isoformat()}）系未成年人，不得纳入（CREDIT-4）"
    )


def c2_term(facts: ListingFacts) -> str | None:
    """indicators.md §6 C2, CREDIT-5: a no-term entry (G1 only) has no term; a term entry has
    2 years, or 3–5 years only when G2 or more than one ground (G1 included) is given."""
    recorded = facts.term_years
    grounds = _grounds_in_words(facts.grounds)
    if not facts.is_term:
        if recorded is None:
            return None
        return (
            f"C2 失信期限不当：仅以“有履行能力而拒不履行”纳入的失信名单不设期限，"
            f"实际记载期限{recorded}年（CREDIT-5）"
        )
    years = _term(recorded)
    if years == 2:
        return None
    if years is None:
        return (
            f"C2 失信期限不当：以{grounds}纳入的失信名单应记载二年（或依法延长为三至五年）的期限，"
            f"实际为{'未记载' if recorded is None else recorded}（CREDIT-5）"
        )
    if 3 <= years <= 5:
        if "G2" in facts.grounds or len(set(facts.grounds)) > 1:
            return None
        return (
            f"C2 失信期限不当：仅以{grounds}一项情形纳入的，期限为二年；"
            f"延长至{years}年须有妨碍、抗拒执行情节严重或多项失信行为（CREDIT-5）"
        )
    return f"C2 失信期限不当：失信名单期限应为二年或三至五年，实际为{years}年（CREDIT-5）"


def _deletion_reason(check: str, facts: ListingFacts, as_of: date) -> str | None:
    """indicators.md §6 C3/C4: fails when deleted after the due day, or when the due day is
    on or before as-of without a deletion by as-of. Not applicable before the ground
    exists, nor to a listing ended before it or revoked by the due day."""
    seen = _deletion_at(facts, as_of)
    if seen is None:
        return None
    ground_on, due, done = seen
    if status_at(due, done, as_of) not in (DONE_LATE, OVERDUE):
        return None
    what = "无期限" if check == "C3" else "有期限"
    head = (
        f"{check} {what}失信信息未按时删除：删除事由（{facts.deletion_ground}）发生于{ground_on.isoformat()}，"
        f"应于{due.isoformat()}（三个工作日内）删除，"
    )
    if done is not None:
        done_as = "撤销" if facts.ended_by == REVOCATION else "删除"
        return head + f"实际于{done.isoformat()}{done_as}（{facts.rule}）"
    return head + f"截至{as_of.isoformat()}仍未删除（{facts.rule}）"


def c3_no_term_deletion(facts: ListingFacts, as_of: date) -> str | None:
    """indicators.md §6 C3, CREDIT-8: a no-term entry is deleted by the 3rd working day
    (PER-5) after its first deletion ground."""
    return None if facts.is_term else _deletion_reason("C3", facts, as_of)


def c4_term_deletion(facts: ListingFacts, as_of: date) -> str | None:
    """indicators.md §6 C4, CREDIT-9: a term entry is deleted by the 3rd working day (PER-5)
    after its term ends (listed_on + term, PER-4, not rolled)."""
    return _deletion_reason("C4", facts, as_of) if facts.is_term else None


def c5_consumption_restriction(case: CaseRecord, facts: ListingFacts, as_of: date) -> str | None:
    """indicators.md §6 C5, CONS-2 (限消规定 第一条第二款): a ``consumption_restriction`` of the
    same party is in force on the listing day (issued on or before it, not lifted since)
    and not lifted while the listing is active — from the listing day until the day it
    ended (a lifting that day is allowed) or through as-of."""
    party = case.party(facts.party)
    name = party.name if party else facts.party
    mine = [
        e
        for e in case.events_of("consumption_restriction", "consumption_restriction_lifted")
        if e.party == facts.party
    ]
    at_listing = [e for e in mine if e.on <= facts.listed_on]
    if not at_listing:
        return (
            f"C5 未同时限制消费：纳入失信被执行人名单时（{facts.listed_on.isoformat()}）"
            f"未对{name}采取限制消费措施（CONS-2）"
        )
    if at_listing[-1].node != "consumption_restriction":
        return (
            f"C5 未同时限制消费：纳入失信被执行人名单时（{facts.listed_on.isoformat()}），"
            f"对{name}的限制消费令已于{at_listing[-1].on.isoformat()}解除（CONS-2）"
        )
    ended = _seen(facts.ended_on, as_of)
    for e in mine:
        lifted_while_active = facts.listed_on < e.on <= as_of and (ended is None or e.on < ended)
        if e.node == "consumption_restriction_lifted" and lifted_while_active:
            return (
                f"C5 失信期间解除限制消费：{name}的限制消费令于{e.on.isoformat()}解除，"
                f"而其失信名单信息仍在公布中（CONS-2）"
            )
    return None


def active_restraint_value(case: CaseRecord, day: date) -> Decimal:
    """The recorded value of restraints active on ``day``: ``restraint`` events on or before
    it, not released by then, and not expired (``expires_on`` ≥ day; a
    ``restraint_renewed`` on or before the day sets a new ``expires_on``)."""
    active: dict[Any, tuple[Decimal, date | None]] = {}
    for e in case.events_of("restraint", "restraint_renewed", "restraint_released"):
        if e.on > day:
            break
        if e.node == "restraint":
            value = Decimal(str(e.data.get("value") or "0"))
            active[e.asset] = (value, e.date_field("expires_on"))
        elif e.node == "restraint_renewed" and e.asset in active:
            active[e.asset] = (active[e.asset][0], e.date_field("expires_on"))
        elif e.node == "restraint_released":
            active.pop(e.asset, None)
    return sum(
        (value for value, expires in active.values() if expires is None or expires >= day),
        Decimal("0.00"),
    )


def c6_restraints_short(case: CaseRecord, facts: ListingFacts) -> str | None:
    """indicators.md §6 C6, CREDIT-3 (失信规定 第三条第（二）项): a no-term (G1) entry only when,
    on the listing day, the recorded value of active restraints was below the unpaid claim
    (claim − recovered): seized property sufficient to pay excludes G1."""
    if facts.is_term:
        return None
    held = active_restraint_value(case, facts.listed_on)
    unpaid = case.unpaid
    if held < unpaid:
        return None
    return (
        f"C6 已控财产足以清偿：纳入失信被执行人名单时（{facts.listed_on.isoformat()}）已查封、扣押、冻结的财产价值"
        f"{yuan(held)}元，不低于未执行金额{yuan(unpaid)}元，不得以“有履行能力而拒不履行”纳入（CREDIT-3）"
    )


@dataclass(frozen=True)
class CreditRow:
    """One listing's checks at as-of (spec/cli.md ``check credit --json``)."""

    case_number: str
    listing: str | None
    party: str
    party_name: str | None
    listed_on: date
    grounds: tuple[str, ...]
    term_years: Any
    deletion_due_on: date | None  # null until the ground exists by as-of
    deleted_on: date | None  # credit_deletion by as-of
    failed: tuple[str, ...]
    reasons: dict[str, str] = field(default_factory=dict)
    revoked_on: date | None = None  # credit_revocation by as-of (an added field)

    def to_json(self) -> dict[str, Any]:
        return {
            "case_number": self.case_number,
            "listing": self.listing,
            "party": self.party,
            "party_name": self.party_name,
            "listed_on": self.listed_on.isoformat(),
            "grounds": list(self.grounds),
            "term_years": self.term_years,
            "deletion_due_on": self.deletion_due_on.isoformat() if self.deletion_due_on else None,
            "deleted_on": self.deleted_on.isoformat() if self.deleted_on else None,
            "failed": list(self.failed),
            "reasons": dict(self.reasons),
            "revoked_on": self.revoked_on.isoformat() if self.revoked_on else None,
        }


def credit_checks(case: CaseRecord, as_of: date) -> list[CreditRow]:
    """indicators.md §6: C1–C6 of every listing dated on or before as-of, in event order."""
    rows = []
    for facts in listing_facts(case):
        if facts.listed_on > as_of:
            continue
        checks = {
            "C1": c1_adult(case, facts),
            "C2": c2_term(facts),
            "C3": c3_no_term_deletion(facts, as_of),
            "C4": c4_term_deletion(facts, as_of),
            "C5": c5_consumption_restriction(case, facts, as_of),
            "C6": c6_restraints_short(case, facts),
        }
        reasons = {check: reason for check, reason in checks.items() if reason is not None}
        deletion = _deletion_at(facts, as_of)
        party = case.party(facts.party)
        rows.append(
            CreditRow(
                case_number=case.case_number,
                listing=facts.listing,
                party=facts.party,
                party_name=party.name if party else None,
                listed_on=facts.listed_on,
                grounds=facts.grounds,
                term_years=facts.term_years,
                deletion_due_on=deletion[1] if deletion else None,
                deleted_on=_seen(facts.deleted_on, as_of),
                failed=tuple(reasons),
                reasons=reasons,
                revoked_on=_seen(facts.revoked_on, as_of),
            )
        )
    return rows


def k9_obligations(case: CaseRecord, as_of: date) -> list[Obligation]:
    """indicators.md §3 K9, CREDIT-8/9: one obligation per listing (dated on or before as-of)
    whose deletion ground exists by as-of — trigger the ground day, last day the 3rd
    working day after it (PER-5), discharged by the listing's ``credit_deletion`` or
    ``credit_revocation``. There is none for a listing that ended before its ground, nor
    for one revoked on or before the due day (a revocation ends every obligation of that
    listing, §6); a revocation after the due day cannot undo an obligation that was
    already overdue at an earlier as-of, so it discharges it late instead."""
    result = []
    for facts in listing_facts(case):
        seen = None if facts.listed_on > as_of else _deletion_at(facts, as_of)
        if seen is None:
            continue
        trigger, due, done = seen
        result.append(
            Obligation(
                key_node="K9",
                node=DELETION,
                ref=facts.listing,
                trigger_on=trigger,
                due_on=due,
                done_on=done,
                status=status_at(due, done, as_of),
                provisional=periods.is_provisional(trigger, due),
                rule=facts.rule,
            )
        )
    return result
