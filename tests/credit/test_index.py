"""The screening index: lossless packing of identifiers, the fast ID validator agreeing
with lib.identifiers, lookups over sorted arrays and the change overlay. Pure: no database."""

from array import array
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixing.credit.index import (
    Hit,
    InvalidIdentifier,
    ScreeningIndex,
    pack,
    payload,
    person_key,
    person_keys_array,
    today_string,
    unpack,
    unpack_payload,
)
from zhixing.lib.identifiers import (
    CREDIT_CHARSET,
    credit_code_check_char,
    id_number_check_char,
    id_number_error,
    organization_code_check_char,
)

TODAY = date(2026, 1, 1)


def an_id(first17: str) -> str:
    return first17 + id_number_check_char(first17)


def a_code(first8: str, body: str) -> str:
    first17 = first8 + body + organization_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def test_person_ids_pack_losslessly_including_check_x():
    with_x = next(
        an_id(f"41082319850312{n:03d}") for n in range(1000) if an_id(f"41082319850312{n:03d}")[-1] == "X"
    )
    for value in ("410823198503122036"[:17] + id_number_check_char("41082319850312203"), with_x):
        key, tag = pack(value, today=TODAY)
        assert tag == 0
        assert 0 <= key < 2**63
        assert unpack(key, tag) == value


def test_lower_case_x_and_blanks_are_normalised():
    with_x = next(
        an_id(f"41082319850312{n:03d}") for n in range(1000) if an_id(f"41082319850312{n:03d}")[-1] == "X"
    )
    assert pack(f"  {with_x.lower()} ", today=TODAY) == pack(with_x, today=TODAY)


def test_credit_codes_pack_losslessly_and_never_collide_with_person_ids():
    code = a_code("91410823", "MA3X4K2L")
    key, tag = pack(code, today=TODAY)
    assert tag >= 1 and 0 <= key < 2**63 and tag < 2**31
    assert unpack(key, tag) == code
    other = a_code("Y1410823", "MA3X4K2L")  # differs only in the first five characters: the tag
    assert pack(other, today=TODAY)[0] == key and pack(other, today=TODAY)[1] != tag


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("41082319850312203", "证件号码应为18位公民身份号码或统一社会信用代码"),
        ("410823198503122030", "公民身份号码校验位错误"),
        ("410823198502302036", "公民身份号码中的出生日期不存在"),
        ("410823203001012036", "公民身份号码中的出生日期晚于今天"),
        ("91410823MA3X4K2L0I", "统一社会信用代码应为18位，由数字和除I、O、S、V、Z外的大写字母组成"),
        ("", "证件号码不能为空"),
    ],
)
def test_malformed_identifiers_say_what_is_wrong(value, error):
    with pytest.raises(InvalidIdentifier) as info:
        pack(value, today=TODAY)
    assert str(info.value) == error


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="0123456789X", min_size=17, max_size=19),
    st.booleans(),
)
def test_fast_validator_agrees_with_lib_identifiers(text, fix_check):
    """person_key accepts exactly what id_number_error accepts (ASCII input)."""
    if fix_check and len(text) == 18 and text[:17].isdigit():
        text = an_id(text[:17])
    fast = person_key(text, today_string(TODAY)) is not None
    assert fast == (id_number_error(text, today=TODAY) is None)


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
    st.sampled_from(["410823", "110105"]),
)
def test_every_valid_id_round_trips(birth, seq, region):
    value = an_id(f"{region}{birth:%Y%m%d}{seq:03d}")
    assert person_key(value, today_string(TODAY)) is not None
    assert unpack(*pack(value, today=TODAY)) == value


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=CREDIT_CHARSET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
)
def test_every_valid_credit_code_round_trips(head, region, body):
    value = a_code(head + region, body)
    assert unpack(*pack(value, today=TODAY)) == value


def index_of(rows) -> ScreeningIndex:
    """An index over ``(identifier, entry id, kind, since, case number)``, sorted like the build."""
    packed = sorted(
        ((*pack(i, today=TODAY), e, k, s, c) for i, e, k, s, c in rows), key=lambda r: (r[0], r[1])
    )
    offsets, blob = array("I", [0]), bytearray()
    for r in packed:
        blob += r[5].encode()
        offsets.append(len(blob))
    return ScreeningIndex(
        keys=array("q", [r[0] for r in packed]),
        tags=array("i", [r[1] for r in packed]),
        ids=array("q", [r[2] for r in packed]),
        payloads=array("q", [payload(r[3], "debtor", 7, r[4]) for r in packed]),
        case_offsets=offsets,
        case_blob=blob,
        court_names={7: ("豫0823", "武陟县人民法院")},
        seq=10,
    )


ZHOU = an_id("41082319850312203")
LI = an_id("41082319900101101")
UNIT = a_code("91410823", "MA3X4K2L")
A_CASE = "（2024）豫0823执88号"


@given(
    st.sampled_from(["dishonest", "restricted"]),
    st.sampled_from(["debtor", "legal_representative", "principal", "responsible", "controller"]),
    st.integers(1, 2**24 - 1),
    st.dates(),
)
def test_payload_round_trips(kind, role, court, since):
    value = payload(kind, role, court, since)
    assert 0 < value < 2**63
    assert unpack_payload(value) == (kind, role, court, since)


def test_lookup_finds_every_entry_of_an_identifier_and_nothing_else():
    index = index_of(
        [
            (ZHOU, 1, "dishonest", date(2024, 3, 1), A_CASE),
            (ZHOU, 2, "restricted", date(2024, 2, 1), A_CASE),
            (UNIT, 3, "dishonest", date(2024, 5, 6), "（2024）豫0823执90号"),
        ]
    )
    found = index.lookup(*pack(ZHOU, today=TODAY))
    assert sorted((h.entry, h.kind, h.since, h.case_number) for h in found) == [
        (1, "dishonest", date(2024, 3, 1), A_CASE),
        (2, "restricted", date(2024, 2, 1), A_CASE),
    ]
    assert [h.entry for h in index.lookup(*pack(UNIT, today=TODAY))] == [3]
    assert index.lookup(*pack(LI, today=TODAY)) == []
    assert len(index) == 3
    assert index.memory_bytes() == 3 * (8 + 4 + 8 + 8 + 4) + 8 + 4 + len(A_CASE.encode()) * 2 + len(
        "（2024）豫0823执90号".encode()
    )


def test_overlay_adds_replaces_and_removes_without_touching_the_arrays():
    index = index_of([(ZHOU, 1, "dishonest", date(2024, 3, 1), A_CASE)])
    zhou, li = pack(ZHOU, today=TODAY), pack(LI, today=TODAY)
    # entry 1 ended (deleted); entry 5 listed for 李某
    index.apply(
        [
            (11, 1, False, *zhou, "dishonest", "debtor", date(2024, 3, 1).toordinal(), 7, A_CASE),
            (12, 5, True, *li, "dishonest", "debtor", date(2024, 6, 3).toordinal(), 7, A_CASE),
        ]
    )
    assert index.lookup(*zhou) == []
    assert index.lookup(*li) == [Hit(5, "dishonest", "debtor", date(2024, 6, 3), 7, A_CASE)]
    assert index.seq == 12
    # a correction moves entry 5 to another identifier: it leaves the old key
    index.apply([(13, 5, True, *zhou, "dishonest", "debtor", date(2024, 6, 3).toordinal(), 7, A_CASE)])
    assert index.lookup(*li) == []
    assert [h.entry for h in index.lookup(*zhou)] == [5]
    assert len(index) == 1  # the arrays themselves are unchanged until a rebuild


PEOPLE = [an_id(f"4108231985031{n:04d}") for n in range(6)]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 8), st.booleans(), st.integers(0, 5)), max_size=40),
    st.lists(st.tuples(st.integers(1, 8), st.integers(0, 5)), max_size=6, unique_by=lambda t: t[0]),
)
def test_overlay_agrees_with_a_plain_dict_of_active_entries(changes, initial):
    """Whatever sequence of upserts and removals, lookups equal the naive model's."""
    index = index_of([(PEOPLE[p], e, "dishonest", date(2024, 1, 1), A_CASE) for e, p in initial])
    model = {e: PEOPLE[p] for e, p in initial}
    for seq, (entry, active, person) in enumerate(changes, start=11):
        key, tag = pack(PEOPLE[person], today=TODAY)
        index.apply(
            [(seq, entry, active, key, tag, "dishonest", "debtor", date(2024, 1, 1).toordinal(), 7, A_CASE)]
        )
        if active:
            model[entry] = PEOPLE[person]
        else:
            model.pop(entry, None)
    for person in PEOPLE:
        got = sorted(h.entry for h in index.lookup(*pack(person, today=TODAY)))
        assert got == sorted(e for e, p in model.items() if p == person)


ID_LIKE = st.one_of(
    st.builds(
        lambda b, s: an_id(f"410823{b:%Y%m%d}{s:03d}"),
        st.dates(date(1800, 1, 1), date(2030, 12, 31)),
        st.integers(0, 999),
    ),
    st.builds(lambda b: an_id(f"410823{b}"[:17]), st.text(alphabet="0123456789", min_size=11, max_size=11)),
    st.text(alphabet="0123456789X", min_size=17, max_size=19),
    st.text(alphabet="0123456789xX ", min_size=18, max_size=18),
    st.sampled_from(["", "４１０８２３１９８５０３１２２０３６"[:18], a_code("91410823", "MA3X4K2L")]),
    st.integers(0, 10**18),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ID_LIKE, max_size=30), st.integers(1, 8))
def test_person_keys_in_bulk_equal_one_by_one(values, chunk):
    today = today_string(TODAY)
    expected = [person_key(v, today) if isinstance(v, str) else None for v in values]
    keys, ok = person_keys_array(values, today, chunk=chunk)
    assert [int(k) if good else None for k, good in zip(keys, ok, strict=True)] == expected
