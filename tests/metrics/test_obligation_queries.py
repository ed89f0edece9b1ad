"""The obligation facts' query words (``ObligationFact.objects``): ``open_on(as_of)``,
``overdue_on(as_of)``, ``due_by(day)`` and ``not_closed_out(nodes, as_of)``, as the flow
queue and the command centre read them (indicators.md §1, §3).

The rows are written by hand on cases of 武陟县法院 (豫0823) so that every boundary — a
trigger, last day or done day on as-of itself — is one row with a name."""

from __future__ import annotations

from datetime import date

import pytest

from zhixing.cases.models import Case
from zhixing.metrics.models import ObligationFact

AS_OF = date(2024, 6, 1)
BEFORE_CLOSING = ("K1", "K2", "K3", "K4", "K5")


def d(text: str) -> date:
    return date.fromisoformat(text)


def refs(qs) -> set[str]:
    return set(qs.filter(ref__startswith="t-").values_list("ref", flat=True))


@pytest.fixture
def wuzhi_cases(import_cases, bundle_case) -> dict[str, Case]:
    """武陟: 701 open since 04-01; 702 filed 04-01 and closed (执行完毕) on 06-01."""
    import_cases(
        bundle_case(court_code="豫0823", seq=701, filed_on="2024-04-01", events=[]),
        bundle_case(
            court_code="豫0823", seq=702, filed_on="2024-04-01", events=[],
            closing={"on": "2024-06-01", "mode": "执行完毕"},
        ),
    )  # fmt: skip
    return {
        "open": Case.objects.get(case_number="（2024）豫0823执701号"),
        "closed": Case.objects.get(case_number="（2024）豫0823执702号"),
    }


def add(case: Case, ref: str, key_node: str, trigger: str, due: str | None, done: str | None = None, **kw):
    ObligationFact.objects.create(
        case=case, court=case.court, key_node=key_node, ref=ref, trigger_on=d(trigger),
        due_on=d(due) if due else None, done_on=d(done) if done else None, **kw,
    )  # fmt: skip


@pytest.mark.django_db
def test_open_overdue_and_due_by_at_the_boundaries(wuzhi_cases):
    case = wuzhi_cases["open"]
    add(case, "t-running", "K8", "2024-05-01", "2024-06-10")
    add(case, "t-done-later", "K8", "2024-05-01", "2024-05-20", done="2024-06-05")
    add(case, "t-done-on-day", "K8", "2024-05-01", "2024-05-20", done="2024-06-01")
    add(case, "t-done-before", "K8", "2024-05-01", "2024-05-20", done="2024-05-19")
    add(case, "t-lapsed", "K8", "2024-05-01", "2024-05-20", lapsed=True)
    add(case, "t-no-last-day", "K8", "2024-05-01", None)
    add(case, "t-future-trigger", "K8", "2024-06-02", "2024-06-09")
    add(case, "t-due-today", "K8", "2024-05-25", "2024-06-01")
    add(case, "t-triggered-today", "K8", "2024-06-01", "2024-06-08")
    add(case, "t-due-later", "K8", "2024-06-01", "2024-06-09")

    facts = ObligationFact.objects
    assert refs(facts.open_on(AS_OF)) == {
        "t-running", "t-done-later", "t-due-today", "t-triggered-today", "t-due-later",
    }  # fmt: skip
    # Overdue: the last day before as-of (overdue at the end of 05-31), still not done.
    assert refs(facts.overdue_on(AS_OF)) == {"t-done-later"}
    # The queue's seven days ahead: last day on or before 06-08.
    assert refs(facts.open_on(AS_OF).due_by(d("2024-06-08"))) == {
        "t-done-later", "t-due-today", "t-triggered-today",
    }  # fmt: skip
    # A day earlier the one done on 06-01 is still open and overdue, and 06-01's trigger is not yet.
    assert refs(facts.overdue_on(d("2024-05-31"))) == {"t-done-later", "t-done-on-day"}
    assert "t-triggered-today" not in refs(facts.open_on(d("2024-05-31")))


@pytest.mark.django_db
@pytest.mark.parametrize("closing", ["fact", "case"])
def test_closing_drops_k1_to_k5_only_from_its_day(wuzhi_cases, closing):
    """702 closed on 06-01: its K1 is left out from 06-01 (it lapsed or can no longer be
    done), its K7 stays; 701's K1 stays. The fact's closing day and the case's agree."""
    add(wuzhi_cases["open"], "t-open-k1", "K1", "2024-04-01", "2024-04-08")
    add(wuzhi_cases["closed"], "t-closed-k1", "K1", "2024-04-01", "2024-04-08")
    add(wuzhi_cases["closed"], "t-closed-k7", "K7", "2024-06-01", "2024-06-11")

    def kept(as_of: date) -> set[str]:
        return refs(ObligationFact.objects.not_closed_out(BEFORE_CLOSING, as_of, closing=closing))

    assert kept(d("2024-05-31")) == {"t-open-k1", "t-closed-k1", "t-closed-k7"}
    assert kept(AS_OF) == {"t-open-k1", "t-closed-k7"}
    assert refs(
        ObligationFact.objects.overdue_on(AS_OF).not_closed_out(BEFORE_CLOSING, AS_OF, closing=closing)
    ) == {"t-open-k1"}
