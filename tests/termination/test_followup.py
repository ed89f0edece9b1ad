"""After the closing (issue item 4): registry entry within 7 days of service (TERM-11, K7),
the re-query every 6 months for 5 years (TERM-12, K8), each result notified to the
applicant, hiding within 3 days of a ground (TERM-15); reminders and notices are made by
an idempotent job.

Calendar facts used: 2023-07-07 is a Friday; 国庆 2023 is 09-29…10-06 off, Saturday 10-07
and Sunday 10-08 worked; 2024-01-01 is a holiday; 2023-12-30/31 are a weekend.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from zhixing.cases.bundle import parse_case
from zhixing.cases.models import Case, NodeEvent
from zhixing.termination import followup, services
from zhixing.termination.models import ApplicantNotice, Reminder
from zhixing.termination.validation import InputError

from .conftest import case_a

CLOSED = [
    {"node": "applicant_interview", "on": "2023-06-25", "opinion": "同意"},
    {"node": "termination_ruling", "on": "2023-06-28"},
    {"node": "ruling_served", "on": "2023-06-30"},
]


def record(add=(), **fields):
    bundle = case_a(add=[*CLOSED, *add], closing={"on": "2023-06-30", "mode": "终结本次执行程序"}, **fields)
    return parse_case(bundle, today=date(2030, 1, 1))


def inquiry(on: str, found=()) -> dict:
    return {
        "node": "online_inquiry",
        "on": on,
        "system": "总对总",
        "categories": ["存款", "车辆", "不动产", "有价证券"],
        "found": list(found),
    }


# -- pure: the obligations ------------------------------------------------------------------------


def test_registry_entry_is_k7_seven_days_after_service():
    f = followup.followups(record(), date(2023, 7, 7))
    entry = [x for x in f if x.kind == "registry_entry"]
    assert [(x.trigger_on, x.due_on, x.done_on, x.status, x.rule) for x in entry] == [
        (date(2023, 6, 30), date(2023, 7, 7), None, "overdue", "TERM-11")
    ]
    assert [
        x.status for x in followup.followups(record(), date(2023, 7, 6)) if x.kind == "registry_entry"
    ] == ["pending"]
    done = record(add=[{"node": "termination_registry_entry", "on": "2023-07-07"}])
    assert [
        (x.done_on, x.status)
        for x in followup.followups(done, date(2023, 7, 31))
        if x.kind == "registry_entry"
    ] == [(date(2023, 7, 7), "done")]


def test_requery_is_k8_every_six_months_and_each_result_is_notified():
    r = record(
        add=[
            inquiry("2023-12-20"),
            {"node": "inquiry_result_notified", "on": "2023-12-22"},
            inquiry("2024-06-18"),
        ]
    )
    f = followup.followups(r, date(2024, 7, 1))
    requery = [(x.ref, x.trigger_on, x.due_on, x.done_on, x.status) for x in f if x.kind == "requery"]
    # K8: 06-30 + 6 months = 12-30 (Saturday) → rolled to 2024-01-02 (01-01 is a holiday).
    assert requery[:2] == [
        ("1", date(2023, 6, 30), date(2024, 1, 2), date(2023, 12, 20), "done"),
        ("2", date(2023, 12, 20), date(2024, 6, 20), date(2024, 6, 18), "done"),
    ]
    notify = [(x.ref, x.due_on, x.done_on, x.status) for x in f if x.kind == "notify"]
    assert notify == [("2023-12-20", None, date(2023, 12, 22), "done"), ("2024-06-18", None, None, "pending")]


def test_inquiries_before_the_closing_need_no_notice():
    assert [x for x in followup.followups(record(), date(2023, 8, 1)) if x.kind == "notify"] == []


def test_hiding_within_three_days_of_the_resumed_case_being_performed():
    original = record(add=[{"node": "termination_registry_entry", "on": "2023-07-05"}])
    resumed = replace(
        parse_case(
            {"case_number": "（2023）豫0823执恢15号", "filed_on": "2023-09-01", "original_case_number": original.case_number,
             "claim_amount": "125000.00", "parties": case_a()["parties"],
             "closing": {"on": "2023-09-28", "mode": "执行完毕"}},
            today=date(2030, 1, 1),
        )
    )  # fmt: skip
    original = replace(original, resumed_on=date(2023, 9, 1))
    hide = followup.hide_followups(original, date(2023, 10, 9), resumed=resumed)
    # 09-28 + 3 days = 10-01, inside the 国庆 holiday → rolled to Saturday 10-07, a make-up working day.
    assert [(x.trigger_on, x.due_on, x.status, x.rule) for x in hide] == [
        (date(2023, 9, 28), date(2023, 10, 7), "overdue", "TERM-15")
    ]
    assert "恢复执行案件执行完毕（（2023）豫0823执恢15号）" in hide[0].text
    assert (
        followup.hide_followups(original, date(2023, 9, 27), resumed=resumed) == []
    )  # the ground is not seen yet
    hidden = replace(
        original,
        events=(
            *original.events,
            *parse_case(
                case_a(add=[{"node": "termination_registry_hidden", "on": "2023-10-07"}]),
                today=date(2030, 1, 1),
            ).events[-1:],
        ),
    )
    assert [x.status for x in followup.hide_followups(hidden, date(2023, 10, 9), resumed=resumed)] == ["done"]


def test_no_hiding_obligation_without_a_registry_entry():
    assert (
        followup.hide_followups(record(), date(2024, 1, 1), recorded=[(date(2023, 8, 1), "义务已全部履行")])
        == []
    )


def test_recorded_ground_triggers_hiding():
    r = record(add=[{"node": "termination_registry_entry", "on": "2023-07-05"}])
    hide = followup.hide_followups(r, date(2023, 8, 10), recorded=[(date(2023, 8, 1), "义务已全部履行")])
    assert [(x.trigger_on, x.due_on, x.status) for x in hide] == [
        (date(2023, 8, 1), date(2023, 8, 4), "overdue")
    ]


def test_live_measures_lifted_and_expired_ones_are_not_live():
    r = record(
        add=[
            {"node": "restraint", "on": "2023-04-01", "asset": "h1", "measure": "查封", "category": "不动产", "value": "30000.00", "expires_on": "2023-12-31"},
            {"node": "restraint", "on": "2023-04-02", "asset": "v1", "measure": "查封", "category": "车辆", "value": "8000.00", "expires_on": "2024-04-01"},
            {"node": "restraint_released", "on": "2023-05-01", "asset": "v1"},
        ]
    )  # fmt: skip
    assert [m.ref or m.party for m in followup.live_measures(r, date(2023, 12, 31))] == ["p2", "p2", "h1"]
    assert [m.ref or m.party for m in followup.live_measures(r, date(2024, 1, 1))] == [
        "p2",
        "p2",
    ]  # h1 expired
    lifted = record(add=[{"node": "consumption_restriction_lifted", "on": "2023-08-01", "party": "p2"}])
    assert [m.kind for m in followup.live_measures(lifted, date(2023, 8, 1))] == ["credit_listing"]


def test_reminder_is_due_within_the_lead_days_or_when_overdue():
    f = followup.FollowUp(
        "registry_entry", "", date(2023, 6, 30), date(2023, 7, 7), None, "pending", "TERM-11", ""
    )
    assert not followup.due_for_reminder(f, date(2023, 6, 29), 7)
    assert followup.due_for_reminder(f, date(2023, 6, 30), 7)
    assert followup.due_for_reminder(replace(f, status="overdue"), date(2023, 8, 1), 0)
    assert not followup.due_for_reminder(
        replace(f, done_on=date(2023, 7, 1), status="done"), date(2023, 8, 1), 7
    )


# -- services and the job ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_post_closing_inquiry_queues_a_notice_and_the_job_is_idempotent(make_case, steps, officer):
    case = steps.closed(make_case())
    with pytest.raises(InputError) as before:
        services.record_post_closing_inquiry(
            case.pk,
            user=officer,
            expected_version=case.version,
            on=date(2023, 6, 30),
            system="总对总",
            categories=["存款"],
            found=[],
        )
    assert before.value.problems == [("on", "终本后查询的日期（2023-06-30）应晚于结案日期（2023-06-30）")]
    with pytest.raises(InputError) as number:
        services.record_post_closing_inquiry(
            case.pk, user=officer, expected_version=case.version, on=date(2023, 12, 20), system="总对总",
            categories=["存款"], found=[{"asset": "a5", "category": "存款", "value": 800}],
        )  # fmt: skip
    assert number.value.problems[0][0] == "found[0].value"
    services.record_post_closing_inquiry(
        case.pk, user=officer, expected_version=case.version, on=date(2023, 12, 20), system="总对总",
        categories=["存款", "车辆", "不动产", "有价证券"], found=[{"asset": "a5", "category": "存款", "value": "800.00"}],
    )  # fmt: skip
    notice = ApplicantNotice.objects.get(case=case)
    assert "发现以下财产：存款（a5），价值800.00元" in notice.text and notice.delivered_on is None
    out = StringIO()
    call_command("termination_followup", "--as-of", "2023-12-21", "--json", stdout=out)
    first = json.loads(out.getvalue())
    assert (
        first["notices_delivered"] == 1
        and first["reminders_created"] >= 1
        and first["reminders_sent"] == first["reminders_created"]
    )
    notified = NodeEvent.objects.get(case=case, node="inquiry_result_notified")
    assert notified.on == date(2023, 12, 21) and notified.source == "system"
    kinds = set(Reminder.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == {
        "registry_entry"
    }  # K7 overdue since 07-07; K8 #2 due 2024-06-20 is far off; the notice is done
    out = StringIO()
    call_command("termination_followup", "--as-of", "2023-12-21", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "as_of": "2023-12-21",
        "notices_delivered": 0,
        "reminders_created": 0,
        "reminders_sent": 0,
    }
    assert NodeEvent.objects.filter(case=case, node="inquiry_result_notified").count() == 1


@pytest.mark.django_db
def test_registry_entry_and_hiding_through_the_services(make_case, steps, officer):
    case = steps.closed(make_case())
    start = case.version
    with pytest.raises(InputError) as early:
        services.record_registry_entry(
            case.pk, user=officer, expected_version=steps.version(case), on=date(2023, 6, 29)
        )
    assert early.value.problems == [("on", "录入日期（2023-06-29）早于裁定送达日期（2023-06-30）（TERM-11）")]
    services.record_registry_entry(
        case.pk, user=officer, expected_version=steps.version(case), on=date(2023, 7, 5)
    )
    with pytest.raises(InputError):
        services.record_registry_entry(
            case.pk, user=officer, expected_version=steps.version(case), on=date(2023, 7, 6)
        )
    services.record_hiding_ground(
        case.pk,
        user=officer,
        expected_version=steps.version(case),
        arose_on=date(2023, 8, 1),
        ground="performed",
    )
    from zhixing.cases.loader import load_record

    f = services.case_followups(load_record(case.pk), case.pk, date(2023, 8, 2))
    assert [(x.kind, x.due_on, x.status) for x in f if x.kind == "hide"] == [
        ("hide", date(2023, 8, 4), "pending")
    ]
    services.record_registry_hidden(
        case.pk, user=officer, expected_version=steps.version(case), on=date(2023, 8, 3), note="已全部履行"
    )
    f = services.case_followups(load_record(case.pk), case.pk, date(2023, 8, 5))
    assert [(x.kind, x.done_on, x.status) for x in f if x.kind == "hide"] == [
        ("hide", date(2023, 8, 3), "done")
    ]
    assert Case.objects.get(pk=case.pk).version == start + 3  # refused attempts changed nothing


@pytest.mark.django_db
def test_registry_entry_on_an_open_case_is_refused(make_case, officer):
    case = make_case()
    with pytest.raises(InputError) as refused:
        services.record_registry_entry(
            case.pk, user=officer, expected_version=case.version, on=date(2023, 7, 5)
        )
    assert refused.value.problems == [("case", "本案未以终结本次执行程序方式结案")]


@pytest.mark.django_db
def test_the_job_loads_only_cases_with_something_to_remind(import_cases, officer):
    entry = {"node": "termination_registry_entry", "on": "2023-07-05"}
    closing = {"on": "2023-06-30", "mode": "终结本次执行程序"}
    quiet = case_a(case_number="（2023）豫0823执11号", add=[*CLOSED, entry, inquiry("2023-12-20"),
                   {"node": "inquiry_result_notified", "on": "2023-12-22"}], closing=closing)  # fmt: skip
    unnotified = case_a(
        case_number="（2023）豫0823执12号", add=[*CLOSED, entry, inquiry("2023-12-20")], closing=closing
    )
    grounded = case_a(case_number="（2023）豫0823执13号", add=[*CLOSED, entry, inquiry("2023-12-20"),
                      {"node": "inquiry_result_notified", "on": "2023-12-20"}], closing=closing)  # fmt: skip
    assert import_cases(quiet, unnotified, grounded).rejected == []
    case = Case.objects.get(case_number="（2023）豫0823执13号")
    from zhixing.termination.models import HidingGround

    HidingGround.objects.create(case=case, arose_on=date(2024, 1, 5), ground="performed", recorded_by=officer)
    qs = Case.objects.filter(closing_mode="terminated_current")
    found = services.followup_candidates(qs, date(2024, 1, 10), 7)
    assert [Case.objects.get(pk=pk).case_number for pk in found] == [
        "（2023）豫0823执12号",
        "（2023）豫0823执13号",
    ]
    assert services.create_reminders(date(2024, 1, 10)) == 2
    assert set(Reminder.objects.values_list("case__case_number", "kind", "due_on")) == {
        ("（2023）豫0823执12号", "notify", None),
        ("（2023）豫0823执13号", "hide", date(2024, 1, 8)),
    }
