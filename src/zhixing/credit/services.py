"""Every change to the 失信 list, 限制消费 and agency keys (design.md: one typed service
function per change, owning its transaction).

A decision locks the case row (``select_for_update``; an ``expected_version`` from the
form or API is compared with the case's ``version``), checks the rules on the case *as it
would be* with the new event (``rules.credit_checks`` — the same code ``zhixing check
credit`` runs, so a form can never save what the check would fail), then appends the
``NodeEvent``, the ``CreditDecision`` (document, signer, reason, who), bumps the case's
version, refreshes its facts and its list entries in the same transaction, and pokes the
screening index once the transaction has committed.

Imports do not come through here: ``rebuild_entries`` (``zhixing credit_rebuild``)
derives the list from the event log of any cases — call ``sync_entries(case_ids)`` after
an import batch.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhixing.cases.loader import load_records
from zhixing.cases.models import Case, NodeEvent
from zhixing.cases.records import CaseRecord, Event
from zhixing.credit import entries as E
from zhixing.credit import index
from zhixing.credit.models import (
    Action,
    Agency,
    ApiKey,
    CreditDecision,
    DeletionGround,
    DeletionReminder,
    LiftingGround,
    ListEntry,
    ListSequence,
    Scope,
)
from zhixing.credit.rules import TERM_GROUNDS, credit_checks, is_term_entry, listing_facts
from zhixing.lib import errors, periods
from zhixing.lib.identifiers import credit_code_error, id_number_error
from zhixing.metrics.facts import refresh_facts

CREDIT_NODES = tuple(a.value for a in Action)
#: Checks a new listing must pass before it is saved (indicators.md §6; C3/C4 are about
#: deleting later, so they cannot fail on the listing day), with the form field each names.
LISTING_CHECKS = {"C1": "party", "C2": "term_years", "C5": "restrict", "C6": "grounds"}
NO_TERM_DELETION_GROUNDS = frozenset(
    {
        DeletionGround.PERFORMED,
        DeletionGround.SETTLEMENT,
        DeletionGround.APPLICANT_REQUEST,
        DeletionGround.NO_PROPERTY,
        DeletionGround.SUSPENDED,
        DeletionGround.NOT_ENFORCED,
        DeletionGround.TERMINATED,
    }
)
TERM_DELETION_GROUNDS = frozenset({DeletionGround.TERM_EXPIRED, DeletionGround.EARLY})
SYSTEM_SIGNER = "系统"


class CreditError(errors.Refused, ValueError):
    """Bad input for a decision: ``field`` names the input, ``message`` the rule (Chinese)."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class Conflict(errors.Conflict, CreditError):
    """The case changed since the caller read it (optimistic concurrency)."""


class NotAllowed(errors.NotAllowed, PermissionDenied):
    """The user's court may see the case but not decide on it (a 403; pages show Django's)."""


@dataclasses.dataclass(frozen=True)
class Document:
    """The decision document every credit decision carries (CREDIT-6, CONS-6)."""

    decided_on: date
    number: str
    signer: str
    reason: str = ""


# -- the case under a lock ---------------------------------------------------------------------


@dataclasses.dataclass
class Locked:
    case: Case
    record: CaseRecord
    pks: list[int]  # pks[i] is the NodeEvent id of record.events[i]


def _event_pks(case_ids: list[int]) -> dict[int, list[int]]:
    """Effective event ids per case, in the loader's order (``cases.loader``)."""
    out: dict[int, list[int]] = defaultdict(list)
    rows = (
        NodeEvent.objects.filter(case_id__in=case_ids, withdrawn=False, superseded_by__isnull=True)
        .order_by("case_id", "on", "position", "pk")
        .values_list("case_id", "pk")
    )
    for case_id, pk in rows:
        out[case_id].append(pk)
    return out


def _check_document(doc: Document, case: Case) -> None:
    if not doc.number.strip():
        raise CreditError("document_number", "请填写决定书文号（CREDIT-6：决定应制作决定书）")
    if not doc.signer.strip():
        raise CreditError("signer", "请填写签发人（CREDIT-6、CONS-6：由院长签发）")
    if doc.decided_on > timezone.localdate():
        raise CreditError("decided_on", f"决定日期 {doc.decided_on.isoformat()} 晚于今天，不能预先录入")
    if doc.decided_on < case.filed_on:
        raise CreditError(
            "decided_on", f"决定日期 {doc.decided_on.isoformat()} 早于立案日期 {case.filed_on.isoformat()}"
        )


def _lock(user, case: Case | int, expected_version: int | None) -> Locked:
    """Lock the case, check the caller may act on it and that it has not changed."""
    pk = case.pk if isinstance(case, Case) else case
    locked = Case.objects.select_for_update(of=("self",)).select_related("court").get(pk=pk)
    if user is not None:
        if not Case.objects.visible_to(user).filter(pk=pk).exists():
            raise Case.DoesNotExist
        if not (user.is_superuser or user.court_id == locked.court_id):
            raise NotAllowed("只有本案承办法院可以作出失信、限制消费决定")
    if expected_version is not None and expected_version != locked.version:
        raise Conflict(
            "version", f"案件已被他人修改（版本 {locked.version}，提交的是 {expected_version}），请刷新后重试"
        )
    (pair,) = load_records([pk])
    return Locked(locked, pair[1], _event_pks([pk])[pk])


def _with_event(record: CaseRecord, node: str, on: date, data: dict) -> CaseRecord:
    """The record as it would be with one more event (after the events of its day)."""
    before = [e for e in record.events if e.on <= on]
    after = [e for e in record.events if e.on > on]
    events = [*before, Event(node, on, 0, data), *after]
    return dataclasses.replace(
        record, events=tuple(dataclasses.replace(e, seq=i) for i, e in enumerate(events))
    )


def _append(
    locked: Locked,
    user,
    node: str,
    on: date,
    data: dict,
    doc: Document,
    action_fields: dict,
    source: str = NodeEvent.Source.FORM,
) -> CreditDecision:
    case = locked.case
    position = (
        NodeEvent.objects.filter(case=case).order_by("-position").values_list("position", flat=True).first()
        or 0
    ) + 1
    who = (getattr(user, "display_name", "") or getattr(user, "username", "")) if user else SYSTEM_SIGNER
    event = NodeEvent.objects.create(
        case=case,
        node=node,
        on=on,
        data={**data, "document_number": doc.number, "by": who},
        position=position,
        source=source,
        recorded_by=user if user is not None and user.is_authenticated else None,
    )
    decision = CreditDecision.objects.create(
        case=case,
        court_id=case.court_id,
        event=event,
        action=node,
        party=data["party"],
        listing=data.get("listing") or data.get("id") or "",
        decided_on=on,
        document_number=doc.number,
        signer=doc.signer,
        reason=doc.reason,
        recorded_by=event.recorded_by,
        **action_fields,
    )
    # Optimistic concurrency: everyone who read the old version now gets a conflict.
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
    (pair,) = load_records([case.pk])
    refresh_facts([pair])
    sync_entries([case.pk], records={case.pk: pair[1]})
    return decision


def _debtor(record: CaseRecord, party_id: str):
    party = record.party(party_id)
    if party is None:
        raise CreditError("party", f"当事人 {party_id!r} 在本案中不存在")
    if not party.is_debtor:
        raise CreditError(
            "party", f"{party.name}不是本案被执行人，不能纳入失信名单或限制消费（CREDIT-1、CONS-4）"
        )
    return party


# -- listing (纳入) --------------------------------------------------------------------------------


def _next_listing_id(case: Case) -> str:
    """``L1``, ``L2`` … unique within the case (withdrawn events included)."""
    rows = NodeEvent.objects.filter(case=case, node="credit_listing").values_list("data", flat=True)
    used = {d.get("id") for d in rows if isinstance(d, dict)}
    n = len(used) + 1
    while f"L{n}" in used:
        n += 1
    return f"L{n}"


def default_term(grounds: list[str]) -> int | None:
    """CREDIT-5: no term for G1 alone, else two years."""
    return 2 if is_term_entry(tuple(grounds)) else None


@transaction.atomic
def list_party(
    user,
    case: Case | int,
    *,
    party: str,
    grounds: list[str],
    term_years: int | None,
    doc: Document,
    restrict: bool = False,
    on_applicant_request: bool = False,
    requested_on: date | None = None,
    expected_version: int | None = None,
) -> CreditDecision:
    """纳入失信被执行人名单 (CREDIT-1…6, CREDIT-10, CREDIT-13).

    Refused, with the rule, when: the party is not a debtor; the obligation is performed
    (CREDIT-1); the debtor is a minor on the decision day (C1, CREDIT-4); the term does
    not fit the grounds (C2, CREDIT-5 — G1 alone has none); no consumption restriction is
    in force and ``restrict`` is off (C5, CONS-2; with ``restrict`` the order is made the
    same day, before the listing); restraints already cover the unpaid claim and the only
    ground is G1 (C6, CREDIT-3); the party is already listed in this case; or, on the
    applicant's request, within six months of a deletion made on the applicant's own
    request (CREDIT-10)."""
    locked = _lock(user, case, expected_version)
    record = locked.record
    _check_document(doc, locked.case)
    debtor = _debtor(record, party)
    grounds = sorted(dict.fromkeys(grounds))
    if not grounds or any(g not in ("G1", *TERM_GROUNDS) for g in grounds):
        raise CreditError("grounds", "请至少选择一项失信情形（CREDIT-1）")
    if record.claim_amount is not None and record.unpaid <= 0:
        raise CreditError("party", "被执行人已全部履行生效法律文书确定的义务，不得纳入失信名单（CREDIT-1）")
    on = doc.decided_on
    active = [
        f for f in listing_facts(record) if f.party == party and f.listed_on <= on and f.ended_on is None
    ]
    if active:
        raise CreditError(
            "party",
            f"{debtor.name}在本案中已被纳入失信名单（{active[0].listed_on.isoformat()}），不能重复纳入",
        )
    if on_applicant_request:
        _credit_10(locked, party, on)
    if restrict and not E.restricted_on(record, party, on):
        restrict_consumption(user, locked.case, party=party, doc=doc, persons=None)
        locked = _lock(None, locked.case, None)
        record = locked.record
    listing_id = _next_listing_id(locked.case)
    data = {"id": listing_id, "party": party, "grounds": grounds, "term_years": term_years}
    prospective = _with_event(record, "credit_listing", on, data)
    (row,) = [r for r in credit_checks(prospective, on) if r.listing == listing_id]
    for check, field_name in LISTING_CHECKS.items():
        if check in row.reasons:
            raise CreditError(field_name, row.reasons[check])
    return _append(
        locked,
        user,
        "credit_listing",
        on,
        data,
        doc,
        {
            "grounds": grounds,
            "term_years": term_years,
            "on_applicant_request": on_applicant_request,
            "requested_on": requested_on,
        },
    )


def _credit_10(locked: Locked, party: str, on: date) -> None:
    """CREDIT-10 (失信规定 第十条第四款): after a deletion on the applicant's own request,
    the applicant's request to list again within six months (以内 includes the day) is refused."""
    last = (
        CreditDecision.objects.filter(case=locked.case, party=party, action=Action.DELETION)
        .order_by("-decided_on", "-pk")
        .first()
    )
    if last is not None and last.ground == DeletionGround.APPLICANT_REQUEST:
        until = periods.add_months(last.decided_on, 6)
        if on <= until:
            raise CreditError(
                "on_applicant_request",
                f"失信信息已于{last.decided_on.isoformat()}依申请执行人申请删除，"
                f"{until.isoformat()}前申请执行人再次申请纳入的，不予支持（CREDIT-10）",
            )


# -- deletion, revocation, correction ------------------------------------------------------------


def _find_listing(locked: Locked, ref: str):
    for facts in listing_facts(locked.record):
        event = locked.record.events[facts.seq]
        if E.listing_ref(event, locked.pks[facts.seq]) == ref or (
            facts.listing is not None and facts.listing == ref
        ):
            return facts
    raise CreditError("listing", f"本案没有编号为 {ref!r} 的失信信息")


def _ending_data(locked: Locked, facts) -> dict:
    """A deletion or revocation names the listing by its id; one without an id can only
    be ended by an event naming none, which ends every active listing of the party
    (indicators.md §6), so that must be the only one."""
    if facts.listing is not None:
        return {"party": facts.party, "listing": facts.listing}
    others = [
        f
        for f in listing_facts(locked.record)
        if f.party == facts.party and f.ended_on is None and f.seq != facts.seq
    ]
    if others:
        raise CreditError(
            "listing", "该当事人在本案中另有生效的失信信息，未编号的失信信息不能单独结束，请逐条处理"
        )
    return {"party": facts.party}


def _active_listing(locked: Locked, ref: str, on: date):
    facts = _find_listing(locked, ref)
    if facts.ended_on is not None:
        what = "删除" if facts.ended_by == "credit_deletion" else "撤销"
        raise CreditError("listing", f"该失信信息已于{facts.ended_on.isoformat()}{what}")
    if on < facts.listed_on:
        raise CreditError("decided_on", f"决定日期早于纳入日期 {facts.listed_on.isoformat()}")
    return facts


@transaction.atomic
def delete_listing(
    user,
    case: Case | int,
    *,
    listing: str,
    ground: str,
    doc: Document,
    expected_version: int | None = None,
    source: str = NodeEvent.Source.FORM,
) -> CreditDecision:
    """删除失信信息 (CREDIT-8/9). A no-term (G1) entry on a ground of 失信规定 第十条第一款;
    a term entry once its term has ended (CREDIT-9) or early at the court's discretion
    (第二条第二款). A late deletion is still made (and C3/C4 report it)."""
    locked = _lock(user, case, expected_version)
    if user is not None:
        _check_document(doc, locked.case)
    on = doc.decided_on
    facts = _active_listing(locked, listing, on)
    try:
        ground = DeletionGround(ground)
    except ValueError:
        raise CreditError("ground", f"删除事由 {ground!r} 无效") from None
    if facts.is_term:
        if ground not in TERM_DELETION_GROUNDS:
            raise CreditError(
                "ground",
                "有期限的失信信息依期限届满删除，或因积极履行、主动纠正提前删除（CREDIT-9，失信规定第二条第二款）",
            )
        if ground == DeletionGround.TERM_EXPIRED:
            ends = (
                periods.add_years(facts.listed_on, facts.term_years)
                if isinstance(facts.term_years, int)
                else None
            )
            if ends is None or ends > on:
                raise CreditError(
                    "ground",
                    f"失信期限至{ends.isoformat() if ends else '（未记载）'}届满，尚未届满不能以期限届满删除",
                )
    elif ground not in NO_TERM_DELETION_GROUNDS:
        raise CreditError("ground", "无期限的失信信息只能依失信规定第十条第一款所列情形删除（CREDIT-8）")
    data = {**_ending_data(locked, facts), "ground": ground.value}
    return _append(locked, user, "credit_deletion", on, data, doc, {"ground": ground.value}, source=source)


@transaction.atomic
def revoke_listing(
    user, case: Case | int, *, listing: str, doc: Document, expected_version: int | None = None
) -> CreditDecision:
    """撤销 a wrongful listing (CREDIT-11, 失信规定 第九条): ends it and every obligation of it."""
    locked = _lock(user, case, expected_version)
    _check_document(doc, locked.case)
    if not doc.reason.strip():
        raise CreditError("reason", "请写明撤销理由（CREDIT-11：错误纳入的应当撤销）")
    facts = _active_listing(locked, listing, doc.decided_on)
    return _append(locked, user, "credit_revocation", doc.decided_on, _ending_data(locked, facts), doc, {})


@transaction.atomic
def correct_listing(
    user,
    case: Case | int,
    *,
    listing: str,
    fields: dict[str, str],
    doc: Document,
    expected_version: int | None = None,
) -> CreditDecision:
    """更正 inaccurate published information (CREDIT-11/12): name, ID number or credit code,
    legal representative, the concrete conduct. Grounds and term are not corrected here:
    a listing on wrong grounds is revoked and, if warranted, made again."""
    locked = _lock(user, case, expected_version)
    _check_document(doc, locked.case)
    if not doc.reason.strip():
        raise CreditError("reason", "请写明更正理由（CREDIT-11：信息不准确的应当更正）")
    facts = _active_listing(locked, listing, doc.decided_on)
    party = locked.record.party(facts.party)
    fields = {k: v.strip() for k, v in fields.items() if isinstance(v, str) and v.strip()}
    unknown = set(fields) - set(E.CORRECTABLE)
    if unknown:
        raise CreditError("fields", f"不能更正的字段：{'、'.join(sorted(unknown))}")
    if not fields:
        raise CreditError("fields", "请填写需要更正的内容")
    if "id_number" in fields:
        fields["id_number"] = fields["id_number"].upper()
        if not party.is_person:
            raise CreditError("id_number", "单位应更正统一社会信用代码")
        if (err := id_number_error(fields["id_number"])) is not None:
            raise CreditError("id_number", err)
    if "credit_code" in fields:
        fields["credit_code"] = fields["credit_code"].upper()
        if party.is_person:
            raise CreditError("credit_code", "自然人应更正公民身份号码")
        if (err := credit_code_error(fields["credit_code"])) is not None:
            raise CreditError("credit_code", err)
    data = {"party": facts.party, "fields": fields}
    if facts.listing is not None:
        data["listing"] = facts.listing
    return _append(locked, user, "credit_correction", doc.decided_on, data, doc, {"fields": fields})


# -- consumption restriction (限制消费) ----------------------------------------------------------


def _clean_persons(persons: list[dict] | None) -> list[dict]:
    out = []
    for i, p in enumerate(persons or []):
        role = E.PERSON_ROLES.get(p.get("role"))
        if role is None:
            raise CreditError(
                f"persons[{i}].role",
                "人员身份应为法定代表人、主要负责人、影响债务履行的直接责任人员或实际控制人（CONS-4）",
            )
        name = (p.get("name") or "").strip()
        if not name:
            raise CreditError(f"persons[{i}].name", "请填写姓名")
        number = (p.get("id_number") or "").strip().upper()
        if number and (err := id_number_error(number)) is not None:
            raise CreditError(f"persons[{i}].id_number", err)
        out.append({"role": role, "name": name, "id_number": number})
    return out


@transaction.atomic
def restrict_consumption(
    user,
    case: Case | int,
    *,
    party: str,
    doc: Document,
    persons: list[dict] | None = None,
    expected_version: int | None = None,
) -> CreditDecision:
    """限制消费令 (CONS-1, CONS-4, CONS-6). After the execution notice, while the
    obligation is unperformed. For a unit the order also names its 法定代表人, 主要负责人,
    影响债务履行的直接责任人员 and 实际控制人 (``persons``; default: the legal representative
    on record). On a party already restricted it is an amending order replacing the
    persons named (善意文明执行意见 第17条(2))."""
    locked = _lock(user, case, expected_version)
    record = locked.record
    _check_document(doc, locked.case)
    debtor = _debtor(record, party)
    on = doc.decided_on
    if record.first("execution_notice", on_or_before=on) is None:
        raise CreditError("party", "尚未向被执行人发出执行通知，不能限制消费（CONS-1）")
    if record.claim_amount is not None and record.unpaid <= 0:
        raise CreditError("party", "被执行人已全部履行义务，不能限制消费（CONS-1）")
    if debtor.is_person:
        if persons:
            raise CreditError("persons", "被执行人为自然人的，限制消费令只限制其本人（CONS-4）")
        cleaned: list[dict] = []
    elif persons is None:
        cleaned = (
            [{"role": "legal_representative", "name": debtor.legal_representative, "id_number": ""}]
            if debtor.legal_representative
            else []
        )
    else:
        cleaned = _clean_persons(persons)
    already = E.restricted_on(record, party, on)
    if already and persons is None:
        raise CreditError("party", f"{debtor.name}已在限制消费中；变更受限制人员请填写人员名单")
    data: dict[str, Any] = {"party": party}
    if not debtor.is_person:
        data["persons"] = cleaned
    return _append(locked, user, "consumption_restriction", on, data, doc, {"persons": cleaned})


@transaction.atomic
def lift_restriction(
    user, case: Case | int, *, party: str, ground: str, doc: Document, expected_version: int | None = None
) -> CreditDecision:
    """解除限制消费 (CONS-7): on an effective guarantee or the applicant's consent (may),
    or once fully performed (must). Refused while the party is on the 失信 list of this
    case (CONS-2: a listed debtor stays restricted; check C5)."""
    locked = _lock(user, case, expected_version)
    record = locked.record
    _check_document(doc, locked.case)
    debtor = _debtor(record, party)
    on = doc.decided_on
    try:
        ground = LiftingGround(ground)
    except ValueError:
        raise CreditError("ground", f"解除事由 {ground!r} 无效（CONS-7）") from None
    if not E.restricted_on(record, party, on):
        raise CreditError("party", f"{debtor.name}未被限制消费")
    listed = [
        f for f in listing_facts(record) if f.party == party and f.listed_on <= on and f.ended_on is None
    ]
    if listed:
        raise CreditError(
            "party",
            f"{debtor.name}仍在失信被执行人名单中（{listed[0].listed_on.isoformat()}纳入），"
            "应先删除或撤销失信信息，再解除限制消费（CONS-2）",
        )
    data = {"party": party, "ground": ground.value}
    return _append(locked, user, "consumption_restriction_lifted", on, data, doc, {"ground": ground.value})


# -- the derived list ------------------------------------------------------------------------------


def _allocate(n: int) -> int:
    """The first of ``n`` consecutive change numbers; the counter row stays locked until
    the caller's transaction ends, so numbers are committed in order."""
    ListSequence.objects.get_or_create(pk=1)
    row = ListSequence.objects.select_for_update().get(pk=1)
    ListSequence.objects.filter(pk=1).update(value=F("value") + n)
    return row.value + 1


UPDATE_FIELDS = [*E.FIELDS, "screen_payload", "active", "withdrawn", "seq"]


def sync_entries(
    case_ids: Iterable[int], *, records: dict[int, CaseRecord] | None = None, chunk: int = 500
) -> int:
    """Bring the list entries of these cases in line with their events; returns how many
    entries changed (each took a new change number). Idempotent."""
    ids = sorted(set(case_ids))
    changed = 0
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        with transaction.atomic():
            # Lock the cases (in id order, as a decision locks its case before the
            # sequence) so a decision cannot commit between reading and writing them.
            list(
                Case.objects.select_for_update()
                .filter(pk__in=part)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            recs = {pk: records[pk] for pk in part if records and pk in records}
            missing = [pk for pk in part if pk not in recs]
            recs.update(dict(load_records(missing)) if missing else {})
            pks = _event_pks(part)
            courts = dict(Case.objects.filter(pk__in=part).values_list("pk", "court_id"))
            existing = {e.source: e for e in ListEntry.objects.filter(case_id__in=part)}
            create: list[ListEntry] = []
            update: list[ListEntry] = []
            for case_id in part:
                if case_id not in recs:
                    continue
                for draft in E.derive(recs[case_id], pks.get(case_id, [])):
                    values = draft.values()
                    values["screen_payload"] = index.payload(
                        draft.kind, draft.role, courts[case_id], draft.listed_on
                    )
                    row = existing.pop(draft.source, None)
                    if row is None:
                        create.append(
                            ListEntry(
                                source=draft.source,
                                case_id=case_id,
                                court_id=courts[case_id],
                                active=draft.active,
                                withdrawn=False,
                                **values,
                            )
                        )
                    elif (
                        row.withdrawn
                        or row.active != draft.active
                        or any(getattr(row, k) != v for k, v in values.items())
                    ):
                        for k, v in values.items():
                            setattr(row, k, v)
                        row.active, row.withdrawn = draft.active, False
                        update.append(row)
            for row in existing.values():  # no effective event derives it any more
                if not row.withdrawn:
                    row.withdrawn, row.active = True, False
                    update.append(row)
            n = len(create) + len(update)
            if n:
                first = _allocate(n)
                for i, row in enumerate([*update, *create]):
                    row.seq = first + i
                if update:
                    ListEntry.objects.bulk_update(update, UPDATE_FIELDS, batch_size=500)
                ListEntry.objects.bulk_create(create, batch_size=1000)
                transaction.on_commit(index.poke)
            changed += n
    return changed


def rebuild_entries(case_ids: Iterable[int] | None = None) -> int:
    """Derive the list from the event log of the given cases (default: every case with a
    credit event or an entry). What ``zhixing credit_rebuild`` runs; call it with the
    imported case ids after an import."""
    if case_ids is None:
        with_events = (
            NodeEvent.objects.filter(node__in=CREDIT_NODES).values_list("case_id", flat=True).distinct()
        )
        with_entries = ListEntry.objects.values_list("case_id", flat=True).distinct()
        case_ids = set(with_events) | set(with_entries)
    return sync_entries(case_ids)


# -- K9: reminders and system deletion -------------------------------------------------------------


def refresh_due(as_of: date) -> int:
    """Re-derive the entries of cases with an undischarged K9 obligation triggered by
    as-of: their deletion ground may have arisen through a closing or an inquiry that
    other services recorded (they refresh facts, not this list)."""
    from zhixing.metrics.models import ObligationFact

    ids = (
        ObligationFact.objects.filter(key_node="K9", done_on__isnull=True, trigger_on__lte=as_of)
        .values_list("case_id", flat=True)
        .distinct()
    )
    return sync_entries(ids)


def due_entries(as_of: date):
    """Active 失信 entries whose deletion ground has arisen by as-of (K9), soonest due first."""
    return (
        ListEntry.objects.active()
        .filter(kind=ListEntry.Kind.DISHONEST, deletion_ground_on__lte=as_of)
        .select_related("court")
        .order_by("deletion_due_on", "pk")
    )


def create_reminders(as_of: date) -> list[DeletionReminder]:
    """One reminder per due entry and due day (idempotent: a second run creates none)."""
    refresh_due(as_of)
    made = []
    for entry in due_entries(as_of):
        facts_text = "期限届满" if entry.term_years else "无期限失信信息的删除事由发生"
        reminder, created = DeletionReminder.objects.get_or_create(
            entry=entry,
            due_on=entry.deletion_due_on,
            defaults={
                "case_id": entry.case_id,
                "court_id": entry.court_id,
                "ground": facts_text,
                "ground_on": entry.deletion_ground_on,
            },
        )
        if created:
            made.append(reminder)
    return made


def claim_reminders() -> list[DeletionReminder]:
    """Reminders not yet sent, each claimed by one run only (a conditional UPDATE)."""
    claimed = []
    for reminder in DeletionReminder.objects.filter(notified_at__isnull=True).select_related(
        "entry", "court"
    ):
        if DeletionReminder.objects.filter(pk=reminder.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        ):
            claimed.append(reminder)
    return claimed


def _system_ground(record: CaseRecord, facts) -> DeletionGround:
    from zhixing.cases.choices import ClosingMode

    if facts.is_term:
        return DeletionGround.TERM_EXPIRED
    return {
        ClosingMode.PERFORMED: DeletionGround.PERFORMED,
        ClosingMode.TERMINATED: DeletionGround.TERMINATED,
        ClosingMode.NOT_ENFORCED: DeletionGround.NOT_ENFORCED,
    }.get(record.closing_mode, DeletionGround.NO_PROPERTY)


def auto_delete(as_of: date) -> list[CreditDecision]:
    """Delete, as the system, every active entry whose deletion ground (CREDIT-8 closing or
    inquiries, CREDIT-9 term) has arisen by as-of — on as-of, so removal is never later
    than the run after the ground arose. Idempotent: deleted entries are no longer active."""
    refresh_due(as_of)
    done = []
    for entry in list(due_entries(as_of)):
        with transaction.atomic():
            locked = _lock(None, entry.case_id, None)
            facts = next(
                (f for f in listing_facts(locked.record) if f"D{locked.pks[f.seq]}" == entry.source), None
            )
            if facts is None or facts.ended_on is not None:
                continue
            ground = _system_ground(locked.record, facts)
            doc = Document(
                max(as_of, facts.deletion_ground_on),
                f"系统删除（{facts.rule}）",
                SYSTEM_SIGNER,
                f"{facts.deletion_ground}，依{facts.rule}删除",
            )
            done.append(
                delete_listing(
                    None,
                    entry.case_id,
                    listing=entry.listing,
                    ground=ground,
                    doc=doc,
                    source=NodeEvent.Source.SYSTEM,
                )
            )
    return done


# -- agencies and keys -------------------------------------------------------------------------------


def create_agency(code: str, name: str, *, rate_per_minute: int | None = None) -> Agency:
    agency = Agency(code=code, name=name)
    if rate_per_minute is not None:
        agency.rate_per_minute = rate_per_minute
    agency.full_clean()
    agency.save()
    return agency


def issue_key(agency: Agency, scopes: Iterable[str], *, label: str = "", user=None) -> tuple[ApiKey, str]:
    """A new key for ``agency`` with ``scopes``; the key itself is returned once and never
    stored (only its SHA-256)."""
    from zhixing.credit import screening

    scopes = sorted(set(scopes))
    bad = set(scopes) - set(Scope.values)
    if bad or not scopes:
        raise CreditError("scopes", f"权限应为 {', '.join(Scope.values)} 中的一项或多项")
    plain, prefix = screening.new_key()
    key = ApiKey.objects.create(
        agency=agency,
        prefix=prefix,
        digest=screening.digest(plain),
        scopes=scopes,
        label=label,
        created_by=user,
    )
    screening.keys.invalidate()
    return key, plain


def revoke_key(key: ApiKey) -> ApiKey:
    from zhixing.credit import screening

    if key.revoked_at is None:
        ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        key.refresh_from_db()
    screening.keys.invalidate()
    transaction.on_commit(screening.keys.invalidate)
    return key
