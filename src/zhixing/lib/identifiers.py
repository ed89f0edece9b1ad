"""Check characters of Chinese identifiers: 公民身份号码 (GB 11643-1999), 统一社会信用代码
(GB 32100-2015) and the 组织机构代码 inside it (GB 11714-1997).

Model-free; the bundle parser, forms, the screening API and the simulator share it.
Each validator returns ``None`` when the value is valid and otherwise the Chinese
sentence that says what is wrong, so the caller can attach it to a field path.
"""

from __future__ import annotations

import re
from datetime import date

from zhixing.lib import clock

# GB 11643-1999 §8.2: weights 2^(18-i) mod 11 for positions 1..17; ISO 7064 MOD 11-2.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"[0-9]{17}[0-9X]")  # ASCII digits only; used with fullmatch

# GB 32100-2015: 31 characters (no I, O, S, V, Z), weights 3^(i-1) mod 31.
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_CHARSET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714-1997: 8 body characters (digits, capital letters) and a check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def id_number_check_char(first17: str) -> str:
    """GB 11643 check character of the first 17 digits of a 公民身份号码."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_birth_date(id_number: str) -> date | None:
    """The birth date encoded in characters 7–14, or None if it is not a real date."""
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def id_number_error(value: str, *, today: date | None = None) -> str | None:
    """None if ``value`` is a valid 18-character 公民身份号码 (case-bundle.md, party.id_number):
    17 digits, the GB 11643 check character, a real birth date not in the future."""
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        return "公民身份号码应为18位：17位数字加1位校验码（0–9或X）"
    birth = id_number_birth_date(value)
    if birth is None:
        return "公民身份号码中的出生日期不存在"
    if birth > (today or clock.today()):
        return "公民身份号码中的出生日期晚于今天"
    if id_number_check_char(value[:17]) != value[17]:
        return "公民身份号码校验位错误"
    return None


def organization_code_check_char(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation-code body."""
    total = 0
    for c, w in zip(body8, _ORG_WEIGHTS, strict=True):
        total += (int(c) if c.isdigit() else ord(c) - ord("A") + 10) * w
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def credit_code_check_char(first17: str) -> str:
    """GB 32100 check character of the first 17 characters of a 统一社会信用代码."""
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def credit_code_error(value: str) -> str | None:
    """None if ``value`` is a valid 统一社会信用代码 (case-bundle.md, party.credit_code):
    18 characters of the GB 32100 set, the GB 32100 check character, and characters
    9–17 a GB 11714 organisation code with a valid check character."""
    if not isinstance(value, str) or len(value) != 18 or any(c not in _CREDIT_VALUE for c in value):
        return "统一社会信用代码应为18位，由数字和除I、O、S、V、Z外的大写字母组成"
    org = value[8:17]
    if not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", org) or organization_code_check_char(org[:8]) != org[8]:
        return "统一社会信用代码第9–17位不是有效的组织机构代码（GB 11714校验位错误）"
    if credit_code_check_char(value[:17]) != value[17]:
        return "统一社会信用代码校验位错误"
    return None
