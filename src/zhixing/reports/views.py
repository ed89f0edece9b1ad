"""Report pages: peer rankings with drill-down to the cases, campaign progress with a
burn-down, and bulletins to download or make on demand.

Thin views (design.md): parse, scope with ``courts.access.court_scope`` (a court the user
may not see is a 404), one call into rankings / campaigns / bulletins, render. Charts
draw from JSON in ``<script type="application/json">`` with a static script: the CSP
forbids inline scripts.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from zhixing.cases.models import Case
from zhixing.courts.access import court_choices, court_scope
from zhixing.courts.models import Court
from zhixing.metrics import engine
from zhixing.metrics.services import cases_behind, courts_in_scope
from zhixing.reports import bulletins, campaigns, display, export, rankings
from zhixing.reports.models import Bulletin, Campaign
from zhixing.reports.windows import KINDS

PAGE_SIZE = 50
#: A bulletin opened in the browser: its own styles inline, nothing else at all.
BULLETIN_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'self'"


class BadInput(ValueError):
    pass


def _date(request: HttpRequest, name: str, default: date | None, label: str) -> date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadInput(f"{label}（{name}）应为 YYYY-MM-DD 格式的日期，实际为 {raw!r}") from None


def _window(request: HttpRequest) -> engine.Window:
    today = timezone.localdate()
    end = _date(request, "to", today, "截止日")
    start = _date(request, "from", end.replace(month=1, day=1), "起始日")
    as_of = _date(request, "as_of", end, "截至日")
    try:
        return engine.Window(start, end, as_of)
    except ValueError as e:
        raise BadInput(str(e)) from None


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "reports/error.html", {"title": "参数有误", "message": message}, status=400)


def _indicator(code: str) -> engine.Indicator:
    found = next((i for i in engine.catalog() if i.id == code), None)
    if found is None:
        raise BadInput(f"未知指标 {code!r}")
    return found


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html", {"title": "统计报表"})


# -- rankings ---------------------------------------------------------------------------------


def ranking_page(request: HttpRequest) -> HttpResponse:
    """The peers under the chosen court ranked on one indicator, each with its change
    against the previous period, the cases behind every figure, and a 12-month trend."""
    court, visible = court_scope(request.user, request.GET.get("court") or None)
    try:
        window = _window(request)
        chosen = _indicator(request.GET.get("indicator") or "IND-01")
    except BadInput as e:
        return _bad_request(request, str(e))
    report = rankings.ranking(window, court, visible=visible, indicators=[chosen.id])
    trend = rankings.trend(window.end, court, visible=visible, indicators=[chosen.id])
    chart = {
        "indicator": chosen.id,
        "name": chosen.name,
        "percent": display.is_share(chosen),
        "months": trend["months"],
        "series": [{"name": c["name"], "values": c["indicators"][chosen.id]} for c in trend["courts"]]
        + [{"name": "合计", "values": trend["total"][chosen.id]}],
    }
    return render(
        request,
        "reports/rankings.html",
        {
            "title": f"排名 · {chosen.name}",
            "court": court,
            "courts": court_choices(request.user),
            "catalog": engine.catalog(),
            "chosen": chosen,
            "window": window,
            "report": report,
            "rows": [
                {
                    **r,
                    "shown": display.shown(chosen, r["value"]),
                    "previous_shown": display.shown(chosen, r["previous_value"]),
                    "change_shown": display.change(chosen, r["change"]),
                    "numerator_shown": display.part(chosen, r["numerator"]),
                    "denominator_shown": display.part(chosen, r["denominator"]),
                }
                for r in (report["indicators"][0]["rows"] if report["indicators"] else [])
            ],
            "higher_is_better": rankings.higher_is_better(chosen.id),
            "chart": chart,
        },
    )


def indicator_cases(request: HttpRequest) -> HttpResponse:
    """The cases behind an indicator's numerator or denominator for one court's subtree
    (the user's visible courts only)."""
    court, visible = court_scope(request.user, request.GET.get("court") or None)
    try:
        window = _window(request)
        chosen = _indicator(request.GET.get("indicator") or "")
        part = request.GET.get("part", "numerator")
        if part not in ("numerator", "denominator"):
            raise BadInput(f"part 应为 numerator 或 denominator，实际为 {part!r}")
    except BadInput as e:
        return _bad_request(request, str(e))
    ids = [c.pk for c in courts_in_scope(court, visible)]
    case_ids = cases_behind(chosen.id, part, window, ids)
    qs = (
        Case.objects.visible_to(request.user)
        .filter(pk__in=case_ids)
        .select_related("court")
        .order_by("court__path", "filed_on", "case_number")
    )
    part_label = "分子" if part == "numerator" else "分母"
    scope_name = f"{court.name}及下级法院" if court else "全部法院"
    span = f"{window.start:%Y-%m-%d} 至 {window.end:%Y-%m-%d}，截至 {window.as_of:%Y-%m-%d}"
    if request.GET.get("export") == "xlsx":
        return export.response(
            f"{chosen.name} · {part_label}案件",
            f"{scope_name} · {span} · 共 {len(case_ids):,} 件",
            qs,
            f"{chosen.name}-{part_label}案件-{window.start:%Y%m%d}-{window.end:%Y%m%d}.xlsx",
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/cases.html",
        {
            "title": f"{chosen.name} · {part_label}案件",
            "court": court,
            "scope_name": scope_name,
            "chosen": chosen,
            "part": part,
            "part_label": part_label,
            "window": window,
            "page": page,
            "total": len(case_ids),
            "figure_url": _figure_url(court, chosen, window),
        },
    )


def _figure_url(court: Court | None, chosen: engine.Indicator, window: engine.Window) -> str:
    """Back from the cases to the figure they make: the command centre on the same court,
    window and indicator."""
    query = {
        "court": court.code if court else "",
        "period": "custom",
        "from": window.start.isoformat(),
        "to": window.end.isoformat(),
        "as_of": window.as_of.isoformat(),
        "indicator": chosen.id,
    }
    return f"{reverse('dashboard:index')}?{urlencode(query)}"


# -- campaigns ------------------------------------------------------------------------------


def _visible_campaigns(user):
    """Campaigns whose scope reaches a court the user may see: the campaign's court is
    visible, or the user's court lies within the campaign's scope."""
    if user.is_superuser:
        return Campaign.objects.select_related("court")
    visible = user.visible_courts()
    paths = list(visible.values_list("path", flat=True))
    if not paths:
        return Campaign.objects.none()
    inside = Q(court__in=visible)
    above = Q()
    for path in paths:
        above |= Q(court__path__in=[path[: i + 1] for i, ch in enumerate(path) if ch == "/"])
    return Campaign.objects.select_related("court").filter(inside | above).distinct()


def _shown_figure(ind_id: str, fig: dict) -> dict:
    return {**fig, "shown": display.shown(ind_id, fig.get("value"))}


def _targets_text(targets: dict) -> str:
    """{"IND-01": "0.90"} → "首执结案率 ≥ 90.00%"."""
    names = {i.id: i.name for i in engine.catalog()}
    return "；".join(f"{names.get(k, k)} ≥ {display.shown(k, v)}" for k, v in targets.items())


def campaign_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = [
        {
            "campaign": c,
            "status": campaigns.STATUS_LABELS[campaigns.status(c, today)],
            "targets": _targets_text(c.targets),
        }
        for c in _visible_campaigns(request.user)
    ]
    return render(request, "reports/campaigns.html", {"title": "专项活动", "rows": rows})


def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(_visible_campaigns(request.user), pk=pk)
    _, visible = court_scope(request.user, None)
    try:
        day = _date(request, "date", min(timezone.localdate(), campaign.end), "日期")
    except BadInput as e:
        return _bad_request(request, str(e))
    progress = campaigns.progress(campaign, day, visible=visible)
    # One engine pass per point: a point a week keeps the page quick (?step=1 for daily).
    try:
        step = min(max(int(request.GET.get("step", 7)), 1), 31)
    except ValueError:
        return _bad_request(request, f"step 应为 1 至 31 的整数，实际为 {request.GET.get('step')!r}")
    burn = campaigns.burndown(campaign, day, visible=visible, step=step)
    ids = [t["id"] for t in progress["targets"]]
    table = [
        {"name": r["name"], "cells": [_shown_figure(i, r["indicators"][i]) for i in ids]}
        for r in progress["courts"]
    ]
    total = [_shown_figure(i, progress["total"]["indicators"][i]) for i in ids] if progress["window"] else []
    targets = [{**t, "target_shown": display.shown(t["id"], t["target"])} for t in progress["targets"]]
    return render(
        request,
        "reports/campaign.html",
        {
            "title": campaign.name,
            "campaign": campaign,
            "day": day,
            "progress": progress,
            "status_label": campaigns.STATUS_LABELS[progress["status"]],
            "targets": targets,
            "step": step,
            "table": table,
            "total": total,
            "chart": {
                "dates": burn["dates"],
                "remaining": burn["remaining"],
                "ideal": burn["ideal"],
                "targets": progress["targets"],
            },
        },
    )


# -- bulletins ------------------------------------------------------------------------------


def bulletin_list(request: HttpRequest) -> HttpResponse:
    produced = (
        Bulletin.objects.visible_to(request.user)
        .filter(status=Bulletin.Status.DONE)
        .select_related("court")
        .defer("content")
    )
    page = Paginator(produced.order_by("-date", "kind", "court__path", "format"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reports/bulletins.html",
        {
            "title": "通报",
            "page": page,
            "courts": court_choices(request.user),
            "kinds": [(k, f"{bulletins.KIND_LABELS[k]}通报") for k in KINDS],
            "formats": bulletins.FORMATS,
            "today": timezone.localdate(),
        },
    )


def _file_response(content: bytes, fmt: str, name: str, *, inline_formats=("html", "pdf")) -> HttpResponse:
    response = HttpResponse(content, content_type=bulletins.CONTENT_TYPES[fmt])
    inline = "inline" if fmt in inline_formats else "attachment"
    response["Content-Disposition"] = f"{inline}; filename*=UTF-8''{quote(name)}"
    if fmt == "html":
        response["Content-Security-Policy"] = BULLETIN_CSP
    return response


def bulletin_download(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(
        Bulletin.objects.visible_to(request.user).filter(status=Bulletin.Status.DONE), pk=pk
    )
    return _file_response(bytes(row.content), row.format, row.filename)


def bulletin_make(request: HttpRequest) -> HttpResponse:
    """A bulletin made now for the user's scope (nothing stored)."""
    court, visible = court_scope(request.user, request.GET.get("court") or None)
    kind, fmt = request.GET.get("kind", "daily"), request.GET.get("format", "html")
    try:
        if kind not in KINDS:
            raise BadInput(f"通报类型应为 daily、weekly 或 monthly，实际为 {kind!r}")
        if fmt not in bulletins.FORMATS:
            raise BadInput(f"格式应为 html、pdf 或 xlsx，实际为 {fmt!r}")
        day = _date(request, "date", timezone.localdate(), "日期")
    except BadInput as e:
        return _bad_request(request, str(e))
    if court is None and visible is not None:
        raise Http404("没有可查看的法院")
    if court is None:
        court = bulletins.default_court() or Court.objects.order_by("path").first()
    data = bulletins.build(kind, day, court, visible=visible)
    # Made on demand, a PDF is a file to keep or print: it downloads (the HTML one opens).
    return _file_response(
        bulletins.render(data, fmt), fmt, bulletins.filename(kind, day, court, fmt), inline_formats=("html",)
    )
