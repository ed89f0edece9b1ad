"""失信被执行人名单 and 限制消费 as stored (rules.md §4 CREDIT-*, §5 CONS-*).

The facts of record are ``NodeEvent`` rows (``credit_listing``, ``credit_deletion``,
``credit_revocation``, ``credit_correction``, ``consumption_restriction``,
``consumption_restriction_lifted``; spec/case-bundle.md). Around them:

- ``CreditDecision``: the decision document behind each event made through this app
  (number, signer, date, grounds, who recorded it) — append-only, like the events;
- ``ListEntry``: the published list, *derived* from the events (``credit.entries``), one
  row per person or unit and kind, never deleted; every change takes the next number of
  the list's change sequence (``seq``), which is the delta feed agencies follow;
- ``Agency``, ``ApiKey``, ``ScreeningAudit``: the 协助单位 that screen against the list,
  their keys (only a hash is stored) and the audit trail of every query;
- ``DeletionReminder``: K9 deletion obligations announced to the court (CREDIT-8/9).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhixing.cases.models import Case, NodeEvent
from zhixing.courts.models import Court, CourtScopedQuerySet
from zhixing.lib.appendonly import AppendOnly, AppendOnlyQuerySet


class Action(models.TextChoices):
    """A decision's kind; the value is the node code of the event it appends."""

    LISTING = "credit_listing", "纳入失信名单"
    DELETION = "credit_deletion", "删除失信信息"
    REVOCATION = "credit_revocation", "撤销失信信息"
    CORRECTION = "credit_correction", "更正失信信息"
    RESTRICTION = "consumption_restriction", "限制消费令"
    LIFTING = "consumption_restriction_lifted", "解除限制消费"


class Ground(models.TextChoices):
    """CREDIT-1 (失信规定 第一条): the six grounds of a listing."""

    G1 = "G1", "有履行能力而拒不履行生效法律文书确定义务"
    G2 = "G2", "以伪造证据、暴力、威胁等方法妨碍、抗拒执行"
    G3 = "G3", "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行"
    G4 = "G4", "违反财产报告制度"
    G5 = "G5", "违反限制消费令"
    G6 = "G6", "无正当理由拒不履行执行和解协议"


class DeletionGround(models.TextChoices):
    """CREDIT-8 (失信规定 第十条第一款 (一)–(七)), CREDIT-9 (第十条第二款) and early
    deletion at the court's discretion (第二条第二款)."""

    PERFORMED = "performed", "被执行人已履行义务或人民法院已执行完毕"
    SETTLEMENT = "settlement", "执行和解协议已履行完毕"
    APPLICANT_REQUEST = "applicant_request", "申请执行人书面申请删除，经审查同意"
    NO_PROPERTY = "no_property", "终本后两次以上网络查询未发现可供执行财产，且无有效财产线索"
    SUSPENDED = "suspended", "因审判监督或破产程序裁定中止执行"
    NOT_ENFORCED = "not_enforced", "裁定不予执行"
    TERMINATED = "terminated", "裁定终结执行"
    TERM_EXPIRED = "term_expired", "失信期限届满"
    EARLY = "early", "积极履行或主动纠正失信行为，提前删除"


class LiftingGround(models.TextChoices):
    """CONS-7 (限消规定 第九条)."""

    GUARANTEE = "guarantee", "提供确实有效的担保"
    CONSENT = "consent", "申请执行人同意解除"
    PERFORMED = "performed", "已履行完毕生效法律文书确定的义务"


class RestrictedRole(models.TextChoices):
    """CONS-4 (限消规定 第三条第二款): whom a restriction covers."""

    DEBTOR = "debtor", "被执行人"
    LEGAL_REPRESENTATIVE = "legal_representative", "法定代表人"
    PRINCIPAL = "principal", "主要负责人"
    RESPONSIBLE = "responsible", "影响债务履行的直接责任人员"
    CONTROLLER = "controller", "实际控制人"


class DecisionQuerySet(AppendOnlyQuerySet, CourtScopedQuerySet):
    court_lookup = "court"


class CreditDecision(AppendOnly):
    """The decision behind one credit event made through this app: who decided what, when,
    on which document and why (CREDIT-6: the decision states reasons and term, signed by
    the 院长; CONS-6: a restriction order signed by the 院长)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="credit_decisions")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    event = models.OneToOneField(NodeEvent, on_delete=models.PROTECT, related_name="credit_decision")
    action = models.CharField("决定类型", max_length=40, choices=Action.choices)
    party = models.CharField("当事人编号", max_length=32)
    listing = models.CharField("失信信息编号", max_length=32, blank=True)
    decided_on = models.DateField("决定日期")
    document_number = models.CharField("决定书文号", max_length=100)
    signer = models.CharField("签发人", max_length=50)
    grounds = models.JSONField("失信情形", default=list, blank=True)
    term_years = models.PositiveSmallIntegerField("期限（年）", null=True, blank=True)
    ground = models.CharField("删除或解除事由", max_length=40, blank=True)
    persons = models.JSONField("限制消费人员", default=list, blank=True)
    fields = models.JSONField("更正内容", default=dict, blank=True)
    reason = models.TextField("理由", blank=True)
    on_applicant_request = models.BooleanField("依申请执行人申请", default=False)
    requested_on = models.DateField("收到申请日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = DecisionQuerySet.as_manager()
    history_name = "决定记录"

    class Meta:
        verbose_name = verbose_name_plural = "失信及限制消费决定"
        ordering = ("case", "decided_on", "pk")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.document_number}"


class ListSequence(models.Model):
    """The one counter of list changes. A writer locks this row for the rest of its
    transaction, so change numbers are handed out in commit order: a reader that has seen
    number N has seen every change numbered below N (the delta feed never skips one)."""

    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"名单变更序号 {self.value}"


class ListEntryQuerySet(CourtScopedQuerySet):
    court_lookup = "court"

    def active(self) -> ListEntryQuerySet:
        return self.filter(active=True)


class ListEntry(models.Model):
    """One person or unit on the 失信 list or under 限制消费 because of one case — derived
    from that case's events, kept in step by ``credit.services`` and ``credit_rebuild``.

    ``active`` = not ended (deleted, revoked, lifted) and still backed by an effective
    event (``withdrawn`` when a correction of the event log removed it). Rows are never
    deleted: an agency's copy learns of every end through the change feed."""

    class Kind(models.TextChoices):
        DISHONEST = "dishonest", "失信被执行人"
        RESTRICTED = "restricted", "限制消费"

    source = models.CharField(max_length=160, unique=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="credit_entries")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    case_number = models.CharField("案号", max_length=64)
    party = models.CharField("当事人编号", max_length=32)
    listing = models.CharField("失信信息编号", max_length=32, blank=True)
    kind = models.CharField("名单", max_length=12, choices=Kind.choices)
    role = models.CharField(
        "身份", max_length=24, choices=RestrictedRole.choices, default=RestrictedRole.DEBTOR
    )
    is_unit = models.BooleanField("单位", default=False)
    name = models.CharField("姓名或名称", max_length=200)
    identifier = models.CharField("证件号码", max_length=18, blank=True)
    #: ``identifier`` packed into integers (``credit.index.pack``): the screening index's key.
    key = models.BigIntegerField(null=True)
    key_tag = models.IntegerField(default=0)
    #: What screening answers besides the case number, in one integer
    #: (``credit.index.payload``: kind and role, court, first day): with the key and the
    #: case number it makes the ``credit_entry_screen`` index covering, so the index build
    #: reads that index alone, in key order.
    screen_payload = models.BigIntegerField(null=True, editable=False)
    unit_name = models.CharField("所属单位", max_length=200, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=100, blank=True)
    grounds = models.JSONField("失信情形", default=list, blank=True)
    term_years = models.IntegerField("期限（年）", null=True, blank=True)
    conduct = models.TextField("失信行为具体情形", blank=True)
    listed_on = models.DateField("纳入或限制日期")
    ended_on = models.DateField("删除、撤销或解除日期", null=True, blank=True)
    ended_by = models.CharField(max_length=40, blank=True)
    deletion_ground_on = models.DateField("删除事由发生日", null=True, blank=True)
    deletion_due_on = models.DateField("应删除日", null=True, blank=True)
    withdrawn = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    seq = models.BigIntegerField(unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ListEntryQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "失信及限制消费名单"
        indexes = (
            # The screening index is built from this index alone (covering, in key order):
            # ten million entries without touching the table.
            models.Index(
                fields=["active", "key", "key_tag", "screen_payload", "case_number", "id"],
                name="credit_entry_screen",
            ),
            models.Index(
                fields=["identifier"], condition=models.Q(active=True), name="credit_entry_active_ident"
            ),
            models.Index(fields=["name"], condition=models.Q(active=True), name="credit_entry_active_name"),
            models.Index(fields=["case"]),
        )

    def __str__(self) -> str:
        return f"{self.name} {self.get_kind_display()} {self.case_number}"


class Agency(models.Model):
    """A 协助单位 (railway, airline, bank, registry) screening against the lists."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    active = models.BooleanField("启用", default=True)
    #: Requests per minute per key (a cache-based limiter, ``credit.screening``).
    rate_per_minute = models.PositiveIntegerField("每分钟请求上限", default=300_000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "协助单位"
        ordering = ("code",)

    def __str__(self) -> str:
        return self.name


class Scope(models.TextChoices):
    SCREEN = "screen", "单个筛查"
    BATCH = "batch", "批量筛查"
    CHANGES = "changes", "增量变更"
    SNAPSHOT = "snapshot", "全量快照"
    AUDIT = "audit", "本单位查询记录"


class ApiKey(models.Model):
    """An agency's API key. Only the SHA-256 of the key is stored; ``prefix`` (the key's
    first characters) names it in lists and logs without revealing it."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="keys")
    prefix = models.CharField(max_length=16, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField("权限", default=list)
    label = models.CharField("用途", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口密钥"

    def __str__(self) -> str:
        return f"{self.agency.code} {self.prefix}…"


class ScreeningAudit(models.Model):
    """One screening API call: which agency and key, when, what was asked, what it found.

    ``asked`` is the identifier of a single query (or the ``since`` of a change query);
    a batch keeps every identifier it asked, packed (``asked_packed``, decoded by
    ``credit.screening.asked_identifiers``), its malformed items in ``invalid`` and the
    identifiers found in ``hit_identifiers``."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="audit")
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(db_index=True)
    endpoint = models.CharField(max_length=20)
    status = models.PositiveSmallIntegerField(default=200)
    asked = models.CharField(max_length=64, blank=True)
    asked_count = models.PositiveIntegerField(default=1)
    asked_packed = models.BinaryField(null=True, blank=True)
    invalid = models.JSONField(default=list, blank=True)
    hit = models.BooleanField(default=False)
    hits = models.PositiveIntegerField(default=0)
    hit_identifiers = models.JSONField(default=list, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "筛查记录"
        indexes = (models.Index(fields=["agency", "at"]),)

    def __str__(self) -> str:
        return f"{self.agency_id} {self.endpoint} {self.at:%Y-%m-%d %H:%M:%S}"


class DeletionReminder(models.Model):
    """A K9 deletion obligation announced to the court (indicators.md §3 K9, CREDIT-8/9):
    one per entry and due day, created by ``zhixing credit_reminders`` (idempotent) and
    marked ``notified_at`` by the run that claimed it (a conditional UPDATE)."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="reminders")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    ground = models.CharField("删除事由", max_length=200)
    ground_on = models.DateField("事由发生日")
    due_on = models.DateField("应删除日")
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = CourtScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "删除提醒"
        ordering = ("due_on", "pk")
        constraints = (models.UniqueConstraint(fields=["entry", "due_on"], name="credit_reminder_once"),)

    def __str__(self) -> str:
        return f"应于{self.due_on.isoformat()}删除：{self.entry_id}"
