"""Case bundle v1 (spec/case-bundle.md): one case per JSON line, in and out.

``parse_case`` checks every format rule of the spec and builds a ``CaseRecord``; the
first broken rule raises ``BundleError`` naming the field path (``events[3].party``,
indexed as in the line) and the rule. Substantive breaches (a late node, a listing of a
minor) are facts, not format errors: they are imported and the checks report them.

``case_to_bundle`` is the inverse and the canonical form: key order, brackets and event
order are normalised, so two lines describe the same case exactly when their canonical
forms are equal (the no-op rule of re-imports).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import IO, Any

import orjson

from zhixing.cases import casenumber
from zhixing.cases.choices import (
    IMPLEMENTATION_TYPES,
    PETITION_SOURCES,
    PRESERVATION_MODES,
    REFERRERS,
    SPECIAL_STATUSES,
    TAGS,
    CaseType,
    ClosingMode,
    PartyKind,
    PartyRole,
    from_label,
    labels,
)
from zhixing.cases.records import (
    CaseRecord,
    Deferral,
    Disbursement,
    Event,
    Lodgement,
    Party,
    Petition,
    Receipt,
)
from zhixing.flow import nodes as N
from zhixing.lib.identifiers import credit_code_error, id_number_birth_date, id_number_error
from zhixing.lib.text import REFUSED as REFUSED_TEXT
from zhixing.lib.text import bad_text

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # fullmatch: ASCII digits, no trailing newline
_AMOUNT_RE = re.compile(r"-?[0-9]{1,14}(\.[0-9]{1,2})?")  # < 10^14 yuan: what a 16,2 column holds
CENT = Decimal("0.01")
#: A receipt's 款项性质 (the courts' term → the stored value, funds.models.ReceiptKind). Optional
#: in a bundle: absent means 执行款, and 执行款 is not written, so older bundles stay as they were.
RECEIPT_KINDS = {"执行款": "execution", "司法救助金": "relief", "案件受理费、执行费": "fees"}
RECEIPT_KIND_TERMS = {value: term for term, value in RECEIPT_KINDS.items()}
DEFAULT_RECEIPT_KIND = "execution"
#: Longest identifiers and names the tables hold (longer values are format errors, not crashes).
MAX_ID, MAX_NAME, MAX_SHORT = 32, 200, 100

CASE_FIELDS = (
    "case_number", "court", "case_type", "non_litigation", "application_received_on", "filed_on",
    "original_case_number", "basis", "claim_amount", "recovered_amount", "tags", "handler", "parties",
    "events", "receipts", "disbursements", "deferrals", "lodgements", "petitions", "closing",
)  # fmt: skip
PARTY_FIELDS = (
    "id",
    "role",
    "kind",
    "name",
    "id_number",
    "credit_code",
    "birth_date",
    "legal_representative",
    "special",
)


class BundleError(ValueError):
    """A line breaks a format rule: ``field`` is the path, ``message`` the rule (Chinese)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# -- value parsers -------------------------------------------------------------------


#: Date texts already parsed (only valid ones): a bundle's dates repeat heavily, and the
#: regular expression and ``fromisoformat`` were a tenth of parsing a line.
_DATES: dict[str, date] = {}
_DATES_MAX = 200_000  # bounded whatever a process is fed


def _date(value: Any, path: str, *, required: bool = True) -> date | None:
    if type(value) is str:
        known = _DATES.get(value)
        if known is not None:
            return known
    if value is None:
        if required:
            raise BundleError(path, "缺少日期（格式 YYYY-MM-DD）")
        return None
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise BundleError(path, f"日期格式应为 YYYY-MM-DD，实际为 {value!r}")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise BundleError(path, f"日期 {value} 不存在") from None
    if type(value) is str:  # not a str subclass: its equality could differ
        if len(_DATES) >= _DATES_MAX:
            _DATES.clear()
        _DATES[value] = parsed
    return parsed


def _amount(value: Any, path: str, *, required: bool = True, positive: bool = False) -> Decimal | None:
    """Amounts are strings of yuan with at most 2 decimals; a JSON number is an error
    because floats lose money (case-bundle.md)."""
    if value is None:
        if required:
            raise BundleError(path, "缺少金额")
        return None
    if isinstance(value, bool | int | float):
        raise BundleError(path, '金额必须是字符串（如 "125000.00"），不能是 JSON 数字')
    if not isinstance(value, str) or not _AMOUNT_RE.fullmatch(value):
        raise BundleError(path, f"金额应为不超过14位整数、最多两位小数的字符串，实际为 {value!r}")
    amount = Decimal(value).quantize(CENT)
    if amount < 0:
        raise BundleError(path, "金额不能为负数")
    if amount == 0:
        amount = Decimal("0.00")  # "-0.00" is zero, stored and exported as "0.00"
    if positive and amount == 0:
        raise BundleError(path, "金额必须大于0")
    return amount


def _str(value: Any, path: str, *, required: bool = True, max_len: int | None = None) -> str | None:
    if value is None:
        if required:
            raise BundleError(path, "缺少必填字段")
        return None
    if not isinstance(value, str) or not value.strip():
        raise BundleError(path, "应为非空字符串")
    if max_len is not None and len(value) > max_len:
        raise BundleError(path, f"长度不能超过 {max_len} 个字符")
    return value


def _ref(value: Any, path: str) -> str:
    """A local id (party, clue, asset, receipt …): a short string."""
    return _str(value, path, max_len=MAX_ID)


def _bool(value: Any, path: str, default: bool | None = False) -> bool | None:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise BundleError(path, "应为 true 或 false")
    return value


def _choice(value: Any, path: str, allowed: tuple[str, ...], *, required: bool = True) -> str | None:
    if value is None:
        if required:
            raise BundleError(path, f"缺少必填字段，可选值：{'、'.join(allowed)}")
        return None
    if value not in allowed:
        raise BundleError(path, f"{value!r} 不是可选值之一：{'、'.join(allowed)}")
    return value


def _each_choice(values: list, path: str, allowed: tuple[str, ...]) -> None:
    """``_choice`` for every item of ``values`` (item paths ``path[j]``), building an item's
    path only for the item that fails (a tuple, not a set: an unhashable item is simply not
    allowed)."""
    for j, value in enumerate(values):
        if value not in allowed:
            _choice(value, f"{path}[{j}]", allowed)


def _list(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BundleError(path, "应为数组")
    return value


def _obj(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise BundleError(path, "应为对象")
    return value


# -- the case -------------------------------------------------------------------------


def parse_case(obj: Any, *, today: date | None = None) -> CaseRecord:
    """Validate one decoded bundle line against every format rule of case-bundle.md and
    build its record. Raises ``BundleError`` at the first broken rule."""
    obj = _obj(obj, "$")
    raw_number = obj.get("case_number")
    if raw_number is None:
        raise BundleError("case_number", "缺少案号")
    try:
        number = casenumber.parse(raw_number)
    except casenumber.CaseNumberError as e:
        raise BundleError("case_number", str(e)) from None

    filed_on = _date(obj.get("filed_on"), "filed_on")
    if number.year != filed_on.year:
        raise BundleError(
            "case_number", f"案号年度 {number.year} 与立案日期年度 {filed_on.year} 不一致（CASENO-2）"
        )
    court = obj.get("court")
    if court is not None and court != number.court:
        raise BundleError("court", f"法院代字 {court!r} 与案号中的 {number.court} 不一致")
    case_type = number.case_type
    if obj.get("case_type") is not None:
        try:
            given = from_label(CaseType, obj["case_type"])
        except KeyError:
            raise BundleError("case_type", f"{obj['case_type']!r} 不是案件类型之一") from None
        if given != case_type:
            raise BundleError(
                "case_type", f"案件类型“{obj['case_type']}”与类型代字“{number.type_code}”不一致（CASENO-5）"
            )

    received = _date(obj.get("application_received_on"), "application_received_on", required=False)
    if received is not None and received > filed_on:
        raise BundleError("application_received_on", "收到申请日期不能晚于立案日期")

    original = obj.get("original_case_number")
    if original is not None:
        try:  # the current form or the pre-2016 one (case-bundle.md original_case_number)
            original = str(casenumber.parse_original(original))
        except casenumber.CaseNumberError as e:
            raise BundleError("original_case_number", str(e)) from None
    elif case_type == CaseType.RESUMED:
        raise BundleError("original_case_number", "恢复执行案件须填写原案号（CLOSE-6）")

    basis = obj.get("basis")
    if basis is not None:
        basis = _obj(basis, "basis")
        _date(basis.get("effective_on"), "basis.effective_on", required=False)

    claim = _amount(obj.get("claim_amount"), "claim_amount", required=case_type in IMPLEMENTATION_TYPES)
    recovered = _amount(obj.get("recovered_amount"), "recovered_amount", required=False) or Decimal("0.00")

    tags = _list(obj.get("tags"), "tags")
    _each_choice(tags, "tags", TAGS)

    parties = _parties(obj.get("parties"), today)
    party_ids = {p.id for p in parties}
    events = _events(obj.get("events"), filed_on, party_ids)
    receipts, disbursements, deferrals, lodgements = _funds(obj, party_ids)
    petitions = _petitions(obj.get("petitions"))

    closed_on = mode = None
    closing = obj.get("closing")
    if closing is not None:
        closing = _obj(closing, "closing")
        closed_on = _date(closing.get("on"), "closing.on")
        allowed = tuple(m.label for m in ClosingMode if m not in PRESERVATION_MODES)
        if case_type == CaseType.PRESERVATION:
            allowed += tuple(m.label for m in PRESERVATION_MODES)
        mode = from_label(ClosingMode, _choice(closing.get("mode"), "closing.mode", allowed))
        if closed_on < filed_on:
            raise BundleError("closing.on", "结案日期不能早于立案日期")

    return CaseRecord(
        case_number=str(number),
        court=number.court,
        case_type=case_type,
        filed_on=filed_on,
        non_litigation=_bool(obj.get("non_litigation"), "non_litigation"),
        application_received_on=received,
        original_case_number=original,
        basis=basis,
        claim_amount=claim,
        recovered_amount=recovered,
        tags=tuple(tags),
        handler=_str(obj.get("handler"), "handler", required=False, max_len=50),
        parties=parties,
        events=events,
        receipts=receipts,
        disbursements=disbursements,
        deferrals=deferrals,
        lodgements=lodgements,
        petitions=petitions,
        closed_on=closed_on,
        closing_mode=mode,
        extra={k: v for k, v in obj.items() if k not in CASE_FIELDS},
    )


def _parties(value: Any, today: date | None) -> tuple[Party, ...]:
    if value is None:
        raise BundleError("parties", "缺少当事人")
    items = _list(value, "parties")
    parties: list[Party] = []
    seen: set[str] = set()
    for i, raw in enumerate(items):
        path = f"parties[{i}]"
        raw = _obj(raw, path)
        pid = _ref(raw.get("id"), f"{path}.id")
        if pid in seen:
            raise BundleError(f"{path}.id", f"当事人编号 {pid!r} 重复")
        seen.add(pid)
        role = from_label(PartyRole, _choice(raw.get("role"), f"{path}.role", labels(PartyRole)))
        kind = from_label(PartyKind, _choice(raw.get("kind"), f"{path}.kind", labels(PartyKind)))
        name = _str(raw.get("name"), f"{path}.name", max_len=MAX_NAME)
        id_number = raw.get("id_number")
        credit_code = raw.get("credit_code")
        birth = _date(raw.get("birth_date"), f"{path}.birth_date", required=False)
        if id_number is not None:
            if kind != PartyKind.PERSON:
                raise BundleError(f"{path}.id_number", "公民身份号码只适用于自然人")
            if error := id_number_error(id_number, today=today):
                raise BundleError(f"{path}.id_number", error)
            if birth is not None and birth != id_number_birth_date(id_number):
                raise BundleError(f"{path}.birth_date", "出生日期与公民身份号码不一致")
        if credit_code is not None:
            if kind == PartyKind.PERSON:
                raise BundleError(f"{path}.credit_code", "统一社会信用代码只适用于法人和非法人组织")
            if error := credit_code_error(credit_code):
                raise BundleError(f"{path}.credit_code", error)
        if birth is not None and kind != PartyKind.PERSON:
            raise BundleError(f"{path}.birth_date", "出生日期只适用于自然人")
        special = _list(raw.get("special"), f"{path}.special")
        _each_choice(special, f"{path}.special", SPECIAL_STATUSES)
        parties.append(
            Party(
                id=pid,
                role=role,
                kind=kind,
                name=name,
                id_number=id_number,
                credit_code=credit_code,
                birth_date=birth
                if birth is not None
                else (id_number_birth_date(id_number) if id_number else None),
                legal_representative=_str(
                    raw.get("legal_representative"),
                    f"{path}.legal_representative",
                    required=False,
                    max_len=MAX_SHORT,
                ),
                special=tuple(special),
                extra={k: v for k, v in raw.items() if k not in PARTY_FIELDS},
            )
        )
    roles = {p.role for p in parties}
    if PartyRole.APPLICANT not in roles:
        raise BundleError("parties", "至少需要一名申请执行人")
    if PartyRole.DEBTOR not in roles:
        raise BundleError("parties", "至少需要一名被执行人")
    # A party with an ID number already holds the birth date the number carries (a given
    # one must equal it), which export leaves out: export gives back what came in.
    return tuple(parties)


def _events(value: Any, filed_on: date, party_ids: set[str]) -> tuple[Event, ...]:
    items = _list(value, "events")
    parsed: list[tuple[date, int, str, dict]] = []
    for i, raw in enumerate(items):
        # The common path takes a date seen before from ``_DATES`` and copies the event's fields
        # in C; anything unusual goes through the general checks, so every rule and message stays.
        path = f"events[{i}]"
        if not isinstance(raw, dict):
            _obj(raw, path)
        code = raw.get("node")
        spec = N.NODES.get(code) if isinstance(code, str) else None
        if spec is None:
            raise BundleError(f"{path}.node", f"未知的节点代码 {code!r}")
        # The catalog's own text: every event of a node then shares one object — one copy in
        # the pickle of a chunk's rows and in the writer's batch, not one per event.
        code = spec.code
        on = raw.get("on")
        on = _DATES.get(on) if type(on) is str else None
        if on is None:
            on = _date(raw.get("on"), f"{path}.on")
        if on < filed_on and code != "clue_received":
            raise BundleError(f"{path}.on", f"节点日期 {on} 早于立案日期 {filed_on}")
        data = dict(raw)  # the event's own fields, in their order: all but node and on (both present)
        del data["node"], data["on"]
        for name in spec.required:
            if name not in data or (data[name] is None and name != "term_years"):
                raise BundleError(f"{path}.{name}", f"节点 {code} 缺少字段 {name}")
        _event_values(code, data, path, party_ids)
        parsed.append((on, i, code, data))

    _check_references(parsed, party_ids)
    _check_intervals(parsed)
    parsed.sort(key=lambda t: (t[0], t[1]))
    return tuple(Event(code, on, seq, data) for seq, (on, _, code, data) in enumerate(parsed))


def _event_values(code: str, data: dict, path: str, party_ids: set[str]) -> None:
    if data:  # most events carry no field besides node and on
        _common_values(data, path, party_ids)
    if code not in _VALUE_NODES:
        return
    if code == "property_report":
        _choice(data["status"], f"{path}.status", N.REPORT_STATUSES)
    elif code == "online_inquiry":
        _choice(data["system"], f"{path}.system", N.INQUIRY_SYSTEMS)
        categories = _list(data["categories"], f"{path}.categories")
        _each_choice(categories, f"{path}.categories", N.INQUIRY_CATEGORIES)
        for j, item in enumerate(_list(data["found"], f"{path}.found")):
            item = _obj(item, f"{path}.found[{j}]")
            _ref(item.get("asset"), f"{path}.found[{j}].asset")
            _choice(item.get("category"), f"{path}.found[{j}].category", N.INQUIRY_CATEGORIES)
            _amount(item.get("value"), f"{path}.found[{j}].value")
    elif code == "restraint":
        _choice(data["measure"], f"{path}.measure", N.RESTRAINT_MEASURES)
        _choice(data["category"], f"{path}.category", (*N.INQUIRY_CATEGORIES, "动产", "其他"))
        _amount(data["value"], f"{path}.value")
        _date(data["expires_on"], f"{path}.expires_on")
    elif code == "restraint_renewed":
        _date(data["expires_on"], f"{path}.expires_on")
    elif code == "deduction":
        _amount(data["amount"], f"{path}.amount", positive=True)
    elif code == "auction":
        _choice(data["result"], f"{path}.result", N.AUCTION_RESULTS)
    elif code == "credit_listing":
        grounds = _list(data["grounds"], f"{path}.grounds")
        if not grounds:
            raise BundleError(f"{path}.grounds", "纳入失信名单须至少有一项情形（CREDIT-1）")
        _each_choice(grounds, f"{path}.grounds", N.CREDIT_GROUNDS)
        term = data.get("term_years")
        if term is not None and (isinstance(term, bool) or not isinstance(term, int) or term <= 0):
            raise BundleError(f"{path}.term_years", "失信期限应为正整数年或 null")
    elif code == "applicant_interview":
        _choice(data["opinion"], f"{path}.opinion", N.INTERVIEW_OPINIONS)
    elif code in ("exclusion_start", "exclusion_end"):
        _choice(data["ground"], f"{path}.ground", N.EXCLUSION_GROUNDS)
    elif code == "extension_approved":
        months = data["months"]
        if isinstance(months, bool) or not isinstance(months, int) or months <= 0:
            raise BundleError(f"{path}.months", "延长期限应为正整数月（DL-13）")


#: The nodes with fields of their own to check (the branches of ``_event_values``).
_VALUE_NODES = frozenset({
    "property_report", "online_inquiry", "restraint", "restraint_renewed", "deduction", "auction",
    "credit_listing", "applicant_interview", "exclusion_start", "exclusion_end", "extension_approved",
})  # fmt: skip


def _common_values(data: dict, path: str, party_ids: set[str]) -> None:
    """The fields any node may carry."""
    for key in ("by", "note", "handler", "reason", "person", "content"):
        if key in data:
            _str(data[key], f"{path}.{key}", required=False)
    for key in ("party", "clue", "asset", "id", "listing"):
        if key in data and data[key] is not None:
            _ref(data[key], f"{path}.{key}")
    if "party" in data and data["party"] is not None and data["party"] not in party_ids:
        raise BundleError(f"{path}.party", f"当事人 {data['party']!r} 在本案中不存在")


def _check_references(parsed: list[tuple[date, int, str, dict]], party_ids: set[str]) -> None:
    """clue and asset references must resolve within the case (case-bundle.md)."""
    clues = {data["clue"] for _, _, code, data in parsed if code == "clue_received"}
    assets: set[str] = set()
    for _, _, code, data in parsed:
        if code == "online_inquiry":
            assets.update(item["asset"] for item in data["found"])
        elif code == "restraint":
            assets.add(data["asset"])
    for _, i, code, data in parsed:
        if code == "clue_verified" and data["clue"] not in clues:
            raise BundleError(f"events[{i}].clue", f"财产线索 {data['clue']!r} 在本案中没有收到记录")
        if (
            code not in ("online_inquiry", "restraint")
            and data.get("asset") is not None
            and data["asset"] not in assets
        ):
            raise BundleError(f"events[{i}].asset", f"财产 {data['asset']!r} 在本案中没有查询或控制记录")


def _check_intervals(parsed: list[tuple[date, int, str, dict]]) -> None:
    """Interval events pair up in date order (case-bundle.md): an ``_end`` with no open
    ``_start`` of its kind, or a second ``_start`` while one is open, is an error."""
    starts = {start: kind for kind, (start, _) in N.INTERVALS.items()}
    ends = {end: kind for kind, (_, end) in N.INTERVALS.items()}
    open_: dict[str, bool] = dict.fromkeys(N.INTERVALS, False)
    for _, i, code, _ in sorted(parsed, key=lambda t: (t[0], t[1])):
        if code in starts:
            if open_[starts[code]]:
                raise BundleError(f"events[{i}].node", f"{code}：同类期间尚未结束，不能再次开始")
            open_[starts[code]] = True
        elif code in ends:
            if not open_[ends[code]]:
                raise BundleError(f"events[{i}].node", f"{code}：没有尚未结束的同类期间")
            open_[ends[code]] = False


def _receipt_kind(value: Any, path: str) -> str:
    """款项性质: one of the courts' terms, 执行款 when absent. It decides what the receipt adds
    to 执行到位 (KPI-8: only 执行款; AID-7: 司法救助金 is not 执行到位 money)."""
    term = _choice(value, path, tuple(RECEIPT_KINDS), required=False)
    return DEFAULT_RECEIPT_KIND if term is None else RECEIPT_KINDS[term]


def _funds(obj: dict, party_ids: set[str]):
    receipts: list[Receipt] = []
    for i, raw in enumerate(_list(obj.get("receipts"), "receipts")):
        path = f"receipts[{i}]"
        raw = _obj(raw, path)
        rid = _ref(raw.get("id"), f"{path}.id")
        if any(r.id == rid for r in receipts):
            raise BundleError(f"{path}.id", f"到账编号 {rid!r} 重复")
        receipts.append(
            Receipt(
                id=rid,
                notice_on=_date(raw.get("notice_on"), f"{path}.notice_on"),
                amount=_amount(raw.get("amount"), f"{path}.amount", positive=True),
                payer=_str(raw.get("payer"), f"{path}.payer", required=False, max_len=MAX_NAME),
                kind=_receipt_kind(raw.get("kind"), f"{path}.kind"),
            )
        )
    by_id = {r.id: r for r in receipts}

    def receipt_ref(value: Any, path: str) -> Receipt:
        if not isinstance(value, str) or value not in by_id:
            raise BundleError(path, f"到账 {value!r} 在本案中不存在")
        return by_id[value]

    disbursements: list[Disbursement] = []
    paid: dict[str, Decimal] = {}
    for i, raw in enumerate(_list(obj.get("disbursements"), "disbursements")):
        path = f"disbursements[{i}]"
        raw = _obj(raw, path)
        did = _ref(raw.get("id"), f"{path}.id")
        if any(d.id == did for d in disbursements):
            raise BundleError(f"{path}.id", f"发放编号 {did!r} 重复")
        receipt = receipt_ref(raw.get("receipt"), f"{path}.receipt")
        on = _date(raw.get("on"), f"{path}.on")
        if on < receipt.notice_on:
            raise BundleError(f"{path}.on", f"发放日期早于到账通知日期 {receipt.notice_on}")
        amount = _amount(raw.get("amount"), f"{path}.amount", positive=True)
        paid[receipt.id] = paid.get(receipt.id, Decimal(0)) + amount
        if paid[receipt.id] > receipt.amount:
            raise BundleError(
                f"{path}.amount",
                f"到账 {receipt.id} 的发放合计 {paid[receipt.id]} 超过到账金额 {receipt.amount}",
            )
        payee = raw.get("payee")
        if payee is not None and (not isinstance(payee, str) or payee not in party_ids):
            raise BundleError(f"{path}.payee", f"收款人 {payee!r} 不是本案当事人")
        disbursements.append(Disbursement(id=did, receipt=receipt.id, on=on, amount=amount, payee=payee))

    deferrals: list[Deferral] = []
    for i, raw in enumerate(_list(obj.get("deferrals"), "deferrals")):
        path = f"deferrals[{i}]"
        raw = _obj(raw, path)
        receipt = receipt_ref(raw.get("receipt"), f"{path}.receipt")
        approved = _date(raw.get("approved_on"), f"{path}.approved_on")
        ends = _date(raw.get("ends_on"), f"{path}.ends_on", required=False)
        if ends is not None and ends < approved:
            raise BundleError(f"{path}.ends_on", "延缓发放结束日期早于批准日期")
        deferrals.append(
            Deferral(
                receipt=receipt.id,
                approved_on=approved,
                ground=_str(raw.get("ground"), f"{path}.ground", required=False, max_len=MAX_NAME),
                ends_on=ends,
            )
        )

    lodgements: list[Lodgement] = []
    for i, raw in enumerate(_list(obj.get("lodgements"), "lodgements")):
        path = f"lodgements[{i}]"
        raw = _obj(raw, path)
        receipt = receipt_ref(raw.get("receipt"), f"{path}.receipt")
        lodgements.append(
            Lodgement(
                receipt=receipt.id,
                on=_date(raw.get("on"), f"{path}.on"),
                ground=_str(raw.get("ground"), f"{path}.ground", required=False, max_len=MAX_NAME),
            )
        )
    return tuple(receipts), tuple(disbursements), tuple(deferrals), tuple(lodgements)


def _petitions(value: Any) -> tuple[Petition, ...]:
    petitions: list[Petition] = []
    for i, raw in enumerate(_list(value, "petitions")):
        path = f"petitions[{i}]"
        raw = _obj(raw, path)
        pid = _ref(raw.get("id"), f"{path}.id")
        if any(p.id == pid for p in petitions):
            raise BundleError(f"{path}.id", f"信访编号 {pid!r} 重复")
        handled_by = raw.get("handled_by")
        if handled_by is not None and not casenumber.is_court_code(handled_by):
            raise BundleError(f"{path}.handled_by", f"法院代字 {handled_by!r} 无效（CASENO-3）")
        received = _date(raw.get("received_on"), f"{path}.received_on")
        dates = {}
        for key in ("registered_on", "screened_on", "closed_on"):
            dates[key] = _date(raw.get(key), f"{path}.{key}", required=False)
            if dates[key] is not None and dates[key] < received:
                raise BundleError(f"{path}.{key}", "日期早于收到信访日期")
        petitions.append(
            Petition(
                id=pid,
                received_on=received,
                source=_choice(raw.get("source"), f"{path}.source", PETITION_SOURCES, required=False),
                referred_by=_choice(raw.get("referred_by"), f"{path}.referred_by", REFERRERS, required=False),
                about_lower_court=_bool(raw.get("about_lower_court"), f"{path}.about_lower_court"),
                handled_by=handled_by,
                replied=_bool(raw.get("replied"), f"{path}.replied", default=None),
                **dates,
            )
        )
    return tuple(petitions)


# -- out --------------------------------------------------------------------------------


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _money(v: Decimal | None) -> str | None:
    return None if v is None else str(v.quantize(CENT))


def _compact(d: dict) -> dict:
    """Drop absent optional fields so the canonical form does not depend on whether a
    producer wrote ``null`` or left a field out."""
    return {k: v for k, v in d.items() if v is not None and v != [] and v != ()}


def case_to_bundle(case: CaseRecord) -> dict[str, Any]:
    """The canonical bundle object of a case (spec/case-bundle.md)."""
    out = {
        "case_number": case.case_number,
        "court": case.court,
        "case_type": case.case_type.label,
        "non_litigation": case.non_litigation or None,
        "application_received_on": _iso(case.application_received_on),
        "filed_on": _iso(case.filed_on),
        "original_case_number": case.original_case_number,
        "basis": case.basis,
        "claim_amount": _money(case.claim_amount),
        "recovered_amount": _money(case.recovered_amount),
        "tags": list(case.tags),
        "handler": case.handler,
        "parties": [
            _compact(
                {
                    "id": p.id,
                    "role": p.role.label,
                    "kind": p.kind.label,
                    "name": p.name,
                    "id_number": p.id_number,
                    "credit_code": p.credit_code,
                    "birth_date": _iso(p.birth_date) if p.id_number is None else None,
                    "legal_representative": p.legal_representative,
                    "special": list(p.special),
                    **p.extra,
                }
            )
            for p in case.parties
        ],
        "events": [{"node": e.node, "on": _iso(e.on), **e.data} for e in case.events],
        "receipts": [
            _compact(
                {
                    "id": r.id,
                    "notice_on": _iso(r.notice_on),
                    "amount": _money(r.amount),
                    "payer": r.payer,
                    "kind": None if r.kind == DEFAULT_RECEIPT_KIND else RECEIPT_KIND_TERMS[r.kind],
                }
            )
            for r in case.receipts
        ],
        "disbursements": [
            _compact(
                {
                    "id": d.id,
                    "receipt": d.receipt,
                    "on": _iso(d.on),
                    "amount": _money(d.amount),
                    "payee": d.payee,
                }
            )
            for d in case.disbursements
        ],
        "deferrals": [
            _compact(
                {
                    "receipt": d.receipt,
                    "approved_on": _iso(d.approved_on),
                    "ground": d.ground,
                    "ends_on": _iso(d.ends_on),
                }
            )
            for d in case.deferrals
        ],
        "lodgements": [
            _compact({"receipt": lg.receipt, "on": _iso(lg.on), "ground": lg.ground})
            for lg in case.lodgements
        ],
        "petitions": [
            _compact(
                {
                    "id": p.id,
                    "received_on": _iso(p.received_on),
                    "registered_on": _iso(p.registered_on),
                    "source": p.source,
                    "referred_by": p.referred_by,
                    "about_lower_court": p.about_lower_court or None,
                    "handled_by": p.handled_by,
                    "screened_on": _iso(p.screened_on),
                    "closed_on": _iso(p.closed_on),
                    "replied": p.replied,
                }
            )
            for p in case.petitions
        ],
        "closing": {"on": _iso(case.closed_on), "mode": case.closing_mode.label} if case.closed_on else None,
        **case.extra,
    }
    return _compact(out)


def canonical_json(case: CaseRecord) -> bytes:
    """The canonical form as UTF-8 JSON with sorted keys."""
    return orjson.dumps(case_to_bundle(case), option=orjson.OPT_SORT_KEYS)


def fingerprint(case: CaseRecord) -> str:
    """SHA-256 of the canonical form: equal exactly when two lines describe the same case."""
    return hashlib.sha256(canonical_json(case)).hexdigest()


def dumps(case: CaseRecord) -> str:
    """One bundle line (no newline)."""
    return orjson.dumps(case_to_bundle(case)).decode()


# -- reading a file ---------------------------------------------------------------------


class Line:
    """One physical line of a bundle: either a record or the error that rejected it."""

    __slots__ = ("case_number", "error", "field", "number", "record")

    def __init__(self, number: int, record: CaseRecord | None = None, *, case_number: str | None = None,
                 field: str | None = None, error: str | None = None):  # fmt: skip
        self.number = number
        self.record = record
        self.case_number = case_number
        self.field = field
        self.error = error


def read_lines(stream: IO[str] | IO[bytes], *, today: date | None = None) -> Iterator[Line]:
    """Stream a bundle: one ``Line`` per non-blank physical line (1-based numbers, blank
    lines counted), never holding more than one line in memory. A binary stream is
    decoded line by line, so one line that is not UTF-8 is one rejected line."""
    for number, raw in enumerate(stream, start=1):
        line = read_line(number, raw, today=today)
        if line is not None:
            yield line


#: What a line holding NUL, a control character other than tab and line breaks, or a lone
#: surrogate looks like as JSON text (escaped, or DEL and C1 characters raw). orjson
#: refuses a lone surrogate itself; a false alarm (an escaped backslash) costs one walk.
_SUSPECT = re.compile(r"\\u00[0189][0-9a-fA-F]|\\u007[fF]|\\[bf]|[\x00\x7f-\x9f]")


def _bad_text_field(value: Any, path: str) -> str | None:
    """The path (``parties[1].name``) of the first string holding a refused character
    (``lib.text.bad_text``), or None."""
    if isinstance(value, str):
        return path if bad_text(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else key
            if bad_text(key):
                return here
            found = _bad_text_field(item, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _bad_text_field(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def read_line(number: int, raw: str | bytes, *, today: date | None = None) -> Line | None:
    """One physical line as a ``Line`` (None for a blank line)."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            return Line(number, field="$", error=f"不是有效的 UTF-8 编码（第 {e.start + 1} 字节）")
    else:
        text = raw
    if not text.strip():
        return None
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        return Line(number, field="$", error=f"不是有效的 JSON：{e.msg}（第 {e.colno} 列）")
    if _SUSPECT.search(text):  # rare: only then is every string of the line looked at
        field = _bad_text_field(obj, "")
        if field is not None:
            return Line(number, field=field or "$", error=REFUSED_TEXT)
    readable = obj.get("case_number") if isinstance(obj, dict) else None
    readable = casenumber.normalise(readable)[:64] if isinstance(readable, str) else None
    try:
        return Line(number, parse_case(obj, today=today), case_number=readable)
    except BundleError as e:
        return Line(number, case_number=readable, field=e.field, error=e.message)
    except (TypeError, ValueError, ArithmeticError) as e:  # a shape no rule above foresaw
        return Line(number, case_number=readable, field="$", error=f"无法解析：{type(e).__name__}: {e}")
