"""Forms of the case page: record a node, correct or withdraw one (parsing only; the
rules are applied by ``flow.services``, which names the field and the rule it breaks)."""

from __future__ import annotations

import re

from django import forms

from zhixing.flow import nodes as N
from zhixing.flow.nodes import NODES
from zhixing.lib.formatting import ungroup

#: Nodes entered elsewhere: 失信 acts go through the credit decision (CREDIT-1);
#: interference records through supervision.
ELSEWHERE = frozenset(
    {"credit_listing", "credit_deletion", "credit_revocation", "credit_correction", "interference_record"}
)
#: Fields that hold a list (entered separated by 、 or commas) and whole numbers.
LIST_FIELDS = frozenset({"categories", "grounds"})
INT_FIELDS = frozenset({"months", "term_years"})
#: Fields the form does not offer (structured; enter through the API or the import).
STRUCTURED = frozenset({"found"})

#: Fields whose values are a fixed set, as the bundle's rules allow them (cases.bundle
#: ``_event_values``; spec/case-bundle.md): offered as a choice, never typed.
CHOICES: dict[str, tuple[str, ...]] = {
    "status": N.REPORT_STATUSES,
    "system": N.INQUIRY_SYSTEMS,
    "measure": N.RESTRAINT_MEASURES,
    "category": (*N.INQUIRY_CATEGORIES, "动产", "其他"),
    "result": N.AUCTION_RESULTS,
    "opinion": N.INTERVIEW_OPINIONS,
    "ground": N.EXCLUSION_GROUNDS,
}
#: List fields with a fixed set of values: one checkbox a value.
MULTI_CHOICES: dict[str, tuple[str, ...]] = {"categories": N.INQUIRY_CATEGORIES}
DATE_FIELDS = frozenset({"expires_on", "until"})
#: Amounts of yuan: a person may type them with thousands separators ("30,000.00").
AMOUNT_FIELDS = frozenset({"amount", "value"})
#: Optional fields the form offers beyond the catalog's: DL-14's planned resumption day.
EXTRA_OPTIONAL = {"suspension_start": ("until",), "postponement_start": ("until",)}

FIELD_LABELS = {
    "handler": "承办人",
    "party": "当事人",
    "status": "报告情况",
    "system": "查控系统",
    "categories": "查询范围",
    "found": "查得财产",
    "asset": "财产",
    "measure": "措施",
    "category": "财产类别",
    "value": "价值",
    "expires_on": "期限届满日",
    "amount": "金额",
    "grounds": "情形",
    "term_years": "期限（年）",
    "listing": "名单",
    "opinion": "申请执行人意见",
    "months": "延长月数",
    "ground": "事由",
    "result": "拍卖结果",
    "reason": "原因",
    "clue": "线索编号",
    "id": "编号",
    "person": "人员",
    "content": "内容",
    "note": "备注",
    "until": "计划恢复日期",
}

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def node_choices() -> list[tuple[str, str]]:
    return [(code, spec.label) for code, spec in NODES.items() if code not in ELSEWHERE]


def parse_value(name: str, text: str):
    text = text.strip()
    if name in LIST_FIELDS:
        return [part for part in re.split(r"[、,，\s]+", text) if part]
    if name in INT_FIELDS and re.fullmatch(r"-?\d+", text):
        return int(text)
    if name in AMOUNT_FIELDS:
        return ungroup(text)
    return text


def field_names(node: str) -> list[tuple[str, bool]]:
    """(name, required) of the fields the form offers for ``node``, in the catalog's order."""
    spec = NODES.get(node)
    if spec is None:
        return []
    optional = (*spec.optional, *EXTRA_OPTIONAL.get(node, ()))
    return [(f, True) for f in spec.required if f not in STRUCTURED] + [
        (f, False) for f in optional if f not in STRUCTURED
    ]


def _values(data, key: str) -> list[str]:
    if data is None:
        return []
    if hasattr(data, "getlist"):
        return data.getlist(key)
    value = data.get(key)
    return value if isinstance(value, list) else [] if value is None else [value]


class NodeForm(forms.Form):
    """One node; its own fields arrive as ``f_<name>`` (shown for the chosen node)."""

    node = forms.ChoiceField(
        label="节点",
        choices=node_choices,
        error_messages={"required": "请选择节点", "invalid_choice": "该节点不能在此登记"},
    )
    on = forms.DateField(
        label="日期",
        widget=DATE,
        error_messages={"required": "请填写日期", "invalid": "日期格式应为 YYYY-MM-DD"},
    )
    note = forms.CharField(label="备注", required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def fields_of(self, node: str) -> list[tuple[str, bool]]:
        return field_names(node)

    def clean(self):
        """A required field of the node left blank is named here, before the rules run."""
        data = super().clean()
        node = data.get("node")
        if node:
            for name, required in field_names(node):
                if required and not any(v.strip() for v in _values(self.data, f"f_{name}")):
                    verb = "请选择" if name in CHOICES or name in MULTI_CHOICES else "请填写"
                    self.add_error(None, f"{verb}{FIELD_LABELS.get(name, name)}")
        return data

    def event_data(self, data) -> dict:
        """The node's fields from the POST (``f_<name>``); blank optional fields left out.
        A field of checkboxes arrives as several values; a typed list as one text."""
        node = self.cleaned_data["node"]
        spec = NODES[node]
        out: dict = {}
        for name in (*spec.required, *spec.optional, *EXTRA_OPTIONAL.get(node, ())):
            if name in STRUCTURED:
                if name in spec.required:
                    out[name] = []
                continue
            raw = _values(data, f"f_{name}")
            if name in LIST_FIELDS and len(raw) != 1:
                if raw or name in spec.required:
                    out[name] = [v.strip() for v in raw if v.strip()]
                continue
            text = raw[0] if raw else ""
            if text.strip() or name in spec.required:
                out[name] = parse_value(name, text)
        if self.cleaned_data.get("note"):
            out["note"] = self.cleaned_data["note"]
        return out


class CorrectionForm(forms.Form):
    """Correct the day of a node or withdraw it; a reason is always required."""

    action = forms.ChoiceField(choices=[("correct", "更正日期"), ("withdraw", "撤回")])
    on = forms.DateField(
        label="更正后日期", widget=DATE, required=False, error_messages={"invalid": "日期格式应为 YYYY-MM-DD"}
    )
    reason = forms.CharField(
        label="更正理由", max_length=500, error_messages={"required": "更正或撤回须说明理由"}
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("action") == "correct" and not data.get("on"):
            self.add_error("on", "请填写更正后的日期")
        return data
