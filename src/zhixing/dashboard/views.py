"""The command-centre page (指挥中心): indicators, a per-court table, one indicator per
court as a chart, and the backlog ledger, for a court subtree and a window.

Thin view: parse the form, resolve the court scope (a court the user may not see is a
404), call ``metrics.services`` twice, shape the figures for display, render. An htmx
request (the form changing) gets only the body partial.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhixing.courts.models import Court
from zhixing.courts.views import court_choices, court_scope
from zhixing.dashboard.forms import DashboardForm
from zhixing.metrics import engine
from zhixing.metrics.services import indicator_report, ledger

DEFAULT_INDICATOR = "IND-01"
#: Indicators whose value is an average count, not a share: shown as a plain number.
PLAIN = frozenset({"IND-08"})


def display(ind: engine.Indicator, value: str | None) -> str:
    """A value as people read it: a share as a percentage, days and averages as numbers."""
    if value is None:
        return "—"
    if ind.kind == "days":
        return f"{Decimal(value):.2f} 天"
    if ind.id in PLAIN:
        return f"{Decimal(value):.2f}"
    return f"{Decimal(value) * 100:.2f}%"


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
        "numerator": f"{fig['numerator']}{unit}",
        "denominator": f"{fig['denominator']}{' 元' if ind.kind == 'amount' else ''}",
        "target": f"{Decimal(fig['target']) * 100:.0f}%" if fig.get("target") else None,
        "cases_needed": fig.get("cases_needed"),
        "below": below_target(fig),
    }


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
    report = indicator_report(window, court, visible=visible)
    backlog = ledger(window.as_of, court, visible=visible)

    catalog = engine.catalog()
    by_id = {i.id: i for i in catalog}
    chosen = by_id.get(data.get("indicator") or DEFAULT_INDICATOR, by_id[DEFAULT_INDICATOR])
    total = report["total"]["indicators"]
    choices = court_choices(request.user)
    top = min((c.level for c in choices), default=0)
    names = {c.code: c.name for c in choices}
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
        "cards": [card(i, total[i.id]) for i in catalog],
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
    }
    if request.htmx:
        return render(request, "dashboard/_body.html", context)
    return render(request, "dashboard/index.html", context)
