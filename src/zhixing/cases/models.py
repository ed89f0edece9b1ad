"""Cases, parties, the append-only node log, case funds and petitions as stored.

The tables hold exactly what the case bundle carries (spec/case-bundle.md); workflows
that change them live in each app's ``services.py``. ``NodeEvent`` rows are never
updated or deleted: a correction is a new row that supersedes an earlier one, with who,
when and why (design.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhixing.cases.choices import CaseType, ClosingMode, PartyKind, PartyRole
from zhixing.courts.models import Court, CourtScopedQuerySet
from zhixing.lib.appendonly import AppendOnly

MONEY = {"max_digits": 16, "decimal_places": 2}


class CaseQuerySet(CourtScopedQuerySet):
    court_lookup = "court"

    def open_at(self, as_of):
        return self.filter(filed_on__lte=as_of).filter(
            models.Q(closed_on__isnull=True) | models.Q(closed_on__gt=as_of)
        )


class Case(models.Model):
    case_number = models.CharField("案号", max_length=64, unique=True)
    # No index of its own: (court, case_type, filed_on) below leads with it.
    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, related_name="cases", verbose_name="法院", db_index=False
    )
    case_type = models.CharField("案件类型", max_length=20, choices=CaseType.choices)
    non_litigation = models.BooleanField("非诉执行", default=False)
    application_received_on = models.DateField("收到申请日期", null=True, blank=True)
    filed_on = models.DateField("立案日期", db_index=True)
    original_case_number = models.CharField("原案号", max_length=64, blank=True)
    basis = models.JSONField("执行依据", null=True, blank=True)
    claim_amount = models.DecimalField("申请执行标的", null=True, blank=True, **MONEY)
    recovered_amount = models.DecimalField("执行到位金额", default=0, **MONEY)
    tags = models.JSONField("标签", default=list, blank=True)
    handler = models.CharField("承办人", max_length=50, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True, db_index=True)
    closing_mode = models.CharField("结案方式", max_length=24, choices=ClosingMode.choices, blank=True)
    #: Fields of the bundle line this version does not define (kept for export).
    extra = models.JSONField(default=dict, blank=True)
    #: SHA-256 of the canonical bundle form (cases.bundle.fingerprint): re-import no-op test.
    fingerprint = models.CharField(max_length=64, editable=False)
    #: Optimistic concurrency: every service that changes the case bumps it with a
    #: conditional UPDATE, so two concurrent edits cannot both win silently.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "执行案件"
        indexes = [
            models.Index(fields=["court", "case_type", "filed_on"]),
            # Looked up by equality only (a resumed case's original): no LIKE twin on PostgreSQL.
            models.Index(fields=["original_case_number"], name="cases_case_original"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(claim_amount__gte=0) | models.Q(claim_amount__isnull=True),
                name="case_claim_nonnegative",
            ),
            models.CheckConstraint(
                condition=models.Q(recovered_amount__gte=0), name="case_recovered_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return self.case_number


class Party(models.Model):
    # No index of its own: the unique (case, local_id) leads with it.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties", db_index=False)
    #: The case's court, kept on the party so that a name is looked up among the parties of
    #: the courts a user sees (index ``cases_party_court_name``): 尹某某 is 3,487 parties
    #: in 焦作's eleven courts (bench data) and a party to 487 cases of 武陟 alone.
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+", db_index=False)
    local_id = models.CharField("当事人编号", max_length=32)
    role = models.CharField("诉讼地位", max_length=12, choices=PartyRole.choices)
    kind = models.CharField("类型", max_length=12, choices=PartyKind.choices)
    # Indexed in Meta: one index each (db_index makes PostgreSQL two, a plain one beside the
    # LIKE one, and the LIKE one serves equality as well).
    name = models.CharField("名称", max_length=200)
    id_number = models.CharField("公民身份号码", max_length=18, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=100, blank=True)
    special = models.JSONField("特殊主体", default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = CourtScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "当事人"
        ordering = ["case", "position"]
        constraints = [models.UniqueConstraint(fields=["case", "local_id"], name="party_local_id_unique")]
        indexes = [
            # varchar_pattern_ops: PostgreSQL reads LIKE 'x%' from it (other backends ignore opclasses).
            # The case id as a key column too: counting a name's cases reads the index alone.
            models.Index(
                fields=["court", "name", "case"],
                name="cases_party_court_name",
                opclasses=["int8_ops", "varchar_pattern_ops", "int8_ops"],
            ),
            *(
                models.Index(fields=[f], name=f"cases_party_{f}", opclasses=["varchar_pattern_ops"])
                for f in ("name", "id_number", "credit_code")
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Gram(models.Model):
    """A piece of a name or case number, with the row's court and where the piece starts (1 for
    the first character): a text's pieces must lie side by side, so 农业专业合作社, which holds
    every piece of 农业合作社, is no match. Written by the database's triggers (migration 0005),
    never by Django; read by ``cases.fragments``."""

    pos = models.PositiveSmallIntegerField()
    court = models.ForeignKey(Court, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)

    objects = CourtScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.gram


class NameGram(Gram):
    """Three characters of a party's name from each place but its last (ASCII letters lowered;
    the gram at the name's last-but-one place is its last two characters), kept by triggers on
    ``cases_party`` (migration 0008). PostgreSQL orders the column by code point (collation "C"),
    as SQLite does, so the grams starting with two characters are one range of the key."""

    pk = models.CompositePrimaryKey("gram", "court", "party", "pos")
    gram = models.CharField(max_length=3)
    party = models.ForeignKey(Party, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)

    class Meta:
        db_table = "cases_name_gram"


class NumberGram(Gram):
    """Three characters of a case number (three, because a case number's two-character pieces are
    few: 20, 02, 豫0 …), kept by triggers on ``cases_case``."""

    pk = models.CompositePrimaryKey("gram", "court", "case", "pos")
    gram = models.CharField(max_length=3)
    case = models.ForeignKey(Case, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)

    class Meta:
        db_table = "cases_number_gram"


class NodeEvent(AppendOnly):
    """One process node (节点). Append-only: a correction is a new row whose
    ``supersedes`` names the row it replaces (or withdraws, when ``withdrawn``)."""

    class Source(models.TextChoices):
        IMPORT = "import", "导入"
        FORM = "form", "录入"
        API = "api", "接口"
        SYSTEM = "system", "系统"

    # Indexes: an import writes ~20 events a case, each entry in every index, so each index
    # here earns its place: (case, on) serves the case's own lookups (no separate case
    # index), node a plain b-tree (no LIKE-pattern twin), recorded_by only where set.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    node = models.CharField("节点", max_length=40)
    on = models.DateField("日期")
    data = models.JSONField("内容", default=dict, blank=True)
    #: Order of the event in the bundle line / of entry (ties of one day keep it).
    position = models.PositiveIntegerField(default=0)
    # A row is superseded at most once (the partial unique constraint below: imported events,
    # which supersede nothing, add no entry to it).
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by", db_index=False
    )
    withdrawn = models.BooleanField("撤回", default=False)
    reason = models.TextField("更正理由", blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.IMPORT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history_name = "节点记录"
    correction_hint = "（更正请追加一条更正记录）"

    class Meta:
        verbose_name = verbose_name_plural = "节点记录"
        ordering = ["case", "on", "position"]
        indexes = [
            models.Index(fields=["case", "on"]),
            models.Index(fields=["node"], name="cases_event_node"),
            # PROTECT looks the user's events up before a user is deleted; imported events have none.
            models.Index(
                fields=["recorded_by"],
                condition=models.Q(recorded_by__isnull=False),
                name="cases_event_recorder",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["supersedes"],
                condition=models.Q(supersedes__isnull=False),
                name="cases_event_supersedes_once",
                violation_error_message="该节点记录已被更正过，请更正最新的一条",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node} {self.on}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise PermissionError("节点记录只能追加，不能修改（更正请追加一条更正记录）")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("节点记录只能追加，不能删除")
