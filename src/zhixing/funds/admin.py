"""Case funds in the admin: money movements are read-only here (they are appended by the
services, with their approvals and history); approval thresholds and officer teams are
configured here."""

from django.contrib import admin

from zhixing.courts.adminscope import CourtScoped
from zhixing.funds.models import (
    ApprovalThreshold,
    CaseAccount,
    Deferral,
    Disbursement,
    FundLog,
    Lodgement,
    OfficerTeam,
    PaymentOrder,
    Receipt,
    Refund,
    UnidentifiedReceipt,
)


class ReadOnly(CourtScoped, admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Receipt)
class ReceiptAdmin(ReadOnly):
    list_display = ("case", "local_id", "notice_on", "amount", "paid_out", "payer", "source")
    search_fields = ("case__case_number", "payer")
    date_hierarchy = "notice_on"


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnly):
    list_display = ("case", "local_id", "receipt", "on", "amount", "payee", "source", "recorded_by")
    search_fields = ("case__case_number",)


@admin.register(Deferral)
class DeferralAdmin(ReadOnly):
    list_display = ("case", "receipt", "approved_on", "ground", "ends_on", "approved_by")


@admin.register(Lodgement)
class LodgementAdmin(ReadOnly):
    list_display = ("case", "receipt", "on", "amount", "ground", "recorded_by")


@admin.register(Refund)
class RefundAdmin(ReadOnly):
    list_display = ("disbursement", "payee_name", "reason")


@admin.register(CaseAccount)
class CaseAccountAdmin(ReadOnly):
    list_display = ("number", "case", "received", "disbursed", "lodged", "refunded")
    search_fields = ("number", "case__case_number")


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnly):
    list_display = (
        "pk",
        "case",
        "kind",
        "amount",
        "status",
        "required_role",
        "requested_by",
        "decided_by",
        "decided_at",
    )
    list_filter = ("status", "kind")


@admin.register(UnidentifiedReceipt)
class UnidentifiedReceiptAdmin(ReadOnly):
    list_display = ("court", "arrived_on", "amount", "payer", "reference", "receipt", "assigned_on")


@admin.register(FundLog)
class FundLogAdmin(ReadOnly):
    list_display = ("at", "court", "case", "action", "ref", "amount", "actor")
    list_filter = ("action",)


@admin.register(ApprovalThreshold)
class ApprovalThresholdAdmin(CourtScoped, admin.ModelAdmin):
    list_display = ("court", "max_amount", "role")
    list_filter = ("court",)


@admin.register(OfficerTeam)
class OfficerTeamAdmin(CourtScoped, admin.ModelAdmin):
    list_display = ("court", "team", "handler")
    list_filter = ("court", "team")
    search_fields = ("handler", "team")
