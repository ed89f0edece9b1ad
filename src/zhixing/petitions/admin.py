"""Admin: petitions for inspection; history and reminders read-only (changes go through
``petitions.services``)."""

from django.contrib import admin

from zhixing.courts.adminscope import CourtScoped
from zhixing.petitions.models import Petition, PetitionEvent, PetitionReminder


class ReadOnly(CourtScoped, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Petition)
class PetitionAdmin(ReadOnly):
    list_display = ("local_id", "case", "handled_by", "received_on", "registered_on", "closed_on", "replied")
    list_filter = ("source", "referred_by", "about_lower_court")
    search_fields = ("case__case_number", "petitioner")


@admin.register(PetitionEvent)
class PetitionEventAdmin(ReadOnly):
    scope_through = "petition"
    list_display = ("petition", "action", "on", "by", "at")


@admin.register(PetitionReminder)
class PetitionReminderAdmin(ReadOnly):
    scope_through = "petition"
    list_display = ("petition", "clock", "kind", "due_on", "created_on")
