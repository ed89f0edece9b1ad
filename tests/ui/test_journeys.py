"""The main journeys in a real browser (issue 11): an officer records a 执行通知 and sees
the obligation discharged; a leader opens a ranking and drills down to a case; a party
looks up their case in the portal; an officer of another court gets nothing. And no
page breaks the Content-Security-Policy (Plotly on the dashboard, Swagger at /api/docs)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

NUMBER = "（2023）豫0823执601号"
OTHER_NUMBER = "（2023）豫0825执602号"
RANKING = (
    "/reports/rankings/?court=%E8%B1%AB08&indicator=IND-01&from=2023-01-01&to=2023-12-31&as_of=2023-12-31"
)


@pytest.fixture
def data(transactional_db, courts, personas, import_cases, bundle_case):
    """Two 武陟 cases and one 温县 case of 2023; the first lacks its 执行通知 (K2) and its
    applicant has a phone on file for the portal."""
    without_notice = [e for e in bundle_case.key_node_events("2023-03-01") if e["node"] != "execution_notice"]
    me = bundle_case.applicant("p1", name="张某", phone="13800001111")
    import_cases(
        bundle_case(case_number=NUMBER, events=without_notice, parties=[me, bundle_case.debtor()],
                    receipts=[{"id": "r1", "notice_on": "2023-04-06", "amount": "2000.00", "payer": "某公司"}],
                    disbursements=[{"id": "d1", "receipt": "r1", "on": "2023-04-20", "amount": "2000.00", "payee": "p1"}]),
        bundle_case(case_number="（2023）豫0823执603号", closing={"on": "2023-06-01", "mode": "执行完毕"}),
        bundle_case(court_code="豫0825", case_number=OTHER_NUMBER),
    )  # fmt: skip
    return {"applicant": me, **personas}


def k2_row(page):
    return page.locator("tr", has_text="发出执行通知书").first


def test_officer_records_execution_notice(data, open_page):
    p = open_page(data["wuzhi_officer"])
    p.goto(f"/cases/{quote(NUMBER)}/")
    expect(k2_row(p.page).locator(".status")).to_have_text("超期未完成")
    p.page.select_option("#id_node", "execution_notice")
    p.page.fill("#id_on", "2023-03-03")
    url = p.page.url
    p.page.get_by_role("button", name="登记", exact=True).click()
    expect(k2_row(p.page).locator(".status")).to_have_text("按期完成")
    assert p.page.url == url  # htmx swapped the page body: no reload, no redirect
    expect(p.page.locator(".timeline li", has_text="发出执行通知书")).to_contain_text("wuzhi_officer")
    p.assert_no_csp_violations()


def test_leader_opens_ranking_and_drills_down(data, open_page, settings):
    from zhixing.courts.models import User

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    chief = User.objects.get(username="jiaozuo_chief")
    chief.set_password("jiaozuo-chief-pw")
    chief.save()
    p = open_page()
    p.goto("/login/")
    p.page.fill("#id_username", "jiaozuo_chief")
    p.page.fill("#id_password", "jiaozuo-chief-pw")
    p.page.get_by_role("button", name=re.compile("登录")).click()
    expect(p.page.locator("h1")).to_have_text("指挥中心")  # a leader lands on the figures
    p.goto(RANKING)
    ranking = p.page.locator("#ranking")
    expect(ranking).to_contain_text("武陟县人民法院")
    expect(ranking).to_contain_text("温县人民法院")
    ranking.locator("tr", has_text="武陟县人民法院").locator("td.num a").nth(
        1
    ).click()  # the denominator: 2 cases
    expect(p.page.locator("table.grid tbody tr")).to_have_count(2)
    p.page.get_by_role("link", name=NUMBER).click()
    expect(p.page.locator("h1")).to_have_text(NUMBER)
    expect(p.page.locator("body")).to_contain_text("本案不属本院，身份证号码已部分隐去")
    p.assert_no_csp_violations()


def test_party_looks_up_case_on_a_phone(data, open_page, settings, tmp_path):
    codes = tmp_path / "codes.txt"
    settings.PORTAL_NOTIFIER = "file"
    settings.PORTAL_CODE_FILE = str(codes)
    p = open_page(viewport=(390, 844))
    p.goto("/portal/")
    p.page.fill("#id_case_number", "(2023)豫0823执601号")
    p.page.fill("#id_identifier", data["applicant"]["id_number"])
    p.page.get_by_role("button", name="查询").click()
    expect(p.page.locator("h1")).to_have_text("输入验证码")
    code = re.search(r"验证码为(\d{6})", codes.read_text(encoding="utf-8")).group(1)
    p.page.fill("#id_code", code)
    p.page.get_by_role("button", name="确认").click()
    expect(p.page.locator("h1")).to_have_text(NUMBER)
    body = p.page.locator("body")
    expect(body).to_contain_text("合计已发放 2,000.00 元")
    expect(body).to_contain_text("武陟县某建材有限公司（被执行人）")
    # Fits a phone: nothing wider than the screen.
    assert p.page.evaluate("document.documentElement.scrollWidth") <= 390
    p.assert_no_csp_violations()


def test_officer_of_another_court_gets_nothing(data, open_page):
    p = open_page(data["wenxian_officer"])
    response = p.goto(f"/cases/{quote(NUMBER)}/")
    assert response.status == 404
    p.goto(f"/cases/?q={quote(NUMBER)}")
    expect(p.page.locator("body")).not_to_contain_text(NUMBER)
    p.goto("/cases/?q=" + quote("张某"))
    expect(p.page.locator("body")).not_to_contain_text("豫0823")
    assert p.goto(RANKING).status == 404
    assert p.goto(f"/flow/cases/{quote(NUMBER)}/").status == 404
    # Its own case is there.
    p.goto(f"/cases/{quote(OTHER_NUMBER)}/")
    expect(p.page.locator("h1")).to_have_text(OTHER_NUMBER)


def test_no_csp_violations_on_dashboard_and_api_docs(data, open_page):
    p = open_page(data["jiaozuo_chief"])
    p.goto(
        "/dashboard/?court=%E8%B1%AB08&period=custom&from=2023-01-01&to=2023-12-31&as_of=2023-12-31&indicator=IND-01"
    )
    expect(p.page.locator("#chart .main-svg").first).to_be_attached()  # Plotly drew the chart
    expect(p.page.locator("#trend-chart .main-svg").first).to_be_attached()  # and the 12-month trend
    p.goto("/api/docs")
    expect(p.page.locator(".swagger-ui .info").first).to_be_visible()
    p.assert_no_csp_violations()
