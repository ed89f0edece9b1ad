"""Online inquiry pages (``/inquiry/``): coverage per court, open and stuck requests, one
request with its answers, and the officer's request form posted from the case page.
Thin views: parse, authorise (scoped lookups), one service call, render."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhixing.cases.access import visible_case
from zhixing.cases.choices import PartyRole
from zhixing.courts.access import court_scope
from zhixing.courts.models import Court
from zhixing.inquiry import services
from zhixing.inquiry.forms import RequestForm
from zhixing.inquiry.models import InquiryRequest, Status


def index(request: HttpRequest) -> HttpResponse:
    """Coverage per court in scope (TERM-4: 存款、车辆、不动产、有价证券 within 3 months),
    then the stuck and the open requests."""
    scope, _ = court_scope(request.user, request.GET.get("court", ""))
    if scope is None:
        courts = Court.objects.all()
    elif request.user.supervises or request.user.is_superuser:
        courts = scope.subtree()
    else:
        courts = Court.objects.filter(pk=scope.pk)
    as_of = timezone.localdate()
    visible = InquiryRequest.objects.visible_to(request.user).select_related("case", "court", "party")
    return render(request, "inquiry/index.html", {
        "title": "网络查控",
        "as_of": as_of,
        "coverage": services.court_coverage(courts, as_of),
        "stuck": visible.filter(status=Status.STUCK)[:100],
        "recent": visible.exclude(status=Status.STUCK)[:50],
    })  # fmt: skip


def request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    try:
        rid = uuid.UUID(request_id)
    except ValueError:
        raise Http404("没有这个请求") from None
    req = get_object_or_404(
        InquiryRequest.objects.visible_to(request.user).select_related("case", "court", "party"),
        request_id=rid,
    )
    return render(
        request,
        "inquiry/request.html",
        {"title": "网络查控请求", "r": services.request_json(req, results=True), "req": req},
    )


@require_POST
def request_new(request: HttpRequest, case_number: str) -> HttpResponse:
    case = visible_case(request.user, case_number)
    debtors = case.parties.filter(role=PartyRole.DEBTOR).order_by("position")
    form = RequestForm(request.POST, debtors=debtors)
    back = reverse("cases:detail", args=[case.case_number]) + "#inquiry"
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}：{'；'.join(errors)}")
        return redirect(back)
    d = form.cleaned_data
    try:
        services.request_inquiry(request.user, case, party=d["party"], kind=d["kind"], categories=d["categories"],
                                 system=d["system"], asset=d["asset"], amount=d["amount"], expires_on=d["expires_on"])  # fmt: skip
    except services.InquiryError as e:
        messages.error(request, f"{e.field}：{e.message}")
    else:
        messages.success(request, "已提交网络查控请求，反馈到达后自动记入本案节点。")
    return redirect(back)


@require_POST
def request_retry(request: HttpRequest, request_id: str) -> HttpResponse:
    try:
        rid = uuid.UUID(request_id)
    except ValueError:
        raise Http404("没有这个请求") from None
    req = get_object_or_404(
        InquiryRequest.objects.visible_to(request.user).select_related("case"), request_id=rid
    )
    try:
        services.retry(request.user, req)
    except services.InquiryError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已重新加入发送队列。")
    return redirect("inquiry:request", request_id=str(rid))
