"""Forms of the flow pages (parsing only; rules in ``flow.services``)."""

from __future__ import annotations

from django import forms

from zhixing.flow.services import SCOPES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what a date input reads
SCOPE_LABELS = {"mine": "本人", "team": "本团队", "court": "本院（含下级法院）"}


class QueueForm(forms.Form):
    scope = forms.ChoiceField(label="范围", choices=[(s, SCOPE_LABELS[s]) for s in SCOPES], required=False)
    as_of = forms.DateField(label="日期", required=False, widget=DATE)
    days = forms.IntegerField(label="提前天数", min_value=0, max_value=366, required=False)
    court = forms.CharField(label="法院代字", max_length=16, required=False)
    node = forms.CharField(label="关键节点", max_length=8, required=False)


class RestraintForm(forms.Form):
    as_of = forms.DateField(label="日期", required=False, widget=DATE)
    days = forms.IntegerField(label="提前天数", min_value=0, max_value=366, required=False)
    court = forms.CharField(label="法院代字", max_length=16, required=False)
    include_expired = forms.BooleanField(label="含已到期未续行", required=False)


class ExtensionForm(forms.Form):
    months = forms.IntegerField(label="延长月数", min_value=1, max_value=36, initial=3)
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="审批", choices=[("approve", "批准"), ("reject", "不批准")])
    note = forms.CharField(
        label="审批意见（不批准须填写）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
