"""The command centre (指挥中心) as data: every figure of the page for one window and one
court scope, shaped for display.

``command_centre(window, scope)`` asks ``metrics.services`` for the indicator report and the
backlog ledger, ``reports`` for the day's sums, the 12-month trend and the running
campaign, and the fact tables for the overdue obligations by key node; each figure is
cached until the facts or the courts change (``dashboard.cache``). It returns a
``CommandCentre``, a plain record the template renders; the view only parses the form and
resolves the scope.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode

from zhixing.courts.models import Court
from zhixing.dashboard.cache import FactCache
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


@dataclass(frozen=True)
class Scope:
    """Whose figures: ``court`` (None: every court), the ids of the courts the user may see
    (None: every court; see ``courts.access.court_scope``), and the names of the courts the
    user may pick by code (the ledger names its rows by them)."""

    court: Court | None
    visible: list[int] | None
    names: dict[str, str]

    def key(self) -> tuple:
        """What every cached figure depends on besides its window."""
        return (
            self.court.pk if self.court else None,
            tuple(self.visible) if self.visible is not None else None,
        )


@dataclass
class CommandCentre:
    """The page's figures, ready to show: the cards, the per-court table and chart, the day's
    filings and closings, overdue obligations by key node, the trend, the running campaign
    and the backlog ledger."""

    window: engine.Window
    court: Court | None
    catalog: list[engine.Indicator]
    chosen: engine.Indicator
    cards: list[dict]
    day: date
    filed_today: int
    closed_today: int
    filed_url: str
    closed_url: str
    overdue_nodes: list[dict]
    trend: dict
    campaign: dict | None
    rows: list[dict]
    total_cells: list[dict]
    chart: dict
    ledger: list[dict]
    #: Figures computed before the last write, being recomputed (dashboard.cache).
    stale_at: datetime | None

    def context(self) -> dict:
        """The record as template variables (one per field)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def command_centre(window: engine.Window, scope: Scope, indicator: str | None = None) -> CommandCentre:
    """Every figure of the command centre for ``window`` over ``scope``; ``indicator`` is the
    one charted (default: IND-01 首执结案率)."""
    figures = FactCache()
    key = scope.key()
    court, visible = scope.court, scope.visible
    report = figures.get("report", (window, *key), lambda: indicator_report(window, court, visible=visible))
    backlog = figures.get(
        "ledger", (window.as_of, *key), lambda: ledger(window.as_of, court, visible=visible)
    )
    catalog = engine.catalog()
    by_id = {i.id: i for i in catalog}
    chosen = by_id.get(indicator or DEFAULT_INDICATOR, by_id[DEFAULT_INDICATOR])
    total = report["total"]["indicators"]
    code = court.code if court else ""
    day = window.as_of
    today_window = engine.Window(day, day, day)
    in_scope = [c.pk for c in courts_in_scope(court, visible)]
    daily = figures.get("day", (day, *key), lambda: day_sums(in_scope, today_window))
    trend = figures.get(
        "trend",
        (window.end, chosen.id, *key),
        lambda: rankings.trend(window.end, court, visible=visible, indicators=[chosen.id]),
    )
    campaign = running_campaign(scope, today_window, by_id)
    scope_ids = None if court is None and visible is None else in_scope
    overdue = figures.get("overdue", (day, *key), lambda: overdue_by_node(scope_ids, day))
    return CommandCentre(
        window=window,
        court=court,
        catalog=catalog,
        chosen=chosen,
        cards=[
            {
                **card(i, total[i.id]),
                "numerator_url": cases_url(code, i.id, "numerator", window),
                "denominator_url": cases_url(code, i.id, "denominator", window),
            }
            for i in catalog
        ],
        day=day,
        filed_today=daily.get("new", 0),
        closed_today=daily.get("closed", 0),
        filed_url=cases_url(code, "IND-14", "denominator", today_window),
        closed_url=cases_url(code, "IND-01", "numerator", today_window),
        overdue_nodes=node_rows(overdue, code, day),
        trend=trend_chart(chosen, trend),
        campaign=campaign,
        rows=court_rows(report, catalog),
        total_cells=[
            {"value": display(i, total[i.id]["value"]), "below": below_target(total[i.id])} for i in catalog
        ],
        chart=court_chart(chosen, report),
        # A case with several tags is one row per tag (indicators.md §10): no grand total.
        ledger=[{**r, "court_name": scope.names.get(r["court"], r["court"])} for r in backlog["rows"]],
        stale_at=figures.stale_at,
    )


# -- figures ---------------------------------------------------------------------------------------


def day_sums(court_ids: list[int], today: engine.Window) -> dict:
    """The day's filings (新收数) and closings (结案数) by the engine's own sums, so the
    figure and its drill-down (IND-14 denominator, IND-01 numerator) agree. Only those two
    sums: the full report would read the 3-year cohort again for two numbers."""
    return engine.add_sums(rankings.window_sums(court_ids, [today], {"new", "closed"})[0].values())


def overdue_by_node(court_ids: list[int] | None, as_of: date) -> dict[str, int]:
    """Obligations overdue on ``as_of`` per key node (K1…K9), by the flow queue's rule
    (``flow.services.queue`` status ``overdue``: last day before as_of, not discharged on
    or before as_of, K1–K5 of a case closed by then left out): one grouped query."""
    qs = ObligationFact.objects.overdue_on(as_of)
    if court_ids is not None:
        qs = qs.filter(court_id__in=court_ids)
    # The closing day from the case's facts (the same day as the case's own): the count
    # then reads fact tables only, which the cache stamp watches.
    qs = qs.not_closed_out(BEFORE_CLOSING, as_of, closing="fact")
    return dict(qs.values_list("key_node").annotate(n=Count("id")).values_list("key_node", "n"))


def running_campaign(scope: Scope, today: engine.Window, by_id: dict) -> dict | None:
    """The first campaign running on the day over a court the user may see (or one above
    the chosen court), with its targets' progress; None when none runs."""
    court, visible = scope.court, scope.visible
    running = [
        c
        for c in active_campaigns(court, today)
        if visible is None or c.court_id in visible or (court and court.path.startswith(c.court.path))
    ]
    if not running:
        return None
    progress = campaigns.progress(running[0], today.as_of, visible=visible)
    ids = [t["id"] for t in progress["targets"]]
    return {
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


# -- shaping for display ---------------------------------------------------------------------------


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


def chart_unit(ind: engine.Indicator) -> str:
    return "天" if ind.kind == "days" else ("" if ind.id in PLAIN else "%")


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


def court_rows(report: dict, catalog: list[engine.Indicator]) -> list[dict]:
    """One row per court of the report: every indicator's value, marked when below target."""
    return [
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
    ]


def court_chart(chosen: engine.Indicator, report: dict) -> dict:
    """The chosen indicator per court, as the bar chart plots it, with its target."""
    return {
        "title": f"{chosen.name}（各法院）",
        "unit": chart_unit(chosen),
        "courts": [row["name"] for row in report["courts"]],
        "values": [chart_value(chosen, row["indicators"][chosen.id]["value"]) for row in report["courts"]],
        "target": float(Decimal(chosen.target) * 100) if chosen.target else None,
    }


def trend_chart(chosen: engine.Indicator, trend: dict) -> dict:
    """The chosen indicator month by month over the last 12 months: a line per court and the total."""
    return {
        "title": f"{chosen.name} · 近12个月",
        "unit": chart_unit(chosen),
        "months": trend["months"],
        "series": [
            {"name": c["name"], "values": [chart_value(chosen, v) for v in c["indicators"][chosen.id]]}
            for c in trend["courts"]
        ]
        + [{"name": "合计", "values": [chart_value(chosen, v) for v in trend["total"][chosen.id]]}],
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


def node_rows(counts: dict[str, int], court_code: str, as_of: date) -> list[dict]:
    """One row per key node with its overdue count and the flow queue filtered to it."""
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
