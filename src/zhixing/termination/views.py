"""终本 pages (``/termination/``): one case's 终本 work, reminders, cross-review.

Thin views (design.md): parse the form, look the case up through ``visible_to`` (a case of
another court is a 404), call one service, redirect; a refused act re-renders the page
with the errors on their fields (status 422) and nothing saved.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhixing.cases.access import visible_case
from zhixing.cases.loader import load_record
from zhixing.cases.models import Case
from zhixing.cases.views import OBLIGATION_STATUS
from zhixing.termination import documents, forms, services, views_data
from zhixing.termination.api import DOCX, _quote
from zhixing.termination.facts import termination_verdicts
from zhixing.termination.models import Interview, ReviewCampaign, Ruling
from zhixing.termination.validation import InputError

ACTIONS = {
    "close": forms.CloseForm,
    "interview": forms.InterviewForm,
    "ruling": forms.RulingForm,
    "service": forms.DayForm,
    "registry-entry": forms.DayForm,
    "registry-hidden": forms.DayForm,
    "hiding-ground": forms.HidingGroundForm,
    "inquiry": forms.InquiryForm,
    "resume": forms.ResumeForm,
}


def _as_of(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Recent 终本 closings in the user's courts with today's verdict, and open reminders."""
    as_of = timezone.localdate()
    recent = (
        Case.objects.visible_to(request.user)
        .filter(closing_mode="terminated_current")
        .order_by("-closed_on", "-pk")
    )
    ids = list(recent.values_list("pk", flat=True)[:50])
    verdicts = {v.case_number: v for v in termination_verdicts(Case.objects.filter(pk__in=ids), as_of)}
    rows = [
        verdicts[n]
        for n in Case.objects.filter(pk__in=ids)
        .order_by("-closed_on", "-pk")
        .values_list("case_number", flat=True)
        if n in verdicts
    ]
    reminders = [r for r in views_data.reminder_rows(request.user, as_of, limit=50) if r["done_on"] is None]
    return render(
        request,
        "termination/index.html",
        {"title": "终本管理", "rows": rows, "reminders": reminders, "as_of": as_of},
    )


def _forms(case: Case, record, bound: dict | None = None) -> dict:
    today = timezone.localdate()
    initial = {"version": case.version}
    out = {}
    for name, cls in ACTIONS.items():
        kwargs = {"applicants": record.applicants} if cls is forms.InterviewForm else {}
        if bound and bound.get("action") == name:
            out[name.replace("-", "_")] = bound["form"]
        else:
            defaults = {"closed_on": today, "on": today, "filed_on": today, "arose_on": today}
            out[name.replace("-", "_")] = cls(initial={**initial, **defaults}, **kwargs)
    return out


def _page(
    request: HttpRequest, case: Case, *, bound: dict | None = None, gate=None, status: int = 200
) -> HttpResponse:
    as_of = _as_of(request)
    data = views_data.overview(request.user, case, as_of)
    for f in data["followups"]:
        f["status_label"] = OBLIGATION_STATUS.get(f["status"], f["status"])
    record = load_record(case.pk)
    context = {
        "title": f"{case.case_number} 终本管理",
        "case": case,
        "data": data,
        "as_of": as_of,
        "forms": _forms(case, record, bound),
        "gate": gate,
        "may_override": services.may_override(request.user, case),
        # Shown at the top too: the form refused may be one the page does not display now.
        "form_errors": [m for errors in bound["form"].errors.values() for m in errors] if bound else [],
    }
    return render(request, "termination/case.html", context, status=status)


@require_GET
def case_page(request: HttpRequest, case_number: str) -> HttpResponse:
    case = visible_case(request.user, case_number)
    gate = None
    if request.GET.get("closed_on"):
        try:
            gate = services.preview_closing(case, date.fromisoformat(request.GET["closed_on"]))
        except ValueError:
            messages.error(request, "结案日期格式应为 YYYY-MM-DD")
    if request.htmx and gate is not None:
        # The closing form below takes the day the gate was run for (an out-of-band swap).
        return render(request, "termination/_gate.html", {"gate": gate, "case": case, "oob": True})
    return _page(request, case, gate=gate)


@require_POST
def act(request: HttpRequest, case_number: str, action: str) -> HttpResponse:
    """One 终本 act on a case; the form names the service."""
    case = visible_case(request.user, case_number)
    cls = ACTIONS.get(action)
    if cls is None:
        raise Http404("没有这个操作")
    kwargs = {"applicants": load_record(case.pk).applicants} if cls is forms.InterviewForm else {}
    form = cls(request.POST, **kwargs)
    if form.is_valid():
        d = form.cleaned_data
        common = {"user": request.user, "expected_version": d["version"]}
        try:
            text, shown = _run(action, case, d, common)
        except InputError as e:
            form.add_problems(e)
        else:
            # One sentence naming what was done; the page it was done on (a resumption
            # opens the new case).
            messages.success(request, text)
            return redirect(reverse("termination:case", args=[shown]))
    case.refresh_from_db()
    gate = (
        services.preview_closing(case, form.cleaned_data["closed_on"])
        if action == "close" and form.cleaned_data.get("closed_on") and not case.closed_on
        else None
    )
    return _page(request, case, bound={"action": action, "form": form}, gate=gate, status=422)


def _run(action: str, case: Case, d: dict, common: dict) -> tuple[str, str]:
    """Call the service of ``action``; returns the message and the case to show next."""
    if action == "resume":
        link = services.resume(
            case.pk, filed_on=d["filed_on"], reason=d["reason"], handler=d["handler"], **common
        )
        return f"{case.case_number}：已立恢复执行案件 {link.resumed.case_number}", link.resumed.case_number
    return f"{case.case_number}：{_act(action, case.pk, d, common)}", case.case_number


def _act(action: str, pk: int, d: dict, common: dict) -> str:
    if action == "close":
        c = services.close_by_termination(
            pk, closed_on=d["closed_on"], override_reason=d["override_reason"], **common
        )
        return f"已以终结本次执行程序方式结案（{c.closed_on}），结案时检查结论：{c.verdict}"
    if action == "interview":
        told = {k: d[k] for k in ("told_progress", "told_measures", "told_property", "told_basis")}
        services.record_interview(
            pk, on=d["on"], applicant=d["applicant"], attendee=d["attendee"], interviewers=d["interviewers"],
            recorder=d["recorder"], place=d["place"], told=told, opinion=d["opinion"], statement=d["statement"], **common,
        )  # fmt: skip
        return "已记录约谈"
    if action == "ruling":
        services.record_ruling(
            pk, on=d["on"], approval=d["approval"], presiding=d["presiding"], judges=d["judges"], clerk=d["clerk"],
            collegial_on=d["collegial_on"], president_on=d["president_on"], process_note=d["process_note"],
            property_note=d["property_note"], **common,
        )  # fmt: skip
        return "已记录终本裁定"
    if action == "service":
        services.record_service(pk, on=d["on"], **common)
        return "已记录裁定送达"
    if action == "registry-entry":
        services.record_registry_entry(pk, on=d["on"], **common)
        return "已录入终本案件库"
    if action == "registry-hidden":
        services.record_registry_hidden(pk, on=d["on"], note=d["note"], **common)
        return "已屏蔽终本案件库信息"
    if action == "hiding-ground":
        services.record_hiding_ground(
            pk, arose_on=d["arose_on"], ground=d["ground"], note=d["note"], **common
        )
        return "已登记屏蔽事由"
    if action == "inquiry":
        services.record_post_closing_inquiry(
            pk, on=d["on"], system=d["system"], categories=d["categories"], found=d["found"], **common
        )
        return "已记录终本后网络查询，查询结果将告知申请执行人"
    raise Http404("没有这个操作")


@require_GET
def interview_docx(request: HttpRequest, case_number: str, pk: int) -> HttpResponse:
    case = visible_case(request.user, case_number)
    interview = get_object_or_404(Interview.objects.select_related("case__court"), pk=pk, case=case)
    return _docx(
        documents.interview_document(interview, viewer=request.user), f"{case.case_number}约谈笔录.docx"
    )


@require_GET
def ruling_docx(request: HttpRequest, case_number: str, pk: int) -> HttpResponse:
    case = visible_case(request.user, case_number)
    ruling = get_object_or_404(Ruling.objects.select_related("case__court"), pk=pk, case=case)
    return _docx(documents.ruling_document(ruling, viewer=request.user), f"{case.case_number}执行裁定书.docx")


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


@require_GET
def reminders(request: HttpRequest) -> HttpResponse:
    as_of = _as_of(request)
    rows = views_data.reminder_rows(request.user, as_of, request.GET.get("court", ""))
    return render(
        request, "termination/reminders.html", {"title": "终本后续提醒", "rows": rows, "as_of": as_of}
    )


# -- cross-review ---------------------------------------------------------------------------------


def reviews(request: HttpRequest) -> HttpResponse:
    """Campaigns the user organises or reviews for, and (supervisors) a form to start one."""
    form = forms.CampaignForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid() and request.user.court is None:
        form.add_error(None, "您的账号没有所属法院，不能组织交叉互评")
    elif request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            campaign = services.create_campaign(
                user=request.user, key=d["key"], court=request.user.court, period_start=d["period_start"],
                period_end=d["period_end"], per_court=d["per_court"], as_of=d["as_of"],
            )  # fmt: skip
        except InputError as e:
            form.add_problems(e)
        else:
            return redirect("termination:review", key=campaign.key)
    if request.method == "POST":
        status = 422
    campaigns = [
        c
        for c in ReviewCampaign.objects.select_related("court")
        if views_data.may_see_campaign(request.user, c)
    ]
    return render(
        request, "termination/reviews.html",
        {"title": "交叉互评", "campaigns": campaigns, "form": form, "can_create": request.user.supervises or request.user.is_superuser},
        status=status,
    )  # fmt: skip


def _campaign(request: HttpRequest, key: str) -> ReviewCampaign:
    campaign = ReviewCampaign.objects.filter(key=key).select_related("court").first()
    if campaign is None or not views_data.may_see_campaign(request.user, campaign):
        raise Http404("没有这个评查批次")
    return campaign


@require_GET
def review(request: HttpRequest, key: str) -> HttpResponse:
    campaign = _campaign(request, key)
    data = views_data.campaign_json(campaign, request.user)
    organiser = views_data.organises(request.user, campaign)
    report = views_data.report(campaign) if organiser else None
    return render(
        request,
        "termination/review.html",
        {"title": f"交叉互评 {key}", "campaign": campaign, "data": data, "report": report},
    )


def review_item(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    campaign = _campaign(request, key)
    item = views_data.visible_item(request.user, campaign, pk)
    checks = [c for c in services.rules.CHECK_IDS if c not in item.auto_pending]
    form = forms.review_form_class(checks)(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.record_review(
                    item.pk,
                    user=request.user,
                    findings={c: (d[f"{c}_passes"], d[f"{c}_note"]) for c in checks},
                    comment=d["comment"],
                )
            except InputError as e:
                for _, message in e.problems:
                    form.add_error(None, message)
            else:
                messages.success(request, "已登记评查意见")
                return redirect("termination:review", key=key)
    data = views_data.item_json(item, request.user, with_case=True)
    rows = [(c, form[f"{c}_passes"], form[f"{c}_note"]) for c in checks]
    return render(
        request, "termination/review_item.html",
        {"title": f"评查 {item.case.case_number}", "campaign": campaign, "item": data, "form": form, "rows": rows},
        status=status,
    )  # fmt: skip
