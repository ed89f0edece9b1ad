"""Indicator figures as people read them (reports.display): shares as percentages rounded
half-even to the hundredth of a percent, days with 天, IND-08 as a plain average, and "—"
for a figure whose denominator is 0. The JSON keeps "0.7533"; only pages and documents
show "75.33%"."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.metrics import engine
from zhixing.reports import display

SHARES = [i.id for i in engine.catalog() if i.id not in ("IND-07", "IND-08")]
#: A reported share: four places (catalog ``places``), 0 to 10 (结收比 may pass 1).
values = st.decimals(min_value=0, max_value=10, places=4, allow_nan=False, allow_infinity=False)


@given(values, st.sampled_from(SHARES))
def test_a_share_reads_as_a_percentage_that_gives_the_value_back(value, ind):
    shown = display.shown(ind, str(value))
    assert shown.endswith("%")
    assert Decimal(shown[:-1]) / 100 == value  # four places of a share are two of a percent
    assert display.is_share(ind) and display.cell_format(ind) == "0.00%"


@pytest.mark.parametrize(
    ("ind", "value", "shown"),
    [
        ("IND-01", "0.7533", "75.33%"),
        ("IND-14", "1.0250", "102.50%"),
        ("IND-05", "0.0000", "0.00%"),
        ("IND-07", "1234.50", "1,234.50 天"),
        ("IND-08", "0.25", "0.25"),
        ("IND-01", None, "—"),
    ],
)
def test_examples(ind, value, shown):
    assert display.shown(ind, value) == shown


def test_days_and_averages_are_numbers_in_a_spreadsheet():
    assert (display.cell_format("IND-07"), display.cell_format("IND-08")) == ("0.00", "0.00")


@pytest.mark.parametrize(
    ("ind", "change", "shown"),
    [("IND-01", "0.0125", "+1.25 个百分点"), ("IND-01", "-0.3000", "-30.00 个百分点"),
     ("IND-07", "-12.5", "-12.50"), ("IND-01", None, "")],
)  # fmt: skip
def test_a_change_of_a_share_is_in_percentage_points(ind, change, shown):
    assert display.change(ind, change) == shown


@given(st.integers(min_value=0, max_value=10**12))
def test_a_count_has_thousands_separators(n):
    assert display.part("IND-01", n).replace(",", "") == str(n)
    assert display.part("IND-05", f"{n}.00") == f"{n:,}.00"  # an amount: yuan
