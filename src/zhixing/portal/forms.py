"""Forms of the party portal (parsing only; the checks are in ``portal.services``)."""

from __future__ import annotations

from django import forms


class LookupForm(forms.Form):
    case_number = forms.CharField(
        label="案号",
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": "如（2024）豫0823执123号", "autocomplete": "off"}),
        error_messages={"required": "请输入案号"},
    )
    identifier = forms.CharField(
        label="证件号码",
        max_length=18,
        min_length=18,
        help_text="自然人填写18位公民身份号码，单位填写18位统一社会信用代码",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        error_messages={
            "required": "请输入身份证号码或统一社会信用代码",
            "min_length": "证件号码应为18位",
            "max_length": "证件号码应为18位",
        },
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="验证码",
        regex=r"^\s*[0-9]{6}\s*$",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "6"}
        ),
        error_messages={"required": "请输入验证码", "invalid": "验证码为6位数字"},
    )
