"""Holiday schedules loaded by an administrator for years the chinese-calendar library
does not cover yet (the State Council publishes each year's schedule in November), and the
supervision around deadlines: overdue alerts and extension requests (延长执行期限申请)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhixing.courts.models import CourtScopedQuerySet


class HolidaySchedule(models.Model):
    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField("文件", max_length=200, help_text="例如：国办发明电〔2026〕X号")
    holidays = models.JSONField("放假日期", default=list)
    workdays = models.JSONField("调休上班日期", default=list)
    loaded_at = models.DateTimeField("载入时间", auto_now=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "节假日安排"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"


# -- supervision around deadlines -------------------------------------------------------------------


class Alert(models.Model):
    """An obligation found overdue by the daily scan (``zhixing overdue_scan``): one row per
    obligation, ever — the unique key is the obligation's identity (case, key node, ref,
    trigger), so a second scan creates nothing. Acknowledging is the only change a row
    sees (who and when)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="alerts")
    court = models.ForeignKey("courts.Court", on_delete=models.CASCADE, related_name="+")
    key_node = models.CharField("关键节点", max_length=4)
    ref = models.CharField("对象", max_length=32, blank=True)
    trigger_on = models.DateField("起算日")
    due_on = models.DateField("期限届满日")
    handler = models.CharField("承办人", max_length=50, blank=True)
    #: The as-of day of the scan that found it overdue.
    found_as_of = models.DateField("发现日")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)

    objects = CourtScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "超期预警"
        ordering = ("due_on", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=["case", "key_node", "ref", "trigger_on"], name="alert_obligation_unique"
            ),
        )
        indexes = (models.Index(fields=["court", "acknowledged_at", "due_on"]),)

    def __str__(self) -> str:
        return f"{self.key_node} {self.due_on}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


#: The declared transitions: (from, action) → to.
EXTENSION_TRANSITIONS: dict[tuple[str, str], str] = {
    (ExtensionStatus.PENDING, "approve"): ExtensionStatus.APPROVED,
    (ExtensionStatus.PENDING, "reject"): ExtensionStatus.REJECTED,
}


class ExtensionRequest(models.Model):
    """延长执行期限申请 (DL-13): made at least 5 days before the deadline in force, decided
    by the president or a vice-president of the case's court. An approval appends the
    ``extension_approved`` event (``event``) that the statutory deadline counts."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="extension_requests")
    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    months = models.PositiveSmallIntegerField("延长月数")
    reason = models.TextField("申请理由")
    #: The deadline in force on the day of the request (what the 5 days were counted from).
    deadline_on = models.DateField("申请时的执行期限")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField("申请日期")
    status = models.CharField(
        "状态", max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("审批日期", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    event = models.OneToOneField(
        "cases.NodeEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="extension_request"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CourtScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "延长执行期限申请"
        ordering = ("-requested_on", "-pk")
        constraints = (
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="pending"), name="extension_one_pending_per_case"
            ),
            models.CheckConstraint(condition=models.Q(months__gt=0), name="extension_months_positive"),
        )

    def __str__(self) -> str:
        return f"{self.case} 延长{self.months}个月（{self.get_status_display()}）"

    @property
    def approved(self) -> bool:
        return self.status == ExtensionStatus.APPROVED
