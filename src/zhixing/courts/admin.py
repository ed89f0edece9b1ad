from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from zhixing.courts.models import Court, User


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    readonly_fields = ("path",)
    autocomplete_fields = ("parent",)


@admin.register(User)
class CourtUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "court", "role", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name", "court__name")
    fieldsets = (*UserAdmin.fieldsets, ("法院与角色", {"fields": ("court", "role", "display_name")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("法院与角色", {"fields": ("court", "role", "display_name")}))
