"""What the public 失信 search shows: exactly the items CREDIT-7 (失信规定 第六条) publishes,
with ID numbers masked, for exact queries only (no enumeration of the list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from zhixing.cases.models import Case, Party
from zhixing.credit.models import Ground, ListEntry
from zhixing.lib import clock
from zhixing.lib.formatting import yuan
from zhixing.lib.identifiers import id_number_birth_date
from zhixing.lib.masking import PUBLIC, mask_id_public, shown_id

#: Characters that would make a query a pattern; the public search matches exactly.
WILDCARDS = frozenset("*%_?？＊…")
MIN_NAME = 2
LIMIT = 20


class PublicQueryError(ValueError):
    """A query the public search refuses (empty, a pattern, too short)."""


#: ``410823198503122036`` → ``4108231985****2036`` (CREDIT-7, lib.masking's public form).
mask_id_number = mask_id_public


def parse_query(q: str | None) -> tuple[str, str]:
    """("identifier", value) for a whole 18-character ID number or credit code, else
    ("name", value) for a whole name; :class:`PublicQueryError` for anything else."""
    text = (q or "").strip()
    if not text:
        raise PublicQueryError("请输入被执行人的姓名或名称，或完整的身份证号码、统一社会信用代码")
    if any(c in WILDCARDS for c in text):
        raise PublicQueryError("查询不支持通配符，请输入完整的姓名或名称、证件号码")
    if len(text) == 18 and text.isascii() and text.isalnum():
        return "identifier", text.upper()
    if len(text) < MIN_NAME:
        raise PublicQueryError(f"姓名或名称至少{MIN_NAME}个字，请输入完整的姓名或名称")
    if len(text) > 200:
        raise PublicQueryError("查询内容过长")
    return "name", text


@dataclass(frozen=True)
class PublicRecord:
    """One published 失信 record (CREDIT-7): for a unit its name, credit code and legal
    representative; for a person name, sex, age and the masked ID number; for both the
    obligation and its performance, the concrete conduct, the 执行依据 (issuer, number),
    case number, filing day, court and publication day."""

    name: str
    is_unit: bool
    sex: str | None
    age: int | None
    id_number: str | None  # masked for persons
    credit_code: str | None
    legal_representative: str | None
    obligation: str
    performance: str
    conduct: str
    basis_issuer: str
    basis_number: str
    case_number: str
    filed_on: date
    court: str
    published_on: date


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _conduct(entry: ListEntry) -> str:
    if entry.conduct:
        return entry.conduct
    labels = dict(Ground.choices)
    return "；".join(labels.get(g, g) for g in entry.grounds)


def _performance(case: Case) -> tuple[str, str]:
    claim = case.claim_amount
    if claim is None:
        return "生效法律文书确定的义务", "未履行"
    obligation = f"给付金钱{yuan(claim)}元"
    if case.recovered_amount <= 0:
        return obligation, "全部未履行"
    if case.recovered_amount < claim:
        return obligation, f"部分未履行（已履行{yuan(case.recovered_amount)}元）"
    return obligation, "已全部履行"


def public_records(q: str | None, *, today: date | None = None, limit: int = LIMIT) -> list[PublicRecord]:
    """Active 失信 entries matching the query exactly, newest first, at most ``limit``."""
    field, value = parse_query(q)
    today = today or clock.today()
    qs = ListEntry.objects.active().filter(kind=ListEntry.Kind.DISHONEST, **{field: value})
    entries = list(qs.select_related("court", "case").order_by("-listed_on", "pk")[:limit])
    births = {
        (p["case_id"], p["local_id"]): p["birth_date"]
        for p in Party.objects.filter(case_id__in={e.case_id for e in entries}).values(
            "case_id", "local_id", "birth_date"
        )
    }
    out = []
    for e in entries:
        case = e.case
        basis = case.basis or {}
        obligation, performance = _performance(case)
        sex = age = None
        if not e.is_unit:
            birth = id_number_birth_date(e.identifier) if e.identifier else births.get((e.case_id, e.party))
            age = _age(birth, today) if birth else None
            if e.identifier:
                sex = "男" if int(e.identifier[16]) % 2 else "女"
        out.append(
            PublicRecord(
                name=e.name,
                is_unit=e.is_unit,
                sex=sex,
                age=age,
                id_number=(shown_id(e.identifier, viewer=PUBLIC, case_court=e.court_id) or None)
                if not e.is_unit
                else None,
                credit_code=e.identifier if (e.identifier and e.is_unit) else None,
                legal_representative=(e.legal_representative or None) if e.is_unit else None,
                obligation=obligation,
                performance=performance,
                conduct=_conduct(e),
                basis_issuer=str(basis.get("issuer") or ""),
                basis_number=str(basis.get("document_number") or ""),
                case_number=e.case_number,
                filed_on=case.filed_on,
                court=e.court.name,
                published_on=e.listed_on,
            )
        )
    return out
