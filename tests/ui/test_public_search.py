"""The public 失信 search (no log-in), walked by a member of the public checking a
prospective business partner: by name and by ID number, the ID masked in the results
(4108231985****2036) and never echoed back into the search box; an empty query and a
wildcard are refused with a Chinese message; the search stays in the address."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

NUMBER = "（2024）豫0823执88号"


@pytest.fixture
def data(transactional_db, courts, personas, import_cases, bundle_case):
    """周某 (born 1985-03-12), listed G1 by 武陟县法院 on 2024-03-01 after paying 20,000.00
    of 100,000.00 yuan; the credit index polled on every request."""
    from zhixing.cases.models import Case
    from zhixing.credit import index, services

    index.holder.reset()
    index.holder.poll_seconds = 0.0
    debtor_id = bundle_case.id_number(birth="19850312", seq="203")
    applicant = bundle_case.applicant(
        "p1", kind="法人", name="焦作市某商贸有限公司", credit_code=bundle_case.credit_code()
    )
    applicant.pop("id_number")
    case = bundle_case(
        case_number=NUMBER,
        filed_on="2024-01-10",
        claim_amount="100000.00",
        recovered_amount="20000.00",
        basis={"document_number": "（2023）豫0823民初100号", "issuer": "武陟县人民法院", "kind": "民事判决书",
               "effective_on": "2023-12-01"},
        parties=[applicant, {"id": "p2", "role": "被执行人", "kind": "自然人", "name": "周某", "id_number": debtor_id}],
        events=[bundle_case.ev("handler_assigned", "2024-01-10", handler="王某"),
                bundle_case.ev("execution_notice", "2024-01-10"),
                bundle_case.ev("consumption_restriction", "2024-02-01", party="p2")],
    )  # fmt: skip
    report = import_cases(case, today=date(2026, 1, 1))
    assert report.rejected == [], report.rejected
    services.list_party(
        personas["wuzhi_officer"],
        Case.objects.get(case_number=NUMBER),
        party="p2",
        grounds=["G1"],
        term_years=None,
        doc=services.Document(date(2024, 3, 1), "（2024）豫0823执88号之一", "李院长"),
    )
    yield {"debtor_id": debtor_id}
    index.holder.reset()


def search(p, q: str):
    p.page.fill("#id_q", q)
    with p.page.expect_navigation():
        p.page.get_by_role("button", name="查询").click()
    url = urlsplit(p.page.url)
    assert (url.path, parse_qs(url.query, keep_blank_values=True)) == ("/public/credit/", {"q": [q]})


def test_public_searches_the_list_by_name_and_id(data, open_page):
    p = open_page()
    p.goto("/public/credit/")
    expect(p.page.locator("h1")).to_have_text("失信被执行人查询")
    # The page names its icon (no request for a missing /favicon.ico), and the icon is served.
    icon = p.page.locator("link[rel=icon]").get_attribute("href")
    assert icon == "/static/zhixing/favicon.svg"
    assert p.page.request.get(p.base_url + icon).status == 200
    search(p, "周某")
    rows = p.page.locator("table.grid tbody tr")
    expect(rows).to_have_count(1)
    cells = rows.first.locator("td")
    expect(cells.nth(0)).to_have_text("周某")
    expect(cells.nth(1)).to_have_text("4108231985****2036")
    expect(cells.nth(3)).to_have_text("武陟县人民法院")
    expect(cells.nth(4)).to_have_text(NUMBER)
    expect(cells.nth(8)).to_have_text("有履行能力而拒不履行生效法律文书确定义务")
    expect(p.page.locator("body")).not_to_contain_text(data["debtor_id"])
    expect(p.page.locator("#id_q")).to_have_value("周某")
    p.page.screenshot(path="/tmp/f2-public-search.png", full_page=True)
    p.page.reload()  # the search is in the address: a reload shows the same result
    expect(rows).to_have_count(1)

    search(p, data["debtor_id"])
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(1)).to_have_text("4108231985****2036")
    expect(p.page.locator("#id_q")).to_have_value("")  # an ID number is not echoed back

    search(p, "周*")
    expect(p.page.locator(".error")).to_have_text("查询不支持通配符，请输入完整的姓名或名称、证件号码")
    expect(p.page.locator("table.grid")).to_have_count(0)
    search(p, "   ")  # the box refuses an empty search; blanks reach the server
    expect(p.page.locator(".error")).to_have_text(
        "请输入被执行人的姓名或名称，或完整的身份证号码、统一社会信用代码"
    )
    search(p, "吴某某")
    expect(p.page.locator(".empty")).to_have_text("未查询到失信被执行人信息。")
    p.page.go_back()
    expect(p.page.locator(".error")).to_have_text(
        "请输入被执行人的姓名或名称，或完整的身份证号码、统一社会信用代码"
    )
    p.assert_no_csp_violations()
    # The refused searches answer 400: the browser logs each as a failed resource, nothing else.
    assert [m for m in p.console if "status of 400" not in m] == [], p.console
