"""Petition pages (``/petitions/``): the list, intake, and one petition with its clocks,
history and the next steps. Thin views: parse, authorise (scoped lookups), one service
call, render; a service error goes back on the form, naming the field and the rule."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhixing.petitions import forms, services
from zhixing.petitions.api import PAGE_SIZE, search
from zhixing.petitions.models import Petition, PetitionReminder

STATUS_LABELS = {"on_time": "按期", "late": "超期完成", "overdue": "已逾期", "pending": "未到期"}


def _form_error(form, e: services.PetitionError) -> None:
    field = e.field if e.field in form.fields else None
    form.add_error(field, e.message)


def petition_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in ("open", "closed", "all"):
        status = "open"
    qs = search(request.user, status=status)
    page = (
        int(request.GET["page"])
        if request.GET.get("page", "").isdigit() and int(request.GET["page"]) > 0
        else 1
    )
    rows = []
    today = timezone.localdate()
    for p in qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        clock = services.clocks(p, today)
        rows.append({"p": p, "clock": clock, "status": STATUS_LABELS.get(clock.status, "") if clock else ""})
    reminders = (
        PetitionReminder.objects.filter(petition__in=Petition.objects.visible_to(request.user).open())
        .select_related("petition__case")
        .order_by("-created_on", "due_on")[:20]
    )
    return render(
        request,
        "petitions/list.html",
        {"rows": rows, "status": status, "count": qs.count(), "page": page, "page_size": PAGE_SIZE,
         "reminders": reminders, "title": "执行信访"},
    )  # fmt: skip


def petition_new(request: HttpRequest) -> HttpResponse:
    form = forms.IntakeForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            p = services.intake(request.user, services.Intake(**form.cleaned_data))
        except services.PetitionError as e:
            _form_error(form, e)
        else:
            messages.success(request, "信访已接收，请在 5 个工作日内登记并确定承办人（PET-1）。")
            return redirect("petitions:detail", pk=p.pk)
    return render(request, "petitions/new.html", {"form": form, "title": "接收信访"})


def _petition(request: HttpRequest, pk: int) -> Petition:
    return get_object_or_404(
        Petition.objects.visible_to(request.user).select_related("case__court", "court", "handler"), pk=pk
    )


ACTIONS = {
    "register": (forms.RegisterForm, "登记"),
    "assign": (forms.AssignForm, "确定承办人"),
    "link": (forms.LinkForm, "关联案件"),
    "screen": (forms.ScreenForm, "甄别"),
    "handle": (forms.HandleForm, "办理"),
    "reply": (forms.ReplyForm, "答复"),
    "close": (forms.CloseForm, "办结"),
}


def _forms_for(p: Petition, data=None, action: str | None = None) -> dict:
    """The forms of the steps open to this petition (one bound when it was posted)."""
    today = timezone.localdate()
    initial = {"version": p.version}
    available = []
    if p.closed_on is None:
        if p.registered_on is None:
            available.append("register")
        else:
            available.append("assign")
        if p.case_id is None:
            available.append("link")
        if p.about_lower_court and p.screened_on is None:
            available.append("screen")
        available += ["handle", "reply"]
        if p.registered_on is not None and p.replied:
            available.append("close")
    out = {}
    for name in available:
        cls, label = ACTIONS[name]
        kwargs = (
            {"court_code": p.handling_court_code} if cls in (forms.RegisterForm, forms.AssignForm) else {}
        )
        init = dict(initial)
        for key in ("registered_on", "screened_on", "on", "closed_on"):
            if key in cls.base_fields:
                init[key] = today
        out[name] = {
            "label": label,
            "form": cls(data if name == action else None, initial=init, prefix=name, **kwargs),
        }
    return out


def petition_detail(request: HttpRequest, pk: int, *, bound: dict | None = None) -> HttpResponse:
    p = _petition(request, pk)
    clock = services.clocks(p, timezone.localdate())
    return render(
        request,
        "petitions/detail.html",
        {
            "p": p,
            "clock": clock,
            "status_labels": STATUS_LABELS,
            "history": p.history.select_related("by"),
            "actions": bound or _forms_for(p),
            "can_act": services.can_act(request.user, p),
            "title": f"信访 {p.local_id}",
        },
    )


@require_POST
def petition_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("没有这个操作")
    p = _petition(request, pk)
    available = _forms_for(p, request.POST, action)
    if action not in available:
        messages.error(request, "该信访当前不能进行此操作")
        return redirect("petitions:detail", pk=p.pk)
    form = available[action]["form"]
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            if action == "register":
                services.register(
                    request.user, p, on=data["registered_on"], handler=data["handler"], version=version
                )
            elif action == "assign":
                services.assign(request.user, p, handler=data["handler"], version=version)
            elif action == "link":
                services.link_case(request.user, p, case_number=data["case_number"], version=version)
            elif action == "screen":
                services.screen(
                    request.user,
                    p,
                    on=data["screened_on"],
                    refer_to=data["refer_to"],
                    note=data["note"],
                    version=version,
                )
            elif action == "handle":
                services.record_handling(request.user, p, on=data["on"], note=data["note"], version=version)
            elif action == "reply":
                services.reply(request.user, p, on=data["on"], content=data["content"], version=version)
            else:
                services.close(request.user, p, on=data["closed_on"], version=version)
        except services.PetitionError as e:
            _form_error(form, e)
        else:
            messages.success(request, f"已{ACTIONS[action][1]}。")
            return redirect("petitions:detail", pk=p.pk)
    response = petition_detail(request, pk, bound=available)
    response.status_code = 422
    return response
