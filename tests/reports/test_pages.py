"""Report pages scoped to the user's courts: rankings with drill-down, campaign
progress with its burn-down, bulletin download and on-demand bulletins."""

import json
import re
from datetime import date

import pytest

from zhixing.reports import campaigns, services
from zhixing.reports.models import Bulletin


def login(client, persona):
    client.force_login(persona)
    return client


H1 = "from=2023-01-01&to=2023-06-30&as_of=2023-06-30"


def inline_scripts(html: str) -> list[str]:
    """<script> elements that would execute inline (the CSP forbids them)."""
    return [s for s in re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)]


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/reports/rankings/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_chief_sees_the_ranking_of_jiaozuo_basic_courts(client, peers_2023, personas):
    response = login(client, personas["jiaozuo_chief"]).get(
        f"/reports/rankings/?court=豫08&indicator=IND-01&{H1}"
    )
    assert response.status_code == 200
    rows = [(r["court"], r["rank"]) for r in response.context["rows"]]
    assert rows == [("豫0823", 1), ("豫0821", 2), ("豫0822", 2), ("豫0825", 4)]
    html = response.content.decode()
    assert "/reports/cases/?court=%E8%B1%AB0822&amp;indicator=IND-01&amp;part=numerator" in html
    assert inline_scripts(html) == []
    chart = json.loads(
        re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', html, re.S)[1]
    )
    assert chart["months"][-1] == "2023-06" and chart["series"][-1]["name"] == "合计"


@pytest.mark.django_db
def test_officer_ranks_only_their_own_court_and_cannot_ask_for_the_city(client, peers_2023, personas):
    c = login(client, personas["wuzhi_officer"])
    response = c.get(f"/reports/rankings/?indicator=IND-01&{H1}")
    assert [r["court"] for r in response.context["rows"]] == ["豫0823"]
    assert c.get(f"/reports/rankings/?court=豫08&{H1}").status_code == 404


@pytest.mark.django_db
def test_drill_down_lists_the_cases_behind_a_figure(client, peers_2023, personas):
    c = login(client, personas["jiaozuo_chief"])
    response = c.get(f"/reports/cases/?court=豫0822&indicator=IND-01&part=numerator&{H1}")
    assert response.status_code == 200 and response.context["total"] == 2
    numbers = [case.case_number for case in response.context["page"].object_list]
    assert len(numbers) == 2 and all("豫0822执" in n for n in numbers)
    denominator = c.get(f"/reports/cases/?court=豫0822&indicator=IND-01&part=denominator&{H1}")
    assert denominator.context["total"] == 4
    overdue = c.get(f"/reports/cases/?court=豫08&indicator=IND-08&part=numerator&{H1}")
    assert [case.court.code for case in overdue.context["page"].object_list] == ["豫0825"]


@pytest.mark.django_db
def test_drill_down_into_another_court_is_a_404(client, peers_2023, personas):
    c = login(client, personas["wenxian_officer"])
    assert c.get(f"/reports/cases/?court=豫0823&indicator=IND-01&part=numerator&{H1}").status_code == 404
    assert c.get(f"/reports/cases/?court=豫0825&indicator=IND-01&part=numerator&{H1}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("indicator=IND-99", "未知指标"),
        ("indicator=IND-01&part=both", "part 应为"),
        ("indicator=IND-01&from=2023-13-01", "起始日（from）应为 YYYY-MM-DD"),
        ("indicator=IND-01&from=2023-06-01&to=2023-01-01", "早于开始日"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(client, peers_2023, personas, query, message):
    response = login(client, personas["jiaozuo_chief"]).get(f"/reports/cases/?court=豫08&{query}")
    assert response.status_code == 400 and message in response.content.decode()


@pytest.mark.django_db
def test_campaign_pages(client, campaign_2018, personas):
    camp, _ = campaigns.seed_jiaozuo_2018()
    chief = login(client, personas["jiaozuo_chief"])
    listing = chief.get("/reports/campaigns/")
    assert [r["campaign"].pk for r in listing.context["rows"]] == [camp.pk]
    detail = chief.get(f"/reports/campaigns/{camp.pk}/?date=2018-06-30")
    assert [r["name"] for r in detail.context["table"]] == ["武陟县人民法院", "温县人民法院"]
    html = detail.content.decode()
    burn = json.loads(
        re.search(r'<script id="burndown-data" type="application/json">(.*?)</script>', html, re.S)[1]
    )
    # A point a week by default, always ending on the date asked for.
    assert burn["dates"][:2] == ["2018-05-01", "2018-05-08"] and burn["dates"][-2:] == [
        "2018-06-26",
        "2018-06-30",
    ]
    assert inline_scripts(html) == []
    daily = chief.get(f"/reports/campaigns/{camp.pk}/?date=2018-06-30&step=1")
    assert len(daily.context["chart"]["dates"]) == 61
    assert chief.get(f"/reports/campaigns/{camp.pk}/?step=often").status_code == 400


@pytest.mark.django_db
def test_an_officer_sees_the_campaign_over_their_court_with_their_figures_only(
    client, campaign_2018, personas
):
    camp, _ = campaigns.seed_jiaozuo_2018()
    detail = login(client, personas["wuzhi_officer"]).get(f"/reports/campaigns/{camp.pk}/?date=2018-06-30")
    assert [r["name"] for r in detail.context["table"]] == ["武陟县人民法院"]


@pytest.mark.django_db
def test_a_user_without_a_court_sees_no_campaign(client, campaign_2018, personas):
    camp, _ = campaigns.seed_jiaozuo_2018()
    c = login(client, personas["courtless"])
    assert c.get("/reports/campaigns/").context["rows"] == []
    assert c.get(f"/reports/campaigns/{camp.pk}/").status_code == 404


@pytest.mark.django_db
def test_bulletin_download_is_scoped(client, peers_2023, personas):
    services.bulletins_due(date(2023, 3, 1), [peers_2023["豫08"]], formats=["html", "xlsx"])
    row = Bulletin.objects.get(format="html")
    chief = login(client, personas["jiaozuo_chief"])
    assert [b.format for b in chief.get("/reports/bulletins/").context["page"].object_list] == [
        "html",
        "xlsx",
    ]
    response = chief.get(f"/reports/bulletins/{row.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=utf-8"
    assert (
        "style-src 'unsafe-inline'" in response["Content-Security-Policy"]
        and "script-src" not in response["Content-Security-Policy"]
    )
    assert "执行工作日通报" in response.content.decode()
    officer = login(client, personas["wuzhi_officer"])
    assert list(officer.get("/reports/bulletins/").context["page"].object_list) == []
    assert officer.get(f"/reports/bulletins/{row.pk}/").status_code == 404


@pytest.mark.django_db
def test_an_officer_makes_a_bulletin_of_their_own_court(client, peers_2023, personas):
    c = login(client, personas["wuzhi_officer"])
    response = c.get("/reports/bulletins/make/?kind=daily&date=2023-03-01&format=xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    html = c.get("/reports/bulletins/make/?kind=monthly&date=2023-03-01&format=html").content.decode()
    assert "<h1>武陟县人民法院执行工作月通报</h1>" in html and "修武县人民法院" not in html
    assert c.get("/reports/bulletins/make/?kind=daily&date=2023-03-01&court=豫08").status_code == 404
    assert c.get("/reports/bulletins/make/?kind=hourly&date=2023-03-01").status_code == 400
