"""Campaigns (专项活动) and produced bulletins (通报).

A campaign is a period, a court scope (a court and every court below it) and targets
per indicator; its progress is computed from the facts at read time, never stored. A
bulletin row records one produced file: the scheduled job (``zhixing bulletins_due``)
claims a row per (kind, court, date, format) before rendering, so two runs never
produce the same bulletin twice.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models

from zhixing.courts.models import Court, CourtScopedQuerySet


class Campaign(models.Model):
    name = models.CharField("名称", max_length=100)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    #: The campaign covers this court and every court below it.
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="campaigns", verbose_name="法院")
    #: {indicator id: target as a decimal string}, e.g. {"IND-09": "0.90"}.
    targets = models.JSONField("目标", default=dict)
    description = models.TextField("说明", blank=True)

    objects = CourtScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "专项活动"
        ordering = ["-start", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "court", "start"], name="campaign_unique_name_court_start"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="campaign_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from zhixing.metrics.engine import catalog

        known = {ind.id for ind in catalog()}
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "结束日期早于开始日期"})
        if not isinstance(self.targets, dict) or not self.targets:
            raise ValidationError({"targets": "目标应为 {指标编号: 目标值} 且至少一项"})
        for key, value in self.targets.items():
            if key not in known:
                raise ValidationError({"targets": f"未知指标 {key!r}（见指标目录）"})
            try:
                target = Decimal(str(value))
            except InvalidOperation:
                raise ValidationError({"targets": f"{key} 的目标 {value!r} 不是数值"}) from None
            if not (Decimal(0) < target <= Decimal(1)) and key not in ("IND-07", "IND-08", "IND-14"):
                raise ValidationError({"targets": f"{key} 的目标 {value} 应在 0 与 1 之间"})


class BulletinQuerySet(CourtScopedQuerySet):
    court_lookup = "court"


class Bulletin(models.Model):
    class Kind(models.TextChoices):
        DAILY = "daily", "日通报"
        WEEKLY = "weekly", "周通报"
        MONTHLY = "monthly", "月通报"

    class Format(models.TextChoices):
        HTML = "html", "HTML"
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"

    class Status(models.TextChoices):
        PENDING = "pending", "生成中"
        DONE = "done", "已生成"

    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    #: The bulletin covers this court and every court below it.
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="bulletins", verbose_name="法院")
    date = models.DateField("日期")
    format = models.CharField("格式", max_length=4, choices=Format.choices)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    #: When the current producer claimed the row; a pending row claimed long ago was
    #: left by a crashed run and may be claimed again.
    claimed_at = models.DateTimeField("认领时间")
    produced_at = models.DateTimeField("生成时间", null=True, blank=True)
    filename = models.CharField("文件名", max_length=200, blank=True)
    # Kept in the database: one transaction covers the row and its file, and a court
    # server needs no separate media storage or backup for it.
    content = models.BinaryField("文件", default=b"")
    size = models.PositiveIntegerField("字节数", default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "通报"
        ordering = ["-date", "kind", "court__path", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "court", "date", "format"], name="bulletin_unique_kind_court_date_format"
            ),
        ]

    def __str__(self) -> str:
        return self.filename or f"{self.get_kind_display()} {self.court.code} {self.date}"
