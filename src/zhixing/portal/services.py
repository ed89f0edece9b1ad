"""执行公开: a party opens their own case with the case number, their ID number (公民身份
号码) or 统一社会信用代码, and — where a notifier is configured — a one-time code sent to
the phone the court holds for them.

What keeps it safe:

* no enumeration: a wrong case number, a wrong ID number and a party without a phone all
  give the same answer (the code page is shown either way; no code ever matches);
* identifiers and codes are compared in constant time (``hmac.compare_digest``), and a
  code is stored only as an HMAC under the site secret, bound to its challenge token;
* codes expire (``CODE_SECONDS``), allow ``CODE_ATTEMPTS`` tries and are single-use;
* look-ups are rate-limited per case number and client address, and per address (the
  cache), never per case number alone (strangers could lock the real party out);
* the page shows the party's own data and never another party's personal data: other
  natural persons' names are masked, nobody else's ID number, phone or address is shown.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.utils.crypto import salted_hmac

from zhixing.cases.casenumber import normalise
from zhixing.cases.choices import CaseType, ClosingMode, PartyKind, PartyRole
from zhixing.cases.loader import load_record
from zhixing.cases.models import Case, Party
from zhixing.funds.models import Disbursement
from zhixing.lib.masking import PUBLIC, shown_id
from zhixing.metrics.facts import all_obligations
from zhixing.portal import notify

log = logging.getLogger("zhixing.portal")

CODE_SECONDS = 10 * 60
CODE_ATTEMPTS = 5
#: How long an opened case stays open in the browser session.
ACCESS_SECONDS = 30 * 60
#: (count, seconds): look-ups of one case number from one client address, and (looser)
#: look-ups of any case from one address. Never per case number alone: then ten look-ups
#: by strangers would lock the case's real party out. Guessing an ID number from many
#: addresses is still hopeless: the birth date and sequence give ~10^7 candidates, each
#: address may try ``CASE_CLIENT_LIMIT[0]`` an hour, and the phone code follows.
CASE_CLIENT_LIMIT = (5, 60 * 60)
CLIENT_LIMIT = (20, 60 * 60)
#: Party fields (bundle ``extra``) that may hold the phone the court has on file.
PHONE_FIELDS = ("phone", "mobile")
#: Nodes a party is not shown: internal records (interference records are
#: never shown to outsiders; the registry's hiding flag is an internal action).
HIDDEN_NODES = frozenset({"interference_record", "termination_registry_hidden"})

#: spec/cli.md statuses in a party's words.
STATUS_LABELS = {
    "done": "已完成",
    "done_late": "已完成（超期）",
    "pending": "办理中",
    "overdue": "已超期",
    "lapsed": "已结案，无需办理",
}


def allow(key: str, limit: tuple[int, int]) -> bool:
    """Count one hit on ``key``; False once more than ``limit[0]`` hits fell in the
    window of ``limit[1]`` seconds that the first hit opened."""
    count, window = limit
    full = f"portal:rate:{key}"
    cache.add(full, 0, window)
    try:
        n = cache.incr(full)
    except ValueError:  # expired between add and incr
        cache.set(full, 1, window)
        n = 1
    return n <= count


def clean_identifier(text: str) -> str:
    return (text or "").strip().upper()


def find_party(case_number: str, identifier: str) -> Party | None:
    """The party of that case whose ID number or credit code is ``identifier``, else None.
    Every party of the case is compared, in constant time, whatever matches."""
    ident = clean_identifier(identifier)
    case = Case.objects.filter(case_number=normalise(case_number or "")).first()
    parties = list(Party.objects.filter(case=case)) if case is not None else []
    found = None
    for p in parties:
        for value in (p.id_number, p.credit_code):
            # An empty stored value never matches (compare against something it cannot equal).
            if hmac.compare_digest((value or "\0").encode(), ident.encode()) and len(ident) == 18:
                found = found or p
    return found


def phone_of(party: Party) -> str:
    for key in PHONE_FIELDS:
        value = str((party.extra or {}).get(key) or "").strip()
        if value:
            return value
    return ""


def _digest(token: str, code: str) -> str:
    return salted_hmac("zhixing.portal.code", f"{token}:{code}", algorithm="sha256").hexdigest()


def start_challenge(party: Party | None, *, code: str | None = None) -> str:
    """A challenge token. When ``party`` has a phone, a fresh code is sent to it; otherwise
    the challenge can never succeed — the caller answers the same either way."""
    token = secrets.token_urlsafe(24)
    code = code or f"{secrets.randbelow(10**6):06d}"
    phone = phone_of(party) if party is not None else ""
    payload = {
        "party": party.pk if (party is not None and phone) else None,
        "digest": _digest(token, code),
        "tries": 0,
        "expires": time.time() + CODE_SECONDS,
    }
    cache.set(f"portal:challenge:{token}", payload, CODE_SECONDS)
    if party is not None and phone:
        notify.send(
            phone,
            f"您查询执行案件{party.case.case_number}的验证码为{code}，{CODE_SECONDS // 60}分钟内有效。如非本人操作请忽略。",
        )
    elif party is not None:
        log.info("portal: party %s of case %s has no phone on file; no code sent", party.pk, party.case_id)
    return token


def check_code(token: str, code: str) -> int | None:
    """The party's pk when ``code`` is the code of challenge ``token``; None otherwise.
    A challenge is spent by its success, its ``CODE_ATTEMPTS``-th failure or its expiry."""
    key = f"portal:challenge:{token}"
    payload = cache.get(key) if token else None
    if payload is None:
        return None
    remaining = payload["expires"] - time.time()
    if remaining <= 0:
        cache.delete(key)
        return None
    ok = hmac.compare_digest(payload["digest"], _digest(token, (code or "").strip()))
    if ok and payload["party"] is not None:
        cache.delete(key)
        return payload["party"]
    payload["tries"] += 1
    if payload["tries"] >= CODE_ATTEMPTS:
        cache.delete(key)
    else:
        cache.set(key, payload, max(1, int(remaining)))
    return None


# -- what the party sees -----------------------------------------------------------------------


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``: the surname stays (as courts publish parties in 执行公开)."""
    return name[:1] + "*" * (len(name) - 1) if name else name


@dataclass(frozen=True)
class PartyLine:
    role: str
    kind: str
    name: str


@dataclass(frozen=True)
class Step:
    label: str
    due_on: date | None
    done_on: date | None
    status: str
    status_label: str


@dataclass(frozen=True)
class Action:
    on: date
    label: str


@dataclass(frozen=True)
class Payment:
    on: date
    amount: Decimal
    refunded: bool


@dataclass(frozen=True)
class PortalCase:
    case_number: str
    court: str
    case_type: str
    filed_on: date
    handler: str
    closed_on: date | None
    closing_mode: str
    claim_amount: Decimal | None
    recovered_amount: Decimal
    me: PartyLine
    my_identifier: str
    others: list[PartyLine]
    steps: list[Step]
    actions: list[Action]
    payments: list[Payment]
    paid_total: Decimal


def _line(p: Party, *, own: bool) -> PartyLine:
    person = p.kind == PartyKind.PERSON
    # Units are public registers (名称 as registered); natural persons are masked.
    return PartyLine(
        PartyRole(p.role).label, PartyKind(p.kind).label, p.name if (own or not person) else mask_name(p.name)
    )


def portal_case(party_pk: int, today: date) -> PortalCase | None:
    """The case as its party ``party_pk`` sees it on ``today``."""
    from zhixing.cases.views import node_label

    party = Party.objects.select_related("case__court").filter(pk=party_pk).first()
    if party is None:
        return None
    case = party.case
    record = load_record(case)
    as_of = max(today, case.filed_on)
    steps = [
        Step(node_label(o.node), o.due_on, o.done_on, o.status, STATUS_LABELS.get(o.status, o.status))
        for o in all_obligations(record, as_of)
    ]
    actions = [
        Action(e.on, node_label(e.node))
        for e in record.events
        if e.node not in HIDDEN_NODES and e.on <= as_of
    ]
    payments = [
        Payment(d.on, d.amount, hasattr(d, "refund"))
        for d in Disbursement.objects.filter(case=case, payee=party.local_id)
        .select_related("refund")
        .order_by("on", "pk")
    ]
    # A party sees their own number in the public form (lib.masking's rule).
    own_id = shown_id(party.id_number or party.credit_code, viewer=PUBLIC, case_court=case.court_id,
                      unit=not party.id_number) or ""  # fmt: skip
    return PortalCase(
        case_number=case.case_number,
        court=case.court.name,
        case_type=CaseType(case.case_type).label,
        filed_on=case.filed_on,
        handler=case.handler,
        closed_on=case.closed_on,
        closing_mode=ClosingMode(case.closing_mode).label if case.closing_mode else "",
        claim_amount=case.claim_amount,
        recovered_amount=case.recovered_amount,
        me=_line(party, own=True),
        my_identifier=own_id,
        others=[_line(p, own=False) for p in case.parties.exclude(pk=party.pk).order_by("position", "pk")],
        steps=steps,
        actions=actions,
        payments=payments,
        paid_total=sum((p.amount for p in payments if not p.refunded), Decimal("0.00")),
    )
