"""Pure fund arithmetic: amounts, a receipt's position, approval levels, age buckets
(funds/ledger.py, funds/approvals.py, funds/buckets.py). No database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.funds import approvals, buckets, ledger
from zhixing.funds.buckets import Item, bucket_of, summarise, unidentified_ages
from zhixing.funds.ledger import AmountError, Entries, parse_amount, position


def D(s: str) -> date:
    return date.fromisoformat(s)


# -- amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("80000.00", Decimal("80000.00")), ("0.01", Decimal("0.01")), ("12", Decimal("12.00")), (5, Decimal("5.00")),
     (Decimal("3.5"), Decimal("3.50")), (" 7.10 ", Decimal("7.10"))],
)  # fmt: skip
def test_good_amounts(value, expected):
    got = parse_amount(value)
    assert (got, str(got)) == (expected, str(expected))


@pytest.mark.parametrize(
    "value", ["-1.00", "0", "0.00", "1.001", "1e3", "NaN", "", "1,000.00", "１００", 1.5, True, None, Decimal("0.001"),
              Decimal("Infinity"), "100000000000000.00"],
)  # fmt: skip
def test_bad_amounts(value):
    with pytest.raises(AmountError):
        parse_amount(value)


# -- a receipt's position --------------------------------------------------------------------


def test_position_counts_what_happened_by_as_of():
    e = Entries(
        Decimal("80000.00"),
        disbursements=((D("2023-04-10"), Decimal("30000.00")), (D("2023-05-10"), Decimal("10000.00"))),
        refunds=((D("2023-05-10"), Decimal("10000.00")),),
        lodgements=((D("2023-05-12"), Decimal("40000.00")),),
    )
    p = position(e, D("2023-05-09"))
    assert (p.disbursed, p.refunded, p.lodged, p.balance) == (Decimal("30000.00"), 0, 0, Decimal("50000.00"))
    p = position(e)
    assert (p.disbursed, p.refunded, p.lodged, p.out, p.balance) == (
        Decimal("30000.00"), Decimal("10000.00"), Decimal("40000.00"), Decimal("80000.00"), Decimal("0.00"),
    )  # fmt: skip


def test_an_imported_lodgement_lodges_what_was_never_paid():
    e = Entries(Decimal("80000.00"), disbursements=((D("2023-04-10"), Decimal("30000.00")),),
                lodgements=((D("2023-05-05"), None), (D("2023-06-01"), None)))  # fmt: skip
    assert ledger.lodged_amounts(e) == [Decimal("50000.00"), Decimal("0.00")]
    assert position(e, D("2023-05-04")).balance == Decimal("50000.00")
    assert position(e, D("2023-05-05")).balance == Decimal("0.00")
    # Lodged and then paid in full anyway (a late lodgement that discharged nothing):
    odd = Entries(Decimal("80000.00"), disbursements=((D("2023-05-09"), Decimal("80000.00")),),
                  lodgements=((D("2023-05-08"), None),))  # fmt: skip
    assert ledger.lodged_amounts(odd) == [Decimal("0.00")]
    assert position(odd).balance == 0


money_st = st.integers(min_value=1, max_value=10**9).map(lambda c: Decimal(c) / 100)


@given(
    amount=money_st,
    paid=st.lists(st.tuples(st.integers(0, 60), money_st), max_size=5),
    lodged=st.lists(st.tuples(st.integers(0, 60), st.one_of(st.none(), money_st)), max_size=2),
    as_of=st.integers(0, 70),
)
def test_received_is_out_plus_balance_on_every_day(amount, paid, lodged, as_of):
    start = D("2023-04-06")
    e = Entries(amount, tuple((start + timedelta(days=d), a) for d, a in paid),
                lodgements=tuple((start + timedelta(days=d), a) for d, a in lodged))  # fmt: skip
    p = position(e, start + timedelta(days=as_of))
    assert p.received == p.disbursed + p.lodged + p.refunded + p.balance
    assert all(x >= 0 for x in ledger.lodged_amounts(e))


# -- approvals ------------------------------------------------------------------------------


def test_default_levels_include_the_limit():
    table = approvals.DEFAULT
    assert approvals.required_role(Decimal("100000.00"), table) == "team_lead"
    assert approvals.required_role(Decimal("100000.01"), table) == "bureau_chief"
    assert approvals.may_approve("bureau_chief", "team_lead") is True
    assert approvals.may_approve("president", "bureau_chief") is True
    assert approvals.may_approve("team_lead", "bureau_chief") is False
    assert approvals.may_approve("officer", "team_lead") is False
    assert approvals.may_approve("command_centre", "team_lead") is False


def test_tables_nearest_first_and_validation():
    own = [(None, "bureau_chief"), (Decimal("20000"), "team_lead")]
    assert approvals.effective([[], own, [(None, "president")]]) == (
        (Decimal("20000"), "team_lead"),
        (None, "bureau_chief"),
    )
    assert approvals.effective([[], []]) == approvals.DEFAULT
    assert approvals.validate([(Decimal("1"), "team_lead")]) == "必须有且只有一档不设金额上限"
    assert approvals.validate([(None, "officer")]) == "执行员不能审批案款"
    assert approvals.validate(own) is None
    # A table without an open-ended row sends larger amounts to the president.
    assert approvals.required_role(Decimal("5"), [(Decimal("1"), "team_lead")]) == "president"


# -- buckets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "key"),
    [(0, "0-5"), (5, "0-5"), (6, "6-10"), (10, "6-10"), (11, "11-15"), (15, "11-15"), (16, "16-30"), (30, "16-30"),
     (31, "31+"), (400, "31+")],
)  # fmt: skip
def test_unpaid_bucket_bounds(days, key):
    assert bucket_of(days) == key


def test_unidentified_bucket_bounds():
    assert [bucket_of(d, buckets.UNIDENTIFIED) for d in (0, 3, 4, 30, 31)] == [
        "0-3",
        "0-3",
        "4-30",
        "4-30",
        "31+",
    ]


AS_OF = D("2023-05-20")


def items():
    return [
        Item("豫0823", "王某", D("2023-05-20"), Decimal("100.00"), "pending"),  # 0 days
        Item("豫0823", "王某", D("2023-05-12"), Decimal("200.00"), "pending"),  # 8
        Item("豫0823", "刘某", D("2023-04-10"), Decimal("300.00"), "overdue"),  # 40
        Item("豫0823", "刘某", D("2023-04-10"), Decimal("0.00"), "on_time"),  # paid: not counted
        Item("豫0823", "", D("2023-05-01"), Decimal("400.00"), "deferred"),  # 19, no handler
        Item("豫0825", "孙某", D("2023-05-15"), Decimal("500.00"), "pending"),  # 5
        Item("豫0825", "孙某", D("2023-05-21"), Decimal("600.00"), "pending"),  # after as-of: not seen
    ]


def test_summary_by_court():
    got = summarise(items(), AS_OF, "court")
    assert [b["key"] for b in got["buckets"]] == ["0-5", "6-10", "11-15", "16-30", "31+"]
    first, second = got["rows"]
    assert first["court"] == "豫0823"
    assert {k: (c["receipts"], c["amount"]) for k, c in first["buckets"].items()} == {
        "0-5": (1, "100.00"), "6-10": (1, "200.00"), "11-15": (0, "0.00"), "16-30": (1, "400.00"), "31+": (1, "300.00"),
    }  # fmt: skip
    assert (first["unpaid"], first["overdue"], first["deferred"]) == (
        {"receipts": 4, "amount": "1000.00"}, {"receipts": 1, "amount": "300.00"}, {"receipts": 1, "amount": "400.00"},
    )  # fmt: skip
    assert (second["court"], second["unpaid"]) == ("豫0825", {"receipts": 1, "amount": "500.00"})
    assert got["total"]["unpaid"] == {"receipts": 5, "amount": "1500.00"}
    assert got["total"]["buckets"]["0-5"] == {"receipts": 2, "amount": "600.00"}


def test_summary_by_team_and_officer():
    teams = {("豫0823", "王某"): "一队", ("豫0823", "刘某"): "一队"}
    by_team = summarise(items(), AS_OF, "team", teams)
    assert [(r["court"], r["team"], r["unpaid"]["amount"]) for r in by_team["rows"]] == [
        ("豫0823", "一队", "600.00"), ("豫0823", "未分组", "400.00"), ("豫0825", "未分组", "500.00"),
    ]  # fmt: skip
    by_officer = summarise(items(), AS_OF, "handler", teams)
    assert [(r["team"], r["handler"], r["unpaid"]["amount"]) for r in by_officer["rows"]] == [
        ("一队", "刘某", "300.00"), ("一队", "王某", "300.00"), ("未分组", "未分配", "400.00"), ("未分组", "孙某", "500.00"),
    ]  # fmt: skip
    with pytest.raises(ValueError):
        summarise(items(), AS_OF, "province")


def test_unidentified_ages():
    rows = [("豫0823", D("2023-05-18"), Decimal("10.00")), ("豫0823", D("2023-05-16"), Decimal("20.00")),
            ("豫0823", D("2023-04-19"), Decimal("30.00")), ("豫0825", D("2023-04-20"), Decimal("40.00")),
            ("豫0825", D("2023-05-21"), Decimal("50.00"))]  # fmt: skip
    got = unidentified_ages(rows, AS_OF)
    a, b = got["rows"]
    assert {k: (c["items"], c["amount"]) for k, c in a["buckets"].items()} == {
        "0-3": (1, "10.00"), "4-30": (1, "20.00"), "31+": (1, "30.00"),
    }  # fmt: skip
    assert (b["court"], b["buckets"]["4-30"]["amount"], b["unassigned"]) == (
        "豫0825",
        "40.00",
        {"items": 1, "amount": "40.00"},
    )
    assert got["total"]["unassigned"] == {"items": 4, "amount": "100.00"}


def test_summaries_of_parts_merge_into_the_summary_of_the_whole():
    teams = {("豫0823", "王某"): "一队"}
    whole = summarise(items(), AS_OF, "handler", teams)
    parts = [summarise(items()[:3], AS_OF, "handler", teams), summarise(items()[3:], AS_OF, "handler", teams)]
    assert buckets.merge(parts) == whole
