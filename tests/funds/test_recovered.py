"""执行到位 follows the money (KPI-8, IND-05, AID-7, FUND-1/4/7).

王某, an officer of 武陟县法院 (豫0823), handles （2023）豫0823执1301号: 张某 applies for
80,000.00 yuan against 武陟县某建材有限公司. Money 王某 records through zhixing moves the
case's 执行到位 (``recovered_amount``) at once, in the same transaction: the case page,
the API, the party portal and IND-05 then agree. 李队长 (team lead) approves payments,
赵局长 (bureau chief) closes the case by 终本 over the failed checks.

The import keeps a bundle's ``recovered_amount`` exactly; an export carries what
zhixing added, and importing that export counts nothing twice.
"""

from __future__ import annotations

import re
import threading
from datetime import date
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from zhixing.cases.models import Case
from zhixing.cases.services import export_lines
from zhixing.funds import rules, services
from zhixing.funds.models import CaseAccount, FundLog, ReceiptKind
from zhixing.funds.services import FundError
from zhixing.metrics.engine import Window
from zhixing.metrics.models import CaseFact
from zhixing.metrics.services import indicator_report

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
NUMBER = "（2023）豫0823执1301号"
NOTICE = date(2023, 4, 6)
PAID = date(2023, 4, 20)
APPLICANT_ID = "410823198503122036"  # 张某, conftest.make_id_number(): region 410823, 1985-03-12, seq 203


def recovered(case: Case) -> Decimal:
    return Case.objects.get(pk=case.pk).recovered_amount


def fact_cents(case: Case) -> int:
    return CaseFact.objects.get(case_id=case.pk).recovered_cents


def ind05(court: str = "豫0823") -> tuple:
    from zhixing.courts.models import Court

    rep = indicator_report(
        Window(date(2023, 1, 1), date(2023, 12, 31), date(2023, 12, 31)), Court.objects.get(code=court)
    )
    fig = rep["total"]["indicators"]["IND-05"]
    return fig["numerator"], fig["denominator"], fig["value"]


def amount_shown(html: str, label: str) -> str:
    """The amount beside ``label`` on a page, thousands separators removed (the pages may
    group digits; the amount must be the same)."""
    m = re.search(rf"<dt>{label}</dt>\s*<dd>([^<]*)</dd>", html)
    assert m, f"{label} not on the page"
    return m.group(1).replace(",", "").strip()


def make_1301(fund_case, bundle_case, **fields) -> Case:
    applicant = bundle_case.applicant("p1", name="张某", phone="13800001111")
    assert applicant["id_number"] == APPLICANT_ID
    return fund_case(
        seq=1301, receipts=(), claim_amount="80000.00", parties=[applicant, bundle_case.debtor()], **fields
    )


@pytest.fixture
def case_1301(fund_case, bundle_case):
    """The case as imported: nothing received yet, 执行到位 0.00; 张某 has a phone."""
    return make_1301(fund_case, bundle_case)


def receive(
    user,
    case,
    amount: str,
    key: str,
    *,
    kind: str = ReceiptKind.EXECUTION,
    payer: str = "武陟县某建材有限公司",
):
    return services.record_receipt(
        user, case, amount=amount, notice_on=NOTICE, payer=payer, idempotency_key=key, kind=kind, today=NOTICE
    ).value


def pay_out(people, case, receipt: str, amount: str, key: str) -> None:
    """王某 asks to pay 张某; 李队长 approves (within the team lead's 100,000 yuan)."""
    order = services.disburse(
        people["officer"], case, receipt=receipt, amount=amount, payee="p1", idempotency_key=key, today=PAID
    ).value
    assert order.status == "pending"
    assert services.approve_payment(people["lead"], order.pk, today=PAID).value.status == "executed"


# -- 王某 receives 30,000.00 and pays it out -----------------------------------------------------


@pytest.mark.django_db
def test_receipt_and_payment_show_the_same_amount_everywhere(people, case_1301, settings):
    case = case_1301
    assert (recovered(case), fact_cents(case)) == (Decimal("0.00"), 0)
    version = Case.objects.get(pk=case.pk).version

    receipt = receive(people["officer"], case, "30000.00", "recv-1301-0001")
    # Counted on its day, in the receipt's own transaction: the case, its version, its facts.
    assert (receipt.local_id, receipt.kind) == ("r1", "execution")
    assert recovered(case) == Decimal("30000.00")
    assert Case.objects.get(pk=case.pk).version == version + 1
    assert fact_cents(case) == 3_000_000

    pay_out(people, case, "r1", "30000.00", "pay-1301-0001")
    # Paying it out moves money already counted: not counted again.
    assert recovered(case) == Decimal("30000.00")
    assert fact_cents(case) == 3_000_000

    officer = Client()
    officer.force_login(people["officer"])
    page = officer.get(f"/cases/{quote(NUMBER)}/")
    assert page.status_code == 200
    assert amount_shown(page.content.decode(), "执行到位") == "30000.00 元"

    api = officer.get(f"/api/cases/{quote(NUMBER)}")
    assert api.status_code == 200
    assert api.json()["recovered_amount"] == "30000.00"

    # 张某 opens the case in the portal (no notifier: the ID number opens it directly).
    cache.clear()
    settings.PORTAL_NOTIFIER = "none"
    party = Client()
    r = party.post("/portal/", {"case_number": NUMBER, "identifier": APPLICANT_ID})
    assert r.status_code == 302 and r["Location"] == "/portal/case/"
    html = party.get("/portal/case/").content.decode()
    cache.clear()
    assert amount_shown(html, "执行到位") == "30000.00 元"
    total = re.search(r"合计已发放 <strong>([^<]*)</strong> 元", html)
    assert total and total.group(1).replace(",", "") == "30000.00"


@pytest.mark.django_db
def test_ind05_counts_the_money_once_the_case_is_closed(people, fund_case, bundle_case):
    from zhixing.termination.services import close_by_termination

    events = [
        *bundle_case.key_node_events("2023-03-10"),
        bundle_case.ev("termination_ruling", "2023-06-20"),
        bundle_case.ev("ruling_served", "2023-06-25"),
    ]
    case = make_1301(fund_case, bundle_case, events=events)
    receive(people["officer"], case, "30000.00", "recv-1301-0002")
    pay_out(people, case, "r1", "30000.00", "pay-1301-0002")
    # Open: IND-05 counts closed cases only.
    assert ind05() == ("0.00", "0.00", None)

    close_by_termination(
        case.pk,
        user=people["chief"],
        expected_version=None,
        closed_on=date(2023, 6, 30),
        override_reason="被执行人名下已无其他可供执行财产，申请执行人同意终本",
    )
    assert ind05() == ("30000.00", "80000.00", "0.3750")


# -- what does not count, what takes it back -------------------------------------------------------


@pytest.mark.django_db
def test_relief_and_fees_do_not_count(people, case_1301):
    """AID-7: 司法救助金 paid into the case account is not 执行到位; nor are fees."""
    case = case_1301
    receive(
        people["officer"],
        case,
        "5000.00",
        "recv-relief-01",
        kind=ReceiptKind.RELIEF,
        payer="武陟县司法救助资金",
    )
    receive(people["officer"], case, "300.00", "recv-fees-0001", kind=ReceiptKind.FEES, payer="张某")
    assert recovered(case) == Decimal("0.00")
    assert fact_cents(case) == 0
    assert CaseAccount.objects.get(case=case).received == Decimal("5300.00")  # the money did arrive

    receive(people["officer"], case, "1200.50", "recv-exec-0001")
    assert recovered(case) == Decimal("1200.50")


@pytest.mark.django_db
def test_unknown_kind_is_refused_naming_the_field(people, case_1301):
    with pytest.raises(FundError) as e:
        receive(people["officer"], case_1301, "100.00", "recv-kind-0001", kind="救助")
    assert (e.value.field, e.value.rule) == ("kind", "AID-7")
    assert e.value.message == "款项性质应为 执行款、司法救助金、案件受理费、执行费 之一"
    assert recovered(case_1301) == Decimal("0.00")


@pytest.mark.django_db
def test_a_refund_reverses_the_receipt(people, case_1301):
    """A receipt taken back (退款 to the payer, approved by 李队长) no longer counts."""
    case = case_1301
    receive(people["officer"], case, "30000.00", "recv-1301-0003")
    pay_out(people, case, "r1", "20000.00", "pay-1301-0003")
    order = services.refund(
        people["lead"], case, receipt="r1", amount="10000.00", reason="被执行人多付，退回多付部分",
        idempotency_key="refund-1301-0001", today=PAID,
    ).value  # fmt: skip
    assert order.status == "executed"
    assert recovered(case) == Decimal("20000.00")
    assert fact_cents(case) == 2_000_000

    # Refunding relief money takes back nothing that counted.
    receive(
        people["officer"], case, "5000.00", "recv-relief-02", kind=ReceiptKind.RELIEF, payer="司法救助资金"
    )
    services.refund(
        people["lead"], case, receipt="r2", amount="5000.00", reason="救助金退回", idempotency_key="refund-1301-0002",
        today=PAID,
    )  # fmt: skip
    assert recovered(case) == Decimal("20000.00")


@pytest.mark.django_db
def test_unidentified_money_counts_when_assigned(people, case_1301):
    """FUND-6: money no case claims counts for none until it is tied to this case."""
    item = services.record_unidentified(
        people["officer"], amount="4500.00", arrived_on=NOTICE, payer="某公司", idempotency_key="unid-1301-0001",
        today=NOTICE,
    ).value  # fmt: skip
    assert recovered(case_1301) == Decimal("0.00")
    services.assign_unidentified(people["officer"], item.pk, case_1301, today=NOTICE)
    assert recovered(case_1301) == Decimal("4500.00")


@pytest.mark.django_db
def test_direct_payment_counts_once(people, case_1301):
    """FUND-7: the debtor paid 张某 directly; a repeated request counts nothing more."""
    case = case_1301
    done = services.record_direct_payment(
        people["officer"], case, amount="8000.00", paid_on=date(2023, 5, 8), idempotency_key="direct-1301-01",
        note="申请执行人确认收到", today=date(2023, 5, 9),
    )  # fmt: skip
    assert not done.replayed
    again = services.record_direct_payment(
        people["officer"], case, amount="8000.00", paid_on=date(2023, 5, 8), idempotency_key="direct-1301-01",
        today=date(2023, 5, 9),
    )  # fmt: skip
    assert again.replayed and again.value.pk == done.value.pk
    assert recovered(case) == Decimal("8000.00")
    assert FundLog.objects.filter(case=case, action="direct_payment").count() == 1
    assert CaseAccount.objects.filter(case=case).exists() is False  # nothing passed through the account
    with pytest.raises(FundError) as e:
        services.record_direct_payment(
            people["officer"], case, amount="9000.00", paid_on=date(2023, 5, 8), idempotency_key="direct-1301-01",
            today=date(2023, 5, 9),
        )  # fmt: skip
    assert e.value.field == "idempotency_key"
    assert recovered(case) == Decimal("8000.00")


@pytest.mark.django_db
def test_another_courts_officer_moves_nothing(people, case_1301):
    with pytest.raises(FundError) as e:
        receive(people["wenxian"], case_1301, "1000.00", "recv-wx-00001")
    assert e.value.field == "case"
    assert recovered(case_1301) == Decimal("0.00")


# -- the import keeps the bundle's value; export → import gives it back ----------------------------


@pytest.mark.django_db
def test_import_keeps_the_bundles_value(people, fund_case):
    """The bundle's receipts (80,000.00) are not added to its recovered_amount (12,345.67):
    the bundle's value is the truth at import; only acts recorded afterwards move it."""
    case = fund_case(seq=1401, recovered_amount="12345.67")
    assert recovered(case) == Decimal("12345.67")
    assert fact_cents(case) == 1_234_567
    receive(people["officer"], case, "1000.00", "recv-1401-0001")
    assert recovered(case) == Decimal("13345.67")


@pytest.mark.django_db
def test_export_import_round_trip(people, case_1301, import_cases):
    import json

    case = case_1301
    receive(people["officer"], case, "30000.00", "recv-1301-0004")
    pay_out(people, case, "r1", "30000.00", "pay-1301-0004")
    (line,) = list(export_lines(Case.objects.filter(pk=case.pk)))
    exported = json.loads(line)
    assert exported["recovered_amount"] == "30000.00"
    assert [r["amount"] for r in exported["receipts"]] == ["30000.00"]

    # The same line again: the case as stored, unchanged (its fingerprint follows its funds).
    report = import_cases(line)
    assert (report.imported, report.unchanged, report.rejected) == (0, 1, [])

    # The same case under another number: its receipt is history, not counted a second time.
    copy = json.loads(line)
    copy["case_number"] = "（2023）豫0823执1302号"
    assert import_cases(copy).imported == 1
    twin = Case.objects.get(case_number="（2023）豫0823执1302号")
    assert recovered(twin) == Decimal("30000.00")
    assert fact_cents(twin) == 3_000_000
    (again,) = list(export_lines(Case.objects.filter(pk=twin.pk)))
    assert json.loads(again)["recovered_amount"] == "30000.00"


@pytest.mark.django_db
def test_a_relief_receipt_keeps_its_kind_through_export_and_import(people, case_1301, import_cases):
    """王某 receives 30,000.00 of 执行款 (r1) and 5,000.00 of 司法救助金 (r2); the case is exported
    and imported under another number. There r2 is still relief: refunding it (李队长) leaves
    执行到位 at 30,000.00, as it would in the original case (AID-7)."""
    import json

    case = case_1301
    receive(people["officer"], case, "30000.00", "recv-1301-0005")
    receive(
        people["officer"],
        case,
        "5000.00",
        "recv-relief-03",
        kind=ReceiptKind.RELIEF,
        payer="武陟县司法救助资金",
    )
    (line,) = list(export_lines(Case.objects.filter(pk=case.pk)))
    exported = json.loads(line)
    assert [(r["id"], r["amount"], r.get("kind")) for r in exported["receipts"]] == [
        ("r1", "30000.00", None),
        ("r2", "5000.00", "司法救助金"),
    ]
    exported["case_number"] = "（2023）豫0823执1303号"
    assert import_cases(exported).imported == 1
    twin = Case.objects.get(case_number="（2023）豫0823执1303号")
    assert recovered(twin) == Decimal("30000.00")

    services.refund(
        people["lead"], twin, receipt="r2", amount="5000.00", reason="救助金退回", idempotency_key="refund-1303-0001",
        today=PAID,
    )  # fmt: skip
    assert recovered(twin) == Decimal("30000.00")
    assert fact_cents(twin) == 3_000_000
    services.refund(
        people["lead"], twin, receipt="r1", amount="1000.00", reason="被执行人多付", idempotency_key="refund-1303-0002",
        today=PAID,
    )  # fmt: skip
    assert recovered(twin) == Decimal("29000.00")


# -- two receipts at once both count ------------------------------------------------------------


@pytest.mark.skipif(not ON_POSTGRES, reason="threads with their own connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_receipts_all_count(people, case_1301):
    assert connection.vendor == "postgresql"
    case = case_1301
    amounts = [f"{1000 + i}.{i:02d}" for i in range(12)]
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(amounts))

    def worker(i: int, amount: str) -> None:
        try:
            barrier.wait(timeout=30)
            receive(people["officer"], case, amount, f"recv-thread-{i:03d}")
        except Exception as e:  # a lost receipt: recorded and asserted on
            with lock:
                errors.append(repr(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(amounts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    want = sum((Decimal(a) for a in amounts), Decimal("0.00"))
    assert want == Decimal("12066.66")
    assert recovered(case) == want
    assert fact_cents(case) == 1_206_666
    assert CaseAccount.objects.get(case=case).received == want
    assert Case.objects.get(pk=case.pk).version == 1 + len(amounts)


@pytest.mark.django_db
def test_receipts_in_sequence_all_count(people, case_1301):
    amounts = ["0.01", "999999.99", "1234.56"]
    for i, amount in enumerate(amounts):
        receive(people["officer"], case_1301, amount, f"recv-seq-{i:04d}")
    assert recovered(case_1301) == Decimal("1001234.56")
    assert fact_cents(case_1301) == 100_123_456


# -- the rule ---------------------------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2)
KINDS = st.sampled_from(ReceiptKind.values)


@given(kind=KINDS, amount=AMOUNTS)
def test_a_receipt_counts_its_amount_or_nothing(kind, amount):
    got = rules.recovery_of_receipt(kind, amount)
    assert got == (amount if kind == ReceiptKind.EXECUTION else Decimal("0.00"))


@given(recovered=st.one_of(st.just(Decimal("0.00")), AMOUNTS), kind=KINDS, amount=AMOUNTS)
def test_a_refund_takes_back_at_most_what_counted(recovered, kind, amount):
    got = rules.recovery_after_refund(recovered, kind, amount)
    assert Decimal("0.00") <= got <= recovered
    if kind != ReceiptKind.EXECUTION:
        assert got == recovered
    elif amount <= recovered:
        assert got == recovered - amount
    else:
        assert got == Decimal("0.00")


@given(receipts=st.lists(st.tuples(KINDS, AMOUNTS), max_size=8))
def test_receipts_then_their_refunds_leave_nothing(receipts):
    """Every receipt refunded in full: 执行到位 is back where it started."""
    total = Decimal("0.00")
    for kind, amount in receipts:
        total += rules.recovery_of_receipt(kind, amount)
    assert total == sum((a for k, a in receipts if k == ReceiptKind.EXECUTION), Decimal("0.00"))
    for kind, amount in reversed(receipts):
        total = rules.recovery_after_refund(total, kind, amount)
    assert total == Decimal("0.00")


@pytest.mark.parametrize("bad", [Decimal("0.00"), Decimal("-1.00")])
def test_rule_refuses_non_positive_amounts(bad):
    with pytest.raises(ValueError):
        rules.recovery_of_receipt(ReceiptKind.EXECUTION, bad)
    with pytest.raises(ValueError):
        rules.recovery_after_refund(Decimal("1.00"), ReceiptKind.EXECUTION, bad)
    with pytest.raises(ValueError):
        rules.recovery_of_direct_payment(bad)


@pytest.mark.django_db
def test_api_receipts_name_their_kind(people, case_1301, web):
    """王某 records through the API: 执行款 by default, relief named as such, and a kind
    the API does not know refused with the field and the rule."""
    api = web(people["officer"])
    url = f"/api/funds/cases/{quote(NUMBER)}/receipts"

    def post(key: str, **extra):
        body = {
            "amount": "2500.00",
            "notice_on": "2023-04-06",
            "payer": "武陟县某建材有限公司",
            "idempotency_key": key,
        }
        return api.post(url, {**body, **extra}, content_type="application/json")

    assert post("api-recv-0001").status_code == 201
    assert post("api-recv-0002", kind="relief", payer="司法救助资金").status_code == 201
    bad = post("api-recv-0003", kind="救助金")
    assert bad.status_code == 422
    (detail,) = bad.json()["detail"]
    assert (detail["loc"], detail["rule"]) == (["body", "kind"], "AID-7")
    assert recovered(case_1301) == Decimal("2500.00")
    assert CaseAccount.objects.get(case=case_1301).received == Decimal("5000.00")


@pytest.mark.django_db
def test_api_direct_payment(people, case_1301, web):
    """王某 records that the debtor paid 张某 6,000.00 directly (FUND-7); a retry with the same
    key answers 200 and counts nothing more; a future day is refused naming the field."""
    api = web(people["officer"])
    url = f"/api/funds/cases/{quote(NUMBER)}/direct-payments"
    body = {
        "amount": "6000.00",
        "paid_on": "2023-05-08",
        "note": "申请执行人确认收到",
        "idempotency_key": "api-direct-01",
    }
    first = api.post(url, body, content_type="application/json")
    assert first.status_code == 201
    assert first.json() == {
        "case_number": NUMBER, "amount": "6000.00", "paid_on": "2023-05-08", "recovered_amount": "6000.00",
        "replayed": False,
    }  # fmt: skip
    again = api.post(url, body, content_type="application/json")
    assert (again.status_code, again.json()["replayed"], again.json()["recovered_amount"]) == (
        200,
        True,
        "6000.00",
    )
    future = api.post(
        url,
        {**body, "paid_on": "2999-01-01", "idempotency_key": "api-direct-02"},
        content_type="application/json",
    )
    assert future.status_code == 422
    assert future.json()["detail"][0]["loc"] == ["body", "paid_on"]
    assert recovered(case_1301) == Decimal("6000.00")
    other = web(people["wenxian"]).post(
        url, {**body, "idempotency_key": "api-direct-03"}, content_type="application/json"
    )
    assert other.status_code == 404
    assert recovered(case_1301) == Decimal("6000.00")


@pytest.mark.django_db
def test_receipt_form_offers_the_kind(people, case_1301, web):
    """The account page's receipt form: 款项性质 is a select of Chinese labels; relief
    recorded there does not count, a receipt left at the default does."""
    officer = web(people["officer"])
    url = f"/funds/case/{quote(NUMBER)}/"
    html = officer.get(url).content.decode()
    select = re.search(r'<select name="kind"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no 款项性质 select"
    assert re.findall(r">([^<]+)</option>", select.group(1)) == ["执行款", "司法救助金", "案件受理费、执行费"]

    form = {"amount": "700.00", "notice_on": "2023-04-06", "payer": "司法救助资金"}
    relief = officer.post(url + "receipt/", {**form, "kind": "relief", "idempotency_key": "form-relief-01"})
    assert relief.status_code == 302
    assert recovered(case_1301) == Decimal("0.00")
    plain = officer.post(
        url + "receipt/", {**form, "payer": "武陟县某建材有限公司", "idempotency_key": "form-exec-001"}
    )
    assert plain.status_code == 302
    assert recovered(case_1301) == Decimal("700.00")
    bad = officer.post(url + "receipt/", {**form, "kind": "救助", "idempotency_key": "form-bad-0001"})
    assert bad.status_code == 422
    assert recovered(case_1301) == Decimal("700.00")
