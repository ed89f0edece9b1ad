"""Reliable delivery against the simulator process with injected faults (issue 10): 20 %
errors (half of them after the work was done), timeouts, random delays, duplicate
deliveries, a worker killed mid-batch — between sending and recording, and while
applying answers — and a restart of the simulator: every request completes or is
reported stuck, no deduction is applied twice, no answer is lost."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date

import pytest
from tests.inquiry.conftest import drain

from zhixing.cases.models import Case, NodeEvent
from zhixing.funds.models import Receipt
from zhixing.inquiry import services
from zhixing.inquiry.models import ConnectorConfig, InquiryRequest, Kind, OutboxMessage, OutboxState, Status
from zhixing.inquiry.services import answers, delivery

POLICY = services.Policy(
    backoff_base=0.01, backoff_max=0.1, poll_first=0.02, poll_max=0.1, max_failures=40, lease=0.5
)


@pytest.fixture
def batch(sim, personas, import_cases, bundle_case, courts):
    """Twelve cases of 武陟, each debtor with a found deposit 存款-K{n}; the connector is
    configured once for 焦作中院 (豫08) and inherited by 武陟, with a 0.5 s timeout."""
    ConnectorConfig.objects.create(
        court=courts["豫08"], base_url=sim.url, timeout=0.5, batch_size=2, secret="s3cret-key"
    )
    cases = []
    for n in range(12):
        events = [bundle_case.ev("online_inquiry", "2026-02-01", party="p2", system="总对总", categories=["存款"],
                                 found=[{"asset": f"存款-K{n}", "category": "存款", "value": "9000.00"}])]  # fmt: skip
        cases.append(bundle_case(filed_on="2026-01-10", events=events))
    report = import_cases(*cases, today=date(2026, 11, 23))
    assert report.imported == 12, report.rejected
    officer = personas["wuzhi_officer"]
    made = []
    for c in Case.objects.filter(case_number__in=[c["case_number"] for c in cases]).order_by("pk"):
        made.append(
            services.request_inquiry(
                officer, c, party="p2", categories=["存款", "车辆", "不动产", "有价证券"]
            )
        )
        made.append(services.request_inquiry(officer, c, party="p2", kind=Kind.DEDUCT, categories=["存款"],
                                             asset=f"存款-K{int(c.events.get(node='online_inquiry').data['found'][0]['asset'][4:])}",
                                             amount="1000.00"))  # fmt: skip
    return made


def _assert_nothing_lost_nothing_twice(sim, made):
    ids = [str(r.request_id) for r in made]
    sim.faults()  # read the far side's truth without faults
    truth = {i["request_id"]: i for i in sim.admin("/v1/results", {"ids": ids})["items"]}
    for r in InquiryRequest.objects.filter(pk__in=[m.pk for m in made]).prefetch_related("results"):
        assert r.status == Status.DONE, (r.request_id, r.status, r.error, r.outbox.last_error)
        far = truth[str(r.request_id)]
        assert far["state"] == "complete"
        ours = {x.category: (x.status, [a["asset"] for a in x.assets]) for x in r.results.all()}
        theirs = {x["category"]: (x["status"], [a["asset"] for a in x["assets"]]) for x in far["results"]}
        assert ours == theirs, r.request_id
    # Each inquiry's answers are in the case's node log (the categories answered, once each).
    for r in [m for m in made if m.kind == Kind.INQUIRY]:
        events = [
            e
            for e in NodeEvent.objects.filter(case=r.case, node="online_inquiry")
            if str(r.request_id) in e.data.get("note", "")
        ]
        categories = Counter(c for e in events for c in e.data["categories"])
        assert categories == Counter(x.category for x in r.results.exclude(status="refused")), r.request_id
    deductions = [m for m in made if m.kind == Kind.DEDUCT]
    receipts = Receipt.objects.filter(idempotency_key__in=[f"inq-{m.request_id}" for m in deductions])
    done = sum(1 for m in deductions if m.results.get().status == "done")
    assert receipts.count() == done == len(deductions)
    assert all(NodeEvent.objects.filter(case=m.case, node="deduction").count() == 1 for m in deductions)
    assert sim.stats()["deductions_applied_twice"] == []


def test_faults_20_percent_errors_delays_duplicates_and_a_simulator_restart(sim, batch):
    sim.faults(error_rate=0.1, late_error_rate=0.1, timeout_rate=0.03, timeout_seconds=0.7, latency_max=0.01,
               result_delay_max=0.2, duplicate_rate=0.5, rate_limit=150)  # fmt: skip
    first = drain(rounds=20, policy=POLICY)
    before = sim.stats()
    sim.restart()  # the journal keeps what it accepted
    sim.faults(error_rate=0.1, late_error_rate=0.1, timeout_rate=0.03, timeout_seconds=0.7, latency_max=0.01,
               result_delay_max=0.2, duplicate_rate=0.5, rate_limit=150)  # fmt: skip
    second = drain(rounds=3000, policy=POLICY)
    after = sim.stats()
    _assert_nothing_lost_nothing_twice(sim, batch)
    assert OutboxMessage.objects.filter(state=OutboxState.DONE).count() == len(batch)
    # The faults did happen (two per HTTP call at most: ~30+ calls at 20 %+ make none ~0.1 %).
    injected = sum(s["errors_injected"] + s["timeouts_injected"] + s["rate_limited"] for s in (before, after))
    assert injected > 0 and first.get("retry", 0) + second.get("retry", 0) > 0
    assert before["requests"] > 0 and after["requests"] >= before["requests"]  # remembered across the restart


def test_a_worker_killed_between_sending_and_recording_sends_no_second_deduction(sim, batch, monkeypatch):
    sim.faults(result_delay_max=0.05, duplicate_rate=0.3)
    real = services._mark_sent
    calls = {"n": 0}

    def killed(accepted, now, policy):
        calls["n"] += 1
        if calls["n"] == 2:  # the second batch was delivered, the worker dies before noting it
            raise KeyboardInterrupt("worker killed")
        return real(accepted, now, policy)

    monkeypatch.setattr(delivery, "_mark_sent", killed)
    with pytest.raises(KeyboardInterrupt):
        services.work_once(100, policy=POLICY)
    monkeypatch.setattr(delivery, "_mark_sent", real)
    # The batch was delivered but not all of it recorded as sent; the rows stay leased.
    orphans = set(
        OutboxMessage.objects.filter(state=OutboxState.PENDING)
        .exclude(lease_token="")
        .values_list("pk", flat=True)
    )
    assert len(orphans) >= 1
    # Another worker does not take rows whose lease is still live.
    assert not orphans & {m.pk for m in services.claim(100, policy=POLICY)}
    time.sleep(POLICY.lease + 0.1)  # the lease of the dead worker runs out
    drain(rounds=3000, policy=POLICY)
    assert sim.stats()["duplicates"] >= 1  # re-sent, deduplicated by request id on the far side
    _assert_nothing_lost_nothing_twice(sim, batch)


def test_a_worker_killed_while_applying_answers_loses_nothing(sim, batch, monkeypatch):
    sim.faults(result_delay_max=0.05, duplicate_rate=0.5, error_rate=0.1, late_error_rate=0.1)
    real = services.apply_answers
    calls = {"n": 0}

    def crash(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            real(*args, **kwargs)
            raise KeyboardInterrupt("worker killed after applying, before releasing")
        if calls["n"] == 7:
            raise KeyboardInterrupt("worker killed before applying")
        return real(*args, **kwargs)

    monkeypatch.setattr(answers, "apply_answers", crash)
    for _ in range(2):
        try:
            drain(rounds=100, policy=POLICY)
        except KeyboardInterrupt:
            time.sleep(POLICY.lease + 0.1)  # restart after the lease runs out
    monkeypatch.setattr(answers, "apply_answers", real)
    drain(rounds=3000, policy=POLICY)
    assert calls["n"] >= 7
    _assert_nothing_lost_nothing_twice(sim, batch)


def test_failures_make_requests_stuck_visibly_and_retry_recovers(sim, wuzhi_case, personas, client):
    sim.faults(error_rate=1.0)
    r = services.request_inquiry(personas["wuzhi_officer"], wuzhi_case, party="p2", categories=["存款"])
    policy = services.Policy(
        backoff_base=0.01, backoff_max=0.02, max_failures=3, poll_first=0.01, poll_max=0.02
    )
    drain(rounds=20, policy=policy)
    r.refresh_from_db()
    m = r.outbox
    assert (r.status, m.state, m.attempts, m.failures) == (Status.STUCK, OutboxState.STUCK, 3, 3)
    assert m.last_error.startswith("查控服务错误（5")
    client.force_login(personas["wuzhi_officer"])
    body = client.get("/api/inquiry/coverage").json()
    assert [(c["court"], c["stuck_requests"]) for c in body["courts"]] == [("豫0823", 1)]
    assert client.get("/api/inquiry/requests?status=stuck").json()["count"] == 1
    client.force_login(personas["wenxian_officer"])
    assert client.post(f"/api/inquiry/requests/{r.request_id}/retry").status_code == 404
    client.force_login(personas["wuzhi_officer"])
    assert client.post(f"/api/inquiry/requests/{r.request_id}/retry").json()["status"] == "queued"
    sim.faults()
    drain(policy=policy)
    r.refresh_from_db()
    assert r.status == Status.DONE and r.results.count() == 1


def test_no_complete_answer_in_time_is_stuck(sim, wuzhi_case):
    sim.faults(result_delay_min=100, result_delay_max=200)
    r = services.request_inquiry(None, wuzhi_case, party="p2", categories=["存款"])
    drain(rounds=30, policy=services.Policy(poll_first=0.01, poll_max=0.02, stuck_after=0.2), sleep=0.03)
    r.refresh_from_db()
    assert (r.status, r.outbox.state, r.error) == (Status.STUCK, OutboxState.STUCK, "超过期限未收到完整反馈")


def test_a_request_the_far_side_forgot_is_sent_again(sim, wuzhi_case):
    sim.faults(result_delay_min=0.3, result_delay_max=0.3)
    r = services.request_inquiry(None, wuzhi_case, party="p2", categories=["存款"])
    services.work_once(10, policy=POLICY)
    assert OutboxMessage.objects.get(request=r).state == OutboxState.SENT
    sim.admin("/admin/reset", {})  # lost without a journal entry being replayed
    counts = drain(policy=POLICY)
    assert counts["resent"] >= 1 and counts["done"] == 1
    r.refresh_from_db()
    assert r.status == Status.DONE and r.outbox.attempts == 2


def test_a_worker_killed_around_a_bulk_batch_of_answers_loses_nothing(sim, batch, monkeypatch):
    """The poll path lands a batch's answers with one ``apply_answers_many``: killed after
    it committed (before the rows were released) or before it ran, the next worker
    finds every answer once."""
    sim.faults(result_delay_max=0.05, duplicate_rate=0.5, error_rate=0.1, late_error_rate=0.1)
    real = services.apply_answers_many
    calls = {"n": 0}

    def crash(items):
        calls["n"] += 1
        if calls["n"] == 2:
            real(items)
            raise KeyboardInterrupt("worker killed after a batch, before releasing")
        if calls["n"] == 4:
            raise KeyboardInterrupt("worker killed before a batch")
        return real(items)

    monkeypatch.setattr(delivery, "apply_answers_many", crash)
    for _ in range(2):
        try:
            drain(rounds=100, policy=POLICY)
        except KeyboardInterrupt:
            time.sleep(POLICY.lease + 0.1)
    monkeypatch.setattr(delivery, "apply_answers_many", real)
    drain(rounds=3000, policy=POLICY)
    assert calls["n"] >= 4
    _assert_nothing_lost_nothing_twice(sim, batch)
