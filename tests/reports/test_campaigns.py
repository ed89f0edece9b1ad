"""Campaign progress against targets, cases_needed and the burn-down (issue 5 part 4)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from zhixing.reports import campaigns
from zhixing.reports.models import Campaign


@pytest.fixture
def campaign(campaign_2018):
    made, created = campaigns.seed_jiaozuo_2018()
    assert created
    return made


@pytest.mark.django_db
def test_seeding_the_2018_jiaozuo_campaign_is_idempotent(courts):
    first, created = campaigns.seed_jiaozuo_2018()
    again, created_again = campaigns.seed_jiaozuo_2018()
    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert (first.name, first.court.code, first.start, first.end) == (
        "执行攻坚百日会战", "豫08", date(2018, 5, 1), date(2018, 8, 10)
    )  # fmt: skip
    assert first.targets == {"IND-09": "0.90", "IND-10": "0.90", "IND-11": "0.90", "IND-13": "0.80"}
    first.full_clean()


@pytest.mark.django_db
def test_seeding_creates_the_court_from_its_code_on_an_empty_database():
    made, created = campaigns.seed_jiaozuo_2018()
    assert created and made.court.path == "最高法/豫/豫08/"


@pytest.mark.django_db
def test_targets_must_name_catalog_indicators(courts):
    bad = Campaign(
        name="x",
        start=date(2018, 5, 1),
        end=date(2018, 8, 10),
        court=courts["豫08"],
        targets={"IND-99": "0.9"},
    )
    with pytest.raises(ValidationError, match="未知指标"):
        bad.full_clean()
    bad.targets = {"IND-09": "1.5"}
    with pytest.raises(ValidationError, match="应在 0 与 1 之间"):
        bad.full_clean()


@pytest.mark.django_db
def test_progress_on_30_june(campaign):
    p = campaigns.progress(campaign, date(2018, 6, 30))
    assert p["status"] == "running"
    assert p["window"] == {"from": "2018-05-01", "to": "2018-06-30", "as_of": "2018-06-30"}
    total = p["total"]["indicators"]
    # IND-10: A (closed 05-20) and C (06-01) resolved within deadline; B's deadline (07-16) not reached.
    assert total["IND-10"] == {
        "numerator": 2,
        "denominator": 2,
        "value": "1.0000",
        "target": "0.90",
        "met": True,
        "cases_needed": 0,
    }
    # IND-11: A's petition closed on time and replied; C's passed its closing due day 06-04.
    # (0.9 × 2 − 1) / (1 − 0.9) = 8 more on-time closings.
    assert total["IND-11"] == {
        "numerator": 1,
        "denominator": 2,
        "value": "0.5000",
        "target": "0.90",
        "met": False,
        "cases_needed": 8,
    }
    # IND-13: filed in the three years to 06-30: A, B, C; done: A and C. ceil(0.8 × 3 − 2) = 1.
    assert total["IND-13"] == {
        "numerator": 2,
        "denominator": 3,
        "value": "0.6667",
        "target": "0.80",
        "met": False,
        "cases_needed": 1,
    }
    assert total["IND-09"] == {
        "numerator": 0,
        "denominator": 0,
        "value": None,
        "target": "0.90",
        "met": None,
        "cases_needed": 0,
    }
    by_court = {r["court"]: r["indicators"] for r in p["courts"]}
    assert list(by_court) == ["豫0823", "豫0825"]
    assert by_court["豫0823"]["IND-11"]["value"] == "1.0000"
    assert by_court["豫0825"]["IND-11"] == {
        "numerator": 0,
        "denominator": 1,
        "value": "0.0000",
        "target": "0.90",
        "met": False,
        "cases_needed": 9,
    }


@pytest.mark.django_db
def test_progress_after_the_end_counts_the_whole_campaign(campaign):
    p = campaigns.progress(campaign, date(2018, 9, 30))
    assert p["status"] == "ended"
    assert p["window"] == {"from": "2018-05-01", "to": "2018-08-10", "as_of": "2018-09-30"}
    # B's deadline 2018-07-16 (the 15th is a Sunday) fell in the campaign: 2 of 3. (2.7 − 2) / 0.1 = 7.
    assert p["total"]["indicators"]["IND-10"] == {
        "numerator": 2, "denominator": 3, "value": "0.6667", "target": "0.90", "met": False, "cases_needed": 7
    }  # fmt: skip


@pytest.mark.django_db
def test_progress_before_the_start_is_empty(campaign):
    p = campaigns.progress(campaign, date(2018, 4, 30))
    assert (p["status"], p["window"], p["courts"]) == ("not_started", None, [])


@pytest.mark.django_db
def test_progress_is_narrowed_to_the_courts_the_user_sees(campaign, campaign_2018):
    p = campaigns.progress(campaign, date(2018, 6, 30), visible=[campaign_2018["豫0825"].pk])
    assert [r["court"] for r in p["courts"]] == ["豫0825"]
    assert p["total"]["indicators"]["IND-11"]["denominator"] == 1


@pytest.mark.django_db
def test_burndown_per_day(campaign):
    burn = campaigns.burndown(campaign, date(2018, 6, 2))
    assert burn["dates"][0] == "2018-05-01" and burn["dates"][-1] == "2018-06-02" and len(burn["dates"]) == 33
    at = {d: i for i, d in enumerate(burn["dates"])}
    ind13 = burn["remaining"]["IND-13"]
    # ceil(0.8 × 3 − done): nothing done → 3, A closed 05-20 → 2, C closed 06-01 → 1.
    assert (
        ind13[at["2018-05-01"]],
        ind13[at["2018-05-19"]],
        ind13[at["2018-05-20"]],
        ind13[at["2018-06-01"]],
    ) == (3, 3, 2, 1)
    ind11 = burn["remaining"]["IND-11"]
    # A's petition resolves 05-10 (on time): 1/1; C's falls due 06-04, after this burn-down.
    assert (ind11[at["2018-05-09"]], ind11[at["2018-05-10"]], ind11[-1]) == (0, 0, 0)
    assert burn["ideal"]["IND-13"][0] == 3 and burn["ideal"]["IND-13"][-1] == round(3 * (1 - 32 / 101), 1)
    assert burn["courts"]["豫0823"]["IND-13"][at["2018-05-20"]] == 1  # ceil(0.8 × 2 − 1)


@pytest.mark.django_db
def test_burndown_weekly_keeps_the_last_day(campaign):
    days = campaigns.burndown_days(campaign, date(2018, 9, 1), step=7)
    assert days[:3] == [date(2018, 5, 1), date(2018, 5, 8), date(2018, 5, 15)]
    assert days[-2:] == [date(2018, 8, 7), date(2018, 8, 10)]
    assert campaigns.burndown_days(campaign, date(2018, 4, 1)) == []
