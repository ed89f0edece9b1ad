"""Case funds as the bundle records them: receipts (到账), disbursements (发放),
deferrals (延缓发放) and lodgements (提存). FUND-1…FUND-7."""

from __future__ import annotations

from django.db import models

from zhixing.cases.models import MONEY, Case


class Receipt(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="receipts")
    local_id = models.CharField("到账编号", max_length=32)
    notice_on = models.DateField("到账通知日期")
    amount = models.DecimalField("金额", **MONEY)
    payer = models.CharField("交款人", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "到账"
        constraints = [
            models.UniqueConstraint(fields=["case", "local_id"], name="receipt_local_id_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="receipt_amount_positive"),
        ]


class Disbursement(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="disbursements")
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="disbursements")
    local_id = models.CharField("发放编号", max_length=32)
    on = models.DateField("发放日期")
    amount = models.DecimalField("金额", **MONEY)
    payee = models.CharField("收款人", max_length=32, blank=True)
    #: A disbursement cannot be paid twice: a retried request carries the same key.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "发放"
        constraints = [
            models.UniqueConstraint(fields=["case", "local_id"], name="disbursement_local_id_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="disbursement_amount_positive"),
        ]


class Deferral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deferrals")
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="deferrals")
    approved_on = models.DateField("批准日期")
    ground = models.CharField("事由", max_length=200, blank=True)
    ends_on = models.DateField("事由消除日期", null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "延缓发放"


class Lodgement(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="lodgements")
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="lodgements")
    on = models.DateField("提存日期")
    ground = models.CharField("事由", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "提存"
