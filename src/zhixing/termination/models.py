"""终本 management as stored: the closing gate, interviews, rulings, after-closing follow-up,
resumption (恢复执行) and cross-review (交叉互评).

The facts of a case stay in ``cases.NodeEvent`` (append-only): an interview is an
``applicant_interview`` event, a ruling a ``termination_ruling`` event, and so on. The rows
here hold what the node log does not carry — who was interviewed and what they were told,
the override of a failed gate, the link from a 终本 case to its 执恢 case — and point to the
event they belong to. Every row is history: who, when, what, why (design.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhixing.cases.models import Case, NodeEvent
from zhixing.courts.models import Court, CourtScopedQuerySet

USER = settings.AUTH_USER_MODEL


class CaseScopedQuerySet(CourtScopedQuerySet):
    court_lookup = "case__court"


class ResumptionQuerySet(CourtScopedQuerySet):
    court_lookup = "original__court"


# -- stored verdict parts (indicators.md §7, read by ``zhixing check termination``) ----------


class TerminationFact(models.Model):
    """The as-of-independent part of a 终本 verdict with its reasons (rules.termination_facts
    plus the sentences), so the check over hundreds of thousands of closings reads rows
    instead of re-running T1–T13 (design.md: rules at write time, aggregation at read time).

    Valid while ``case_version`` equals the case's ``version`` and ``rules_version`` equals
    ``facts.RULES_VERSION``; a stale or missing row is recomputed from the record."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="termination_fact"
    )
    case_version = models.PositiveIntegerField()
    rules_version = models.PositiveSmallIntegerField()
    failed_static = models.JSONField(default=list)  # ids among T1–T13, in order
    reasons_static = models.JSONField(default=dict)  # id → sentence naming the rule
    served_on = models.DateField(null=True)  # first effective ruling_served (T14's trigger)
    registry_entry_on = models.DateField(null=True)  # first termination_registry_entry

    # -- the gate -------------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.case_id} {','.join(self.failed_static) or '合格'}"


class TerminationClosing(models.Model):
    """A case closed by 终本 through the gate: the checks as of the closing day, and — when
    they failed — the bureau chief's override with its reason. Kept for good: the verdict at
    closing stays visible beside today's verdict."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="termination_closing")
    closed_on = models.DateField("结案日期")
    verdict = models.CharField("结案时检查结论", max_length=8)
    failed = models.JSONField("未通过项", default=list)
    pending = models.JSONField("待到期项", default=list)
    reasons = models.JSONField("未通过原因", default=dict)
    overridden = models.BooleanField("局长批准带问题结案", default=False)
    override_reason = models.TextField("批准理由", blank=True)
    closed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name="结案人")
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="批准人"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "终本结案记录"
        constraints = (
            models.CheckConstraint(
                condition=models.Q(overridden=False) | ~models.Q(override_reason=""),
                name="termination_override_needs_reason",
            ),
        )

    def __str__(self) -> str:
        return f"{self.case} 终本 {self.closed_on}"


# -- interview and ruling ----------------------------------------------------------------------


class Opinion(models.TextChoices):
    AGREE = "同意", "同意终结本次执行程序"
    DISAGREE = "不同意", "不同意终结本次执行程序"


class Interview(models.Model):
    """约谈申请执行人 (TERM-8): who, when, where, what the applicant was told — the four items
    of 终本规定 第五条 — and the applicant's opinion. Its ``applicant_interview`` event
    carries the opinion into the node log."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="termination_interviews")
    event = models.OneToOneField(NodeEvent, on_delete=models.PROTECT, related_name="+")
    interviewed_on = models.DateField("约谈日期")
    applicant = models.CharField("申请执行人（当事人编号）", max_length=32)
    attendee = models.CharField("到场人员", max_length=100, help_text="申请执行人本人或其委托代理人姓名")
    interviewers = models.CharField("约谈人", max_length=100)
    recorder = models.CharField("记录人", max_length=50, blank=True)
    place = models.CharField("地点", max_length=100)
    told_progress = models.BooleanField("已告知案件执行情况")
    told_measures = models.BooleanField("已告知财产调查措施")
    told_property = models.BooleanField("已告知查明的财产情况")
    told_basis = models.BooleanField("已告知终本依据及法律后果")
    opinion = models.CharField("意见", max_length=4, choices=Opinion.choices)
    statement = models.TextField("申请执行人陈述", blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "约谈笔录"
        ordering = ["case", "interviewed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case} 约谈 {self.interviewed_on}"


class Approval(models.TextChoices):
    """TERM-9: how the ruling is authorised."""

    CONSENT = "consent", "申请执行人书面同意"
    PANEL = "panel", "合议庭评议并报院长批准"


class Ruling(models.Model):
    """终结本次执行程序裁定 (TERM-10). The content items come from the case when the document
    is generated; the narrative fields let the officer word what the node log cannot."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="termination_rulings")
    event = models.OneToOneField(NodeEvent, on_delete=models.PROTECT, related_name="+")
    ruled_on = models.DateField("裁定日期")
    approval = models.CharField("批准方式", max_length=8, choices=Approval.choices)
    process_note = models.TextField("执行经过补充说明", blank=True)
    property_note = models.TextField("财产情况补充说明", blank=True)
    presiding = models.CharField("审判长/执行员", max_length=50)
    judges = models.CharField("审判员", max_length=100, blank=True)
    clerk = models.CharField("书记员", max_length=50)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "终本裁定"
        ordering = ["case", "ruled_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case} 终本裁定 {self.ruled_on}"


class DocumentTemplate(models.Model):
    """A court's own Word template (约谈笔录 or 终本裁定书), uploaded through the admin. A case
    uses its court's template, else the nearest superior court's, else the package default
    (``termination/doc_templates/``)."""

    class Kind(models.TextChoices):
        INTERVIEW = "interview", "约谈笔录"
        RULING = "ruling", "终本裁定书"

    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="+", verbose_name="法院")
    kind = models.CharField("文书", max_length=10, choices=Kind.choices)
    content = models.BinaryField("模板（.docx）")
    filename = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "文书模板"
        constraints = (models.UniqueConstraint(fields=["court", "kind"], name="termination_template_unique"),)

    def __str__(self) -> str:
        return f"{self.court} {self.get_kind_display()}"


# -- after closing --------------------------------------------------------------------------------


class HidingGround(models.Model):
    """TERM-15: a ground to hide (屏蔽) the 终本 registry entry within 3 days — the obligations
    performed, a 终结执行 ruling, or another legal ground. Grounds that follow from a linked
    执恢 case's closing are derived, not recorded here."""

    class Ground(models.TextChoices):
        PERFORMED = "performed", "义务已全部履行"
        TERMINATED = "terminated", "裁定终结执行"
        OTHER = "other", "其他法定事由"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="termination_hiding_grounds")
    arose_on = models.DateField("事由发生日")
    ground = models.CharField("事由", max_length=12, choices=Ground.choices)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "终本案件库屏蔽事由"

    def __str__(self) -> str:
        return f"{self.case} {self.get_ground_display()} {self.arose_on}"


class ApplicantNotice(models.Model):
    """TERM-12: the result of a post-closing inquiry, to be notified to the applicant. Created
    with the inquiry; ``termination_followup`` claims it (conditional UPDATE), delivers it
    and records the ``inquiry_result_notified`` event."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="termination_notices")
    inquiry = models.OneToOneField(NodeEvent, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("告知内容")
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    event = models.OneToOneField(NodeEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "查询结果告知"

    def __str__(self) -> str:
        return f"{self.case} 查询结果告知"


class Reminder(models.Model):
    """A reminder of an after-closing obligation (K7/TERM-11, K8/TERM-12, TERM-15, the
    notice of each result), created once per obligation by ``termination_followup``."""

    class Kind(models.TextChoices):
        REGISTRY_ENTRY = "registry_entry", "录入终本案件库"
        REQUERY = "requery", "终本后定期网络查询"
        NOTIFY = "notify", "告知申请执行人查询结果"
        HIDE = "hide", "屏蔽终本案件库信息"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="termination_reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    ref = models.CharField(max_length=32, blank=True)
    due_on = models.DateField(null=True, blank=True)
    rule = models.CharField(max_length=16)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "终本后续提醒"
        ordering = ["due_on", "pk"]
        constraints = (
            models.UniqueConstraint(fields=["case", "kind", "ref"], name="termination_reminder_once"),
        )

    # -- resumption ----------------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.due_on}"


class Resumption(models.Model):
    """恢复执行 (CLOSE-6, CASENO-7, TERM-13): the 执恢 case opened from a 终本 case, with the
    measures still in force that it carries over (TERM-14) as they stood on its filing day."""

    original = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="resumption")
    resumed = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="resumed_from")
    unpaid_amount = models.DecimalField("未履行金额", max_digits=16, decimal_places=2)
    carried_measures = models.JSONField("延续的措施", default=list)
    reason = models.TextField("恢复执行事由")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ResumptionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "恢复执行"

    def __str__(self) -> str:
        return f"{self.original} → {self.resumed}"


class CaseNumberCounter(models.Model):
    """The last sequence number handed out per (court, type code, year), CASENO-6/7. Read and
    advanced only under ``select_for_update`` after locking the court row."""

    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="+")
    type_code = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["court", "type_code", "year"], name="termination_counter_unique"),
        )

    # -- cross-review ----------------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.court_id} {self.type_code} {self.year}: {self.last}"


class ReviewCampaign(models.Model):
    """交叉互评: a superior court samples each subordinate court's 终本 closings in a period
    and has reviewers of another court judge them check by check. ``key`` is the period's
    stable id (e.g. ``豫08-2024上半年``): with the court code it seeds the sample."""

    key = models.CharField("评查批次编号", max_length=60, unique=True)
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+", verbose_name="组织法院")
    period_start = models.DateField("结案期间起")
    period_end = models.DateField("结案期间止")
    per_court = models.PositiveIntegerField("每院抽查件数")
    as_of = models.DateField("自动检查截至日")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "交叉互评批次"
        ordering = ["-created_at"]
        constraints = (
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="review_period_order"
            ),
        )

    def __str__(self) -> str:
        return self.key


class ReviewItem(models.Model):
    """One sampled closing, its automatic verdict at the campaign's as-of (a snapshot, so the
    report does not move), and who reviews it."""

    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    subject_court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    reviewer_court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    auto_verdict = models.CharField(max_length=8)
    auto_failed = models.JSONField(default=list)
    auto_pending = models.JSONField(default=list)
    auto_reasons = models.JSONField(default=dict)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["campaign", "subject_court__code", "position"]
        constraints = (models.UniqueConstraint(fields=["campaign", "case"], name="review_item_unique"),)

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.case_id}"


class ReviewFinding(models.Model):
    """A reviewer's verdict on one check of one sampled closing."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="findings")
    check_id = models.CharField(max_length=4)
    passes = models.BooleanField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["item", "pk"]
        constraints = (models.UniqueConstraint(fields=["item", "check_id"], name="review_finding_unique"),)

    def __str__(self) -> str:
        return f"{self.item_id} {self.check_id} {'通过' if self.passes else '未通过'}"
