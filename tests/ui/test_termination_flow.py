"""The 终本 flow in the browser: 王某, an officer of 武陟县人民法院, runs the gate for a
closing day and reads the failing checks in Chinese; his closing is refused, since only the
bureau chief may close over failed checks; 赵局长, 武陟's 执行局长, then closes the case with
a reason, and the page shows the closing with her approval."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

NUMBER = "（2023）豫0823执801号"
CLOSED_ON = "2023-07-03"
URL = f"/termination/case/{quote(NUMBER)}/"


@pytest.fixture
def data(transactional_db, courts, personas, import_cases, bundle_case):
    """A 武陟 case with its 终本 ruling served, but no 限制消费, no interview of the applicant
    and its online inquiry four months old at the closing day."""
    from zhixing.courts.models import Role, User

    ev = bundle_case.ev
    events = [
        *bundle_case.key_node_events("2023-03-01"),
        ev("termination_ruling", "2023-06-30"),
        ev("ruling_served", "2023-07-01"),
    ]
    import_cases(bundle_case(case_number=NUMBER, events=events))
    chief = User.objects.create(
        username="wuzhi_chief", display_name="赵局长", court=courts["豫0823"], role=Role.BUREAU_CHIEF
    )
    return {**personas, "wuzhi_chief": chief}


def run_gate(p):
    p.page.fill("input[name=closed_on]", CLOSED_ON)
    p.page.get_by_role("button", name="运行检查").click()


def test_gate_lists_failures_in_chinese_and_chief_overrides(data, open_page):
    officer = open_page(data["wuzhi_officer"])
    officer.goto(f"/cases/{quote(NUMBER)}/")
    officer.page.get_by_role("link", name="终本管理", exact=True).last.click()
    expect(officer.page.locator("h1")).to_have_text(f"{NUMBER} 终本管理")
    run_gate(officer)
    gate = officer.page.locator("#gate")
    expect(gate.locator("h3")).to_have_text(f"结案前检查（按 {CLOSED_ON} 结案）")
    expect(gate.locator(".verdict")).to_have_text("不合格")
    reasons = gate.locator("ul.reasons li")
    expect(
        reasons.filter(has_text="限制消费：被执行人武陟县某建材有限公司结案前未被采取限制消费措施")
    ).to_have_count(1)
    expect(reasons.filter(has_text="约谈申请执行人：")).to_have_count(1)
    for text in reasons.all_inner_texts():
        assert not re.search(r"\b[TC]\d+\b", text), text  # no bare check ids
    expect(gate).to_contain_text("须由执行局长批准并填写理由后方可结案")
    officer.page.screenshot(path="/tmp/f1-termination-gate.png", full_page=True)

    close = officer.page.get_by_role("button", name="以终结本次执行程序方式结案")
    close.click()
    expect(officer.page.locator(".error[role=alert]")).to_contain_text(
        "终本检查未通过，须由执行局长批准并说明理由后结案"
    )
    expect(officer.page.locator(".badge.open")).to_have_text("未结")
    officer.assert_no_csp_violations()

    chief = open_page(data["wuzhi_chief"])
    chief.goto(URL)
    run_gate(chief)
    expect(chief.page.locator("#gate .verdict")).to_have_text("不合格")
    chief.page.fill("textarea[name=override_reason]", "被执行人确无财产可供执行，申请执行人已书面同意")
    # The closing form takes the day the gate was run for.
    expect(chief.page.locator("#id_closed_on")).to_have_value(CLOSED_ON)
    chief.page.get_by_role("button", name="以终结本次执行程序方式结案").click()
    expect(chief.page.locator(".notice[role=status]")).to_have_text(
        f"{NUMBER}：已以终结本次执行程序方式结案（{CLOSED_ON}），结案时检查结论：不合格"
    )
    closing = chief.page.locator(
        "section", has=chief.page.get_by_role("heading", name=re.compile("结案时检查"))
    )
    expect(closing).to_contain_text(
        "执行局长 赵局长 批准带问题结案：被执行人确无财产可供执行，申请执行人已书面同意"
    )
    expect(closing.locator("ul.reasons")).to_contain_text("限制消费：")
    expect(chief.page.locator("dl.facts")).to_contain_text(f"终结本次执行程序（{CLOSED_ON}）")
    chief.page.screenshot(path="/tmp/f1-termination-closed.png", full_page=True)
    chief.assert_no_csp_violations()
    # The refused closing is answered 422 (nothing saved), which the browser logs; nothing else.
    assert [m for m in officer.console if "status of 422" not in m] == [] and chief.console == []
