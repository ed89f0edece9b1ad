"""Deletion, revocation and correction of a listing."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from zhixing.cases.models import Case, NodeEvent
from zhixing.credit import entries as E
from zhixing.credit.models import (
    CreditDecision,
    DeletionGround,
)
from zhixing.credit.rules import listing_facts
from zhixing.credit.services.errors import CreditError
from zhixing.credit.services.locking import Document, Locked, _append, _check_document, _lock
from zhixing.lib import periods
from zhixing.lib.identifiers import credit_code_error, id_number_error

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
