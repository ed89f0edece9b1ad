"""A 失信 listing and its deletion in the browser, walked by 王某, an officer of 武陟县法院:
from the case's credit page he lists the debtor 周某 (G1, with a 限制消费令), reads the
confirmation, finds the entry on /credit/; a member of the public then finds 周某 by name
and by ID number, the ID masked. 王某 deletes the listing with a ground, and the public
search no longer finds 周某."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

NUMBER = "（2024）豫0823执88号"
DEBTOR = "周某"


@pytest.fixture
def data(transactional_db, courts, personas, import_cases, bundle_case):
    """One 武陟 case of 2024 against 周某, a natural person born 1985-03-12, whose
    执行通知 was served on filing; the credit index polled on every request."""
    from zhixing.cases.models import Case
    from zhixing.credit import index
    from zhixing.credit.services import sync_entries

    index.holder.reset()
    index.holder.poll_seconds = 0.0
    debtor_id = bundle_case.id_number(birth="19850312", seq="203")
    debtor = {"id": "p2", "role": "被执行人", "kind": "自然人", "name": DEBTOR, "id_number": debtor_id}
    case = bundle_case(
        case_number=NUMBER,
        filed_on="2024-01-10",
        claim_amount="100000.00",
        basis={
            "document_number": "（2023）豫0823民初100号",
            "issuer": "武陟县人民法院",
            "kind": "民事判决书",
            "effective_on": "2023-12-01",
        },
        parties=[bundle_case.applicant("p1", kind="法人", name="焦作市某商贸有限公司",
                                       id_number=None, credit_code=bundle_case.credit_code()), debtor],
        events=[bundle_case.ev("handler_assigned", "2024-01-10", handler="王某"),
                bundle_case.ev("execution_notice", "2024-01-10")],
    )  # fmt: skip
    case["parties"][0].pop("id_number")
    report = import_cases(case, today=date(2026, 1, 1))
    assert report.rejected == [], report.rejected
    sync_entries([Case.objects.get(case_number=NUMBER).pk])
    yield {"debtor_id": debtor_id, **personas}
    index.holder.reset()


def public_search(p, q: str):
    p.goto("/public/credit/")
    p.page.fill("#id_q", q)
    p.page.get_by_role("button", name="查询").click()
    expect(p.page).to_have_url(f"{p.base_url}/public/credit/?q={quote(q)}")


def test_officer_lists_a_debtor_and_deletes_the_listing(data, open_page):
    officer = open_page(data["wuzhi_officer"])
    officer.goto(f"/credit/cases/{quote(NUMBER)}/")
    expect(officer.page.locator("h1")).to_contain_text(NUMBER)
    expect(officer.page.locator("body")).to_contain_text("本案没有失信信息。")
    listing = officer.page.locator("#form-listing")
    listing.get_by_label("被执行人").select_option(label=f"{DEBTOR}")
    listing.get_by_label("有履行能力而拒不履行生效法律文书确定义务").check()
    listing.get_by_label("决定日期").fill("2024-03-01")
    listing.get_by_label("决定书文号").fill("（2024）豫0823执88号之一")
    listing.get_by_label("签发人").fill("李院长")
    listing.get_by_role("button", name="保存").click()
    expect(officer.page.locator(".notice")).to_have_text("已保存：纳入失信名单（（2024）豫0823执88号之一）")
    entries = officer.page.locator("section", has_text="名单条目").locator("tbody tr")
    expect(entries).to_have_count(2)  # 失信 and the 限制消费令 issued with it
    officer.page.screenshot(path="/tmp/f2-credit-case.png", full_page=True)

    officer.goto("/credit/")
    expect(officer.page.locator(".count")).to_have_text("共 2 条 · 导出全部（Excel）")
    row = officer.page.locator("tbody tr", has_text="失信被执行人")
    expect(row).to_contain_text(DEBTOR)
    expect(row).to_contain_text("武陟县人民法院")
    expect(row).to_contain_text("2024-03-01")
    officer.page.screenshot(path="/tmp/f2-credit-list.png", full_page=True)

    public = open_page()
    public_search(public, DEBTOR)
    result = public.page.locator("table.grid tbody tr")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("4108231985****2036")
    expect(result).not_to_contain_text(data["debtor_id"])
    expect(result).to_contain_text(NUMBER)
    public_search(public, data["debtor_id"])
    expect(public.page.locator("table.grid tbody tr")).to_have_count(1)
    expect(public.page.locator("#id_q")).to_have_value("")  # an ID number is not echoed

    officer.goto(f"/credit/cases/{quote(NUMBER)}/")
    deletion = officer.page.locator("#form-deletion")
    deletion.get_by_label("删除事由").select_option(label="被执行人已履行义务或人民法院已执行完毕")
    deletion.get_by_label("决定日期").fill("2024-06-03")
    deletion.get_by_label("决定书文号").fill("（2024）豫0823执88号之二")
    deletion.get_by_label("签发人").fill("李院长")
    deletion.get_by_role("button", name="保存").click()
    expect(officer.page.locator(".notice")).to_have_text("已保存：删除失信信息（（2024）豫0823执88号之二）")
    expect(
        officer.page.locator("section", has_text="名单条目").locator("tbody tr", has_text="失信被执行人")
    ).to_contain_text("2024-06-03")

    public_search(public, DEBTOR)
    expect(public.page.locator(".empty")).to_have_text("未查询到失信被执行人信息。")
    for p in (officer, public):
        p.assert_no_csp_violations()
        assert p.console == [], p.console
