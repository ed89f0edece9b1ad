"""The gate before a 终本 closing (issue item 2), and what a closing never does (TERM-14).

Case A (武陟县法院, filed 2023-03-02) is imported open; the officer records the interview
(06-25), the ruling (06-28) and its service (06-30) and closes on 06-30 — as in the
example. Each test changes the one fact it is about.
"""

from __future__ import annotations

from datetime import date

import pytest

from zhixing.cases.models import Case, NodeEvent
from zhixing.metrics.models import CaseFact
from zhixing.termination import services
from zhixing.termination.models import TerminationClosing, TerminationFact
from zhixing.termination.validation import InputError, StaleVersion

from .conftest import case_a

pytestmark = pytest.mark.django_db


def _events(case) -> list[tuple[str, date]]:
    return list(NodeEvent.objects.filter(case=case).order_by("on", "position").values_list("node", "on"))


def test_compliant_closing_by_the_officer_records_the_verdict(make_case, steps, officer):
    case = steps.ready(make_case())
    version = steps.version(case)
    gate = services.preview_closing(case, date(2023, 6, 30))
    assert gate.errors == []
    assert gate.verdict.verdict == "合格"
    assert gate.verdict.pending == ("T14",)  # served 06-30: the registry entry is due by 07-07
    closing = steps.close(case)
    case.refresh_from_db()
    assert (case.closed_on, case.closing_mode, case.version) == (
        date(2023, 6, 30),
        "terminated_current",
        version + 1,
    )
    assert (closing.verdict, closing.failed, closing.pending, closing.overridden) == (
        "合格",
        [],
        ["T14"],
        False,
    )
    assert closing.closed_by == officer and closing.approved_by is None
    # Facts derived in the same transaction: indicators and the stored verdict parts see it.
    fact = CaseFact.objects.get(case=case)
    assert (fact.terminated, fact.closed_on, fact.termination_failed) == (True, date(2023, 6, 30), False)
    assert TerminationFact.objects.get(case=case).case_version == case.version


def test_gate_names_the_stale_category_and_refuses_the_officer(make_case, steps):
    # 不动产 last queried 2023-03-08; the 06-20 re-query left it out.
    bundle = case_a()
    bundle["events"][-1]["categories"] = ["存款", "车辆", "有价证券"]
    case = steps.ready(make_case(bundle))
    gate = services.preview_closing(case, date(2023, 6, 30))
    assert gate.verdict.failed == ("T5",)
    assert gate.verdict.reasons["T5"] == (
        "T5（TERM-4）：被执行人武陟县某建材有限公司的不动产最后一次网络查询为2023-03-08，早于结案前三个月（2023-03-30）"
    )
    assert gate.needs_override
    version = steps.version(case)
    with pytest.raises(services.NotAllowed) as refused:
        steps.close(case)
    assert refused.value.problems[0][0] == "override_reason"
    assert (
        "须由执行局长批准" in refused.value.problems[0][1]
        and "不动产最后一次网络查询为2023-03-08" in refused.value.problems[0][1]
    )
    case.refresh_from_db()
    assert (case.closed_on, case.closing_mode, case.version) == (None, "", version)  # nothing saved
    assert not TerminationClosing.objects.exists()


def test_chief_overrides_with_a_reason_and_the_verdict_stays_visible(make_case, steps, chief):
    bundle = case_a()
    bundle["events"][-1]["categories"] = ["存款", "车辆", "有价证券"]
    case = steps.ready(make_case(bundle))
    with pytest.raises(InputError) as no_reason:
        steps.close(case, user=chief, reason="  ")
    assert no_reason.value.problems[0][0] == "override_reason"
    assert not TerminationClosing.objects.exists()

    closing = steps.close(case, user=chief, reason="不动产登记系统2023年6月故障，已于6月29日实地查询")
    assert (closing.verdict, closing.failed, closing.overridden) == ("不合格", ["T5"], True)
    assert closing.approved_by == chief and closing.override_reason.startswith("不动产登记系统")
    assert "T5" in closing.reasons
    # Afterwards: the closing record and today's verdict both show the failure.
    from zhixing.termination.views_data import overview

    data = overview(chief, Case.objects.get(pk=case.pk), date(2023, 12, 31))
    assert data["closing"]["overridden"] is True and data["closing"]["failed"] == ["T5"]
    assert data["verdict"]["failed"] == ["T5", "T14"] and data["verdict"]["verdict"] == "不合格"


def test_a_superior_bureau_chief_may_override(make_case, steps, personas):
    bundle = case_a()
    bundle["events"][-1]["categories"] = ["存款"]
    case = steps.ready(make_case(bundle))
    closing = steps.close(case, user=personas["jiaozuo_chief"], reason="中院督办批准")
    assert closing.overridden and closing.approved_by == personas["jiaozuo_chief"]


def test_closing_without_a_ruling_is_refused_and_nothing_saved(make_case, steps):
    case = make_case()
    steps.interview(case)
    version = steps.version(case)
    with pytest.raises(InputError) as refused:
        steps.close(case)
    assert refused.value.problems == [
        ("ruling", "结案日期（2023-06-30）前没有终结本次执行程序裁定，不能以终本方式结案（TERM-10）")
    ]
    case.refresh_from_db()
    assert (case.closed_on, case.version) == (None, version)


def test_a_ruling_after_the_closing_day_does_not_count(make_case, steps):
    case = make_case()
    steps.interview(case)
    steps.ruling(case, on=date(2023, 7, 3))
    with pytest.raises(InputError) as refused:
        steps.close(case, on=date(2023, 7, 2))
    assert refused.value.problems[0][0] == "ruling"


def test_interview_dated_after_the_closing_is_refused(make_case, steps):
    case = steps.ready(make_case())
    # A second interview on 07-02 cannot be entered after the ruling (TERM-8) …
    with pytest.raises(InputError) as late:
        steps.interview(case, on=date(2023, 7, 2))
    assert late.value.problems == [
        ("on", "约谈日期（2023-07-02）晚于终本裁定日期（2023-06-28）：约谈应在裁定前（TERM-8）")
    ]
    # … and an imported one dated after the proposed closing day stops the closing.
    bundle = case_a(
        case_number="（2023）豫0823执1235号",
        add=[
            {"node": "applicant_interview", "on": "2023-06-25", "opinion": "同意"},
            {"node": "termination_ruling", "on": "2023-06-28"},
            {"node": "ruling_served", "on": "2023-06-29"},
            {"node": "applicant_interview", "on": "2023-07-01", "opinion": "同意"},
        ],
    )
    other = make_case(bundle)
    with pytest.raises(InputError) as refused:
        steps.close(other, on=date(2023, 6, 30))
    assert (
        "interview",
        "约谈申请执行人的日期（2023-07-01）晚于结案日期（2023-06-30）：约谈应在终本裁定前（TERM-8）",
    ) in refused.value.problems
    assert Case.objects.get(pk=other.pk).closed_on is None


def test_closing_in_the_future_before_filing_or_twice_is_refused(make_case, steps):
    case = steps.ready(make_case())
    with pytest.raises(InputError) as future:
        steps.close(case, on=services.today().replace(year=services.today().year + 1))
    assert future.value.problems[0][0] == "closed_on" and "晚于今天" in future.value.problems[0][1]
    with pytest.raises(InputError) as early:
        steps.close(case, on=date(2023, 3, 1))
    assert ("closed_on", "结案日期（2023-03-01）早于立案日期（2023-03-02）") in early.value.problems
    steps.close(case)
    with pytest.raises(InputError) as twice:
        steps.close(case)
    assert twice.value.problems == [("closed_on", "本案已于2023-06-30以终结本次执行程序方式结案")]


def test_stale_version_is_rejected(make_case, steps, officer):
    case = steps.ready(make_case())
    stale = steps.version(case) - 1
    with pytest.raises(StaleVersion):
        services.close_by_termination(
            case.pk, user=officer, expected_version=stale, closed_on=date(2023, 6, 30)
        )
    assert Case.objects.get(pk=case.pk).closed_on is None


def test_other_court_officer_may_not_act(make_case, steps, personas):
    case = steps.ready(make_case())
    with pytest.raises(services.NotAllowed):
        steps.close(case, user=personas["wenxian_officer"])


def test_closing_lifts_no_measure(make_case, steps):
    """TERM-14 / CONS-9: 限消, 失信 and restraints stay in force after a 终本 closing."""
    bundle = case_a(
        add=[{"node": "restraint", "on": "2023-04-01", "asset": "a9", "measure": "查封", "category": "不动产",
              "value": "30000.00", "expires_on": "2026-03-31"}]
    )  # fmt: skip
    case = steps.ready(make_case(bundle))
    before = _events(case)
    steps.close(case)
    after = _events(case)
    assert after == before  # the closing appended nothing — in particular no lifting
    assert not {
        "consumption_restriction_lifted",
        "credit_deletion",
        "credit_revocation",
        "restraint_released",
    } & {n for n, _ in after}
    from zhixing.cases.loader import load_record
    from zhixing.termination.followup import live_measures

    kinds = [(m.kind, m.party or m.ref) for m in live_measures(load_record(case.pk), date(2023, 7, 1))]
    assert kinds == [("consumption_restriction", "p2"), ("credit_listing", "p2"), ("restraint", "a9")]
