"""Consumption restriction (限制消费): the order and its lifting."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from zhixing.cases.models import Case
from zhixing.credit import entries as E
from zhixing.credit.models import (
    CreditDecision,
    LiftingGround,
)
from zhixing.credit.rules import listing_facts
from zhixing.credit.services.errors import CreditError
from zhixing.credit.services.locking import Document, _append, _check_document, _debtor, _lock
from zhixing.lib.identifiers import id_number_error


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
