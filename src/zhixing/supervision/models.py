"""Supervision (监督): 督办 orders from a superior court, findings of the detectors
(消极执行 / 选择性执行 / 乱执行 / 误报结 / 压案不立) with their review, and records of
interference by leading cadres (领导干部干预).

Every history here is append-only: order events, finding reviews and interference
records are never updated or deleted (design.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhixing.cases.models import Case
from zhixing.courts.models import Court, CourtScopedQuerySet
from zhixing.lib.appendonly import AppendOnly

# -- 督办 ---------------------------------------------------------------------------------


class OrderStatus(models.TextChoices):
    OPEN = "open", "督办中"
    REPORTED = "reported", "已报告"
    CLOSED = "closed", "已办结"


#: The declared transitions: (from, action) → to.
ORDER_TRANSITIONS: dict[tuple[str, str], str] = {
    (OrderStatus.OPEN, "report"): OrderStatus.REPORTED,
    (OrderStatus.REPORTED, "report"): OrderStatus.REPORTED,  # a further report before review
    (OrderStatus.REPORTED, "accept"): OrderStatus.CLOSED,
    (OrderStatus.REPORTED, "return"): OrderStatus.OPEN,
}


class OrderQuerySet(CourtScopedQuerySet):
    """Visible to whoever sees the case's court or the issuing court."""

    def visible_to(self, user) -> OrderQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        courts = user.visible_courts()
        return self.filter(Q(court__in=courts) | Q(issued_by_court__in=courts))

    def pending(self) -> OrderQuerySet:
        return self.exclude(status=OrderStatus.CLOSED)


class SupervisionOrder(models.Model):
    """A 督办: a superior court flags a subordinate court's case with a deadline and the
    action it requires; the lower court reports back; the superior accepts or returns."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="supervision_orders")
    #: The supervised court (the case's court), kept for scoping without a join.
    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, related_name="supervision_orders", verbose_name="被督办法院"
    )
    issued_by_court = models.ForeignKey(
        Court, on_delete=models.PROTECT, related_name="issued_orders", verbose_name="督办法院"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="督办人"
    )
    issued_on = models.DateField("督办日期")
    due_on = models.DateField("办理期限")
    required_action = models.TextField("督办事项")
    status = models.CharField("状态", max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    reported_on = models.DateField("最近报告日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    #: Set once by the escalation job on the first as-of day the order is overdue.
    escalated_on = models.DateField("升级日期", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "督办"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"督办 {self.case.case_number}"

    def is_overdue(self, as_of) -> bool:
        """indicators.md §1 applied to the order's deadline: overdue at as-of (end of day)
        when ``due_on`` is on or before as-of and no report came on or before ``due_on``
        — and it is still waiting for the lower court (not reported, not closed)."""
        return self.status == OrderStatus.OPEN and self.due_on <= as_of


class SupervisionEvent(AppendOnly):
    """History of an order: issued, reported, accepted, returned, escalated."""

    class Action(models.TextChoices):
        ISSUE = "issue", "督办"
        REPORT = "report", "报告"
        ACCEPT = "accept", "审核通过"
        RETURN = "return", "退回"
        ESCALATE = "escalate", "逾期升级"

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=10, choices=Action.choices)
    on = models.DateField("日期")
    content = models.TextField("内容", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办记录"
        ordering = ["order", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.on}"


# -- findings -------------------------------------------------------------------------------


class FindingStatus(models.TextChoices):
    PENDING = "pending", "待核查"
    CONFIRMED = "confirmed", "已确认"
    DISMISSED = "dismissed", "已排除"


class Finding(models.Model):
    """One detector hit. Its identity is (detector, subject, fingerprint of the facts it
    rests on): a run that finds the same facts again finds this row, so a dismissed
    finding stays dismissed until those facts change (then a new row appears)."""

    detector = models.CharField("检测规则", max_length=40)
    category = models.CharField("类别", max_length=12)
    #: The case number, or the court code for a court-level finding (压案不立).
    subject = models.CharField("对象", max_length=64)
    fingerprint = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="findings")
    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="findings")
    facts = models.JSONField("依据事实")
    summary = models.TextField("说明")
    first_seen_on = models.DateField("首次发现（截至日）")
    last_seen_on = models.DateField("最近发现（截至日）")
    #: A run at a later as-of that evaluated the subject and no longer found these facts.
    cleared_on = models.DateField("不再发现（截至日）", null=True, blank=True)
    status = models.CharField(
        "核查状态", max_length=10, choices=FindingStatus.choices, default=FindingStatus.PENDING
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CourtScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "监督发现"
        constraints = [
            models.UniqueConstraint(fields=["detector", "subject", "fingerprint"], name="finding_identity"),
        ]
        indexes = [models.Index(fields=["court", "status"]), models.Index(fields=["subject"])]

    def __str__(self) -> str:
        return f"{self.detector} {self.subject}"


class FindingReview(AppendOnly):
    """A confirm or dismiss decision with its reason. Kept for ever; the finding's
    ``status`` is the latest decision."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField("结论", max_length=10, choices=FindingStatus.choices)
    reason = models.TextField("理由", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "核查记录"
        ordering = ["finding", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.at:%Y-%m-%d}"


# -- 领导干部干预记录 -------------------------------------------------------------------------


class InterferenceRecord(AppendOnly):
    """A recorded attempt to interfere in a case (seed 002: records of leaders'
    interference, fully traced). Immutable; visible to the bureau chief and leaders of
    the case's court and to supervising users of superior courts, never to the person
    named (``zhixing.supervision.services.interference_visible_to``)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="interference_records")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    person = models.CharField("干预人", max_length=100)
    content = models.TextField("干预内容")
    occurred_on = models.DateField("干预日期")
    #: The ``interference_record`` node appended to the case's log in the same transaction.
    node_event = models.OneToOneField("cases.NodeEvent", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "领导干部干预记录"
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"干预记录 {self.occurred_on}"
