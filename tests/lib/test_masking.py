"""lib.masking: the staff policy keeps the region, the public policy the year of birth."""

from hypothesis import given
from hypothesis import strategies as st

from zhixing.lib.masking import mask_id_public, mask_id_region


def test_the_two_policies_on_one_number():
    assert mask_id_region("410823198503122036") == "410823********2036"
    assert mask_id_public("410823198503122036") == "4108231985****2036"
    assert mask_id_public("41082319850312203X") == "4108231985****203X"


def test_what_is_not_an_id_number_is_left_alone():
    assert mask_id_public("91410823MA3X4K2L") == "91410823MA3X4K2L"
    assert mask_id_region("1234567890") == "1234567890"


@given(st.text(alphabet="0123456789X", min_size=18, max_size=18))
def test_month_and_day_never_survive(number):
    public, region = mask_id_public(number), mask_id_region(number)
    assert public[10:14] == region[10:14] == "****"
    assert (public[:10], public[14:]) == (number[:10], number[14:])
    assert (region[:6], region[14:], len(region)) == (number[:6], number[14:], 18)
