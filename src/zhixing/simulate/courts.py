"""The courts of a simulation: 焦作中院 and its basic courts by default, or generated ones.

Court codes follow CASENO-3 (province character, 2 digits for an intermediate court, 4 for
a basic court); a basic court's 4 digits are the last 4 of its county's GB/T 2260 code, so
its parties' ID numbers and credit codes carry that county's 6-digit region code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from zhixing.simulate import calibration as cal


@dataclass(frozen=True, slots=True)
class Court:
    code: str  # 法院代字, e.g. 豫0823
    name: str  # 武陟县人民法院
    place: str  # the place name parties' unit names start with, e.g. 武陟县
    region: str  # 6-digit GB/T 2260 region code, e.g. 410823
    parent: str  # the superior court's code
    volume: int  # 首次执行 filings a year (before growth)


#: The province characters of CASENO-3 with their GB/T 2260 codes and full names, in the
#: order generated courts fill them (Henan first). 军 and 兵 have no counties.
PROVINCES: tuple[tuple[str, str, str], ...] = (
    ("豫", "41", "河南省"), ("冀", "13", "河北省"), ("鲁", "37", "山东省"), ("苏", "32", "江苏省"),
    ("浙", "33", "浙江省"), ("皖", "34", "安徽省"), ("鄂", "42", "湖北省"), ("湘", "43", "湖南省"),
    ("粤", "44", "广东省"), ("川", "51", "四川省"), ("晋", "14", "山西省"), ("陕", "61", "陕西省"),
    ("赣", "36", "江西省"), ("闽", "35", "福建省"), ("辽", "21", "辽宁省"), ("吉", "22", "吉林省"),
    ("黑", "23", "黑龙江省"), ("桂", "45", "广西壮族自治区"), ("云", "53", "云南省"), ("黔", "52", "贵州省"),
    ("甘", "62", "甘肃省"), ("内", "15", "内蒙古自治区"), ("新", "65", "新疆维吾尔自治区"), ("京", "11", "北京市"),
    ("津", "12", "天津市"), ("沪", "31", "上海市"), ("渝", "50", "重庆市"), ("琼", "46", "海南省"),
    ("宁", "64", "宁夏回族自治区"), ("青", "63", "青海省"), ("藏", "54", "西藏自治区"),
)  # fmt: skip
HIGH_COURT_NAMES = {abbr: f"{full}高级人民法院" for abbr, _, full in PROVINCES}

# (code, name, place, volume key)
_JIAOZUO = (
    ("豫08", "焦作市中级人民法院", "焦作市"),
    ("豫0802", "焦作市解放区人民法院", "焦作市解放区"),
    ("豫0803", "焦作市中站区人民法院", "焦作市中站区"),
    ("豫0804", "焦作市马村区人民法院", "焦作市马村区"),
    ("豫0811", "焦作市山阳区人民法院", "焦作市山阳区"),
    ("豫0821", "修武县人民法院", "修武县"),
    ("豫0822", "博爱县人民法院", "博爱县"),
    ("豫0823", "武陟县人民法院", "武陟县"),
    ("豫0825", "温县人民法院", "温县"),
    ("豫0882", "沁阳市人民法院", "沁阳市"),
    ("豫0883", "孟州市人民法院", "孟州市"),
)


def region_of(code: str) -> str:
    """The 6-digit region code of a court code: 豫0823 → 410823, 豫08 → 410800."""
    digits = dict((abbr, num) for abbr, num, _ in PROVINCES)[code[0]]
    return (digits + code[1:]).ljust(6, "0")


def parent_of(code: str) -> str:
    """The superior court from the code alone (case-bundle.md, courts file): 豫0823 → 豫08 → 豫."""
    return code[:3] if len(code) == 5 else code[:1]


def default_courts(cases_per_court_year: int | None = None) -> list[Court]:
    """焦作中院 (豫08) and its ten basic courts. With ``cases_per_court_year`` the basic
    courts average that many filings a year (their relative sizes kept) and the
    intermediate court files in the same proportion as by default."""
    volumes = dict(cal.DEFAULT_VOLUMES)
    if cases_per_court_year is not None:
        basic = [v for c, v in volumes.items() if len(c) == 5]
        scale = cases_per_court_year / (sum(basic) / len(basic))
        volumes = {c: max(1, round(v * scale)) for c, v in volumes.items()}
    return [
        Court(code, name, place, region_of(code), parent_of(code), volumes[code])
        for code, name, place in _JIAOZUO
    ]


# Syllables of generated place names; combinations are fictional (some may match a real
# place by chance, which is harmless: court names are not personal data).
_PLACE_A = "安平清河宁东西南北阳山城丰新永和兴长泰华德昌明福顺嘉乐"
_PLACE_B = "川源丘林水州陵原泉谷江湖桥关坪屯塘溪峰岭"
#: Basic-court suffixes under one intermediate court: districts 02–09, counties 21–29,
#: county-level cities 81–87 (the GB/T 2260 pattern).
_BASIC_SUFFIXES = (
    "02", "03", "21", "22", "23", "24", "81", "82",  # the first eight under each intermediate court
    "04", "05", "06", "07", "08", "09", "25", "26", "27", "28", "29", "83", "84", "85", "86", "87",
)  # fmt: skip
_INTERMEDIATE_PER_PROVINCE = 20  # 01–20: below the special codes 71–99 (CASENO-4)


def generated_courts(count: int, cases_per_court_year: int | None = None) -> list[Court]:
    """``count`` generated basic courts, eight under each generated intermediate court
    (more when ``count`` exceeds what the provinces hold that way), filling Henan first
    and then the other provinces. Intermediate courts are listed but file no cases."""
    if count < 1:
        raise ValueError("courts must be at least 1")
    per = max(8, math.ceil(count / (len(PROVINCES) * _INTERMEDIATE_PER_PROVINCE)))
    if per > len(_BASIC_SUFFIXES):
        raise ValueError(
            f"at most {len(PROVINCES) * _INTERMEDIATE_PER_PROVINCE * len(_BASIC_SUFFIXES)} courts"
        )
    volume = cases_per_court_year if cases_per_court_year is not None else 2000
    courts: list[Court] = []
    for k in range(count):
        m, j = divmod(k, per)
        p, city = divmod(m, _INTERMEDIATE_PER_PROVINCE)
        abbr = PROVINCES[p][0]
        mid = f"{abbr}{city + 1:02d}"
        if j == 0:
            city_name = _place(m * 7 + 3) + "市"
            courts.append(Court(mid, f"{city_name}中级人民法院", city_name, region_of(mid), abbr, 0))
        code = f"{mid}{_BASIC_SUFFIXES[j]}"
        suffix = _BASIC_SUFFIXES[j]
        place = _place(k) + ("区" if suffix < "21" else "县" if suffix < "81" else "市")
        # Vary sizes ±40 % around the requested mean, deterministically by position.
        size = max(1, round(volume * (0.6 + 0.8 * ((k * 37) % 11) / 10)))
        courts.append(Court(code, f"{place}人民法院", place, region_of(code), mid, size))
    return courts


def _place(i: int) -> str:
    return _PLACE_A[i % len(_PLACE_A)] + _PLACE_B[(i // len(_PLACE_A)) % len(_PLACE_B)]


def court_names() -> dict[str, str]:
    """Names of the default courts and their high court, e.g. 豫0823 → 武陟县人民法院,
    豫08 → 焦作市中级人民法院, 豫 → 河南省高级人民法院."""
    names = {"豫": HIGH_COURT_NAMES["豫"]}
    names.update((c.code, c.name) for c in default_courts())
    return names
