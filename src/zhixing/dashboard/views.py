"""The command-centre page (指挥中心): indicators, a per-court table, one indicator per
court as a chart, and the backlog ledger, for a court subtree and a window.

Thin view: parse the form, resolve the court scope (a court the user may not see is a
404), call ``metrics.services`` twice, shape the figures for display, render. An htmx
request (the form changing) gets only the body partial.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from zhixing.courts.models import Court
from zhixing.courts.views import court_choices, court_scope
from zhixing.dashboard.cache import FactCache
from zhixing.dashboard.forms import DashboardForm
from zhixing.flow import rules as flow_rules
from zhixing.flow.services import BEFORE_CLOSING, obligation_label
from zhixing.metrics import engine
from zhixing.metrics.models import ObligationFact
from zhixing.metrics.services import courts_in_scope, indicator_report, ledger
from zhixing.reports import campaigns, rankings
from zhixing.reports import display as display_rules
from zhixing.reports.bulletins import active_campaigns

DEFAULT_INDICATOR = "IND-01"
PLAIN = display_rules.PLAIN


def display(ind: engine.Indicator, value: str | None) -> str:
    """A value as people read it: a share as a percentage, days and averages as numbers."""
    return display_rules.shown(ind, value)


def chart_value(ind: engine.Indicator, value: str | None) -> float | None:
    """The number the bar chart plots (percent for shares)."""
    if value is None:
        return None
    if ind.kind == "days" or ind.id in PLAIN:
        return float(value)
    return float(Decimal(value) * 100)


def below_target(fig: dict) -> bool:
    return (
        fig.get("target") is not None
        and fig["value"] is not None
        and Decimal(fig["value"]) < Decimal(fig["target"])
    )


def card(ind: engine.Indicator, fig: dict) -> dict:
    unit = " 元" if ind.kind == "amount" else (" 天" if ind.kind == "days" else "")
    return {
        "id": ind.id,
        "name": ind.name,
        "definition": ind.definition,
        "value": display(ind, fig["value"]),
        "numerator": f"{display_rules.part(ind, fig['numerator'])}{unit}",
        "denominator": f"{display_rules.part(ind, fig['denominator'])}{' 元' if ind.kind == 'amount' else ''}",
        "target": f"{Decimal(fig['target']) * 100:.0f}%" if fig.get("target") else None,
        "cases_needed": fig.get("cases_needed"),
        "below": below_target(fig),
    }


def cases_url(court_code: str, indicator_id: str, part: str, window: engine.Window) -> str:
    """The reports drill-down (``reports:cases``) behind one figure."""
    query = {
        "court": court_code,
        "indicator": indicator_id,
        "part": part,
        "from": window.start.isoformat(),
        "to": window.end.isoformat(),
        "as_of": window.as_of.isoformat(),
    }
    return f"{reverse('reports:cases')}?{urlencode(query)}"


def overdue_by_node(court_ids: list[int] | None, as_of: date) -> dict[str, int]:
    """Obligations overdue on ``as_of`` per key node (K1…K9), by the flow queue's rule
    (``flow.services.queue`` status ``overdue``: last day before as_of, not discharged on
    or before as_of, K1–K5 of a case closed by then left out): one grouped query."""
    qs = ObligationFact.objects.filter(
        lapsed=False, due_on__isnull=False, due_on__lt=as_of, trigger_on__lte=as_of
    ).filter(Q(done_on__isnull=True) | Q(done_on__gt=as_of))
    if court_ids is not None:
        qs = qs.filter(court_id__in=court_ids)
    # The closing day from the case's facts (the same day as the case's own): the count
    # then reads fact tables only, which the cache stamp watches.
    qs = qs.exclude(key_node__in=BEFORE_CLOSING, case__fact__closed_on__lte=as_of)
    return dict(qs.values_list("key_node").annotate(n=Count("id")).values_list("key_node", "n"))


def node_rows(counts: dict[str, int], court_code: str, as_of: date) -> list[dict]:
    rows = []
    for key in flow_rules.catalog():
        query = {"scope": "court", "court": court_code, "as_of": as_of.isoformat(), "days": 0, "node": key}
        rows.append(
            {
                "key": key,
                "label": obligation_label(key),
                "count": counts.get(key, 0),
                "url": f"{reverse('flow:queue')}?{urlencode(query)}",
            }
        )
    return rows


def court_label(court: Court, top_level: int) -> str:
    # Full-width spaces indent lower courts under their parent in the select.
    return "\u3000" * max(0, court.level - top_level) + court.name


def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = DashboardForm(request.GET or None, today=today)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    window = form.window()
    court_code = request.GET.get("court", "")
    court, visible = court_scope(request.user, court_code)
    # Every figure below is cached until the facts or the courts change (dashboard.cache);
    # the key holds all the figure depends on: window, court, the courts the user sees.
    figures = FactCache()
    scope = (court.pk if court else None, tuple(visible) if visible is not None else None)
    report = figures.get("report", (window, *scope), lambda: indicator_report(window, court, visible=visible))
    backlog = figures.get(
        "ledger", (window.as_of, *scope), lambda: ledger(window.as_of, court, visible=visible)
    )

    catalog = engine.catalog()
    by_id = {i.id: i for i in catalog}
    chosen = by_id.get(data.get("indicator") or DEFAULT_INDICATOR, by_id[DEFAULT_INDICATOR])
    total = report["total"]["indicators"]
    choices = court_choices(request.user)
    top = min((c.level for c in choices), default=0)
    names = {c.code: c.name for c in choices}
    code = court.code if court else ""
    day = window.as_of
    today_window = engine.Window(day, day, day)
    # The day's filings (新收数) and closings (结案数) by the engine's own sums, so the
    # figure and its drill-down (IND-14 denominator, IND-01 numerator) agree. Only those
    # two sums: the full report would read the 3-year cohort again for two numbers.
    in_scope = [c.pk for c in courts_in_scope(court, visible)]
    daily = figures.get(
        "day",
        (day, *scope),
        lambda: engine.add_sums(
            rankings.window_sums(in_scope, [today_window], {"new", "closed"})[0].values()
        ),
    )
    scope_ids = None if court is None and visible is None else in_scope
    trend = figures.get(
        "trend",
        (window.end, chosen.id, *scope),
        lambda: rankings.trend(window.end, court, visible=visible, indicators=[chosen.id]),
    )
    running = [
        c
        for c in active_campaigns(court, today_window)
        if visible is None or c.court_id in visible or (court and court.path.startswith(c.court.path))
    ]
    campaign = None
    if running:
        progress = campaigns.progress(running[0], day, visible=visible)
        ids = [t["id"] for t in progress["targets"]]
        campaign = {
            "name": progress["name"],
            "pk": running[0].pk,
            "start": progress["start"],
            "end": progress["end"],
            "status": campaigns.STATUS_LABELS[progress["status"]],
            "targets": [
                {
                    **t,
                    **progress["total"]["indicators"][t["id"]],
                    "shown": display(by_id[t["id"]], progress["total"]["indicators"][t["id"]]["value"]),
                    "goal": display(by_id[t["id"]], t["target"]),
                }
                for t in progress["targets"]
                if t["id"] in ids and t["id"] in by_id
            ],
        }
    context = {
        "form": form,
        "form_errors": {name: errs for name, errs in form.errors.items()} if form.is_bound else {},
        "period": data.get("period", "year"),
        "window": window,
        "court": court,
        "court_code": court.code if court else "",
        "court_options": [(c.code, court_label(c, top)) for c in choices],
        "catalog": catalog,
        "chosen": chosen,
        "cards": [
            {
                **card(i, total[i.id]),
                "numerator_url": cases_url(code, i.id, "numerator", window),
                "denominator_url": cases_url(code, i.id, "denominator", window),
            }
            for i in catalog
        ],
        "day": day,
        "filed_today": daily.get("new", 0),
        "closed_today": daily.get("closed", 0),
        "filed_url": cases_url(code, "IND-14", "denominator", today_window),
        "closed_url": cases_url(code, "IND-01", "numerator", today_window),
        "overdue_nodes": node_rows(
            figures.get("overdue", (day, *scope), lambda: overdue_by_node(scope_ids, day)), code, day
        ),
        "trend": {
            "title": f"{chosen.name} · 近12个月",
            "unit": "天" if chosen.kind == "days" else ("" if chosen.id in PLAIN else "%"),
            "months": trend["months"],
            "series": [
                {"name": c["name"], "values": [chart_value(chosen, v) for v in c["indicators"][chosen.id]]}
                for c in trend["courts"]
            ]
            + [{"name": "合计", "values": [chart_value(chosen, v) for v in trend["total"][chosen.id]]}],
        },
        "campaign": campaign,
        "rows": [
            {
                "code": row["court"],
                "name": row["name"],
                "cells": [
                    {
                        "value": display(i, row["indicators"][i.id]["value"]),
                        "below": below_target(row["indicators"][i.id]),
                    }
                    for i in catalog
                ],
            }
            for row in report["courts"]
        ],
        "total_cells": [
            {"value": display(i, total[i.id]["value"]), "below": below_target(total[i.id])} for i in catalog
        ],
        "chart": {
            "title": f"{chosen.name}（各法院）",
            "unit": "天" if chosen.kind == "days" else ("" if chosen.id in PLAIN else "%"),
            "courts": [row["name"] for row in report["courts"]],
            "values": [
                chart_value(chosen, row["indicators"][chosen.id]["value"]) for row in report["courts"]
            ],
            "target": float(Decimal(by_id[chosen.id].target) * 100) if chosen.target else None,
        },
        # A case with several tags is one row per tag (indicators.md §10): no grand total.
        "ledger": [{**r, "court_name": names.get(r["court"], r["court"])} for r in backlog["rows"]],
        "title": "指挥中心",
        # Figures computed before the last write, being recomputed (dashboard.cache).
        "stale_at": figures.stale_at,
    }
    if request.htmx:
        return render(request, "dashboard/_body.html", context)
    return render(request, "dashboard/index.html", context)
