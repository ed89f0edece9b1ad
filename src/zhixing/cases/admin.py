"""Cases in the admin: read-mostly. The node log is append-only and never editable here;
corrections go through the case workbench, which records who, when and why."""

from django.contrib import admin

from zhixing.cases.models import Case, NodeEvent, Party


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0
    can_delete = False
    fields = ("local_id", "role", "kind", "name", "id_number", "credit_code")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class NodeEventInline(admin.TabularInline):
    model = NodeEvent
    extra = 0
    can_delete = False
    fields = (
        "on",
        "node",
        "data",
        "source",
        "recorded_by",
        "recorded_at",
        "supersedes",
        "withdrawn",
        "reason",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("case_number", "court", "case_type", "filed_on", "closed_on", "closing_mode", "handler")
    list_filter = ("case_type", "closing_mode", "court")
    search_fields = ("case_number", "parties__name", "parties__id_number", "parties__credit_code")
    date_hierarchy = "filed_on"
    inlines = [PartyInline, NodeEventInline]
    readonly_fields = [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
