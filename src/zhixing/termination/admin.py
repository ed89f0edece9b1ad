"""Admin: read-only history of 终本 acts, and the upload of a court's own Word templates."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from zhixing.courts.adminscope import CourtScoped
from zhixing.termination import documents
from zhixing.termination.models import (
    DocumentTemplate,
    Interview,
    Resumption,
    ReviewCampaign,
    Ruling,
    TerminationClosing,
)


class ReadOnly(CourtScoped, admin.ModelAdmin):
    """History rows are written by the services only (design.md: append-only)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TerminationClosing)
class TerminationClosingAdmin(ReadOnly):
    list_display = ("case", "closed_on", "verdict", "overridden", "closed_by", "approved_by")
    list_filter = ("verdict", "overridden")
    search_fields = ("case__case_number",)


@admin.register(Interview)
class InterviewAdmin(ReadOnly):
    list_display = ("case", "interviewed_on", "attendee", "opinion")
    search_fields = ("case__case_number",)


@admin.register(Ruling)
class RulingAdmin(ReadOnly):
    list_display = ("case", "ruled_on", "approval", "presiding")
    search_fields = ("case__case_number",)


@admin.register(Resumption)
class ResumptionAdmin(ReadOnly):
    list_display = ("original", "resumed", "unpaid_amount", "recorded_by", "recorded_at")
    search_fields = ("original__case_number", "resumed__case_number")


@admin.register(ReviewCampaign)
class ReviewCampaignAdmin(ReadOnly):
    scope_through = "court"
    list_display = ("key", "court", "period_start", "period_end", "per_court")


class TemplateForm(forms.ModelForm):
    upload = forms.FileField(label="模板文件（.docx）", help_text="在默认模板基础上修改；{{占位符}} 须保留。")

    class Meta:
        model = DocumentTemplate
        fields = ("court", "kind")

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload is not None and data.get("kind"):
            content = upload.read()
            problems = documents.template_problems(content, data["kind"])
            if problems:
                raise forms.ValidationError(problems)
            self.instance.content = content
            self.instance.filename = upload.name
        return data


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(CourtScoped, admin.ModelAdmin):
    scope_through = "court"

    form = TemplateForm
    list_display = ("court", "kind", "filename", "uploaded_by", "uploaded_at")

    def save_model(self, request, obj, form, change):
        obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
