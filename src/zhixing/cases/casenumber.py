"""案号 (case numbers), rules.md §7: CASENO-1 … CASENO-6.

``（2023）豫0823执1234号`` = year, court code, type code, sequence. Model-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhixing.cases.choices import TYPE_CODES, CaseType

#: CASENO-3: 最高法, or a high court's one-character code optionally followed by 2 digits
#: (intermediate court) or 4 digits (basic court).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋内陕吉闽贵粤青藏川宁琼军兵"
COURT_CODE_RE = re.compile(rf"(最高法|[{PROVINCES}]([0-9]{{2}}|[0-9]{{4}})?)")  # fullmatch; ASCII digits

_TYPE_ALTERNATION = "|".join(sorted(TYPE_CODES, key=len, reverse=True))
# CASENO-1: "（" + year + "）" + court code + type code + sequence + "号". The 2018
# amendment's 专门审判代字 does not occur in execution type codes, so it is not parsed.
_CASE_NUMBER_RE = re.compile(
    rf"（(?P<year>[0-9]{{4}})）(?P<court>最高法|[{PROVINCES}](?:[0-9]{{4}}|[0-9]{{2}})?)"
    rf"(?P<type>{_TYPE_ALTERNATION})(?P<seq>[1-9][0-9]{{0,7}})号"
)


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
        head = re.fullmatch(rf"（([0-9]{{4}})）(最高法|[{PROVINCES}][0-9]*)([^0-9]+?)([0-9]+)号", value)
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
