"""The case page's forms: record a node (htmx, no reload), correct or withdraw one with a
reason, the original kept visible; another court gets 404 and can record nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from zhixing.cases.models import Case, NodeEvent

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
