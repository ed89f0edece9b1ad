"""The wire format: a request as sent to the external system, an answer as read from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from zhixing.inquiry.models import (
    ALL_CATEGORIES,
    CONTROL_KINDS,
    InquiryRequest,
    ResultStatus,
)


def payload(req: InquiryRequest, callback_url: str = "") -> dict:
    """The request as sent to the external system: the debtor's identity (QRY-2: only a
    被执行人, only for this case) and the electronic notice (QRY-1)."""
    p = req.party
    body = {
        "request_id": str(req.request_id),
        "kind": req.kind,
        "court": req.court.code,
        "case_number": req.case.case_number,
        "party": {"role": "被执行人", "kind": p.get_kind_display(), "name": p.name,
                  "id_number": p.id_number or None, "credit_code": p.credit_code or None},
        "categories": list(req.categories),
        "notice": {"number": req.notice_number, "seal": req.notice_seal, "issued_on": req.requested_on.isoformat()},
    }  # fmt: skip
    if req.kind in CONTROL_KINDS:
        body["asset"] = req.asset
        body["amount"] = str(req.amount) if req.amount is not None else None
        body["expires_on"] = req.expires_on.isoformat() if req.expires_on else None
    if callback_url:
        body["callback_url"] = callback_url
    return body


@dataclass(frozen=True, slots=True)
class Answer:
    category: str
    status: str
    assets: tuple[dict, ...]
    amount: Decimal | None
    message: str
    answered_on: date
    institution: str


def parse_answer(raw: dict, *, fallback_on: date) -> Answer | None:
    """One category's answer from the wire; None when it is malformed (ignored: the
    next poll brings it again)."""
    category = raw.get("category")
    status = raw.get("status")
    if category not in ALL_CATEGORIES or status not in ResultStatus.values:
        return None
    try:
        answered_on = date.fromisoformat(raw["answered_on"]) if raw.get("answered_on") else fallback_on
        amount = Decimal(str(raw["amount"])) if raw.get("amount") not in (None, "") else None
        assets = []
        for a in raw.get("assets") or ():
            item = {"asset": str(a["asset"]), "category": str(a.get("category") or category)}
            if a.get("value") not in (None, ""):
                item["value"] = str(Decimal(str(a["value"])).quantize(Decimal("0.01")))
            if a.get("institution"):
                item["institution"] = str(a["institution"])
            assets.append(item)
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None
    return Answer(category, status, tuple(assets), amount, str(raw.get("message") or "")[:200], answered_on,
                  str(raw.get("institution") or ""))  # fmt: skip
