"""Bulletins (通报): daily, weekly and monthly, as HTML, PDF and xlsx.

One context feeds every format; HTML and PDF share one Django template
(``reports/bulletin.html``), PDF through WeasyPrint with a TrueType CJK font found via
fontconfig (WenQuanYi Micro Hei: Noto CJK's OpenType CFF outlines take WeasyPrint ~20 s
a page). A bulletin shows the period's filings and closings, the year-to-date indicators
of every court in scope, the peer ranking with its change since the previous bulletin,
overdue key nodes (IND-08's numerator) and the progress of campaigns under way.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from html import escape
from pathlib import Path

from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from zhixing.courts.models import Court
from zhixing.metrics import engine
from zhixing.metrics.models import CaseFact
from zhixing.metrics.services import courts_in_scope, run_django
from zhixing.reports import campaigns, display, rankings
from zhixing.reports.models import Campaign
from zhixing.reports.windows import bulletin_window, previous_date, year_to_date

log = logging.getLogger(__name__)

KIND_LABELS = {"daily": "日", "weekly": "周", "monthly": "月"}
PERIOD_LABELS = {"daily": "当日", "weekly": "本周", "monthly": "本月"}
FORMATS = ("html", "pdf", "xlsx")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: The indicators ranked in a bulletin (the ones courts are compared on; IND-03/04 are
#: shares of 结案数 rather than quality measures, IND-14–16 are shown in the table).
RANKED = (
    "IND-01",
    "IND-02",
    "IND-05",
    "IND-06",
    "IND-07",
    "IND-08",
    "IND-09",
    "IND-10",
    "IND-11",
    "IND-12",
    "IND-13",
)
#: The burn-down (one engine pass per point) goes in the weekly and monthly bulletins,
#: a point a week; the daily one shows the campaign's progress table, within its 10 s.
BURNDOWN_KINDS = ("weekly", "monthly")
BURNDOWN_STEP = 7
CJK_FAMILY = "WenQuanYi Micro Hei"
#: Counts of cases in a spreadsheet: thousands separators, as on the pages.
COUNT_FORMAT = "#,##0"


def title(kind: str, court: Court | None) -> str:
    return f"{court.name if court else '全部法院'}执行工作{KIND_LABELS[kind]}通报"


def default_court() -> Court | None:
    """The lowest court whose subtree holds every case (e.g. 豫08 for a 焦作 database):
    the court a bulletin without ``--court`` reports on. None without cases."""
    paths = list(
        Court.objects.filter(pk__in=CaseFact.objects.values("court_id").distinct()).values_list(
            "path", flat=True
        )
    )
    if not paths:
        return None
    common: list[str] = []
    for segments in zip(*(p.strip("/").split("/") for p in paths), strict=False):
        if len(set(segments)) > 1:
            break
        common.append(segments[0])
    while common:
        court = Court.objects.filter(path="/".join(common) + "/").first()
        if court is not None:
            return court
        common.pop()
    return None


# -- the numbers ------------------------------------------------------------------------------


def flows(window: engine.Window, court_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per court id: cases filed and closed in the window (all case types, and 首执 of
    them), and cases open at the end of as-of (filed on or before it, not closed by it)."""
    if not court_ids:
        return {}
    ids = ", ".join(str(int(pk)) for pk in court_ids)
    sql = (
        "SELECT court_id,"
        " SUM(CASE WHEN filed_on BETWEEN %s AND %s THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN filed_on BETWEEN %s AND %s AND case_type = 'first' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN closed_on BETWEEN %s AND %s THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN closed_on BETWEEN %s AND %s AND case_type = 'first' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN filed_on <= %s AND (closed_on IS NULL OR closed_on > %s) THEN 1 ELSE 0 END)"
        f" FROM metrics_casefact WHERE court_id IN ({ids}) GROUP BY court_id"
    )
    f, t, a = window.start, window.end, window.as_of
    with connection.cursor() as cursor:
        cursor.execute(sql, [f, t, f, t, f, t, f, t, a, a])
        keys = ("filed", "filed_first", "closed", "closed_first", "open")
        return {
            row[0]: dict(zip(keys, (int(v or 0) for v in row[1:]), strict=True)) for row in cursor.fetchall()
        }


def _add(rows: Iterable[dict[str, int]]) -> dict[str, int]:
    return engine.add_sums(rows)


def _report(scope: list[Court], sums: dict[int, dict[str, int]]) -> dict:
    """``indicators --json``'s courts and total (metrics.services.indicator_report) from
    sums already computed: a row per court in scope with facts, and the total."""
    rows = [
        {"court": c.code, "name": c.name, "indicators": engine.figures(sums[c.pk])}
        for c in scope
        if c.pk in sums
    ]
    return {"courts": rows, "total": {"indicators": engine.figures(engine.add_sums(sums.values()))}}


def _window_json(w: engine.Window) -> dict:
    return {"from": w.start.isoformat(), "to": w.end.isoformat(), "as_of": w.as_of.isoformat()}


def active_campaigns(court: Court | None, window: engine.Window) -> list[Campaign]:
    """Campaigns overlapping the bulletin's period whose scope contains the bulletin's
    court or lies within it."""
    qs = Campaign.objects.select_related("court").filter(start__lte=window.end, end__gte=window.start)
    if court is None:
        return list(qs)
    return [c for c in qs if court.path.startswith(c.court.path) or c.court.path.startswith(court.path)]


def build(kind: str, day: date, court: Court | None, *, visible: Iterable[int] | None = None) -> dict:
    """Everything a bulletin shows, as plain data (the same for every format)."""
    visible = None if visible is None else list(visible)
    window, ytd = bulletin_window(kind, day), year_to_date(day)
    scope = courts_in_scope(court, visible)
    scope_ids = [c.pk for c in scope]
    # One engine pass per window, shared by the tables and the ranking.
    period_sums = engine.compute_sums(run_django, scope_ids, window)
    ytd_sums = engine.compute_sums(run_django, scope_ids, ytd)
    period_report, ytd_report = _report(scope, period_sums), _report(scope, ytd_sums)
    shown_codes = {r["court"] for r in ytd_report["courts"]} | {r["court"] for r in period_report["courts"]}
    shown = [c for c in scope if c.code in shown_codes]

    period_flows, ytd_flows = flows(window, scope_ids), flows(ytd, scope_ids)
    flow_rows = [
        {
            "court": c.code,
            "name": c.name,
            "period": period_flows.get(c.pk, {}),
            "ytd": ytd_flows.get(c.pk, {}),
        }
        for c in shown
    ]
    flow_total = {"period": _add(period_flows.values()), "ytd": _add(ytd_flows.values())}

    names = {i.id: i for i in engine.catalog()}
    ytd_by_court = {r["court"]: r["indicators"] for r in ytd_report["courts"]}
    indicator_rows = [
        {
            "id": ind.id,
            "name": ind.name,
            "definition": ind.definition,
            "kind": ind.kind,
            "courts": [ytd_by_court.get(c.code, {}).get(ind.id) for c in shown],
            "total": ytd_report["total"]["indicators"][ind.id],
            "period_total": period_report["total"]["indicators"][ind.id],
        }
        for ind in names.values()
    ]

    period_by_court = {r["court"]: r["indicators"] for r in period_report["courts"]}
    overdue_rows = [
        {
            "court": c.code,
            "name": c.name,
            "period": (period_by_court.get(c.code) or {}).get("IND-08", {}).get("numerator", 0),
            "ytd": (ytd_by_court.get(c.code) or {}).get("IND-08", {}).get("numerator", 0),
            "ytd_value": (ytd_by_court.get(c.code) or {}).get("IND-08", {}).get("value"),
        }
        for c in shown
    ]
    overdue_total = {
        "period": period_report["total"]["indicators"]["IND-08"]["numerator"],
        "ytd": ytd_report["total"]["indicators"]["IND-08"]["numerator"],
        "ytd_value": ytd_report["total"]["indicators"]["IND-08"]["value"],
    }

    before = previous_date(kind, day)
    previous = year_to_date(before) if before.year == day.year else None
    ranking = rankings.ranking(
        ytd, court, visible=visible, previous=previous, indicators=RANKED, sums=ytd_sums
    )
    cells_by = {ind["id"]: {row["court"]: row for row in ind["rows"]} for ind in ranking["indicators"]}
    # One row per peer in hierarchy order; a cell per ranked indicator.
    rank_matrix = [
        {"court": c.code, "name": c.name, "cells": [cells_by[i].get(c.code) for i in RANKED]}
        for c in rankings.peers(court, None, visible).courts
    ]

    campaign_blocks = []
    for camp in active_campaigns(court, window):
        prog = campaigns.progress(camp, day, visible=scope_ids)
        burn = (
            campaigns.burndown(camp, day, visible=scope_ids, step=BURNDOWN_STEP)
            if kind in BURNDOWN_KINDS
            else None
        )
        ids = [t["id"] for t in prog["targets"]]
        table = [
            {"name": r["name"], "cells": [r["indicators"][i] for i in ids], "total": False}
            for r in prog["courts"]
        ]
        if prog["window"] is not None:
            table.append(
                {"name": "合计", "cells": [prog["total"]["indicators"][i] for i in ids], "total": True}
            )
        campaign_blocks.append(
            {
                "progress": prog,
                "burndown": burn,
                "rows": table,
                "status_label": campaigns.STATUS_LABELS[prog["status"]],
            }
        )

    return {
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "period_label": PERIOD_LABELS[kind],
        "title": title(kind, court),
        "date": day.isoformat(),
        "court": {"code": court.code, "name": court.name} if court else None,
        "window": _window_json(window),
        "ytd": _window_json(ytd),
        "previous": _window_json(previous) if previous else None,
        "courts": [{"code": c.code, "name": c.name} for c in shown],
        "flows": flow_rows,
        "flow_total": flow_total,
        "indicators": indicator_rows,
        "overdue": overdue_rows,
        "overdue_total": overdue_total,
        "ranked": [
            {"id": i, "name": names[i].name, "higher_is_better": rankings.higher_is_better(i)} for i in RANKED
        ],
        "rank_matrix": rank_matrix,
        "ranking_level": ranking["level"],
        "campaigns": campaign_blocks,
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }


# -- HTML and PDF -----------------------------------------------------------------------------


@cache
def cjk_font_file() -> str | None:
    """The WenQuanYi Micro Hei file through fontconfig (``ZHIXING_CJK_FONT`` overrides);
    None when fontconfig has no such family (the PDF then falls back to system fonts)."""
    override = os.environ.get("ZHIXING_CJK_FONT")
    if override:
        return override if Path(override).is_file() else None
    if shutil.which("fc-match") is None:
        return None
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{family}\t%{file}", CJK_FAMILY],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    family, _, path = found.partition("\t")
    if CJK_FAMILY.lower() not in family.lower() or not Path(path).is_file():
        log.warning("fontconfig has no %s: the PDF uses whatever CJK font the system offers", CJK_FAMILY)
        return None
    return path


def font_stack(font_file: str | None) -> str:
    """The CSS font-family list: the @font-face font first when the PDF embeds one."""
    families = ['"WenQuanYi Micro Hei"', '"Noto Sans CJK SC"', '"Microsoft YaHei"', "sans-serif"]
    return ", ".join(['"ZX CJK"', *families] if font_file else families)


def _svg_burndown(block: dict, family: str, width: int = 520, height: int = 180) -> str:
    """A small line chart of the remaining cases_needed per target (PDF and HTML alike:
    an inline SVG needs no script)."""
    burn = block["burndown"]
    if burn is None:
        return ""
    dates = burn["dates"]
    series = {i: v for i, v in burn["remaining"].items() if any(x is not None for x in v)}
    if len(dates) < 1 or not series:
        return ""
    top = max([max(x for x in v if x is not None) for v in series.values()] + [1])
    left, right, upper, lower = 40, width - 110, 10, height - 24
    steps = max(len(dates) - 1, 1)

    def xy(k: int, value: float) -> str:
        x = left + (right - left) * k / steps
        y = lower - (lower - upper) * value / top
        return f"{x:.1f},{y:.1f}"

    names = {t["id"]: t["name"] for t in block["progress"]["targets"]}
    colours = ["#c0392b", "#2471a3", "#1e8449", "#b9770e", "#7d3c98", "#555"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' class="chart" font-family="{escape(family)}">',
        f'<line x1="{left}" y1="{lower}" x2="{right}" y2="{lower}" stroke="#888" stroke-width="1"/>',
        f'<line x1="{left}" y1="{upper}" x2="{left}" y2="{lower}" stroke="#888" stroke-width="1"/>',
        f'<text x="{left - 4}" y="{upper + 8}" font-size="9" text-anchor="end">{top}</text>',
        f'<text x="{left - 4}" y="{lower}" font-size="9" text-anchor="end">0</text>',
        f'<text x="{left}" y="{height - 8}" font-size="9">{escape(dates[0])}</text>',
        f'<text x="{right}" y="{height - 8}" font-size="9" text-anchor="end">{escape(dates[-1])}</text>',
    ]
    for n, (ind, values) in enumerate(series.items()):
        colour = colours[n % len(colours)]
        points = " ".join(xy(k, v) for k, v in enumerate(values) if v is not None)
        if len([v for v in values if v is not None]) == 1:
            parts.append(
                f'<circle cx="{points.split(",")[0]}" cy="{points.split(",")[1]}" r="2.5" fill="{colour}"/>'
            )
        else:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{points}"/>')
        parts.append(
            f'<text x="{right + 8}" y="{upper + 12 + 14 * n}" font-size="9" fill="{colour}">{escape(names.get(ind, ind))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _shown_figure(ind_id: str, fig: dict | None) -> dict | None:
    """A figure with its value as people read it (``shown``: "75.33%") and its target."""
    if fig is None:
        return None
    out = {**fig, "shown": display.shown(ind_id, fig.get("value"))}
    if fig.get("target") is not None:
        out["target_shown"] = display.shown(ind_id, fig["target"])
    return out


def _shown_campaign(block: dict) -> dict:
    ids = [t["id"] for t in block["progress"]["targets"]]
    targets = [
        {**t, "target_shown": display.shown(t["id"], t["target"])} for t in block["progress"]["targets"]
    ]
    rows = [
        {**r, "cells": [_shown_figure(i, f) for i, f in zip(ids, r["cells"], strict=True)]}
        for r in block["rows"]
    ]
    return {**block, "targets": targets, "rows": rows}


def render_html(data: dict, *, for_pdf: bool = False) -> str:
    font = cjk_font_file() if for_pdf else None
    family = font_stack(font)
    # The SVG is built from numbers and escaped text only.
    blocks = [{**_shown_campaign(b), "svg": mark_safe(_svg_burndown(b, family))} for b in data["campaigns"]]
    indicators = [
        {
            **ind,
            "courts": [_shown_figure(ind["id"], f) for f in ind["courts"]],
            "total": _shown_figure(ind["id"], ind["total"]),
            "period_total": _shown_figure(ind["id"], ind["period_total"]),
        }
        for ind in data["indicators"]
    ]
    overdue = [{**r, "ytd_shown": display.shown("IND-08", r["ytd_value"])} for r in data["overdue"]]
    overdue_total = {
        **data["overdue_total"],
        "ytd_shown": display.shown("IND-08", data["overdue_total"]["ytd_value"]),
    }
    return render_to_string(
        "reports/bulletin.html",
        {
            **data,
            "indicators": indicators,
            "overdue": overdue,
            "overdue_total": overdue_total,
            "campaigns": blocks,
            "for_pdf": for_pdf,
            "font_url": Path(font).as_uri() if font else None,
            "font_stack": family,
        },
    )


def render_pdf(data: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(data, for_pdf=True), base_url=str(Path.cwd())).write_pdf()


# -- xlsx -------------------------------------------------------------------------------------


def _number(value):
    """A figure's value as a number for a spreadsheet cell (exact strings → float only at
    the cell: Excel has no decimal type)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def render_xlsx(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE4EE")

    def header(ws, row: int, values: list) -> None:
        for col, v in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=v)
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def widths(ws, first: int, others: int, count: int) -> None:
        ws.column_dimensions["A"].width = first
        for col in range(2, count + 1):
            ws.column_dimensions[get_column_letter(col)].width = others

    period = data["period_label"]
    # 1. filings and closings
    ws = wb.active
    ws.title = "收结案"
    ws["A1"] = data["title"]
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = (
        f"{period}：{data['window']['from']} 至 {data['window']['to']}；年度累计：{data['ytd']['from']} 至 {data['ytd']['to']}"
    )
    cols = [
        "法院",
        f"{period}新收",
        "其中首执",
        f"{period}结案",
        "其中首执",
        "年度新收",
        "其中首执",
        "年度结案",
        "其中首执",
        "未结（截至当日）",
    ]
    header(ws, 4, cols)
    keys = ("filed", "filed_first", "closed", "closed_first")
    rows = [*data["flows"], {"name": "合计", **data["flow_total"]}]
    for r, row in enumerate(rows, start=5):
        ws.cell(row=r, column=1, value=row["name"])
        values = (
            [row["period"].get(k, 0) for k in keys]
            + [row["ytd"].get(k, 0) for k in keys]
            + [row["ytd"].get("open", 0)]
        )
        for c, v in enumerate(values, start=2):
            ws.cell(row=r, column=c, value=v).number_format = COUNT_FORMAT
        if row["name"] == "合计":
            ws.cell(row=r, column=1).font = bold
    widths(ws, 22, 11, len(cols))

    # 2. indicators (year to date), with a chart of 首执结案率 by court
    ws = wb.create_sheet("质效指标")
    ws["A1"] = f"质效指标（年度累计，截至 {data['date']}）"
    ws["A1"].font = Font(bold=True, size=13)
    header(ws, 3, ["指标", *[c["name"] for c in data["courts"]], "合计（年度）", f"合计（{period}）"])
    for r, ind in enumerate(data["indicators"], start=4):
        ws.cell(row=r, column=1, value=ind["name"])
        for c, fig in enumerate([*ind["courts"], ind["total"], ind["period_total"]], start=2):
            cell = ws.cell(row=r, column=c, value=_number(fig["value"]) if fig else None)
            cell.number_format = display.cell_format(ind["id"])
    widths(ws, 40, 12, len(data["courts"]) + 3)
    if data["courts"]:
        chart = BarChart()
        chart.type = "col"
        chart.title = "首执结案率（年度累计）"
        chart.y_axis.title = "结案率"
        chart.y_axis.number_format = "0%"
        row_ind01 = 4 + next(i for i, ind in enumerate(data["indicators"]) if ind["id"] == "IND-01")
        values = Reference(
            ws, min_col=2, max_col=len(data["courts"]) + 1, min_row=row_ind01, max_row=row_ind01
        )
        chart.add_data(values, from_rows=True, titles_from_data=False)
        chart.set_categories(Reference(ws, min_col=2, max_col=len(data["courts"]) + 1, min_row=3, max_row=3))
        chart.legend = None
        chart.width, chart.height = 22, 9
        ws.add_chart(chart, f"A{len(data['indicators']) + 6}")

    # 3. ranking
    ws = wb.create_sheet("排名")
    ws["A1"] = "排名（年度累计；括号内为较上期名次变化）"
    ws["A1"].font = Font(bold=True, size=13)
    header(ws, 3, ["法院", *[i["name"] for i in data["ranked"]]])
    for r, row in enumerate(data["rank_matrix"], start=4):
        ws.cell(row=r, column=1, value=row["name"])
        for c, cell in enumerate(row["cells"], start=2):
            if cell is None or cell["rank"] is None:
                ws.cell(row=r, column=c, value="—")
                continue
            change = cell["rank_change"]
            suffix = "" if not change else (f"（↑{change}）" if change > 0 else f"（↓{-change}）")
            ws.cell(row=r, column=c, value=f"{cell['rank']}{suffix}")
    widths(ws, 22, 14, len(data["ranked"]) + 1)

    # 4. overdue key nodes
    ws = wb.create_sheet("超期节点")
    ws["A1"] = "关键节点超期（最后一日在期间内且未按期完成）"
    ws["A1"].font = Font(bold=True, size=13)
    header(ws, 3, ["法院", f"{period}超期节点", "年度超期节点", "年度关键节点平均超期数"])
    rows = [*data["overdue"], {"name": "合计", **data["overdue_total"]}]
    for r, row in enumerate(rows, start=4):
        ws.cell(row=r, column=1, value=row["name"])
        ws.cell(row=r, column=2, value=row["period"])
        ws.cell(row=r, column=3, value=row["ytd"])
        ws.cell(row=r, column=4, value=_number(row["ytd_value"])).number_format = display.NUMBER_FORMAT
    widths(ws, 22, 16, 4)

    # 5. campaigns, with a burn-down line chart each (weekly and monthly bulletins)
    for n, block in enumerate(data["campaigns"], start=1):
        prog, burn = block["progress"], block["burndown"]
        ws = wb.create_sheet(f"专项活动{n}")
        ws["A1"] = f"{prog['name']}（{prog['start']} 至 {prog['end']}，{block['status_label']}）"
        ws["A1"].font = Font(bold=True, size=13)
        targets = prog["targets"]
        header(
            ws,
            3,
            [
                "法院",
                *[f"{t['name']}（目标 {display.shown(t['id'], t['target'])}）" for t in targets],
                *[f"{t['name']} 尚需件数" for t in targets],
            ],
        )
        rows = [*prog["courts"], {"name": "合计", **prog["total"]}]
        for r, row in enumerate(rows, start=4):
            ws.cell(row=r, column=1, value=row["name"])
            for c, t in enumerate(targets, start=2):
                fig = row["indicators"].get(t["id"])
                cell = ws.cell(row=r, column=c, value=_number(fig["value"]) if fig else None)
                cell.number_format = display.cell_format(t["id"])
                ws.cell(row=r, column=c + len(targets), value=fig["cases_needed"] if fig else None)
        widths(ws, 22, 16, 1 + 2 * len(targets))
        if burn is None:
            continue
        start = len(rows) + 6
        ws.cell(row=start, column=1, value="日期").font = bold
        for c, t in enumerate(targets, start=2):
            ws.cell(row=start, column=c, value=f"{t['name']} 尚需件数").font = bold
        for r, d in enumerate(burn["dates"], start=start + 1):
            ws.cell(row=r, column=1, value=d)
            for c, t in enumerate(targets, start=2):
                ws.cell(row=r, column=c, value=burn["remaining"][t["id"]][r - start - 1])
        if burn["dates"]:
            chart = LineChart()
            chart.title = "燃尽图：尚需件数"
            chart.y_axis.title = "件"
            last = start + len(burn["dates"])
            chart.add_data(
                Reference(ws, min_col=2, max_col=1 + len(targets), min_row=start, max_row=last),
                titles_from_data=True,
            )
            chart.set_categories(Reference(ws, min_col=1, min_row=start + 1, max_row=last))
            chart.width, chart.height = 22, 9
            ws.add_chart(chart, f"{get_column_letter(len(targets) + 3)}{start}")

    out = io.BytesIO()
    wb.properties.title = data["title"]
    wb.properties.creator = "zhixing"
    # A fixed timestamp: the same bulletin gives the same file whenever it is produced.
    wb.properties.created = wb.properties.modified = datetime.fromisoformat(data["date"])
    wb.save(out)
    return out.getvalue()


def render(data: dict, fmt: str) -> bytes:
    if fmt == "html":
        return render_html(data).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(data)
    if fmt == "xlsx":
        return render_xlsx(data)
    raise ValueError(f"未知格式 {fmt!r}（html、pdf 或 xlsx）")


def filename(kind: str, day: date, court: Court | None, fmt: str) -> str:
    return f"{title(kind, court)}-{day.isoformat()}.{fmt}"
