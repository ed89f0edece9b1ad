"""Admin: agencies and their keys (issue and revoke), and read-only views of the list,
the decisions, the reminders and the screening audit trail (history is never edited)."""

from __future__ import annotations

from django.contrib import admin, messages

from zhixing.courts.adminscope import CourtScoped, SuperuserOnly
from zhixing.credit import services
from zhixing.credit.models import (
    Agency,
    ApiKey,
    CreditDecision,
    DeletionReminder,
    ListEntry,
    Scope,
    ScreeningAudit,
)
from zhixing.credit.screening import agency_snapshot_key
from zhixing.lib.masking import shown_id


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    fields = ("prefix", "scopes", "label", "created_at", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ("code", "name", "active", "rate_per_minute")
    inlines = (ApiKeyInline,)
    actions = ("issue_screening_key",)

    @admin.action(description="签发接口密钥（筛查、批量、增量、快照、本单位记录）")
    def issue_screening_key(self, request, queryset):
        for agency in queryset:
            _, plain = services.issue_key(agency, Scope.values, label="管理后台签发", user=request.user)
            self.message_user(
                request,
                f"{agency.name}：接口密钥 {plain}（只显示这一次）；快照验证密钥 {agency_snapshot_key(agency.code)}",
                messages.WARNING,
            )


@admin.register(ApiKey)
class ApiKeyAdmin(SuperuserOnly, ReadOnly):
    list_display = ("agency", "prefix", "scopes", "label", "created_at", "revoked_at")
    list_filter = ("agency",)
    actions = ("revoke",)

    def has_change_permission(self, request, obj=None):
        return obj is None and request.user.is_superuser  # the changelist (for the action), never the form

    @admin.action(description="吊销所选密钥")
    def revoke(self, request, queryset):
        for key in queryset:
            services.revoke_key(key)
        self.message_user(request, f"已吊销 {queryset.count()} 个密钥")


@admin.register(ScreeningAudit)
class ScreeningAuditAdmin(SuperuserOnly, ReadOnly):
    list_display = ("at", "agency", "endpoint", "status", "asked", "asked_count", "hit", "hits")
    list_filter = ("agency", "endpoint", "hit")
    date_hierarchy = "at"


@admin.register(ListEntry)
class ListEntryAdmin(CourtScoped, ReadOnly):
    list_display = (
        "name",
        "kind",
        "role",
        "identifier",
        "case_number",
        "court",
        "listed_on",
        "ended_on",
        "active",
        "seq",
    )
    list_filter = ("kind", "active", "court")
    search_fields = ("=identifier", "=name", "=case_number")

    def get_list_display(self, request):
        """The identifier by lib.masking's rule, as on the list page."""

        def identifier(e: ListEntry) -> str:
            return shown_id(e.identifier, viewer=request.user, case_court=e.court_id, unit=e.is_unit)

        identifier.short_description = "证件号码"
        return tuple(identifier if f == "identifier" else f for f in self.list_display)


@admin.register(CreditDecision)
class CreditDecisionAdmin(CourtScoped, ReadOnly):
    list_display = ("decided_on", "action", "case", "party", "document_number", "signer", "recorded_by")
    list_filter = ("action", "court")


@admin.register(DeletionReminder)
class DeletionReminderAdmin(CourtScoped, ReadOnly):
    list_display = ("due_on", "entry", "court", "ground", "notified_at")
