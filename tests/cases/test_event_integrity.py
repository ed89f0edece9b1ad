"""An event always belongs to a stored case (DATA: the append-only node log), on SQLite by
its foreign key and on PostgreSQL by the statement triggers of migration 0007, which an
import's COPY of thousands of events checks once (bench/RESULTS.md, session 8)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from zhixing.cases.models import Case, NodeEvent

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
