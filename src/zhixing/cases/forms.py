"""Forms of the case page: record a node, correct or withdraw one (parsing only; the
rules are applied by ``flow.services``, which names the field and the rule it breaks)."""

from __future__ import annotations

import re

from django import forms

from zhixing.flow.nodes import NODES

#: Nodes entered elsewhere: 失信 acts go through the credit decision (CREDIT-1);
#: interference records through supervision (issue 9).
ELSEWHERE = frozenset(
    {"credit_listing", "credit_deletion", "credit_revocation", "credit_correction", "interference_record"}
)
#: Fields that hold a list (entered separated by 、 or commas) and whole numbers.
LIST_FIELDS = frozenset({"categories", "grounds"})
INT_FIELDS = frozenset({"months", "term_years"})
#: Fields the form does not offer (structured; enter through the API or the import).
STRUCTURED = frozenset({"found"})

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def node_choices() -> list[tuple[str, str]]:
    return [(code, spec.label) for code, spec in NODES.items() if code not in ELSEWHERE]


def parse_value(name: str, text: str):
    text = text.strip()
    if name in LIST_FIELDS:
        return [part for part in re.split(r"[、,，\s]+", text) if part]
    if name in INT_FIELDS and re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


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
        spec = NODES.get(node)
        if spec is None:
            return []
        return [(f, True) for f in spec.required if f not in STRUCTURED] + [
            (f, False) for f in spec.optional if f not in STRUCTURED
        ]

    def event_data(self, data) -> dict:
        """The node's fields from the POST (``f_<name>``); blank optional fields left out."""
        node = self.cleaned_data["node"]
        spec = NODES[node]
        out: dict = {}
        for name in (*spec.required, *spec.optional):
            raw = data.get(f"f_{name}", "")
            if name in STRUCTURED:
                if name in spec.required:
                    out[name] = []
                continue
            if raw.strip() or name in spec.required:
                out[name] = parse_value(name, raw)
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
