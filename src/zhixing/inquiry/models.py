"""Online inquiry and control (网络查控): requests, their per-category results, the outbox
that delivers them, and the connector each court uses.

- ``InquiryRequest``: one inquiry (查询) or control act (冻结, 续冻, 解除冻结, 扣划) about one
  debtor of one case (QRY-2), with its electronic assistance notice (QRY-1). Its
  ``request_id`` (UUID) is the idempotency key everywhere: the external service
  deduplicates on it, our results are unique per (request, category), and a deduction's
  receipt in the fund ledger carries it as its idempotency key.
- ``InquiryResult``: what came back for one category of a request; written once.
- ``OutboxMessage``: at-least-once delivery driven by database state (design.md
  "background work"): workers claim due rows with a conditional UPDATE (a lease), send,
  poll, retry with exponential backoff, and mark a row ``stuck`` after too many attempts
  or too long a wait — visible on the coverage page and in the API.
- ``ConnectorConfig``: which external system a court talks to (a court without one uses
  the nearest configured ancestor, then ``settings.INQUIRY_SERVICE_URL``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from zhixing.courts.models import CourtScopedQuerySet

MONEY = {"max_digits": 16, "decimal_places": 2}


class Category(models.TextChoices):
    """case-bundle.md ``online_inquiry.categories``: what the 总对总 system covers."""

    DEPOSIT = "存款", "存款"
    VEHICLE = "车辆", "车辆"
    REAL_ESTATE = "不动产", "不动产"
    SECURITIES = "有价证券", "有价证券"
    ONLINE_FUNDS = "网络资金", "网络资金"
    WEALTH = "理财产品", "理财产品"
    INSURANCE = "保险", "保险"
    EQUITY = "股权", "股权"
    HOUSING_FUND = "公积金", "公积金"
    SHIP = "船舶", "船舶"


ALL_CATEGORIES: tuple[str, ...] = tuple(Category.values)
#: TERM-4 / indicators.md §7 T5: the four categories a 终本 closing needs queried.
REQUIRED_CATEGORIES: tuple[str, ...] = ("存款", "车辆", "不动产", "有价证券")
#: Categories whose control (freeze, renew, release, deduct) can be done online.
CONTROLLABLE = frozenset(
    {"存款", "网络资金", "理财产品", "有价证券", "公积金", "保险", "股权", "车辆", "不动产", "船舶"}
)
#: Only money can be deducted (扣划) online.
DEDUCTIBLE = frozenset({"存款", "网络资金", "理财产品", "公积金"})


class System(models.TextChoices):
    NATIONAL = "总对总", "总对总"
    PROVINCIAL = "点对点", "点对点"


class Kind(models.TextChoices):
    INQUIRY = "inquiry", "查询"
    FREEZE = "freeze", "冻结"
    RENEW = "renew", "续行冻结"
    RELEASE = "release", "解除冻结"
    DEDUCT = "deduct", "扣划"


CONTROL_KINDS = frozenset({Kind.FREEZE, Kind.RENEW, Kind.RELEASE, Kind.DEDUCT})


class Origin(models.TextChoices):
    OFFICER = "officer", "承办人发起"
    NEW_CASE = "new_case", "新收案件自动查询"
    REQUERY = "requery", "终本定期查询"
    RENEWAL = "renewal", "到期续冻"


class Status(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENT = "sent", "已发送"
    PARTIAL = "partial", "部分反馈"
    DONE = "done", "已完成"
    FAILED = "failed", "执行失败"
    STUCK = "stuck", "滞留"


class InquiryRequestQuerySet(CourtScopedQuerySet):
    court_lookup = "court"

    def open(self):
        return self.filter(status__in=(Status.QUEUED, Status.SENT, Status.PARTIAL))


class InquiryRequest(models.Model):
    request_id = models.UUIDField("请求编号", default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="inquiries", verbose_name="案件"
    )
    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+", verbose_name="法院")
    party = models.ForeignKey(
        "cases.Party", on_delete=models.PROTECT, related_name="inquiries", verbose_name="被执行人"
    )
    kind = models.CharField("类型", max_length=8, choices=Kind.choices, default=Kind.INQUIRY)
    system = models.CharField("系统", max_length=4, choices=System.choices, default=System.NATIONAL)
    categories = models.JSONField("查询类别", default=list)
    #: Control acts: the asset (as found by an inquiry) and the amount / new expiry.
    asset = models.CharField("财产", max_length=100, blank=True)
    amount = models.DecimalField("金额", null=True, blank=True, **MONEY)
    expires_on = models.DateField("期限届满日", null=True, blank=True)
    origin = models.CharField("来源", max_length=10, choices=Origin.choices, default=Origin.OFFICER)
    #: Jobs: the identity of what they asked for ("new:…", "requery:…", "renew:…"), so a
    #: re-run of the daily job creates nothing twice (unique when set).
    dedup_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    #: QRY-1: the electronic assistance notice (电子协助执行通知书) sent with a request.
    notice_number = models.CharField("协助通知书文号", max_length=80, blank=True)
    notice_seal = models.CharField("电子签章", max_length=64, blank=True)
    status = models.CharField(
        "状态", max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    error = models.TextField("失败原因", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="发起人",
    )
    requested_on = models.DateField("发起日期")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = InquiryRequestQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "网络查控请求"
        ordering = ("-created_at", "-pk")
        indexes = (models.Index(fields=["case", "kind"]), models.Index(fields=["court", "status"]))
        constraints = (
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="inquiry_amount_positive",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.request_id}"

    @property
    def is_control(self) -> bool:
        return self.kind in CONTROL_KINDS


class ResultStatus(models.TextChoices):
    FOUND = "found", "查到财产"
    NONE = "none", "未查到"
    DONE = "done", "已办理"
    REFUSED = "refused", "未能办理"


class ResultQuerySet(CourtScopedQuerySet):
    court_lookup = "request__court"


class InquiryResult(models.Model):
    """One category's answer to a request, written once (unique per request and category):
    a duplicate delivery of the same answer changes nothing."""

    request = models.ForeignKey(InquiryRequest, on_delete=models.CASCADE, related_name="results")
    category = models.CharField("类别", max_length=8, choices=Category.choices)
    status = models.CharField("结果", max_length=8, choices=ResultStatus.choices)
    assets = models.JSONField("财产", default=list)
    total = models.DecimalField("金额合计", default=0, **MONEY)
    message = models.CharField("说明", max_length=200, blank=True)
    answered_on = models.DateField("反馈日期")
    received_at = models.DateTimeField(auto_now_add=True)
    event = models.ForeignKey(
        "cases.NodeEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt = models.OneToOneField(
        "funds.Receipt", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "网络查控结果"
        ordering = ("request", "category")
        constraints = (models.UniqueConstraint(fields=["request", "category"], name="inquiry_result_once"),)

    def __str__(self) -> str:
        return f"{self.category} {self.get_status_display()}"


class OutboxState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已送达，待反馈"
    DONE = "done", "完成"
    STUCK = "stuck", "滞留"


class OutboxMessage(models.Model):
    request = models.OneToOneField(InquiryRequest, on_delete=models.CASCADE, related_name="outbox")
    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=8, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    failures = models.PositiveIntegerField("连续失败次数", default=0)
    polls = models.PositiveIntegerField("查询反馈次数", default=0)
    next_attempt_at = models.DateTimeField()
    #: The worker holding the row (conditional UPDATE) and until when; an expired lease
    #: (a crashed worker) makes the row claimable again.
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    first_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourtScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "发送队列"
        indexes = (models.Index(fields=["state", "next_attempt_at"]),)

    def __str__(self) -> str:
        return f"{self.request_id} {self.state}"


class ConnectorConfig(models.Model):
    """The external system a court's requests go to. A court without a row uses its
    nearest ancestor's (a high court configures its province once)."""

    court = models.OneToOneField("courts.Court", on_delete=models.CASCADE, related_name="inquiry_connector")
    system = models.CharField("系统", max_length=4, choices=System.choices, default=System.NATIONAL)
    base_url = models.URLField("服务地址")
    secret = models.CharField("回调签名密钥", max_length=128, blank=True)
    timeout = models.FloatField("超时（秒）", default=10.0)
    batch_size = models.PositiveIntegerField("每批条数", default=200)
    enabled = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "查控接口配置"

    def __str__(self) -> str:
        return f"{self.court} {self.system} {self.base_url}"
