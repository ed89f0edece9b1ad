"""The in-memory form of one case: what every rule reads.

A ``CaseRecord`` is built from a validated case-bundle line (``cases.bundle``) or from
the database (``cases.services.load_records``). Rules (``flow.rules``,
``termination.rules``, ``credit.rules``, ``funds.rules``, ``petitions.rules``) are pure
functions of a record and an as-of date, so they run the same way at import, on a form
save, in bulk and in tests.

Values are already parsed: dates are ``datetime.date``, amounts ``Decimal``, enumerations
the English values of ``cases.choices``. ``Event.data`` keeps the event's other fields
exactly as the bundle spells them (JSON values: strings, lists, dicts), so export gives
them back unchanged; the typed accessors below read the common ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from zhixing.cases.choices import CaseType, ClosingMode, PartyKind, PartyRole


@dataclass(frozen=True, slots=True)
class Party:
    id: str
    role: PartyRole
    kind: PartyKind
    name: str
    id_number: str | None = None
    credit_code: str | None = None
    birth_date: date | None = None
    legal_representative: str | None = None
    special: tuple[str, ...] = ()
    #: Fields this version of the bundle does not define, kept for a faithful export.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_debtor(self) -> bool:
        return self.role == PartyRole.DEBTOR

    @property
    def is_person(self) -> bool:
        return self.kind == PartyKind.PERSON


@dataclass(frozen=True, slots=True)
class Event:
    """One process node. ``seq`` is its position in the case's date-sorted event list
    (stable: events of one day keep their bundle order)."""

    node: str
    on: date
    seq: int = 0
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def party(self) -> str | None:
        return self.data.get("party")

    @property
    def clue(self) -> str | None:
        return self.data.get("clue")

    @property
    def asset(self) -> str | None:
        return self.data.get("asset")

    @property
    def listing(self) -> str | None:
        """``credit_deletion``/``credit_revocation``/``credit_correction``: the listing named."""
        return self.data.get("listing")

    def amount(self, key: str = "amount") -> Decimal | None:
        value = self.data.get(key)
        return None if value is None else Decimal(value)

    def date_field(self, key: str) -> date | None:
        value = self.data.get(key)
        return None if value is None else date.fromisoformat(value)


@dataclass(frozen=True, slots=True)
class Receipt:
    id: str
    notice_on: date
    amount: Decimal
    payer: str | None = None
    #: 款项性质 as stored (funds.models.ReceiptKind): only 执行款 counts toward 执行到位.
    kind: str = "execution"


@dataclass(frozen=True, slots=True)
class Disbursement:
    id: str
    receipt: str
    on: date
    amount: Decimal
    payee: str | None = None


@dataclass(frozen=True, slots=True)
class Deferral:
    receipt: str
    approved_on: date
    ground: str | None = None
    ends_on: date | None = None


@dataclass(frozen=True, slots=True)
class Lodgement:
    receipt: str
    on: date
    ground: str | None = None


@dataclass(frozen=True, slots=True)
class Petition:
    id: str
    received_on: date
    registered_on: date | None = None
    source: str | None = None
    referred_by: str | None = None
    about_lower_court: bool = False
    handled_by: str | None = None
    screened_on: date | None = None
    closed_on: date | None = None
    replied: bool | None = None


@dataclass(frozen=True, slots=True)
class CaseRecord:
    case_number: str
    court: str
    case_type: CaseType
    filed_on: date
    non_litigation: bool = False
    application_received_on: date | None = None
    original_case_number: str | None = None
    basis: dict[str, Any] | None = None
    claim_amount: Decimal | None = None
    recovered_amount: Decimal = Decimal("0.00")
    tags: tuple[str, ...] = ()
    handler: str | None = None
    parties: tuple[Party, ...] = ()
    events: tuple[Event, ...] = ()
    receipts: tuple[Receipt, ...] = ()
    disbursements: tuple[Disbursement, ...] = ()
    deferrals: tuple[Deferral, ...] = ()
    lodgements: tuple[Lodgement, ...] = ()
    petitions: tuple[Petition, ...] = ()
    closed_on: date | None = None
    closing_mode: ClosingMode | None = None
    #: The filing day of the earliest 恢复执行 case that names this case as its original
    #: (indicators.md §3 K8, §10). Not part of the bundle line: the loader fills it in.
    resumed_on: date | None = None
    #: Top-level fields this version of the bundle does not define, kept for export.
    extra: dict[str, Any] = field(default_factory=dict)

    # -- vocabulary the rules share -------------------------------------------------

    @property
    def debtors(self) -> tuple[Party, ...]:
        return tuple(p for p in self.parties if p.role == PartyRole.DEBTOR)

    @property
    def applicants(self) -> tuple[Party, ...]:
        return tuple(p for p in self.parties if p.role == PartyRole.APPLICANT)

    def party(self, party_id: str) -> Party | None:
        for p in self.parties:
            if p.id == party_id:
                return p
        return None

    def events_of(self, *nodes: str) -> list[Event]:
        """Events of the given node codes, in date order."""
        wanted = set(nodes)
        return [e for e in self.events if e.node in wanted]

    def first(
        self, node: str, *, on_or_after: date | None = None, on_or_before: date | None = None
    ) -> Event | None:
        """The earliest event of ``node`` within the given bounds (inclusive)."""
        for e in self.events:
            if e.node != node:
                continue
            if on_or_after is not None and e.on < on_or_after:
                continue
            if on_or_before is not None and e.on > on_or_before:
                break
            return e
        return None

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    def closed_by(self, as_of: date) -> bool:
        """The case is closed on or before ``as_of`` (indicators.md §1: later facts are unseen)."""
        return self.closed_on is not None and self.closed_on <= as_of

    @property
    def is_terminated_current(self) -> bool:
        return self.closing_mode == ClosingMode.TERMINATED_CURRENT

    @property
    def application_on(self) -> date:
        """K2/K3 trigger: the application received day, the filing day if unknown."""
        return self.application_received_on or self.filed_on

    @property
    def unpaid(self) -> Decimal:
        return (self.claim_amount or Decimal(0)) - self.recovered_amount
