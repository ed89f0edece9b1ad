"""After a 终本 closing: the obligations that follow it and the measures that stay in force.

Pure functions of a case record and an as-of date (no database), like ``rules.py``:

- registry entry within 7 days of service (TERM-11) and the re-query every 6 months for 5
  years (TERM-12) are the key nodes K7 and K8 of ``flow.rules`` — reused, not redone;
- the notice of each re-query result to the applicant (TERM-12);
- hiding the registry entry within 3 days of a ground (TERM-15);
- the measures a 终本 closing leaves in force (TERM-14): 限制消费, 失信 listings, restraints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from zhixing.cases.choices import ClosingMode
from zhixing.cases.records import CaseRecord
from zhixing.credit.rules import listing_facts
from zhixing.flow import rules as flow_rules
from zhixing.flow.obligations import PENDING, status_at
from zhixing.lib import periods

REGISTRY_ENTRY, REQUERY, NOTIFY, HIDE = "registry_entry", "requery", "notify", "hide"
#: TERM-15: the registry entry is hidden "within 3 days" of its ground (PER-1, rolled, PER-3).
HIDE_DAYS = 3
#: TERM-15: closings of the linked 执恢 case that end the debt for good.
HIDING_CLOSINGS = {
    ClosingMode.PERFORMED: "恢复执行案件执行完毕",
    ClosingMode.TERMINATED: "恢复执行案件裁定终结执行",
}


@dataclass(frozen=True, slots=True)
class FollowUp:
    """One after-closing obligation at as-of. ``due_on`` is None where the law sets no day
    (the notice of a result: TERM-12 says only that it is notified)."""

    kind: str  # registry_entry, requery, notify, hide
    ref: str  # K8's sequence number, the inquiry day, or ""
    trigger_on: date
    due_on: date | None
    done_on: date | None
    status: str  # flow.obligations: done, done_late, pending, overdue
    rule: str
    text: str  # what is to be done, in Chinese

    @property
    def open(self) -> bool:
        return self.done_on is None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref or None,
            "trigger_on": self.trigger_on.isoformat(),
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "done_on": self.done_on.isoformat() if self.done_on else None,
            "status": self.status,
            "rule": self.rule,
            "text": self.text,
        }


def _seen(record: CaseRecord, as_of: date, *nodes: str):
    return [e for e in record.events_of(*nodes) if e.on <= as_of]


def key_node_followups(record: CaseRecord, as_of: date) -> list[FollowUp]:
    """K7 (TERM-11) and K8 (TERM-12) from ``flow.rules.obligations``: indicators.md §3."""
    out = []
    for o in flow_rules.obligations(record, as_of):
        if o.key_node == "K7":
            out.append(
                FollowUp(
                    REGISTRY_ENTRY,
                    "",
                    o.trigger_on,
                    o.due_on,
                    o.done_on,
                    o.status,
                    "TERM-11",
                    f"终本裁定于{o.trigger_on.isoformat()}送达，应于{o.due_on.isoformat()}前录入终本案件库",
                )  # fmt: skip
            )
        elif o.key_node == "K8":
            out.append(
                FollowUp(
                    REQUERY,
                    o.ref or "",
                    o.trigger_on,
                    o.due_on,
                    o.done_on,
                    o.status,
                    "TERM-12",
                    f"终本后第{o.ref}次定期网络查询，应于{o.due_on.isoformat()}前完成",
                )  # fmt: skip
            )
    return out


def notice_followups(record: CaseRecord, as_of: date) -> list[FollowUp]:
    """TERM-12 (终本规定 第九条): the result of every ``online_inquiry`` after the closing is
    notified to the applicant — discharged by the first ``inquiry_result_notified`` on or
    after the inquiry's day. No period is set, so there is no due day: an open one is
    ``pending`` until done."""
    if record.closed_on is None or not record.is_terminated_current:
        return []
    notices = [e.on for e in _seen(record, as_of, "inquiry_result_notified")]
    out = []
    for e in _seen(record, as_of, "online_inquiry"):
        if e.on <= record.closed_on:
            continue
        done = next((d for d in notices if d >= e.on), None)
        found = len(e.data.get("found") or ())
        result = f"发现财产{found}项" if found else "未发现可供执行财产"
        out.append(
            FollowUp(
                NOTIFY,
                e.on.isoformat(),
                e.on,
                None,
                done,
                status_at(None, done, as_of),
                "TERM-12",
                f"{e.on.isoformat()}网络查询结果（{result}）应告知申请执行人",
            )  # fmt: skip
        )
    return out


def hiding_ground(
    record: CaseRecord, resumed: CaseRecord | None, recorded: Iterable[tuple[date, str]] = ()
) -> tuple[date, str] | None:
    """TERM-15 (终本规定 第十八条): the first ground to hide the registry entry — the linked 执恢
    case closed 执行完毕 or 终结执行 (its closing day), or a ground recorded on this case
    (obligations performed, a 终结执行 ruling, another legal ground)."""
    grounds = list(recorded)
    if resumed is not None and resumed.closed_on is not None and resumed.closing_mode in HIDING_CLOSINGS:
        grounds.append(
            (resumed.closed_on, f"{HIDING_CLOSINGS[resumed.closing_mode]}（{resumed.case_number}）")
        )
    return min(grounds, default=None, key=lambda g: g[0])


def hide_followups(
    record: CaseRecord,
    as_of: date,
    *,
    resumed: CaseRecord | None = None,
    recorded: Iterable[tuple[date, str]] = (),
) -> list[FollowUp]:
    """TERM-15: once a ground arises (seen at as-of) for a case whose 终本 entry was made, a
    ``termination_registry_hidden`` within 3 days of the ground (PER-1, rolled forward
    PER-3); discharged by the first one on or after the ground's day."""
    if record.closed_on is None or not record.is_terminated_current:
        return []
    ground = hiding_ground(record, resumed, recorded)
    if ground is None or ground[0] > as_of:
        return []
    entry = record.first("termination_registry_entry", on_or_before=as_of)
    if entry is None:
        return []  # nothing was published, so nothing to hide
    day, why = ground
    due = periods.days_deadline(day, HIDE_DAYS)
    done = record.first("termination_registry_hidden", on_or_after=day, on_or_before=as_of)
    done_on = done.on if done else None
    return [
        FollowUp(
            HIDE,
            "",
            day,
            due,
            done_on,
            status_at(due, done_on, as_of),
            "TERM-15",
            f"{why}（{day.isoformat()}），应于{due.isoformat()}前屏蔽终本案件库信息",
        )  # fmt: skip
    ]


def followups(
    record: CaseRecord,
    as_of: date,
    *,
    resumed: CaseRecord | None = None,
    recorded: Iterable[tuple[date, str]] = (),
) -> list[FollowUp]:
    """Every after-closing obligation of a 终本 case at as-of, ordered by due day (open
    notices, which have none, by their inquiry day)."""
    if record.closed_on is None or not record.is_terminated_current or record.closed_on > as_of:
        return []
    found = key_node_followups(record, as_of) + notice_followups(record, as_of)
    found += hide_followups(record, as_of, resumed=resumed, recorded=recorded)
    return sorted(found, key=lambda f: (f.due_on or f.trigger_on, f.kind, f.ref))


def due_for_reminder(f: FollowUp, as_of: date, lead_days: int) -> bool:
    """An open obligation whose due day is within ``lead_days`` after as-of, or has passed;
    an open notice (no due day) at once."""
    if not f.open:
        return False
    return f.due_on is None or f.due_on <= periods.add_days(as_of, lead_days) or f.status != PENDING


# -- TERM-14: measures that stay in force ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Measure:
    kind: str  # consumption_restriction, credit_listing, restraint
    label: str  # 限制消费, 失信被执行人名单, 查封/扣押/冻结
    party: str | None
    party_name: str | None
    since: date
    ref: str | None  # listing id or asset
    expires_on: date | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "party": self.party,
            "party_name": self.party_name,
            "since": self.since.isoformat(),
            "ref": self.ref,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "detail": self.detail,
        }


def live_measures(record: CaseRecord, on: date) -> list[Measure]:
    """TERM-14 (终本规定 第十五条; CONS-9): the measures in force on day ``on`` — a closing by
    终本 lifts none of them.

    - 限制消费: a debtor whose last ``consumption_restriction``/``…_lifted`` event on or before
      ``on`` is a restriction;
    - 失信: listings active on ``on`` (credit.rules.listing_facts: listed on or before it and
      not ended by a deletion or revocation on or before it);
    - restraints: as ``credit.rules.active_restraint_value`` counts them — a ``restraint`` on
      or before ``on``, not released by then, whose ``expires_on`` (or a renewal's) is on or
      after ``on``."""
    name = {p.id: p.name for p in record.parties}
    out: list[Measure] = []
    last: dict[str, Any] = {}
    for e in record.events_of("consumption_restriction", "consumption_restriction_lifted"):
        if e.on <= on and e.party:
            if e.node == "consumption_restriction_lifted":
                last[e.party] = None
            elif last.get(e.party) is None:
                last[e.party] = e
    for party, e in last.items():
        if e is not None:
            out.append(Measure("consumption_restriction", "限制消费", party, name.get(party), e.on, None, None,
                               f"{e.on.isoformat()}起限制{name.get(party, party)}高消费"))  # fmt: skip
    for f in listing_facts(record):
        if f.listed_on <= on and not (f.ended_on is not None and f.ended_on <= on):
            term = f"期限{f.term_years}年" if f.is_term and f.term_years else "无固定期限"
            out.append(Measure("credit_listing", "失信被执行人名单", f.party, name.get(f.party), f.listed_on, f.listing,
                               None, f"{f.listed_on.isoformat()}纳入失信被执行人名单（{'、'.join(f.grounds)}，{term}）"))  # fmt: skip
    held: dict[Any, dict[str, Any]] = {}
    for e in record.events_of("restraint", "restraint_renewed", "restraint_released"):
        if e.on > on:
            break
        if e.node == "restraint":
            held[e.asset] = {"event": e, "expires_on": e.date_field("expires_on")}
        elif e.node == "restraint_renewed" and e.asset in held:
            held[e.asset]["expires_on"] = e.date_field("expires_on")
        elif e.node == "restraint_released":
            held.pop(e.asset, None)
    for asset, h in held.items():
        e, expires = h["event"], h["expires_on"]
        if expires is not None and expires < on:
            continue
        measure = e.data.get("measure") or "控制"
        out.append(Measure("restraint", measure, None, None, e.on, asset, expires,
                           f"{e.on.isoformat()}{measure}{e.data.get('category') or ''}（{asset}，价值{e.data.get('value')}元）"
                           + (f"，至{expires.isoformat()}" if expires else "")))  # fmt: skip
    order = {"consumption_restriction": 0, "credit_listing": 1, "restraint": 2}
    return sorted(out, key=lambda m: (order[m.kind], m.since, m.ref or "", m.party or ""))
