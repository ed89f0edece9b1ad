"""Loading a year's holiday schedule (节假日安排) in the admin, validated like the command."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin

from zhixing.flow.models import HolidaySchedule
from zhixing.lib import workdays


class HolidayScheduleForm(forms.ModelForm):
    class Meta:
        model = HolidaySchedule
        fields = ("year", "source", "holidays", "workdays")

    def clean(self):
        data = super().clean()
        try:
            workdays.parse_schedule(
                {
                    "year": data.get("year"),
                    "source": data.get("source"),
                    "holidays": data.get("holidays") or [],
                    "workdays": data.get("workdays") or [],
                }  # fmt: skip
            )
        except workdays.ScheduleError as e:
            raise forms.ValidationError(str(e)) from None
        return data


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    form = HolidayScheduleForm
    list_display = ("year", "source", "loaded_at", "loaded_by")

    def save_model(self, request, obj, form, change):
        obj.loaded_by = request.user
        super().save_model(request, obj, form, change)
        workdays.register_schedule(
            obj.year, map(date.fromisoformat, obj.holidays), map(date.fromisoformat, obj.workdays), obj.source
        )
        from zhixing.metrics.facts import refresh_all_facts

        refresh_all_facts()
