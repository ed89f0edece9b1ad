"""Resumption (恢复执行, issue item 5): a linked 执恢 case with a new number of the filing
year (CASENO-7), the parties, the unpaid amount and the measures in force (TERM-14); the
original shows the link and its K8 obligations after the filing day are dropped."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import OperationalError, connection

from zhixing.cases.loader import load_record
from zhixing.cases.models import Case, Party
from zhixing.termination import services
from zhixing.termination.models import Resumption
from zhixing.termination.validation import InputError

from .conftest import case_a


def _resume(case, user, filed_on=date(2024, 3, 5), reason="发现被执行人名下新登记车辆"):
    case.refresh_from_db()
    return services.resume(
        case.pk, user=user, expected_version=case.version, filed_on=filed_on, reason=reason
    )


@pytest.mark.django_db
def test_resumption_opens_a_linked_case_with_a_new_number(make_case, steps, officer):
    bundle = case_a(
        recovered_amount="5000.00",
        add=[{"node": "restraint", "on": "2023-04-01", "asset": "h1", "measure": "查封", "category": "不动产",
              "value": "30000.00", "expires_on": "2026-03-31"}],
    )  # fmt: skip
    case = steps.closed(make_case(bundle))
    link = _resume(case, officer)
    resumed = link.resumed
    assert resumed.case_number == "（2024）豫0823执恢1号"  # the year of the resumption, not of the original
    assert (resumed.case_type, resumed.filed_on, resumed.original_case_number) == (
        "resumed",
        date(2024, 3, 5),
        case.case_number,
    )
    assert (resumed.claim_amount, resumed.recovered_amount) == (Decimal("120000.00"), Decimal("0.00"))
    assert list(Party.objects.filter(case=resumed).values_list("local_id", "role", "name")) == [
        ("p1", "applicant", "张某"),
        ("p2", "debtor", "武陟县某建材有限公司"),
    ]
    assert [(m["kind"], m["party"] or m["ref"]) for m in link.carried_measures] == [
        ("consumption_restriction", "p2"), ("credit_listing", "p2"), ("restraint", "h1"),
    ]  # fmt: skip
    # The original shows the link; its facts see the resumption (K8 dropped after 2024-03-05).
    from zhixing.termination.views_data import overview

    data = overview(officer, Case.objects.get(pk=case.pk), date(2024, 3, 31))
    assert data["resumption"]["case_number"] == "（2024）豫0823执恢1号"
    assert load_record(case.pk).resumed_on == date(2024, 3, 5)
    k8 = [f for f in data["followups"] if f["kind"] == "requery"]
    assert [f["due_on"] for f in k8] == ["2024-01-02"]  # the next (07-02) would fall after the filing day
    new = overview(officer, resumed, date(2024, 3, 31))
    assert new["resumed_from"]["original_case_number"] == case.case_number
    # The new case is a valid bundle case: its fingerprint is that of its record.
    from zhixing.cases.bundle import fingerprint

    assert resumed.__class__.objects.get(pk=resumed.pk).fingerprint == fingerprint(load_record(resumed.pk))


@pytest.mark.django_db
def test_numbers_skip_taken_ones_and_count_per_year(make_case, steps, officer, import_cases):
    # An imported 执恢 case already holds number 1 of 2024.
    taken = case_a(
        case_number="（2024）豫0823执恢1号",
        case_type="恢复执行",
        filed_on="2024-01-10",
        original_case_number="（2022）豫0823执9号",
        events=[],
    )
    assert import_cases(taken).rejected == []
    first = steps.closed(make_case())
    second = steps.closed(make_case(case_a(case_number="（2023）豫0823执1300号")))
    assert _resume(first, officer).resumed.case_number == "（2024）豫0823执恢2号"
    assert _resume(second, officer, filed_on=date(2025, 1, 2)).resumed.case_number == "（2025）豫0823执恢1号"


@pytest.mark.django_db
def test_only_a_case_closed_by_termination_can_be_resumed(make_case, officer, steps):
    open_case = make_case()
    with pytest.raises(InputError) as refused:
        _resume(open_case, officer)
    assert refused.value.problems == [
        ("case", "本案尚未结案，不是终结本次执行程序的案件，不能在此恢复执行（CLOSE-6、TERM-13）")
    ]
    performed = make_case(
        case_a(case_number="（2023）豫0823执1301号", closing={"on": "2023-06-30", "mode": "执行完毕"})
    )
    with pytest.raises(InputError) as done:
        _resume(performed, officer)
    assert done.value.problems[0][1].startswith("本案以执行完毕方式结案")
    assert not Case.objects.filter(case_type="resumed").exists() and not Resumption.objects.exists()


@pytest.mark.django_db
def test_resuming_twice_or_before_the_closing_is_refused(make_case, steps, officer):
    case = steps.closed(make_case())
    with pytest.raises(InputError) as early:
        _resume(case, officer, filed_on=date(2023, 6, 29))
    assert early.value.problems == [
        ("filed_on", "恢复执行立案日期（2023-06-29）早于终本结案日期（2023-06-30）")
    ]
    with pytest.raises(InputError) as no_reason:
        _resume(case, officer, reason="")
    assert no_reason.value.problems[0][0] == "reason"
    _resume(case, officer)
    with pytest.raises(InputError) as twice:
        _resume(case, officer)
    assert twice.value.problems == [("case", "本案已恢复执行（（2024）豫0823执恢1号）；再次恢复请从该案办理")]


@pytest.mark.django_db(transaction=True)
def test_concurrent_resumptions_never_share_a_number(courts, personas, import_cases):
    """Two officers resume two 终本 cases of one court at the same moment."""
    officer = personas["wuzhi_officer"]
    closing = {"on": "2023-06-30", "mode": "终结本次执行程序"}
    numbers = ["（2023）豫0823执1400号", "（2023）豫0823执1401号", "（2023）豫0823执1402号"]
    assert import_cases(*[case_a(case_number=n, closing=closing) for n in numbers]).rejected == []
    cases = list(Case.objects.filter(case_number__in=numbers))
    barrier = threading.Barrier(len(cases))
    results, errors = [], []

    def work(case):
        try:
            barrier.wait()
            for attempt in range(50):
                try:
                    results.append(_resume(case, officer).resumed.case_number)
                    break
                except OperationalError as e:
                    # SQLite's in-memory test database (shared cache) answers a concurrent
                    # writer with "table is locked" instead of waiting: retry, as a client
                    # would. PostgreSQL waits on the row locks instead.
                    if "locked" not in str(e) or attempt == 49:
                        raise
                    time.sleep(0.02)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == ["（2024）豫0823执恢1号", "（2024）豫0823执恢2号", "（2024）豫0823执恢3号"]
