"""K9: deletion reminders and the system's own deletion of due entries."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from zhixing.cases.models import NodeEvent
from zhixing.cases.records import CaseRecord
from zhixing.credit.models import (
    CreditDecision,
    DeletionGround,
    DeletionReminder,
    ListEntry,
)
from zhixing.credit.rules import listing_facts
from zhixing.credit.services.derived import sync_entries
from zhixing.credit.services.ending import delete_listing
from zhixing.credit.services.locking import SYSTEM_SIGNER, Document, _lock


def refresh_due(as_of: date) -> int:
    """Re-derive the entries of cases with an undischarged K9 obligation triggered by
    as-of: their deletion ground may have arisen through a closing or an inquiry that
    other services recorded (they refresh facts, not this list)."""
    from zhixing.metrics.models import ObligationFact

    ids = (
        ObligationFact.objects.filter(key_node="K9", done_on__isnull=True, trigger_on__lte=as_of)
        .values_list("case_id", flat=True)
        .distinct()
    )
    return sync_entries(ids)


def due_entries(as_of: date):
    """Active 失信 entries whose deletion ground has arisen by as-of (K9), soonest due first."""
    return (
        ListEntry.objects.active()
        .filter(kind=ListEntry.Kind.DISHONEST, deletion_ground_on__lte=as_of)
        .select_related("court")
        .order_by("deletion_due_on", "pk")
    )


def create_reminders(as_of: date) -> list[DeletionReminder]:
    """One reminder per due entry and due day (idempotent: a second run creates none)."""
    refresh_due(as_of)
    made = []
    for entry in due_entries(as_of):
        facts_text = "期限届满" if entry.term_years else "无期限失信信息的删除事由发生"
        reminder, created = DeletionReminder.objects.get_or_create(
            entry=entry,
            due_on=entry.deletion_due_on,
            defaults={
                "case_id": entry.case_id,
                "court_id": entry.court_id,
                "ground": facts_text,
                "ground_on": entry.deletion_ground_on,
            },
        )
        if created:
            made.append(reminder)
    return made


def claim_reminders() -> list[DeletionReminder]:
    """Reminders not yet sent, each claimed by one run only (a conditional UPDATE)."""
    claimed = []
    for reminder in DeletionReminder.objects.filter(notified_at__isnull=True).select_related(
        "entry", "court"
    ):
        if DeletionReminder.objects.filter(pk=reminder.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        ):
            claimed.append(reminder)
    return claimed


def _system_ground(record: CaseRecord, facts) -> DeletionGround:
    from zhixing.cases.choices import ClosingMode

    if facts.is_term:
        return DeletionGround.TERM_EXPIRED
    return {
        ClosingMode.PERFORMED: DeletionGround.PERFORMED,
        ClosingMode.TERMINATED: DeletionGround.TERMINATED,
        ClosingMode.NOT_ENFORCED: DeletionGround.NOT_ENFORCED,
    }.get(record.closing_mode, DeletionGround.NO_PROPERTY)


def auto_delete(as_of: date) -> list[CreditDecision]:
    """Delete, as the system, every active entry whose deletion ground (CREDIT-8 closing or
    inquiries, CREDIT-9 term) has arisen by as-of — on as-of, so removal is never later
    than the run after the ground arose. Idempotent: deleted entries are no longer active."""
    refresh_due(as_of)
    done = []
    for entry in list(due_entries(as_of)):
        with transaction.atomic():
            locked = _lock(None, entry.case_id, None)
            facts = next(
                (f for f in listing_facts(locked.record) if f"D{locked.pks[f.seq]}" == entry.source), None
            )
            if facts is None or facts.ended_on is not None:
                continue
            ground = _system_ground(locked.record, facts)
            doc = Document(
                max(as_of, facts.deletion_ground_on),
                f"系统删除（{facts.rule}）",
                SYSTEM_SIGNER,
                f"{facts.deletion_ground}，依{facts.rule}删除",
            )
            done.append(
                delete_listing(
                    None,
                    entry.case_id,
                    listing=entry.listing,
                    ground=ground,
                    doc=doc,
                    source=NodeEvent.Source.SYSTEM,
                )
            )
    return done
