"""The dashboard's scope and window: which courts, which days (indicators.md §4)."""

from __future__ import annotations

from datetime import date

from django import forms

from zhixing.metrics import engine

PERIODS = (("year", "本年"), ("month", "本月"), ("custom", "自定义"))


class DashboardForm(forms.Form):
    """GET parameters ``court``, ``period``, ``from``, ``to``, ``as_of``, ``indicator``
    (the same names as the API). The court is checked against the user's courts by
    ``courts.views.court_scope``, not here, so an unknown and a foreign court look alike."""

    court = forms.CharField(required=False)
    period = forms.ChoiceField(choices=PERIODS, required=False)
    as_of = forms.DateField(required=False, label="截至日")
    indicator = forms.ChoiceField(required=False, label="图表指标")

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        # "from" is a Python keyword: declared here rather than as class attributes.
        self.fields["from"] = forms.DateField(required=False, label="起始日")
        self.fields["to"] = forms.DateField(required=False, label="截止日")
        self.fields["indicator"].choices = [(i.id, f"{i.id} {i.name}") for i in engine.catalog()]

    def clean(self):
        data = super().clean()
        period = data.get("period") or "year"
        data["period"] = period
        if period == "custom":
            start, end = data.get("from"), data.get("to")
            if start is None:
                self.add_error("from", "自定义窗口需要起始日")
            if end is None:
                self.add_error("to", "自定义窗口需要截止日")
            if start and end and end < start:
                self.add_error("to", "截止日早于起始日")
            as_of = data.get("as_of") or end
            if end and as_of and as_of < end:
                self.add_error("as_of", "截至日不得早于截止日（indicators.md §4）")
        return data

    def window(self) -> engine.Window:
        """The window of a valid form; an unbound or invalid form gives this year to today."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {"period": "year"}
        return window_for(
            data.get("period", "year"), data.get("from"), data.get("to"), data.get("as_of"), self.today
        )


def window_for(
    period: str, start: date | None, end: date | None, as_of: date | None, today: date
) -> engine.Window:
    """本年: 1 January to today; 本月: the 1st to today; 自定义: as given (as-of default: to)."""
    if period == "month":
        return engine.Window(today.replace(day=1), today, today)
    if period == "custom" and start and end:
        return engine.Window(start, end, as_of or end)
    return engine.Window(today.replace(month=1, day=1), today, today)
