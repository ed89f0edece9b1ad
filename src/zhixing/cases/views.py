"""Case pages: the searchable list, 我的案件, and one case with its timeline and checks.

Thin views (design.md): parse, look up through ``visible_to`` (cases.api), compute with
the rules, render. An htmx request gets the partial the full page is built from.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST
from ninja.errors import ValidationError

from zhixing.cases.access import visible_case
from zhixing.cases.api import (
    PAGE_SIZE,
    check_as_of,
    interference_hidden,
    masked,
    money,
    search_cases,
    search_listing,
    sees_full_data,
)
from zhixing.cases.checks import rows_for
from zhixing.cases.choices import CaseType, ClosingMode
from zhixing.cases.forms import (
    AMOUNT_FIELDS,
    CHOICES,
    DATE_FIELDS,
    FIELD_LABELS,
    INT_FIELDS,
    MULTI_CHOICES,
    CorrectionForm,
    NodeForm,
)
from zhixing.cases.loader import load_record
from zhixing.cases.models import Case, NodeEvent
from zhixing.cases.records import CaseRecord
from zhixing.courts.access import court_choices
from zhixing.courts.models import Court
from zhixing.credit.models import DeletionGround, Ground, LiftingGround
from zhixing.flow import rules as flow_rules
from zhixing.flow import services as flow_services
from zhixing.flow.deadlines import case_deadlines
from zhixing.flow.nodes import NODES
from zhixing.lib.formatting import yuan
from zhixing.lib.masking import audience, mask_data
from zhixing.reports import export

#: spec/cli.md statuses in the courts' words.
OBLIGATION_STATUS = {
    "done": "按期完成",
    "done_late": "逾期完成",
    "pending": "未到期",
    "overdue": "超期未完成",
    "lapsed": "结案免办",
}
CLOCK_STATUS = {
    "on_time": "按期",
    "late": "逾期办结",
    "pending": "未到期",
    "overdue": "超期未办",
    "deferred": "延缓发放",
    "lodged": "已提存",
}
#: Obligations whose discharging "node" is not a process node of the catalog.
EXTRA_NODE_LABELS = {"disbursement": "案款发放"}
#: CREDIT-1's grounds (G1…G6) as the courts name them.
GROUND_LABELS = dict(Ground.choices)
#: The 事由 of a 失信 deletion or a lifted restriction as stored by the credit decisions.
CREDIT_REASON_LABELS = {**dict(LiftingGround.choices), **dict(DeletionGround.choices)}


def node_label(code: str) -> str:
    spec = NODES.get(code)
    return spec.label if spec else EXTRA_NODE_LABELS.get(code, code)


def _value(key: str, value, record: CaseRecord) -> str:
    if key == "party" and isinstance(value, str):
        party = record.party(value)
        return party.name if party else value
    if key == "found" and isinstance(value, list):
        return (
            "、".join(
                f"{f.get('category', '')} {yuan(f.get('value'))} 元" for f in value if isinstance(f, dict)
            )
            or "无"
        )
    if key == "grounds" and isinstance(value, list):
        return "、".join(GROUND_LABELS.get(g, str(g)) for g in value) or "—"
    if key == "ground" and isinstance(value, str) and value in CREDIT_REASON_LABELS:
        return CREDIT_REASON_LABELS[value]
    if key in AMOUNT_FIELDS and isinstance(value, str):
        return f"{yuan(value)} 元"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return "—" if value is None else str(value)


def describe(data: dict, record: CaseRecord) -> list[tuple[str, str]]:
    """An event's fields as (label, text) pairs, parties by name; ``by`` is shown apart."""
    return [(FIELD_LABELS.get(k, k), _value(k, v, record)) for k, v in data.items() if k != "by"]


def timeline(case: Case, record: CaseRecord, user) -> list[dict]:
    """Every node row of the case, history included: a superseded or withdrawn row stays
    visible, marked, with who recorded what and when (NodeEvent is append-only).
    Interference records are left out for those who may not see them."""
    rows = []
    events = list(
        NodeEvent.objects.filter(case=case).select_related("recorded_by").order_by("on", "position", "pk")
    )
    # A superseding row belongs to the same case, so the case's own rows say which are
    # superseded; joining the reverse one-to-one made SQLite scan every event of every
    # case (20 s at a million cases).
    superseded = {e.supersedes_id for e in events if e.supersedes_id is not None}
    seen_by = audience(user, case.court_id)
    for e in events:
        if e.node == "interference_record" and interference_hidden(user, case, e.data):
            continue
        by = e.data.get("by") or (
            e.recorded_by.display_name or e.recorded_by.username if e.recorded_by else ""
        )
        rows.append(
            {
                "node": e.node,
                "label": node_label(e.node),
                "on": e.on,
                "details": describe(mask_data(e.data, seen_by), record),
                "by": by,
                "source": e.get_source_display(),
                "recorded_at": e.recorded_at,
                "pk": e.pk,
                "superseded": e.pk in superseded,
                "effective": e.pk not in superseded and not e.withdrawn,
                "withdrawn": e.withdrawn,
                "reason": e.reason,
            }
        )
    return rows


def obligations(deadlines: dict) -> list[dict]:
    out = []
    for o in deadlines["obligations"]:
        spec = flow_rules.catalog().get(o["key_node"])
        out.append(
            {
                **o,
                "label": node_label(o["node"]),
                "status_label": OBLIGATION_STATUS.get(o["status"], o["status"]),
                "source": spec.source if spec else "",
            }
        )
    return out


def _with_status_labels(rows: list[dict], *keys: str) -> list[dict]:
    return [
        {**r, **{f"{k}_label": CLOCK_STATUS.get(r.get(k) or "", r.get(k) or "—") for k in keys}} for r in rows
    ]


def _with_court_names(rows: list[dict]) -> list[dict]:
    """A petition's handling court by name (its code stays in the JSON)."""
    codes = {r.get("handled_by") for r in rows if r.get("handled_by")}
    names = dict(Court.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return [
        {**r, "handled_by_name": names.get(r.get("handled_by"), r.get("handled_by") or "—")} for r in rows
    ]


def _is_open(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


class CountedPaginator(Paginator):
    """Pages through every match, counted by ``counted``: the same rows as the list, by the
    fastest way to count them (``api.search_listing``). Every page is reachable by its
    number in the address; the whole list is exported with ``?export=xlsx``."""

    def __init__(self, object_list, per_page, counted=None):
        super().__init__(object_list, per_page)
        self.counted = object_list if counted is None else counted

    @cached_property
    def count(self) -> int:
        return self.counted.count()


#: The name the benchmark (bench/pages.py) imports.
CappedPaginator = CountedPaginator


def _list_page(request: HttpRequest, cases, template: str, context: dict, counted=None) -> HttpResponse:
    if request.GET.get("export") == "xlsx":
        return export.response(
            context["title"], context.get("export_subtitle", ""), cases, f"{context['title']}.xlsx"
        )
    page = CountedPaginator(cases, PAGE_SIZE, counted).get_page(request.GET.get("page"))
    context = {**context, "page": page, "rows": [_row(c) for c in page.object_list]}
    if request.htmx:
        return render(request, "cases/_results.html", context)
    return render(request, template, context)


def _row(case: Case) -> dict:
    return {
        "case": case,
        "case_type": CaseType(case.case_type).label,
        "closing_mode": ClosingMode(case.closing_mode).label if case.closing_mode else "",
        "claim_amount": money(case.claim_amount),
        "recovered_amount": money(case.recovered_amount),
    }


def case_list(request: HttpRequest) -> HttpResponse:
    """案件查询: every case the user may see, searched by number, party name or ID number."""
    q, court, status = request.GET.get("q", ""), request.GET.get("court", ""), request.GET.get("open", "")
    cases, counted = search_listing(request.user, q=q, court=court, is_open=_is_open(status))
    context = {
        "q": q,
        "court": court,
        "open": status,
        "courts": court_choices(request.user),
        "title": "案件查询",
        "export_subtitle": f"查询条件：{q.strip() or '全部案件'}",
    }
    return _list_page(request, cases, "cases/list.html", context, counted)


def my_cases(request: HttpRequest) -> HttpResponse:
    """我的案件: the cases the user handles (承办人 is their name), open ones first."""
    user = request.user
    name = user.display_name or user.get_full_name() or user.username
    # Open cases (no closing) first; NULL ordering differs between SQLite and PostgreSQL,
    # so it is spelled out.
    cases = (
        search_cases(user)
        .filter(handler=name)
        .order_by(F("closed_on").desc(nulls_first=True), "-filed_on", "case_number")
    )
    context = {"title": "我的案件", "handler": name, "export_subtitle": f"承办人：{name}"}
    return _list_page(request, cases, "cases/mine.html", context)


def _as_of(request: HttpRequest, case: Case) -> tuple[date, str]:
    raw = request.GET.get("as_of", "")
    today = timezone.localdate()
    if not raw:
        return max(today, case.filed_on), ""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return today, f"日期“{raw}”无效，应为 YYYY-MM-DD；按今天计算"
    try:
        return check_as_of(case, day), ""
    except ValidationError:
        return case.filed_on, f"截至日不得早于立案日期 {case.filed_on.isoformat()}；按立案日期计算"


def _party_choices(node: str, record: CaseRecord) -> list[tuple[str, str]]:
    """The case's parties by name and role; the ones the node is usually about first
    (the applicant for an interview, the debtors otherwise)."""
    first = "申请执行人" if node == "applicant_interview" else "被执行人"
    parties = sorted(record.parties, key=lambda p: p.role.label != first)
    return [(p.id, f"{p.name}（{p.role.label}）") for p in parties]


def _asset_choices(record: CaseRecord) -> list[tuple[str, str]]:
    """Assets found by an inquiry or put under control, as the bundle's references allow."""
    seen: dict[str, str] = {}
    for e in record.events:
        if e.node == "online_inquiry":
            for f in e.data.get("found") or []:
                if isinstance(f, dict) and f.get("asset"):
                    seen.setdefault(
                        f["asset"], f"{f['asset']}（{f.get('category', '')} {yuan(f.get('value'))} 元）"
                    )
        elif e.node == "restraint" and e.asset:
            seen.setdefault(e.asset, f"{e.asset}（{e.data.get('measure', '')}{e.data.get('category', '')}）")
    return list(seen.items())


def _clue_choices(record: CaseRecord) -> list[tuple[str, str]]:
    return [
        (e.clue, f"{e.clue}（{e.on:%Y-%m-%d} 收到）") for e in record.events_of("clue_received") if e.clue
    ]


def _input(node: str, name: str, record: CaseRecord) -> dict:
    """How one field is entered: a choice where its values are a fixed set or a reference
    to something of the case (a party, an asset, a clue), a date, an amount or a text."""
    if name in CHOICES:
        return {"kind": "select", "choices": [(v, v) for v in CHOICES[name]]}
    if name in MULTI_CHOICES:
        return {"kind": "multi", "choices": [(v, v) for v in MULTI_CHOICES[name]]}
    if name == "party":
        return {"kind": "select", "choices": _party_choices(node, record)}
    if name == "asset":
        known = _asset_choices(record)
        # A restraint may name a new asset (one found outside an inquiry); the rest must
        # name one the case already has.
        return {"kind": "text" if node == "restraint" else "select", "choices": known}
    if name == "clue" and node == "clue_verified":
        return {"kind": "select", "choices": _clue_choices(record)}
    if name in DATE_FIELDS:
        return {"kind": "date"}
    if name in AMOUNT_FIELDS:
        return {"kind": "amount"}
    if name in INT_FIELDS:
        return {"kind": "int"}
    return {"kind": "text"}


def node_fields(node: str, record: CaseRecord, values=None) -> list[dict]:
    """The inputs of one node's own fields (flow.nodes), labelled in Chinese, with the
    values a refused form was sent with."""
    out = []
    for name, required in NodeForm().fields_of(node):
        key = f"f_{name}"
        chosen = values.getlist(key) if values is not None else []
        out.append(
            {
                "name": name,
                "label": FIELD_LABELS.get(name, name),
                "required": required,
                "value": chosen[0] if chosen else "",
                "values": chosen,
                **_input(node, name, record),
            }
        )
    return out


def _detail_context(request: HttpRequest, case: Case, *, node_form=None, correction=None) -> dict:
    as_of, as_of_error = _as_of(request, case)
    full = load_record(case)
    is_masked = not sees_full_data(request.user, case)
    shown = masked(full) if is_masked else full
    deadlines = case_deadlines(full, as_of)
    termination = rows_for("termination", full, as_of)
    node_form = node_form or NodeForm(initial={"version": case.version, "on": timezone.localdate()})
    chosen = node_form["node"].value() or ""
    return {
        "case": case,
        "record": shown,
        "masked": is_masked,
        "case_type": CaseType(case.case_type).label,
        "closing_mode": ClosingMode(case.closing_mode).label if case.closing_mode else "",
        "claim_amount": money(case.claim_amount),
        "recovered_amount": money(case.recovered_amount),
        "as_of": as_of,
        "as_of_error": as_of_error,
        "deadlines": deadlines,
        "obligations": obligations(deadlines),
        "termination": termination[0] if termination else None,
        "funds": _with_status_labels(rows_for("funds", full, as_of), "status"),
        "disbursements": [d for d in full.disbursements if d.on <= as_of],
        "credit": [
            {**r, "ground_labels": [GROUND_LABELS.get(g, g) for g in r.get("grounds") or ()]}
            for r in rows_for("credit", full, as_of)
        ],
        "petitions": _with_court_names(
            _with_status_labels(
                rows_for("petitions", full, as_of), "registration_status", "status", "screening_status"
            )
        ),
        "timeline": timeline(case, shown, request.user),
        "can_record": flow_services.can_act(request.user, case),
        "node_form": node_form,
        "node_fields": node_fields(chosen, shown, request.POST if node_form.is_bound else None),
        "correction": correction or {},
    }


def case_detail(request: HttpRequest, case_number: str) -> HttpResponse:
    """One case: parties (masked as the user may see them), the node timeline, key-node
    obligations, the 终本 verdict, funds, 失信 listings and petitions at an as-of day,
    and the forms to record a node or correct one."""
    case = visible_case(request.user, case_number)
    if request.htmx and request.htmx.target == "node-fields":
        fields = node_fields(request.GET.get("node", ""), load_record(case))
        return render(request, "cases/_node_fields.html", {"node_fields": fields})
    context = _detail_context(request, case)
    if request.htmx and request.htmx.target == "case-checks":
        return render(request, "cases/_checks.html", context)
    return render(request, "cases/detail.html", context)


def _after_change(request: HttpRequest, case: Case, context: dict | None, *, ok: bool) -> HttpResponse:
    """Success: back to the case page (htmx swaps the page body, no reload; otherwise
    post/redirect/get). Failure: the page with the form and its messages."""
    if ok and not request.htmx:
        return redirect("cases:detail", case_number=case.case_number)
    case.refresh_from_db()
    context = context or _detail_context(request, case)
    return render(request, "cases/detail.html", context, status=200 if (ok or request.htmx) else 400)


@require_POST
def record_node(request: HttpRequest, case_number: str) -> HttpResponse:
    """登记节点 (flow.services.record_event: the same rules as the import and the API)."""
    case = visible_case(request.user, case_number)
    form = NodeForm(request.POST)
    if form.is_valid():
        try:
            flow_services.record_event(
                case,
                form.cleaned_data["node"],
                form.cleaned_data["on"],
                form.event_data(request.POST),
                user=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except flow_services.FlowError as e:
            label = {"on": "日期", "node": "节点", "version": "版本", "case": "权限"}.get(
                e.field
            ) or FIELD_LABELS.get(e.field, e.field)
            form.add_error(None, f"{label}：{e.message}")
        else:
            on = form.cleaned_data["on"]
            messages.success(
                request,
                f"已登记“{node_label(form.cleaned_data['node'])}”（{on:%Y-%m-%d}），{case.case_number}",
            )
            return _after_change(request, case, None, ok=True)
    return _after_change(request, case, _detail_context(request, case, node_form=form), ok=False)


def _correction_done(event: NodeEvent, data: dict, case: Case) -> str:
    label = node_label(event.node)
    if data["action"] == "withdraw":
        return f"已撤回“{label}”（{event.on:%Y-%m-%d}），{case.case_number}"
    return f"已将“{label}”的日期由 {event.on:%Y-%m-%d} 更正为 {data['on']:%Y-%m-%d}，{case.case_number}"


@require_POST
def correct_node(request: HttpRequest, case_number: str, event_id: int) -> HttpResponse:
    """更正 (a new day) or 撤回 one node: a new row supersedes it, the original stays
    visible, struck through, with the reason (NodeEvent is append-only)."""
    case = visible_case(request.user, case_number)
    event = get_object_or_404(NodeEvent.objects.filter(case=case), pk=event_id)
    form = CorrectionForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            if form.cleaned_data["action"] == "withdraw":
                flow_services.withdraw_event(
                    event,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
            else:
                flow_services.correct_event(
                    event,
                    on=form.cleaned_data["on"],
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
        except flow_services.FlowError as e:
            errors.append(e.message)
        else:
            messages.success(request, _correction_done(event, form.cleaned_data, case))
            return _after_change(request, case, None, ok=True)
    else:
        errors += [m for field_errors in form.errors.values() for m in field_errors]
    context = _detail_context(request, case, correction={"event": event.pk, "errors": errors})
    return _after_change(request, case, context, ok=False)
