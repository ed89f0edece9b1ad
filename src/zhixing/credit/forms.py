"""Forms for credit decisions. Each form's ``apply`` calls one service function; a rule the
decision would break comes back as an error on the field it names (nothing is saved)."""

from __future__ import annotations

from django import forms

from zhixing.cases.models import Case
from zhixing.cases.records import CaseRecord
from zhixing.credit import services
from zhixing.credit.models import DeletionGround, Ground, LiftingGround, ListEntry, RestrictedRole

#: People choose and read a ground by its words; the code (G1–G6) is only the stored value.
GROUND_WORDS = dict(Ground.choices)


def _grounds_in_words(grounds) -> str:
    return "、".join(GROUND_WORDS.get(g, g) for g in grounds)


class DocumentForm(forms.Form):
    decided_on = forms.DateField(label="决定日期", widget=forms.DateInput(attrs={"type": "date"}))
    document_number = forms.CharField(label="决定书文号", max_length=100)
    signer = forms.CharField(label="签发人", max_length=50, help_text="院长")
    reason = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, case: Case, record: CaseRecord, **kwargs):
        self.case, self.record = case, record
        kwargs.setdefault("initial", {}).setdefault("version", case.version)
        super().__init__(*args, **kwargs)

    def document(self) -> services.Document:
        d = self.cleaned_data
        return services.Document(d["decided_on"], d["document_number"], d["signer"], d.get("reason") or "")

    def debtor_choices(self) -> list[tuple[str, str]]:
        return [(p.id, p.name) for p in self.record.debtors]

    def listing_choices(self) -> list[tuple[str, str]]:
        """Active 失信 listings of the case, named as the services name them."""
        rows = ListEntry.objects.filter(case=self.case, kind=ListEntry.Kind.DISHONEST, active=True).order_by(
            "listed_on"
        )
        return [
            (e.listing, f"{e.name}（{e.listed_on.isoformat()}纳入，{_grounds_in_words(e.grounds)}）")
            for e in rows
        ]

    def restricted_choices(self) -> list[tuple[str, str]]:
        rows = ListEntry.objects.filter(
            case=self.case, kind=ListEntry.Kind.RESTRICTED, role="debtor", active=True
        )
        return [(e.party, f"{e.name}（{e.listed_on.isoformat()}起）") for e in rows.order_by("listed_on")]

    def call(self, user) -> object:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def apply(self, user):
        """The decision, or None with the errors on the form."""
        if not self.is_valid():
            return None
        try:
            return self.call(user)
        except services.CreditError as e:
            field = e.field.split("[")[0]
            self.add_error(field if field in self.fields else None, e.message)
            return None


class ListingForm(DocumentForm):
    prefix = "listing"
    party = forms.ChoiceField(label="被执行人")
    grounds = forms.MultipleChoiceField(
        label="失信情形", choices=Ground.choices, widget=forms.CheckboxSelectMultiple
    )
    term_years = forms.IntegerField(
        label="期限（年）",
        required=False,
        min_value=1,
        max_value=5,
        help_text="仅以“有履行能力而拒不履行”纳入的不设期限；其他情形二年，情节严重或多项情形可三至五年",
    )
    restrict = forms.BooleanField(label="同时发布限制消费令（尚未限制的）", required=False, initial=True)
    on_applicant_request = forms.BooleanField(label="依申请执行人申请", required=False)
    requested_on = forms.DateField(
        label="收到申请日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = self.debtor_choices()

    def call(self, user):
        d = self.cleaned_data
        return services.list_party(
            user,
            self.case,
            party=d["party"],
            grounds=d["grounds"],
            term_years=d["term_years"],
            doc=self.document(),
            restrict=d["restrict"],
            on_applicant_request=d["on_applicant_request"],
            requested_on=d["requested_on"],
            expected_version=d["version"],
        )


class DeletionForm(DocumentForm):
    prefix = "deletion"
    listing = forms.ChoiceField(label="失信信息")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listing"].choices = self.listing_choices()

    ground = forms.ChoiceField(label="删除事由", choices=DeletionGround.choices)

    def call(self, user):
        d = self.cleaned_data
        return services.delete_listing(
            user,
            self.case,
            listing=d["listing"],
            ground=d["ground"],
            doc=self.document(),
            expected_version=d["version"],
        )


class RevocationForm(DocumentForm):
    prefix = "revocation"
    listing = forms.ChoiceField(label="失信信息")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listing"].choices = self.listing_choices()

    def call(self, user):
        d = self.cleaned_data
        return services.revoke_listing(
            user, self.case, listing=d["listing"], doc=self.document(), expected_version=d["version"]
        )


class CorrectionForm(DocumentForm):
    prefix = "correction"
    listing = forms.ChoiceField(label="失信信息")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listing"].choices = self.listing_choices()

    name = forms.CharField(label="姓名或名称", required=False, max_length=200)
    id_number = forms.CharField(label="公民身份号码", required=False, max_length=18)
    credit_code = forms.CharField(label="统一社会信用代码", required=False, max_length=18)
    legal_representative = forms.CharField(label="法定代表人", required=False, max_length=100)
    conduct = forms.CharField(
        label="失信行为具体情形", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def call(self, user):
        d = self.cleaned_data
        fields = {
            k: d[k]
            for k in ("name", "id_number", "credit_code", "legal_representative", "conduct")
            if d.get(k)
        }
        return services.correct_listing(
            user,
            self.case,
            listing=d["listing"],
            fields=fields,
            doc=self.document(),
            expected_version=d["version"],
        )


ROLE_BY_LABEL = {label: value for value, label in RestrictedRole.choices}


class RestrictionForm(DocumentForm):
    prefix = "restriction"
    party = forms.ChoiceField(label="被执行人")
    persons = forms.CharField(
        label="单位的相关人员",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一人：身份,姓名,公民身份号码（身份为法定代表人、主要负责人、影响债务履行的直接责任人员或实际控制人）；"
        "单位被执行人不填时限制其登记的法定代表人",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = self.debtor_choices()

    def clean_persons(self) -> list[dict] | None:
        text = self.cleaned_data.get("persons") or ""
        people = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if len(parts) < 2:
                raise forms.ValidationError(f"第{n}行应为“身份,姓名,公民身份号码”")
            role = ROLE_BY_LABEL.get(parts[0], parts[0])
            people.append({"role": role, "name": parts[1], "id_number": parts[2] if len(parts) > 2 else ""})
        return people or None

    def call(self, user):
        d = self.cleaned_data
        return services.restrict_consumption(
            user,
            self.case,
            party=d["party"],
            persons=d["persons"],
            doc=self.document(),
            expected_version=d["version"],
        )


class LiftingForm(DocumentForm):
    prefix = "lifting"
    party = forms.ChoiceField(label="被限制消费的被执行人")
    ground = forms.ChoiceField(label="解除事由", choices=LiftingGround.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = self.restricted_choices()

    def call(self, user):
        d = self.cleaned_data
        return services.lift_restriction(
            user,
            self.case,
            party=d["party"],
            ground=d["ground"],
            doc=self.document(),
            expected_version=d["version"],
        )


FORMS = {
    "listing": ListingForm,
    "deletion": DeletionForm,
    "revocation": RevocationForm,
    "correction": CorrectionForm,
    "restriction": RestrictionForm,
    "lifting": LiftingForm,
}


class PublicSearchForm(forms.Form):
    q = forms.CharField(label="姓名或名称、身份证号码或统一社会信用代码", max_length=200, required=False)
