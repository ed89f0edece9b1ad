"""The API (/api/inquiry/), the pages (/inquiry/, the case page's panel) and the signed
callback: authenticated, scoped to courts (the tests cross courts), Chinese text."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.inquiry.conftest import drain

from zhixing.inquiry import services
from zhixing.inquiry.forms import RequestForm
from zhixing.inquiry.models import ConnectorConfig, InquiryRequest, Kind
from zhixing.lib.formatting import yuan


def test_api_creates_lists_and_scopes(sim, wuzhi_case, personas, client):
    url = "/api/inquiry/requests"
    body = {"case_number": wuzhi_case.case_number, "party": "p2", "categories": ["存款", "车辆"]}
    assert client.post(url, body, content_type="application/json").status_code == 401
    client.force_login(personas["wuzhi_officer"])
    resp = client.post(url, body, content_type="application/json")
    assert resp.status_code == 201, resp.content
    made = resp.json()
    assert (made["kind"], made["status"], made["categories"], made["court"]) == (
        "inquiry",
        "queued",
        ["存款", "车辆"],
        "豫0823",
    )
    bad = client.post(url, {**body, "party": "p1"}, content_type="application/json")
    assert bad.status_code == 422
    [detail] = bad.json()["detail"]
    assert (detail["loc"], detail["msg"], detail["rule"]) == (
        ["body", "party"],
        "张某 是本案申请执行人，只能查询被执行人（QRY-2）",
        "QRY-2",
    )
    drain()
    got = client.get(f"{url}/{made['request_id']}").json()
    assert got["status"] == "done" and [r["category"] for r in got["results"]] == ["存款", "车辆"]
    cov = client.get(f"/api/inquiry/coverage/case/{wuzhi_case.case_number}").json()
    assert [(d["party"], d["missing"]) for d in cov["debtors"]] == [
        ("p2", ["不动产", "有价证券"]),
        ("p3", ["存款", "车辆", "不动产", "有价证券"]),
    ]

    client.force_login(personas["wenxian_officer"])
    assert client.post(url, body, content_type="application/json").status_code == 404
    assert client.get(f"{url}/{made['request_id']}").status_code == 404
    assert client.get(url).json() == {"items": [], "count": 0}
    assert client.get(f"/api/inquiry/coverage/case/{wuzhi_case.case_number}").status_code == 404
    assert client.get("/api/inquiry/coverage?court=豫0823").status_code == 404

    client.force_login(personas["jiaozuo_chief"])
    assert client.get(url).json()["count"] == 1
    courts = client.get("/api/inquiry/coverage").json()["courts"]
    assert [(c["court"], c["cases"], c["debtors"], c["covered"], c["missing"]["存款"]) for c in courts] == [
        ("豫0823", 1, 2, 0, 1)
    ]


def test_case_page_panel_and_form(sim, wuzhi_case, personas, client):
    client.force_login(personas["wuzhi_officer"])
    page = f"/cases/{wuzhi_case.case_number}/"
    html = client.get(page).content.decode()
    assert (
        "网络查控" in html
        and "尚无网络查控请求。" in html
        and 'value="p1"' not in html
        and 'value="p2"' in html
    )
    resp = client.post(f"/inquiry/cases/{wuzhi_case.case_number}/new/",
                       {"party": "p2", "kind": "inquiry", "system": "总对总", "categories": ["存款", "不动产"]})  # fmt: skip
    assert resp.status_code == 302 and resp["Location"].endswith("#inquiry")
    html = client.get(page).content.decode()
    assert "已提交网络查控请求" in html and "存款、不动产" in html and "待发送" in html
    resp = client.post(f"/inquiry/cases/{wuzhi_case.case_number}/new/",
                       {"party": "p1", "kind": "inquiry", "system": "总对总", "categories": ["存款"]})  # fmt: skip
    assert "被执行人：选择一个有效的选项" in client.get(page).content.decode()
    assert InquiryRequest.objects.count() == 1
    drain()
    req = InquiryRequest.objects.get()
    html = client.get(page).content.decode()
    assert "已完成" in html and str(req.request_id) in html
    detail = client.get(f"/inquiry/requests/{req.request_id}/").content.decode()
    assert req.notice_number in detail and "各类别反馈" in detail
    index = client.get("/inquiry/").content.decode()
    assert "武陟县人民法院" in index and "网络查控" in index

    client.force_login(personas["wenxian_officer"])
    assert client.get(f"/inquiry/requests/{req.request_id}/").status_code == 404
    assert client.post(f"/inquiry/cases/{wuzhi_case.case_number}/new/", {"party": "p2"}).status_code == 404
    assert "武陟县人民法院" not in client.get("/inquiry/").content.decode()


def _sign(body: bytes, secret: str = "cb-secret") -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_signed_callbacks_are_applied_once(sim, wuzhi_case, courts, client):
    ConnectorConfig.objects.create(court=courts["豫0823"], base_url=sim.url, secret="cb-secret")
    r = services.request_inquiry(None, wuzhi_case, party="p2", categories=["存款"])
    item = {"request_id": str(r.request_id), "state": "complete",
            "results": [{"category": "存款", "status": "found", "answered_on": "2026-11-02",
                         "assets": [{"asset": "存款-CB", "category": "存款", "value": "12.00"}]}]}  # fmt: skip
    body = json.dumps({"items": [item]}).encode()
    url = "/api/inquiry/callback/豫0823"
    assert (
        client.post(url, body, content_type="application/json", HTTP_X_SIGNATURE="0" * 64).status_code == 403
    )
    assert client.post(url, body, content_type="application/json", HTTP_X_SIGNATURE=_sign(body)).json() == {
        "accepted": True,
        "new_results": 1,
    }
    assert client.post(url, body, content_type="application/json", HTTP_X_SIGNATURE=_sign(body)).json() == {
        "accepted": True,
        "new_results": 0,
    }
    # 温县's key cannot answer for 武陟's requests.
    ConnectorConfig.objects.create(court=courts["豫0825"], base_url=sim.url, secret="other")
    assert client.post("/api/inquiry/callback/豫0825", body, content_type="application/json",
                       HTTP_X_SIGNATURE=_sign(body, "other")).json()["new_results"] == 0  # fmt: skip
    r.refresh_from_db()
    assert r.status == "done" and r.results.get().assets[0]["asset"] == "存款-CB" and r.kind == Kind.INQUIRY


class Debtor:
    local_id, name = "p2", "武陟县某建材有限公司"


def freeze_form(amount: str) -> RequestForm:
    return RequestForm(
        {"party": "p2", "kind": "freeze", "system": "总对总", "categories": ["存款"], "asset": "存款-A",
         "amount": amount},
        debtors=[Debtor()],
    )  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999999999.99"), places=2))
def test_the_amount_reads_back_as_shown_with_separators(amount):
    """王某, an officer of 武陟县法院, types an amount as the pages show it ("30,000.00")."""
    form = freeze_form(yuan(amount))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == amount


def test_the_amount_field_takes_separators_and_refuses_what_is_not_an_amount():
    for typed, read in (("30,000.00", Decimal("30000.00")), ("30，000", Decimal("30000.00")), ("", None)):
        form = freeze_form(typed)
        assert form.is_valid(), form.errors
        assert form.cleaned_data["amount"] == read
    assert freeze_form("30,00").errors == {
        "amount": ["金额格式不正确：'30,00'（应为如 80000.00 的数字，最多两位小数）"]
    }
    assert freeze_form("1.005").errors == {
        "amount": ["金额格式不正确：'1.005'（应为如 80000.00 的数字，最多两位小数）"]
    }
    assert freeze_form("0").errors == {"amount": ["金额必须大于 0"]}
