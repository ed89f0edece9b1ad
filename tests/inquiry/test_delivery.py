"""Answers land in the case, exactly once: inquiry results as ``online_inquiry`` events that
the 终本 check T5 reads (TERM-4), control acts as restraint / deduction events, and a
deduction's money as one receipt in the fund ledger — against the simulator process."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from tests.inquiry.conftest import drain

from zhixing.cases.loader import load_record
from zhixing.cases.models import NodeEvent
from zhixing.funds.models import Receipt
from zhixing.inquiry import services
from zhixing.inquiry.models import REQUIRED_CATEGORIES, InquiryResult, Kind, OutboxState, Status
from zhixing.termination.rules import t5_online_inquiry

TODAY = date.today()


def _inquiries(case):
    return list(NodeEvent.objects.filter(case=case, node="online_inquiry").order_by("pk"))


def test_an_inquiry_lands_as_one_online_inquiry_event(sim, wuzhi_case, personas):
    sim.faults(found_rate=1.0)
    r = services.request_inquiry(
        personas["wuzhi_officer"], wuzhi_case, party="p2", categories=["存款", "车辆"]
    )
    counts = drain()
    assert (counts["sent"], counts["answers"], counts["done"]) == (1, 2, 1)
    r.refresh_from_db()
    assert r.status == Status.DONE and r.outbox.state == OutboxState.DONE
    [event] = _inquiries(wuzhi_case)
    assert (event.data["party"], event.data["system"], event.data["categories"]) == (
        "p2",
        "总对总",
        ["存款", "车辆"],
    )
    results = {x.category: x for x in r.results.all()}
    assert set(results) == {"存款", "车辆"} and all(
        x.status == "found" and x.event_id == event.pk for x in results.values()
    )
    found = [(f["asset"], f["category"], f["value"]) for f in event.data["found"]]
    expected = [(a["asset"], a["category"], a["value"]) for c in ("存款", "车辆") for a in results[c].assets]
    assert found == expected and all(
        asset.startswith(f"{cat}-{str(r.request_id)[:8]}") for asset, cat, _ in found
    )
    assert results["存款"].total == sum(Decimal(a["value"]) for a in results["存款"].assets)
    assert event.data["note"] == f"网络查控请求 {r.request_id}（{r.notice_number}）"


def test_a_duplicate_delivery_changes_nothing(sim, wuzhi_case, personas):
    r = services.request_inquiry(None, wuzhi_case, party="p2", categories=["存款", "不动产"])
    drain()
    [item] = sim.admin("/v1/results", {"ids": [str(r.request_id)]})["items"]
    version = type(wuzhi_case).objects.get(pk=wuzhi_case.pk).version
    assert services.apply_answers(r.pk, item["results"], complete=True) == 0
    assert services.apply_answers(r.pk, item["results"] + item["results"], complete=True) == 0
    assert len(_inquiries(wuzhi_case)) == 1 and InquiryResult.objects.filter(request=r).count() == 2
    assert type(wuzhi_case).objects.get(pk=wuzhi_case.pk).version == version


def test_partial_answers_arrive_per_category_and_none_is_lost(sim, wuzhi_case, personas):
    r = services.request_inquiry(None, wuzhi_case, party="p3")
    item = {"request_id": str(r.request_id)}
    first = [{"category": "存款", "status": "none", "assets": [], "answered_on": TODAY.isoformat()},
             {"category": "车辆", "status": "found", "answered_on": TODAY.isoformat(),
              "assets": [{"asset": "豫H12345", "category": "车辆", "value": "80000"}]}]  # fmt: skip
    assert services.apply_answers(r.pk, first, complete=False) == 2
    r.refresh_from_db()
    assert r.status == Status.PARTIAL
    rest = [
        {"category": c, "status": "none", "assets": [], "answered_on": TODAY.isoformat()}
        for c in r.categories[2:]
    ]
    assert services.apply_answers(r.pk, first + rest, complete=True) == 8
    r.refresh_from_db()
    assert r.status == Status.DONE and item
    events = _inquiries(wuzhi_case)
    assert [e.data["categories"] for e in events] == [["存款", "车辆"], r.categories[2:]]
    assert events[0].data["found"] == [{"asset": "豫H12345", "category": "车辆", "value": "80000.00"}]


def test_a_refused_category_is_not_recorded_as_queried(wuzhi_case):
    r = services.request_inquiry(None, wuzhi_case, party="p2", categories=["存款", "股权"])
    services.apply_answers(r.pk, [
        {"category": "存款", "status": "none", "answered_on": TODAY.isoformat()},
        {"category": "股权", "status": "refused", "message": "市场监督管理总局未能在期限内反馈", "answered_on": TODAY.isoformat()},
    ], complete=True)  # fmt: skip
    [event] = _inquiries(wuzhi_case)
    assert event.data["categories"] == ["存款"]
    assert InquiryResult.objects.get(request=r, category="股权").message == "市场监督管理总局未能在期限内反馈"


def _closed_today(case):
    """The case's record as if closed by 终本 today: what T5 judges (indicators.md §7)."""
    return dataclasses.replace(load_record(case.pk), closed_on=TODAY)


def test_t5_reads_the_recorded_coverage(sim, wuzhi_case, personas):
    """TERM-4 / T5: every debtor, 存款 车辆 不动产 有价证券, within 3 months before closing."""
    officer = personas["wuzhi_officer"]
    assert t5_online_inquiry(_closed_today(wuzhi_case)).count("结案前未经网络查询") == 8
    services.request_inquiry(officer, wuzhi_case, party="p2")
    services.request_inquiry(officer, wuzhi_case, party="p3", categories=["存款", "车辆"])
    drain()
    problem = t5_online_inquiry(_closed_today(wuzhi_case))
    assert (
        problem
        == "T5（TERM-4）：被执行人李某的不动产结案前未经网络查询；被执行人李某的有价证券结案前未经网络查询"
    )
    services.request_inquiry(officer, wuzhi_case, party="p3", categories=list(REQUIRED_CATEGORIES))
    drain()
    assert t5_online_inquiry(_closed_today(wuzhi_case)) is None
    coverage = services.case_coverage(wuzhi_case)
    assert [(d["party"], d["missing"], d["complete"]) for d in coverage["debtors"]] == [
        ("p2", [], True),
        ("p3", [], True),
    ]


def _found(case, officer, asset="存款-A", category="存款"):
    from zhixing.flow.services import record_event

    record_event(case, "online_inquiry", "2026-02-01",
                 {"party": "p2", "system": "总对总", "categories": [category],
                  "found": [{"asset": asset, "category": category, "value": "5000.00"}]},
                 user=officer, expected_version=None)  # fmt: skip


def test_a_deduction_creates_one_receipt_even_when_delivered_twice(sim, wuzhi_case, personas):
    officer = personas["wuzhi_officer"]
    _found(wuzhi_case, officer)
    r = services.request_inquiry(officer, wuzhi_case, party="p2", kind=Kind.DEDUCT, categories=["存款"],
                                 asset="存款-A", amount="3000.00")  # fmt: skip
    drain()
    r.refresh_from_db()
    assert r.status == Status.DONE
    [receipt] = Receipt.objects.filter(case=wuzhi_case)
    result = r.results.get()
    assert (receipt.idempotency_key, receipt.amount, result.receipt_id) == (
        f"inq-{r.request_id}",
        result.total,
        receipt.pk,
    )
    assert Decimal("0.01") <= receipt.amount <= Decimal("3000.00")
    [deduction] = NodeEvent.objects.filter(case=wuzhi_case, node="deduction")
    assert deduction.data["asset"] == "存款-A" and Decimal(deduction.data["amount"]) == receipt.amount
    [item] = sim.admin("/v1/results", {"ids": [str(r.request_id)]})["items"]
    assert services.apply_answers(r.pk, item["results"], complete=True) == 0
    # Even a request re-opened by mistake books no second receipt: the key is the request id.
    type(r).objects.filter(pk=r.pk).update(status=Status.SENT)
    result.delete()
    assert services.apply_answers(r.pk, item["results"], complete=True) == 1
    assert Receipt.objects.filter(case=wuzhi_case).count() == 1
    assert sim.stats()["deductions_applied_twice"] == []


def test_freeze_then_release(sim, wuzhi_case, personas):
    from zhixing.flow import rules_restraints as R

    officer = personas["wuzhi_officer"]
    _found(wuzhi_case, officer)
    services.request_inquiry(officer, wuzhi_case, party="p2", kind=Kind.FREEZE, categories=["存款"], asset="存款-A",
                             amount="5000.00", expires_on=R.longest_expiry(TODAY, "存款"))  # fmt: skip
    drain()
    [restraint] = NodeEvent.objects.filter(case=wuzhi_case, node="restraint")
    assert (restraint.data["measure"], restraint.data["category"], restraint.data["expires_on"]) == (
        "冻结", "存款", R.longest_expiry(TODAY, "存款").isoformat()
    )  # fmt: skip
    services.request_inquiry(
        officer, wuzhi_case, party="p2", kind=Kind.RELEASE, categories=["存款"], asset="存款-A"
    )
    drain()
    [released] = NodeEvent.objects.filter(case=wuzhi_case, node="restraint_released")
    assert released.data["asset"] == "存款-A"
    assert [r["status"] for r in services.case_coverage(wuzhi_case)["restraints"]] == ["released"]
