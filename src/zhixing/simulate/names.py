"""Fake parties: names, 公民身份号码 and 统一社会信用代码 that pass every check digit but belong
to nobody.

Names are a common surname followed by 某 or 某某, the way published judgments anonymise
people; unit names are a place, 某 and a trade. ID numbers carry the court's county code,
a birth date and a GB 11643 check character; credit codes carry the county code, a
GB 11714 organisation code and a GB 32100 check character (``zhixing.lib.identifiers``).
"""

from __future__ import annotations

from random import Random

from zhixing.lib.identifiers import CREDIT_CHARSET, credit_code_check_char, id_number_check_char, organization_code_check_char

#: The most common Chinese surnames (the order does not matter).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
TRADES = (
    "建材", "商贸", "建筑工程", "机械制造", "房地产开发", "农业科技", "物流", "餐饮管理", "化工", "汽车销售",
    "装饰工程", "电子科技", "纺织", "食品", "劳务", "钢铁贸易", "医药", "煤业", "包装", "置业",
)  # fmt: skip
COMPANY_FORMS = ("有限公司", "有限责任公司", "股份有限公司")
LENDERS = ("农村商业银行股份有限公司", "小额贷款有限公司", "融资担保有限公司", "村镇银行股份有限公司")
AGENCIES = ("自然资源局", "人力资源和社会保障局", "市场监督管理局", "生态环境局", "税务局")

_BODY_CHARS = CREDIT_CHARSET  # GB 32100 characters are also valid GB 11714 body characters


def person_name(rng: Random) -> str:
    return rng.choice(SURNAMES) + ("某" if rng.random() < 0.75 else "某某")


def id_number(rng: Random, region: str, birth_ordinal: int, *, female: bool | None = None) -> str:
    """A valid 18-character 公民身份号码: region, birth date (a date ordinal), a 3-digit
    sequence (odd for men, even for women, GB 11643) and the check character."""
    from datetime import date

    birth = date.fromordinal(birth_ordinal)
    seq = rng.randrange(0, 500) * 2 + (0 if (female if female is not None else rng.random() < 0.45) else 1)
    first17 = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{seq:03d}"
    return first17 + id_number_check_char(first17)


def credit_code(rng: Random, region: str, *, authority: str = "9", kind: str = "1") -> str:
    """A valid 统一社会信用代码: registration authority and type (91 enterprise, 93 farmers'
    cooperative, 11 government body), region, a GB 11714 organisation code whose body starts
    with MA like recently registered units, and the GB 32100 check character."""
    body = "MA" + "".join(rng.choice(_BODY_CHARS) for _ in range(6))
    first17 = f"{authority}{kind}{region}{body}{organization_code_check_char(body)}"
    return first17 + credit_code_check_char(first17)


def company_name(rng: Random, place: str) -> str:
    return f"{place}某{rng.choice(TRADES)}{rng.choice(COMPANY_FORMS)}"


def branch_name(rng: Random, place: str) -> str:
    """A 非法人组织: a branch office or a partnership."""
    if rng.random() < 0.6:
        return f"某{rng.choice(TRADES)}有限公司{place}分公司"
    return f"{place}某{rng.choice(TRADES)}合伙企业（有限合伙）"


def cooperative_name(place: str) -> str:
    return f"{place}某农业专业合作社"


def lender_name(rng: Random, place: str) -> str:
    return f"{place}某{rng.choice(LENDERS)}"


def agency_name(rng: Random, place: str) -> str:
    return f"{place}{rng.choice(AGENCIES)}"


def township_name(place: str) -> str:
    return f"{place}某镇人民政府"
