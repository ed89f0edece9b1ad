"""Forms of the petition pages. They only parse input; the rules live in
``petitions.services``, whose errors the views put back on the form's fields."""

from __future__ import annotations

from django import forms

from zhixing.cases.choices import PETITION_SOURCES, REFERRERS
from zhixing.courts.models import User

DATE = forms.DateInput(attrs={"type": "date"})


class Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class IntakeForm(forms.Form):
    received_on = forms.DateField(label="收到日期", widget=DATE)
    source = forms.ChoiceField(label="来源", choices=[(s, s) for s in PETITION_SOURCES])
    petitioner = forms.CharField(label="信访人", max_length=100)
    content = forms.CharField(label="信访事项", widget=forms.Textarea(attrs={"rows": 4}))
    case_number = forms.CharField(label="案号（可暂不填）", required=False, max_length=64)
    referred_by = forms.ChoiceField(
        label="交办机关", required=False, choices=[("", "—")] + [(s, s) for s in REFERRERS]
    )


class HandlerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name or obj.username}（{obj.get_role_display()}）"


class RegisterForm(Versioned):
    registered_on = forms.DateField(label="登记日期", widget=DATE)
    handler = HandlerChoice(label="承办人", queryset=User.objects.none())

    def __init__(self, *args, court_code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = User.objects.filter(
            court__code=court_code, is_active=True
        ).order_by("username")


class AssignForm(RegisterForm):
    registered_on = None


class LinkForm(Versioned):
    case_number = forms.CharField(label="案号", max_length=64)


class ScreenForm(Versioned):
    screened_on = forms.DateField(label="甄别日期", widget=DATE)
    refer_to = forms.CharField(label="交办下级法院代字（空：本院办理）", required=False, max_length=16)
    note = forms.CharField(label="甄别意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HandleForm(Versioned):
    on = forms.DateField(label="日期", widget=DATE)
    note = forms.CharField(label="办理情况", widget=forms.Textarea(attrs={"rows": 3}))


class ReplyForm(Versioned):
    on = forms.DateField(label="答复日期", widget=DATE)
    content = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(Versioned):
    closed_on = forms.DateField(label="办结日期", widget=DATE)
