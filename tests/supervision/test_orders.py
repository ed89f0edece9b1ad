"""督办 (supervision/services.py): a superior court flags a subordinate court's case with a
deadline and the action required; the lower court reports back; the superior accepts or
returns; overdue orders escalate once and head the superior's dashboard.

Personas (tests/conftest.py): the bureau chief of 焦作中院 (豫08) supervises 武陟县法院
(豫0823), whose officer reports; an officer of 温县法院 (豫0825) sees nothing of it.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from zhixing.cases.services import import_bundle
from zhixing.supervision import services as S
from zhixing.supervision.models import OrderStatus, SupervisionEvent, SupervisionOrder

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "example.jsonl"
C = "（2023）豫0823执2101号"


@pytest.fixture
def example(courts):
    with EXAMPLE.open(encoding="utf-8") as f:
        assert import_bundle(f).imported == 5


def later(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def issue(chief, days: int = 10) -> SupervisionOrder:
    return S.issue_order(
        chief, case_number=C, due_on=later(days), required_action="30 日内完成财产调查并报告"
    )


def backdate(order: SupervisionOrder, due_on: date) -> SupervisionOrder:
    """Move a deadline into the past (a service would refuse; tests need time to pass)."""
    SupervisionOrder.objects.filter(pk=order.pk).update(due_on=due_on)
    order.refresh_from_db()
    return order


def test_issue_report_accept(example, personas):
    chief, officer = personas["jiaozuo_chief"], personas["wuzhi_officer"]
    order = issue(chief)
    assert (order.court.code, order.issued_by_court.code, order.status) == (
        "豫0823",
        "豫08",
        OrderStatus.OPEN,
    )
    order = S.report_back(officer, order, content="已完成网络查控与实地调查", version=order.version)
    assert (order.status, order.reported_on) == (OrderStatus.REPORTED, timezone.localdate())
    with pytest.raises(S.Forbidden):
        S.accept(officer, order)  # the lower court cannot close its own order
    order = S.accept(chief, order, note="同意", version=order.version)
    assert (order.status, order.closed_on, order.version) == (OrderStatus.CLOSED, timezone.localdate(), 3)
    assert list(order.history.values_list("action", flat=True)) == ["issue", "report", "accept"]
    with pytest.raises(S.SupervisionError) as e:
        S.report_back(officer, order, content="再报")
    assert (e.value.field, e.value.message) == ("status", "督办状态为「已办结」，不能报告")


def test_who_may_issue(example, personas):
    for user in (personas["wuzhi_officer"], personas["wenxian_officer"]):
        with pytest.raises(S.SupervisionError):
            issue(user)
    with pytest.raises(S.SupervisionError) as e:
        S.issue_order(
            personas["jiaozuo_chief"], case_number=C, due_on=timezone.localdate(), required_action="x"
        )
    assert (e.value.field, e.value.message) == ("due_on", "办理期限应晚于今天")
    assert not SupervisionOrder.objects.exists()


def test_return_with_a_new_deadline(example, personas):
    chief, officer = personas["jiaozuo_chief"], personas["wuzhi_officer"]
    order = S.report_back(officer, issue(chief), content="已查控")
    with pytest.raises(S.SupervisionError) as e:
        S.return_order(chief, order, note="")
    assert e.value.field == "note"
    order = S.return_order(chief, order, note="未实地调查", due_on=later(20))
    assert (order.status, order.due_on) == (OrderStatus.OPEN, later(20))


def test_a_stale_version_is_a_conflict(example, personas):
    chief, officer = personas["jiaozuo_chief"], personas["wuzhi_officer"]
    order = issue(chief)
    stale = order.version
    S.report_back(officer, order, content="第一次报告")
    with pytest.raises(S.Conflict):
        S.report_back(officer, order, content="第二次报告", version=stale)


def test_escalation_is_once_and_idempotent(example, personas):
    chief, officer = personas["jiaozuo_chief"], personas["wuzhi_officer"]
    overdue = backdate(issue(chief), date(2024, 3, 1))
    reported = S.report_back(officer, backdate(issue(chief), date(2024, 3, 1)), content="已报告")
    not_yet = backdate(issue(chief), date(2024, 3, 2))
    out = io.StringIO()
    call_command("escalate", "--as-of", "2024-03-01", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "as_of": "2024-03-01",
        "escalated": [
            {
                "id": overdue.pk,
                "case_number": C,
                "court": "豫0823",
                "issued_by": "豫08",
                "due_on": "2024-03-01",
                "days_overdue": 0,
            }
        ],
    }
    again = io.StringIO()
    call_command("escalate", "--as-of", "2024-03-05", "--json", stdout=again)
    assert [r["id"] for r in json.loads(again.getvalue())["escalated"]] == [not_yet.pk]
    assert SupervisionEvent.objects.filter(action="escalate").count() == 2
    assert SupervisionOrder.objects.get(pk=reported.pk).escalated_on is None


def test_dashboard_lists_escalated_overdue_orders_first(example, personas, mounted):
    chief = personas["jiaozuo_chief"]
    yesterday = timezone.localdate() - timedelta(days=1)
    escalated = backdate(issue(chief), yesterday - timedelta(days=1))
    assert S.escalate_overdue(yesterday) == [escalated]
    plain = backdate(issue(chief), yesterday - timedelta(days=10))  # longer overdue, not escalated yet
    client = Client()
    client.force_login(chief)
    response = client.get("/supervision/")
    assert response.status_code == 200
    body = response.content.decode()
    table = body[body.index('id="overdue-orders"') :]
    assert table.index(f"/supervision/orders/{escalated.pk}/") < table.index(
        f"/supervision/orders/{plain.pk}/"
    )
    assert "已升级" in table and ">11 日<" in table and ">2 日<" in table


def test_scoping_in_the_api(example, personas, mounted):
    order = issue(personas["jiaozuo_chief"])
    outsider, officer = Client(), Client()
    outsider.force_login(personas["wenxian_officer"])
    officer.force_login(personas["wuzhi_officer"])
    assert outsider.get(f"/api/supervision/orders/{order.pk}").status_code == 404
    assert outsider.get("/api/supervision/orders").json() == {"items": [], "count": 0}
    assert [o["id"] for o in officer.get("/api/supervision/orders").json()["items"]] == [order.pk]
    response = officer.post(
        f"/api/supervision/orders/{order.pk}/accept", {"note": ""}, content_type="application/json"
    )
    assert response.status_code == 403
    response = officer.post(
        f"/api/supervision/orders/{order.pk}/report",
        {"content": "已报告", "version": order.version},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["status"]) == (200, "reported")
    response = officer.post(
        f"/api/supervision/orders/{order.pk}/report",
        {"content": "再报", "version": order.version},
        content_type="application/json",
    )
    assert response.status_code == 409
    response = officer.post("/api/supervision/orders", {"case_number": C, "due_on": "2099-01-01", "required_action": "x"},
                            content_type="application/json")  # fmt: skip
    assert response.status_code == 403
