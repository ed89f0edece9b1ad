"""Reports over many cases: unpaid money by age per court, team and officer; the
reconciliation command; ``zhixing fund_buckets`` (funds/services.py, management/commands).

As of 2023-05-20 (a Saturday):

| case | court  | handler | receipt (notice, amount) | out by 05-20            | days | bucket | clock    |
|------|--------|---------|--------------------------|-------------------------|------|--------|----------|
| 1    | 豫0823 | 王某    | r1 05-18 1,000           | —                       | 2    | 0-5    | pending  |
| 1    | 豫0823 | 王某    | r2 05-12 2,000           | 500 paid 05-15          | 8    | 6-10   | pending  |
| 2    | 豫0823 | 刘某    | r1 05-05 3,000           | —                       | 15   | 11-15  | pending  |
| 2    | 豫0823 | 刘某    | r2 04-20 4,000           | —                       | 30   | 16-30  | pending (due 05-22) |
| 2    | 豫0823 | 刘某    | r3 04-06 5,000           | —                       | 44   | 31+    | overdue  |
| 3    | 豫0823 | 王某    | r1 04-06 6,000           | deferred 05-04, no end  | 44   | 31+    | deferred |
| 4    | 豫0823 | 王某    | r1 04-06 7,000           | lodged 05-05 (imported) | —    | —      | lodged   |
| 5    | 豫0825 | 孙某    | r1 05-19 8,000           | —                       | 1    | 0-5    | pending  |
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from zhixing.cases.models import Case
from zhixing.funds import services
from zhixing.funds.models import CaseAccount, OfficerTeam, Receipt

pytestmark = pytest.mark.django_db

AS_OF = date(2023, 5, 20)


def pay(rid, on, amount):
    return {"id": f"d{on}", "receipt": rid, "on": on, "amount": amount, "payee": "p1"}


@pytest.fixture
def book(fund_case, courts):
    fund_case(1, receipts=[("r1", "2023-05-18", "1000.00"), ("r2", "2023-05-12", "2000.00")],
              disbursements=[pay("r2", "2023-05-15", "500.00")])  # fmt: skip
    fund_case(2, handler="刘某", receipts=[("r1", "2023-05-05", "3000.00"), ("r2", "2023-04-20", "4000.00"),
                                         ("r3", "2023-04-06", "5000.00")])  # fmt: skip
    fund_case(3, receipts=[("r1", "2023-04-06", "6000.00")],
              deferrals=[{"receipt": "r1", "approved_on": "2023-05-04", "ground": "需要进行案款分配"}])  # fmt: skip
    fund_case(4, receipts=[("r1", "2023-04-06", "7000.00")],
              lodgements=[{"receipt": "r1", "on": "2023-05-05", "ground": "申请执行人下落不明"}])  # fmt: skip
    fund_case(5, court_code="豫0825", handler="孙某", receipts=[("r1", "2023-05-19", "8000.00")])
    OfficerTeam.objects.create(court=courts["豫0823"], handler="王某", team="一队")
    return Case.objects.all()


def amounts(row) -> dict:
    return {k: c["amount"] for k, c in row["buckets"].items()}


def test_unpaid_by_court(book):
    got = services.unpaid_buckets(book, AS_OF, "court")
    wz, wx = got["rows"]
    assert (wz["court"], amounts(wz)) == ("豫0823", {"0-5": "1000.00", "6-10": "1500.00", "11-15": "3000.00", "16-30": "4000.00",
                                                     "31+": "11000.00"})  # fmt: skip
    assert (wz["unpaid"], wz["overdue"], wz["deferred"]) == (
        {"receipts": 6, "amount": "20500.00"}, {"receipts": 1, "amount": "5000.00"}, {"receipts": 1, "amount": "6000.00"},
    )  # fmt: skip
    assert (wx["court"], amounts(wx)["0-5"]) == ("豫0825", "8000.00")
    assert got["total"]["unpaid"] == {"receipts": 7, "amount": "28500.00"}


def test_unpaid_by_team_and_officer(book):
    by_team = services.unpaid_buckets(book, AS_OF, "team")
    assert [(r["court"], r["team"], r["unpaid"]["amount"]) for r in by_team["rows"]] == [
        ("豫0823", "一队", "8500.00"), ("豫0823", "未分组", "12000.00"), ("豫0825", "未分组", "8000.00"),
    ]  # fmt: skip
    by_officer = services.unpaid_buckets(book.filter(court__code="豫0823"), AS_OF, "handler")
    assert [(r["handler"], r["unpaid"]["amount"], r["overdue"]["amount"]) for r in by_officer["rows"]] == [
        ("王某", "8500.00", "0.00"), ("刘某", "12000.00", "5000.00"),
    ]  # fmt: skip


def test_the_day_before_nothing_noticed_later_is_seen(book):
    got = services.unpaid_buckets(book, date(2023, 5, 17), "court")
    assert got["total"]["unpaid"] == {
        "receipts": 5,
        "amount": "19500.00",
    }  # r1 of case 1 and case 5 not yet noticed


def test_fund_buckets_command(book):
    out = io.StringIO()
    call_command(
        "fund_buckets", "--as-of", "2023-05-20", "--by", "handler", "--court", "豫0823", "--json", stdout=out
    )
    got = json.loads(out.getvalue())
    assert [r["handler"] for r in got["rows"]] == ["王某", "刘某"]
    assert got["unidentified"]["rows"] == []
    text = io.StringIO()
    call_command("fund_buckets", "--as-of", "2023-05-20", stdout=text)
    assert "豫0823" in text.getvalue() and "20500.00" in text.getvalue()
    with pytest.raises(CommandError):
        call_command("fund_buckets", stdout=io.StringIO())


def reconcile_json(*args) -> tuple[dict, int]:
    out = io.StringIO()
    try:
        call_command("reconcile", *args, "--json", stdout=out)
        code = 0
    except CommandError as e:
        code = e.returncode
    return json.loads(out.getvalue()), code


def test_reconcile_balances_imported_and_recorded_money(book, people):
    case = Case.objects.get(case_number="（2023）豫0823执2号")
    services.disburse(people["lead"], case, receipt="r1", amount="3000.00", payee="p1", idempotency_key="rec-key-0001",
                      today=AS_OF)  # fmt: skip
    got, code = reconcile_json("--court", "豫0823")
    assert code == 0
    assert got["cases"] == 4
    assert got["courts"] == [{"court": "豫0823", "name": "武陟县人民法院", "received": "28000.00", "disbursed": "3500.00",
                              "lodged": "7000.00", "refunded": "0.00", "balance": "17500.00", "difference": "0.00"}]  # fmt: skip
    assert got["differences"] == []


def test_reconcile_reports_a_tampered_total(book, people):
    case = Case.objects.get(case_number="（2023）豫0823执2号")
    services.disburse(people["lead"], case, receipt="r1", amount="3000.00", payee="p1", idempotency_key="rec-key-0002",
                      today=AS_OF)  # fmt: skip
    # Someone changes the stored totals behind the services' back:
    Receipt.objects.filter(case=case, local_id="r1").update(paid_out=1000)
    CaseAccount.objects.filter(case=case).update(disbursed=2000)
    got, code = reconcile_json()
    assert code == 1
    assert [
        (d["case_number"], d["receipt"], d["field"], d["expected"], d["actual"]) for d in got["differences"]
    ] == [
        ("（2023）豫0823执2号", "r1", "paid_out", "3000.00", "1000.00"),
        ("（2023）豫0823执2号", "", "disbursed", "3000.00", "2000.00"),
    ]
    wz = got["courts"][0]
    assert (wz["balance"], wz["difference"]) == ("18500.00", "-1000.00")
    text = io.StringIO()
    with pytest.raises(CommandError):
        call_command("reconcile", stdout=text)
    assert (
        "不符：（2023）豫0823执2号 r1 paid_out：到账的已出款累计与流水合计不符（应为 3000.00，实为 1000.00）"
        in text.getvalue()
    )


def test_loading_in_chunks_dense_or_sparse_gives_the_same_cases(book):
    whole = list(services.load_fund_cases(book))
    assert [fc.record.case_number for fc in whole] == [f"（2023）{c}执{n}号" for c, n in
                                                       [("豫0823", 1), ("豫0823", 2), ("豫0823", 3), ("豫0823", 4), ("豫0825", 5)]]  # fmt: skip
    assert list(services.load_fund_cases(book, chunk=2)) == whole
    ends = book.filter(pk__in=[whole[0].case_id, whole[-1].case_id])  # ids far apart: read with IN
    assert list(services.load_fund_cases(ends)) == [whole[0], whole[-1]]
    assert whole[1].entries["r3"].amount == 5000 and whole[2].record.deferrals[0].ends_on is None
