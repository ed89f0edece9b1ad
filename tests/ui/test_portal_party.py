"""The party portal on a phone (390×844), walked by 张某, the applicant of a 武陟 case: she
enters the case number, her ID number and the code sent to her phone, and reads her case:
progress by step, money in Chinese with thousands separators (30,000.00 元 received and
paid to her), the other parties with their names masked and no ID numbers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

NUMBER = "（2025）豫0823执1201号"


@pytest.fixture
def data(transactional_db, courts, import_cases, bundle_case):
    """张某 (phone on file) against 李四明, a natural person, who paid 30,000.00 yuan,
    all of it paid on to 张某."""
    me = bundle_case.applicant("p1", name="张某", phone="13800001111")
    debtor = {"id": "p2", "role": "被执行人", "kind": "自然人", "name": "李四明",
              "id_number": bundle_case.id_number("19700505", seq="555"), "phone": "13900002222"}  # fmt: skip
    case = bundle_case(
        case_number=NUMBER,
        filed_on="2025-03-03",
        claim_amount="1234567.89",
        recovered_amount="30000.00",
        parties=[me, debtor],
        receipts=[{"id": "r1", "notice_on": "2025-04-07", "amount": "30000.00", "payer": "李四明"}],
        disbursements=[
            {"id": "d1", "receipt": "r1", "on": "2025-04-21", "amount": "30000.00", "payee": "p1"}
        ],
    )
    report = import_cases(case)
    assert report.rejected == [], report.rejected
    return {"me": me, "debtor": debtor}


def test_party_reads_her_case_on_a_phone(data, open_page, settings, tmp_path):
    codes = tmp_path / "codes.txt"
    settings.PORTAL_NOTIFIER = "file"
    settings.PORTAL_CODE_FILE = str(codes)
    p = open_page(viewport=(390, 844))
    p.goto("/portal/")
    expect(p.page.locator("h1")).to_have_text("查询我的执行案件")
    p.page.get_by_label("案号").fill("(2025)豫0823执1201号")  # half-width brackets, as typed on a phone
    p.page.get_by_label("证件号码").fill(data["me"]["id_number"])
    p.page.get_by_role("button", name="查询").click()
    expect(p.page.locator("h1")).to_have_text("输入验证码")
    code = re.search(r"验证码为(\d{6})", codes.read_text(encoding="utf-8")).group(1)
    p.page.get_by_label("验证码").fill(code)
    p.page.get_by_role("button", name="确认").click()

    expect(p.page.locator("h1")).to_have_text(NUMBER)
    facts = p.page.locator(".portal-facts")
    expect(facts.locator("div", has_text="执行法院")).to_contain_text("武陟县人民法院")
    expect(facts.locator("div", has_text="申请执行标的")).to_contain_text("1,234,567.89 元")
    expect(facts.locator("div", has_text="执行到位")).to_contain_text("30,000.00 元")
    steps = p.page.locator(".portal-steps li")
    expect(steps.filter(has_text="发出执行通知书")).to_contain_text("完成于 2025-03-03")
    paid = p.page.locator(".portal-card", has=p.page.locator("h2", has_text="向您发放的案款"))
    expect(paid.locator(".portal-list li")).to_have_text(["2025-04-21 30,000.00 元"])
    expect(paid.locator(".portal-total")).to_have_text("合计已发放 30,000.00 元")
    parties = p.page.locator(".portal-card", has=p.page.locator("h2", has_text="当事人")).locator("li")
    expect(parties.first).to_contain_text("张某（本人，申请执行人）")
    expect(parties.nth(1)).to_have_text("李**（被执行人）")
    body = p.page.locator("body")
    expect(body).not_to_contain_text("李四明")
    expect(body).not_to_contain_text(data["debtor"]["id_number"])
    expect(body).not_to_contain_text("13900002222")
    assert p.page.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone
    p.page.screenshot(path="/tmp/f2-portal-phone.png", full_page=True)
    p.assert_no_csp_violations()
    assert p.console == [], p.console
