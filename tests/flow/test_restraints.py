"""Restraint terms and the renewal reminder (DL-20), the 2-year application period as a
warning that never blocks (PER-7, PER-8, PER-9), and the per-court list of expiring
restraints.

Calendar: 2023-10-01 is in the 2023 National Day break (09-29…10-06); 10-07 is a 调休
Saturday worked; 2024-02-29 exists, 2025-02-29 does not.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.cases.bundle import parse_case
from zhixing.cases.records import Event
from zhixing.flow import rules_restraints as R

PARTIES = [
    {"id": "p1", "role": "申请执行人", "kind": "自然人", "name": "张某"},
    {"id": "p2", "role": "被执行人", "kind": "法人", "name": "武陟县某建材有限公司"},
]


def D(s: str) -> date:
    return date.fromisoformat(s)


def restraint(
    on: str, expires_on: str, *, asset: str = "a1", category: str = "存款", measure: str = "冻结"
) -> Event:
    data = {
        "asset": asset,
        "measure": measure,
        "category": category,
        "value": "50000.00",
        "expires_on": expires_on,
    }
    return Event("restraint", D(on), 0, data)


def renewed(on: str, expires_on: str, asset: str = "a1") -> Event:
    return Event("restraint_renewed", D(on), 0, {"asset": asset, "expires_on": expires_on})


def released(on: str, asset: str = "a1") -> Event:
    return Event("restraint_released", D(on), 0, {"asset": asset})


# -- DL-20 terms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "years"),
    [("存款", 1), ("网络资金", 1), ("车辆", 2), ("船舶", 2), ("动产", 2), ("不动产", 3), ("股权", 3),
     ("有价证券", 3), ("其他", 3), (None, 3), ("未列明", 3)],
)  # fmt: skip
def test_maximum_terms_by_category(category, years):
    assert R.max_years(category) == years


def test_longest_expiry_uses_the_corresponding_day_and_is_not_rolled():
    assert R.longest_expiry(D("2023-02-28"), "存款") == D("2024-02-28")
    assert R.longest_expiry(D("2024-02-29"), "存款") == D(
        "2025-02-28"
    )  # PER-4: no 02-29, the month's last day
    assert R.longest_expiry(D("2022-10-01"), "存款") == D("2023-10-01")  # a holiday, kept (a duration)
    assert R.longest_expiry(D("2023-03-01"), "不动产") == D("2026-03-01")


def test_a_term_longer_than_the_maximum_is_a_problem():
    (ok,) = R.restraint_terms([restraint("2023-03-01", "2024-03-01")], D("2023-06-01"))
    assert ok.problems == ()
    (long,) = R.restraint_terms([restraint("2023-03-01", "2024-03-02")], D("2023-06-01"))
    assert long.problems == (
        R.Problem("DL-20", "存款的控制期限不得超过1年（应不晚于 2024-03-01），登记为 2024-03-02"),
    )
    (car,) = R.restraint_terms(
        [restraint("2023-03-01", "2025-03-01", category="车辆", measure="查封")], D("2023-06-01")
    )
    assert (car.max_years, car.problems) == (2, ())


@pytest.mark.parametrize(
    ("as_of", "status", "days_left"),
    [
        ("2024-01-30", R.ACTIVE, 31),
        ("2024-01-31", R.EXPIRING, 30),  # the reminder: 30 days ahead
        ("2024-03-01", R.EXPIRING, 0),  # the last day of the term is still in force
        ("2024-03-02", R.EXPIRED, -1),
    ],
)
def test_status_and_reminder(as_of, status, days_left):
    (r,) = R.restraint_terms([restraint("2023-03-01", "2024-03-01")], D(as_of))
    assert (r.status, r.days_left, r.remind_on) == (status, days_left, D("2024-01-31"))


def test_renewal_before_or_on_the_last_day_continues_the_term():
    events = [restraint("2023-03-01", "2024-03-01"), renewed("2024-03-01", "2025-03-01")]
    (r,) = R.restraint_terms(events, D("2024-06-01"))
    assert (r.expires_on, r.renewals, r.status, r.problems) == (
        D("2025-03-01"),
        (D("2024-03-01"),),
        R.ACTIVE,
        (),
    )
    # Seen at an as-of before the renewal, the first term is what was in force.
    (then,) = R.restraint_terms(events, D("2024-02-15"))
    assert (then.expires_on, then.status) == (D("2024-03-01"), R.EXPIRING)


def test_a_renewal_after_expiry_renews_nothing():
    events = [restraint("2023-03-01", "2024-03-01"), renewed("2024-03-02", "2025-03-01")]
    (r,) = R.restraint_terms(events, D("2024-06-01"))
    assert (r.expires_on, r.renewals, r.status) == (D("2024-03-01"), (), R.EXPIRED)
    assert r.problems == (
        R.Problem(
            "DL-20", "续行日期 2024-03-02 晚于期限届满日 2024-03-01：续行应在期限届满前办理，原控制已失效"
        ),
    )


def test_a_renewal_longer_than_the_maximum_is_a_problem():
    events = [restraint("2023-03-01", "2024-03-01"), renewed("2024-02-01", "2025-03-02")]
    (r,) = R.restraint_terms(events, D("2024-06-01"))
    assert r.problems == (
        R.Problem("DL-20", "续行期限不得超过1年（应不晚于 2025-03-01），登记为 2025-03-02"),
    )


def test_released_restraints_are_not_reminded():
    events = [
        restraint("2023-03-01", "2024-03-01"),
        released("2023-12-01"),
        restraint("2023-03-05", "2024-02-15", asset="a2"),
    ]
    assert [(r.asset, r.status) for r in R.restraint_terms(events, D("2024-02-01"))] == [
        ("a2", R.EXPIRING),
        ("a1", R.RELEASED),
    ]
    assert [r.asset for r in R.expiring(events, D("2024-02-01"))] == ["a2"]
    assert R.expiring(events, D("2024-01-15"), days=30) == []  # 02-15 is 31 days away


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.sampled_from(sorted(R.MAX_YEARS))
)
def test_a_term_of_exactly_the_maximum_is_never_a_problem(start, category):
    end = R.longest_expiry(start, category)
    (r,) = R.restraint_terms([restraint(start.isoformat(), end.isoformat(), category=category)], start)
    assert r.problems == ()
    assert r.remind_on == date.fromordinal(end.toordinal() - 30)


# -- PER-7 / PER-8 / PER-9 ---------------------------------------------------------------------------


def case(*, effective_on: str | None, received: str | None, filed_on: str = "2023-10-09", code: str = "执"):
    obj = {
        "case_number": f"（{filed_on[:4]}）豫0823{code}801号",
        "filed_on": filed_on,
        "claim_amount": "10000.00",
        "parties": PARTIES,
    }
    if effective_on:
        obj["basis"] = {"document_number": "（2021）豫0823民初1号", "effective_on": effective_on}
    if received:
        obj["application_received_on"] = received
    if code == "执恢":
        obj["original_case_number"] = "（2022）豫0823执1号"
    return parse_case(obj)


def test_the_period_ends_two_years_after_the_effective_day_rolled_to_a_working_day():
    # 2021-10-01 + 2 years = 2023-10-01, in the National Day break → 10-07 (a 调休 Saturday).
    on_time = R.application_period(case(effective_on="2021-10-01", received="2023-10-07"))
    assert (on_time.expires_on, on_time.late, on_time.warning, on_time.blocking) == (
        D("2023-10-07"),
        False,
        None,
        False,
    )
    late = R.application_period(case(effective_on="2021-10-01", received="2023-10-08"))
    assert (late.rule, late.late, late.days_late, late.blocking) == ("PER-7", True, 1, False)
    assert late.warning == (
        "申请执行日期 2023-10-08 已超过申请执行期间（执行依据生效日 2021-10-01 起二年，至 2023-10-07 届满，PER-7）。"
        "请核实是否存在中止、中断事由（如执行和解）；超过期间不影响立案（PER-8），被执行人提出异议且成立的，裁定不予执行。"
    )


def test_the_filing_day_stands_in_for_an_unknown_application_day():
    p = R.application_period(case(effective_on="2021-03-01", received=None, filed_on="2023-03-02"))
    assert (p.applied_on, p.expires_on, p.late) == (D("2023-03-02"), D("2023-03-01"), True)


def test_resumed_cases_and_cases_without_a_basis():
    resumed = R.application_period(case(effective_on="2019-01-01", received=None, code="执恢"))
    assert (resumed.rule, resumed.applies, resumed.late, resumed.warning) == ("PER-9", False, False, None)
    unknown = R.application_period(case(effective_on=None, received=None))
    assert (unknown.applies, unknown.expires_on, unknown.late) == (True, None, False)


# -- the database side: warning shown, never a block; the per-court list -------------------------------


@pytest.mark.django_db
def test_a_late_application_is_imported_worked_on_and_warned_about(
    courts, personas, bundle_case, import_cases, monkeypatch
):
    from zhixing.cases.models import Case
    from zhixing.flow import services
    from zhixing.flow.services import events, extensions, resume, supervision

    for module in (services, events, extensions, resume, supervision):
        monkeypatch.setattr(module, "today", lambda: D("2024-06-01"))
    late = bundle_case(
        case_number="（2023）豫0823执901号", filed_on="2023-10-09", application_received_on="2023-10-08",
        basis={"document_number": "（2021）豫0823民初1号", "effective_on": "2021-10-01"},
    )  # fmt: skip
    assert import_cases(late).imported == 1  # PER-8: not a filing bar
    c = Case.objects.get(case_number="（2023）豫0823执901号")
    services.record_event(c, "search", "2023-11-01", {}, user=personas["wuzhi_officer"], expected_version=1)
    data = services.case_supervision(personas["wuzhi_officer"], c)["application_period"]
    assert (data["rule"], data["late"], data["days_late"], data["blocking"], data["expires_on"]) == (
        "PER-7", True, 1, False, "2023-10-07",
    )  # fmt: skip


@pytest.mark.django_db
def test_expiring_restraints_per_court(courts, personas, bundle_case, import_cases):
    from django.http import Http404

    from zhixing.flow.services import expiring_restraints

    def with_restraint(number: str, court: str, expires: str, **extra):
        events = [
            *bundle_case.key_node_events("2023-03-01"),
            bundle_case.ev("restraint", "2023-03-02", asset="a1", measure="冻结", category="存款", value="8000.00",
                           expires_on=expires),
            *extra.get("more", []),
        ]  # fmt: skip
        return bundle_case(case_number=number, court_code=court, filed_on="2023-03-01", events=events)

    import_cases(
        with_restraint("（2023）豫0823执11号", "豫0823", "2024-03-01"),
        with_restraint("（2023）豫0823执12号", "豫0823", "2024-04-15"),
        with_restraint("（2023）豫0823执13号", "豫0823", "2024-03-01",
                       more=[bundle_case.ev("restraint_released", "2023-09-01", asset="a1")]),
        with_restraint("（2023）豫0823执14号", "豫0823", "2024-01-10"),
        with_restraint("（2023）豫0825执15号", "豫0825", "2024-02-20"),
    )  # fmt: skip
    as_of = D("2024-02-01")
    officer, chief, wenxian = (
        personas["wuzhi_officer"],
        personas["jiaozuo_chief"],
        personas["wenxian_officer"],
    )
    mine = expiring_restraints(officer, as_of=as_of)
    assert [(r["case_number"], r["expires_on"], r["status"], r["days_left"]) for r in mine] == [
        ("（2023）豫0823执11号", "2024-03-01", "expiring", 29),
    ]
    assert [r["case_number"] for r in expiring_restraints(officer, as_of=as_of, include_expired=True)] == [
        "（2023）豫0823执14号",
        "（2023）豫0823执11号",
    ]
    assert [r["case_number"] for r in expiring_restraints(chief, as_of=as_of)] == [
        "（2023）豫0825执15号",
        "（2023）豫0823执11号",
    ]
    assert [r["case_number"] for r in expiring_restraints(wenxian, as_of=as_of)] == ["（2023）豫0825执15号"]
    with pytest.raises(Http404):
        expiring_restraints(wenxian, as_of=as_of, court_code="豫0823")
