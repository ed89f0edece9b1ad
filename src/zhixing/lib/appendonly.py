"""History rows that are written once and never changed or removed (design.md).

The node log, the credit decisions, the money movements, the petition history and the
supervision records are evidence: a mistake is put right by a new row (a correction, a
refund, a later event), attributed like any other, never by rewriting the old one. A model
that keeps such a history inherits :class:`AppendOnly`; its manager's QuerySet inherits
:class:`AppendOnlyQuerySet`, so bulk ``update()`` and ``delete()`` are refused as well.

A cascade from a deleted parent (tests, a case imported again) still removes the rows: Django's
collector deletes them in SQL without calling either guard.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """Rows of an append-only model are never changed or removed in bulk either."""

    def update(self, **kwargs):
        raise PermissionError(self.model.update_refused())

    def delete(self):
        raise PermissionError(self.model.delete_refused())


class AppendOnly(models.Model):
    """A history row: written once (a new instance's ``save()``), never saved again or deleted."""

    #: What the rows are called in the refusal users read: "节点记录只能追加，不能修改".
    history_name: ClassVar[str] = "记录"
    #: How to put a mistake right instead, shown after the refusal to change a row.
    correction_hint: ClassVar[str] = ""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # A stored row, or a new instance naming an existing key (its save would UPDATE that row).
        if not self._state.adding or self.pk is not None:
            raise PermissionError(self.update_refused())
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(self.delete_refused())

    @classmethod
    def update_refused(cls) -> str:
        return f"{cls.history_name}只能追加，不能修改{cls.correction_hint}"

    @classmethod
    def delete_refused(cls) -> str:
        return f"{cls.history_name}只能追加，不能删除"
