"""The case page's forms: record a node (htmx, no reload), correct or withdraw one with a
reason, the original kept visible; another court gets 404 and can record nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from zhixing.cases.forms import parse_value
from zhixing.cases.models import Case, NodeEvent
from zhixing.lib.formatting import yuan

NUMBER = "（2023）豫0823执501号"
URL = f"/cases/{NUMBER}/"


@pytest.fixture
def case(courts, import_cases, bundle_case):
    """A 武陟 case whose 执行通知 (K2) is not yet recorded."""
    events = [e for e in bundle_case.key_node_events("2023-03-01") if e["node"] != "execution_notice"]
    import_cases(bundle_case(case_number=NUMBER, events=events))
    return Case.objects.get(case_number=NUMBER)


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_officer_records_execution_notice_with_htmx(case, personas):
    c = signed_in(personas["wuzhi_officer"])
    page = c.get(URL).content.decode()
    assert 'id="record-node"' in page and "超期未完成" in page
    r = c.post(
        f"{URL}record/",
        {"node": "execution_notice", "on": "2023-03-03", "version": case.version},
        headers={"HX-Request": "true", "HX-Target": "case-main"},
    )
    assert r.status_code == 200
    html = r.content.decode()
    row = NodeEvent.objects.get(case=case, node="execution_notice")
    assert (
        row.on == date(2023, 3, 3)
        and row.data["by"] == "wuzhi_officer"
        and row.recorded_by == personas["wuzhi_officer"]
    )
    assert "超期未完成" not in html and "按期完成" in html
    assert Case.objects.get(pk=case.pk).version == case.version + 1


def test_record_without_htmx_redirects(case, personas):
    c = signed_in(personas["wuzhi_officer"])
    r = c.post(f"{URL}record/", {"node": "execution_notice", "on": "2023-03-03", "version": case.version})
    assert r.status_code == 302 and r["Location"] == reverse("cases:detail", args=[NUMBER])


def test_node_fields_partial(case, personas):
    c = signed_in(personas["wuzhi_officer"])
    r = c.get(URL, {"node": "extension_approved"}, headers={"HX-Request": "true", "HX-Target": "node-fields"})
    assert r.content.decode().count("<input") == 1 and 'name="f_months"' in r.content.decode()


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"node": "execution_notice", "on": "2099-01-01"}, "不能预先登记"),
        ({"node": "execution_notice", "on": "2023-02-01"}, "早于立案日期"),
        ({"node": "credit_listing", "on": "2023-03-03"}, "该节点不能在此登记"),
        ({"node": "execution_notice", "on": ""}, "请填写日期"),
        ({"node": "extension_approved", "on": "2023-03-03", "f_months": "0"}, "月数"),
    ],
)
def test_bad_input_is_explained_and_nothing_saved(case, personas, post, message):
    c = signed_in(personas["wuzhi_officer"])
    before = NodeEvent.objects.count()
    r = c.post(f"{URL}record/", {**post, "version": case.version})
    assert r.status_code == 400 and message in r.content.decode()
    assert NodeEvent.objects.count() == before


def test_stale_version_is_a_conflict(case, personas):
    c = signed_in(personas["wuzhi_officer"])
    r = c.post(
        f"{URL}record/", {"node": "execution_notice", "on": "2023-03-03", "version": case.version - 1 or 99}
    )
    assert r.status_code == 400 and "案件已被他人修改" in r.content.decode()


def test_correction_needs_a_reason_and_keeps_the_original(case, personas):
    c = signed_in(personas["wuzhi_officer"])
    c.post(f"{URL}record/", {"node": "execution_notice", "on": "2023-03-03", "version": case.version})
    row = NodeEvent.objects.get(case=case, node="execution_notice")
    version = Case.objects.get(pk=case.pk).version
    r = c.post(
        f"{URL}events/{row.pk}/correct/",
        {"action": "correct", "on": "2023-03-02", "reason": "", "version": version},
    )
    assert r.status_code == 400 and "更正或撤回须说明理由" in r.content.decode()
    r = c.post(
        f"{URL}events/{row.pk}/correct/",
        {"action": "correct", "on": "2023-03-02", "reason": "录入时日期填错", "version": version},
    )
    assert r.status_code == 302
    html = c.get(URL).content.decode()
    assert '<li class="superseded">' in html and "已更正" in html and "更正理由：录入时日期填错" in html
    assert '<time datetime="2023-03-03">' in html and '<time datetime="2023-03-02">' in html
    new = NodeEvent.objects.get(supersedes=row)
    assert new.on == date(2023, 3, 2) and new.reason == "录入时日期填错"


def test_withdrawal(case, personas):
    c = signed_in(personas["wuzhi_officer"])
    c.post(f"{URL}record/", {"node": "execution_notice", "on": "2023-03-03", "version": case.version})
    row = NodeEvent.objects.get(case=case, node="execution_notice")
    version = Case.objects.get(pk=case.pk).version
    r = c.post(f"{URL}events/{row.pk}/correct/", {"action": "withdraw", "reason": "误录", "version": version})
    assert r.status_code == 302
    assert NodeEvent.objects.get(supersedes=row).withdrawn
    assert "超期未完成" in c.get(URL).content.decode()


def test_other_court_gets_404_and_records_nothing(case, personas):
    c = signed_in(personas["wenxian_officer"])
    before = NodeEvent.objects.count()
    assert c.get(URL).status_code == 404
    r = c.post(f"{URL}record/", {"node": "execution_notice", "on": "2023-03-03", "version": case.version})
    assert r.status_code == 404
    row = NodeEvent.objects.filter(case=case).first()
    assert (
        c.post(
            f"{URL}events/{row.pk}/correct/", {"action": "withdraw", "reason": "x", "version": case.version}
        ).status_code
        == 404
    )
    assert NodeEvent.objects.count() == before


# -- the node form as a person meets it ------------------------------------------------------------


def htmx_fields(c: Client, node: str) -> str:
    r = c.get(URL, {"node": node}, headers={"HX-Request": "true", "HX-Target": "node-fields"})
    assert r.status_code == 200
    return r.content.decode()


def test_fixed_values_are_choices_and_lists_are_checkboxes(case, personas):
    html = htmx_fields(signed_in(personas["wuzhi_officer"]), "online_inquiry")
    assert '<select name="f_system" id="id_f_system" required>' in html
    assert (
        '<option value="总对总">总对总</option>' in html and '<option value="点对点">点对点</option>' in html
    )
    assert html.count('type="checkbox" name="f_categories"') == 10
    assert 'name="f_found"' not in html  # structured: entered through the API or the import


def test_parties_are_chosen_by_name_and_dates_are_date_inputs(case, personas):
    c = signed_in(personas["wuzhi_officer"])
    html = htmx_fields(c, "property_report")
    assert '<option value="p2">武陟县某建材有限公司（被执行人）</option>' in html
    assert '<option value="p1">张某（申请执行人）</option>' in html
    assert html.index("武陟县某建材有限公司") < html.index("张某")  # the debtor first
    interview = htmx_fields(c, "applicant_interview")
    assert interview.index("张某（申请执行人）") < interview.index("武陟县某建材有限公司")
    assert '<input type="date" name="f_expires_on"' in htmx_fields(c, "restraint")


def test_a_blank_choice_is_named_before_the_rules_run(case, personas):
    c = signed_in(personas["wuzhi_officer"])
    r = c.post(
        f"{URL}record/",
        {"node": "online_inquiry", "on": "2023-03-03", "version": case.version, "f_categories": ["存款"]},
    )
    html = r.content.decode()
    assert r.status_code == 400 and "请选择查控系统" in html and "不是可选值之一" not in html
    assert not NodeEvent.objects.filter(case=case, node="online_inquiry", on=date(2023, 3, 3)).exists()


def test_amount_with_separators_is_saved_exactly_and_confirmed(case, personas):
    """王某 types the amount as he reads it; the confirmation names node, day and case."""
    c = signed_in(personas["wuzhi_officer"])
    r = c.post(
        f"{URL}record/",
        {"node": "deduction", "on": "2023-03-03", "version": case.version, "f_amount": "30,000.00"},
        headers={"HX-Request": "true", "HX-Target": "case-main"},
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert f"<p>已登记“扣划/提取”（2023-03-03），{NUMBER}</p>" in html and "('" not in html
    assert "金额：30,000.00 元" in html
    assert NodeEvent.objects.get(case=case, node="deduction").data["amount"] == "30000.00"


def test_checked_categories_arrive_as_a_list(case, personas):
    c = signed_in(personas["wuzhi_officer"])
    post = {
        "node": "online_inquiry", "on": "2023-03-03", "version": case.version,
        "f_system": "点对点", "f_categories": ["存款", "车辆"],
    }  # fmt: skip
    assert c.post(f"{URL}record/", post).status_code == 302
    row = NodeEvent.objects.get(case=case, node="online_inquiry", on=date(2023, 3, 3))
    assert (
        row.data["system"] == "点对点"
        and row.data["categories"] == ["存款", "车辆"]
        and row.data["found"] == []
    )


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999999999.99"), places=2))
def test_an_amount_as_shown_reads_back_as_itself(amount):
    """Whatever the page shows (``yuan``), the node form reads back to the same amount."""
    assert parse_value("amount", yuan(amount)) == f"{amount:.2f}"
    assert parse_value("value", f" {yuan(amount)} ") == f"{amount:.2f}"


def test_correction_and_withdrawal_are_confirmed_by_name(case, personas):
    c = signed_in(personas["wuzhi_officer"])
    c.post(f"{URL}record/", {"node": "execution_notice", "on": "2023-03-03", "version": case.version})
    row = NodeEvent.objects.get(case=case, node="execution_notice")
    version = Case.objects.get(pk=case.pk).version
    post = {"action": "correct", "on": "2023-03-02", "reason": "录入时日期填错", "version": version}
    html = c.post(f"{URL}events/{row.pk}/correct/", post, follow=True).content.decode()
    assert f"<p>已将“发出执行通知书”的日期由 2023-03-03 更正为 2023-03-02，{NUMBER}</p>" in html
    new = NodeEvent.objects.get(supersedes=row)
    post = {"action": "withdraw", "reason": "误录", "version": version + 1}
    html = c.post(f"{URL}events/{new.pk}/correct/", post, follow=True).content.decode()
    assert f"<p>已撤回“发出执行通知书”（2023-03-02），{NUMBER}</p>" in html
