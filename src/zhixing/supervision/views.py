"""Supervision pages (``/supervision/``): the superior's dashboard (overdue and escalated
督办 first), orders, the findings to review, and interference records. Thin views: a
scoped lookup, one service call, a render; service errors go back on the form."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhixing.courts.models import Court
from zhixing.supervision import detectors as D
from zhixing.supervision import forms, services
from zhixing.supervision.models import FindingStatus, OrderStatus

PAGE_SIZE = 50


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def _form_error(form, e: services.SupervisionError) -> None:
    form.add_error(e.field if e.field in form.fields else None, e.message)


def index(request: HttpRequest) -> HttpResponse:
    """The dashboard. A superior court sees the orders it issued that are overdue —
    escalated ones first, the longest overdue on top — and those due today; every court
    sees the orders it must report on; leaders see the findings waiting for review."""
    user = request.user
    today = timezone.localdate()
    as_of = today - timedelta(days=1)  # the last whole day (indicators.md §1: as-of is a day's end)
    orders = services.orders_for(user).pending()
    mine = user.court.subtree() if user.court_id else Court.objects.none()
    if user.is_superuser:
        mine = Court.objects.all()
    issued = orders.filter(issued_by_court__in=mine).exclude(court=user.court_id)
    overdue = sorted(
        (o for o in issued.filter(status=OrderStatus.OPEN, due_on__lte=as_of)),
        key=lambda o: (o.escalated_on is None, o.due_on, o.pk),
    )
    due_today = issued.filter(status=OrderStatus.OPEN, due_on=today)
    to_review = issued.filter(status=OrderStatus.REPORTED)
    to_report = (
        orders.filter(court=user.court_id, status=OrderStatus.OPEN) if user.court_id else orders.none()
    )
    findings = services.findings_for(user).filter(status=FindingStatus.PENDING, cleared_on__isnull=True)
    by_category = {row["category"]: row["n"] for row in findings.values("category").annotate(n=Count("pk"))}
    return render(
        request,
        "supervision/index.html",
        {
            "overdue": [(o, (today - o.due_on).days) for o in overdue],
            "due_today": due_today,
            "to_review": to_review,
            "to_report": to_report,
            "categories": [
                (code, label, by_category.get(code, 0)) for code, label in D.CATEGORY_LABELS.items()
            ],
            "interference_count": services.interference_visible_to(user).count(),
            "can_review": services.can_review_findings(user),
            "title": "督办与监督",
        },
    )


# -- orders ------------------------------------------------------------------------------------


def order_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "pending")
    qs = services.orders_for(request.user)
    if status == "pending":
        qs = qs.pending()
    elif status in OrderStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("due_on", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    as_of = timezone.localdate() - timedelta(days=1)
    rows = [(o, o.is_overdue(as_of)) for o in page]
    return render(
        request,
        "supervision/orders.html",
        {"rows": rows, "status": status, "count": page.paginator.count, "page": page, "title": "督办"},
    )


def order_new(request: HttpRequest) -> HttpResponse:
    form = forms.OrderForm(request.POST or None, initial={"case_number": request.GET.get("case", "")})
    if request.method == "POST" and form.is_valid():
        try:
            order = services.issue_order(request.user, **form.cleaned_data)
        except services.SupervisionError as e:
            _form_error(form, e)
        else:
            messages.success(request, "已督办。")
            return redirect("supervision:order", pk=order.pk)
    return render(request, "supervision/order_new.html", {"form": form, "title": "督办"})


ORDER_ACTIONS = {
    "report": (forms.ReportForm, "报告"),
    "accept": (forms.AcceptForm, "审核通过"),
    "return": (forms.ReturnForm, "退回"),
}


def _order_forms(request: HttpRequest, order, data=None, action: str | None = None) -> dict:
    names = []
    if order.status in (OrderStatus.OPEN, OrderStatus.REPORTED) and services.can_report(request.user, order):
        names.append("report")
    if order.status == OrderStatus.REPORTED and services.can_review(request.user, order):
        names += ["accept", "return"]
    out = {}
    for name in names:
        cls, label = ORDER_ACTIONS[name]
        out[name] = {
            "label": label,
            "form": cls(data if name == action else None, initial={"version": order.version}, prefix=name),
        }
    return out


def order_detail(request: HttpRequest, pk: int, *, bound: dict | None = None) -> HttpResponse:
    order = get_object_or_404(services.orders_for(request.user), pk=pk)
    as_of = timezone.localdate() - timedelta(days=1)
    return render(
        request,
        "supervision/order.html",
        {"order": order, "overdue": order.is_overdue(as_of), "history": order.history.select_related("by"),
         "actions": bound if bound is not None else _order_forms(request, order), "title": "督办"},
    )  # fmt: skip


@require_POST
def order_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ORDER_ACTIONS:
        raise Http404("没有这个操作")
    order = get_object_or_404(services.orders_for(request.user), pk=pk)
    available = _order_forms(request, order, request.POST, action)
    if action not in available:
        messages.error(request, "该督办当前不能由您进行此操作")
        return redirect("supervision:order", pk=pk)
    form = available[action]["form"]
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            if action == "report":
                services.report_back(request.user, order, content=data["content"], version=version)
            elif action == "accept":
                services.accept(request.user, order, note=data["note"], version=version)
            else:
                services.return_order(
                    request.user, order, note=data["note"], due_on=data["due_on"], version=version
                )
        except services.SupervisionError as e:
            _form_error(form, e)
        else:
            messages.success(request, f"已{ORDER_ACTIONS[action][1]}。")
            return redirect("supervision:order", pk=pk)
    response = order_detail(request, pk, bound=available)
    response.status_code = 422
    return response


# -- findings ----------------------------------------------------------------------------------


def finding_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "pending")
    category = request.GET.get("category", "")
    qs = services.findings_for(request.user).filter(cleared_on__isnull=True)
    if status in FindingStatus.values:
        qs = qs.filter(status=status)
    if category in D.CATEGORY_LABELS:
        qs = qs.filter(category=category)
    rows = Paginator(qs.order_by("-last_seen_on", "court__path", "subject", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supervision/findings.html",
        {"rows": [(f, D.BY_CODE[f.detector]) for f in rows], "page": rows, "count": rows.paginator.count,
         "status": status, "category": category,
         "categories": D.CATEGORY_LABELS, "statuses": FindingStatus.choices, "title": "监督发现"},
    )  # fmt: skip


def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(services.findings_for(request.user), pk=pk)
    can_review = services.can_review_findings(request.user)
    form = forms.ReviewForm(request.POST or None, initial={"version": finding.version})
    status = 200
    if request.method == "POST":
        if not can_review:
            messages.error(request, "只有团队负责人、执行局长等监督人员可以核查")
            return redirect("supervision:finding", pk=pk)
        if form.is_valid():
            try:
                services.review(request.user, finding, decision=form.cleaned_data["decision"],
                                reason=form.cleaned_data["reason"], version=form.cleaned_data["version"])  # fmt: skip
            except services.SupervisionError as e:
                _form_error(form, e)
            else:
                messages.success(request, "核查结论已记录。")
                return redirect("supervision:finding", pk=pk)
        status = 422
    detector = D.BY_CODE[finding.detector]
    return render(
        request,
        "supervision/finding.html",
        {"f": finding, "detector": detector, "definition": (detector.fn or D.filing_suppression).__doc__,
         "reviews": finding.reviews.select_related("by"), "form": form if can_review else None, "title": "监督发现"},
        status=status,
    )  # fmt: skip


# -- interference ------------------------------------------------------------------------------


def interference(request: HttpRequest) -> HttpResponse:
    form = forms.InterferenceForm(request.POST or None, initial={"case_number": request.GET.get("case", "")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.record_interference(request.user, **form.cleaned_data)
            except services.SupervisionError as e:
                _form_error(form, e)
            else:
                messages.success(request, "干预情况已记录。记录不可修改或删除，仅执行局长及上级法院可见。")
                return redirect("supervision:interference")
        status = 422
    page = _page(request)
    records = services.interference_visible_to(request.user).order_by("-occurred_on", "-pk")
    return render(
        request,
        "supervision/interference.html",
        {
            "form": form,
            "records": records[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
            "title": "领导干部干预记录",
        },
        status=status,
    )
