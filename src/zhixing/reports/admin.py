"""Campaigns are set up by administrators; produced bulletins are listed read-only (the
scheduled job is their only writer)."""

from django.contrib import admin

from zhixing.courts.adminscope import CourtScoped
from zhixing.reports.models import Bulletin, Campaign


@admin.register(Campaign)
class CampaignAdmin(CourtScoped, admin.ModelAdmin):
    list_display = ("name", "court", "start", "end")
    list_filter = ("court",)
    search_fields = ("name",)
    autocomplete_fields = ("court",)


@admin.register(Bulletin)
class BulletinAdmin(CourtScoped, admin.ModelAdmin):
    list_display = ("date", "kind", "court", "format", "status", "size", "produced_at")
    list_filter = ("kind", "format", "status")
    date_hierarchy = "date"
    exclude = ("content",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
