"""K9 (indicators.md §3, CREDIT-8/9): reminders once the deletion ground arises, claimed once;
system deletion on the due day keeps C3/C4 green, a day later is late; and the list rebuilt
from imported history by ``zhixing credit_rebuild``.

Calendar: 国庆 2024 is 10-01…07 off (Sunday 09-29 and Saturday 10-12 worked), so the 3rd
working day after Monday 2024-09-30 is Thursday 10-10; Qingming 2025 is 04-04…06, so the
3rd working day after Friday 2025-03-28 is Wednesday 04-02."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from zhixing.cases.loader import load_record
from zhixing.cases.models import Case, NodeEvent
from zhixing.credit import services
from zhixing.credit.models import DeletionReminder, ListEntry
from zhixing.credit.rules import credit_checks

pytestmark = pytest.mark.django_db


@pytest.fixture
def performed(make_case):
    """A G1 listing of 2024-03-01; the case closed 执行完毕 on Monday 2024-09-30."""
    return make_case(
        events=[
            {"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"},
            {
                "node": "credit_listing",
                "on": "2024-03-01",
                "party": "p2",
                "grounds": ["G1"],
                "term_years": None,
            },
        ],
        recovered="100000.00",
        closing={"on": "2024-09-30", "mode": "执行完毕"},
    )


def test_reminder_from_the_ground_day_once_and_claimed_once(performed):
    assert services.create_reminders(date(2024, 9, 29)) == []
    (made,) = services.create_reminders(date(2024, 9, 30))
    assert (made.ground_on, made.due_on, made.case_id) == (
        date(2024, 9, 30),
        date(2024, 10, 10),
        performed.pk,
    )
    assert services.create_reminders(date(2024, 10, 1)) == []
    assert [r.pk for r in services.claim_reminders()] == [made.pk]
    assert services.claim_reminders() == []
    assert DeletionReminder.objects.get().notified_at is not None


@pytest.mark.parametrize(("run_on", "failed"), [(date(2024, 10, 10), []), (date(2024, 10, 11), ["C3"])])
def test_system_deletion_on_the_due_day_is_on_time_a_day_later_is_late(performed, run_on, failed):
    (decision,) = services.auto_delete(run_on)
    assert (decision.event.node, decision.event.on, decision.event.source, decision.ground) == (
        "credit_deletion",
        run_on,
        "system",
        "performed",
    )
    (row,) = credit_checks(load_record(performed), date(2024, 12, 31))
    # (C6 fails too: fully recovered by the closing, unpaid 0 is "covered"; not the point here)
    assert (row.deleted_on, [c for c in row.failed if c == "C3"]) == (run_on, failed)
    assert services.auto_delete(run_on) == []  # idempotent
    assert not ListEntry.objects.filter(case=performed, kind="dishonest", active=True).exists()


def test_a_term_entry_is_due_three_working_days_after_the_term(make_case):
    case = make_case(
        filed="2023-02-20",
        number="（2023）豫0823执1234号",
        events=[
            {"node": "consumption_restriction", "on": "2023-03-20", "party": "p2"},
            {"node": "credit_listing", "on": "2023-03-28", "party": "p2", "grounds": ["G4"], "term_years": 2},
        ],
    )
    assert services.create_reminders(date(2025, 3, 27)) == []
    (made,) = services.create_reminders(date(2025, 3, 28))
    assert (made.ground_on, made.due_on) == (date(2025, 3, 28), date(2025, 4, 2))
    (decision,) = services.auto_delete(date(2025, 4, 2))
    assert decision.ground == "term_expired"
    assert credit_checks(load_record(case), date(2025, 12, 31))[0].failed == ()


def test_ground_recorded_by_another_service_is_picked_up(performed):
    """The entry's deletion days follow the case even when only facts were refreshed."""
    ListEntry.objects.filter(case=performed).update(deletion_ground_on=None, deletion_due_on=None)
    (made,) = services.create_reminders(date(2024, 10, 2))
    assert made.due_on == date(2024, 10, 10)


def test_reminders_command_json(performed):
    out = io.StringIO()
    call_command("credit_reminders", "--as-of", "2024-10-02", "--json", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["deleted"] == []
    assert doc["notified"] == [
        {"case_number": "（2024）豫0823执88号", "listing": doc["due"][0]["listing"], "due_on": "2024-10-10"}
    ]
    assert [(r["due_on"], r["status"]) for r in doc["due"]] == [("2024-10-10", "pending")]


def test_rebuild_derives_the_list_from_imported_history(import_cases, example_cases):
    report = import_cases(*example_cases)
    assert report.rejected == []
    out = io.StringIO()
    call_command("credit_rebuild", "--json", stdout=out)
    first = json.loads(out.getvalue())
    (entry,) = ListEntry.objects.filter(kind="dishonest")
    a = Case.objects.get(case_number="（2023）豫0823执1234号")
    listing = NodeEvent.objects.get(case=a, node="credit_listing")
    assert (entry.case_id, entry.source, entry.listing, entry.name, entry.grounds, entry.term_years) == (
        a.pk,
        f"D{listing.pk}",
        f"e{listing.pk}",
        "武陟县某建材有限公司",
        ["G4"],
        2,
    )
    assert (entry.listed_on, entry.deletion_ground_on, entry.deletion_due_on, entry.active) == (
        date(2023, 3, 28),
        date(2025, 3, 28),
        date(2025, 4, 2),
        True,
    )
    assert first["changed"] == ListEntry.objects.count() and first["dishonest"] == 1
    out = io.StringIO()
    call_command("credit_rebuild", "--json", stdout=out)
    assert json.loads(out.getvalue())["changed"] == 0
    seqs = sorted(ListEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
