"""The case under a lock: the decision document, the checks every decision shares and the
append of its event and ``CreditDecision``."""

from __future__ import annotations

import dataclasses
from datetime import date

from django.db.models import F
from django.utils import timezone

from zhixing.cases.loader import load_records
from zhixing.cases.models import Case, NodeEvent
from zhixing.cases.records import CaseRecord, Event
from zhixing.credit.models import (
    CreditDecision,
)
from zhixing.credit.services.derived import _event_pks, sync_entries
from zhixing.credit.services.errors import Conflict, CreditError, NotAllowed
from zhixing.metrics.facts import refresh_facts

SYSTEM_SIGNER = "系统"


@dataclasses.dataclass(frozen=True)
class Document:
    """The decision document every credit decision carries (CREDIT-6, CONS-6)."""

    decided_on: date
    number: str
    signer: str
    reason: str = ""


@dataclasses.dataclass
class Locked:
    case: Case
    record: CaseRecord
    pks: list[int]  # pks[i] is the NodeEvent id of record.events[i]


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
