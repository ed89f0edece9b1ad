"""Holiday schedules loaded by an administrator for years the chinese-calendar library
does not cover yet (the State Council publishes each year's schedule in November)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HolidaySchedule(models.Model):
    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField("文件", max_length=200, help_text="例如：国办发明电〔2026〕X号")
    holidays = models.JSONField("放假日期", default=list)
    workdays = models.JSONField("调休上班日期", default=list)
    loaded_at = models.DateTimeField("载入时间", auto_now=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "节假日安排"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"
