"""The command centre's cache stamp: one row that database triggers change whenever the
fact tables or the courts change, so cached figures are never served after a write."""

from __future__ import annotations

from django.db import models


class FactStamp(models.Model):
    """Row 1's ``value`` is set to a new random number by triggers on every insert,
    update or delete of the fact tables and the courts (migration 0001). Random, not a
    counter: a rolled-back write restores the old value together with the old data, and
    a counter would hand the same value to different data after a rollback."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "指标缓存戳"

    def __str__(self) -> str:
        return str(self.value)
