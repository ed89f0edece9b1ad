"""Forms of the supervision pages (parsing only; rules in ``supervision.services``)."""

from __future__ import annotations

from django import forms

DATE = forms.DateInput(attrs={"type": "date"})


class Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class OrderForm(forms.Form):
    case_number = forms.CharField(label="案号", max_length=64)
    due_on = forms.DateField(label="办理期限", widget=DATE)
    required_action = forms.CharField(label="督办事项", widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(Versioned):
    content = forms.CharField(label="办理情况", widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(Versioned):
    note = forms.CharField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(Versioned):
    note = forms.CharField(label="退回理由", widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label="新的办理期限（可不填）", required=False, widget=DATE)


class ReviewForm(Versioned):
    decision = forms.ChoiceField(label="结论", choices=[("confirmed", "确认"), ("dismissed", "排除")])
    reason = forms.CharField(
        label="理由（排除必填）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InterferenceForm(forms.Form):
    case_number = forms.CharField(label="案号", max_length=64)
    person = forms.CharField(label="干预人（姓名、职务）", max_length=100)
    content = forms.CharField(label="干预内容", widget=forms.Textarea(attrs={"rows": 3}))
    occurred_on = forms.DateField(label="干预日期", widget=DATE)
