"""Petition pages (``/petitions/``): the list, intake, and one petition with its clocks,
history and the next steps. Thin views: parse, authorise (scoped lookups), one service
call, render; a service error goes back on the form, naming the field and the rule."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhixing.courts.models import Court
from zhixing.petitions import forms, services
from zhixing.petitions.api import PAGE_SIZE, search
from zhixing.petitions.models import Petition, PetitionReminder

STATUS_LABELS = {"on_time": "按期", "late": "超期完成", "overdue": "已逾期", "pending": "未到期"}


def _form_error(form, e: services.PetitionError) -> None:
    field = e.field if e.field in form.fields else None
    form.add_error(field, e.message)


def _court_names(codes) -> dict[str, str]:
    """Court names by code: people read 武陟县人民法院, not 豫0823."""
    return dict(Court.objects.filter(code__in=set(codes)).values_list("code", "name"))


def petition_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in ("open", "closed", "all"):
        status = "open"
    page = Paginator(search(request.user, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    petitions = list(page.object_list)
    names = _court_names(p.handling_court_code for p in petitions)
    rows = []
    for p in petitions:
        clock = services.clocks(p, today)
        rows.append(
            {
                "p": p,
                "clock": clock,
                "status": STATUS_LABELS.get(clock.status, "") if clock else "",
                "court_name": names.get(p.handling_court_code, p.handling_court_code),
            }
        )
    reminders = (
        PetitionReminder.objects.filter(petition__in=Petition.objects.visible_to(request.user).open())
        .select_related("petition__case")
        .order_by("-created_on", "due_on")[:20]
    )
    return render(
        request,
        "petitions/list.html",
        {"rows": rows, "status": status, "page": page, "reminders": reminders, "title": "执行信访"},
    )


def petition_new(request: HttpRequest) -> HttpResponse:
    form = forms.IntakeForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            p = services.intake(request.user, services.Intake(**form.cleaned_data))
        except services.PetitionError as e:
            _form_error(form, e)
        else:
            messages.success(request, f"信访已接收（{p.local_id}），请在 5 个工作日内登记并确定承办人。")
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
            "court_name": _court_names([p.handling_court_code]).get(
                p.handling_court_code, p.handling_court_code
            ),
            "title": f"信访 {p.local_id}",
        },
    )


def _done_detail(action: str, data: dict) -> str:
    """What was saved, in the confirmation: the handler named, the date."""
    if action in ("register", "assign") and data.get("handler") is not None:
        h = data["handler"]
        return f"，承办人 {h.display_name or h.username}"
    for key in ("registered_on", "on", "screened_on", "closed_on"):
        if data.get(key) is not None:
            return f"，{data[key]:%Y-%m-%d}"
    return ""


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
            messages.success(
                request, f"已{ACTIONS[action][1]}：信访 {p.local_id}{_done_detail(action, data)}。"
            )
            return redirect("petitions:detail", pk=p.pk)
    response = petition_detail(request, pk, bound=available)
    response.status_code = 422
    return response
