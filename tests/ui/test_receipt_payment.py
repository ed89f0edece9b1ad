"""Money in and out of a case in the browser: 王某, an officer of 武陟县人民法院, records a
receipt of 30,000.00 typed with its thousands separators and asks to pay it to the
applicant 张某; 孙某, 武陟's team lead, approves the payment from her approval list; the
case account then shows 30,000.00 received and paid, to 张某 by name."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

NUMBER = "（2023）豫0823执901号"
ACCOUNT = f"/funds/case/{quote(NUMBER)}/"


@pytest.fixture
def data(transactional_db, courts, personas, import_cases, bundle_case):
    from zhixing.courts.models import Role, User

    import_cases(bundle_case(case_number=NUMBER, claim_amount="50000.00"))
    lead = User.objects.create(
        username="wuzhi_lead", display_name="孙某", court=courts["豫0823"], role=Role.TEAM_LEAD
    )
    return {**personas, "wuzhi_lead": lead}


def facts(p) -> dict[str, str]:
    dl = p.page.locator("dl.facts > div")
    return {d.locator("dt").inner_text(): d.locator("dd").inner_text() for d in dl.all()}


def test_receipt_payment_and_approval(data, open_page):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    officer = open_page(data["wuzhi_officer"])
    officer.goto(f"/cases/{quote(NUMBER)}/")
    officer.page.get_by_role("link", name="案款账户").click()
    expect(officer.page.locator("h1")).to_contain_text(NUMBER)

    receipt = officer.page.get_by_role("group", name="登记到账", exact=True)
    receipt.get_by_label("金额（元）").fill("30,000.00")
    expect(receipt.get_by_label("到账通知日期")).to_have_value(today)  # filled with today
    receipt.get_by_label("交款人").fill("武陟县某建材有限公司")
    receipt.get_by_role("button", name="登记").click()
    expect(officer.page.locator(".messages li")).to_have_text(f"{NUMBER}：已登记到账 r1，30,000.00 元")
    row = officer.page.locator("table.grid tbody tr", has_text="武陟县某建材有限公司")
    expect(row.locator("td.num").first).to_have_text("30,000.00")

    pay = officer.page.get_by_role("group", name="发放", exact=True)
    expect(pay.get_by_label("到账")).to_contain_text("r1（" + today + " 到账 30,000.00 元）")
    pay.get_by_label("金额（元）").fill("30,000.00")
    pay.get_by_label("收款人").select_option(label="张某（申请执行人）")
    pay.get_by_role("button", name="申请发放").click()
    expect(officer.page.locator(".messages li")).to_have_text(
        f"{NUMBER}：发放 30,000.00 元已提交，待团队负责人审批"
    )
    officer.page.screenshot(path="/tmp/f1-funds-account-pending.png", full_page=True)
    officer.assert_no_csp_violations()

    lead = open_page(data["wuzhi_lead"])
    lead.goto("/funds/orders/")
    order = lead.page.locator("table.grid tbody tr", has_text=NUMBER)
    expect(order).to_contain_text("30,000.00")
    expect(order).to_contain_text("张某（申请执行人）")
    lead.page.screenshot(path="/tmp/f1-funds-orders.png", full_page=True)
    order.locator("input[name=note]").fill("同意发放")
    order.get_by_role("button", name="批准").click()
    expect(lead.page.locator(".messages li")).to_have_text(f"{NUMBER}：发放 30,000.00 元已批准并执行")
    expect(lead.page.locator("table.grid tbody tr", has_text=NUMBER)).to_have_count(0)

    lead.goto(ACCOUNT)
    shown = facts(lead)
    assert (
        shown["到账合计"] == "30,000.00 元"
        and shown["发放合计"] == "30,000.00 元"
        and shown["余额"] == "0.00 元"
    )
    ledger = lead.page.locator("section", has=lead.page.get_by_role("heading", name="流水"))
    expect(ledger.locator("tbody tr", has_text="发放")).to_contain_text("张某（申请执行人）")
    expect(ledger.locator("tbody tr", has_text="发放")).to_contain_text("30,000.00")
    lead.page.screenshot(path="/tmp/f1-funds-account.png", full_page=True)
    lead.assert_no_csp_violations()
    assert officer.console == [] and lead.console == []
