"""Petitions (执行信访): the bundle's record of each petition, plus what the petition
workflow needs beyond it (who petitioned, about what, who handles it, the history).

The bundle fields (``local_id`` … ``replied``) keep their meaning: import and export
read and write exactly them. A petition may arrive before anyone knows which case it is
about (``case`` is null until it is linked); it then counts at ``court`` and is not part
of any case bundle or indicator until linked. PET-1…PET-3.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhixing.cases.choices import PETITION_SOURCES, REFERRERS
from zhixing.cases.models import Case
from zhixing.courts.models import Court
from zhixing.lib.appendonly import AppendOnly

SOURCE_CHOICES = [(s, s) for s in PETITION_SOURCES]
REFERRER_CHOICES = [(s, s) for s in REFERRERS]


class PetitionQuerySet(models.QuerySet):
    def visible_to(self, user) -> PetitionQuerySet:
        """The one scoping rule for petitions: a user sees a petition when it is about a
        case of a court they may see, was taken in at such a court, or is handled by one
        (a petition handled by 豫08 about a case of 豫0823 is seen at 豫08 too)."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        courts = user.visible_courts()
        codes = courts.values_list("code", flat=True)
        return self.filter(Q(case__court__in=courts) | Q(court__in=courts) | Q(handled_by__in=codes))

    def open(self) -> PetitionQuerySet:
        return self.filter(closed_on__isnull=True)


class Petition(models.Model):
    # -- the bundle's fields (spec/case-bundle.md, "Petitions") ---------------------------
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="petitions", null=True, blank=True)
    local_id = models.CharField("信访编号", max_length=32)
    received_on = models.DateField("收到日期")
    registered_on = models.DateField("登记日期", null=True, blank=True)
    source = models.CharField("来源", max_length=8, blank=True)
    referred_by = models.CharField("交办机关", max_length=16, blank=True)
    about_lower_court = models.BooleanField("反映下级法院", default=False)
    #: The handling court's code as the bundle gives it (blank: the case's court).
    handled_by = models.CharField("办理法院", max_length=16, blank=True)
    screened_on = models.DateField("甄别日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    replied = models.BooleanField("已答复", null=True)

    # -- the workflow's own fields (not in the bundle) ------------------------------------
    #: The court that took the petition in. Imported petitions leave it null (their court
    #: is ``handled_by`` or the case's); petitions taken in through the service always set it.
    court = models.ForeignKey(Court, on_delete=models.PROTECT, null=True, blank=True, related_name="petitions",
                              verbose_name="受理法院")  # fmt: skip
    # Columns the import does not write carry database defaults (its bulk insert names
    # only the bundle's columns).
    petitioner = models.CharField("信访人", max_length=100, blank=True, default="", db_default="")
    content = models.TextField("信访事项", blank=True, default="", db_default="")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name="承办人")  # fmt: skip
    #: The petition of a superior court this one was handed down from (交办).
    referred_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals",
                                      verbose_name="上级来件")  # fmt: skip
    reply_content = models.TextField("答复内容", blank=True, default="", db_default="")
    #: Optimistic concurrency: every service bumps it with a conditional UPDATE.
    version = models.PositiveIntegerField(default=1, db_default=1)
    created_at = models.DateTimeField(auto_now_add=True, null=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "执行信访"
        constraints = [models.UniqueConstraint(fields=["case", "local_id"], name="petition_local_id_unique")]
        indexes = [models.Index(fields=["handled_by", "received_on"])]

    def __str__(self) -> str:
        return f"{self.case.case_number if self.case_id else '（未关联案件）'} {self.local_id}"

    @property
    def handling_court_code(self) -> str:
        """Where the petition counts (indicators.md §8): ``handled_by``, else the case's
        court, else the court that took it in."""
        if self.handled_by:
            return self.handled_by
        if self.case_id:
            return self.case.court.code
        return self.court.code if self.court_id else ""


class PetitionEvent(AppendOnly):
    """The petition's history (who, when, what, why). Append-only."""

    class Action(models.TextChoices):
        INTAKE = "intake", "接收"
        REGISTER = "register", "登记"
        LINK = "link", "关联案件"
        ASSIGN = "assign", "确定承办人"
        SCREEN = "screen", "甄别"
        REFER = "refer", "交办"
        HANDLE = "handle", "办理"
        REPLY = "reply", "答复"
        CLOSE = "close", "办结"

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="history")
    action = models.CharField("操作", max_length=12, choices=Action.choices)
    on = models.DateField("日期")
    data = models.JSONField("内容", default=dict, blank=True)
    note = models.TextField("说明", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    history_name = "历史记录"

    class Meta:
        verbose_name = verbose_name_plural = "信访办理记录"
        ordering = ["petition", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.on}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("历史记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("历史记录只能追加，不能删除")


class PetitionReminder(models.Model):
    """A reminder that one clock of a petition is due soon or overdue (PET-1…PET-3).
    One row per (petition, clock, kind, due day): the reminder job is idempotent."""

    class Clock(models.TextChoices):
        REGISTRATION = "registration", "登记"
        CLOSING = "closing", "办结"
        SCREENING = "screening", "甄别"

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "即将到期"
        OVERDUE = "overdue", "已逾期"

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="reminders")
    clock = models.CharField(max_length=12, choices=Clock.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_on = models.DateField("期限")
    created_on = models.DateField("提醒日期")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "信访期限提醒"
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "clock", "kind", "due_on"], name="petition_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_clock_display()}{self.get_kind_display()} {self.due_on}"
