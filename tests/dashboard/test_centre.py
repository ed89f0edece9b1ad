"""The command centre's issue-11 items: the 12-month trend, the day's filings and
closings, overdue obligations by key node, the running campaign, and the drill-down of
every card — each scoped to the court subtree the user may see."""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import date

import pytest
from django.test import Client

from zhixing.reports.models import Campaign

#: The day the page looks at (window as of 2024-06-01, a Saturday).
DAY = "period=custom&from=2024-01-01&to=2024-06-01&as_of=2024-06-01"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(user, query: str = DAY) -> str:
    response = client_for(user).get(f"/dashboard/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def json_block(html: str, name: str) -> dict:
    block = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def overdue(html: str) -> dict[str, int]:
    rows = re.findall(r'<tr data-node="(K\d)"><td>[^<]*</td><td class="num">(?:<a href="[^"]*">)?(\d+)', html)
    return {k: int(n) for k, n in rows}


def node_link(html: str, key: str) -> str:
    row = re.search(rf'<tr data-node="{key}">.*?<a href="([^"]*)">', html)
    return html_lib.unescape(row.group(1))


@pytest.fixture
def dataset(courts, import_cases, bundle_case):
    """武陟: A open since 04-01 with nothing done (K1–K4 overdue), B open since 04-01 with
    only the handler assigned (K2–K4 overdue), C filed and closed (执行完毕) on 06-01;
    温县: D open since 04-01 with nothing done, E filed on 06-01 and open."""
    report = import_cases(
        bundle_case(court_code="豫0823", seq=901, filed_on="2024-04-01", events=[]),
        bundle_case(
            court_code="豫0823",
            seq=902,
            filed_on="2024-04-01",
            events=[bundle_case.ev("handler_assigned", "2024-04-01", handler="王某")],
        ),
        bundle_case(
            court_code="豫0823",
            seq=903,
            filed_on="2024-06-01",
            closing={"on": "2024-06-01", "mode": "执行完毕"},
        ),
        bundle_case(court_code="豫0825", seq=904, filed_on="2024-04-01", events=[]),
        bundle_case(court_code="豫0825", seq=905, filed_on="2024-06-01"),
    )
    assert report.imported == 5, report


def test_chief_sees_the_subtree(dataset, personas):
    html = page(personas["jiaozuo_chief"])
    assert re.search(r'id="filed-today" href="[^"]*">2</a>', html)
    assert re.search(r'id="closed-today" href="[^"]*">1</a>', html)
    counts = overdue(html)
    assert {k: n for k, n in counts.items() if n} == {"K1": 2, "K2": 3, "K3": 3, "K4": 3}
    assert list(counts) == ["K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8", "K9"]


def test_officer_sees_only_his_court(dataset, personas):
    wuzhi = page(personas["wuzhi_officer"])
    assert re.search(r'id="filed-today" href="[^"]*">1</a>', wuzhi)
    assert re.search(r'id="closed-today" href="[^"]*">1</a>', wuzhi)
    assert {k: n for k, n in overdue(wuzhi).items() if n} == {"K1": 1, "K2": 2, "K3": 2, "K4": 2}
    wenxian = page(personas["wenxian_officer"])
    assert re.search(r'id="filed-today" href="[^"]*">1</a>', wenxian)
    assert re.search(r'id="closed-today" href="[^"]*">0</a>', wenxian)
    assert {k: n for k, n in overdue(wenxian).items() if n} == {"K1": 1, "K2": 1, "K3": 1, "K4": 1}
    # The chief narrowing to 温县 gets 温县's figures only.
    chief_wenxian = page(personas["jiaozuo_chief"], f"{DAY}&court=豫0825")
    assert overdue(chief_wenxian) == overdue(wenxian)


def test_overdue_link_opens_the_queue_filtered_by_node(dataset, personas):
    chief = personas["jiaozuo_chief"]
    url = node_link(page(chief), "K2")
    assert url == "/flow/queue/?scope=court&court=%E8%B1%AB08&as_of=2024-06-01&days=0&node=K2"
    queue = client_for(chief).get(url).content.decode()
    assert queue.count("执行通知") >= 3
    numbers = set(re.findall(r"（2024）豫08\d\d执90\d号", queue))
    assert numbers == {"（2024）豫0823执901号", "（2024）豫0823执902号", "（2024）豫0825执904号"}
    # The 温县 officer's own link shows 温县's case only.
    url = node_link(page(personas["wenxian_officer"]), "K2")
    queue = client_for(personas["wenxian_officer"]).get(url).content.decode()
    assert set(re.findall(r"（2024）豫08\d\d执90\d号", queue)) == {"（2024）豫0825执904号"}


def test_filings_link_lists_the_cases_behind(dataset, personas):
    chief = personas["jiaozuo_chief"]
    html = page(chief)
    filed = html_lib.unescape(re.search(r'id="filed-today" href="([^"]*)"', html).group(1))
    assert filed == (
        "/reports/cases/?court=%E8%B1%AB08&indicator=IND-14&part=denominator"
        "&from=2024-06-01&to=2024-06-01&as_of=2024-06-01"
    )
    listed = client_for(chief).get(filed).content.decode()
    assert "共 2 件" in listed
    assert set(re.findall(r"（2024）豫08\d\d执90\d号", listed)) == {
        "（2024）豫0823执903号",
        "（2024）豫0825执905号",
    }


def test_cards_link_to_the_cases_behind(dataset, personas):
    chief = personas["jiaozuo_chief"]
    html = page(chief)
    card = re.search(r"<h3>首执结案率</h3>(.*?)</article>", html, re.S).group(1)
    assert '<p class="ratio">1 / 5</p>' in card
    links = [html_lib.unescape(u) for u in re.findall(r'href="([^"]*)"', card)]
    assert links == [
        "/reports/cases/?court=%E8%B1%AB08&indicator=IND-01&part=numerator&from=2024-01-01&to=2024-06-01&as_of=2024-06-01",
        "/reports/cases/?court=%E8%B1%AB08&indicator=IND-01&part=denominator&from=2024-01-01&to=2024-06-01&as_of=2024-06-01",
    ]
    assert "共 1 件" in client_for(chief).get(links[0]).content.decode()
    assert "共 5 件" in client_for(chief).get(links[1]).content.decode()
    # The same link in another officer's hands is a 404, not 武陟's cases.
    assert (
        client_for(personas["wenxian_officer"])
        .get(links[0].replace("%E8%B1%AB08", "%E8%B1%AB0823"))
        .status_code
        == 404
    )


def test_trend_of_the_chosen_indicator(dataset, personas):
    trend = json_block(page(personas["jiaozuo_chief"]), "trend-data")
    assert trend["title"] == "首执结案率 · 近12个月"
    assert trend["unit"] == "%"
    assert trend["months"] == [f"2023-{m:02d}" for m in range(7, 13)] + [f"2024-{m:02d}" for m in range(1, 7)]
    series = {s["name"]: s["values"] for s in trend["series"]}
    assert list(series) == ["武陟县人民法院", "温县人民法院", "合计"]
    none = [None] * 9
    assert series["合计"] == [*none, 0.0, 0.0, 20.0]
    assert series["温县人民法院"] == [*none, 0.0, 0.0, 0.0]
    assert series["武陟县人民法院"][9:11] == [0.0, 0.0]
    assert round(series["武陟县人民法院"][11], 2) == 33.33
    # An officer's trend has his court alone.
    wenxian = json_block(page(personas["wenxian_officer"]), "trend-data")
    assert [s["name"] for s in wenxian["series"]] == ["温县人民法院", "合计"]


def test_running_campaign_progress(dataset, personas, courts):
    Campaign.objects.create(
        name="执行攻坚专项", court=courts["豫08"], start=date(2024, 5, 1), end=date(2024, 8, 31),
        targets={"IND-01": "0.90"},
    )  # fmt: skip
    chief = page(personas["jiaozuo_chief"])
    assert "执行攻坚专项" in chief
    row = re.search(r'<tr data-target="IND-01">(.*?)</tr>', chief).group(1)
    assert row == (
        '<td>首执结案率</td><td class="num bad">20.00%</td><td class="num">90.00%</td><td class="num">4 件</td>'
    )
    # 温县's officer sees the campaign over 温县 only: 0 of 2.
    row = re.search(r'<tr data-target="IND-01">(.*?)</tr>', page(personas["wenxian_officer"])).group(1)
    assert row == (
        '<td>首执结案率</td><td class="num bad">0.00%</td><td class="num">90.00%</td><td class="num">2 件</td>'
    )
    # Before the campaign starts: no campaign section.
    before = page(personas["jiaozuo_chief"], "period=custom&from=2024-01-01&to=2024-04-15&as_of=2024-04-15")
    assert "执行攻坚专项" not in before and 'class="campaign"' not in before


def test_campaign_of_another_court_is_not_shown(dataset, personas, courts):
    Campaign.objects.create(
        name="武陟专项", court=courts["豫0823"], start=date(2024, 5, 1), end=date(2024, 8, 31),
        targets={"IND-01": "0.90"},
    )  # fmt: skip
    assert "武陟专项" in page(personas["wuzhi_officer"])
    assert "武陟专项" not in page(personas["wenxian_officer"])
