"""Cases in the admin: read-mostly. The node log is append-only and never editable here;
corrections go through the case workbench, which records who, when and why."""

from django.contrib import admin

from zhixing.cases.models import Case, NodeEvent, Party
from zhixing.courts.adminscope import CourtScoped
from zhixing.lib.masking import Audience, audience, mask, mask_data


def _as_seen(request, case: Case | None, fields: tuple, name: str) -> tuple:
    """``fields``, with ``name`` swapped for its ``<name>_staff_form`` column when the user
    is not of the case's own court: the admin shows ID numbers by lib.masking's rule, as
    the pages do (only court staff reach the admin, so it is whole or the staff form)."""
    if audience(request.user, case.court_id if case else None) is Audience.HANDLING:
        return fields
    return tuple(f"{f}_staff_form" if f == name else f for f in fields)


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0
    can_delete = False
    fields = ("local_id", "role", "kind", "name", "id_number", "credit_code")
    readonly_fields = fields

    def get_fields(self, request, obj=None):
        return _as_seen(request, obj, self.fields, "id_number")

    @admin.display(description="公民身份号码")
    def id_number_staff_form(self, party: Party) -> str:
        return mask(party.id_number, Audience.STAFF)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

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

    def get_fields(self, request, obj=None):
        return _as_seen(request, obj, self.fields, "data")

    @admin.display(description="内容")
    def data_staff_form(self, event: NodeEvent) -> dict:
        return mask_data(event.data, Audience.STAFF)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(CourtScoped, admin.ModelAdmin):
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
