"""The bulk path of machine answers (issue 10): a poll batch or a callback lands through
``apply_answers_many`` — one transaction, events through ``flow.record_events_bulk`` — with
the per-request guarantees kept: a duplicate changes nothing, an event the case refuses is
reported on its request only; a live callback from the simulator process lands; workers
claim disjoint batches."""

from __future__ import annotations

import queue
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from zhixing.cases.models import Case, NodeEvent
from zhixing.flow import services as flow
from zhixing.inquiry import services
from zhixing.inquiry.models import InquiryRequest, InquiryResult, Kind, OutboxMessage, OutboxState, Status


def _events_of(r: InquiryRequest) -> list[NodeEvent]:
    """The ``online_inquiry`` events recorded for request ``r`` (its id is in the note)."""
    return [e for e in NodeEvent.objects.filter(case_id=r.case_id, node="online_inquiry")
            if str(r.request_id) in e.data.get("note", "")]  # fmt: skip


@pytest.fixture
def restrained(personas, import_cases, bundle_case):
    """A 武陟 case whose debtor p2 had 存款-R found and frozen."""
    events = [
        bundle_case.ev("handler_assigned", "2026-01-05", handler="王某"),
        bundle_case.ev("online_inquiry", "2026-02-01", party="p2", system="总对总", categories=["存款"],
                       found=[{"asset": "存款-R", "category": "存款", "value": "800.00"}]),
        bundle_case.ev("restraint", "2026-06-01", asset="存款-R", measure="冻结", category="存款", value="800.00",
                       expires_on="2027-05-31"),
    ]  # fmt: skip
    c = bundle_case(filed_on="2026-01-05", events=events)
    assert import_cases(c, today=date(2026, 11, 23)).imported == 1
    return Case.objects.select_related("court").get(case_number=c["case_number"])


def test_a_batch_lands_once_and_a_refused_event_is_reported_on_its_request_only(
    restrained, wuzhi_case, personas
):
    officer = personas["wuzhi_officer"]
    release = services.request_inquiry(officer, restrained, party="p2", kind=Kind.RELEASE, categories=["存款"],
                                       asset="存款-R")  # fmt: skip
    inquiries = [
        services.request_inquiry(None, case, party=p, categories=["存款", "车辆"])
        for case, p in ((restrained, "p2"), (wuzhi_case, "p2"), (wuzhi_case, "p3"))
    ]
    # Meanwhile the freeze and the inquiry that found the asset are withdrawn as entered in
    # error: the release names an asset the case no longer knows.
    for node in ("restraint", "online_inquiry"):
        flow.withdraw_event(
            NodeEvent.objects.get(case=restrained, node=node), user=officer, reason="录入错误"
        )
    answers = {"存款": {"category": "存款", "status": "found", "answered_on": "2026-11-20",
                        "assets": [{"asset": "存款-N", "value": "12.50"}]},
               "车辆": {"category": "车辆", "status": "none", "answered_on": "2026-11-21"}}  # fmt: skip
    items = [(release.pk, [{"category": "存款", "status": "done", "answered_on": "2026-11-20"}], True)]
    items += [(r.pk, [answers["存款"]], False) for r in inquiries]  # partial first
    assert services.apply_answers_many(items) == {release.pk: 1, **{r.pk: 1 for r in inquiries}}
    assert services.apply_answers_many(items) == {release.pk: 0, **{r.pk: 0 for r in inquiries}}  # duplicate
    release.refresh_from_db()
    assert release.status == Status.DONE and release.error.startswith("结果未能记入节点：")
    assert (
        release.results.get().event is None
        and not NodeEvent.objects.filter(node="restraint_released").exists()
    )
    assert {r.status for r in InquiryRequest.objects.filter(pk__in=[r.pk for r in inquiries])} == {
        Status.PARTIAL
    }
    # The rest, delivered twice in one call (a duplicate in the same poll answer).
    rest = [(r.pk, [answers["车辆"], answers["存款"]], True) for r in inquiries]
    assert services.apply_answers_many(rest + rest) == {r.pk: 1 for r in inquiries}
    for r in inquiries:
        r.refresh_from_db()
        assert r.status == Status.DONE and r.error == ""
        assert r.outbox.state == OutboxState.DONE
        events = sorted(_events_of(r), key=lambda e: e.on)
        assert [e.on for e in events] == [date(2026, 11, 20), date(2026, 11, 21)]
        assert [e.data["categories"] for e in events] == [["存款"], ["车辆"]]
        assert [x.event_id for x in r.results.order_by("category")] == [e.pk for e in events]
    assert InquiryResult.objects.get(request=inquiries[0], category="存款").total == pytest.approx(12.5)
    # wuzhi_case got two events in one call for two debtors: the version moved, the facts too.
    assert NodeEvent.objects.filter(case=wuzhi_case, node="online_inquiry").count() == 4


class _Receiver(BaseHTTPRequestHandler):
    """Stands in for zhixing's public address: keeps what the simulator posts."""

    received: queue.Queue

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.put((self.path, body, self.headers.get("X-Signature", "")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_live_signed_callback_from_the_simulator_lands_the_result(sim, wuzhi_case, client):
    received: queue.Queue = queue.Queue()
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("R", (_Receiver,), {"received": received}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sim.faults(duplicate_rate=1.0)  # every callback posted twice
        url = f"http://127.0.0.1:{server.server_port}/api/inquiry/callback/豫0823"
        r = services.request_inquiry(None, wuzhi_case, party="p2", categories=["存款", "车辆", "不动产"])
        # Sent with the callback address, and no poll for an hour: only the callback can land it.
        counts = services.work_once(policy=services.Policy(callback_url=url, poll_first=3600))
        assert counts["sent"] == 1
        posts = [received.get(timeout=15), received.get(timeout=15)]
    finally:
        server.shutdown()
        server.server_close()
    assert {p[0] for p in posts} == {"/api/inquiry/callback/%E8%B1%AB0823"} or {p[0] for p in posts} == {
        "/api/inquiry/callback/豫0823"
    }
    # The test client is the server receiving exactly what the simulator posted (signed by it).
    replies = [
        client.post("/api/inquiry/callback/豫0823", body, content_type="application/json",
                    HTTP_X_SIGNATURE=signature).json()
        for _, body, signature in posts
    ]  # fmt: skip
    assert replies == [{"accepted": True, "new_results": 3}, {"accepted": True, "new_results": 0}]
    r.refresh_from_db()
    assert r.status == Status.DONE and r.outbox.state == OutboxState.DONE
    far = {
        x["category"]: x
        for x in sim.admin("/v1/results", {"ids": [str(r.request_id)]})["items"][0]["results"]
    }
    assert {x.category: x.status for x in r.results.all()} == {c: far[c]["status"] for c in far}
    queried = [c for c in far if far[c]["status"] != "refused"]
    [event] = _events_of(r)
    assert sorted(event.data["categories"]) == sorted(queried)
    # A tampered body is refused.
    body = posts[0][1].replace(b"complete", b"complet_")
    assert client.post("/api/inquiry/callback/豫0823", body, content_type="application/json",
                       HTTP_X_SIGNATURE=posts[0][2]).status_code == 403  # fmt: skip


def test_two_workers_claim_disjoint_batches(wuzhi_case):
    made = [
        services.request_inquiry(None, wuzhi_case, party=p, categories=["存款"]) for p in ("p2", "p3") * 3
    ]
    first = services.claim(4, token="a" * 32)
    second = services.claim(4, token="b" * 32)
    assert len(first) == 4 and len(second) == 2
    assert {m.pk for m in first}.isdisjoint({m.pk for m in second})
    assert {m.request_id for m in first + second} == {r.pk for r in made}
    assert services.claim(4, token="c" * 32) == []
    assert set(OutboxMessage.objects.values_list("lease_token", flat=True)) == {"a" * 32, "b" * 32}
