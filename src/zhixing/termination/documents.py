"""The 约谈笔录 and the 终本裁定书 as Word documents (.docx, what courts file).

A document is a template filled from the case. Templates are ordinary .docx files a court
can edit in Word or WPS: text, layout and fonts are theirs; each ``{{名称}}`` placeholder is
replaced by a value from the case (the placeholders of :data:`PLACEHOLDERS`). A
placeholder that is the whole of its paragraph and has several lines becomes one paragraph
per line, with the paragraph's formatting. A court uploads its own template through the
admin (``DocumentTemplate``); otherwise the package defaults in ``doc_templates/`` are used,
which ``zhixing termination_templates`` writes (:func:`build_default_templates`).

TERM-10 requires the ruling to state the claim, the process and measures, the property
found, the realised amount and the applicant's rights; TERM-8 requires the interview to
record the four items the applicant was told and the opinion. A template that lacks any of
those placeholders is refused on upload (:func:`template_problems`).

Personal data: a document shows a person's full 公民身份号码 only if that person is a party
to the document (the ruling: the parties of the case; the 约谈笔录: the interviewed
applicant). Every other ID number — including one typed into a free-text field — is
masked in a last pass over the whole document (:func:`mask_foreign_ids`).
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from zhixing.cases.records import CaseRecord, Event, Party
from zhixing.lib.masking import Audience, audience, mask_id_region

TEMPLATE_DIR = Path(__file__).resolve().parent / "doc_templates"
PLACEHOLDER_RE = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
#: 18-character 公民身份号码 not embedded in a longer run of digits.
ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")

INTERVIEW, RULING = "interview", "ruling"

#: Every placeholder a template may use, and (True) those it must use.
PLACEHOLDERS: dict[str, dict[str, bool]] = {
    INTERVIEW: {
        "法院名称": True, "案号": True, "约谈时间": True, "约谈地点": True, "约谈人": True, "记录人": False,
        "被约谈人": True, "到场人员": True, "被执行人": False, "告知执行情况": True, "告知财产调查措施": True,
        "告知财产情况": True, "告知终本依据及法律后果": True, "申请执行人意见": True, "申请执行人陈述": False,
    },
    RULING: {
        "法院名称": True, "案号": True, "当事人": True, "债权情况": True, "执行经过": True, "财产情况": True,
        "实现情况": True, "审批情况": True, "权利告知": True, "审判长": True, "审判员": False, "书记员": True,
        "裁定日期": True, "执行依据": False,
    },
}  # fmt: skip

#: TERM-13, TERM-14, TERM-16, TERM-12: what the applicant and the debtor keep and owe.
RIGHTS_NOTICE = [
    "终结本次执行程序后，申请执行人发现被执行人有可供执行财产的，可以向本院申请恢复执行；申请恢复执行不受申请执行时效期间的限制。",
    "终结本次执行程序后，被执行人仍负有继续履行生效法律文书确定的义务；对被执行人采取的限制消费措施、纳入失信被执行人名单措施及查封、扣押、冻结措施继续有效。",
    "被执行人应当继续履行报告财产义务，财产情况发生变动的，应当自变动之日起十日内向本院补充报告。",
    "终结本次执行程序后五年内，本院每六个月通过网络执行查控系统查询一次被执行人的财产，并将查询结果告知申请执行人。",
]
BASIS_AND_CONSEQUENCES = [
    "依据《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第五百一十七条及《最高人民法院关于严格规范终结本次执行程序的规定（试行）》第一条，"
    "人民法院已发出执行通知、责令被执行人报告财产，已向被执行人发出限制消费令，已穷尽财产调查措施，未发现被执行人有可供执行的财产或者发现的财产不能处置，"
    "自立案之日起已超过三个月的，可以裁定终结本次执行程序。",
    *RIGHTS_NOTICE,
]

DIGITS = "〇一二三四五六七八九"


class DocumentError(ValueError):
    pass


# -- values from the case ------------------------------------------------------------------


def chinese_date(d: date) -> str:
    """二〇二三年六月二十八日 — how rulings write their date."""

    def small(n: int) -> str:
        if n < 10:
            return DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")

    return "".join(DIGITS[int(c)] for c in str(d.year)) + f"年{small(d.month)}月{small(d.day)}日"


def yuan(amount: Decimal | None) -> str:
    return f"{(amount or Decimal(0)):,.2f}元"


def _identity(p: Party, *, full: bool) -> str:
    if p.id_number:
        return f"，公民身份号码{p.id_number if full else mask_id_region(p.id_number)}"
    if p.credit_code:
        return f"，统一社会信用代码{p.credit_code}"
    return ""


def party_line(p: Party, *, full: bool) -> str:
    line = f"{p.role.label}：{p.name}{_identity(p, full=full)}"
    if p.legal_representative:
        line += f"。法定代表人：{p.legal_representative}"
    return line + "。"


def _names(parties: Iterable[Party]) -> str:
    return "、".join(p.name for p in parties)


def _basis(record: CaseRecord) -> str:
    b = record.basis or {}
    parts = [b.get("issuer"), b.get("document_number"), b.get("kind")]
    text = "".join(x for x in parts if x)
    return text or "生效法律文书"


def _party_name(record: CaseRecord, party_id: str | None) -> str:
    p = record.party(party_id) if party_id else None
    return p.name if p else "被执行人"


def measure_lines(record: CaseRecord, until: date) -> list[str]:
    """执行经过及措施 (TERM-10): the enforcement acts on or before ``until``, one a line."""
    lines = []
    for e in record.events:
        if e.on > until:
            break
        text = _measure(record, e)
        if text:
            lines.append(f"{e.on.year}年{e.on.month}月{e.on.day}日，{text}。")
    return lines


def _measure(record: CaseRecord, e: Event) -> str | None:
    who = _party_name(record, e.party)
    d = e.data
    match e.node:
        case "execution_notice":
            return "向被执行人发出执行通知书"
        case "property_report_order":
            return "向被执行人发出报告财产令"
        case "clue_request":
            return "通知申请执行人提供被执行人财产线索"
        case "property_report":
            return f"{who}报告财产（{d.get('status')}）"
        case "clue_verified":
            return f"核查申请执行人提供的财产线索（{e.clue}）"
        case "online_inquiry":
            scope = "、".join(d.get("categories") or [])
            target = who if e.party else "被执行人"
            return f"通过网络执行查控系统（{d.get('system')}）查询{target}的{scope}"
        case "field_investigation":
            return "进行实地调查"
        case "search":
            return "依法搜查"
        case "audit_investigation":
            return "委托审计调查"
        case "reward_notice":
            return "发布悬赏公告"
        case "restraint":
            return f"{d.get('measure')}{d.get('category')}（{e.asset}，价值{d.get('value')}元）"
        case "deduction":
            return f"扣划{d.get('amount')}元"
        case "auction":
            return f"拍卖财产{e.asset}（{d.get('result')}）"
        case "sale":
            return f"变卖财产{e.asset}"
        case "in_kind_satisfaction":
            return f"以财产{e.asset}抵债"
        case "asset_not_disposable":
            return f"财产{e.asset}无法处置（{d.get('reason')}）"
        case "consumption_restriction":
            return f"对{who}采取限制消费措施"
        case "credit_listing":
            return f"将{who}纳入失信被执行人名单"
        case "fine":
            return f"对{who}罚款"
        case "detention":
            return f"对{who}司法拘留"
        case "criminal_referral":
            return f"将{who}涉嫌拒不执行判决、裁定罪移送公安机关"
        case "debtor_search":
            return f"依法查找{who}"
    return None


def property_lines(record: CaseRecord, until: date) -> list[str]:
    """查明的财产情况 (TERM-10): what the inquiries on or before ``until`` found and what
    became of it; "未发现" when they found nothing."""
    disposed: dict[str, str] = {}
    for e in record.events:
        if e.on > until:
            break
        if e.node == "deduction" and e.asset:
            disposed[e.asset] = f"已扣划{e.data.get('amount')}元"
        elif e.node == "auction" and e.data.get("result") == "成交":
            disposed[e.asset] = "已拍卖成交"
        elif e.node == "sale":
            disposed[e.asset] = "已变卖"
        elif e.node == "in_kind_satisfaction":
            disposed[e.asset] = "已以物抵债"
        elif e.node == "asset_not_disposable":
            disposed[e.asset] = f"无法处置：{e.data.get('reason')}"
    found: dict[str, dict] = {}
    for e in record.events_of("online_inquiry"):
        if e.on <= until:
            for item in e.data.get("found") or ():
                found[item.get("asset")] = item
    for e in record.events_of("restraint"):
        if e.on <= until and e.asset not in found:
            found[e.asset] = {
                "asset": e.asset,
                "category": e.data.get("category"),
                "value": e.data.get("value"),
            }
    if not found:
        return ["经网络执行查控及实地调查，未发现被执行人有可供执行的财产。"]
    lines = []
    for asset, item in found.items():
        state = disposed.get(asset, "余额较小或尚未处置")
        lines.append(f"查明被执行人{item.get('category')}（{asset}），价值{item.get('value')}元，{state}。")
    lines.append("除上述财产外，未发现被执行人有其他可供执行的财产。")
    return lines


def claim_text(record: CaseRecord) -> str:
    """申请执行的债权情况 (TERM-10)."""
    return (
        f"申请执行人{_names(record.applicants)}与被执行人{_names(record.debtors)}一案，{_basis(record)}已发生法律效力。"
        f"申请执行人于{record.filed_on.year}年{record.filed_on.month}月{record.filed_on.day}日向本院申请执行，"
        f"申请执行标的{yuan(record.claim_amount)}。"
    )


def realised_text(record: CaseRecord) -> str:
    """实现的债权情况 (TERM-10): realised and unrealised amounts."""
    return f"本案已执行到位{yuan(record.recovered_amount)}，尚有{yuan(record.unpaid)}未执行到位。"


def interview_values(
    record: CaseRecord, interview, court_name: str
) -> tuple[dict[str, str | list[str]], set[str]]:
    """Placeholder values of the 约谈笔录 and the ID numbers it may show in full (the
    interviewed applicant's)."""
    on = interview.interviewed_on
    applicant = record.party(interview.applicant)
    opinion = "同意终结本次执行程序" if interview.opinion == "同意" else "不同意终结本次执行程序"
    values: dict[str, str | list[str]] = {
        "法院名称": court_name,
        "案号": record.case_number,
        "约谈时间": f"{on.year}年{on.month}月{on.day}日",
        "约谈地点": interview.place,
        "约谈人": interview.interviewers,
        "记录人": interview.recorder or "",
        "被约谈人": party_line(applicant, full=True) if applicant else interview.applicant,
        "到场人员": interview.attendee,
        "被执行人": [party_line(p, full=False) for p in record.debtors],
        "告知执行情况": f"本案于{record.filed_on.year}年{record.filed_on.month}月{record.filed_on.day}日立案执行，"
        f"申请执行标的{yuan(record.claim_amount)}。{realised_text(record)}",
        "告知财产调查措施": measure_lines(record, on) or ["尚未采取财产调查措施。"],
        "告知财产情况": property_lines(record, on),
        "告知终本依据及法律后果": BASIS_AND_CONSEQUENCES,
        "申请执行人意见": opinion,
        "申请执行人陈述": interview.statement or "",
    }
    allowed = {applicant.id_number} if applicant and applicant.id_number else set()
    return values, allowed


def ruling_values(record: CaseRecord, ruling, court_name: str) -> tuple[dict[str, str | list[str]], set[str]]:
    """Placeholder values of the 终本裁定书 and the ID numbers it may show (every party's)."""
    on = ruling.ruled_on
    if ruling.approval == "consent":
        approval = f"申请执行人{_names(record.applicants)}同意终结本次执行程序。"
    else:
        approval = "本案经合议庭评议，并报院长批准。"
    values: dict[str, str | list[str]] = {
        "法院名称": court_name,
        "案号": record.case_number,
        "当事人": [party_line(p, full=True) for p in record.parties],
        "执行依据": _basis(record),
        "债权情况": claim_text(record),
        "执行经过": measure_lines(record, on) + ([ruling.process_note] if ruling.process_note else []),
        "财产情况": property_lines(record, on) + ([ruling.property_note] if ruling.property_note else []),
        "实现情况": realised_text(record),
        "审批情况": approval,
        "权利告知": RIGHTS_NOTICE,
        "审判长": ruling.presiding,
        "审判员": ruling.judges or "",
        "书记员": ruling.clerk,
        "裁定日期": chinese_date(on),
    }
    allowed = {p.id_number for p in record.parties if p.id_number}
    return values, allowed


# -- rendering -----------------------------------------------------------------------------------


def _paragraphs(doc) -> Iterator[Paragraph]:
    """Every paragraph: body, tables (nested too), headers and footers."""

    def walk(container) -> Iterator[Paragraph]:
        yield from container.paragraphs
        for table in getattr(container, "tables", ()):
            for row in table.rows:
                for cell in row.cells:
                    yield from walk(cell)

    yield from walk(doc)
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            yield from walk(part)


def _set_text(paragraph: Paragraph, text: str) -> None:
    """Replace the paragraph's text, keeping the first run's formatting."""
    runs = paragraph.runs
    if not runs:
        paragraph.add_run(text)
        return
    runs[0].text = text
    for run in runs[1:]:
        run._r.getparent().remove(run._r)


def placeholders_in(content: bytes) -> set[str]:
    doc = Document(io.BytesIO(content))
    return {m.group(1) for p in _paragraphs(doc) for m in PLACEHOLDER_RE.finditer(p.text)}


def template_problems(content: bytes, kind: str) -> list[str]:
    """Why an uploaded template cannot be used: not a .docx, a required placeholder missing
    (TERM-8/TERM-10 content), or an unknown one (a typo would print literally)."""
    try:
        used = placeholders_in(content)
    except Exception:  # python-docx raises several kinds on a file that is not a .docx
        return ["文件不是有效的 Word 文档（.docx）"]
    known = PLACEHOLDERS[kind]
    problems = []
    missing = [name for name, required in known.items() if required and name not in used]
    if missing:
        problems.append("模板缺少必备内容：" + "、".join("{{" + m + "}}" for m in missing))
    unknown = sorted(used - set(known))
    if unknown:
        problems.append("模板含有无法识别的占位符：" + "、".join("{{" + u + "}}" for u in unknown))
    return problems


def mask_foreign_ids(text: str, allowed: set[str]) -> str:
    """Mask every 公民身份号码 in ``text`` that does not belong to a party of the document."""
    return ID_RE.sub(
        lambda m: m.group(0) if m.group(0).upper() in allowed else mask_id_region(m.group(0)), text
    )


def render(template: bytes, values: dict[str, str | list[str]], allowed_ids: Iterable[str]) -> bytes:
    """Fill ``template``'s placeholders with ``values`` and mask foreign ID numbers."""
    allowed = {a.upper() for a in allowed_ids}
    doc = Document(io.BytesIO(template))
    for paragraph in list(_paragraphs(doc)):
        text = paragraph.text
        if "{{" not in text:
            continue
        whole = PLACEHOLDER_RE.fullmatch(text.strip())
        if whole and isinstance(values.get(whole.group(1)), list):
            lines = [line for line in values[whole.group(1)] if line] or [""]
            _set_text(paragraph, lines[0])
            anchor = paragraph._p
            for line in lines[1:]:
                clone = copy.deepcopy(paragraph._p)
                anchor.addnext(clone)
                anchor = clone
                _set_text(Paragraph(clone, paragraph._parent), line)
            continue

        def fill(m: re.Match) -> str:
            value = values.get(m.group(1))
            if value is None:
                raise DocumentError(f"模板占位符{{{{{m.group(1)}}}}}无法识别")
            return "".join(value) if isinstance(value, list) else value

        _set_text(paragraph, PLACEHOLDER_RE.sub(fill, text))
    for paragraph in _paragraphs(doc):
        text = paragraph.text  # whole paragraph: a number may be split across runs
        if ID_RE.search(text):
            masked = mask_foreign_ids(text, allowed)
            if masked != text:
                _set_text(paragraph, masked)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def document_text(content: bytes) -> str:
    """All the text of a .docx, a paragraph a line (tests, previews)."""
    return "\n".join(p.text for p in _paragraphs(Document(io.BytesIO(content))))


# -- templates -------------------------------------------------------------------------------------


def default_template(kind: str) -> bytes:
    path = TEMPLATE_DIR / f"{kind}.docx"
    if not path.exists():
        build_default_templates(TEMPLATE_DIR)
    return path.read_bytes()


def template_for(court_path: str, kind: str) -> bytes:
    """The court's own template, else the nearest superior court's, else the default."""
    from zhixing.termination.models import DocumentTemplate

    codes = [c for c in court_path.split("/") if c]
    rows = dict(
        DocumentTemplate.objects.filter(kind=kind, court__code__in=codes).values_list(
            "court__code", "content"
        )
    )
    for code in reversed(codes):
        if code in rows:
            return bytes(rows[code])
    return default_template(kind)


@dataclass(frozen=True)
class Line:
    text: str
    align: str = "justify"  # justify, center, right
    size: float = 16  # 三号
    bold: bool = False
    indent: bool = True  # 首行缩进两字
    font: str = "仿宋"


def _write(path: Path, lines: list[Line]) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = "仿宋"
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    align = {
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }
    for line in lines:
        p = doc.add_paragraph()
        p.alignment = align[line.align]
        p.paragraph_format.line_spacing = Pt(28)
        if line.indent and line.align == "justify":
            p.paragraph_format.first_line_indent = Pt(line.size * 2)
        run = p.add_run(line.text)
        run.font.size = Pt(line.size)
        run.bold = line.bold
        run.font.name = line.font
        run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), line.font)
    doc.core_properties.author = "zhixing"
    doc.core_properties.title = path.stem
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)


def build_default_templates(directory: Path = TEMPLATE_DIR) -> list[Path]:
    """Write the default 约谈笔录 and 终本裁定书 templates (the files courts edit)."""
    title = {"align": "center", "indent": False, "font": "宋体", "bold": True}
    interview = [
        Line("{{法院名称}}", size=22, **title),
        Line("约 谈 笔 录", size=26, **title),
        Line("案号：{{案号}}", indent=False),
        Line("时间：{{约谈时间}}", indent=False),
        Line("地点：{{约谈地点}}", indent=False),
        Line("约谈人：{{约谈人}}　　记录人：{{记录人}}", indent=False),
        Line("被约谈人：{{被约谈人}}", indent=False),
        Line("到场人员：{{到场人员}}", indent=False),
        Line("本案被执行人：", indent=False),
        Line("{{被执行人}}"),
        Line(
            "问：本院现依照《最高人民法院关于严格规范终结本次执行程序的规定（试行）》第五条，向你告知下列事项，并听取你对终结本次执行程序的意见。"
        ),
        Line("一、案件执行情况：", bold=True),
        Line("{{告知执行情况}}"),
        Line("二、采取的财产调查措施：", bold=True),
        Line("{{告知财产调查措施}}"),
        Line("三、查明的财产情况：", bold=True),
        Line("{{告知财产情况}}"),
        Line("四、终结本次执行程序的依据及法律后果：", bold=True),
        Line("{{告知终本依据及法律后果}}"),
        Line("问：以上告知事项你是否清楚？对本案终结本次执行程序有何意见？"),
        Line("答：清楚。我的意见是：{{申请执行人意见}}。"),
        Line("{{申请执行人陈述}}"),
        Line("以上笔录经被约谈人阅看（或向其宣读），确认无误。"),
        Line("被约谈人（签名）：　　　　　　约谈人（签名）：　　　　　　记录人（签名）：", indent=False),
    ]
    ruling = [
        Line("{{法院名称}}", size=22, **title),
        Line("执 行 裁 定 书", size=26, **title),
        Line("{{案号}}", align="right", indent=False),
        Line("{{当事人}}"),
        Line("{{债权情况}}"),
        Line("本院在执行过程中，采取了下列执行措施："),
        Line("{{执行经过}}"),
        Line("{{财产情况}}"),
        Line("{{实现情况}}"),
        Line("{{审批情况}}"),
        Line(
            "本院认为，本案已穷尽财产调查措施，未发现被执行人有可供执行的财产或者发现的财产不能处置，"
            "依照《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第五百一十七条、"
            "《最高人民法院关于严格规范终结本次执行程序的规定（试行）》第一条之规定，裁定如下："
        ),
        Line("终结本次执行程序。"),
        Line("{{权利告知}}"),
        Line("本裁定送达后立即生效。"),
        Line("审判长（执行员）　{{审判长}}", align="right", indent=False),
        Line("审　判　员　{{审判员}}", align="right", indent=False),
        Line("{{裁定日期}}", align="right", indent=False),
        Line("书　记　员　{{书记员}}", align="right", indent=False),
    ]
    paths = [directory / "interview.docx", directory / "ruling.docx"]
    _write(paths[0], interview)
    _write(paths[1], ruling)
    return paths


# -- the two documents of a case ---------------------------------------------------------------------


def _shown_to(viewer, case, allowed: set[str]) -> set[str]:
    """The whole numbers ``viewer`` may read in a document of ``case``: the document's own
    parties' for the handling court (``viewer`` None: the court itself, e.g. a command),
    none for anybody else (lib.masking's rule: every number in the staff form)."""
    if viewer is None or audience(viewer, case.court_id) is Audience.HANDLING:
        return allowed
    return set()


def interview_document(interview, *, viewer=None) -> bytes:
    """The 约谈笔录 of an ``Interview`` row, filled from the case as it stood that day."""
    from zhixing.cases.loader import load_record

    case = interview.case
    values, allowed = interview_values(load_record(case.pk), interview, case.court.name)
    return render(template_for(case.court.path, INTERVIEW), values, _shown_to(viewer, case, allowed))


def ruling_document(ruling, *, viewer=None) -> bytes:
    """The 终本裁定书 of a ``Ruling`` row."""
    from zhixing.cases.loader import load_record

    case = ruling.case
    values, allowed = ruling_values(load_record(case.pk), ruling, case.court.name)
    return render(template_for(case.court.path, RULING), values, _shown_to(viewer, case, allowed))
