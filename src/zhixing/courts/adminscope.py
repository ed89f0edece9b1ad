"""The Django admin sees what the pages see: a staff user who is not a superuser gets only
the rows of their court and, in a supervising role, the courts below it (the one scoping
rule, ``visible_to``; design.md: a court's data is its own). Every changelist, change
form, filter sidebar, court choice and autocomplete goes through these mixins."""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from zhixing.courts.models import Court


def scoped(queryset: models.QuerySet, user, through: str | None = None) -> models.QuerySet:
    """``queryset`` limited to what ``user`` may see. Without ``through`` the model's own
    ``visible_to`` decides; with it, the rows whose ``through`` (a foreign key to a Court,
    or to a model that has ``visible_to``) is visible."""
    if user.is_superuser:
        return queryset
    if through is None:
        return queryset.visible_to(user)
    target = queryset.model._meta.get_field(through).related_model
    if target is Court:
        return queryset.filter(**{f"{through}__in": user.visible_courts()})
    return queryset.filter(**{f"{through}__in": target._default_manager.visible_to(user)})


class CourtScoped:
    """A ModelAdmin mixin: rows, court choices and the court filter limited to the user's
    courts. ``scope_through`` names the foreign key to follow when the model has no
    ``visible_to`` of its own."""

    scope_through: str | None = None

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user, self.scope_through)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Court and not request.user.is_superuser:
            kwargs["queryset"] = request.user.visible_courts()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request):
        """A court filter offers only the courts of the rows shown, not every court."""
        return tuple(
            (f, admin.RelatedOnlyFieldListFilter) if f == "court" else f
            for f in super().get_list_filter(request)
        )


class SuperuserOnly:
    """A ModelAdmin mixin for rows of no court (the 协助单位, their keys and audit trail):
    system administrators only (lib/masking.py: the audit trail is theirs)."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.none()
