"""Forms of the fund pages. They parse and check the shape of the input (an amount is a
string of yuan with at most two decimals, never a float); the money rules are the
services' (funds.services), whose errors the views attach to the named field.

Every form that moves money carries a hidden ``idempotency_key`` made when the form is
drawn: submitting it twice (a double click, a resent POST) pays once.
"""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone

from zhixing.funds.ledger import AmountError, parse_amount
from zhixing.funds.models import DeferralGround, LodgementGround, ReceiptKind
from zhixing.lib.formatting import ungroup


class AmountField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "金额（元）")
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "80,000.00"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            # A person types the thousands separators they read ("30,000.00"); the JSON
            # API stays strict (parse_amount alone).
            return parse_amount(ungroup(value))
        except AmountError as e:
            raise forms.ValidationError(str(e)) from None


class KeyedForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # what a date input reads, whatever the locale
        super().__init__(attrs, format)


class ReceiptForm(KeyedForm):
    amount = AmountField()
    notice_on = forms.DateField(label="到账通知日期", widget=DateInput)
    payer = forms.CharField(label="交款人", max_length=200, required=False)
    # Only 执行款 counts toward 执行到位 (AID-7); left out, a receipt is 执行款.
    kind = forms.ChoiceField(label="款项性质", choices=ReceiptKind.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("notice_on", timezone.localdate())

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or ReceiptKind.EXECUTION


class DisbursementForm(KeyedForm):
    receipt = forms.ChoiceField(label="到账")
    amount = AmountField()
    payee = forms.ChoiceField(label="收款人")

    def __init__(self, *args, receipts=(), parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipt"].choices = list(receipts)
        self.fields["payee"].choices = list(parties)


class LodgementForm(KeyedForm):
    receipt = forms.ChoiceField(label="到账")
    ground = forms.ChoiceField(label="提存事由", choices=LodgementGround.choices)
    evidence = forms.CharField(label="证据材料", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, receipts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipt"].choices = list(receipts)


class RefundForm(KeyedForm):
    receipt = forms.ChoiceField(label="到账")
    amount = AmountField()
    payee_name = forms.CharField(label="退款对象（默认交款人）", max_length=200, required=False)
    reason = forms.CharField(label="退款理由", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, receipts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipt"].choices = list(receipts)


class DeferralForm(forms.Form):
    receipt = forms.ChoiceField(label="到账")
    ground = forms.ChoiceField(label="延缓事由", choices=DeferralGround.choices)
    detail = forms.CharField(label="具体情况", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    ends_on = forms.DateField(label="事由消除日期（已知时填写）", widget=DateInput, required=False)

    def __init__(self, *args, receipts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipt"].choices = list(receipts)


class DeferralEndForm(forms.Form):
    ends_on = forms.DateField(label="事由消除日期", widget=DateInput)


class DecisionForm(forms.Form):
    note = forms.CharField(label="意见", required=False, max_length=500)


class RejectForm(forms.Form):
    reason = forms.CharField(label="驳回理由", max_length=500)


class UnidentifiedForm(KeyedForm):
    amount = AmountField()
    arrived_on = forms.DateField(label="入账日期", widget=DateInput)
    payer = forms.CharField(label="交款人", max_length=200, required=False)
    reference = forms.CharField(label="附言", max_length=200, required=False)


class AssignForm(forms.Form):
    case_number = forms.CharField(label="案号", max_length=64)
    notice_on = forms.DateField(label="到账通知日期（默认今天）", widget=DateInput, required=False)


class ReportForm(forms.Form):
    as_of = forms.DateField(label="截至", widget=DateInput, required=False)
    by = forms.ChoiceField(
        label="分组", choices=[("court", "法院"), ("team", "团队"), ("handler", "承办人")], required=False
    )
    court = forms.ChoiceField(label="法院", required=False)

    def __init__(self, *args, courts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].choices = [("", "全部可见法院"), *[(c.code, c.name) for c in courts]]
