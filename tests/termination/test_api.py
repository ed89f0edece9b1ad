"""The 终本 API (``/api/termination/``): scoping, bad input (422 naming the field, nothing
saved), stale versions (409), role refusals (403), and the documents."""

from __future__ import annotations

from datetime import date

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from zhixing.api import answer_act_errors
from zhixing.cases.models import Case
from zhixing.termination.api import router
from zhixing.termination.models import Interview, TerminationClosing

from .conftest import case_a

pytestmark = pytest.mark.django_db

# The router alone, with the project's one mapping of refusals to HTTP answers.
termination_api = NinjaAPI(urls_namespace="termination-api-test")
termination_api.add_router("", router)
answer_act_errors(termination_api)
client = TestClient(termination_api)
A = "（2023）豫0823执1234号"


def _interview(version: int, **kw) -> dict:
    return {
        "version": version, "on": "2023-06-25", "applicant": "p1", "attendee": "张某", "interviewers": "王某",
        "place": "本院第三约谈室", "told_progress": True, "told_measures": True, "told_property": True, "told_basis": True,
        "opinion": "同意", **kw,
    }  # fmt: skip


def _version() -> int:
    return Case.objects.get(case_number=A).version


def test_full_path_through_the_api(make_case, officer):
    make_case()
    r = client.post(f"/cases/{A}/interviews", json=_interview(_version()), user=officer)
    assert r.status_code == 201, r.json()
    doc = client.get(f"/cases/{A}/interviews/{r.json()['id']}.docx", user=officer)
    assert doc.status_code == 200 and doc["Content-Type"].startswith("application/vnd.openxmlformats")
    r = client.post(f"/cases/{A}/rulings", json={"version": _version(), "on": "2023-06-28", "approval": "consent",
                                                 "presiding": "王某", "clerk": "刘某"}, user=officer)  # fmt: skip
    assert r.status_code == 201, r.json()
    assert (
        client.post(
            f"/cases/{A}/service", json={"version": _version(), "on": "2023-06-30"}, user=officer
        ).status_code
        == 201
    )
    gate = client.get(f"/cases/{A}/gate?closed_on=2023-06-30", user=officer).json()
    assert gate["verdict"]["verdict"] == "合格" and gate["needs_override"] is False and gate["errors"] == []
    r = client.post(
        f"/cases/{A}/close", json={"version": _version(), "closed_on": "2023-06-30"}, user=officer
    )
    assert r.status_code == 201 and r.json()["verdict"] == "合格"
    overview = client.get(f"/cases/{A}?as_of=2023-07-10", user=officer).json()
    assert overview["verdict"]["failed"] == ["T14"] and overview["verdict"]["verdict"] == "待完善"
    assert [f["kind"] for f in overview["followups"]] == ["registry_entry", "requery"]
    r = client.post(
        f"/cases/{A}/registry-entry", json={"version": _version(), "on": "2023-07-10"}, user=officer
    )
    assert r.status_code == 201
    r = client.post(f"/cases/{A}/inquiries", json={"version": _version(), "on": "2023-12-20", "categories": ["存款"],
                                                   "found": [{"asset": "a5", "category": "存款", "value": "800.00"}]}, user=officer)  # fmt: skip
    assert r.status_code == 201, r.json()
    r = client.post(
        f"/cases/{A}/resume",
        json={"version": _version(), "filed_on": "2024-01-08", "reason": "发现存款"},
        user=officer,
    )
    assert r.status_code == 201 and r.json()["case_number"] == "（2024）豫0823执恢1号"
    assert r.json()["claim_amount"] == "125000.00"


def test_other_court_sees_nothing(make_case, personas):
    make_case()
    stranger = personas["wenxian_officer"]
    assert client.get(f"/cases/{A}", user=stranger).status_code == 404
    r = client.post(f"/cases/{A}/interviews", json=_interview(1), user=stranger)
    assert r.status_code == 404
    assert not Interview.objects.exists()
    # The supervising chief of 焦作中院 sees it.
    assert client.get(f"/cases/{A}", user=personas["jiaozuo_chief"]).status_code == 200


def test_bad_input_is_a_422_naming_the_field_and_nothing_is_saved(make_case, officer):
    make_case()
    version = _version()
    r = client.post(
        f"/cases/{A}/interviews", json=_interview(version, told_basis=False, opinion="随便"), user=officer
    )
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {
            "loc": ["body", "told"],
            "msg": "约谈须告知申请执行人：终结本次执行程序的依据及法律后果（TERM-8，终本规定第五条）",
            "type": "value_error",
        },
        {
            "loc": ["body", "opinion"],
            "msg": "申请执行人意见应为“同意”或“不同意”（TERM-8）",
            "type": "value_error",
        },
    ]
    r = client.post(f"/cases/{A}/close", json={"version": version, "closed_on": "2023-06-30"}, user=officer)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "ruling"]
    assert _version() == version and not TerminationClosing.objects.exists()


def test_an_amount_as_a_json_number_is_a_422(make_case, steps, officer):
    steps.closed(make_case())
    r = client.post(f"/cases/{A}/inquiries", json={"version": _version(), "on": "2023-12-20", "categories": ["存款"],
                                                   "found": [{"asset": "a5", "category": "存款", "value": 800}]}, user=officer)  # fmt: skip
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-2:] == ["found", 0] or "value" in r.json()["detail"][0]["loc"]


def test_stale_version_is_a_409_and_override_needs_the_chief(make_case, steps, officer, chief):
    bundle = case_a()
    bundle["events"][-1]["categories"] = ["存款"]
    case = steps.ready(make_case(bundle))
    r = client.post(
        f"/cases/{A}/close", json={"version": case.version - 1, "closed_on": "2023-06-30"}, user=officer
    )
    assert r.status_code == 409
    r = client.post(
        f"/cases/{A}/close", json={"version": _version(), "closed_on": "2023-06-30"}, user=officer
    )
    assert r.status_code == 403 and "须由执行局长批准" in r.json()["detail"]
    r = client.post(
        f"/cases/{A}/close",
        json={"version": _version(), "closed_on": "2023-06-30", "override_reason": "特殊情况"},
        user=chief,
    )
    assert r.status_code == 201 and r.json()["overridden"] is True and r.json()["failed"] == ["T5"]


def test_resuming_a_case_not_closed_by_termination_is_a_422(make_case, officer):
    make_case()
    r = client.post(
        f"/cases/{A}/resume",
        json={"version": _version(), "filed_on": "2024-01-08", "reason": "发现财产"},
        user=officer,
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "case"]
    assert not Case.objects.filter(case_type="resumed").exists()


def test_anonymous_is_refused(make_case):
    make_case()
    assert client.get(f"/cases/{A}").status_code == 401


def test_reminders_are_scoped(make_case, steps, officer, personas):
    from zhixing.termination import services

    steps.closed(make_case())
    services.create_reminders(date(2023, 7, 10))
    rows = client.get("/reminders?as_of=2023-07-10", user=officer).json()
    assert [(r["case_number"], r["kind"], r["status"]) for r in rows] == [(A, "registry_entry", "overdue")]
    assert client.get("/reminders?as_of=2023-07-10", user=personas["wenxian_officer"]).json() == []


def test_interview_dated_after_the_closing_is_a_422(make_case, steps, officer):
    steps.closed(make_case())
    version = _version()
    r = client.post(f"/cases/{A}/interviews", json=_interview(version, on="2023-07-02"), user=officer)
    assert r.status_code == 422
    assert {"loc": ["body", "on"], "msg": "约谈日期（2023-07-02）晚于结案日期（2023-06-30）：约谈应在终本裁定前（TERM-8）",
            "type": "value_error"} in r.json()["detail"]  # fmt: skip
    assert _version() == version and Interview.objects.count() == 1
