"""An event always belongs to a stored case (DATA: the append-only node log), on SQLite by
its foreign key and on PostgreSQL by the statement triggers of migration 0007, which an
import's COPY of thousands of events checks once (bench/RESULTS.md, session 8). Its two optional
keys — the row it supersedes, the user who recorded it — likewise (migration 0009), and a row
is superseded at most once, by a unique index that holds only the rows that supersede one."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from zhixing.cases.models import Case, NodeEvent
from zhixing.courts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wuzhi_case(bundle_case, import_cases) -> Case:
    """One imported case of 武陟 with its events."""
    report = import_cases(bundle_case())
    assert report.imported == 1
    return Case.objects.get()


def test_an_event_of_no_stored_case_is_refused(wuzhi_case):
    missing = wuzhi_case.pk + 1000
    with pytest.raises(IntegrityError), transaction.atomic():
        NodeEvent.objects.create(case_id=missing, node="field_investigation", on=date(2024, 3, 1))
    assert not NodeEvent.objects.filter(case_id=missing).exists()


def test_one_missing_case_among_many_refuses_the_whole_statement(wuzhi_case):
    """A bulk insert naming one case that is not there writes none of its rows."""
    before = NodeEvent.objects.count()
    rows = [NodeEvent(case_id=wuzhi_case.pk, node="field_investigation", on=date(2024, 3, d)) for d in (1, 2)]
    rows.append(NodeEvent(case_id=wuzhi_case.pk + 1000, node="field_investigation", on=date(2024, 3, 3)))
    with pytest.raises(IntegrityError), transaction.atomic():
        NodeEvent.objects.bulk_create(rows)
    assert NodeEvent.objects.count() == before


def test_a_case_with_events_cannot_be_deleted_under_them(wuzhi_case):
    """Deleting the case row by hand, its events left behind, is refused; so is giving it
    another id."""
    assert NodeEvent.objects.filter(case=wuzhi_case).count() > 0
    for sql in ("DELETE FROM cases_case WHERE id = %s", "UPDATE cases_case SET id = id + 1000 WHERE id = %s"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [wuzhi_case.pk])
        assert Case.objects.filter(pk=wuzhi_case.pk).exists()


def test_an_ordinary_save_of_a_case_with_events_passes(wuzhi_case):
    wuzhi_case.handler = "王法官"
    wuzhi_case.save()
    assert Case.objects.get(pk=wuzhi_case.pk).handler == "王法官"


def _first_event(case: Case) -> NodeEvent:
    return NodeEvent.objects.filter(case=case).order_by("on", "position").first()


def _correction(of: NodeEvent, **fields) -> NodeEvent:
    return NodeEvent(case_id=of.case_id, node=of.node, on=of.on, supersedes=of, reason="日期录错", **fields)


@pytest.mark.parametrize("column, model", [("supersedes_id", NodeEvent), ("recorded_by_id", User)])
def test_a_key_to_no_stored_row_is_refused(wuzhi_case, personas, column, model):
    """A correction of no stored event, an event recorded by no stored user."""
    missing = model.objects.order_by("-pk").first().pk + 1000
    with pytest.raises(IntegrityError), transaction.atomic():
        NodeEvent.objects.create(
            case=wuzhi_case, node="field_investigation", on=date(2024, 3, 1), **{column: missing}
        )
    assert not NodeEvent.objects.filter(**{column: missing}).exists()


def test_one_bad_key_among_many_refuses_the_whole_statement(wuzhi_case, personas):
    """A bulk insert with a correction and a recorder that are stored and one correction that
    is not writes none of its rows; without the bad one, all of them."""
    first, officer = _first_event(wuzhi_case), personas["wuzhi_officer"]
    before = NodeEvent.objects.count()
    good = [_correction(first, recorded_by=officer)]
    bad = NodeEvent(
        case=wuzhi_case, node="field_investigation", on=date(2024, 3, 2), supersedes_id=first.pk + 1000
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        NodeEvent.objects.bulk_create([*good, bad])
    assert NodeEvent.objects.count() == before
    NodeEvent.objects.bulk_create(good)
    assert NodeEvent.objects.filter(supersedes=first, recorded_by=officer).count() == 1


def test_a_row_is_superseded_at_most_once(wuzhi_case):
    first = _first_event(wuzhi_case)
    _correction(first).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _correction(first).save()
    assert NodeEvent.objects.filter(supersedes=first).count() == 1


def test_the_unique_index_holds_only_corrections(wuzhi_case):
    """An imported event, which supersedes nothing, adds no entry to the index (issue 2)."""
    if connection.vendor == "postgresql":
        sql = "SELECT indexdef FROM pg_indexes WHERE indexname = 'cases_event_supersedes_once'"
    else:
        sql = "SELECT sql FROM sqlite_master WHERE name = 'cases_event_supersedes_once'"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        (definition,) = cursor.fetchone()
    assert "UNIQUE" in definition.upper()
    assert "WHERE" in definition.upper() and "NOT NULL" in definition.upper()


def test_a_superseded_event_or_a_recorder_cannot_be_deleted_under_the_rows_naming_them(wuzhi_case, personas):
    """By hand, in SQL: the correction's original, and the user who recorded it, stay."""
    first, officer = _first_event(wuzhi_case), personas["wuzhi_officer"]
    _correction(first, recorded_by=officer).save()
    for sql, pk in (
        ("DELETE FROM cases_nodeevent WHERE id = %s", first.pk),
        ("UPDATE cases_nodeevent SET id = id + 100000 WHERE id = %s", first.pk),
        ("DELETE FROM courts_user WHERE id = %s", officer.pk),
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    assert NodeEvent.objects.filter(pk=first.pk).exists() and User.objects.filter(pk=officer.pk).exists()


def test_a_user_who_recorded_nothing_can_be_deleted(wuzhi_case, personas):
    personas["wenxian_officer"].delete()
    assert not User.objects.filter(username="wenxian_officer").exists()
