"""Extension requests (延长执行期限, DL-13): asked at least 5 days before the deadline in
force, decided by the president or a vice-president of the case's court; an approval
appends ``extension_approved`` through record_event and moves the stored deadline.

Calendar: a case filed 2023-03-02 has its base deadline on Saturday 2023-09-02, rolled to
Monday 2023-09-04 (PER-3); the last day to ask is 2023-08-30 (09-04 − 5 days). Three more
months from 09-02 end on Saturday 2023-12-02, rolled to Monday 12-04.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from zhixing.cases.models import Case, NodeEvent
from zhixing.courts.models import Role, User
from zhixing.flow import services
from zhixing.flow.models import ExtensionRequest, ExtensionStatus
from zhixing.flow.services import (
    Conflict,
    FlowError,
    Forbidden,
    decide_extension,
    events,
    extensions,
    request_extension,
    resume,
    supervision,
)
from zhixing.metrics.models import CaseFact

pytestmark = pytest.mark.django_db
JSON = "application/json"
W = "（2023）豫0823执701号"


def D(s: str) -> date:
    return date.fromisoformat(s)


@pytest.fixture
def on_day(monkeypatch):
    def set_day(s: str) -> None:
        for module in (services, events, extensions, resume, supervision):  # each reads today at call time
            monkeypatch.setattr(module, "today", lambda: D(s))

    set_day("2023-08-30")
    return set_day


@pytest.fixture
def case(courts, personas, bundle_case, import_cases, on_day) -> Case:
    assert import_cases(bundle_case(case_number=W, filed_on="2023-03-02")).imported == 1
    return Case.objects.get(case_number=W)


@pytest.fixture
def leaders(courts) -> dict[str, User]:
    return {
        "vp": User.objects.create(username="wuzhi_vp", court=courts["豫0823"], role=Role.VICE_PRESIDENT),
        "president": User.objects.create(
            username="wuzhi_president", court=courts["豫0823"], role=Role.PRESIDENT
        ),
        "chief": User.objects.create(username="wuzhi_chief", court=courts["豫0823"], role=Role.BUREAU_CHIEF),
        "wenxian_president": User.objects.create(
            username="wx_president", court=courts["豫0825"], role=Role.PRESIDENT
        ),
    }


def test_request_on_the_last_allowed_day_and_approval(case, personas, leaders, on_day):
    assert CaseFact.objects.get(case=case).statutory_deadline == D("2023-09-04")
    r = request_extension(
        case, months=3, reason="财产处置未完成", user=personas["wuzhi_officer"], expected_version=1
    )
    assert (r.status, r.deadline_on, r.requested_on, r.court_id) == (
        "pending",
        D("2023-09-04"),
        D("2023-08-30"),
        case.court_id,
    )

    on_day("2023-09-01")
    decided = decide_extension(r, approve=True, user=leaders["vp"], note="同意", version=1)
    assert (decided.status, decided.approved, decided.decided_on, decided.version) == (
        "approved",
        True,
        D("2023-09-01"),
        2,
    )
    event = decided.event
    assert (event.node, event.on, event.data) == (
        "extension_approved",
        D("2023-09-01"),
        {"months": 3, "request": str(r.pk), "by": "wuzhi_vp"},
    )
    assert CaseFact.objects.get(case=case).statutory_deadline == D("2023-12-04")
    case.refresh_from_db()
    assert case.version == 2
    with pytest.raises(FlowError, match="不能再审批"):
        decide_extension(decided, approve=True, user=leaders["president"])


def test_a_request_later_than_five_days_before_the_deadline_is_refused(case, personas, on_day):
    on_day("2023-08-31")
    with pytest.raises(FlowError) as e:
        request_extension(case, months=3, reason="财产处置未完成", user=personas["wuzhi_officer"])
    assert (e.value.field, e.value.message) == (
        "requested_on",
        "延长执行期限应在期限届满5日前申请（DL-13）：执行期限 2023-09-04 届满，最迟应于 2023-08-30 申请",
    )
    assert not ExtensionRequest.objects.exists()


@pytest.mark.parametrize("months", [0, -1, "3", 2.5, True, None])
def test_months_must_be_a_positive_whole_number(case, personas, months):
    with pytest.raises(FlowError) as e:
        request_extension(case, months=months, reason="理由", user=personas["wuzhi_officer"])
    assert (e.value.field, e.value.message) == ("months", "延长期限应为正整数月（DL-13）")


def test_other_refusals(case, personas, courts, bundle_case, import_cases):
    officer = personas["wuzhi_officer"]
    with pytest.raises(FlowError, match="缺少申请理由"):
        request_extension(case, months=3, reason="  ", user=officer)
    with pytest.raises(Forbidden):  # a superior court sees the case but does not ask for its extension
        request_extension(case, months=3, reason="理由", user=personas["jiaozuo_chief"])
    request_extension(case, months=3, reason="理由", user=officer)
    with pytest.raises(FlowError, match="已有待审批"):
        request_extension(case, months=3, reason="理由", user=officer)
    import_cases(bundle_case(case_number="（2023）豫0823执保9号", type_code="执保", filed_on="2023-03-02"))
    preservation = Case.objects.get(case_number="（2023）豫0823执保9号")
    with pytest.raises(FlowError, match="只有首次执行、恢复执行案件有执行期限"):
        request_extension(preservation, months=3, reason="理由", user=officer)
    with pytest.raises(Conflict):
        request_extension(case, months=3, reason="理由", user=officer, expected_version=7)


def test_only_the_president_or_a_vice_president_of_the_court_decides(case, personas, leaders):
    r = request_extension(case, months=3, reason="理由", user=personas["wuzhi_officer"])
    for name in ("chief",):
        with pytest.raises(Forbidden, match="院长或副院长"):
            decide_extension(r, approve=True, user=leaders[name])
    for user in (personas["wuzhi_officer"], personas["jiaozuo_chief"], leaders["wenxian_president"]):
        with pytest.raises(Forbidden):
            decide_extension(r, approve=True, user=user)
    with pytest.raises(FlowError, match="说明理由"):
        decide_extension(r, approve=False, user=leaders["president"])
    rejected = decide_extension(r, approve=False, user=leaders["president"], note="理由不充分")
    assert (rejected.status, rejected.approved, rejected.event) == (ExtensionStatus.REJECTED, False, None)
    assert not NodeEvent.objects.filter(case=case, node="extension_approved").exists()
    assert CaseFact.objects.get(case=case).statutory_deadline == D("2023-09-04")


def test_an_approval_after_the_unrolled_deadline_counts_for_nothing_and_is_refused(
    case, personas, leaders, on_day
):
    r = request_extension(case, months=3, reason="理由", user=personas["wuzhi_officer"])
    on_day("2023-09-03")  # Sunday: before the rolled 09-04, after the unrolled 09-02 (indicators.md §2)
    with pytest.raises(FlowError) as e:
        decide_extension(r, approve=True, user=leaders["president"])
    assert e.value.field == "decided_on"
    assert e.value.message.startswith("执行期限已于 2023-09-02 届满（节假日顺延至 2023-09-04）")
    r.refresh_from_db()
    assert r.status == ExtensionStatus.PENDING


def test_a_stale_decision_is_a_conflict(case, personas, leaders):
    r = request_extension(case, months=3, reason="理由", user=personas["wuzhi_officer"])
    with pytest.raises(Conflict):
        decide_extension(r, approve=True, user=leaders["president"], version=5)


def mount(settings, name: str) -> None:
    """The project's URL map mounts /flow/ and /api/flow/; start from fresh URL caches."""
    from django.urls import clear_url_caches

    clear_url_caches()


def test_extensions_over_the_api_and_pages(case, personas, leaders, settings, on_day):
    mount(settings, "flow_extensions_test_urls")
    officer, vp, wenxian = Client(), Client(), Client()
    officer.force_login(personas["wuzhi_officer"])
    vp.force_login(leaders["vp"])
    wenxian.force_login(personas["wenxian_officer"])
    url = f"/api/flow/cases/{W}/extensions"

    bad = officer.post(url, {"months": 0, "reason": "理由"}, content_type=JSON)
    assert bad.status_code == 422
    assert bad.json()["detail"][0] == {
        "loc": ["body", "months"],
        "msg": "延长期限应为正整数月（DL-13）",
        "type": "value_error",
    }
    assert wenxian.post(url, {"months": 3, "reason": "理由"}, content_type=JSON).status_code == 404
    made = officer.post(url, {"months": 4, "reason": "理由", "version": 1}, content_type=JSON)
    assert made.status_code == 201
    body = made.json()
    assert (body["status"], body["deadline_on"], body["rule"]) == ("pending", "2023-09-04", "DL-13")
    assert body["warnings"] == ["审限规定第五条：延长期限一般为三个月，本次申请 4 个月（DL-13）"]

    decision = f"/api/flow/extensions/{body['id']}/decision"
    assert officer.post(decision, {"approve": True}, content_type=JSON).status_code == 403
    assert wenxian.post(decision, {"approve": True}, content_type=JSON).status_code == 404
    ok = vp.post(decision, {"approve": True, "version": 1}, content_type=JSON)
    assert (ok.status_code, ok.json()["status"], ok.json()["decided_by"]) == (200, "approved", "wuzhi_vp")

    data = officer.get(f"/api/flow/cases/{W}", {"as_of": "2023-09-01"}).json()
    assert data["deadline"]["deadline"] == "2024-01-02"  # 2023-09-02 + 4 months = 01-02 (Tuesday)
    assert data["deadline"]["extensions"] == [4]
    assert [r["status"] for r in data["extension_requests"]] == ["approved"]

    assert officer.get("/flow/extensions/", {"status": "approved"}).status_code == 200
    page = vp.get(f"/flow/extensions/{body['id']}/")
    assert page.status_code == 200 and "已批准" in page.content.decode()
    on_day("2023-08-01")
    form = officer.get(f"/flow/cases/{W}/extension/")
    assert form.status_code == 200 and "2023-08-30" in form.content.decode()
