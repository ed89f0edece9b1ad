from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from zhixing.courts.adminscope import CourtScoped
from zhixing.courts.models import Court, User


@admin.register(Court)
class CourtAdmin(CourtScoped, admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    readonly_fields = ("path",)
    autocomplete_fields = ("parent",)

    def get_queryset(self, request):
        """The courts themselves: the user's court and the courts below it."""
        queryset = super(CourtScoped, self).get_queryset(request)
        return (
            queryset if request.user.is_superuser else queryset.filter(pk__in=request.user.visible_courts())
        )


@admin.register(User)
class CourtUserAdmin(CourtScoped, UserAdmin):
    scope_through = "court"

    list_display = ("username", "display_name", "court", "role", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name", "court__name")
    fieldsets = (*UserAdmin.fieldsets, ("法院与角色", {"fields": ("court", "role", "display_name")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("法院与角色", {"fields": ("court", "role", "display_name")}))
