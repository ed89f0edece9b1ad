"""The fund API (/api/funds/) and pages (/funds/): the same services behind forms and
JSON, bad input refused with the field and the rule, nothing changed; scoping by court.
"""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhixing.cases.models import Case
from zhixing.funds.models import (
    CaseAccount,
    Deferral,
    Disbursement,
    PaymentOrder,
    Receipt,
    UnidentifiedReceipt,
)

pytestmark = pytest.mark.django_db

NUMBER = "（2023）豫0823执1301号"


def api(number: str = NUMBER, tail: str = "") -> str:
    return f"/api/funds/cases/{quote(number)}" + (f"/{tail}" if tail else "")


def page(number: str = NUMBER, tail: str = "") -> str:
    return f"/funds/case/{quote(number)}/" + (f"{tail}/" if tail else "")


def post(client, url: str, body: dict):
    return client.post(url, json.dumps(body, ensure_ascii=False), content_type="application/json")


def payment(amount="30000.00", key="api-key-0001", **extra) -> dict:
    return {
        "kind": "disbursement",
        "receipt": "r1",
        "amount": amount,
        "payee": "p1",
        "idempotency_key": key,
        **extra,
    }


def untouched(case) -> tuple:
    return (
        list(Receipt.objects.filter(case=case).values_list("amount", "paid_out")),
        Disbursement.objects.filter(case=case).count(),
        PaymentOrder.objects.filter(case=case).count(),
        Deferral.objects.filter(case=case).count(),
    )


# -- API: writes ------------------------------------------------------------------------------


def test_api_payment_is_created_once_and_replayed(web, people, fund_case):
    fund_case()
    lead = web(people["lead"])
    first = post(lead, api(tail="payments"), payment())
    assert first.status_code == 201
    body = first.json()
    assert {k: body[k] for k in ("receipt", "kind", "status", "amount", "payee", "required_role", "decided_by", "replayed")} == {
        "receipt": "r1", "kind": "disbursement", "status": "executed", "amount": "30000.00", "payee": "p1",
        "required_role": "team_lead", "decided_by": "wz_lead", "replayed": False,
    }  # fmt: skip
    assert body["entry"] == {"kind": "disbursement", "id": "d1", "on": timezone.localdate().isoformat()}
    again = post(lead, api(tail="payments"), payment())
    assert (again.status_code, again.json()["order"], again.json()["replayed"]) == (200, body["order"], True)
    conflict = post(lead, api(tail="payments"), payment(amount="1.00"))
    assert conflict.status_code == 409
    assert conflict.json()["detail"][0]["loc"] == ["body", "idempotency_key"]
    assert Disbursement.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "loc", "msg"),
    [
        (payment(amount=30000), 422, ["body", "amount"], None),  # a JSON number
        (payment(amount=300.5), 422, ["body", "amount"], None),
        (payment(amount="-5.00"), 422, ["body", "amount"], "金额必须大于 0"),
        (
            payment(amount="80000.01"),
            422,
            ["body", "amount"],
            "金额 80000.01 元超过到账 r1 的余额 80000.00 元（不得超过到账金额）",
        ),
        (payment(payee="p9"), 422, ["body", "payee"], "收款人 'p9' 不是本案当事人"),
        (payment(receipt="r2"), 422, ["body", "receipt"], "本案没有到账 r2"),
        (payment(key="short"), 422, ["body", "idempotency_key"], None),
    ],
)
def test_api_bad_payments_are_refused_and_change_nothing(web, people, fund_case, body, status, loc, msg):
    case = fund_case()
    before = untouched(case)
    r = post(web(people["lead"]), api(tail="payments"), body)
    assert r.status_code == status
    detail = r.json()["detail"][0]
    assert (detail["loc"][0], detail["loc"][-1]) == (
        loc[0],
        loc[-1],
    )  # ninja's own 422s say ["body", "body", field]
    if msg is not None:
        assert detail["msg"] == msg
    assert untouched(case) == before


def test_api_approval_flow(web, people, fund_case):
    fund_case()
    pending = post(web(people["officer"]), api(tail="payments"), payment(key="api-key-0002")).json()
    assert (pending["status"], pending["entry"], pending["required_role"]) == ("pending", None, "team_lead")
    listed = web(people["lead"]).get("/api/funds/orders").json()
    assert [(o["order"], o["can_approve"]) for o in listed] == [(pending["order"], True)]
    refused = post(web(people["officer"]), f"/api/funds/orders/{pending['order']}/approve", {})
    assert refused.status_code == 403
    assert (
        post(web(people["wenxian"]), f"/api/funds/orders/{pending['order']}/approve", {}).status_code == 404
    )
    done = post(web(people["lead"]), f"/api/funds/orders/{pending['order']}/approve", {"note": "同意"})
    assert (done.status_code, done.json()["status"], done.json()["decided_by"]) == (
        200,
        "executed",
        "wz_lead",
    )
    other = post(
        web(people["officer"]), api(tail="payments"), payment(amount="1.00", key="api-key-0003")
    ).json()
    rejected = post(
        web(people["lead"]), f"/api/funds/orders/{other['order']}/reject", {"reason": "收款账户有误"}
    )
    assert (rejected.json()["status"], rejected.json()["decision_note"]) == ("rejected", "收款账户有误")


def test_api_receipt_deferral_and_lodgement(web, people, fund_case):
    fund_case()
    today = timezone.localdate()
    officer, chief = web(people["officer"]), web(people["chief"])
    r = post(
        officer,
        api(tail="receipts"),
        {"amount": "5000.00", "notice_on": today.isoformat(), "idempotency_key": "api-rec-0001"},
    )
    assert (r.status_code, r.json()["receipt"]) == (201, "r2")
    assert post(officer, api(tail="receipts"), {"amount": 5000, "notice_on": today.isoformat(),
                                                "idempotency_key": "api-rec-0002"}).status_code == 422  # fmt: skip
    # r1 was due 2023-05-06: a deferral approved now stops nothing and is refused.
    late = post(chief, api(tail="deferrals"), {"receipt": "r1", "ground": "需要进行案款分配"})
    assert late.status_code == 422
    assert late.json()["detail"][0] == {"loc": ["body", "approved_on"], "type": "fund_error", "rule": "FUND-2",
                                        "msg": "发放期限已于 2023-05-06 届满，届满后不能再批准延缓发放（FUND-2）"}  # fmt: skip
    assert (
        post(officer, api(tail="deferrals"), {"receipt": "r2", "ground": "需要进行案款分配"}).status_code
        == 403
    )
    ok = post(chief, api(tail="deferrals"), {"receipt": "r2", "ground": "需要进行案款分配"})
    assert (ok.status_code, ok.json()["approved_on"], ok.json()["approved_by"]) == (
        201,
        today.isoformat(),
        "wz_chief",
    )
    ended = post(officer, f"/api/funds/deferrals/{ok.json()['deferral']}/end", {"ends_on": today.isoformat()})
    assert ended.json()["ends_on"] == today.isoformat()
    lodged = post(chief, api(tail="payments"), {"kind": "lodgement", "receipt": "r2", "ground": "申请执行人下落不明",
                                                 "evidence": "公告送达", "idempotency_key": "api-lodge-01"})  # fmt: skip
    assert (lodged.status_code, lodged.json()["amount"], lodged.json()["entry"]["kind"]) == (
        201,
        "5000.00",
        "lodgement",
    )
    account = web(people["officer"]).get(api()).json()
    assert account["totals"] == {"received": "85000.00", "disbursed": "0.00", "lodged": "5000.00", "refunded": "0.00",
                                 "balance": "80000.00"}  # fmt: skip
    assert [r["clock"]["status"] for r in account["receipts"]] == ["overdue", "lodged"]


def test_api_unidentified_money(web, people, fund_case):
    fund_case()
    officer = web(people["officer"])
    made = post(officer, "/api/funds/unidentified", {"amount": "999.00", "arrived_on": "2023-04-01", "payer": "某公司",
                                                      "idempotency_key": "api-unid-001"})  # fmt: skip
    assert made.status_code == 201
    assert [u["amount"] for u in officer.get("/api/funds/unidentified").json()] == ["999.00"]
    assert web(people["wenxian"]).get("/api/funds/unidentified").json() == []
    ages = officer.get("/api/funds/unidentified/ages?as_of=2023-05-20").json()
    assert ages["total"]["buckets"]["31+"] == {"items": 1, "amount": "999.00"}
    assert post(web(people["wenxian"]), f"/api/funds/unidentified/{made.json()['id']}/assign",
                {"case_number": NUMBER}).status_code == 404  # fmt: skip
    assigned = post(officer, f"/api/funds/unidentified/{made.json()['id']}/assign", {"case_number": NUMBER})
    assert (assigned.status_code, assigned.json()["receipt"], assigned.json()["amount"]) == (
        201,
        "r2",
        "999.00",
    )
    assert officer.get("/api/funds/unidentified").json() == []


# -- API: reads and scoping -------------------------------------------------------------------


def test_api_clocks_are_the_check_funds_rows(web, people, fund_case):
    fund_case(
        disbursements=[{"id": "d1", "receipt": "r1", "on": "2023-04-20", "amount": "80000.00", "payee": "p1"}]
    )
    fund_case(seq=1302, receipts=[("r1", "2023-09-14", "125000.00")], claim_amount="125000.00")
    out = io.StringIO()
    call_command("check_cases", "funds", "--as-of", "2023-12-31", "--json", stdout=out)
    cli = json.loads(out.getvalue())
    got = web(people["officer"]).get("/api/funds/clocks?as_of=2023-12-31").json()
    assert got == cli
    assert [(r["due_on"], r["status"]) for r in got] == [("2023-05-06", "on_time"), ("2023-10-16", "overdue")]
    assert web(people["city_chief"]).get("/api/funds/clocks?as_of=2023-12-31").json() == cli
    assert web(people["officer"]).get("/api/funds/clocks?as_of=2023-12-31&status=overdue").json() == cli[1:]
    assert web(people["wenxian"]).get("/api/funds/clocks?as_of=2023-12-31").json() == []
    assert web(people["wenxian"]).get("/api/funds/clocks?court=%E8%B1%AB0823").status_code == 404
    assert web(people["wenxian"]).get(api()).status_code == 404
    assert web().get("/api/funds/clocks").status_code == 401


def test_api_buckets_and_reconciliation(web, people, fund_case):
    fund_case(receipts=[("r1", "2023-05-18", "1000.00"), ("r2", "2023-04-06", "2000.00")],
              disbursements=[{"id": "d1", "receipt": "r2", "on": "2023-05-10", "amount": "500.00", "payee": "p1"}])  # fmt: skip
    got = web(people["officer"]).get("/api/funds/buckets?as_of=2023-05-20&by=handler").json()
    (row,) = got["rows"]
    assert (row["court"], row["team"], row["handler"]) == ("豫0823", "未分组", "王某")
    assert {k: c["amount"] for k, c in row["buckets"].items()} == {
        "0-5": "1000.00", "6-10": "0.00", "11-15": "0.00", "16-30": "0.00", "31+": "1500.00",
    }  # fmt: skip
    assert row["overdue"] == {"receipts": 1, "amount": "1500.00"}
    assert web(people["officer"]).get("/api/funds/buckets?by=province").status_code == 422
    assert web(people["wenxian"]).get("/api/funds/buckets?as_of=2023-05-20").json()["rows"] == []
    rec = web(people["officer"]).get("/api/funds/reconciliation").json()
    assert (rec["total"]["received"], rec["total"]["disbursed"], rec["total"]["balance"], rec["total"]["difference"]) == (
        "3000.00", "500.00", "2500.00", "0.00",
    )  # fmt: skip
    assert rec["differences"] == []


# -- pages -----------------------------------------------------------------------------------


def test_the_account_page_and_its_forms(web, people, fund_case):
    case = fund_case()
    lead = web(people["lead"])
    shown = lead.get(page())
    assert shown.status_code == 200
    text = shown.content.decode()
    assert "案款账户" in text and "超期未发放" in text and "2023-05-06" in text
    bad = lead.post(
        page(tail="disburse"),
        {"receipt": "r1", "amount": "abc", "payee": "p1", "idempotency_key": "form-key-0001"},
    )
    assert bad.status_code == 422
    assert "金额格式不正确" in bad.content.decode()
    over = lead.post(page(tail="disburse"), {"receipt": "r1", "amount": "90000.00", "payee": "p1",
                                             "idempotency_key": "form-key-0002"})  # fmt: skip
    assert over.status_code == 422
    assert "超过到账 r1 的余额 80000.00 元" in over.content.decode()
    form = {"receipt": "r1", "amount": "80000.00", "payee": "p1", "idempotency_key": "form-key-0003"}
    done = lead.post(page(tail="disburse"), form)
    assert (done.status_code, done["Location"]) == (302, page())
    assert lead.post(page(tail="disburse"), form).status_code == 302  # a resent form pays once
    assert list(Disbursement.objects.filter(case=case).values_list("amount", flat=True)) == [
        Decimal("80000.00")
    ]
    assert "发放 80,000.00 元已执行" in lead.get(page()).content.decode()
    assert web(people["wenxian"]).get(page()).status_code == 404
    assert "本案不属本院" in web(people["city_chief"]).get(page()).content.decode()
    assert web(people["city_chief"]).post(page(tail="receipt"), {"amount": "1.00", "notice_on": "2023-06-01",
                                                                "idempotency_key": "form-key-0004"}).status_code == 403  # fmt: skip


def test_the_deferral_and_receipt_forms(web, people, fund_case):
    case = fund_case()
    today = timezone.localdate().isoformat()
    officer = web(people["officer"])
    assert officer.post(page(tail="receipt"), {"amount": "700.00", "notice_on": today,
                                               "idempotency_key": "form-key-0005"}).status_code == 302  # fmt: skip
    refused = web(people["chief"]).post(page(tail="defer"), {"receipt": "r1", "ground": "需要进行案款分配"})
    assert refused.status_code == 422
    assert "届满后不能再批准延缓发放" in refused.content.decode()
    assert (
        web(people["chief"])
        .post(page(tail="defer"), {"receipt": "r2", "ground": "需要进行案款分配"})
        .status_code
        == 302
    )
    deferral = Deferral.objects.get(case=case)
    assert officer.post(f"/funds/deferrals/{deferral.pk}/end/", {"ends_on": today}).status_code == 302
    deferral.refresh_from_db()
    assert deferral.ends_on == date.fromisoformat(today)


def test_orders_page_and_unidentified_page(web, people, fund_case):
    case = fund_case()
    officer, lead = web(people["officer"]), web(people["lead"])
    officer.post(
        page(tail="disburse"),
        {"receipt": "r1", "amount": "100.00", "payee": "p1", "idempotency_key": "form-key-0006"},
    )
    order = PaymentOrder.objects.get(case=case)
    assert "待团队负责人审批" in officer.get("/funds/orders/").content.decode()
    assert officer.post(f"/funds/orders/{order.pk}/approve/", {}).status_code == 403
    assert lead.post(f"/funds/orders/{order.pk}/approve/", {"note": ""}).status_code == 302
    order.refresh_from_db()
    assert order.status == "executed"
    assert officer.post("/funds/unidentified/", {"amount": "1.5", "arrived_on": "2023-04-01",
                                                  "idempotency_key": "form-key-0007"}).status_code == 302  # fmt: skip
    item = UnidentifiedReceipt.objects.get()
    assert item.amount == Decimal("1.50")
    assert "1.50" in officer.get("/funds/unidentified/").content.decode()
    assert "1.50" not in web(people["wenxian"]).get("/funds/unidentified/").content.decode()
    assigned = officer.post(f"/funds/unidentified/{item.pk}/assign/", {"case_number": NUMBER})
    assert (assigned.status_code, assigned["Location"]) == (302, page())
    assert CaseAccount.objects.get(case=case).received == Decimal("80001.50")


def test_the_report_page(web, people, fund_case):
    fund_case()
    shown = web(people["officer"]).get("/funds/?as_of=2023-05-20&by=team")
    assert shown.status_code == 200
    text = shown.content.decode()
    assert "未发放案款" in text and "80,000.00" in text and "未分组" in text
    assert "80,000.00" not in web(people["wenxian"]).get("/funds/?as_of=2023-05-20").content.decode()
    partial = web(people["officer"]).get("/funds/?as_of=2023-05-20", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert Case.objects.count() == 1
