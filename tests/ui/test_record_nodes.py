"""王某, an officer of 武陟县人民法院, records every kind of node the case page offers: he
chooses the node, sees its own fields appear at once (choices where the values are a fixed
set, dates as dates, amounts typed as "30,000.00"), fills them, saves, reads the
confirmation naming the node, the day and the case, and finds the event in the node log."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from zhixing.cases.forms import field_names, node_choices
from zhixing.cases.models import NodeEvent

NUMBER = "（2023）豫0823执701号"
ON = "2023-05-04"
NODES = [code for code, _ in node_choices()]

#: What a node needs on the case before it can be recorded (an end needs its open start).
BEFORE = {
    "suspension_end": [("suspension_start", {})],
    "postponement_end": [("postponement_start", {})],
    "exclusion_end": [("exclusion_start", {"ground": "审计评估"})],
}
#: The value 王某 picks or types, by field; a select not named here gets its first choice.
TYPED = {
    "handler": "王某",
    "clue": "c2",
    "asset": "a9",  # a restraint may name an asset found outside an inquiry
    "expires_on": "2026-05-03",
    "value": "30,000.00",
    "amount": "30,000.00",
    "months": "3",
    "reason": "无人竞买",
    "until": "2023-08-01",
}
#: What the node log then shows of it (amounts with separators, parties by name).
SHOWN = {
    "deduction": "金额：30,000.00 元",
    "restraint": "价值：30,000.00 元",
    "property_report": "当事人：武陟县某建材有限公司",
    "applicant_interview": "当事人：张某",
    "online_inquiry": "查询范围：存款、车辆",
}


@pytest.fixture
def case(transactional_db, courts, personas, import_cases, bundle_case):
    """A 武陟 case of 2023 with a deposit found (a1), a clue received (c1) and, for the
    node under test, what it needs first."""

    def make(node: str):
        ev = bundle_case.ev
        events = [
            *bundle_case.key_node_events("2023-03-01"),
            ev("online_inquiry", "2023-03-02", system="点对点", categories=["存款"],
               found=[{"asset": "a1", "category": "存款", "value": "52000.00"}]),
            ev("clue_received", "2023-03-03", clue="c1"),
        ]  # fmt: skip
        events += [ev(n, "2023-04-03", **fields) for n, fields in BEFORE.get(node, [])]
        import_cases(
            bundle_case(
                case_number=NUMBER, events=events, parties=[bundle_case.applicant(), bundle_case.debtor()]
            )
        )
        return personas["wuzhi_officer"]

    return make


def fill(page, node: str) -> dict[str, str]:
    """Fill every field of ``node`` as 王某 would; returns what was chosen, by field."""
    chosen = {}
    for field in page.locator("#node-fields .nodefield").all():
        checks = field.locator("input[type=checkbox]")
        if checks.count():
            checks.nth(0).check()
            checks.nth(1).check()
            continue
        control = field.locator("select, input").first
        name = control.get_attribute("name")[2:]
        if control.evaluate("e => e.tagName") == "SELECT":
            options = control.locator("option:not([value=''])")
            assert options.count() > 0, f"{node}.{name}: nothing to choose"
            value = options.first.get_attribute("value")
            control.select_option(value)
        else:
            value = TYPED[name]
            control.fill(value)
        chosen[name] = value
    return chosen


@pytest.mark.parametrize("node", NODES)
def test_officer_records_each_node(case, open_page, node):
    from zhixing.flow.nodes import NODES as CATALOG

    officer = case(node)
    label = CATALOG[node].label
    p = open_page(officer)
    p.goto(f"/cases/{quote(NUMBER)}/")
    p.page.select_option("#id_node", node)
    fields = [name for name, _ in field_names(node)]
    for name in fields:
        expect(p.page.locator(f"#id_f_{name}")).to_be_visible()  # the fields appear at once
    if not fields:
        expect(p.page.locator("#node-fields .nodefield")).to_have_count(0)
    chosen = fill(p.page, node)
    p.page.fill("#id_on", ON)
    p.page.get_by_role("button", name="登记", exact=True).click()
    expect(p.page.locator("#case-messages")).to_have_text(f"已登记“{label}”（{ON}），{NUMBER}")
    entry = p.page.locator(".timeline li", has=p.page.locator(f"time[datetime='{ON}']")).filter(
        has_text=label
    )
    expect(entry).to_contain_text("wuzhi_officer")
    if node in SHOWN:
        expect(entry).to_contain_text(SHOWN[node])
    row = NodeEvent.objects.get(case__case_number=NUMBER, node=node, on=ON)
    for name, value in chosen.items():
        expected = value.replace(",", "") if name in ("amount", "value") else value
        expected = int(expected) if name == "months" else expected
        assert row.data[name] == expected, (name, row.data)
    p.assert_no_csp_violations()
    assert p.console == []
    if node == "restraint":  # after the checks: a screenshot makes Chromium touch the page's styles
        p.page.screenshot(path="/tmp/f1-record-node-saved.png", full_page=True)
        p.page.select_option("#id_node", node)
        expect(p.page.locator("#id_f_measure")).to_be_visible()
        p.page.locator("#record-node").screenshot(path="/tmp/f1-record-node.png")
