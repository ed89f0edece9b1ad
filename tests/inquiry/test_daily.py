"""The daily job: inquiries for new cases, the 6-monthly re-query after 终本 (TERM-12, K8)
and renewals before a restraint expires (DL-20) — each once, however often it runs."""

from __future__ import annotations

import io
import json
from datetime import date

from django.core.management import call_command
from tests.inquiry.conftest import drain

from zhixing.cases.models import Case, NodeEvent
from zhixing.flow import rules_restraints as R
from zhixing.inquiry import services
from zhixing.inquiry.models import InquiryRequest, Kind, Origin, Status
from zhixing.metrics.models import ObligationFact

TODAY = date.today()


def test_new_cases_get_one_inquiry_per_debtor(wuzhi_case, personas):
    assert services.run_daily(date(2026, 3, 1)) == {"new_case": 0, "requery": 0, "renewal": 0}
    services.request_inquiry(personas["wuzhi_officer"], wuzhi_case, party="p3", categories=["存款"])
    assert services.run_daily(date(2026, 1, 8)) == {"new_case": 1, "requery": 0, "renewal": 0}
    made = InquiryRequest.objects.get(origin=Origin.NEW_CASE)
    assert (made.party.local_id, made.requested_on, made.requested_by, len(made.categories)) == (
        "p2",
        date(2026, 1, 8),
        None,
        10,
    )
    assert services.run_daily(date(2026, 1, 8))["new_case"] == 0
    out = io.StringIO()
    call_command("inquiry_daily", "--as-of", "2026-01-09", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"as_of": "2026-01-09", "new_case": 0, "requery": 0, "renewal": 0}


def test_termination_requery_is_sent_when_k8_is_due_and_discharges_it(
    sim, personas, import_cases, bundle_case
):
    c = bundle_case(filed_on="2025-09-01", closing={"on": "2026-04-01", "mode": "终结本次执行程序"})
    assert import_cases(c, today=TODAY).imported == 1
    case = Case.objects.get(case_number=c["case_number"])
    [k8] = ObligationFact.objects.filter(case=case, key_node="K8")
    assert (k8.ref, k8.done_on) == ("1", None)
    assert services.run_daily(TODAY)["requery"] == 1
    assert services.run_daily(TODAY)["requery"] == 0
    req = InquiryRequest.objects.get(case=case)
    assert (req.origin, req.party.local_id, req.dedup_key) == (
        Origin.REQUERY,
        "p2",
        f"requery:{case.pk}:1:{req.party_id}",
    )
    drain()
    req.refresh_from_db()
    assert req.status == Status.DONE
    assert NodeEvent.objects.filter(case=case, node="online_inquiry", on=TODAY).count() == 1
    k8s = {o.ref: o.done_on for o in ObligationFact.objects.filter(case=case, key_node="K8")}
    assert k8s == {"1": TODAY, "2": None}
    assert services.run_daily(TODAY)["requery"] == 0  # the next one is six months away


def test_restraints_are_renewed_before_expiry(sim, personas, import_cases, bundle_case):
    expires = date.fromordinal(TODAY.toordinal() + 17)
    ev = bundle_case.ev
    events = [ev("online_inquiry", "2026-01-10", party="p2", system="总对总", categories=["存款"],
                 found=[{"asset": "存款-R", "category": "存款", "value": "8000.00"}]),
              ev("restraint", "2026-01-10", asset="存款-R", measure="冻结", category="存款", value="8000.00",
                 expires_on=expires.isoformat())]  # fmt: skip
    c = bundle_case(filed_on="2026-01-05", events=events)
    assert import_cases(c, today=TODAY).imported == 1
    case = Case.objects.get(case_number=c["case_number"])
    assert services.run_daily(TODAY, new_days=0)["renewal"] == 1
    assert services.run_daily(TODAY, new_days=0)["renewal"] == 0
    req = InquiryRequest.objects.get(case=case, kind=Kind.RENEW)
    assert (req.asset, req.expires_on, req.origin) == (
        "存款-R",
        R.longest_expiry(expires, "存款"),
        Origin.RENEWAL,
    )
    [restraint] = services.case_coverage(case)["restraints"]
    assert (restraint["status"], restraint["renewal"]["status"]) == ("expiring", "queued")
    drain()
    [renewed] = NodeEvent.objects.filter(case=case, node="restraint_renewed")
    assert renewed.data == {"asset": "存款-R", "expires_on": req.expires_on.isoformat(), "by": "系统",
                            "note": f"网络查控请求 {req.request_id}（{req.notice_number}）"}  # fmt: skip
    [restraint] = services.case_coverage(case)["restraints"]
    assert (restraint["status"], restraint["expires_on"], restraint["problems"]) == (
        "active",
        req.expires_on.isoformat(),
        [],
    )
    assert services.run_daily(TODAY, new_days=0)["renewal"] == 0


def test_the_worker_command(sim, wuzhi_case):
    services.request_inquiry(None, wuzhi_case, party="p2", categories=["存款"])
    out = io.StringIO()
    call_command(
        "inquiry_work", "--until-idle", "--poll-first", "0.01", "--idle", "0.02", "--json", stdout=out
    )
    body = json.loads(out.getvalue())
    assert (body["sent"], body["answers"], body["done"], body["stuck_total"]) == (1, 1, 1, 0)


def test_the_daily_job_queues_in_bulk_with_notice_numbers_in_sequence(wuzhi_case, personas):
    first = services.request_inquiry(personas["wuzhi_officer"], wuzhi_case, party="p3", categories=["存款"])
    assert services.run_daily(date(2026, 1, 8))["new_case"] == 1
    made = InquiryRequest.objects.get(origin=Origin.NEW_CASE)
    assert first.notice_number.endswith("查询通知书第1号") and made.notice_number.endswith("查询通知书第2号")
    assert (made.notice_number, made.notice_seal) == services._notice(wuzhi_case, made.kind, made.request_id,
                                                                      date(2026, 1, 8), 2)  # fmt: skip
    assert made.outbox.state == "pending" and made.dedup_key == f"new:{made.party_id}"
    # A key queued meanwhile by another run (here: twice in one chunk) goes one by one: made once.
    p3 = wuzhi_case.parties.get(local_id="p3")
    assert services._ensure_many([(p3, "k-1"), (p3, "k-1")], Origin.REQUERY, date(2026, 1, 9)) == 1
    assert services._ensure_many([(p3, "k-1")], Origin.REQUERY, date(2026, 1, 9)) == 0
    assert InquiryRequest.objects.filter(dedup_key="k-1").count() == 1
