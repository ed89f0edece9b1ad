"""From a figure to its cases and back, walked by 李某, the 执行局长 of 焦作中院: he opens
the command centre, sets the window to 2023 (the address changes, a reload keeps it),
clicks the 首执结案率 denominator, pages through its cases, exports the whole list, opens
a case, comes back to the list and from there to the figure."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

CLOSED = ("（2023）豫0823执701号", "（2023）豫0823执702号")
OPEN = ("（2023）豫0823执703号", "（2023）豫0823执704号", "（2023）豫0825执705号")


@pytest.fixture
def data(transactional_db, courts, personas, import_cases, bundle_case, monkeypatch):
    """Five 首执 cases of 2023 under 焦作中院: two of 武陟 closed 执行完毕, two of 武陟 and
    one of 温县 open. The drill-down shows two cases a page (three pages)."""
    from zhixing.reports import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    chief = personas["jiaozuo_chief"]
    chief.display_name = "李某"
    chief.save()
    cases = [bundle_case(case_number=n, closing={"on": "2023-06-01", "mode": "执行完毕"}) for n in CLOSED]
    cases += [bundle_case(case_number=n, court_code=n[6:11]) for n in OPEN]
    report = import_cases(*cases)
    assert report.rejected == [], report.rejected
    return personas


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def card(page, name: str):
    return page.locator("article.card", has=page.locator("h3", has_text=name))


def test_leader_drills_down_from_a_figure_and_back(data, open_page, tmp_path):
    p = open_page(data["jiaozuo_chief"])
    p.goto("/dashboard/")
    expect(p.page.locator("h1")).to_have_text("指挥中心")
    p.page.get_by_label("自定义").check()
    p.page.get_by_label("起始日").fill("2023-01-01")
    p.page.get_by_label("截止日").fill("2023-12-31")
    p.page.get_by_label("截至日").fill("2023-12-31")
    p.page.get_by_role("button", name="统计").click()
    window = p.page.locator(".window")
    expect(window).to_have_text(
        "焦作市中级人民法院及下级法院 · 窗口 2023-01-01 至 2023-12-31，截至 2023-12-31"
    )
    assert query(p.page.url) == {
        "court": ["豫08"], "period": ["custom"], "from": ["2023-01-01"], "to": ["2023-12-31"],
        "as_of": ["2023-12-31"], "indicator": ["IND-01"],
    }  # fmt: skip
    figure = card(p.page, "首执结案率")
    expect(figure.locator(".value")).to_have_text("40.00%")  # 2 of 5
    expect(figure.locator(".ratio")).to_have_text("2 / 5")
    p.page.reload()
    expect(window).to_contain_text("窗口 2023-01-01 至 2023-12-31")
    expect(p.page.get_by_label("起始日")).to_have_value("2023-01-01")
    expect(card(p.page, "首执结案率").locator(".value")).to_have_text("40.00%")
    dashboard_url = p.page.url
    p.page.screenshot(path="/tmp/f2-dashboard.png", full_page=True)

    card(p.page, "首执结案率").get_by_role("link", name="分母案件").click()
    expect(p.page.locator("h1")).to_have_text("首执结案率 · 分母案件")
    expect(p.page.locator(".count")).to_have_text("共 5 件，每页 2 件")
    rows = p.page.locator("#drill-cases tbody tr")
    expect(rows).to_have_count(2)
    expect(p.page.locator(".pager .pages")).to_have_text("第 1 / 3 页")
    p.page.get_by_role("link", name="下一页").click()
    expect(p.page.locator(".pager .pages")).to_have_text("第 2 / 3 页")
    assert query(p.page.url)["page"] == ["2"] and query(p.page.url)["part"] == ["denominator"]
    expect(rows).to_have_count(2)
    p.page.screenshot(path="/tmp/f2-drilldown.png", full_page=True)

    with p.page.expect_download() as info:
        p.page.locator("#export").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert info.value.suggested_filename == "首执结案率-分母案件-20230101-20231231.xlsx"
    from openpyxl import load_workbook

    sheet = load_workbook(saved).active
    numbers = sorted(r[0] for r in sheet.iter_rows(min_row=4, values_only=True))
    assert numbers == sorted(CLOSED + OPEN)  # every page, not just this one
    claim = sheet.cell(row=4, column=8)
    assert (claim.value, claim.number_format) == (10000.0, "#,##0.00")

    first = rows.first.locator("a").inner_text()
    rows.first.locator("a").click()
    expect(p.page.locator("h1")).to_have_text(first)
    p.page.go_back()
    expect(p.page.locator(".pager .pages")).to_have_text("第 2 / 3 页")
    p.page.get_by_role("link", name="返回指挥中心的指标").click()
    expect(window).to_contain_text("窗口 2023-01-01 至 2023-12-31")
    expect(card(p.page, "首执结案率").locator(".value")).to_have_text("40.00%")
    assert query(p.page.url) == query(dashboard_url)

    # The same figure among the peers: rates as percentages, courts by name.
    p.page.get_by_role("link", name="排名与通报").click()
    p.page.get_by_role("navigation", name="统计报表").get_by_role("link", name="排名与趋势").click()
    p.page.get_by_label("起始日").fill("2023-01-01")
    p.page.get_by_label("截止日").fill("2023-12-31")
    p.page.get_by_label("截至日").fill("2023-12-31")
    p.page.get_by_role("button", name="排名").click()
    ranking = p.page.locator("#ranking tbody tr")
    expect(ranking.nth(0).locator("td")).to_have_text(
        ["1", "武陟县人民法院", "50.00%", "2", "4", "—", "—", "", ""]
    )
    expect(ranking.nth(1).locator("td").nth(2)).to_have_text("0.00%")
    p.page.screenshot(path="/tmp/f2-ranking.png", full_page=True)
    p.assert_no_csp_violations()
    assert p.console == [], p.console
