"""案号 parsing and normalisation (rules.md §7 CASENO-1 … CASENO-6; cases/casenumber.py)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixing.cases.casenumber import (
    PROVINCES,
    CaseNumber,
    CaseNumberError,
    is_court_code,
    normalise,
    parse,
)
from zhixing.cases.choices import TYPE_CODES, CaseType

FAST = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("（2023）豫0823执1234号", CaseNumber(2023, "豫0823", "执", 1234)),
        ("（2023）豫0823执恢15号", CaseNumber(2023, "豫0823", "执恢", 15)),
        ("（2024）豫08执保3号", CaseNumber(2024, "豫08", "执保", 3)),
        ("（2019）京执复1号", CaseNumber(2019, "京", "执复", 1)),
        ("（2020）最高法执监88号", CaseNumber(2020, "最高法", "执监", 88)),
        ("（2021）兵0101执他7号", CaseNumber(2021, "兵0101", "执他", 7)),
        ("（2022）内01执异2号", CaseNumber(2022, "内01", "执异", 2)),
        ("（2022）沪72执协10号", CaseNumber(2022, "沪72", "执协", 10)),
    ],
)
def test_parse_reads_year_court_type_and_sequence(text, expected):
    assert parse(text) == expected
    assert str(parse(text)) == text


def test_type_code_gives_the_case_type():
    assert parse("（2023）豫0823执恢15号").case_type == CaseType.RESUMED
    assert parse("（2023）豫0823执15号").case_type == CaseType.FIRST
    assert parse("（2023）豫0823执保15号").case_type == CaseType.PRESERVATION


@pytest.mark.parametrize(
    "text",
    ["(2023)豫0823执1234号", "（2023)豫0823执1234号", "(2023）豫0823执1234号", "  (2023)豫0823执1234号 "],
)
def test_half_width_brackets_are_normalised(text):
    """CASENO-1: half-width () accepted on input, stored as the official （）."""
    assert normalise(text) == "（2023）豫0823执1234号"
    assert str(parse(text)) == "（2023）豫0823执1234号"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("2023豫0823执1234号", "案号格式应为“（年度）法院代字类型代字编号号”（CASENO-1）"),
        ("（23）豫0823执1234号", "案号格式应为“（年度）法院代字类型代字编号号”（CASENO-1）"),
        ("（2023）豫0823执1234", "案号格式应为“（年度）法院代字类型代字编号号”（CASENO-1）"),
        ("（2023）豫0823执号", "案号格式应为“（年度）法院代字类型代字编号号”（CASENO-1）"),
        ("（2023）豫082执1号", "法院代字“豫082”无效（CASENO-3）"),
        ("（2023）豫08231执1号", "法院代字“豫08231”无效（CASENO-3）"),
        ("（2023）美0823执1号", "案号格式应为“（年度）法院代字类型代字编号号”（CASENO-1）"),
        ("（2023）豫0823民初1号", "类型代字“民初”不是执行类型代字（CASENO-5）"),
        ("（2023）豫0823执行1号", "类型代字“执行”不是执行类型代字（CASENO-5）"),
        ("（2023）豫0823执0号", "案件编号“0”应为从1开始、不超过8位的自然数（CASENO-6）"),
        ("（2023）豫0823执012号", "案件编号“012”应为从1开始、不超过8位的自然数（CASENO-6）"),
    ],
)
def test_malformed_numbers_name_the_rule(text, error):
    with pytest.raises(CaseNumberError) as caught:
        parse(text)
    assert str(caught.value) == error


def test_a_number_must_be_a_string():
    with pytest.raises(CaseNumberError, match="案号应为字符串"):
        parse(20231234)


@pytest.mark.parametrize("code", ["最高法", "豫", "豫08", "豫0823", "京03", "军", "兵0101"])
def test_court_codes(code):
    assert is_court_code(code)


@pytest.mark.parametrize("code", ["", "最高", "豫8", "豫082", "豫08231", "A0823", "豫 08", None, 823])
def test_not_court_codes(code):
    assert not is_court_code(code)


# -- properties --------------------------------------------------------------------------------

courts = st.one_of(
    st.just("最高法"),
    st.builds(
        lambda p, d: p + d,
        st.sampled_from(PROVINCES),
        st.sampled_from(["", "01", "08", "72", "0823", "0105"]),
    ),
)
brackets = st.sampled_from([("（", "）"), ("(", ")"), ("（", ")"), ("(", "）")])


@st.composite
def written_numbers(draw) -> str:
    """A case number as a producer may write it: either bracket width, maybe padded."""
    left, right = draw(brackets)
    year = draw(st.integers(1990, 2099))
    seq = draw(st.integers(1, 10**6))
    pad = draw(st.sampled_from(["", " ", "\t"]))
    return f"{pad}{left}{year}{right}{draw(courts)}{draw(st.sampled_from(sorted(TYPE_CODES)))}{seq}号{pad}"


@FAST
@given(written_numbers())
def test_round_trip_str_parse_is_normalise(text):
    assert str(parse(text)) == normalise(text)
    assert parse(str(parse(text))) == parse(text)


@FAST
@given(st.text(alphabet="（）()0123456789豫京最高法执恢保异复监协他号民初", max_size=20))
def test_every_accepted_text_round_trips(text):
    """Whatever ``parse`` accepts, ``str`` of it is the normalised input (nothing silently changed)."""
    try:
        number = parse(text)
    except CaseNumberError:
        return
    assert str(number) == normalise(text)


@pytest.mark.parametrize("text", ["（２０２３）豫0823执1号", "（2023）豫０８２３执1号"])
def test_full_width_digits_are_rejected_or_normalised(text):
    try:
        number = parse(text)
    except CaseNumberError:
        return
    assert str(number) == normalise(text)
    assert number.court == "最高法" or (is_court_code(number.court) and number.court.isascii())
