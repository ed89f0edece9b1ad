"""Deriving per-case facts from records (design.md: rules per case at write time).

Why facts computed with everything known answer every as-of question
(indicators.md §1, "stored facts must not depend on as-of"):

- Statutory deadline D. Whenever the as-of deadline is on or before as-of, it equals
  the deadline computed with everything known: an extension or interval dated after
  as-of cannot count (it is after every deadline in force), and a counted interval still
  running at as-of pushes the as-of deadline past as-of. So ``D ≤ as_of`` is decided by
  the stored D alone; a null D (a counted interval that never ends) is never ≤ as-of.
- closed within deadline: decided by the events up to the closing day — an interval open
  at the closing pushes the deadline past it; later events cannot move a deadline that
  had already passed. So it holds for every as-of on or after the closing.
- IND-10's resolution day: the closing day when actually closed within the deadline,
  else D; a case counts when that day is in the window and on or before as-of.
- Obligations: due and done days with everything known; "overdue in W" compares them
  with W and as-of (a discharge after the due day counts as overdue either way).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from zhixing.cases import bulk
from zhixing.cases.choices import DEADLINE_TYPES, ClosingMode
from zhixing.cases.records import CaseRecord
from zhixing.courts.models import Court
from zhixing.credit import rules as credit_rules
from zhixing.flow import rules as flow_rules
from zhixing.flow.obligations import LAPSED
from zhixing.funds import rules as fund_rules
from zhixing.metrics.models import CaseFact, ObligationFact, PetitionFact, ReceiptFact, TagFact
from zhixing.petitions import rules as petition_rules
from zhixing.termination import facts as termination_facts


def cents(amount) -> int:
    return int(amount * 100)


#: The as-of of "everything known" for rule functions that take a date: later than any
#: fact a case can hold, within the working-day calendar's range.
HORIZON = date(2099, 12, 31)


def all_obligations(case: CaseRecord, as_of: date | None):
    """K1–K9 of a case (indicators.md §3), ordered by key node then trigger."""
    found = flow_rules.obligations(case, as_of)
    if case.receipts:  # K6: one per receipt (FUND-1)
        found += fund_rules.k6_obligations(case, as_of)
    if "credit_listing" in flow_rules.events_by_node(case):  # K9: one per listing (CREDIT-8/9)
        found += credit_rules.k9_obligations(case, as_of or HORIZON)
    return _in_order(found)


def _rank(key_node: str) -> int:
    return int(key_node[1:])


def _trigger_ref(o) -> tuple:
    return o.trigger_on, o.ref or ""


#: Key nodes in the order of their numbers (``_in_order``); any other is placed by its number.
_KEY_ORDER = tuple(f"K{i}" for i in range(1, 10))
_KEY_SET = frozenset(_KEY_ORDER)


def _in_order(found: list) -> list:
    """``sorted(found, key=(key node number, trigger_on, ref or ""))`` — stable, so ties
    keep their order — without a sort key per obligation: group by key node (each group
    keeps its order), take the groups by number, and sort a group by (trigger_on, ref)
    only when it has more than one obligation (K5, K6, K8, K9 can)."""
    groups: dict[str, list] = {}
    for o in found:
        group = groups.get(o.key_node)
        if group is None:
            groups[o.key_node] = [o]
        else:
            group.append(o)
    if len(groups) < 2:
        keys: list[str] | tuple[str, ...] = list(groups)
    elif groups.keys() <= _KEY_SET:
        keys = [key for key in _KEY_ORDER if key in groups]
    else:
        keys = sorted(groups, key=_rank)
    out: list = []
    for key in keys:
        group = groups[key]
        if len(group) > 1:
            group.sort(key=_trigger_ref)
        out += group
    return out


FACT_COLUMNS = (
    "case", "court", "case_type", "filed_on", "closed_on", "closing_mode", "claim_cents", "recovered_cents",
    "duration_days", "actual", "terminated", "performed", "statutory_deadline", "deadline_provisional",
    "closed_within_deadline", "resolution_day", "termination_failed", "t14_due", "registry_entry_on", "resumed_on",
    "special_party",
)  # fmt: skip
OBLIGATION_COLUMNS = (
    "case",
    "court",
    "key_node",
    "ref",
    "trigger_on",
    "due_on",
    "done_on",
    "lapsed",
    "provisional",
)
RECEIPT_COLUMNS = (
    "case",
    "court",
    "receipt",
    "notice_on",
    "amount_cents",
    "due_on",
    "fully_disbursed_on",
    "lodged",
)
PETITION_COLUMNS = (
    "case",
    "court",
    "petition",
    "referred_by",
    "received_on",
    "closing_due_on",
    "closed_on",
    "replied",
)
TAG_COLUMNS = ("case", "tag", "since")


def derive(case_id: int, court_id: int, case: CaseRecord, courts: dict[str, int]):
    """The fact rows of one case, as tuples in the column orders above."""
    deadline, provisional = flow_rules.statutory_deadline(case, None)
    within = case.closed_on is not None and flow_rules.closed_within_deadline(case, case.closed_on)
    mode = case.closing_mode
    actual = mode is not None and mode != ClosingMode.TERMINATED_CURRENT
    resolution = None
    if case.case_type in DEADLINE_TYPES:
        resolution = case.closed_on if (actual and within) else deadline
    t_failed, t14_due, registry_on = False, None, None
    if mode == ClosingMode.TERMINATED_CURRENT:
        tf = termination_facts.termination_facts(case)
        t_failed, t14_due, registry_on = bool(tf.failed_static), tf.t14_due, tf.registry_entry_on
    special = any(p.special for p in case.debtors)  # §10: 特殊主体 when a debtor has `special`
    fact = (
        case_id, court_id, case.case_type.value, case.filed_on, case.closed_on, mode.value if mode else "",
        cents(case.claim_amount or 0), cents(case.recovered_amount),
        (case.closed_on - case.filed_on).days if case.closed_on else None, actual,
        mode == ClosingMode.TERMINATED_CURRENT, mode == ClosingMode.PERFORMED, deadline, provisional, within,
        resolution, t_failed, t14_due, registry_on, case.resumed_on, special,
    )  # fmt: skip
    obligations = [
        (
            case_id,
            court_id,
            o.key_node,
            o.ref or "",
            o.trigger_on,
            o.due_on,
            o.done_on,
            o.status == LAPSED,
            o.provisional,
        )
        for o in all_obligations(case, None)
    ]
    receipts = [
        (
            case_id,
            court_id,
            c.receipt,
            c.notice_on,
            cents(c.amount),
            c.due_on,
            c.disbursed_on,
            c.status == "lodged",
        )
        for c in (fund_rules.receipt_clocks(case, None) if case.receipts else ())
    ]
    by_id = {p.id: p for p in case.petitions}
    petitions = [
        (
            case_id,
            courts.get(c.handled_by, court_id),
            c.petition,
            by_id[c.petition].referred_by or "",
            c.received_on,
            c.closing_due_on,
            c.closed_on,
            bool(by_id[c.petition].replied),
        )  # fmt: skip
        for c in (petition_rules.petition_clocks(case, None) if case.petitions else ())
    ]
    tags = [(case_id, t, case.filed_on) for t in dict.fromkeys(case.tags)]
    if special and "特殊主体" not in case.tags:
        tags.append((case_id, "特殊主体", case.filed_on))
    if case.petitions and "涉信访" not in case.tags:
        tags.append((case_id, "涉信访", min(p.received_on for p in case.petitions)))
    return fact, obligations, receipts, petitions, tags


def refresh_facts(pairs: Iterable[tuple[int, CaseRecord]]) -> int:
    """Replace the facts of the given cases (and only theirs) in one transaction."""
    pairs = list(pairs)
    if not pairs:
        return 0
    codes = {c.court for _, c in pairs} | {
        p.handled_by for _, c in pairs for p in c.petitions if p.handled_by
    }
    courts = dict(Court.objects.filter(code__in=codes).values_list("code", "pk"))
    for code in codes - courts.keys():
        from zhixing.courts.services import ensure_court

        courts[code] = ensure_court(code).pk
    facts, obligations, receipts, petitions, tags = [], [], [], [], []
    for case_id, record in pairs:
        f, o, r, p, t = derive(case_id, courts[record.court], record, courts)
        facts.append(f)
        obligations += o
        receipts += r
        petitions += p
        tags += t
    ids = [pk for pk, _ in pairs]
    with transaction.atomic():
        for model in (CaseFact, ObligationFact, ReceiptFact, PetitionFact, TagFact):
            model.objects.filter(case_id__in=ids).delete()
        bulk.insert(CaseFact, FACT_COLUMNS, facts)
        bulk.insert(ObligationFact, OBLIGATION_COLUMNS, obligations)
        bulk.insert(ReceiptFact, RECEIPT_COLUMNS, receipts)
        bulk.insert(PetitionFact, PETITION_COLUMNS, petitions)
        bulk.insert(TagFact, TAG_COLUMNS, tags)
        # The 终本 verdict rows `zhixing check termination` reads (termination.facts).
        from zhixing.termination.facts import refresh_termination_facts

        refresh_termination_facts(pairs)
    return len(pairs)


def refresh_all_facts(*, progress=None, chunk: int = 2000) -> int:
    """Derive every case's facts again, a chunk per transaction (idempotent: a re-run
    after a crash simply recomputes)."""
    from zhixing.cases.loader import load_records
    from zhixing.cases.models import Case

    done = 0
    batch: list[tuple[int, CaseRecord]] = []
    for pair in load_records(Case.objects.all(), chunk=chunk):
        batch.append(pair)
        if len(batch) >= chunk:
            done += refresh_facts(batch)
            batch = []
            if progress:
                progress(done)
    done += refresh_facts(batch)
    if progress:
        progress(done)
    return done
