"""lib.masking: one rule — the handling court sees a person's number whole, other courts the
staff form (region kept), the public and the portal the published form (year of birth kept);
a unit's credit code is shown whole to everybody."""

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.lib.masking import (
    PUBLIC,
    Audience,
    audience,
    mask,
    mask_data,
    mask_id_public,
    mask_id_region,
    shown_id,
)

NUMBER = "410823198503122036"
CREDIT_CODE = "91410823MA3X4K2L5B"
WUZHI, WENXIAN, JIAOZUO = 11, 12, 10


@dataclass
class Viewer:
    """Stands in for a user: the rule reads only these four attributes."""

    court_id: int | None
    is_superuser: bool = False
    is_authenticated: bool = True


#: 王某, an officer of 武陟县法院; 李某, an officer of 温县法院; 赵某, a leader of 焦作中院.
WANG = Viewer(WUZHI)
LI = Viewer(WENXIAN)
ZHAO = Viewer(JIAOZUO)
ANONYMOUS = Viewer(None, is_authenticated=False)


def test_the_two_forms_on_one_number():
    assert mask_id_region("410823198503122036") == "410823********2036"
    assert mask_id_public("410823198503122036") == "4108231985****2036"
    assert mask_id_public("41082319850312203X") == "4108231985****203X"


def test_what_is_not_an_id_number_is_left_alone():
    assert mask_id_public("91410823MA3X4K2L") == "91410823MA3X4K2L"
    assert mask_id_region("1234567890") == "1234567890"


def test_who_sees_what_of_a_wuzhi_case():
    assert shown_id(NUMBER, viewer=WANG, case_court=WUZHI) == "410823198503122036"
    assert shown_id(NUMBER, viewer=ZHAO, case_court=WUZHI) == "410823********2036"
    assert shown_id(NUMBER, viewer=LI, case_court=WUZHI) == "410823********2036"
    assert shown_id(NUMBER, viewer=ANONYMOUS, case_court=WUZHI) == "4108231985****2036"
    assert shown_id(NUMBER, viewer=None, case_court=WUZHI) == "4108231985****2036"
    assert shown_id(NUMBER, viewer=Viewer(None, is_superuser=True), case_court=WUZHI) == NUMBER


def test_a_public_page_shows_the_public_form_even_to_the_handling_officer():
    assert shown_id(NUMBER, viewer=PUBLIC, case_court=WUZHI) == "4108231985****2036"


def test_a_user_of_no_court_is_not_the_handling_court():
    assert audience(Viewer(None), WUZHI) is Audience.STAFF
    assert audience(Viewer(None), None) is Audience.STAFF


def test_the_court_may_be_given_as_an_object():
    @dataclass
    class Court:
        pk: int

    assert audience(WANG, Court(WUZHI)) is Audience.HANDLING
    assert audience(ZHAO, Court(WUZHI)) is Audience.STAFF


@pytest.mark.parametrize("viewer", [WANG, ZHAO, LI, ANONYMOUS, PUBLIC])
def test_a_credit_code_is_public_for_everybody(viewer):
    assert shown_id(CREDIT_CODE, viewer=viewer, case_court=WUZHI, unit=True) == CREDIT_CODE


@pytest.mark.parametrize("value", ["", None])
def test_nothing_stays_nothing(value):
    assert shown_id(value, viewer=ZHAO, case_court=WUZHI) == value


def test_numbers_inside_node_data_are_masked_by_key():
    data = {
        "persons": [{"role": "legal_representative", "name": "张某", "id_number": NUMBER}],
        "fields": {"id_number": NUMBER, "name": NUMBER},
        "party": "p2",
    }
    assert mask_data(data, Audience.STAFF) == {
        "persons": [{"role": "legal_representative", "name": "张某", "id_number": "410823********2036"}],
        "fields": {"id_number": "410823********2036", "name": NUMBER},
        "party": "p2",
    }
    assert mask_data(data, Audience.HANDLING) is data


numbers = st.builds(
    lambda body, check: body + check,
    st.text(alphabet="0123456789", min_size=17, max_size=17),
    st.sampled_from("0123456789X"),
)
viewers = st.builds(
    Viewer,
    court_id=st.one_of(st.none(), st.sampled_from([WUZHI, WENXIAN, JIAOZUO])),
    is_superuser=st.booleans(),
    is_authenticated=st.booleans(),
)


@given(numbers)
def test_month_and_day_never_survive(number):
    public, region = mask_id_public(number), mask_id_region(number)
    assert public[10:14] == region[10:14] == "****"
    assert (public[:10], public[14:]) == (number[:10], number[14:])
    assert (region[:6], region[14:], len(region)) == (number[:6], number[14:], 18)


@given(numbers, viewers, st.sampled_from([WUZHI, WENXIAN, JIAOZUO]))
def test_only_the_handling_court_sees_a_number_whole(number, viewer, court):
    shown = shown_id(number, viewer=viewer, case_court=court)
    handling = viewer.is_authenticated and (viewer.is_superuser or viewer.court_id == court)
    if handling:
        assert shown == number
    elif viewer.is_authenticated:
        assert shown == number[:6] + "********" + number[14:]
    else:
        assert shown == number[:10] + "****" + number[14:]
    assert len(shown) == 18


@given(st.recursive(
    st.one_of(st.text(max_size=3), st.integers(), st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["id_number", "name", "persons"]), inner, max_size=3),
    ),
), st.sampled_from(list(Audience)))  # fmt: skip
def test_mask_data_keeps_the_shape_and_touches_only_id_numbers(data, seen_by):
    out = mask_data(data, seen_by)

    def same_shape(a, b):
        if isinstance(a, dict):
            assert isinstance(b, dict) and a.keys() == b.keys()
            for k in a:
                if k == "id_number" and isinstance(a[k], str):
                    assert b[k] == mask(a[k], seen_by)
                else:
                    same_shape(a[k], b[k])
        elif isinstance(a, list):
            assert isinstance(b, list) and len(a) == len(b)
            for x, y in zip(a, b, strict=True):
                same_shape(x, y)
        else:
            assert a == b

    same_shape(data, out)
