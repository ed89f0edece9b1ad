"""The officer's inquiry form (on the case page's panel)."""

from __future__ import annotations

from django import forms

from zhixing.funds.forms import AmountField
from zhixing.inquiry.models import ALL_CATEGORIES, Kind, System


class RequestForm(forms.Form):
    party = forms.ChoiceField(label="被执行人")
    kind = forms.ChoiceField(label="措施", choices=Kind.choices, initial=Kind.INQUIRY)
    system = forms.ChoiceField(label="系统", choices=System.choices, initial=System.NATIONAL)
    categories = forms.MultipleChoiceField(
        label="类别", choices=[(c, c) for c in ALL_CATEGORIES], initial=list(ALL_CATEGORIES),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    asset = forms.CharField(label="财产编号", required=False, max_length=100)
    # Typed as people read amounts ("30,000.00"), parsed exactly, as on the fund forms.
    amount = AmountField(required=False)
    expires_on = forms.DateField(
        label="期限届满日", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, debtors=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only 被执行人 are offered (QRY-2); the service checks again whatever is posted.
        self.fields["party"].choices = [(p.local_id, p.name) for p in debtors]
