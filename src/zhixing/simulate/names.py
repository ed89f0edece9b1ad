"""Fake parties: names, 公民身份号码 and 统一社会信用代码 that pass every check digit but belong
to nobody.

Names are a common surname followed by 某 or 某某, the way published judgments anonymise
people; unit names are a place, 某 and a trade. ID numbers carry the court's county code,
a birth date and a GB 11643 check character; credit codes carry the county code, a
GB 11714 organisation code and a GB 32100 check character (``zhixing.lib.identifiers``).
"""

from __future__ import annotations

import hashlib
from datetime import date
from random import Random

from zhixing.lib.identifiers import CREDIT_CHARSET

# GB 11643 (ID numbers), GB 11714 (organisation codes), GB 32100 (credit codes): the same
# weights as zhixing.lib.identifiers.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUE = {c: (int(c) if c.isdigit() else ord(c) - ord("A") + 10) for c in CREDIT_CHARSET}
_ORG_MA = _ORG_VALUE["M"] * 3 + _ORG_VALUE["A"] * 7
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_CHARSET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

#: The most common Chinese surnames (the order does not matter).
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
TRADES = (
    "建材", "商贸", "建筑工程", "机械制造", "房地产开发", "农业科技", "物流", "餐饮管理", "化工", "汽车销售",
    "装饰工程", "电子科技", "纺织", "食品", "劳务", "钢铁贸易", "医药", "煤业", "包装", "置业",
)  # fmt: skip
COMPANY_FORMS = ("有限公司", "有限责任公司", "股份有限公司")
LENDERS = ("农村商业银行股份有限公司", "小额贷款有限公司", "融资担保有限公司", "村镇银行股份有限公司")
AGENCIES = ("自然资源局", "人力资源和社会保障局", "市场监督管理局", "生态环境局", "税务局")


#: Mobile number segments (号段) of the three carriers, for the parties' phones.
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "156", "157", "158", "159", "166", "177", "180", "181", "182", "185", "186", "187", "188",
    "189", "191", "198", "199",
)  # fmt: skip


def phone(identifier: str) -> str:
    """The mobile number the court has on file for the party with this ID number or credit
    code: 11 digits in a carrier's segment. Derived from the identifier rather than drawn
    from the case's random stream, so the same party has the same phone in every case, and
    every other field of a bundle is what it was before parties had phones."""
    n = int.from_bytes(hashlib.blake2b(identifier.encode(), digest_size=8).digest(), "big")
    prefix, rest = divmod(n, 10**8)
    return f"{MOBILE_PREFIXES[prefix % len(MOBILE_PREFIXES)]}{rest:08d}"


def person_name(rng: Random) -> str:
    r = rng.random
    return SURNAMES[int(r() * len(SURNAMES))] + ("某" if r() < 0.75 else "某某")


class Identities:
    """Valid 公民身份号码 and 统一社会信用代码 of one region (a county's 6-digit code), made
    with table lookups instead of digit-by-digit sums (the simulator makes millions).
    ``zhixing.lib.identifiers`` is the reference; the tests check the numbers against it."""

    __slots__ = ("_region", "_region_credit", "_region_id")

    def __init__(self, region: str):
        self._region = region
        self._region_id = sum(int(c) * w for c, w in zip(region, _ID_WEIGHTS[:6], strict=True))
        self._region_credit = sum(
            _CREDIT_VALUE[c] * w for c, w in zip(region, _CREDIT_WEIGHTS[2:8], strict=True)
        )

    def id_number(self, rng: Random, birth_ordinal: int) -> str:
        """Region, birth date (a day number), a 3-digit sequence (odd for men, even for
        women) and the GB 11643 check character."""
        birth = date.fromordinal(birth_ordinal)
        seq = int(rng.random() * 1000)
        total = (
            self._region_id
            + _YEAR_SUM[birth.year]
            + _MONTH_SUM[birth.month]
            + _DAY_SUM[birth.day]
            + _SEQ_SUM[seq]
        )
        return f"{self._region}{birth.year}{_TWO[birth.month]}{_TWO[birth.day]}{_THREE[seq]}{_ID_CHECK[total % 11]}"

    def credit_code(self, rng: Random, prefix: str = "91") -> str:
        """Registration authority and type (91 enterprise, 93 farmers' cooperative, 11
        government body), region, a GB 11714 organisation code whose body starts with MA
        like recently registered units, and the GB 32100 check character."""
        r = rng.random
        p1, p2, p3, p4, p5, p6 = _BODY
        c1, c2, c3 = p1[int(r() * 31)], p2[int(r() * 31)], p3[int(r() * 31)]
        c4, c5, c6 = p4[int(r() * 31)], p5[int(r() * 31)], p6[int(r() * 31)]
        org = _ORG_MA + c1[1] + c2[1] + c3[1] + c4[1] + c5[1] + c6[1]
        org_check = _ORG_CHECK[org % 11]
        credit = (
            (_PREFIX_SUM.get(prefix) or _prefix_sum(prefix)) + self._region_credit + _CREDIT_MA
            + c1[2] + c2[2] + c3[2] + c4[2] + c5[2] + c6[2] + _CREDIT_VALUE[org_check] * _CREDIT_WEIGHTS[16]
        )  # fmt: skip
        return f"{prefix}{self._region}MA{c1[0]}{c2[0]}{c3[0]}{c4[0]}{c5[0]}{c6[0]}{org_check}{CREDIT_CHARSET[-credit % 31]}"


def _prefix_sum(prefix: str) -> int:
    _PREFIX_SUM[prefix] = (
        _CREDIT_VALUE[prefix[0]] * _CREDIT_WEIGHTS[0] + _CREDIT_VALUE[prefix[1]] * _CREDIT_WEIGHTS[1]
    )
    return _PREFIX_SUM[prefix]


_PREFIX_SUM: dict[str, int] = {}
# Contributions of each part of an ID number to its weighted sum (positions 7–17).
_YEAR_SUM = {
    y: sum(int(c) * w for c, w in zip(f"{y:04d}", _ID_WEIGHTS[6:10], strict=True)) for y in range(1900, 2101)
}
_MONTH_SUM = {
    m: sum(int(c) * w for c, w in zip(f"{m:02d}", _ID_WEIGHTS[10:12], strict=True)) for m in range(1, 13)
}
_DAY_SUM = {
    d: sum(int(c) * w for c, w in zip(f"{d:02d}", _ID_WEIGHTS[12:14], strict=True)) for d in range(1, 32)
}
_SEQ_SUM = tuple(
    sum(int(c) * w for c, w in zip(f"{k:03d}", _ID_WEIGHTS[14:], strict=True)) for k in range(1000)
)
_TWO = tuple(f"{k:02d}" for k in range(32))
_THREE = tuple(f"{k:03d}" for k in range(1000))
# Contributions of the six random organisation-code characters (body positions 3–8, credit
# code positions 11–16) to the GB 11714 and GB 32100 sums, and of the fixed "MA".
_BODY = tuple(
    tuple(
        (c, _ORG_VALUE[c] * _ORG_WEIGHTS[k + 2], _CREDIT_VALUE[c] * _CREDIT_WEIGHTS[k + 10])
        for c in CREDIT_CHARSET
    )
    for k in range(6)
)
#: GB 11714: check = 11 − (sum mod 11), written X for 10 and 0 for 11.
_ORG_CHECK = tuple("0" if k == 0 else "X" if k == 1 else str(11 - k) for k in range(11))
_CREDIT_MA = _CREDIT_VALUE["M"] * _CREDIT_WEIGHTS[8] + _CREDIT_VALUE["A"] * _CREDIT_WEIGHTS[9]


def _choice(rng: Random, items: tuple[str, ...]) -> str:
    return items[int(rng.random() * len(items))]


def company_name(rng: Random, place: str) -> str:
    return f"{place}某{_choice(rng, TRADES)}{_choice(rng, COMPANY_FORMS)}"


def branch_name(rng: Random, place: str) -> str:
    """A 非法人组织: a branch office or a partnership."""
    if rng.random() < 0.6:
        return f"某{_choice(rng, TRADES)}有限公司{place}分公司"
    return f"{place}某{_choice(rng, TRADES)}合伙企业（有限合伙）"


def cooperative_name(place: str) -> str:
    return f"{place}某农业专业合作社"


def lender_name(rng: Random, place: str) -> str:
    return f"{place}某{_choice(rng, LENDERS)}"


def agency_name(rng: Random, place: str) -> str:
    return f"{place}{_choice(rng, AGENCIES)}"


def township_name(place: str) -> str:
    return f"{place}某镇人民政府"
