"""Check characters of 公民身份号码 (GB 11643), 统一社会信用代码 (GB 32100) and the 组织机构代码
inside it (GB 11714) — spec/case-bundle.md, "A party" (lib/identifiers.py).

The fixed examples are the standards' own worked examples (GB 11643: 11010519491231002X,
440524188001010014; GB 11714: D2143569-X; GB 32100: 91350100M000100Y43), so the tests do
not only compare the code with itself.
"""

from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from zhixing.lib.identifiers import (
    CREDIT_CHARSET,
    credit_code_check_char,
    credit_code_error,
    id_number_birth_date,
    id_number_check_char,
    id_number_error,
    organization_code_check_char,
)

TODAY = date(2024, 6, 1)
FAST = settings(max_examples=150, deadline=None)


# -- GB 11643 公民身份号码 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["11010519491231002X", "440524188001010014", "410823198503122036", "410802197211084510"]
)
def test_standard_id_numbers_are_valid(value):
    assert id_number_error(value, today=TODAY) is None


def test_id_check_character_of_the_standard_example():
    # Σ a_i·W_i of 11010519491231002 = 167; 167 mod 11 = 2 → "X" (GB 11643 §8.2 table).
    assert id_number_check_char("11010519491231002") == "X"
    assert id_number_check_char("44052418800101001") == "4"


def test_birth_date_is_characters_7_to_14():
    assert id_number_birth_date("11010519491231002X") == date(1949, 12, 31)
    assert id_number_birth_date("110105194902300021") is None  # 1949-02-30 does not exist


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("11010519491231002", "公民身份号码应为18位：17位数字加1位校验码（0–9或X）"),  # 17 characters
        ("11010519491231002X1", "公民身份号码应为18位：17位数字加1位校验码（0–9或X）"),  # 19 characters
        ("11010519491231002x", "公民身份号码应为18位：17位数字加1位校验码（0–9或X）"),  # lower-case x
        ("1101051949123100X2", "公民身份号码应为18位：17位数字加1位校验码（0–9或X）"),  # X not last
        ("11010519491231002Y", "公民身份号码应为18位：17位数字加1位校验码（0–9或X）"),
        ("110105194902300021", "公民身份号码中的出生日期不存在"),
        ("110105202406020021", "公民身份号码中的出生日期晚于今天"),  # born the day after TODAY
        ("110105194912310021", "公民身份号码校验位错误"),  # right is X
        (410823198503122036, "公民身份号码应为18位：17位数字加1位校验码（0–9或X）"),  # a JSON number
    ],
)
def test_invalid_id_numbers_say_why(value, error):
    assert id_number_error(value, today=TODAY) == error


def test_born_today_is_not_in_the_future():
    born_today = make_id("20240601")
    assert id_number_error(born_today, today=TODAY) is None
    assert id_number_error(born_today, today=date(2024, 5, 31)) == "公民身份号码中的出生日期晚于今天"


def make_id(birth: str, region: str = "410823", seq: str = "001") -> str:
    first17 = region + birth + seq
    return first17 + id_number_check_char(first17)


@st.composite
def id_numbers(draw) -> str:
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    seq = draw(st.text("0123456789", min_size=3, max_size=3))
    return make_id(birth.strftime("%Y%m%d"), region, seq)


@FAST
@given(id_numbers())
def test_generated_id_numbers_are_valid(value):
    assert id_number_error(value, today=TODAY) is None


@FAST
@given(id_numbers(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_of_an_id_number_is_rejected(value, position, char):
    """ISO 7064 MOD 11-2 detects every single substitution; an X inside, an impossible or
    future birth date are rejected by the other rules."""
    assume(value[position] != char)
    changed = value[:position] + char + value[position + 1 :]
    assert id_number_error(changed, today=TODAY) is not None


def test_id_number_with_a_trailing_newline_is_rejected():
    assert id_number_error("11010519491231002X\n", today=TODAY) is not None


def test_id_number_with_a_full_width_digit_is_rejected():
    assert id_number_error("４40524188001010014", today=TODAY) is not None


# -- GB 11714 组织机构代码 and GB 32100 统一社会信用代码 --------------------------------------------


def test_organization_code_check_character_of_the_standard_example():
    # D=13: 13·3 + 2·7 + 1·9 + 4·10 + 3·5 + 5·8 + 6·4 + 9·2 = 199; 11 − 199 mod 11 = 10 → "X".
    assert organization_code_check_char("D2143569") == "X"
    # Σ = 0 → 11 − 0 = 11 → "0".
    assert organization_code_check_char("00000000") == "0"


@pytest.mark.parametrize(
    "value", ["91350100M000100Y43", "91410823MA3X4K2L38", "91410800MA44AB2C30", "93410825MA9G7T1R2Q"]
)
def test_standard_credit_codes_are_valid(value):
    assert credit_code_error(value) is None


def test_credit_check_character_of_the_standard_example():
    assert credit_code_check_char("91350100M000100Y4") == "3"
    # Σ = 0 → (31 − 0) mod 31 = 0 → "0".
    assert credit_code_check_char("00000000000000000") == "0"


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("91350100M000100Y4", "统一社会信用代码应为18位，由数字和除I、O、S、V、Z外的大写字母组成"),
        ("91350100M000100Y433", "统一社会信用代码应为18位，由数字和除I、O、S、V、Z外的大写字母组成"),
        ("91350100m000100y43", "统一社会信用代码应为18位，由数字和除I、O、S、V、Z外的大写字母组成"),
        (
            "9135010OM000100Y43",
            "统一社会信用代码应为18位，由数字和除I、O、S、V、Z外的大写字母组成",
        ),  # letter O
        ("91350100M000100Y4S", "统一社会信用代码应为18位，由数字和除I、O、S、V、Z外的大写字母组成"),
        ("91350100M000100Y44", "统一社会信用代码校验位错误"),
        (None, "统一社会信用代码应为18位，由数字和除I、O、S、V、Z外的大写字母组成"),
    ],
)
def test_invalid_credit_codes_say_why(value, error):
    assert credit_code_error(value) == error


def test_organization_code_check_character_is_checked_on_its_own():
    """Characters 9–17 must be a valid GB 11714 code even when the 18th character is the
    right GB 32100 check character of the first 17."""
    first17 = "91350100" + "M000100Y" + "3"  # the right organisation check is 4
    value = first17 + credit_code_check_char(first17)
    assert credit_code_error(value) == "统一社会信用代码第9–17位不是有效的组织机构代码（GB 11714校验位错误）"


ORG_BODY = CREDIT_CHARSET  # GB 11714 allows digits and capitals; inside a credit code only these


@st.composite
def credit_codes(draw) -> str:
    head = draw(st.text(CREDIT_CHARSET, min_size=8, max_size=8))
    body = draw(st.text(ORG_BODY, min_size=8, max_size=8))
    first17 = head + body + organization_code_check_char(body)
    return first17 + credit_code_check_char(first17)


@FAST
@given(credit_codes())
def test_generated_credit_codes_are_valid(value):
    assert credit_code_error(value) is None


@FAST
@given(credit_codes(), st.integers(0, 17), st.characters(codec="utf-8"))
def test_any_single_character_change_of_a_credit_code_is_rejected(value, position, char):
    """31 is prime and no weight is 0 mod 31: every substitution inside the set changes the
    check character; every character outside it breaks the set."""
    assume(value[position] != char)
    changed = value[:position] + char + value[position + 1 :]
    assert credit_code_error(changed) is not None
