"""案号 parsing and normalisation (rules.md §7 CASENO-1 … CASENO-6; cases/casenumber.py), and
the pre-2016 form an original case number may take (spec/case-bundle.md ``original_case_number``)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixing.cases.casenumber import (
    PROVINCES,
    CaseNumber,
    CaseNumberError,
    OldCaseNumber,
    is_court_code,
    normalise,
    parse,
    parse_old,
    parse_original,
)
from zhixing.cases.choices import TYPE_CODES, CaseType
from zhixing.simulate import courts as simulated

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
        ("（2019）黔0102执47号", CaseNumber(2019, "黔0102", "执", 47)),  # 贵阳市南明区法院
        ("（2020）黔01执恢3号", CaseNumber(2020, "黔01", "执恢", 3)),
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
        ("（2023）美0823执1号", "法院代字“美0823”无效（CASENO-3）"),
        ("（2019）贵0102执47号", "法院代字“贵0102”无效（CASENO-3）"),  # Guizhou is 黔
        ("（2019）贵执1号", "法院代字“贵”无效（CASENO-3）"),
        ("（2023）A0823执1号", "法院代字“A0823”无效（CASENO-3）"),
        (
            "（2014）唐执字第190号",
            "“（2014）唐执字第190号”是 2016 年以前的旧式案号，只能作为原案号；"
            "案号格式应为“（年度）法院代字类型代字编号号”（CASENO-1）",
        ),
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


@pytest.mark.parametrize(
    "code", ["最高法", "豫", "豫08", "豫0823", "京03", "军", "兵0101", "黔", "黔01", "黔0102"]
)
def test_court_codes(code):
    assert is_court_code(code)


@pytest.mark.parametrize(
    "code", ["", "最高", "豫8", "豫082", "豫08231", "A0823", "豫 08", None, 823, "贵", "贵01", "贵0102"]
)
def test_not_court_codes(code):
    assert not is_court_code(code)


def test_the_provinces_are_those_of_caseno_3():
    # rules.md CASENO-3: ^(最高法|[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋内陕吉闽黔粤青藏川宁琼军兵](\d{2}|\d{4})?)$
    assert PROVINCES == "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋内陕吉闽黔粤青藏川宁琼军兵"
    assert len(set(PROVINCES)) == 33


def test_the_simulator_names_guizhou_qian():
    table = {abbr: (digits, name) for abbr, digits, name in simulated.PROVINCES}
    assert table["黔"] == ("52", "贵州省")
    assert "贵" not in table
    assert set(table) <= set(PROVINCES)
    assert simulated.HIGH_COURT_NAMES["黔"] == "贵州省高级人民法院"
    assert simulated.region_of("黔0102") == "520102"
    assert simulated.parent_of("黔0102") == "黔01"


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


@FAST
@given(
    st.sampled_from(PROVINCES),
    st.sampled_from(["", "01", "0102", "72"]),
    st.sampled_from(sorted(TYPE_CODES)),
    st.integers(1, 10**8 - 1),
)
def test_every_province_parses_and_round_trips(province, digits, type_code, seq):
    text = f"（2019）{province}{digits}{type_code}{seq}号"
    assert parse(text) == CaseNumber(2019, province + digits, type_code, seq)
    assert str(parse(text)) == text
    assert is_court_code(province + digits)


@FAST
@given(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF).filter(lambda c: c not in PROVINCES),
    st.sampled_from(["", "01", "0102"]),
)
def test_any_other_character_is_not_a_court(char, digits):
    with pytest.raises(CaseNumberError) as caught:
        parse(f"（2019）{char}{digits}执47号")
    assert str(caught.value) == f"法院代字“{char}{digits}”无效（CASENO-3）"
    assert not is_court_code(char + digits)


# -- the pre-2016 form of an original case number (case-bundle.md original_case_number) -----------


@pytest.mark.parametrize(
    ("text", "expected", "stored"),
    [
        ("（2014）唐执字第190号", OldCaseNumber(2014, "唐", "执字", 190), "（2014）唐执字第190号"),
        ("(2013)龙执异字第2号", OldCaseNumber(2013, "龙", "执异字", 2), "（2013）龙执异字第2号"),
        ("（2014）唐执字第190-2号", OldCaseNumber(2014, "唐", "执字", 190, 2), "（2014）唐执字第190-2号"),
        (
            "（2015)沪一中执恢字第12号",
            OldCaseNumber(2015, "沪一中", "执恢字", 12),
            "（2015）沪一中执恢字第12号",
        ),
        (
            "（2010）京二中民初字第5号",
            OldCaseNumber(2010, "京二中民", "初字", 5),
            "（2010）京二中民初字第5号",
        ),
        (
            " (2009)豫法执监字第1-12号 ",
            OldCaseNumber(2009, "豫法", "执监字", 1, 12),
            "（2009）豫法执监字第1-12号",
        ),
    ],
)
def test_the_old_form_is_read_and_written_back(text, expected, stored):
    assert parse_old(text) == expected
    assert parse_original(text) == expected
    assert str(parse_old(text)) == stored


@pytest.mark.parametrize(
    "text",
    [
        "（2014）唐执字190号",  # no 第
        "（2014）唐执字第190",  # no 号
        "（2014）唐执第190号",  # the type code does not end in 字
        "（2014）唐字第190号",  # no type code before 字
        "2014唐执字第190号",  # no brackets
        "（14）唐执字第190号",  # a two-digit year
        "（2014）唐1执字第190号",  # a digit in the court abbreviation
        "（2014）Tang执字第190号",  # not Chinese characters
        "（2014）唐执字第0号",
        "（2014）唐执字第0190号",
        "（2014）唐执字第190-号",
        "（2014）唐执字第190-0号",
        "（2014）唐执字第190－2号",  # a full-width hyphen
        "（2014）唐执字第190号第2号",
        "（2014）唐执字字第190号",
        "（2014）唐第执字第190号",
        "（2014）唐执字第１９０号",  # full-width digits
        "（2014）" + "唐" * 20 + "执字第1号",  # longer than a court abbreviation and type code
    ],
)
def test_a_malformed_old_number_is_refused(text):
    message = (
        "2016 年以前的旧式案号格式应为“（年度）法院简称类型代字（以“字”结尾）第编号号”，"
        "编号可带“-N”，如（2014）唐执字第190号"
    )
    for read in (parse_old, parse_original):
        with pytest.raises(CaseNumberError) as caught:
            read(text)
        assert str(caught.value) == message


def test_an_original_number_in_the_current_form_keeps_its_rules():
    assert parse_original("(2023)豫0823执1234号") == CaseNumber(2023, "豫0823", "执", 1234)
    with pytest.raises(CaseNumberError) as caught:
        parse_original("（2019）贵0102执47号")
    assert str(caught.value) == "法院代字“贵0102”无效（CASENO-3）"
    with pytest.raises(CaseNumberError) as caught:
        parse_original(2014190)
    assert str(caught.value) == "案号应为字符串（CASENO-1）"


old_heads = st.text(alphabet="唐龙沪京一二中高法执恢异复监协他保民初终", min_size=2, max_size=20)


@st.composite
def old_numbers(draw) -> str:
    """A pre-2016 number as a producer may write it: either bracket width, maybe a -N part."""
    left, right = draw(brackets)
    part = draw(st.one_of(st.just(""), st.integers(1, 9999).map(lambda n: f"-{n}")))
    seq = draw(st.integers(1, 10**8 - 1))
    return f"{left}{draw(st.integers(1000, 9999))}{right}{draw(old_heads)}字第{seq}{part}号"


@FAST
@given(old_numbers())
def test_old_numbers_round_trip(text):
    number = parse_old(text)
    assert str(number) == normalise(text)
    assert parse_old(str(number)) == number
    assert parse_original(text) == number
    assert len(str(number)) <= 64  # the column holds it
    assert number.type_code.endswith("字") and number.court and len(number.type_code) >= 2
    with pytest.raises(CaseNumberError, match="只能作为原案号"):
        parse(text)


@FAST
@given(st.text(alphabet="（）()0123456789-唐龙执异恢字第号豫", max_size=24))
def test_every_accepted_original_round_trips(text):
    """Whatever ``parse_original`` accepts, ``str`` of it is the normalised input."""
    try:
        number = parse_original(text)
    except CaseNumberError:
        return
    assert str(number) == normalise(text)
