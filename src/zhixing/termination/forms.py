"""Forms of the 终本 pages. They parse and type the input; the rules live in
``validation`` and are applied by the services (one place for forms and API alike), whose
errors the views attach to the named fields."""

from __future__ import annotations

from django import forms

from zhixing.flow import nodes as N
from zhixing.lib.formatting import ungroup
from zhixing.termination.models import Approval, HidingGround, Opinion
from zhixing.termination.validation import InputError

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what a date input reads


class ServiceForm(forms.Form):
    """Every form carries the case version it was loaded with (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def add_problems(self, error: InputError) -> None:
        """Attach a service's refusal to the fields it names (others to the whole form)."""
        for field, message in error.problems:
            name = field.split("[")[0].split(".")[0]
            self.add_error(name if name in self.fields else None, message)


class CloseForm(ServiceForm):
    closed_on = forms.DateField(label="结案日期", widget=DATE)
    override_reason = forms.CharField(
        label="批准理由（检查未通过时由执行局长填写）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InterviewForm(ServiceForm):
    on = forms.DateField(label="约谈日期", widget=DATE)
    applicant = forms.ChoiceField(label="申请执行人")
    attendee = forms.CharField(label="到场人员", max_length=100)
    interviewers = forms.CharField(label="约谈人", max_length=100)
    recorder = forms.CharField(label="记录人", max_length=50, required=False)
    place = forms.CharField(label="约谈地点", max_length=100)
    told_progress = forms.BooleanField(label="已告知案件执行情况", required=False)
    told_measures = forms.BooleanField(label="已告知采取的财产调查措施", required=False)
    told_property = forms.BooleanField(label="已告知查明的财产情况", required=False)
    told_basis = forms.BooleanField(label="已告知终本的依据及法律后果", required=False)
    opinion = forms.ChoiceField(label="申请执行人意见", choices=Opinion.choices)
    statement = forms.CharField(
        label="申请执行人陈述", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, applicants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].choices = [(p.id, f"{p.name}（{p.role.label}）") for p in applicants]

    def add_problems(self, error: InputError) -> None:
        for field, message in error.problems:
            self.add_error(
                "told_basis" if field == "told" else (field if field in self.fields else None), message
            )


class RulingForm(ServiceForm):
    on = forms.DateField(label="裁定日期", widget=DATE)
    approval = forms.ChoiceField(label="批准方式", choices=Approval.choices)
    collegial_on = forms.DateField(label="合议庭评议日期", required=False, widget=DATE)
    president_on = forms.DateField(label="院长批准日期", required=False, widget=DATE)
    presiding = forms.CharField(label="审判长（执行员）", max_length=50)
    judges = forms.CharField(label="审判员", max_length=100, required=False)
    clerk = forms.CharField(label="书记员", max_length=50)
    process_note = forms.CharField(
        label="执行经过补充说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    property_note = forms.CharField(
        label="财产情况补充说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def add_problems(self, error: InputError) -> None:
        for field, message in error.problems:
            self.add_error(field if field in self.fields else None, message)


class DayForm(ServiceForm):
    on = forms.DateField(label="日期", widget=DATE)
    note = forms.CharField(label="说明", required=False, max_length=200)


class HidingGroundForm(ServiceForm):
    arose_on = forms.DateField(label="事由发生日", widget=DATE)
    ground = forms.ChoiceField(label="屏蔽事由", choices=HidingGround.Ground.choices)
    note = forms.CharField(label="说明", required=False, max_length=200)


class InquiryForm(ServiceForm):
    on = forms.DateField(label="查询日期", widget=DATE)
    system = forms.ChoiceField(label="查控系统", choices=[(s, s) for s in N.INQUIRY_SYSTEMS])
    categories = forms.MultipleChoiceField(
        label="查询范围", choices=[(c, c) for c in N.INQUIRY_CATEGORIES], widget=forms.CheckboxSelectMultiple
    )
    found = forms.CharField(
        label="查得财产（每行：编号,类别,价值元）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "a7,存款,523.00"}),
    )

    def clean_found(self) -> list[dict[str, str]]:
        items = []
        for i, line in enumerate((self.cleaned_data.get("found") or "").splitlines(), start=1):
            if not line.strip():
                continue
            # The value is last and may carry thousands separators ("a7,存款,30,000.00").
            parts = [x.strip() for x in line.replace("，", ",").split(",", 2)]
            if len(parts) != 3:
                raise forms.ValidationError(f"第{i}行应为“编号,类别,价值”三项，如 a7,存款,523.00")
            items.append({"asset": parts[0], "category": parts[1], "value": ungroup(parts[2])})
        return items


class ResumeForm(ServiceForm):
    filed_on = forms.DateField(label="恢复执行立案日期", widget=DATE)
    reason = forms.CharField(label="恢复执行事由", widget=forms.Textarea(attrs={"rows": 2}))
    handler = forms.CharField(label="承办人（默认原承办人）", required=False, max_length=50)


class CampaignForm(forms.Form):
    key = forms.CharField(
        label="评查批次编号", max_length=60, help_text="如 豫08-2024上半年；与法院代字一起决定抽样"
    )
    period_start = forms.DateField(label="结案期间起", widget=DATE)
    period_end = forms.DateField(label="结案期间止", widget=DATE)
    per_court = forms.IntegerField(label="每院抽查件数", min_value=1, initial=10)
    as_of = forms.DateField(label="自动检查截至日（默认今天）", required=False, widget=DATE)

    def add_problems(self, error: InputError) -> None:
        for field, message in error.problems:
            self.add_error(field if field in self.fields else None, message)


def review_form_class(checks: list[str]) -> type[forms.Form]:
    """One pass/fail choice and a note per check to review."""
    fields: dict[str, forms.Field] = {}
    for check in checks:
        fields[f"{check}_passes"] = forms.TypedChoiceField(
            label=check,
            choices=[("1", "通过"), ("0", "未通过")],
            coerce=lambda v: v == "1",
            widget=forms.RadioSelect,
        )
        fields[f"{check}_note"] = forms.CharField(label=f"{check} 说明", required=False, max_length=300)
    fields["comment"] = forms.CharField(
        label="总体意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    return type("ReviewForm", (forms.Form,), fields)
