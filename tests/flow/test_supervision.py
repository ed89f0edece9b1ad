"""Recording process nodes (flow.services.record_event / correct_event / withdraw_event),
the due-soon / overdue queue per officer, team and court (API and page), and suspensions
that resume by themselves (``zhixing resume_suspensions``).

Calendar facts used below: 2023-03-01 is a Wednesday; K1 of a case filed that day is due
2023-03-08 (7 days, a Wednesday); the statutory deadline of a case filed 2023-03-01 is
2023-09-01 (a Friday).
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from zhixing.cases.models import Case, NodeEvent
from zhixing.flow import services
from zhixing.flow.services import (
    Conflict,
    FlowError,
    Forbidden,
    correct_event,
    events,
    extensions,
    queue,
    record_event,
    resume,
    supervision,
    withdraw_event,
)
from zhixing.metrics.models import CaseFact, ObligationFact

pytestmark = pytest.mark.django_db
JSON = "application/json"
TODAY = date(2023, 6, 1)
W1, W2, WX = "（2023）豫0823执501号", "（2023）豫0823执502号", "（2023）豫0825执601号"


def D(s: str) -> date:
    return date.fromisoformat(s)


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    for module in (services, events, extensions, resume, supervision):  # each reads today at call time
        monkeypatch.setattr(module, "today", lambda: TODAY)


@pytest.fixture
def cases(courts, personas, bundle_case, import_cases):
    """W1: K1 overdue (no handler_assigned); W2: every key node done on filing, handled by
    李某; WX: a 温县 case with K1 overdue. All filed 2023-03-01."""
    w1 = bundle_case(
        case_number=W1, filed_on="2023-03-01", events=bundle_case.key_node_events("2023-03-01")[1:]
    )
    w2 = bundle_case(case_number=W2, filed_on="2023-03-01", handler="李某")
    wx = bundle_case(
        case_number=WX,
        filed_on="2023-03-01",
        events=bundle_case.key_node_events("2023-03-01")[1:],
        handler="赵某",
    )
    assert import_cases(w1, w2, wx).imported == 3
    personas["wuzhi_officer"].display_name = "王某"
    personas["wuzhi_officer"].save()
    return {n: Case.objects.get(case_number=n) for n in (W1, W2, WX)}


def facts_of(case: Case) -> list[tuple]:
    return sorted(
        ObligationFact.objects.filter(case=case).values_list(
            "pk", "key_node", "ref", "trigger_on", "due_on", "done_on"
        )
    )


@pytest.fixture
def mounted(settings):
    from django.urls import clear_url_caches

    """The project's URL map, which mounts /flow/ and /api/flow/."""
    clear_url_caches()
    yield
    clear_url_caches()


@pytest.fixture
def clients(personas):
    out = {}
    for name in ("wuzhi_officer", "jiaozuo_chief", "wenxian_officer"):
        out[name] = Client()
        out[name].force_login(personas[name])
    return out


# -- record_event ------------------------------------------------------------------------------


def test_recording_an_event_changes_that_case_and_only_that_case(cases, personas):
    w1, w2, wx = cases[W1], cases[W2], cases[WX]
    others_before = facts_of(w2) + facts_of(wx)
    k1 = ObligationFact.objects.get(case=w1, key_node="K1")
    assert (k1.due_on, k1.done_on) == (D("2023-03-08"), None)

    event = record_event(
        w1, "handler_assigned", "2023-03-10", {"handler": "王某", "by": "冒名"},
        user=personas["wuzhi_officer"], expected_version=1, reason="补录",
    )  # fmt: skip

    k1 = ObligationFact.objects.get(case=w1, key_node="K1")
    assert (k1.due_on, k1.done_on) == (D("2023-03-08"), D("2023-03-10"))
    assert facts_of(w2) + facts_of(wx) == others_before  # same rows, same ids
    w1.refresh_from_db()
    assert w1.version == 2
    assert (event.source, event.recorded_by, event.reason, event.data) == (
        "form",
        personas["wuzhi_officer"],
        "补录",
        {"handler": "王某", "by": "王某"},  # `by` is who recorded it, whatever the input says
    )


def test_stale_version_is_a_conflict_and_saves_nothing(cases, personas):
    w1 = cases[W1]
    officer = personas["wuzhi_officer"]
    record_event(w1, "field_investigation", "2023-04-03", {}, user=officer, expected_version=1)
    with pytest.raises(Conflict) as e:
        record_event(w1, "search", "2023-04-04", {}, user=officer, expected_version=1)
    assert e.value.field == "version"
    assert "版本 1 → 2" in e.value.message
    assert not NodeEvent.objects.filter(case=w1, node="search").exists()


@pytest.mark.parametrize(
    ("node", "on", "data", "field", "fragment"),
    [
        ("field_investigation", "2023-06-02", {}, "on", "晚于今天"),
        ("field_investigation", "2023-02-28", {}, "on", "早于立案日期"),
        ("field_investigation", "2023-02-30", {}, "on", "不存在"),
        ("field_investigation", "2023/04/01", {}, "on", "YYYY-MM-DD"),
        ("no_such_node", "2023-04-01", {}, "node", "未知的节点代码"),
        ("extension_approved", "2023-04-01", {"months": 0}, "months", "DL-13"),
        ("extension_approved", "2023-04-01", {"months": -3}, "months", "DL-13"),
        ("extension_approved", "2023-04-01", {"months": "3"}, "months", "正整数"),
        ("extension_approved", "2023-04-01", {}, "months", "缺少字段"),
        (
            "restraint_renewed",
            "2023-04-01",
            {"asset": "a9", "expires_on": "2024-04-01"},
            "asset",
            "没有查询或控制记录",
        ),
        ("deduction", "2023-04-01", {"amount": 100}, "amount", "字符串"),
        ("suspension_start", "2023-04-01", {"until": "2023-03-31"}, "until", "应晚于"),
        ("suspension_start", "2023-04-01", {"until": "2023-04-01"}, "until", "应晚于"),
        ("suspension_start", "2023-04-01", {"until": "2023-04-31"}, "until", "不存在"),
        ("exclusion_start", "2023-04-01", {"ground": "审计评估", "until": "2023-05-01"}, "until", "不适用"),
        ("suspension_end", "2023-04-01", {}, "node", "没有尚未结束"),
        ("credit_listing", "2023-04-01", {"party": "p2", "grounds": ["G1"]}, "node", "失信决定"),
    ],
)
def test_bad_input_is_refused_naming_the_field(cases, personas, node, on, data, field, fragment):
    w1 = cases[W1]
    with pytest.raises(FlowError) as e:
        record_event(w1, node, on, data, user=personas["wuzhi_officer"], expected_version=1)
    assert (e.value.field, fragment in e.value.message) == (field, True), e.value.message
    w1.refresh_from_db()
    assert w1.version == 1


def test_an_event_that_would_discharge_an_obligation_before_its_trigger_is_refused(cases, personas):
    w1, officer = cases[W1], personas["wuzhi_officer"]
    record_event(w1, "clue_received", "2023-04-10", {"clue": "c1"}, user=officer, expected_version=1)
    with pytest.raises(FlowError) as e:
        record_event(w1, "clue_verified", "2023-04-07", {"clue": "c1"}, user=officer, expected_version=2)
    assert e.value.field == "on"
    assert e.value.message == "核查财产线索 c1 的日期 2023-04-07 早于收到该线索的日期 2023-04-10（K5，DL-6）"
    # The same day is fine (indicators.md §3: on or after the trigger).
    record_event(w1, "clue_verified", "2023-04-10", {"clue": "c1"}, user=officer, expected_version=2)
    k5 = ObligationFact.objects.get(case=w1, key_node="K5")
    assert (k5.ref, k5.trigger_on, k5.due_on, k5.done_on) == (
        "c1",
        D("2023-04-10"),
        D("2023-04-17"),
        D("2023-04-10"),
    )

    record_event(w1, "ruling_served", "2023-05-10", {}, user=officer, expected_version=3)
    with pytest.raises(FlowError, match="K7，TERM-11"):
        record_event(w1, "termination_registry_entry", "2023-05-09", {}, user=officer, expected_version=4)


def test_an_end_before_its_start_is_refused(cases, personas):
    w1, officer = cases[W1], personas["wuzhi_officer"]
    record_event(w1, "suspension_start", "2023-04-10", {}, user=officer, expected_version=1)
    with pytest.raises(FlowError) as e:
        record_event(w1, "suspension_end", "2023-04-09", {}, user=officer, expected_version=2)
    assert (e.value.field, e.value.message) == (
        "on",
        "恢复执行（中止结束）日期 2023-04-09 早于中止执行日期 2023-04-10（期间不能在开始前结束，DL-14）",
    )


def test_a_holiday_table_with_an_impossible_date_is_refused():
    from zhixing.flow.calendar import load_schedule
    from zhixing.lib.workdays import ScheduleError

    with pytest.raises(ScheduleError) as e:
        load_schedule(
            {"year": 2027, "source": "国办发明电〔2026〕1号", "holidays": ["2027-01-01", "2027-02-30"]}
        )
    assert (e.value.field, e.value.message) == ("holidays[1]", "日期 2027-02-30 不存在")
    from zhixing.flow.models import HolidaySchedule

    assert not HolidaySchedule.objects.exists()


def test_a_user_of_another_court_may_not_record(cases, personas):
    with pytest.raises(Forbidden):
        record_event(
            cases[W1], "search", "2023-04-04", {}, user=personas["wenxian_officer"], expected_version=1
        )


def test_correcting_and_withdrawing_keep_the_history(cases, personas):
    w1, officer = cases[W1], personas["wuzhi_officer"]
    first = record_event(
        w1, "handler_assigned", "2023-03-20", {"handler": "王某"}, user=officer, expected_version=1
    )
    with pytest.raises(FlowError) as e:
        correct_event(first, on="2023-03-06", user=officer, reason=" ", expected_version=2)
    assert e.value.field == "reason"

    fixed = correct_event(first, on="2023-03-06", user=officer, reason="日期录错", expected_version=2)
    assert (fixed.supersedes_id, fixed.on, fixed.reason) == (first.pk, D("2023-03-06"), "日期录错")
    assert ObligationFact.objects.get(case=w1, key_node="K1").done_on == D("2023-03-06")
    with pytest.raises(Conflict):  # the old row is history now
        correct_event(first, on="2023-03-07", user=officer, reason="再改", expected_version=3)

    withdrawn = withdraw_event(fixed, user=officer, reason="误录", expected_version=3)
    assert (withdrawn.withdrawn, withdrawn.supersedes_id) == (True, fixed.pk)
    assert ObligationFact.objects.get(case=w1, key_node="K1").done_on is None
    assert NodeEvent.objects.filter(case=w1, node="handler_assigned").count() == 3  # nothing deleted

    start = record_event(w1, "suspension_start", "2023-04-10", {}, user=officer, expected_version=4)
    record_event(w1, "suspension_end", "2023-04-20", {}, user=officer, expected_version=5)
    with pytest.raises(FlowError, match="没有尚未结束的同类期间"):
        withdraw_event(start, user=officer, reason="误录", expected_version=6)


# -- suspensions that resume by themselves ------------------------------------------------------


def test_a_planned_suspension_resumes_by_itself_once(cases, personas, monkeypatch):
    w1, officer = cases[W1], personas["wuzhi_officer"]
    for module in (services, events, extensions, resume, supervision):
        monkeypatch.setattr(module, "today", lambda: D("2023-04-03"))
    record_event(
        w1, "suspension_start", "2023-04-03", {"until": "2023-05-04"}, user=officer, expected_version=1
    )
    assert CaseFact.objects.get(case=w1).statutory_deadline is None  # open: unbounded

    for module in (services, events, extensions, resume, supervision):
        monkeypatch.setattr(module, "today", lambda: D("2023-05-04"))
    assert services.resume_due(D("2023-05-03")) == []
    out = io.StringIO()
    call_command("resume_suspensions", "--as-of", "2023-05-04", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "as_of": "2023-05-04",
        "resumed": [{"case_number": W1, "node": "suspension_end", "on": "2023-05-04"}],
    }
    # 31 days excluded: 2023-09-01 + 31 days = 2023-10-02, in the National Day break → 10-07 (a 调休 Saturday).
    assert CaseFact.objects.get(case=w1).statutory_deadline == D("2023-10-07")
    end = NodeEvent.objects.get(case=w1, node="suspension_end")
    assert (end.source, end.recorded_by, end.data["by"]) == ("system", None, "系统")

    out = io.StringIO()
    call_command("resume_suspensions", "--as-of", "2023-05-04", "--json", stdout=out)
    assert json.loads(out.getvalue())["resumed"] == []
    assert NodeEvent.objects.filter(case=w1, node="suspension_end").count() == 1


def test_a_suspension_ended_by_hand_is_left_alone(cases, personas):
    w1, officer = cases[W1], personas["wuzhi_officer"]
    record_event(
        w1, "postponement_start", "2023-04-03", {"until": "2023-05-04"}, user=officer, expected_version=1
    )
    record_event(w1, "postponement_end", "2023-04-20", {}, user=officer, expected_version=2)
    assert services.resume_due(TODAY) == []


def test_resume_refuses_a_future_as_of(cases):
    with pytest.raises(FlowError):
        services.resume_due(D("2023-06-02"))


# -- the queue -----------------------------------------------------------------------------------


def keys(items) -> list[tuple]:
    return [(i.case_number, i.key_node, i.due_on.isoformat(), i.status) for i in items]


def test_my_queue_lists_my_overdue_and_due_soon_items(cases, personas):
    officer = personas["wuzhi_officer"]
    assert keys(queue(officer, as_of=D("2023-03-07"), scope="mine", days=1)) == [
        (W1, "K1", "2023-03-08", "due_soon")
    ]
    assert keys(queue(officer, as_of=D("2023-03-08"), scope="mine", days=0)) == [
        (W1, "K1", "2023-03-08", "due_today")
    ]
    assert keys(queue(officer, as_of=D("2023-08-30"), scope="mine", days=7)) == [
        (W1, "K1", "2023-03-08", "overdue"),
        (W1, "DL-13", "2023-09-01", "due_soon"),
    ]
    item = queue(officer, as_of=D("2023-03-10"), scope="mine", days=0)[0]
    assert (item.days_left, item.days_overdue, item.rule, item.label, item.handler) == (
        -2,
        2,
        "DL-2",
        "确定承办人",
        "王某",
    )
    # Done on as-of: no longer in the queue.
    record_event(
        cases[W1], "handler_assigned", "2023-03-10", {"handler": "王某"}, user=officer, expected_version=1
    )
    assert queue(officer, as_of=D("2023-03-10"), scope="mine", days=0) == []


def test_team_and_court_queues(cases, personas):
    from zhixing.funds.models import OfficerTeam

    officer, chief, wenxian = (
        personas["wuzhi_officer"],
        personas["jiaozuo_chief"],
        personas["wenxian_officer"],
    )
    with pytest.raises(FlowError, match="未登记执行团队"):
        queue(officer, as_of=D("2023-08-30"), scope="team")
    OfficerTeam.objects.create(court=officer.court, handler="王某", team="一队")
    OfficerTeam.objects.create(court=officer.court, handler="李某", team="一队")
    team = keys(queue(officer, as_of=D("2023-08-30"), scope="team"))
    assert [k[:2] for k in team] == [(W1, "K1"), (W1, "DL-13"), (W2, "DL-13")]
    assert {i.case_number for i in queue(chief, as_of=D("2023-08-30"), scope="court")} == {W1, W2, WX}
    assert {
        i.case_number for i in queue(chief, as_of=D("2023-08-30"), scope="court", court_code="豫0825")
    } == {WX}
    assert {i.case_number for i in queue(wenxian, as_of=D("2023-08-30"), scope="court")} == {WX}
    assert queue(wenxian, as_of=D("2023-08-30"), scope="mine") == []  # 赵某's case, not theirs
    from django.http import Http404

    with pytest.raises(Http404):
        queue(wenxian, as_of=D("2023-08-30"), scope="court", court_code="豫0823")


def test_closed_cases_drop_their_before_closing_nodes(courts, personas, bundle_case, import_cases):
    closed = bundle_case(
        case_number=W1, filed_on="2023-03-01", events=bundle_case.key_node_events("2023-03-01")[1:],
        closing={"on": "2023-03-20", "mode": "执行完毕"},
    )  # fmt: skip
    import_cases(closed)
    personas["wuzhi_officer"].display_name = "王某"
    # K1 was overdue on 03-08 and the case closed on 03-20: nothing left to do.
    assert queue(personas["wuzhi_officer"], as_of=D("2023-03-21"), scope="mine") == []
    assert keys(queue(personas["wuzhi_officer"], as_of=D("2023-03-19"), scope="mine", days=0)) == [
        (W1, "K1", "2023-03-08", "overdue")
    ]


# -- API and pages ---------------------------------------------------------------------------------


def test_queue_api_and_page(cases, clients, mounted):
    r = clients["wuzhi_officer"].get("/api/flow/queue", {"as_of": "2023-08-30", "scope": "mine"})
    assert r.status_code == 200
    body = r.json()
    assert (body["count"], body["overdue"], body["scope"]) == (2, 1, "mine")
    assert body["items"][0] == {
        "case_number": W1, "court": "豫0823", "handler": "王某", "key_node": "K1", "label": "确定承办人",
        "ref": None, "trigger_on": "2023-03-01", "due_on": "2023-03-08", "days_left": -175, "status": "overdue",
        "rule": "DL-2", "provisional": False,
    }  # fmt: skip
    bad = clients["wuzhi_officer"].get("/api/flow/queue", {"scope": "everyone"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "scope"]
    assert (
        clients["wenxian_officer"].get("/api/flow/queue", {"scope": "court", "court": "豫0823"}).status_code
        == 404
    )
    assert Client().get("/api/flow/queue").status_code == 401

    page = clients["wuzhi_officer"].get("/flow/queue/", {"as_of": "2023-08-30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert W1 in html and "已超期 175 日" in html and WX not in html

    restraints = clients["wuzhi_officer"].get("/api/flow/restraints", {"as_of": "2023-08-30"})
    assert (restraints.status_code, restraints.json()) == (
        200,
        {"as_of": "2023-08-30", "days": 30, "count": 0, "items": []},
    )
    assert clients["wuzhi_officer"].get("/flow/restraints/").status_code == 200
    case_page = clients["jiaozuo_chief"].get(f"/flow/cases/{W1}/")
    assert case_page.status_code == 200 and "2023-09-01" in case_page.content.decode()
    assert clients["wenxian_officer"].get(f"/flow/cases/{W1}/").status_code == 404
    assert clients["wenxian_officer"].get(f"/api/flow/cases/{W1}").status_code == 404


def test_events_api(cases, clients, mounted):
    url = f"/api/flow/cases/{W1}/events"
    ok = clients["wuzhi_officer"].post(
        url, {"node": "handler_assigned", "on": "2023-03-09", "data": {"handler": "王某"}, "version": 1},
        content_type=JSON,
    )  # fmt: skip
    assert ok.status_code == 201
    assert (ok.json()["node"], ok.json()["case_version"]) == ("handler_assigned", 2)
    stale = clients["wuzhi_officer"].post(
        url, {"node": "search", "on": "2023-04-01", "version": 1}, content_type=JSON
    )
    assert stale.status_code == 409
    bad = clients["wuzhi_officer"].post(
        url,
        {"node": "extension_approved", "on": "2023-04-01", "data": {"months": 0}, "version": 2},
        content_type=JSON,
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "months"]
    other = clients["wenxian_officer"].post(
        url, {"node": "search", "on": "2023-04-01", "version": 2}, content_type=JSON
    )
    assert other.status_code == 404

    event_id = ok.json()["id"]
    fixed = clients["wuzhi_officer"].post(
        f"/api/flow/events/{event_id}/correction", {"on": "2023-03-08", "reason": "日期录错", "version": 2},
        content_type=JSON,
    )  # fmt: skip
    assert fixed.status_code == 201
    assert fixed.json()["supersedes"] == event_id
    gone = clients["wuzhi_officer"].post(
        f"/api/flow/events/{fixed.json()['id']}/withdrawal",
        {"reason": "误录", "version": 3},
        content_type=JSON,
    )
    assert (gone.status_code, gone.json()["withdrawn"]) == (201, True)
