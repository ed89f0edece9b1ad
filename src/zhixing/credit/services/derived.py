"""The derived list: list entries kept in line with the event log, each change numbered."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F

from zhixing.cases.loader import load_records
from zhixing.cases.models import Case, NodeEvent
from zhixing.cases.records import CaseRecord
from zhixing.credit import entries as E
from zhixing.credit import index
from zhixing.credit.models import (
    Action,
    ListEntry,
    ListSequence,
)

CREDIT_NODES = tuple(a.value for a in Action)


def _event_pks(case_ids: list[int]) -> dict[int, list[int]]:
    """Effective event ids per case, in the loader's order (``cases.loader``)."""
    out: dict[int, list[int]] = defaultdict(list)
    rows = (
        NodeEvent.objects.filter(case_id__in=case_ids, withdrawn=False, superseded_by__isnull=True)
        .order_by("case_id", "on", "position", "pk")
        .values_list("case_id", "pk")
    )
    for case_id, pk in rows:
        out[case_id].append(pk)
    return out


def _allocate(n: int) -> int:
    """The first of ``n`` consecutive change numbers; the counter row stays locked until
    the caller's transaction ends, so numbers are committed in order."""
    ListSequence.objects.get_or_create(pk=1)
    row = ListSequence.objects.select_for_update().get(pk=1)
    ListSequence.objects.filter(pk=1).update(value=F("value") + n)
    return row.value + 1


UPDATE_FIELDS = [*E.FIELDS, "screen_payload", "active", "withdrawn", "seq"]


def sync_entries(
    case_ids: Iterable[int], *, records: dict[int, CaseRecord] | None = None, chunk: int = 500
) -> int:
    """Bring the list entries of these cases in line with their events; returns how many
    entries changed (each took a new change number). Idempotent."""
    ids = sorted(set(case_ids))
    changed = 0
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        with transaction.atomic():
            # Lock the cases (in id order, as a decision locks its case before the
            # sequence) so a decision cannot commit between reading and writing them.
            list(
                Case.objects.select_for_update()
                .filter(pk__in=part)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            recs = {pk: records[pk] for pk in part if records and pk in records}
            missing = [pk for pk in part if pk not in recs]
            recs.update(dict(load_records(missing)) if missing else {})
            pks = _event_pks(part)
            courts = dict(Case.objects.filter(pk__in=part).values_list("pk", "court_id"))
            existing = {e.source: e for e in ListEntry.objects.filter(case_id__in=part)}
            create: list[ListEntry] = []
            update: list[ListEntry] = []
            for case_id in part:
                if case_id not in recs:
                    continue
                for draft in E.derive(recs[case_id], pks.get(case_id, [])):
                    values = draft.values()
                    values["screen_payload"] = index.payload(
                        draft.kind, draft.role, courts[case_id], draft.listed_on
                    )
                    row = existing.pop(draft.source, None)
                    if row is None:
                        create.append(
                            ListEntry(
                                source=draft.source,
                                case_id=case_id,
                                court_id=courts[case_id],
                                active=draft.active,
                                withdrawn=False,
                                **values,
                            )
                        )
                    elif (
                        row.withdrawn
                        or row.active != draft.active
                        or any(getattr(row, k) != v for k, v in values.items())
                    ):
                        for k, v in values.items():
                            setattr(row, k, v)
                        row.active, row.withdrawn = draft.active, False
                        update.append(row)
            for row in existing.values():  # no effective event derives it any more
                if not row.withdrawn:
                    row.withdrawn, row.active = True, False
                    update.append(row)
            n = len(create) + len(update)
            if n:
                first = _allocate(n)
                for i, row in enumerate([*update, *create]):
                    row.seq = first + i
                if update:
                    ListEntry.objects.bulk_update(update, UPDATE_FIELDS, batch_size=500)
                ListEntry.objects.bulk_create(create, batch_size=1000)
                transaction.on_commit(index.poke)
            changed += n
    return changed


def rebuild_entries(case_ids: Iterable[int] | None = None) -> int:
    """Derive the list from the event log of the given cases (default: every case with a
    credit event or an entry). What ``zhixing credit_rebuild`` runs; call it with the
    imported case ids after an import."""
    if case_ids is None:
        with_events = (
            NodeEvent.objects.filter(node__in=CREDIT_NODES).values_list("case_id", flat=True).distinct()
        )
        with_entries = ListEntry.objects.values_list("case_id", flat=True).distinct()
        case_ids = set(with_events) | set(with_entries)
    return sync_entries(case_ids)
