"""Admin: supervision rows for inspection only (changes go through
``supervision.services``; histories are append-only)."""

from django.contrib import admin

from zhixing.courts.adminscope import CourtScoped
from zhixing.supervision.models import (
    Finding,
    FindingReview,
    SupervisionEvent,
    SupervisionOrder,
)


class ReadOnly(CourtScoped, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnly):
    list_display = ("case", "court", "issued_by_court", "due_on", "status", "escalated_on")
    list_filter = ("status",)


@admin.register(SupervisionEvent)
class SupervisionEventAdmin(ReadOnly):
    scope_through = "order"
    list_display = ("order", "action", "on", "by", "at")


@admin.register(Finding)
class FindingAdmin(ReadOnly):
    list_display = ("detector", "subject", "court", "status", "first_seen_on", "last_seen_on", "cleared_on")
    list_filter = ("category", "detector", "status")
    search_fields = ("subject",)


@admin.register(FindingReview)
class FindingReviewAdmin(ReadOnly):
    scope_through = "finding"
    list_display = ("finding", "decision", "by", "at")


# InterferenceRecord is deliberately not in the admin: its visibility rule (never the
# person named) is enforced by ``services.interference_visible_to``, which the admin
# would bypass.
