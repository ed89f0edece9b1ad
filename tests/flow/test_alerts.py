"""The daily overdue scan (``zhixing overdue_scan``): newly overdue obligations become
alerts, once (idempotent), with one SQL statement whatever the number of cases; alerts are
scoped and acknowledged once.

K1 of a case filed 2023-03-01 (Wednesday) is due 2023-03-08; it is overdue at the end of
that day (indicators.md §1), so a scan as of 03-07 finds nothing and one as of 03-08 finds it.
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhixing.cases.models import Case
from zhixing.flow import services
from zhixing.flow.models import Alert
from zhixing.flow.services import (
    acknowledge,
    alerts_for,
    events,
    extensions,
    resume,
    scan_overdue,
    supervision,
)

pytestmark = pytest.mark.django_db
W1, W2, W3, WX = (
    "（2023）豫0823执501号",
    "（2023）豫0823执502号",
    "（2023）豫0823执503号",
    "（2023）豫0825执601号",
)


def D(s: str) -> date:
    return date.fromisoformat(s)


@pytest.fixture
def cases(courts, personas, bundle_case, import_cases):
    """W1: K1 never done; W2: K1 done late (03-10); W3: K1 never done but the case closed
    on 03-06, before its last day (lapsed); WX: a 温县 case with K1 never done."""
    rest = bundle_case.key_node_events("2023-03-01")[1:]
    late = [bundle_case.ev("handler_assigned", "2023-03-10", handler="李某"), *rest]
    lapsed = {"on": "2023-03-06", "mode": "执行完毕"}
    assert (
        import_cases(
            bundle_case(case_number=W1, filed_on="2023-03-01", events=rest),
            bundle_case(case_number=W2, filed_on="2023-03-01", events=late, handler="李某"),
            bundle_case(case_number=W3, filed_on="2023-03-01", events=rest, closing=lapsed),
            bundle_case(case_number=WX, filed_on="2023-03-01", events=rest, handler="赵某"),
        ).imported
        == 4
    )
    return {n: Case.objects.get(case_number=n) for n in (W1, W2, W3, WX)}


def alert_keys() -> list[tuple]:
    return sorted(
        Alert.objects.values_list(
            "case__case_number", "key_node", "ref", "trigger_on", "due_on", "handler", "found_as_of"
        )
    )


def test_the_scan_records_newly_overdue_obligations_once(cases):
    assert scan_overdue(D("2023-03-07")) == 0
    assert scan_overdue(D("2023-03-08")) == 3
    expected = [
        (W1, "K1", "", D("2023-03-01"), D("2023-03-08"), "王某", D("2023-03-08")),
        (W2, "K1", "", D("2023-03-01"), D("2023-03-08"), "李某", D("2023-03-08")),  # done late still counts
        (WX, "K1", "", D("2023-03-01"), D("2023-03-08"), "赵某", D("2023-03-08")),
    ]  # W3's K1 lapsed with the closing: no alert
    assert alert_keys() == expected
    assert scan_overdue(D("2023-03-08")) == 0  # idempotent
    assert scan_overdue(D("2023-03-09")) == 0  # already recorded: nothing new
    assert alert_keys() == expected


def test_the_scan_is_one_statement_whatever_the_number_of_cases(cases):
    with CaptureQueriesContext(connection) as ctx:
        scan_overdue(D("2023-03-08"))
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    assert len(statements) == 1
    assert statements[0].lstrip().upper().startswith("INSERT INTO")


def test_an_obligation_done_on_its_last_day_is_not_an_alert(courts, bundle_case, import_cases):
    events = [
        bundle_case.ev("handler_assigned", "2023-03-08", handler="王某"),
        *bundle_case.key_node_events("2023-03-01")[1:],
    ]
    import_cases(bundle_case(case_number=W1, filed_on="2023-03-01", events=events))
    assert scan_overdue(D("2023-12-31")) == 0


def test_a_new_event_after_the_alert_leaves_the_alert(cases, personas, monkeypatch):
    for module in (services, events, extensions, resume, supervision):
        monkeypatch.setattr(module, "today", lambda: D("2023-06-01"))
    scan_overdue(D("2023-03-08"))
    services.record_event(
        cases[W1],
        "handler_assigned",
        "2023-03-09",
        {"handler": "王某"},
        user=personas["wuzhi_officer"],
        expected_version=1,
    )
    assert scan_overdue(D("2023-03-09")) == 0
    assert Alert.objects.filter(case=cases[W1]).count() == 1


def test_the_command_prints_one_json_document_and_is_idempotent(cases):
    out = io.StringIO()
    call_command("overdue_scan", "--as-of", "2023-03-08", "--json", stdout=out)
    first = json.loads(out.getvalue())
    assert (first["as_of"], first["created"], first["alerts"]) == ("2023-03-08", 3, 3)
    out = io.StringIO()
    call_command("overdue_scan", "--as-of", "2023-03-08", "--json", stdout=out)
    assert json.loads(out.getvalue())["created"] == 0


def test_alerts_are_scoped_and_acknowledged_once(cases, personas):
    scan_overdue(D("2023-03-08"))
    officer, chief, wenxian = (
        personas["wuzhi_officer"],
        personas["jiaozuo_chief"],
        personas["wenxian_officer"],
    )
    assert sorted(alerts_for(officer).values_list("case__case_number", flat=True)) == [W1, W2]
    assert sorted(alerts_for(chief).values_list("case__case_number", flat=True)) == [W1, W2, WX]
    assert list(alerts_for(wenxian).values_list("case__case_number", flat=True)) == [WX]

    alert = Alert.objects.get(case=cases[W1])
    acknowledge(alert, user=officer)
    acknowledge(alert, user=chief)  # a second acknowledgement keeps the first
    alert.refresh_from_db()
    assert alert.acknowledged_by == officer
    from django.http import Http404

    with pytest.raises(Http404):
        acknowledge(alert, user=wenxian)


def test_alerts_api_and_page(cases, personas, settings):
    from django.urls import clear_url_caches

    scan_overdue(D("2023-03-08"))
    clear_url_caches()
    if True:
        officer, wenxian = Client(), Client()
        officer.force_login(personas["wuzhi_officer"])
        wenxian.force_login(personas["wenxian_officer"])
        listed = officer.get("/api/flow/alerts", {"acknowledged": "false"}).json()
        assert listed["count"] == 2
        first = listed["items"][0]
        assert {k: first[k] for k in ("key_node", "label", "due_on", "rule", "acknowledged_by")} == {
            "key_node": "K1", "label": "确定承办人", "due_on": "2023-03-08", "rule": "DL-2", "acknowledged_by": None,
        }  # fmt: skip
        assert wenxian.post(f"/api/flow/alerts/{first['id']}/acknowledge").status_code == 404
        acked = officer.post(f"/api/flow/alerts/{first['id']}/acknowledge")
        assert (acked.status_code, acked.json()["acknowledged_by"]) == (200, "wuzhi_officer")
        assert officer.get("/api/flow/alerts", {"acknowledged": "false"}).json()["count"] == 1

        page = officer.get("/flow/alerts/")
        assert page.status_code == 200
        assert WX not in page.content.decode()
        posted = officer.post(f"/flow/alerts/{listed['items'][1]['id']}/acknowledge/")
        assert posted.status_code == 302
    clear_url_caches()
