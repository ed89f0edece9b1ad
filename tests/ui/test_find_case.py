"""王某, an officer of 武陟县人民法院, finds a case from the case list — by a fragment of its
number and by a party's name — and opens it; the list and the case page show names, not
codes, and amounts with thousands separators."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

NUMBER = "（2023）豫0823执1307号"
OTHER = "（2023）豫0823执1410号"


@pytest.fixture
def data(transactional_db, courts, personas, import_cases, bundle_case):
    """Two 武陟 cases: the one sought has 李某某 as its applicant and a claim of 1,250,000.00."""
    applicant = bundle_case.applicant("p1", name="李某某")
    import_cases(
        bundle_case(case_number=NUMBER, claim_amount="1250000.00", parties=[applicant, bundle_case.debtor()]),
        bundle_case(case_number=OTHER),
    )
    return personas


def search(p, text: str):
    p.page.fill("#id_q", text)
    p.page.get_by_role("button", name="查询").click()


def test_officer_finds_case_by_number_fragment_and_by_name(data, open_page):
    p = open_page(data["wuzhi_officer"])
    p.goto("/cases/")
    search(p, "执1307")
    rows = p.page.locator("#case-results table.grid tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(NUMBER)
    expect(rows.first).to_contain_text("武陟县人民法院")
    expect(rows.first).to_contain_text("1,250,000.00")
    assert "q=" in p.page.url  # the search is in the address, to share or come back to

    search(p, "李某某")
    expect(rows).to_have_count(1)
    p.page.screenshot(path="/tmp/f1-case-list.png", full_page=True)
    rows.first.get_by_role("link", name=NUMBER).click()
    expect(p.page.locator("h1")).to_have_text(NUMBER)
    facts = p.page.locator("dl.facts")
    expect(facts).to_contain_text("武陟县人民法院")
    expect(facts).to_contain_text("1,250,000.00 元")
    parties = p.page.locator("section", has=p.page.get_by_role("heading", name="当事人"))
    expect(parties.locator("tbody tr").first).to_contain_text("申请执行人")
    expect(parties.locator("tbody tr").first).to_contain_text("李某某")
    expect(p.page.locator("#id_on")).to_have_value(_today())  # the date input is filled
    p.page.fill("#id_as_of", "2023-03-05")  # the checks at an earlier day, swapped in by htmx
    p.page.get_by_role("button", name="计算").click()
    expect(p.page.locator("#case-checks h2 small")).to_have_text("截至 2023-03-05")
    assert "as_of=2023-03-05" in p.page.url
    p.page.screenshot(path="/tmp/f1-case-detail.png", full_page=True)
    p.assert_no_csp_violations()
    assert p.console == []


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()
