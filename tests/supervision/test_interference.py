"""Interference records (领导干部干预): anyone who can see a case records one; the record
is immutable, appended to the case's log as an ``interference_record`` node, and visible
to the bureau chief and the superior court — never to the person named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from zhixing.cases.loader import load_record
from zhixing.cases.models import Case, NodeEvent
from zhixing.cases.services import import_bundle
from zhixing.courts.models import Role, User
from zhixing.supervision import services as S
from zhixing.supervision.models import InterferenceRecord

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "example.jsonl"
C = "（2023）豫0823执2101号"


@pytest.fixture
def example(courts):
    with EXAMPLE.open(encoding="utf-8") as f:
        assert import_bundle(f).imported == 5


@pytest.fixture
def people(courts, personas):
    def user(username: str, court: str, role: str, display_name: str = "") -> User:
        return User.objects.create_user(username=username, password=None, court=courts[court],
                                        role=role, display_name=display_name)  # fmt: skip

    return {
        **personas,
        "wuzhi_chief": user("wuzhi_chief", "豫0823", Role.BUREAU_CHIEF, "刘局长"),
        "wuzhi_vice": user("wuzhi_vice", "豫0823", Role.VICE_PRESIDENT, "李建国"),  # the person named below
        "wuzhi_clerk": user("wuzhi_clerk", "豫0823", Role.CLERK),
    }


def record(people, **kw) -> InterferenceRecord:
    data = {
        "case_number": C,
        "person": "李建国（副院长）",
        "content": "电话要求暂缓查封",
        "occurred_on": date(2023, 12, 1),
    }
    return S.record_interference(people["wuzhi_officer"], **{**data, **kw})


def test_recording_appends_the_node_and_an_immutable_record(example, people):
    r = record(people)
    event = NodeEvent.objects.get(case__case_number=C, node="interference_record")
    assert (r.node_event, event.data, event.recorded_by) == (
        event, {"person": "李建国（副院长）", "content": "电话要求暂缓查封", "by": "wuzhi_officer"}, people["wuzhi_officer"],
    )  # fmt: skip
    assert [e.node for e in load_record(Case.objects.get(case_number=C)).events][-1] == "interference_record"
    with pytest.raises(PermissionError):
        r.save()
    with pytest.raises(PermissionError):
        r.delete()
    with pytest.raises(PermissionError):
        InterferenceRecord.objects.filter(pk=r.pk).update(content="改")
    with pytest.raises(PermissionError):
        InterferenceRecord.objects.filter(pk=r.pk).delete()


def test_who_sees_it(example, people):
    r = record(people)

    def sees(name: str) -> bool:
        return S.interference_visible_to(people[name]).filter(pk=r.pk).exists()

    assert sees("wuzhi_officer")  # the recorder
    assert sees("wuzhi_chief")  # the bureau chief
    assert sees("jiaozuo_chief")  # the superior court
    assert not sees("wuzhi_vice")  # the person named, though a leader of the court
    assert not sees("wuzhi_clerk")  # a colleague
    assert not sees("wenxian_officer")  # another court
    # The same rule for the node in the case's log, for pages that show it.
    node = r.node_event
    rule = {name: S.may_see_interference(people[name], court=r.court, person=node.data["person"], recorded_by_id=node.recorded_by_id)
            for name in ("wuzhi_officer", "wuzhi_chief", "jiaozuo_chief", "wuzhi_vice", "wuzhi_clerk", "wenxian_officer")}  # fmt: skip
    assert rule == {"wuzhi_officer": True, "wuzhi_chief": True, "jiaozuo_chief": True, "wuzhi_vice": False,
                    "wuzhi_clerk": False, "wenxian_officer": False}  # fmt: skip


def test_names_match_by_display_name_or_username():
    u = User(username="zhangsan", display_name="张三")
    assert S.names_user("张三", u) and S.names_user("县委张三书记", u) and S.names_user("zhangsan", u)
    assert not S.names_user(
        "张三丰", User(username="x", display_name="丰")
    )  # one character only matches exactly
    assert not S.names_user("王五", u)


def test_bad_input(example, people):
    with pytest.raises(S.SupervisionError) as e:
        record(people, occurred_on=date(2023, 11, 1))
    assert (e.value.field, e.value.message) == (
        "occurred_on",
        "干预日期早于立案日期 2023-11-20（节点不能早于立案）",
    )
    with pytest.raises(S.SupervisionError) as e:
        record(people, person=" ")
    assert e.value.field == "person"
    with pytest.raises(S.SupervisionError) as e:
        S.record_interference(
            people["wenxian_officer"], case_number=C, person="某", content="某", occurred_on=date(2023, 12, 1)
        )
    assert e.value.field == "case_number"
    assert (
        not InterferenceRecord.objects.exists()
        and not NodeEvent.objects.filter(node="interference_record").exists()
    )


def test_api_and_page(example, people, mounted):
    officer, vice = Client(), Client()
    officer.force_login(people["wuzhi_officer"])
    vice.force_login(people["wuzhi_vice"])
    body = {"case_number": C, "person": "李建国", "content": "要求解除查封", "occurred_on": "2023-12-02"}
    response = officer.post("/api/supervision/interference", body, content_type="application/json")
    assert (response.status_code, response.json()["person"]) == (201, "李建国")
    assert officer.get("/api/supervision/interference").json()["count"] == 1
    assert vice.get("/api/supervision/interference").json() == {"items": [], "count": 0}
    bad = officer.post(
        "/api/supervision/interference",
        {**body, "occurred_on": "2023-13-01"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    page = vice.get("/supervision/interference/")
    assert page.status_code == 200 and "要求解除查封" not in page.content.decode()
    posted = officer.post("/supervision/interference/", {**body, "content": "第二次打招呼"})
    assert posted.status_code == 302 and InterferenceRecord.objects.count() == 2
