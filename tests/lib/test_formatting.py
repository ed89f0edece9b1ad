"""What numbers and dates look like to a person: yuan with separators, rates as
percentages, ISO dates in date inputs (Django's zh-Hans default is 2026/12/08, which
``<input type="date">`` shows as blank)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from zhixing.lib.formatting import percent, ungroup, yuan


def test_yuan_groups_thousands_and_keeps_cents():
    assert yuan(Decimal("30000")) == "30,000.00"
    assert yuan("1234567.5") == "1,234,567.50"
    assert yuan(Decimal("0")) == "0.00"
    assert yuan(None) == "—"
    assert yuan("not a number") == "—"


def test_percent_of_a_rate():
    assert percent("0.7533") == "75.33%"
    assert percent(Decimal("1.0000")) == "100.00%"
    assert percent("0.0000") == "0.00%"
    assert percent("0.12345", 1) == "12.3%"
    assert percent(None) == "—"


def test_ungroup_drops_only_separators_between_groups():
    assert ungroup("30,000.00") == "30000.00"
    assert ungroup("1，234，567") == "1234567"
    assert ungroup(" 30 000 ") == "30000"
    assert ungroup("1,2") == "1,2"
    assert ungroup("80000.00") == "80000.00"


@given(st.decimals(min_value=0, max_value=Decimal("99999999999999.99"), places=2))
def test_what_yuan_shows_reads_back_as_the_same_amount(amount):
    assert Decimal(ungroup(yuan(amount))) == amount


def test_filters_are_available_in_every_template():
    out = Template("{{ a|yuan }} {{ r|percent }}").render(Context({"a": Decimal("30000"), "r": "0.5"}))
    assert out == "30,000.00 50.00%"


def test_a_date_input_shows_the_iso_date():
    class F(forms.Form):
        on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    html = str(F(initial={"on": date(2026, 12, 8)})["on"])
    assert 'value="2026-12-08"' in html
    assert F(data={"on": "2026-12-08"}).is_valid()
