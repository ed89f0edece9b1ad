"""Rankings of peer courts (competition ranking, ties shared), change against the
previous period, and the 12-month trend (issue 5 part 3)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixing.metrics.engine import Window
from zhixing.reports import rankings
from zhixing.reports.rankings import competition_ranks

H1 = Window(date(2023, 1, 1), date(2023, 6, 30), date(2023, 6, 30))


def test_ties_share_a_rank_and_the_next_rank_skips():
    values = [Decimal("0.5"), Decimal("0.5"), Decimal("1"), Decimal("0.25")]
    assert competition_ranks(values) == [2, 2, 1, 4]
    assert competition_ranks(values, higher_is_better=False) == [2, 2, 4, 1]


def test_courts_without_a_value_are_not_ranked():
    assert competition_ranks([None, Decimal("0.1"), None, Decimal("0.1")]) == [None, 1, None, 1]
    assert competition_ranks([]) == []


@settings(deadline=None)  # a loaded CI machine is no reason to fail a pure property
@given(st.lists(st.one_of(st.none(), st.integers(0, 5).map(Decimal)), max_size=12), st.booleans())
def test_rank_is_one_plus_the_number_of_strictly_better_values(values, higher):
    ranks = competition_ranks(values, higher_is_better=higher)
    for v, r in zip(values, ranks, strict=True):
        if v is None:
            assert r is None
        else:
            better = sum(1 for w in values if w is not None and (w > v if higher else w < v))
            assert r == 1 + better


def test_direction_per_indicator():
    assert not rankings.higher_is_better("IND-07")
    assert not rankings.higher_is_better("IND-08")
    assert all(rankings.higher_is_better(i) for i in ("IND-01", "IND-06", "IND-09", "IND-13"))


def _table(report: dict, indicator: str) -> list[tuple]:
    block = next(i for i in report["indicators"] if i["id"] == indicator)
    return [(r["court"], r["rank"], r["value"]) for r in block["rows"]]


@pytest.mark.django_db
def test_basic_courts_under_jiaozuo_ranked_with_ties(peers_2023):
    report = rankings.ranking(H1, peers_2023["豫08"], previous=None)
    assert report["level"] == 3 and report["parent"] == "豫08" and report["previous"] is None
    # The 中院's own case is not a peer of its basic courts.
    assert _table(report, "IND-01") == [
        ("豫0823", 1, "1.0000"),
        ("豫0821", 2, "0.5000"),
        ("豫0822", 2, "0.5000"),
        ("豫0825", 4, "0.2500"),
    ]
    # Lower is better: the shortest average duration ranks first.
    assert _table(report, "IND-07") == [
        ("豫0823", 1, "10.00"),
        ("豫0821", 2, "28.00"),
        ("豫0822", 2, "28.00"),
        ("豫0825", 4, "59.00"),
    ]
    assert _table(report, "IND-08") == [
        ("豫0821", 1, "0.0000"),
        ("豫0822", 1, "0.0000"),
        ("豫0823", 1, "0.0000"),
        ("豫0825", 4, "0.2500"),
    ]
    # No 终本 closing anywhere: nobody is ranked on 终本合格率, in hierarchy order.
    assert _table(report, "IND-09") == [(c, None, None) for c in ("豫0821", "豫0822", "豫0823", "豫0825")]
    ind01 = next(i for i in report["indicators"] if i["id"] == "IND-01")
    assert ind01["rows"][1] == {
        "court": "豫0821", "name": "修武县人民法院", "rank": 2, "numerator": 1, "denominator": 2, "value": "0.5000",
        "previous_rank": None, "previous_value": None, "change": None, "rank_change": None,
    }  # fmt: skip


@pytest.mark.django_db
def test_change_against_the_previous_quarter(peers_2023):
    q2 = Window(date(2023, 4, 1), date(2023, 6, 30), date(2023, 6, 30))
    report = rankings.ranking(q2, peers_2023["豫08"], indicators=["IND-01"])
    assert report["previous"] == {"from": "2023-01-01", "to": "2023-03-31", "as_of": "2023-03-31"}
    rows = {r["court"]: r for r in report["indicators"][0]["rows"]}
    # Q1: 0823 1.0 (1st), 0821 and 0822 0.5 (2nd), 0825 0.0 (4th).
    # Q2: only carried cases; 0825 closed one of four, 0823 has none left.
    assert [(c, rows[c]["rank"], rows[c]["value"]) for c in rows] == [
        ("豫0825", 1, "0.2500"), ("豫0821", 2, "0.0000"), ("豫0822", 2, "0.0000"), ("豫0823", None, None),
    ]  # fmt: skip
    assert (rows["豫0825"]["previous_rank"], rows["豫0825"]["rank_change"], rows["豫0825"]["change"]) == (
        4,
        3,
        "0.2500",
    )
    assert (rows["豫0821"]["previous_rank"], rows["豫0821"]["rank_change"], rows["豫0821"]["change"]) == (
        2,
        0,
        "-0.5000",
    )
    assert (rows["豫0823"]["previous_value"], rows["豫0823"]["rank_change"], rows["豫0823"]["change"]) == (
        "1.0000",
        None,
        None,
    )


@pytest.mark.django_db
def test_peers_are_narrowed_to_the_courts_the_user_sees(peers_2023):
    officer_sees = [peers_2023["豫0823"].pk]
    report = rankings.ranking(
        H1, peers_2023["豫08"], visible=officer_sees, indicators=["IND-01"], previous=None
    )
    assert _table(report, "IND-01") == [("豫0823", 1, "1.0000")]


@pytest.mark.django_db
def test_intermediate_courts_are_ranked_on_their_whole_subtree(peers_2023):
    report = rankings.ranking(H1, peers_2023["豫"], indicators=["IND-01"], previous=None)
    assert report["level"] == 2
    # 5 closed of 12 accepted: the 中院's own open case and all its basic courts' cases.
    assert _table(report, "IND-01") == [("豫08", 1, "0.4167")]


@pytest.mark.django_db
def test_twelve_month_trend_per_month_as_of_month_end(peers_2023):
    trend = rankings.trend(date(2023, 6, 30), peers_2023["豫08"], indicators=["IND-01"])
    assert trend["months"] == [f"2022-{m:02d}" for m in range(7, 13)] + [f"2023-{m:02d}" for m in range(1, 7)]
    # Total of the four basic courts (11 cases filed 2023-02-01): February closes 1 of 11,
    # March 3 of the 10 carried, April 1 of 7, May and June none of 6.
    assert trend["total"]["IND-01"] == [None] * 7 + ["0.0909", "0.3000", "0.1429", "0.0000", "0.0000"]
    wuzhi = next(c for c in trend["courts"] if c["court"] == "豫0823")
    assert wuzhi["indicators"]["IND-01"] == [None] * 7 + ["1.0000", None, None, None, None]
