"""Every history model is append-only through one base (``lib/appendonly.py``): a row is
written once; saving it again, deleting it, or changing or removing rows in bulk is refused
with the message the user reads (design.md: a mistake is put right by a new row)."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps

from zhixing.cases.models import Case, NodeEvent
from zhixing.lib.appendonly import AppendOnly

#: Each history model and what its rows are called in the refusal, with the hint after it.
EXPECTED = {
    "cases.NodeEvent": ("节点记录", "（更正请追加一条更正记录）"),
    "credit.CreditDecision": ("决定记录", ""),
    "funds.Disbursement": ("案款流水", ""),
    "funds.Lodgement": ("案款流水", ""),
    "funds.Refund": ("案款流水", ""),
    "funds.FundLog": ("案款流水", ""),
    "petitions.PetitionEvent": ("历史记录", ""),
    "supervision.SupervisionEvent": ("记录", ""),
    "supervision.FindingReview": ("记录", ""),
    "supervision.InterferenceRecord": ("记录", ""),
}

HISTORY_MODELS = sorted(
    (m for m in apps.get_models() if issubclass(m, AppendOnly)), key=lambda m: m._meta.label
)


def refusals(model) -> tuple[str, str]:
    name, hint = EXPECTED[model._meta.label]
    return f"{name}只能追加，不能修改{hint}", f"{name}只能追加，不能删除"


def test_the_append_only_models_are_the_histories():
    assert [m._meta.label for m in HISTORY_MODELS] == sorted(EXPECTED)


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda m: m._meta.label)
def test_bulk_update_and_delete_are_refused(model):
    no_update, no_delete = refusals(model)
    with pytest.raises(PermissionError) as update:
        model.objects.filter(pk=1).update(pk=2)
    with pytest.raises(PermissionError) as delete:
        model.objects.all().delete()
    assert (str(update.value), str(delete.value)) == (no_update, no_delete)


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda m: m._meta.label)
def test_a_stored_row_is_never_saved_again_nor_deleted(model):
    no_update, no_delete = refusals(model)
    stored = model(pk=7)
    stored._state.adding = False
    with pytest.raises(PermissionError) as save:
        stored.save()
    with pytest.raises(PermissionError) as delete:
        stored.delete()
    assert (str(save.value), str(delete.value)) == (no_update, no_delete)


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda m: m._meta.label)
def test_a_new_row_naming_an_existing_key_is_refused(model):
    """Saving it would UPDATE the row with that key: a change, not an append."""
    with pytest.raises(PermissionError) as save:
        model(pk=7).save()
    assert str(save.value) == refusals(model)[0]


@pytest.mark.django_db
def test_an_imported_case_s_node_log_takes_new_rows_and_keeps_the_old(bundle_case, import_cases):
    assert import_cases(bundle_case()).imported == 1
    case = Case.objects.get()
    first = NodeEvent.objects.filter(case=case).order_by("pk").first()
    stored = (first.pk, first.node, first.on)
    first.on = date(2030, 1, 1)
    with pytest.raises(PermissionError):
        first.save()
    with pytest.raises(PermissionError):
        first.delete()
    with pytest.raises(PermissionError):
        NodeEvent.objects.filter(case=case).update(on=date(2030, 1, 1))
    with pytest.raises(PermissionError):
        NodeEvent.objects.filter(case=case).delete()
    again = NodeEvent.objects.get(pk=first.pk)
    assert (again.pk, again.node, again.on) == stored
    count = NodeEvent.objects.filter(case=case).count()
    added = NodeEvent.objects.create(case=case, node="field_investigation", on=date(2024, 3, 1))
    assert (NodeEvent.objects.filter(case=case).count(), added.node) == (count + 1, "field_investigation")
