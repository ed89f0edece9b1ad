"""A petition from receipt to reply in the browser, walked by 刘某, the petition clerk of
武陟县法院: she takes in a letter from 张某 about a 武陟 case, reads the clocks (登记 within
5 working days, 办结 within 30 days), registers it with herself as handler, records the
handling, replies, closes it, and finds it among the closed petitions, on time."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

NUMBER = "（2026）豫0823执301号"


@pytest.fixture
def data(transactional_db, courts, personas, import_cases, bundle_case):
    from zhixing.courts.models import Role, User

    clerk = User.objects.create(username="wuzhi_petitions", display_name="刘某", court=courts["豫0823"],
                                role=Role.CLERK)  # fmt: skip
    report = import_cases(bundle_case(case_number=NUMBER, filed_on="2026-09-01"))
    assert report.rejected == [], report.rejected
    return {"clerk": clerk, **personas}


def clocks(page):
    return page.locator("table.grid", has=page.locator("th", has_text="规则")).locator("tbody tr")


def act(page, heading: str, fields: dict[str, str], button: str | None = None):
    """Fill the form under ``heading`` in 办理 and submit it."""
    form = page.locator("form", has=page.locator("h3", has_text=heading))
    for label, value in fields.items():
        field = form.get_by_label(re.compile(f"^{re.escape(label)}[:：]?$"))
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    form.get_by_role("button", name=button or heading).click()


def test_clerk_takes_a_petition_from_receipt_to_reply(data, open_page):
    p = open_page(data["clerk"])
    p.goto("/petitions/")
    p.page.get_by_role("link", name="接收信访").click()
    expect(p.page.locator("h1")).to_have_text("接收信访")
    p.page.get_by_label("收到日期").fill("2026-11-02")
    p.page.get_by_label("来源").select_option(label="来信")
    p.page.get_by_label("信访人").fill("张某")
    p.page.get_by_label("信访事项").fill("反映案件久拖未执行，请求尽快执行到位。")
    p.page.get_by_label("案号（可暂不填）").fill(NUMBER)
    p.page.get_by_role("button", name="接收").click()

    notice = p.page.locator(".notice")
    expect(notice).to_contain_text("信访已接收")
    expect(p.page.locator("h1")).to_contain_text(NUMBER)
    facts = p.page.locator("dl.facts")
    expect(facts).to_contain_text("武陟县人民法院")
    expect(facts).to_contain_text("张某")
    rows = clocks(p.page)
    # 2026-11-02 is a Monday: five working days end on Monday 11-09; thirty days on 12-02.
    expect(rows.filter(has_text="登记")).to_contain_text("2026-11-09")
    expect(rows.filter(has_text="办结")).to_contain_text("2026-12-02")

    act(p.page, "登记", {"登记日期": "2026-11-04", "承办人": "刘某（书记员）"})
    expect(notice).to_have_text(
        "已登记：信访 " + p.page.locator("h1").inner_text().split()[1] + "，承办人 刘某。"
    )
    expect(rows.filter(has_text="登记")).to_contain_text("按期")
    expect(facts.locator("div", has_text="承办人")).to_contain_text("刘某")

    act(p.page, "办理", {"日期": "2026-11-10", "办理情况": "约谈被执行人，督促履行。"})
    expect(notice).to_contain_text("已办理")
    act(p.page, "答复", {"答复日期": "2026-11-20", "答复内容": "已督促被执行人履行，款项到位后即发放。"})
    expect(notice).to_contain_text("已答复")
    expect(facts).to_contain_text("已督促被执行人履行")
    act(p.page, "办结", {"办结日期": "2026-11-20"})
    expect(notice).to_contain_text("已办结")
    expect(rows.filter(has_text="办结")).to_contain_text("2026-11-20")
    expect(rows.filter(has_text="办结")).to_contain_text("按期")
    timeline = p.page.locator(".timeline li")
    expect(timeline).to_have_count(5)
    p.page.screenshot(path="/tmp/f2-petition.png", full_page=True)

    p.goto("/petitions/")
    p.page.get_by_label("状态").select_option(label="已办结")
    p.page.get_by_role("button", name="筛选").click()
    expect(p.page).to_have_url(f"{p.base_url}/petitions/?status=closed")
    row = p.page.locator("table.grid tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(NUMBER)
    expect(row).to_contain_text("武陟县人民法院")
    expect(row.locator(".status")).to_have_text("按期")
    p.page.screenshot(path="/tmp/f2-petitions.png", full_page=True)
    p.assert_no_csp_violations()
    assert p.console == [], p.console
