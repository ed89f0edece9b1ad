"""案号 (case numbers), rules.md §7: CASENO-1 … CASENO-6.

``（2023）豫0823执1234号`` = year, court code, type code, sequence. Model-free.

An original case number (case-bundle.md ``original_case_number``) may also be in the form
used before the 2016 rules, ``（2014）唐执字第190号`` (:class:`OldCaseNumber`,
:func:`parse_original`); a case's own number never is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhixing.cases.choices import TYPE_CODES, CaseType

#: CASENO-3: 最高法, or a high court's one-character code optionally followed by 2 digits
#: (intermediate court) or 4 digits (basic court).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋内陕吉闽黔粤青藏川宁琼军兵"
COURT_CODE_RE = re.compile(rf"(最高法|[{PROVINCES}]([0-9]{{2}}|[0-9]{{4}})?)")  # fullmatch; ASCII digits

_TYPE_ALTERNATION = "|".join(sorted(TYPE_CODES, key=len, reverse=True))
# CASENO-1: "（" + year + "）" + court code + type code + sequence + "号". The 2018
# amendment's 专门审判代字 does not occur in execution type codes, so it is not parsed.
_CASE_NUMBER_RE = re.compile(
    rf"（(?P<year>[0-9]{{4}})）(?P<court>最高法|[{PROVINCES}](?:[0-9]{{4}}|[0-9]{{2}})?)"
    rf"(?P<type>{_TYPE_ALTERNATION})(?P<seq>[1-9][0-9]{{0,7}})号"
)


#: Chinese characters (CJK Unified Ideographs and Extension A), for the pre-2016 form.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
#: case-bundle.md ``original_case_number``, the pre-2016 form: a year in brackets (either
#: width, normalised as in CASENO-1), a court abbreviation and a type code ending in 字 (both
#: Chinese characters, neither containing 第, 号 or 字 before the final 字), 第, a sequence
#: (optionally ``-N``) and 号. At most 20 characters before 字 keep the number within the
#: 64 characters the database holds.
_OLD_NUMBER_RE = re.compile(
    rf"（(?P<year>[0-9]{{4}})）(?P<head>(?:(?![第号字])[{_HAN}]){{2,20}})字"
    rf"第(?P<seq>[1-9][0-9]{{0,7}})(?:-(?P<part>[1-9][0-9]{{0,3}}))?号"
)
_OLD_HINT = "（2014）唐执字第190号"


class CaseNumberError(ValueError):
    """A malformed case number; the message says which CASENO rule it breaks."""


@dataclass(frozen=True, slots=True)
class CaseNumber:
    year: int
    court: str
    type_code: str
    sequence: int

    @property
    def case_type(self) -> CaseType:
        return TYPE_CODES[self.type_code]

    def __str__(self) -> str:
        return f"（{self.year}）{self.court}{self.type_code}{self.sequence}号"


@dataclass(frozen=True, slots=True)
class OldCaseNumber:
    """A case number in the pre-2016 form, ``（2014）唐执字第190-2号``: accepted only as the
    original of a 恢复执行 case (case-bundle.md ``original_case_number``; CLOSE-6)."""

    year: int
    court: str  # the court's abbreviation of the time, e.g. 唐
    type_code: str  # ends in 字, e.g. 执字, 执异字
    sequence: int
    part: int | None = None  # the N of ``-N``

    def __str__(self) -> str:
        part = f"-{self.part}" if self.part is not None else ""
        return f"（{self.year}）{self.court}{self.type_code}第{self.sequence}{part}号"


def normalise(text: str) -> str:
    """CASENO-1: accept half-width brackets on input, store the official full-width ones."""
    return text.strip().replace("(", "（").replace(")", "）")


def parse(text: str) -> CaseNumber:
    """Parse a case number (CASENO-1, -3, -5), normalising half-width brackets first."""
    if not isinstance(text, str):
        raise CaseNumberError("案号应为字符串（CASENO-1）")
    value = normalise(text)
    match = _CASE_NUMBER_RE.fullmatch(value)
    if match is None:
        if _OLD_NUMBER_RE.fullmatch(value):
            raise CaseNumberError(
                f"“{value}”是 2016 年以前的旧式案号，只能作为原案号；"
                "案号格式应为“（年度）法院代字类型代字编号号”（CASENO-1）"
            )
        # A letter (any script) then digits is read as a court code, so an unknown province
        # character (贵 for 黔) is named as a bad court code, not a bad layout.
        head = re.fullmatch(r"（([0-9]{4})）(最高法|[^\W\d_][0-9]*)([^0-9]+?)([0-9]+)号", value)
        if head is None:
            raise CaseNumberError("案号格式应为“（年度）法院代字类型代字编号号”（CASENO-1）")
        _, court, type_code, seq = head.groups()
        if not COURT_CODE_RE.fullmatch(court):
            raise CaseNumberError(f"法院代字“{court}”无效（CASENO-3）")
        if type_code not in TYPE_CODES:
            raise CaseNumberError(f"类型代字“{type_code}”不是执行类型代字（CASENO-5）")
        raise CaseNumberError(f"案件编号“{seq}”应为从1开始、不超过8位的自然数（CASENO-6）")
    return CaseNumber(int(match["year"]), match["court"], match["type"], int(match["seq"]))


def is_court_code(code: str) -> bool:
    return isinstance(code, str) and COURT_CODE_RE.fullmatch(code) is not None


def parse_old(text: str) -> OldCaseNumber:
    """Parse a case number in the pre-2016 form (case-bundle.md ``original_case_number``),
    normalising half-width brackets first (CASENO-1). The court abbreviation and the type
    code are not delimited; the type code is read from the first 执 after the first
    character (the execution codes 执字, 执恢字, 执异字 …), else it is the last character
    before 字 with 字 — a reading for display only, ``str`` gives the number back as
    written."""
    if not isinstance(text, str):
        raise CaseNumberError("案号应为字符串（CASENO-1）")
    value = normalise(text)
    match = _OLD_NUMBER_RE.fullmatch(value)
    if match is None:
        raise CaseNumberError(
            "2016 年以前的旧式案号格式应为“（年度）法院简称类型代字（以“字”结尾）第编号号”，"
            f"编号可带“-N”，如{_OLD_HINT}"
        )
    head = match["head"]
    cut = head.find("执", 1)
    if cut < 0:
        cut = len(head) - 1
    part = match["part"]
    return OldCaseNumber(
        int(match["year"]), head[:cut], head[cut:] + "字", int(match["seq"]), int(part) if part else None
    )


def parse_original(text: str) -> CaseNumber | OldCaseNumber:
    """The number of the case a 恢复执行 case resumes (case-bundle.md ``original_case_number``,
    CLOSE-6, CASENO-7): a current case number (:func:`parse`) or one in the pre-2016 form
    (:func:`parse_old`). A number that tries the old form (it has 字 or 第) and fails gets
    the old form's message, any other failure the current form's."""
    try:
        return parse(text)
    except CaseNumberError as current:
        value = normalise(text) if isinstance(text, str) else ""
        if not ("字" in value or "第" in value):
            raise current from None
    return parse_old(text)
