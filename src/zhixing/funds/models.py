"""Case funds (执行款): one account per case (一案一账号, FUND-4), and every movement of money
as an append-only entry. FUND-1…FUND-7.

The bundle's four records keep their fields and meaning (spec/case-bundle.md "Funds"):
import and export read and write exactly ``Receipt``, ``Disbursement``, ``Deferral`` and
``Lodgement`` as the bundle has them. What the workflow needs beyond the bundle — who
recorded a movement and when, the approval of a payment, the lodged amount, refunds,
money not yet tied to a case — are extra nullable columns and models here; imported
history leaves them empty and is judged by the checks, never refused.

Balances are derived from the entries and guarded twice by the database:
``Receipt.paid_out`` is the running total of money out of one receipt (disbursed +
lodged + refunded) with ``CHECK paid_out <= amount``, and ``CaseAccount`` carries the
case's running totals with ``CHECK disbursed + lodged + refunded <= received``. Services
move both with conditional UPDATEs under row locks taken in a fixed order (case →
account → receipt → order); ``zhixing reconcile`` compares them with the entries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from zhixing.cases.models import MONEY, Case
from zhixing.courts.models import Court, CourtScopedQuerySet, Role
from zhixing.lib.appendonly import AppendOnly, AppendOnlyQuerySet


class Source(models.TextChoices):
    """How an entry came in: imported history, or recorded through a form or the API."""

    IMPORT = "import", "导入"
    FORM = "form", "录入"
    API = "api", "接口"


class DeferralGround(models.TextChoices):
    """FUND-2: the five grounds on which a payment may be deferred (延缓发放). The value is
    the Chinese text, which is what the bundle's free-text ``ground`` carries."""

    DISTRIBUTION = "需要进行案款分配", "需要进行案款分配"
    FROZEN = "执行款被保全或冻结", "申请执行人因另案诉讼、执行或涉嫌犯罪等原因导致执行款被保全或冻结"
    NOT_COLLECTED = "申请执行人经通知未领取", "申请执行人经通知未领取"
    SUSPENDED = "案件依法中止或暂缓执行", "案件被依法中止或者暂缓执行"
    OTHER = "其他正当理由", "有其他正当理由需要延缓发放执行款"


class LodgementGround(models.TextChoices):
    """FUND-3: the grounds on which money that cannot be paid out is lodged (提存)."""

    REFUSED = "申请执行人无正当理由拒绝领取", "申请执行人无正当理由拒绝领取"
    MISSING = "申请执行人下落不明", "申请执行人下落不明"
    NO_HEIR = (
        "申请执行人死亡未确定继承人或丧失民事行为能力未确定监护人",
        "申请执行人死亡未确定继承人或者丧失民事行为能力未确定监护人",
    )
    UNREACHABLE = "按申请执行人提供的联系方式无法通知", "按照申请执行人提供的联系方式无法通知其领取"
    OTHER = "其他不能发放的情形", "其他不能发放的情形"


class ReceiptKind(models.TextChoices):
    """款项性质 of money arriving in a case account: only 执行款 is money realised for the
    applicant (执行到位, funds.rules.recovery_of_receipt)."""

    EXECUTION = "execution", "执行款"
    RELIEF = "relief", "司法救助金"
    FEES = "fees", "案件受理费、执行费"


class LedgerQuerySet(AppendOnlyQuerySet, CourtScopedQuerySet):
    """Money movements are append-only: never changed or removed in bulk either; a
    mistake is put right by a new entry (e.g. a refund), attributed like any other."""

    court_lookup = "case__court"


class LogQuerySet(LedgerQuerySet):
    court_lookup = "court"


class RefundQuerySet(LedgerQuerySet):
    court_lookup = "disbursement__case__court"


class Ledger(AppendOnly):
    """A money movement or the fund log: written once (lib/appendonly.py)."""

    history_name = "案款流水"

    class Meta:
        abstract = True


class CaseScopedQuerySet(CourtScopedQuerySet):
    court_lookup = "case__court"


class Receipt(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="receipts")
    local_id = models.CharField("到账编号", max_length=32)
    notice_on = models.DateField("到账通知日期")
    amount = models.DecimalField("金额", **MONEY)
    payer = models.CharField("交款人", max_length=200, blank=True)

    # -- the workflow's own fields (not in the bundle) ------------------------------------
    #: Imported receipts are 执行款 (db_default: the import writes its rows without it).
    kind = models.CharField("款项性质", max_length=16, choices=ReceiptKind.choices,
                            default=ReceiptKind.EXECUTION, db_default=ReceiptKind.EXECUTION)  # fmt: skip
    #: Running total of money out of this receipt (disbursed + lodged + refunded). Null
    #: until a service first touches the receipt (imported history): it is then set from
    #: the entries, under the receipt's row lock.
    paid_out = models.DecimalField("已出款", null=True, blank=True, **MONEY)
    source = models.CharField("来源", max_length=8, choices=Source.choices, default=Source.IMPORT)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="登记人")  # fmt: skip
    recorded_at = models.DateTimeField("登记时间", null=True, blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "到账"
        constraints = [
            models.UniqueConstraint(fields=["case", "local_id"], name="receipt_local_id_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="receipt_amount_positive"),
            # Nothing is paid beyond what arrived (FUND-1 "专款专付"), enforced by the database.
            models.CheckConstraint(
                condition=Q(paid_out__isnull=True) | (Q(paid_out__gte=0) & Q(paid_out__lte=F("amount"))),
                name="receipt_paid_out_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.local_id} {self.amount}"


class Disbursement(Ledger):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="disbursements")
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="disbursements")
    local_id = models.CharField("发放编号", max_length=32)
    on = models.DateField("发放日期")
    amount = models.DecimalField("金额", **MONEY)
    payee = models.CharField("收款人", max_length=32, blank=True)
    #: A disbursement cannot be paid twice: a retried request carries the same key.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    source = models.CharField("来源", max_length=8, choices=Source.choices, default=Source.IMPORT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="登记人")  # fmt: skip
    recorded_at = models.DateTimeField("登记时间", null=True, blank=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "发放"
        constraints = [
            models.UniqueConstraint(fields=["case", "local_id"], name="disbursement_local_id_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="disbursement_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.local_id} {self.amount}"


class Deferral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deferrals")
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="deferrals")
    approved_on = models.DateField("批准日期")
    ground = models.CharField("事由", max_length=200, blank=True)
    #: Set once, when the ground ends (FUND-2); never changed afterwards.
    ends_on = models.DateField("事由消除日期", null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    # -- the workflow's own fields --------------------------------------------------------
    detail = models.TextField("具体情况", blank=True, default="")
    source = models.CharField("来源", max_length=8, choices=Source.choices, default=Source.IMPORT)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="批准人")  # fmt: skip
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="登记消除人")  # fmt: skip
    ended_at = models.DateTimeField("登记消除时间", null=True, blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "延缓发放"

    def __str__(self) -> str:
        return f"延缓 {self.approved_on}"


class Lodgement(Ledger):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="lodgements")
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="lodgements")
    on = models.DateField("提存日期")
    ground = models.CharField("事由", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    # -- the workflow's own fields --------------------------------------------------------
    #: The amount lodged. The bundle has none: an imported lodgement (null) is read as
    #: lodging what of the receipt was never disbursed or refunded (funds.ledger).
    amount = models.DecimalField("提存金额", null=True, blank=True, **MONEY)
    evidence = models.TextField("证据材料", blank=True, default="")
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    source = models.CharField("来源", max_length=8, choices=Source.choices, default=Source.IMPORT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="登记人")  # fmt: skip
    recorded_at = models.DateTimeField("登记时间", null=True, blank=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "提存"
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="lodgement_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"提存 {self.on}"


class Refund(Ledger):
    """退款: money of a receipt returned to whoever paid it (paid twice, more than the
    claim, …). The money leaves the account as a ``Disbursement`` — so the 30-day clock,
    IND-12 and the bundle export see it like any payment out — and this row says it was
    a refund, to whom and why; reconciliation counts it as refunded, not disbursed."""

    disbursement = models.OneToOneField(Disbursement, on_delete=models.PROTECT, related_name="refund")
    payee_name = models.CharField("退款对象", max_length=200)
    reason = models.TextField("退款理由")

    objects = RefundQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "退款"

    def __str__(self) -> str:
        return f"退款 {self.payee_name}"


class CaseAccount(models.Model):
    """一案一账号 (FUND-4): the case's own account, with running totals moved by the
    services in the same transaction as each entry. Opened by the first service that
    touches the case's money, from the entries as they stand (imported history)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="fund_account")
    number = models.CharField("案款账号", max_length=40, unique=True)
    received = models.DecimalField("到账合计", default=0, **MONEY)
    disbursed = models.DecimalField("发放合计", default=0, **MONEY)
    lodged = models.DecimalField("提存合计", default=0, **MONEY)
    refunded = models.DecimalField("退款合计", default=0, **MONEY)
    opened_at = models.DateTimeField("开户时间", auto_now_add=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "案款账户"
        constraints = [
            models.CheckConstraint(
                condition=Q(received__gte=0) & Q(disbursed__gte=0) & Q(lodged__gte=0) & Q(refunded__gte=0),
                name="account_totals_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(received__gte=F("disbursed") + F("lodged") + F("refunded")),
                name="account_out_within_received",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def balance(self):
        return self.received - self.disbursed - self.lodged - self.refunded


class UnidentifiedReceipt(models.Model):
    """不明款: money in the court's account not yet tied to a case (FUND-6). It cannot be
    a ``Receipt`` (which belongs to a case): assigning it creates the Receipt in the case,
    whose 30-day clock starts on the assignment's notice day."""

    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, related_name="unidentified_receipts", verbose_name="法院"
    )
    arrived_on = models.DateField("入账日期")
    amount = models.DecimalField("金额", **MONEY)
    payer = models.CharField("交款人", max_length=200, blank=True)
    reference = models.CharField("附言", max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="登记人")  # fmt: skip
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    #: Set once, by the assignment: the receipt created in the case.
    receipt = models.OneToOneField(Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="unidentified",
                                   verbose_name="认领到账")  # fmt: skip
    assigned_on = models.DateField("认领日期", null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="认领人")  # fmt: skip
    assigned_at = models.DateTimeField("认领时间", null=True, blank=True)

    objects = CourtScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "不明款"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="unidentified_amount_positive"),
            models.CheckConstraint(
                condition=Q(receipt__isnull=True, assigned_on__isnull=True)
                | Q(receipt__isnull=False, assigned_on__gte=F("arrived_on")),
                name="unidentified_assignment_complete",
            ),
        ]
        indexes = [models.Index(fields=["court", "arrived_on"])]

    def __str__(self) -> str:
        return f"不明款 {self.arrived_on} {self.amount}"


class ApprovalThreshold(models.Model):
    """A court's approval levels for money paid out (发放、提存、退款): an amount up to and
    including ``max_amount`` (以下，含本数) needs ``role`` or a higher one; the row without
    ``max_amount`` covers everything above. A court without rows uses its nearest
    ancestor's, and without any the default of ``funds.approvals``."""

    court = models.ForeignKey(
        Court, on_delete=models.CASCADE, related_name="approval_thresholds", verbose_name="法院"
    )
    max_amount = models.DecimalField("金额上限（含）", null=True, blank=True, **MONEY)
    role = models.CharField("审批角色", max_length=20, choices=Role.choices)

    objects = CourtScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "案款审批权限"
        ordering = ["court", F("max_amount").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(fields=["court", "max_amount"], name="threshold_unique"),
            models.UniqueConstraint(
                fields=["court"], condition=Q(max_amount__isnull=True), name="threshold_one_open_ended"
            ),
            models.CheckConstraint(
                condition=Q(max_amount__isnull=True) | Q(max_amount__gt=0), name="threshold_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.max_amount or '以上'} {self.role}"


class OrderKind(models.TextChoices):
    DISBURSEMENT = "disbursement", "发放"
    LODGEMENT = "lodgement", "提存"
    REFUND = "refund", "退款"


class OrderStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    EXECUTED = "executed", "已执行"
    REJECTED = "rejected", "已驳回"


class PaymentOrder(models.Model):
    """出款审批单: a request to pay money out of a receipt, approved at the level the
    court's thresholds require for its amount, and executed in the same transaction as
    the approval. The idempotency key is the request's: a retry returns this order."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payment_orders")
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="payment_orders")
    kind = models.CharField("类别", max_length=16, choices=OrderKind.choices)
    amount = models.DecimalField("金额", **MONEY)
    payee = models.CharField("收款当事人", max_length=32, blank=True)  # a party's local id (disbursement)
    payee_name = models.CharField("收款人名称", max_length=200, blank=True)
    ground = models.CharField("事由", max_length=200, blank=True)
    evidence = models.TextField("证据材料", blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    required_role = models.CharField("审批级别", max_length=20, choices=Role.choices)
    status = models.CharField("状态", max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    source = models.CharField("来源", max_length=8, choices=Source.choices, default=Source.FORM)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="申请人")  # fmt: skip
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="审批人")  # fmt: skip
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    disbursement = models.OneToOneField(
        Disbursement, null=True, blank=True, on_delete=models.PROTECT, related_name="order"
    )
    lodgement = models.OneToOneField(
        Lodgement, null=True, blank=True, on_delete=models.PROTECT, related_name="order"
    )
    refund = models.OneToOneField(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="order"
    )

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "出款审批"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="order_amount_positive"),
            # An executed order has its entry and its approval; a pending one has neither.
            models.CheckConstraint(
                condition=~Q(status="executed")
                | (
                    Q(decided_by__isnull=False)
                    & (Q(disbursement__isnull=False) | Q(lodgement__isnull=False) | Q(refund__isnull=False))
                ),
                name="order_executed_complete",
            ),
        ]
        indexes = [models.Index(fields=["status", "case"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}（{self.get_status_display()}）"


class OfficerTeam(models.Model):
    """Which team (执行团队) an officer works in, for the fund buckets by team. Officers
    are named as the case's ``handler``; an officer without a row is 未分组."""

    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="+", verbose_name="法院")
    handler = models.CharField("承办人", max_length=50)
    team = models.CharField("团队", max_length=50)

    objects = CourtScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "执行团队成员"
        constraints = [models.UniqueConstraint(fields=["court", "handler"], name="officer_team_unique")]

    def __str__(self) -> str:
        return f"{self.team} {self.handler}"


class FundLog(Ledger):
    """The history of every fund action (who, when, what, why); append-only."""

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="fund_log")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    action = models.CharField("操作", max_length=40)
    ref = models.CharField("对象", max_length=64, blank=True)
    amount = models.DecimalField("金额", null=True, blank=True, **MONEY)
    detail = models.JSONField("内容", default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    objects = LogQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "案款操作记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.ref}"
