"""Flow pages (``/flow/``): the work queue (due soon / overdue), overdue alerts, expiring
restraints (DL-20), extension requests (DL-13) and a case's deadline data with the
application-period warning (PER-7). Thin views: a scoped lookup, one service call, a
render; service errors go back on the form."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhixing.cases.access import visible_case
from zhixing.flow import forms, services
from zhixing.flow import rules as flow_rules
from zhixing.flow.models import ExtensionStatus
from zhixing.flow.rules_restraints import REMINDER_DAYS
from zhixing.reports import export

PAGE_SIZE = 50


def _form_error(form, e: services.FlowError) -> None:
    form.add_error(e.field if e.field in form.fields else None, e.message)


def _page(request: HttpRequest, items):
    """One page of ``items``, with the query string of the other pages (``page.query``)."""
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    page.query = params.urlencode()
    return page


def index(request: HttpRequest) -> HttpResponse:
    return redirect("flow:queue")


#: A source's editorial marks ([V2], [S], rules.md references, rule IDs): not for the reader.
_MARKS = re.compile(r"\s*\[[^\]]*\]|（[^）]*rules\.md[^）]*）")
_RULE_IDS = re.compile(r"[A-Z]{2,}-\d+\w*\s*[，,]?\s*")


def _basis(key_node: str) -> str:
    """The legal basis of a key node as people cite it (the provision, not the rule ID):
    the catalog's source up to its quotation, editorial marks removed."""
    try:
        source = flow_rules.key_node(key_node).source or ""
    except KeyError:
        if key_node != services.STATUTORY:
            return ""
        source = flow_rules.period("statutory").source or ""  # the 执行期限, a catalog period
    return _RULE_IDS.sub("", _MARKS.sub("", source.split("：", 1)[0])).strip()


def _status_text(i) -> str:
    if i.status == "overdue":
        return f"已超期 {i.days_overdue} 日"
    return "今日到期" if i.status == "due_today" else f"剩 {i.days_left} 日"


def _export_queue(items, as_of, scope_label: str) -> HttpResponse:
    """The whole queue (every page) as xlsx."""
    header = ("案号", "承办人", "事项", "起算日", "期限届满日", "状态", "依据")
    rows = (
        (i.case_number, i.handler or "", i.label + (f"（{i.ref}）" if i.ref else ""), i.trigger_on, i.due_on,
         _status_text(i), _basis(i.key_node))
        for i in items
    )  # fmt: skip
    return export.table_response("待办与超期", f"{scope_label} · 截至 {as_of:%Y-%m-%d}", header, rows)


def queue(request: HttpRequest) -> HttpResponse:
    """The work queue: 本人 / 本团队 / 本院, overdue first (the earliest last day on top)."""
    form = forms.QueueForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    scope = data.get("scope") or "mine"
    as_of = data.get("as_of") or services.today()
    days = data.get("days") if data.get("days") is not None else 7
    items, error = [], None
    try:
        items = services.queue(
            request.user, as_of=as_of, scope=scope, days=days, court_code=data.get("court") or ""
        )
    except services.FlowError as e:
        error = e.message
    if data.get("node"):  # the dashboard's overdue-by-node links (K1…K9)
        items = [i for i in items if i.key_node == data["node"]]
    if request.GET.get("export") == "xlsx":
        return _export_queue(items, as_of, forms.SCOPE_LABELS.get(scope, ""))
    page = _page(request, items)
    page.object_list = [{"item": i, "basis": _basis(i.key_node)} for i in page.object_list]
    return render(
        request,
        "flow/queue.html",
        {
            "form": form,
            "scope": scope,
            "as_of": as_of,
            "days": days,
            "page": page,
            "count": len(items),
            "overdue": sum(1 for i in items if i.status == "overdue"),
            "error": error,
            "labels": services.QUEUE_STATUS_LABELS,
            "scopes": forms.SCOPE_LABELS,
            "scope_label": forms.SCOPE_LABELS.get(scope, ""),
            "title": "待办与超期",
        },
    )


def alerts(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    qs = services.alerts_for(request.user)
    if show == "open":
        qs = qs.filter(acknowledged_at__isnull=True)
    page = _page(request, qs.order_by("-due_on", "pk"))
    # The page shows the court by name; the JSON keeps its code.
    rows = [{**services.alert_json(a), "court_name": a.court.name, "basis": _basis(a.key_node)} for a in page]
    return render(
        request, "flow/alerts.html", {"page": page, "rows": rows, "show": show, "title": "超期预警"}
    )


@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(services.alerts_for(request.user), pk=pk)
    services.acknowledge(alert, user=request.user)
    messages.success(request, "已确认。")
    return redirect(request.POST.get("next") or "flow:alerts")


def restraints(request: HttpRequest) -> HttpResponse:
    form = forms.RestraintForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    as_of = data.get("as_of") or services.today()
    days = data.get("days") if data.get("days") is not None else REMINDER_DAYS
    items = services.expiring_restraints(
        request.user,
        as_of=as_of,
        days=days,
        court_code=data.get("court") or "",
        include_expired=bool(data.get("include_expired")),
    )
    return render(
        request,
        "flow/restraints.html",
        {
            "form": form,
            "as_of": as_of,
            "days": days,
            "page": _page(request, items),
            "count": len(items),
            "title": "查封扣押冻结到期提醒",
        },  # fmt: skip
    )


def extensions(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ExtensionStatus.PENDING)
    qs = services.extensions_for(request.user)
    if status in ExtensionStatus.values:
        qs = qs.filter(status=status)
    page = _page(request, qs)
    return render(
        request,
        "flow/extensions.html",
        {"page": page, "status": status, "statuses": ExtensionStatus.choices, "title": "延长执行期限申请"},
    )


def extension_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = get_object_or_404(services.extensions_for(request.user), pk=pk)
    can_decide = r.status == ExtensionStatus.PENDING and services.can_decide_extension(request.user, r)
    form = forms.DecisionForm(request.POST or None, initial={"version": r.version})
    if request.method == "POST":
        if not can_decide:
            form.add_error(None, "延长执行期限须经本院院长或副院长批准（DL-13）")
        elif form.is_valid():
            try:
                services.decide_extension(
                    r,
                    approve=form.cleaned_data["decision"] == "approve",
                    user=request.user,
                    note=form.cleaned_data["note"],
                    version=form.cleaned_data["version"],
                )
            except services.FlowError as e:
                _form_error(form, e)
            else:
                messages.success(request, "已审批。")
                return redirect("flow:extension", pk=r.pk)
    return render(
        request,
        "flow/extension.html",
        {
            "r": services.extension_json(r),
            "form": form if can_decide else None,
            "warnings": services.extension_warnings(services.load_record(r.case_id), r.months),
            "title": "延长执行期限申请",
        },
    )


def extension_new(request: HttpRequest, case_number: str) -> HttpResponse:
    case = visible_case(request.user, case_number)
    form = forms.ExtensionForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            r = services.request_extension(
                case,
                months=form.cleaned_data["months"],
                reason=form.cleaned_data["reason"],
                user=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except services.FlowError as e:
            _form_error(form, e)
        else:
            messages.success(request, "已提交延长申请，待院长或副院长审批。")
            return redirect("flow:extension", pk=r.pk)
    data = services.case_supervision(request.user, case)
    return render(
        request,
        "flow/extension_new.html",
        {"form": form, "case": case, "data": data, "title": "申请延长执行期限"},
    )


def case_page(request: HttpRequest, case_number: str) -> HttpResponse:
    """A case's deadline data: the deadline in force and extension requests (DL-13), its
    restraints and their expiry (DL-20), planned resumptions (DL-14) and the
    application-period warning (PER-7, a warning only: PER-8)."""
    case = visible_case(request.user, case_number)
    return render(
        request,
        "flow/case.html",
        {
            "case": case,
            "data": services.case_supervision(request.user, case),
            "title": f"{case.case_number} 期限监管",
        },
    )
