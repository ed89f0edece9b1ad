"""Nothing is paid beyond what arrived and no request is lost, under concurrency.

On PostgreSQL, many threads — each its own database connection — pay out of one receipt
at the same moment (and some retry one shared idempotency key). The receipt's row lock
and the conditional UPDATE of its running total serialise them: exactly as many succeed
as the money covers, the others are refused with the FUND-1 message, every request gets
one of those two answers, and the books reconcile. SQLite has one writer at a time
(IMMEDIATE transactions), so there the same invariant is checked with the requests in
sequence.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection

from zhixing.cases.models import Case
from zhixing.funds import services
from zhixing.funds.models import CaseAccount, Disbursement, PaymentOrder, Receipt
from zhixing.funds.services import FundError

RECEIPT = "10000.00"
EACH = "700.00"  # 14 payments fit (9,800.00); the 15th does not
FIT = 14
TODAY = date(2023, 4, 20)
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def request(user, case, key: str) -> tuple:
    try:
        done = services.disburse(
            user, case, receipt="r1", amount=EACH, payee="p1", idempotency_key=key, today=TODAY
        )
    except FundError as e:
        return ("refused", key, e.message)
    return ("paid", key, done.replayed, done.value.status)


def check_books(case: Case, results: list[tuple], keys: list[str]) -> None:
    assert len(results) == len(keys)  # every request answered
    assert {r[0] for r in results} <= {"paid", "refused"}
    first_time = [r for r in results if r[0] == "paid" and not r[2]]
    assert len(first_time) == FIT
    assert {r[3] for r in first_time} == {"executed"}
    refused = [r for r in results if r[0] == "refused"]
    assert {r[2] for r in refused} <= {
        "金额 700.00 元超过到账 r1 的余额 200.00 元（不得超过到账金额）",
    }
    payments = Disbursement.objects.filter(case=case)
    assert payments.count() == FIT
    assert sum(d.amount for d in payments) == Decimal("9800.00") <= Decimal(RECEIPT)
    assert len({d.idempotency_key for d in payments}) == FIT  # no key paid twice
    assert Receipt.objects.get(case=case).paid_out == Decimal("9800.00")
    account = CaseAccount.objects.get(case=case)
    assert (account.received, account.disbursed, account.balance) == (
        Decimal(RECEIPT),
        Decimal("9800.00"),
        Decimal("200.00"),
    )
    assert PaymentOrder.objects.filter(case=case).count() == FIT  # a refused request leaves no order
    assert services.reconcile(Case.objects.filter(pk=case.pk))["differences"] == []


@pytest.mark.skipif(
    not ON_POSTGRES, reason="threads with their own connections need PostgreSQL (SQLite: the sequential test)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_disbursements_never_exceed_the_receipt(people, fund_case):
    assert connection.vendor == "postgresql"
    case = fund_case(receipts=[("r1", "2023-04-06", RECEIPT)], claim_amount=RECEIPT)
    # 24 distinct requests plus 6 retries of one shared key: 25 distinct payments asked for.
    keys = [f"key-thread-{i:03d}" for i in range(24)] + ["key-shared-retry"] * 6
    results: list[tuple] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(keys))

    def worker(key: str) -> None:
        try:
            barrier.wait(timeout=30)
            outcome = request(people["lead"], case, key)
        except Exception as e:  # anything else is a lost request: recorded and asserted on
            outcome = ("error", key, repr(e))
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    check_books(case, results, keys)
    shared = [r for r in results if r[1] == "key-shared-retry"]
    paid_shared = [r for r in shared if r[0] == "paid"]
    # The shared key either paid once (the other attempts replaying it) or was refused every time.
    assert len([r for r in paid_shared if not r[2]]) <= 1
    assert paid_shared == [] or len(paid_shared) == len(shared)


@pytest.mark.django_db
def test_sequential_disbursements_never_exceed_the_receipt(people, fund_case):
    case = fund_case(receipts=[("r1", "2023-04-06", RECEIPT)], claim_amount=RECEIPT)
    keys = [f"key-seq-{i:03d}" for i in range(24)] + ["key-shared-retry"] * 6
    results = [request(people["lead"], case, k) for k in keys]
    check_books(case, results, keys)
    # In sequence the shared key comes after the money ran out: refused each time.
    assert [r[0] for r in results if r[1] == "key-shared-retry"] == ["refused"] * 6
