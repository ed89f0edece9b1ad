"""``flow.services.record_events_bulk``: many events for many cases in one transaction (the
bulk path of machine answers, issue 10) — the same rules, results and facts as
``record_event`` one at a time, a refused event refused alone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from zhixing.cases.models import Case, NodeEvent
from zhixing.flow import services
from zhixing.flow.services import FlowError, NewEvent
from zhixing.metrics.models import CaseFact, ObligationFact

FILED = "2026-01-05"
INQUIRY = {"party": "p2", "system": "总对总", "categories": ["存款", "车辆", "不动产", "有价证券"],
           "found": [{"asset": "存款-1", "category": "存款", "value": "5000.00"}]}  # fmt: skip
FREEZE = {
    "asset": "存款-1",
    "measure": "冻结",
    "category": "存款",
    "value": "5000.00",
    "expires_on": "2026-12-01",
}


@pytest.fixture
def cases(import_cases, bundle_case):
    """Three identical open cases filed 2026-01-05 with only the handler assigned."""
    made = [
        bundle_case(filed_on=FILED, events=[bundle_case.ev("handler_assigned", FILED, handler="王某")])
        for _ in range(3)
    ]
    report = import_cases(*made, today=date(2026, 11, 23))
    assert report.imported == 3, report.rejected
    return list(Case.objects.filter(case_number__in=[c["case_number"] for c in made]).order_by("pk"))


def _facts(case: Case) -> tuple:
    obligations = ObligationFact.objects.filter(case=case).order_by("key_node", "ref", "due_on")
    fact = CaseFact.objects.get(case=case)
    return (
        list(obligations.values_list("key_node", "ref", "trigger_on", "due_on", "done_on", "lapsed")),
        (fact.statutory_deadline, fact.closed_on),
    )


def _events(case: Case) -> list[tuple]:
    return list(
        NodeEvent.objects.filter(case=case).order_by("position").values_list("node", "on", "data", "source")
    )


def test_bulk_gives_what_record_event_gives_one_at_a_time(cases):
    one, bulk, _ = cases
    before = _facts(one)
    for node, on, data in (("online_inquiry", "2026-01-08", INQUIRY), ("restraint", "2026-01-09", FREEZE)):
        services.record_event(one, node, on, dict(data), user=None, expected_version=None, source="system")
    # The freeze names the asset the inquiry in the same call found: checked in order.
    rows = services.record_events_bulk(
        [NewEvent(bulk.pk, "online_inquiry", "2026-01-08", dict(INQUIRY)),
         NewEvent(bulk.pk, "restraint", date(2026, 1, 9), dict(FREEZE))]
    )  # fmt: skip
    assert [type(r) for r in rows] == [NodeEvent, NodeEvent]
    assert [r.pk for r in rows] == list(NodeEvent.objects.filter(case=bulk).order_by("position").values_list("pk", flat=True))[1:]  # fmt: skip
    assert _events(bulk) == _events(one)
    positions = list(
        NodeEvent.objects.filter(case=one).order_by("position").values_list("position", flat=True)
    )
    assert rows[0].data["by"] == "系统" and [r.position for r in rows] == positions[1:]
    # The facts were derived again, the same as one at a time (K4: the inquiry is done).
    assert _facts(bulk) == _facts(one) != before
    assert ("K4", "", date(2026, 1, 5), date(2026, 1, 15), date(2026, 1, 8), False) in _facts(bulk)[0]
    bulk.refresh_from_db()
    one.refresh_from_db()
    assert bulk.version == one.version - 1  # one bump per case and call (record_event: one per event)
    assert bulk.fingerprint != "" and bulk.fingerprint != Case.objects.get(pk=cases[2].pk).fingerprint


def _refusal(case, node, on, data) -> tuple[str, str]:
    with pytest.raises(FlowError) as e:
        services.record_event(case, node, on, data, user=None, expected_version=None)
    return e.value.field, e.value.message


def test_a_refused_event_is_refused_alone_with_record_events_reason(cases):
    a, b, c = cases
    tomorrow = date.today() + timedelta(days=1)
    bad = [
        (a.pk, "online_inquiry", tomorrow, INQUIRY),  # entry in advance
        (b.pk, "no_such_node", "2026-02-01", {}),
        (b.pk, "online_inquiry", "2025-12-31", INQUIRY),  # before filing
        (
            b.pk,
            "restraint_renewed",
            "2026-02-01",
            {"asset": "存款-9", "expires_on": "2026-12-01"},
        ),  # unknown asset
        (b.pk, "credit_listing", "2026-02-01", {}),  # through the 失信 workflow only
        (c.pk, "restraint", "2026-02-01", {**FREEZE, "value": None, "category": "没有"}),
    ]
    expected = [_refusal(Case.objects.get(pk=pk), node, on, dict(data)) for pk, node, on, data in bad]
    assert NodeEvent.objects.filter(case__in=cases).count() == 3  # record_event saved none of them
    items = [NewEvent(a.pk, "online_inquiry", "2026-01-08", dict(INQUIRY))]
    items += [NewEvent(pk, node, on, dict(data)) for pk, node, on, data in bad]
    items += [NewEvent(b.pk, "online_inquiry", "2026-01-09", dict(INQUIRY))]
    versions = {x.pk: x.version for x in Case.objects.filter(pk__in=[a.pk, b.pk, c.pk])}
    rows = services.record_events_bulk(items)
    assert isinstance(rows[0], NodeEvent) and isinstance(rows[-1], NodeEvent)
    assert [(r.field, r.message) for r in rows[1:-1]] == expected
    assert [len(_events(x)) for x in cases] == [2, 2, 1]
    now = {x.pk: x.version for x in Case.objects.filter(pk__in=[a.pk, b.pk, c.pk])}
    assert now == {a.pk: versions[a.pk] + 1, b.pk: versions[b.pk] + 1, c.pk: versions[c.pk]}


def test_nothing_to_record(cases):
    assert services.record_events_bulk([]) == []
    [r] = services.record_events_bulk([NewEvent(cases[0].pk, "nope", "2026-02-01", {})])
    assert isinstance(r, FlowError) and r.field == "node"
