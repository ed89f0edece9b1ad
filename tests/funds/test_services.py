"""Fund services (funds/services.py): receipts, payments with approvals by amount,
deferrals, lodgements, refunds, unidentified money — and that bad input changes nothing.

Calendar facts: a receipt noticed 2023-04-06 is due 2023-05-06, a 调休 make-up Saturday
(FUND-1, PER-3); the day after is a plain Sunday.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from zhixing.funds import services
from zhixing.funds.models import (
    CaseAccount,
    Deferral,
    DeferralGround,
    Disbursement,
    FundLog,
    Lodgement,
    LodgementGround,
    PaymentOrder,
    Receipt,
    Refund,
    UnidentifiedReceipt,
)
from zhixing.funds.services import Conflict, Done, Forbidden, FundError, NotFound
from zhixing.metrics.models import ReceiptFact

pytestmark = pytest.mark.django_db

APR20 = date(2023, 4, 20)


def D(s: str) -> date:
    return date.fromisoformat(s)


def state(case) -> tuple:
    """Everything a refused action must leave as it was."""
    receipts = tuple(
        Receipt.objects.filter(case=case).order_by("pk").values_list("local_id", "amount", "paid_out")
    )
    account = (
        CaseAccount.objects.filter(case=case)
        .values_list("received", "disbursed", "lodged", "refunded")
        .first()
    )
    return (
        receipts,
        account,
        Disbursement.objects.filter(case=case).count(),
        Lodgement.objects.filter(case=case).count(),
        Deferral.objects.filter(case=case).count(),
        PaymentOrder.objects.filter(case=case).count(),
    )


def pay(user, case, amount="30000.00", key="key-00000001", payee="p1", today=APR20, receipt="r1") -> Done:
    return services.disburse(
        user, case, receipt=receipt, amount=amount, payee=payee, idempotency_key=key, today=today
    )


# -- disbursements and approvals by amount ------------------------------------------------


def test_a_team_lead_pays_up_to_100000_at_once_with_who_and_when(people, fund_case):
    case = fund_case()
    done = pay(people["lead"], case)
    order = done.value
    assert (done.replayed, order.status, order.required_role, order.decided_by) == (
        False,
        "executed",
        "team_lead",
        people["lead"],
    )
    assert order.decided_at is not None
    d = order.disbursement
    assert (d.local_id, d.on, d.amount, d.payee, d.idempotency_key) == (
        "d1",
        APR20,
        Decimal("30000.00"),
        "p1",
        "key-00000001",
    )
    assert (d.recorded_by, d.source) == (people["lead"], "form")
    receipt = Receipt.objects.get(case=case)
    assert receipt.paid_out == Decimal("30000.00")
    account = CaseAccount.objects.get(case=case)
    assert (account.number, account.received, account.disbursed, account.balance) == (
        f"豫0823{case.pk:010d}", Decimal("80000.00"), Decimal("30000.00"), Decimal("50000.00"),
    )  # fmt: skip
    assert list(FundLog.objects.filter(case=case).values_list("action", "actor__username")) == [
        ("payment_requested", "wz_lead"),
        ("payment_executed", "wz_lead"),
    ]


def test_an_officers_request_waits_for_the_team_lead(people, fund_case):
    case = fund_case()
    order = pay(people["officer"], case).value
    assert (order.status, order.required_role, order.disbursement) == ("pending", "team_lead", None)
    assert Receipt.objects.get(case=case).paid_out == 0
    assert [(o.pk, can) for o, can in services.pending_orders(people["lead"])] == [(order.pk, True)]
    assert [(o.pk, can) for o, can in services.pending_orders(people["officer"])] == [(order.pk, False)]
    with pytest.raises(Forbidden):
        services.approve_payment(people["officer"], order.pk, today=APR20)
    done = services.approve_payment(people["lead"], order.pk, note="同意", today=D("2023-04-21"))
    order = done.value
    assert (order.status, order.decided_by, order.decision_note, order.disbursement.on) == (
        "executed", people["lead"], "同意", D("2023-04-21"),
    )  # fmt: skip
    assert order.disbursement.recorded_by == people["officer"]  # who asked; the approver is on the order
    assert services.approve_payment(people["lead"], order.pk).replayed is True
    assert Disbursement.objects.filter(case=case).count() == 1


def test_above_100000_needs_the_bureau_chief(people, fund_case):
    case = fund_case(receipts=[("r1", "2023-04-06", "150000.00")], claim_amount="150000.00")
    at_limit = pay(people["lead"], case, amount="100000.00", key="key-limit-1").value
    assert (at_limit.status, at_limit.required_role) == ("executed", "team_lead")  # 以下 includes the amount
    above = pay(people["lead"], case, amount="50000.00", key="key-above-1").value  # 50,000 is under: done
    assert above.status == "executed"
    case2 = fund_case(seq=1302, receipts=[("r1", "2023-04-06", "150000.00")], claim_amount="150000.00")
    big = pay(people["lead"], case2, amount="100000.01", key="key-big-0001").value
    assert (big.status, big.required_role) == ("pending", "bureau_chief")
    with pytest.raises(Forbidden) as refused:
        services.approve_payment(people["lead"], big.pk, today=APR20)
    assert refused.value.message == "100000.01 元的发放须由执行局长或更高级别审批"
    # The 中院's chief sees the order but does not move 武陟's money.
    with pytest.raises(Forbidden):
        services.approve_payment(people["city_chief"], big.pk, today=APR20)
    assert services.approve_payment(people["chief"], big.pk, today=APR20).value.status == "executed"


def test_a_court_configures_its_own_thresholds(people, fund_case, courts):
    with pytest.raises(Forbidden):
        services.set_thresholds(
            people["lead"], courts["豫0823"], [("20000", "team_lead"), (None, "bureau_chief")]
        )
    with pytest.raises(FundError) as bad:
        services.set_thresholds(
            people["chief"], courts["豫0823"], [("20000", "bureau_chief"), (None, "team_lead")]
        )
    assert bad.value.message == "金额越高，审批级别不能越低"
    table = services.set_thresholds(
        people["chief"], courts["豫0823"], [("20000.00", "team_lead"), (None, "bureau_chief")]
    )
    assert table == ((Decimal("20000.00"), "team_lead"), (None, "bureau_chief"))
    assert services.thresholds_for(courts["豫0825"])[0] == (Decimal("100000.00"), "team_lead")  # the default
    # The 中院's table covers its basic courts that have none.
    services.set_thresholds(
        people["city_chief"], courts["豫08"], [("5000", "team_lead"), (None, "president")]
    )
    assert services.thresholds_for(courts["豫0825"]) == (
        (Decimal("5000.00"), "team_lead"),
        (None, "president"),
    )
    assert services.thresholds_for(courts["豫0823"])[0] == (Decimal("20000.00"), "team_lead")
    order = pay(people["lead"], fund_case(), amount="30000.00").value
    assert (order.status, order.required_role) == ("pending", "bureau_chief")


def test_partial_payments_then_the_rest_and_the_clock(people, fund_case):
    case = fund_case()
    pay(people["lead"], case, "30000.00", "key-part-001", today=D("2023-04-10"))
    pay(people["lead"], case, "50000.00", "key-part-002", today=D("2023-05-08"))
    (row,) = services.clock_rows(case.__class__.objects.filter(pk=case.pk), D("2023-12-31"))
    assert (row["due_on"], row["disbursed"], row["disbursed_on"], row["status"]) == (
        "2023-05-06",
        "80000.00",
        "2023-05-08",
        "late",
    )
    fact = ReceiptFact.objects.get(case=case)  # facts refreshed in the same transaction
    assert (fact.due_on, fact.fully_disbursed_on, fact.lodged) == (D("2023-05-06"), D("2023-05-08"), False)
    assert services.account_summary(case, D("2023-12-31"))["totals"] == {
        "received": "80000.00", "disbursed": "80000.00", "lodged": "0.00", "refunded": "0.00", "balance": "0.00",
    }  # fmt: skip


def test_paid_on_the_make_up_saturday_is_on_time(people, fund_case):
    case = fund_case()
    pay(people["lead"], case, "80000.00", today=D("2023-05-06"))
    (row,) = services.clock_rows(case.__class__.objects.filter(pk=case.pk), D("2023-05-06"))
    assert (row["due_on"], row["disbursed_on"], row["status"]) == ("2023-05-06", "2023-05-06", "on_time")


# -- bad input: refused, nothing changes ------------------------------------------------------


def test_a_disbursement_over_the_balance_is_refused_and_changes_nothing(people, fund_case):
    case = fund_case()
    pay(people["lead"], case, "60000.00", "key-first-01")
    before = state(case)
    with pytest.raises(FundError) as refused:
        pay(people["lead"], case, "20000.01", "key-second-1")
    assert (refused.value.field, refused.value.rule) == ("amount", "FUND-1")
    assert refused.value.message == "金额 20000.01 元超过到账 r1 的余额 20000.00 元（不得超过到账金额）"
    assert state(case) == before
    # An officer's request over the balance is refused at once too, not left pending.
    with pytest.raises(FundError):
        pay(people["officer"], case, "20000.01", "key-third-01")
    assert state(case) == before


def test_the_same_key_pays_once(people, fund_case):
    case = fund_case()
    first = pay(people["lead"], case, "30000.00", "key-retry-01")
    again = pay(people["lead"], case, "30000.00", "key-retry-01")
    assert (again.replayed, again.value.pk, again.value.disbursement_id) == (
        True,
        first.value.pk,
        first.value.disbursement_id,
    )
    before = state(case)
    with pytest.raises(Conflict) as refused:
        pay(people["lead"], case, "40000.00", "key-retry-01")
    assert (refused.value.field, refused.value.message) == (
        "idempotency_key",
        "该幂等键已用于另一笔出款申请，不会重复出款",
    )
    with pytest.raises(Conflict):
        pay(people["lead"], fund_case(seq=1302), "30000.00", "key-retry-01")  # same key, another case
    assert state(case) == before
    assert Receipt.objects.get(case=case).paid_out == Decimal("30000.00")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-100.00", "金额必须大于 0"),
        ("0.00", "金额必须大于 0"),
        (100.5, '金额必须是精确的十进制数（如 "80000.00"），不能是浮点数'),
        ("100.005", "金额格式不正确：'100.005'（应为如 80000.00 的数字，最多两位小数）"),
        ("1e3", "金额格式不正确：'1e3'（应为如 80000.00 的数字，最多两位小数）"),
        (Decimal("-5"), "金额必须大于 0"),
        (None, '金额必须是精确的十进制数（如 "80000.00"）'),
    ],
)
def test_negative_float_and_malformed_amounts_are_refused(people, fund_case, amount, message):
    case = fund_case()
    before = state(case)
    with pytest.raises(FundError) as refused:
        pay(people["lead"], case, amount)
    assert (refused.value.field, refused.value.message) == ("amount", message)
    assert state(case) == before


def test_a_payee_who_is_not_a_party_is_refused(people, fund_case):
    case = fund_case()
    before = state(case)
    with pytest.raises(FundError) as refused:
        pay(people["lead"], case, payee="p9")
    assert (refused.value.field, refused.value.message) == ("payee", "收款人 'p9' 不是本案当事人")
    assert state(case) == before


def test_an_unknown_receipt_or_key_is_refused(people, fund_case):
    case = fund_case()
    with pytest.raises(FundError) as refused:
        pay(people["lead"], case, receipt="r7")
    assert (refused.value.field, refused.value.message) == ("receipt", "本案没有到账 r7")
    with pytest.raises(FundError) as no_key:
        pay(people["lead"], case, key="")
    assert no_key.value.field == "idempotency_key"


def test_other_courts_do_not_move_the_money(people, fund_case):
    case = fund_case()
    for who in ("city_chief", "wenxian"):
        with pytest.raises(Forbidden) as refused:
            pay(people[who], case)
        assert refused.value.message == "只能办理本院案件的案款"
    order = pay(people["officer"], case).value
    with pytest.raises(NotFound):
        services.approve_payment(people["wenxian"], order.pk)  # cannot even see it


# -- deferral (FUND-2) ------------------------------------------------------------------------


def test_a_deferral_on_the_due_day_moves_it_and_after_it_is_refused(people, fund_case):
    case = fund_case()
    before = state(case)
    with pytest.raises(FundError) as late:
        services.approve_deferral(people["chief"], case, receipt="r1", ground=DeferralGround.DISTRIBUTION,
                                  today=D("2023-05-07"))  # fmt: skip
    assert (late.value.field, late.value.rule) == ("approved_on", "FUND-2")
    assert late.value.message == "发放期限已于 2023-05-06 届满，届满后不能再批准延缓发放（FUND-2）"
    assert state(case) == before
    deferral = services.approve_deferral(people["chief"], case, receipt="r1", ground=DeferralGround.DISTRIBUTION,
                                         today=D("2023-05-06")).value  # fmt: skip
    assert (deferral.approved_on, deferral.approved_by, deferral.ends_on) == (
        D("2023-05-06"),
        people["chief"],
        None,
    )
    qs = case.__class__.objects.filter(pk=case.pk)
    (row,) = services.clock_rows(qs, D("2023-06-01"))
    assert (row["due_on"], row["status"]) == (None, "deferred")
    services.end_deferral(people["officer"], deferral.pk, ends_on=D("2023-05-20"), today=D("2023-05-22"))
    (row,) = services.clock_rows(qs, D("2023-05-30"))
    assert (row["due_on"], row["status"]) == ("2023-05-30", "overdue")  # ends_on + 10 days (FUND-2)
    assert ReceiptFact.objects.get(case=case).due_on == D("2023-05-30")
    with pytest.raises(Conflict):
        services.end_deferral(people["officer"], deferral.pk, ends_on=D("2023-05-21"), today=D("2023-05-22"))
    assert services.end_deferral(
        people["officer"], deferral.pk, ends_on=D("2023-05-20"), today=D("2023-05-22")
    ).replayed


def test_only_the_bureau_chief_or_a_leader_defers_on_a_listed_ground(people, fund_case):
    case = fund_case()
    with pytest.raises(Forbidden) as refused:
        services.approve_deferral(
            people["lead"], case, receipt="r1", ground=DeferralGround.DISTRIBUTION, today=APR20
        )
    assert refused.value.message == "延缓发放须经执行局局长或主管院领导批准（FUND-2）"
    with pytest.raises(FundError) as ground:
        services.approve_deferral(people["chief"], case, receipt="r1", ground="领导出差", today=APR20)
    assert ground.value.field == "ground"
    with pytest.raises(FundError) as detail:
        services.approve_deferral(
            people["chief"], case, receipt="r1", ground=DeferralGround.OTHER, today=APR20
        )
    assert detail.value.field == "detail"
    assert Deferral.objects.count() == 0


def test_nothing_to_defer_once_paid(people, fund_case):
    case = fund_case()
    pay(people["lead"], case, "80000.00")
    with pytest.raises(FundError) as refused:
        services.approve_deferral(
            people["chief"], case, receipt="r1", ground=DeferralGround.DISTRIBUTION, today=APR20
        )
    assert refused.value.message == "到账 r1 已无余额，无需延缓发放"


# -- lodgement (FUND-3) and refund --------------------------------------------------------------


def test_a_lodgement_takes_the_whole_balance_and_discharges_the_clock(people, fund_case):
    case = fund_case()
    pay(people["lead"], case, "30000.00")
    with pytest.raises(FundError) as no_evidence:
        services.lodge(people["lead"], case, receipt="r1", ground=LodgementGround.MISSING, evidence=" ",
                       idempotency_key="key-lodge-01", today=D("2023-05-05"))  # fmt: skip
    assert (no_evidence.value.field, no_evidence.value.rule) == ("evidence", "FUND-3")
    with pytest.raises(FundError):
        services.lodge(people["lead"], case, receipt="r1", ground="不想发", evidence="无",
                       idempotency_key="key-lodge-01", today=D("2023-05-05"))  # fmt: skip
    order = services.lodge(people["lead"], case, receipt="r1", ground=LodgementGround.MISSING,
                           evidence="公告送达回证；村委会证明", idempotency_key="key-lodge-01",
                           today=D("2023-05-05")).value  # fmt: skip
    assert (order.status, order.amount, order.lodgement.amount, order.lodgement.on) == (
        "executed", Decimal("50000.00"), Decimal("50000.00"), D("2023-05-05"),
    )  # fmt: skip
    (row,) = services.clock_rows(case.__class__.objects.filter(pk=case.pk), D("2023-12-31"))
    assert (row["status"], row["lodged_on"]) == ("lodged", "2023-05-05")
    assert ReceiptFact.objects.get(case=case).lodged is True
    with pytest.raises(FundError) as empty:
        pay(people["lead"], case, "0.01", "key-after-lodge")
    assert empty.value.message == "金额 0.01 元超过到账 r1 的余额 0.00 元（不得超过到账金额）"
    assert CaseAccount.objects.get(case=case).balance == 0


def test_a_refund_leaves_as_a_disbursement_and_counts_as_refunded(people, fund_case):
    case = fund_case()
    pay(people["lead"], case, "70000.00")
    order = services.refund(people["lead"], case, receipt="r1", amount="10000.00", reason="被执行人多缴",
                            idempotency_key="key-refund-1", today=D("2023-04-21")).value  # fmt: skip
    assert (order.status, order.payee_name) == ("executed", "武陟县某建材有限公司")  # default: the payer
    refund = Refund.objects.get()
    assert (refund.disbursement.local_id, refund.disbursement.amount, refund.disbursement.payee) == (
        "d2",
        Decimal("10000.00"),
        "",
    )
    summary = services.account_summary(case, D("2023-12-31"))
    assert summary["totals"] == {"received": "80000.00", "disbursed": "70000.00", "lodged": "0.00", "refunded": "10000.00",
                                 "balance": "0.00"}  # fmt: skip
    assert summary["receipts"][0]["clock"]["status"] == "on_time"  # fully out by 04-21
    with pytest.raises(FundError) as no_reason:
        services.refund(
            people["lead"], case, receipt="r1", amount="1.00", reason="", idempotency_key="key-refund-2"
        )
    assert no_reason.value.field == "ground"


# -- receipts and unidentified money ------------------------------------------------------------


def test_recording_a_receipt_opens_the_account_from_imported_history(people, fund_case):
    case = fund_case(
        disbursements=[{"id": "d1", "receipt": "r1", "on": "2023-04-20", "amount": "80000.00", "payee": "p1"}]
    )
    done = services.record_receipt(people["officer"], case, amount="5000.00", notice_on=D("2023-06-01"), payer="李某",
                                   idempotency_key="key-rec-0001", today=D("2023-06-02"))  # fmt: skip
    r = done.value
    assert (r.local_id, r.amount, r.paid_out, r.recorded_by, r.source) == (
        "r2",
        Decimal("5000.00"),
        0,
        people["officer"],
        "form",
    )
    account = CaseAccount.objects.get(case=case)
    assert (account.received, account.disbursed, account.balance) == (
        Decimal("85000.00"),
        Decimal("80000.00"),
        Decimal("5000.00"),
    )
    assert services.record_receipt(people["officer"], case, amount="5000.00", notice_on=D("2023-06-01"),
                                   idempotency_key="key-rec-0001", today=D("2023-06-02")).replayed  # fmt: skip
    with pytest.raises(FundError) as future:
        services.record_receipt(people["officer"], case, amount="1.00", notice_on=D("2023-06-03"),
                                idempotency_key="key-rec-0002", today=D("2023-06-02"))  # fmt: skip
    assert future.value.message == "到账通知日期不能晚于今天"
    assert Receipt.objects.filter(case=case).count() == 2
    assert ReceiptFact.objects.filter(case=case).count() == 2


def test_unidentified_money_is_assigned_to_a_case_of_its_court(people, fund_case, courts):
    case = fund_case(receipts=())
    item = services.record_unidentified(people["officer"], amount="12345.67", arrived_on=D("2023-04-01"), payer="某公司",
                                        reference="货款", idempotency_key="key-unid-001", today=D("2023-04-01")).value  # fmt: skip
    assert item.court == courts["豫0823"]
    other = fund_case(seq=9, court_code="豫0825", receipts=())
    with pytest.raises(FundError) as wrong_court:
        services.assign_unidentified(people["wenxian"], item.pk, other, today=D("2023-04-03"))
    assert wrong_court.value.status == 404  # 温县 cannot see 武陟's money
    receipt = services.assign_unidentified(people["officer"], item.pk, case, today=D("2023-04-03")).value
    assert (receipt.local_id, receipt.amount, receipt.notice_on, receipt.payer) == (
        "r1",
        Decimal("12345.67"),
        D("2023-04-03"),
        "某公司",
    )
    item.refresh_from_db()
    assert (item.receipt, item.assigned_on, item.assigned_by) == (receipt, D("2023-04-03"), people["officer"])
    assert services.assign_unidentified(people["officer"], item.pk, case, today=D("2023-04-04")).replayed
    with pytest.raises(Conflict):
        services.assign_unidentified(
            people["officer"], item.pk, fund_case(seq=10, receipts=()), today=D("2023-04-04")
        )
    (row,) = services.clock_rows(case.__class__.objects.filter(pk=case.pk), D("2023-04-03"))
    assert (row["receipt"], row["due_on"], row["status"]) == (
        "r1",
        "2023-05-04",
        "pending",
    )  # 05-03 is Labour Day break
    assert UnidentifiedReceipt.objects.filter(receipt__isnull=True).count() == 0


def test_imported_history_that_overpays_is_not_built_upon(people, fund_case):
    # A receipt whose imported disbursements exceed it cannot be valid bundle input, but an
    # imported lodgement plus disbursements can look odd: the ledger reads the lodgement
    # as what was never paid (here nothing), so the account opens balanced.
    case = fund_case(
        disbursements=[
            {"id": "d1", "receipt": "r1", "on": "2023-05-09", "amount": "80000.00", "payee": "p1"}
        ],
        lodgements=[{"receipt": "r1", "on": "2023-05-08", "ground": "申请执行人下落不明"}],
    )
    services.record_receipt(people["officer"], case, amount="1.00", notice_on=D("2023-06-01"), idempotency_key="key-rec-0003",
                            today=D("2023-06-01"))  # fmt: skip
    account = CaseAccount.objects.get(case=case)
    assert (account.disbursed, account.lodged, account.balance) == (
        Decimal("80000.00"),
        Decimal("0.00"),
        Decimal("1.00"),
    )
