"""The published list derived from a case's events (pure; ``services.sync_entries`` stores it).

One entry per person or unit and kind:

- **失信** (``dishonest``): one per ``credit_listing``, ended by the deletion or revocation
  that ends it (``rules.listing_facts``, indicators.md §6), with its K9 deletion days.
  ``credit_correction`` events naming the listing (or, naming none, every listing of the
  party) replace published fields given in their ``fields`` object (CREDIT-11: 更正):
  ``name``, ``id_number``, ``credit_code``, ``legal_representative``, ``conduct``.
- **限制消费** (``restricted``): one per period of restriction of a debtor — from a
  ``consumption_restriction`` until the party's next ``consumption_restriction_lifted``
  — and, for a unit, one per person the order names in ``persons`` (CONS-4: 法定代表人,
  主要负责人, 影响债务履行的直接责任人员, 实际控制人; ``[{"role", "name", "id_number"}]``). A
  further ``consumption_restriction`` of a party already restricted is an amending order:
  its ``persons`` replace the earlier ones (e.g. a new 法定代表人 after a genuine change,
  善意文明执行意见 第17条(2)); persons no longer named end on its day.

Every entry is named by ``source``, stable across rebuilds: ``D<event id>`` for a listing,
``R<event id>`` for a restriction period and ``R<event id>:<person>`` for a person it
covers (the event that first named them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from zhixing.cases.records import CaseRecord, Event, Party
from zhixing.credit.index import InvalidIdentifier, pack
from zhixing.credit.rules import listing_facts

DISHONEST, RESTRICTED = "dishonest", "restricted"
RESTRICTION, LIFTING = "consumption_restriction", "consumption_restriction_lifted"
CORRECTABLE = ("name", "id_number", "credit_code", "legal_representative", "conduct")
#: CONS-4 roles as the ``persons`` items spell them: the courts' term or the English value.
PERSON_ROLES = {
    "法定代表人": "legal_representative",
    "主要负责人": "principal",
    "影响债务履行的直接责任人员": "responsible",
    "直接责任人员": "responsible",
    "实际控制人": "controller",
}
PERSON_ROLES.update({v: v for v in list(PERSON_ROLES.values())})
#: What an entry publishes and the index keys on; the fields compared on a rebuild.
FIELDS = (
    "case_number",
    "party",
    "listing",
    "kind",
    "role",
    "is_unit",
    "name",
    "identifier",
    "key",
    "key_tag",
    "unit_name",
    "legal_representative",
    "grounds",
    "term_years",
    "conduct",
    "listed_on",
    "ended_on",
    "ended_by",
    "deletion_ground_on",
    "deletion_due_on",
)


@dataclass(frozen=True)
class EntryDraft:
    source: str
    case_number: str
    party: str
    listing: str
    kind: str
    role: str
    is_unit: bool
    name: str
    identifier: str
    key: int | None
    key_tag: int
    unit_name: str
    legal_representative: str
    grounds: list[str]
    term_years: int | None
    conduct: str
    listed_on: date
    ended_on: date | None
    ended_by: str
    deletion_ground_on: date | None
    deletion_due_on: date | None

    @property
    def active(self) -> bool:
        return self.ended_on is None

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}


def packed(identifier: str) -> tuple[int | None, int]:
    """The index key of a stored identifier; (None, 0) when it cannot be screened."""
    if not identifier:
        return None, 0
    try:
        return pack(identifier, today=date.max)
    except InvalidIdentifier:
        return None, 0


def listing_ref(event: Event, pk: int) -> str:
    """How the API and pages name a listing: its bundle id, else ``e<event id>``."""
    return event.data.get("id") or f"e{pk}"


def _identifier(party: Party) -> str:
    return party.id_number or party.credit_code or ""


def _corrections(case: CaseRecord) -> list[Event]:
    return case.events_of("credit_correction")


def _corrected(party: Party, listing_id: str | None, corrections: list[Event]) -> dict[str, str]:
    """Published fields after the corrections that apply to this listing, in date order."""
    out: dict[str, str] = {}
    for e in corrections:
        if e.party != party.id:
            continue
        named = e.listing
        if named is not None and named != listing_id:
            continue
        fields = e.data.get("fields")
        if isinstance(fields, dict):
            out.update({k: v for k, v in fields.items() if k in CORRECTABLE and isinstance(v, str)})
    return out


def _dishonest(case: CaseRecord, pks: Sequence[int]) -> list[EntryDraft]:
    corrections = _corrections(case)
    drafts = []
    for facts in listing_facts(case):
        party = case.party(facts.party)
        if party is None:
            continue
        event = case.events[facts.seq]
        fixed = _corrected(party, facts.listing, corrections)
        identifier = fixed.get("id_number") or fixed.get("credit_code") or _identifier(party)
        key, tag = packed(identifier)
        drafts.append(
            EntryDraft(
                source=f"D{pks[facts.seq]}",
                case_number=case.case_number,
                party=party.id,
                listing=listing_ref(event, pks[facts.seq]),
                kind=DISHONEST,
                role="debtor",
                is_unit=not party.is_person,
                name=fixed.get("name", party.name),
                identifier=identifier,
                key=key,
                key_tag=tag,
                unit_name="",
                legal_representative=fixed.get("legal_representative", party.legal_representative or ""),
                grounds=list(facts.grounds),
                term_years=facts.term_years if isinstance(facts.term_years, int) else None,
                conduct=fixed.get("conduct", ""),
                listed_on=facts.listed_on,
                ended_on=facts.ended_on,
                ended_by=facts.ended_by or "",
                deletion_ground_on=facts.deletion_ground_on,
                deletion_due_on=facts.deletion_due_on,
            )
        )
    return drafts


def _persons(event: Event) -> dict[str, dict[str, str]]:
    """CONS-4 persons named by a restriction order, by identity (ID number, else name);
    malformed items of imported history are skipped, not fatal."""
    out: dict[str, dict[str, str]] = {}
    raw = event.data.get("persons")
    if not isinstance(raw, list):
        return out
    for item in raw:
        if not isinstance(item, dict):
            continue
        role = PERSON_ROLES.get(item.get("role"))
        name = item.get("name")
        if role is None or not isinstance(name, str) or not name.strip():
            continue
        number = item.get("id_number") if isinstance(item.get("id_number"), str) else ""
        identity = number or f"n:{name.strip()[:60]}"
        out[identity] = {"role": role, "name": name.strip(), "id_number": number or ""}
    return out


def _restricted(case: CaseRecord, pks: Sequence[int]) -> list[EntryDraft]:
    drafts: list[EntryDraft] = []
    # party id → open period: (source pk, since, {identity: (source, since, person)})
    open_: dict[str, tuple[int, date, dict[str, tuple[str, date, dict[str, str]]]]] = {}

    def draft(
        party: Party, source: str, since: date, ended: date | None, by: str, person: dict | None
    ) -> EntryDraft:
        identifier = (person["id_number"] if person else _identifier(party)) or ""
        key, tag = packed(identifier)
        return EntryDraft(
            source=source,
            case_number=case.case_number,
            party=party.id,
            listing="",
            kind=RESTRICTED,
            role=person["role"] if person else "debtor",
            is_unit=False if person else not party.is_person,
            name=person["name"] if person else party.name,
            identifier=identifier,
            key=key,
            key_tag=tag,
            unit_name=party.name if person else "",
            legal_representative="" if person else (party.legal_representative or ""),
            grounds=[],
            term_years=None,
            conduct="",
            listed_on=since,
            ended_on=ended,
            ended_by=by,
            deletion_ground_on=None,
            deletion_due_on=None,
        )

    for e in case.events_of(RESTRICTION, LIFTING):
        party = case.party(e.party or "")
        if party is None:
            continue
        pk = pks[e.seq]
        if e.node == RESTRICTION:
            named = _persons(e) if not party.is_person else {}
            if party.id not in open_:
                people = {ident: (f"R{pk}:{ident}", e.on, p) for ident, p in named.items()}
                open_[party.id] = (pk, e.on, people)
                continue
            first, since, people = open_[party.id]
            for ident in list(people):
                if ident not in named:  # an amending order no longer names them
                    src, began, person = people.pop(ident)
                    drafts.append(draft(party, src, began, e.on, RESTRICTION, person))
            for ident, person in named.items():
                if ident not in people:
                    people[ident] = (f"R{pk}:{ident}", e.on, person)
                else:
                    src, began, _ = people[ident]
                    people[ident] = (src, began, person)
        elif party.id in open_:
            first, since, people = open_.pop(party.id)
            drafts.append(draft(party, f"R{first}", since, e.on, LIFTING, None))
            for src, began, person in people.values():
                drafts.append(draft(party, src, began, e.on, LIFTING, person))
    for party_id, (first, since, people) in open_.items():
        party = case.party(party_id)
        drafts.append(draft(party, f"R{first}", since, None, "", None))
        for src, began, person in people.values():
            drafts.append(draft(party, src, began, None, "", person))
    return drafts


def derive(case: CaseRecord, pks: Sequence[int]) -> list[EntryDraft]:
    """The entries of one case; ``pks[i]`` is the database id of ``case.events[i]``."""
    return _dishonest(case, pks) + _restricted(case, pks)


def restricted_on(case: CaseRecord, party_id: str, day: date) -> bool:
    """The party is under a consumption restriction at the end of ``day`` (the same
    pairing of orders and liftings as the entries)."""
    state = False
    for e in case.events_of(RESTRICTION, LIFTING):
        if e.on > day:
            break
        if e.party == party_id:
            state = e.node == RESTRICTION
    return state
