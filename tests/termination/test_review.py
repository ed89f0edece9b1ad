"""Cross-review (交叉互评, issue item 6): 焦作中院 samples each basic court's 终本 closings
of a period reproducibly, assigns them to reviewers of another court, records their
verdicts per check and compares them with the automatic ones."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.courts.models import Role, User
from zhixing.termination import services, views_data
from zhixing.termination.models import ReviewItem
from zhixing.termination.validation import InputError

from .conftest import case_a

CLOSED = [
    {"node": "applicant_interview", "on": "2023-06-25", "opinion": "同意"},
    {"node": "termination_ruling", "on": "2023-06-28"},
    {"node": "ruling_served", "on": "2023-06-30"},
    {"node": "termination_registry_entry", "on": "2023-07-05"},
]


# -- pure: the sample and the assignment ----------------------------------------------------------


@given(st.lists(st.integers(1, 5000), min_size=0, max_size=60, unique=True), st.integers(1, 20))
def test_sample_is_reproducible_whatever_the_row_order(seqs, k):
    population = [f"（2023）豫0823执{s}号" for s in seqs]
    shuffled = population[:]
    random.Random(7).shuffle(shuffled)
    first = services.sample_closings("豫08-2023下半年", "豫0823", population, k)
    assert first == services.sample_closings("豫08-2023下半年", "豫0823", shuffled, k)
    assert len(first) == min(k, len(population)) and set(first) <= set(population)


def test_sample_depends_on_the_campaign_and_the_court():
    population = [f"（2023）豫0823执{s}号" for s in range(1, 201)]
    a = services.sample_closings("豫08-2023下半年", "豫0823", population, 10)
    assert a == services.sample_closings("豫08-2023下半年", "豫0823", population, 10)
    assert a != services.sample_closings("豫08-2024上半年", "豫0823", population, 10)
    assert a != services.sample_closings("豫08-2023下半年", "豫0825", population, 10)


def test_every_court_is_reviewed_by_another():
    assert services.assign_reviewer_courts(["豫0825", "豫0823", "豫0821"], "豫08") == {
        "豫0821": "豫0823", "豫0823": "豫0825", "豫0825": "豫0821",
    }  # fmt: skip
    assert services.assign_reviewer_courts(["豫0823"], "豫08") == {"豫0823": "豫08"}


def test_compare_counts_agreement_and_lists_disagreements():
    items = [
        {"case_number": "（2023）豫0823执1号", "court": "豫0823", "reviewer_court": "豫0825", "auto_failed": ["T5"],
         "auto_pending": ["T14"], "auto_reasons": {"T5": "T5（TERM-4）：……"},
         "findings": {**{f"T{i}": (True, "") for i in range(1, 14)}, "T14": (False, "未录入")}},
    ]  # fmt: skip
    report = views_data.compare(items)
    # T14 was pending for the automatic check: not compared. T5: auto fails, reviewer passes.
    assert (report["compared"], report["agreed"], report["agreement_rate"]) == (13, 12, "0.9231")
    assert report["disagreements"] == [
        {"case_number": "（2023）豫0823执1号", "court": "豫0823", "reviewer_court": "豫0825", "check": "T5",
         "automatic": "未通过", "reviewer": "通过", "automatic_reason": "T5（TERM-4）：……", "note": None},
    ]  # fmt: skip
    assert report["by_check"]["T5"] == {"compared": 1, "agreed": 0, "agreement_rate": "0.0000"}
    assert "T14" not in report["by_check"]


# -- the campaign ------------------------------------------------------------------------------------


@pytest.fixture
def closings(import_cases, courts):
    """Five 终本 closings of 武陟 and three of 温县 in 2023-H2; one of 武陟 fails T5."""
    closing = {"on": "2023-06-30", "mode": "终结本次执行程序"}
    bundles = []
    for seq in range(1, 6):
        b = case_a(case_number=f"（2023）豫0823执{2000 + seq}号", add=CLOSED, closing=closing)
        if seq == 3:
            b["events"][10]["categories"] = ["存款"]
        bundles.append(b)
    for seq in range(1, 4):
        b = case_a(case_number=f"（2023）豫0825执{3000 + seq}号", court="豫0825", add=CLOSED, closing=closing)
        bundles.append(b)
    bundles.append(
        case_a(
            case_number="（2023）豫0823执2100号", add=CLOSED, closing={"on": "2023-06-30", "mode": "执行完毕"}
        )
    )
    assert import_cases(*bundles).rejected == []


@pytest.fixture
def reviewers(courts):
    return {
        code: User.objects.create_user(
            username=f"reviewer_{code}", password="correct-horse-battery", court=courts[code], role=Role.JUDGE
        )
        for code in ("豫0823", "豫0825")
    }


@pytest.mark.django_db
def test_campaign_samples_snapshots_and_assigns(closings, reviewers, personas):
    chief = personas["jiaozuo_chief"]
    campaign = services.create_campaign(
        user=chief, key="豫08-2023上半年", court=chief.court, period_start=date(2023, 1, 1), period_end=date(2023, 6, 30),
        per_court=3, as_of=date(2023, 7, 31),
    )  # fmt: skip
    items = list(
        ReviewItem.objects.filter(campaign=campaign).select_related(
            "case", "subject_court", "reviewer_court", "reviewer"
        )
    )
    by_court = {}
    for i in items:
        by_court.setdefault(i.subject_court.code, []).append(i.case.case_number)
    wuzhi = [f"（2023）豫0823执{2000 + s}号" for s in range(1, 6)]
    assert by_court["豫0823"] == services.sample_closings("豫08-2023上半年", "豫0823", wuzhi, 3)
    assert (
        len(by_court["豫0825"]) == 3 and "（2023）豫0823执2100号" not in by_court["豫0823"]
    )  # 执行完毕 is not sampled
    # Each court's sample goes to the other court, round-robin over its staff in username order.
    assigned = sorted(
        (i.subject_court.code, i.position, i.reviewer_court.code, i.reviewer.username) for i in items
    )
    assert assigned == [
        ("豫0823", 0, "豫0825", "reviewer_豫0825"), ("豫0823", 1, "豫0825", "wenxian_officer"),
        ("豫0823", 2, "豫0825", "reviewer_豫0825"),
        ("豫0825", 0, "豫0823", "reviewer_豫0823"), ("豫0825", 1, "豫0823", "wuzhi_officer"),
        ("豫0825", 2, "豫0823", "reviewer_豫0823"),
    ]  # fmt: skip
    for i in items:
        expected = "不合格" if i.case.case_number == "（2023）豫0823执2003号" else "合格"
        assert i.auto_verdict == expected


@pytest.mark.django_db
def test_review_flow_and_report(closings, reviewers, personas):
    chief = personas["jiaozuo_chief"]
    campaign = services.create_campaign(
        user=chief, key="K1", court=chief.court, period_start=date(2023, 1, 1), period_end=date(2023, 6, 30), per_court=5,
        as_of=date(2023, 7, 31), reviewers=list(reviewers.values()),
    )  # fmt: skip
    reviewer = reviewers["豫0825"]  # reviews 武陟's closings
    mine = services.reviewable_items(reviewer).filter(campaign=campaign)
    assert {i.subject_court.code for i in mine} == {"豫0823"} and mine.count() == 5
    # Reviewers judge blind: no automatic verdict; the case's personal data is masked.
    item = mine.get(case__case_number="（2023）豫0823执2003号")
    shown = views_data.item_json(item, reviewer, with_case=True)
    assert "automatic" not in shown
    assert shown["case"]["parties"][0]["id_number"] == "410823********2036"
    assert "automatic" in views_data.item_json(item, chief)
    # 武陟's own reviewer, and the officer of 温县 who was not assigned, cannot review it.
    for other in (reviewers["豫0823"], personas["wenxian_officer"]):
        with pytest.raises(services.NotAllowed):
            services.record_review(item.pk, user=other, findings={})
    with pytest.raises(InputError) as incomplete:
        services.record_review(item.pk, user=reviewer, findings={"T1": (True, "")})
    assert incomplete.value.problems[0][1].startswith("请对每一检查项给出意见，缺少：T2、T3")
    everything_passes = {c: (True, "") for c in services.rules.CHECK_IDS}
    for i in mine:
        findings = dict(everything_passes)
        if i.pk == item.pk:
            findings["T5"] = (True, "不动产已于6月实地查询")  # the reviewer disagrees with the automatic T5
        services.record_review(i.pk, user=reviewer, findings=findings)
    with pytest.raises(InputError):
        services.record_review(item.pk, user=reviewer, findings=everything_passes)  # reviewed already
    report = views_data.report(campaign)
    assert (report["sampled"], report["reviewed"]) == (8, 5)
    assert (report["compared"], report["agreed"], report["agreement_rate"]) == (70, 69, "0.9857")
    assert [
        (d["case_number"], d["check"], d["automatic"], d["reviewer"], d["note"])
        for d in report["disagreements"]
    ] == [("（2023）豫0823执2003号", "T5", "未通过", "通过", "不动产已于6月实地查询")]
    assert report["by_court"] == {"豫0823": {"compared": 70, "agreed": 69, "agreement_rate": "0.9857"}}


@pytest.mark.django_db
def test_only_a_superior_court_organises(closings, personas):
    officer = personas["wuzhi_officer"]
    with pytest.raises(services.NotAllowed):
        services.create_campaign(
            user=officer,
            key="X",
            court=officer.court,
            period_start=date(2023, 1, 1),
            period_end=date(2023, 6, 30),
            per_court=2,
        )
    chief = personas["jiaozuo_chief"]
    with pytest.raises(InputError) as bad:
        services.create_campaign(
            user=chief, key="", court=chief.court, period_start=date(2023, 7, 1), period_end=date(2023, 6, 30), per_court=0,
            as_of=date(2023, 7, 1),
        )  # fmt: skip
    assert [f for f, _ in bad.value.problems] == ["key", "period_end", "per_court"]
