"""Campaign progress (专项活动): per court, each target indicator's figure
over the campaign so far, the ``cases_needed`` gap (indicators.md §5), and a burn-down
of the remaining gap per day or week.

The campaign window runs from the campaign's start to DATE (or its end, if earlier), as
of DATE: the figures a leader sees on DATE for "the campaign so far".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from zhixing.courts.models import Court
from zhixing.metrics import engine
from zhixing.metrics.services import courts_in_scope, run_django
from zhixing.reports.models import Campaign
from zhixing.reports.rankings import LOWER_IS_BETTER

#: The 2018 焦作 campaign (glossary.md 专项活动 / 百日会战): the "三个90%" — 终本合格率,
#: 有财产可供执行案件法定期限内实际执结率, 执行信访办结率 — and 三年整体执结率 80%.
JIAOZUO_2018 = {
    "name": "执行攻坚百日会战",
    "court": "豫08",
    "start": date(2018, 5, 1),
    "end": date(2018, 8, 10),
    "targets": {"IND-09": "0.90", "IND-10": "0.90", "IND-11": "0.90", "IND-13": "0.80"},
    "description": "焦作中院 2018 年执行攻坚百日会战：“三个90%”（终本合格率、有财产可供执行案件法定期限内实际执结率、执行信访办结率）及三年整体执结率 80%。",
}

#: How one more good outcome moves an indicator without a catalog gap (indicators.md §5):
#: "cohort" where the outcome joins numerator and denominator (a closing joins 结案数),
#: "fixed" where the denominator is already fixed (受理数, 新收数). Amount and lower-is-better
#: indicators have no count of cases that closes the gap.
GAPS = {
    "IND-01": "fixed",
    "IND-02": "cohort",
    "IND-03": "cohort",
    "IND-04": "cohort",
    "IND-06": "cohort",
    "IND-12": "cohort",
    "IND-14": "fixed",
    "IND-15": "cohort",
}


@transaction.atomic
def seed_jiaozuo_2018() -> tuple[Campaign, bool]:
    """Create the 2018 焦作 campaign if it is missing (idempotent); creates the court 豫08
    from its code if no bundle has named it yet, as an import would."""
    from zhixing.courts.services import ensure_court

    court = ensure_court(JIAOZUO_2018["court"])
    fields = {k: v for k, v in JIAOZUO_2018.items() if k not in ("name", "court", "start")}
    return Campaign.objects.get_or_create(
        name=JIAOZUO_2018["name"], court=court, start=JIAOZUO_2018["start"], defaults=fields
    )


def campaign_window(campaign: Campaign, day: date) -> engine.Window | None:
    """[start, min(DATE, end)] as of DATE; None before the campaign starts."""
    if day < campaign.start:
        return None
    return engine.Window(campaign.start, min(day, campaign.end), day)


def status(campaign: Campaign, day: date) -> str:
    if day < campaign.start:
        return "not_started"
    return "running" if day <= campaign.end else "ended"


STATUS_LABELS = {"not_started": "未开始", "running": "进行中", "ended": "已结束"}


def _target_indicator(indicator_id: str, target: str) -> engine.Indicator:
    ind = next(i for i in engine.catalog() if i.id == indicator_id)
    return dataclasses.replace(ind, target=str(target), gap=ind.gap or GAPS.get(indicator_id))


def target_figure(indicator_id: str, target: str, sums: dict[str, int]) -> dict:
    """The §5 figure against the campaign's target: ``cases_needed`` as §5 computes it
    (null where no count of cases closes the gap), and ``met``: value at or beyond the
    target (at or below it for IND-07/IND-08; null without a value)."""
    ind = _target_indicator(indicator_id, target)
    fig = engine.figure(dataclasses.replace(ind, target=None), sums)
    fig["target"] = ind.target
    value = None if fig["value"] is None else Decimal(fig["value"])
    t = Decimal(ind.target)
    if value is None:
        fig["met"] = None
    else:
        fig["met"] = value <= t if indicator_id in LOWER_IS_BETTER else value >= t
    n, d = sums.get(ind.numerator, 0), sums.get(ind.denominator, 0)
    if ind.gap in ("cohort", "fixed") and ind.kind == "count" and indicator_id not in LOWER_IS_BETTER:
        fig["cases_needed"] = engine.cases_needed(ind, n, d)
    else:
        fig["cases_needed"] = None
    return fig


def _scope(campaign: Campaign, visible: Iterable[int] | None) -> list[Court]:
    return courts_in_scope(campaign.court, None if visible is None else list(visible))


def _figures(campaign: Campaign, sums: dict[str, int]) -> dict[str, dict]:
    return {i: target_figure(i, t, sums) for i, t in campaign.targets.items()}


def campaign_json(campaign: Campaign) -> dict:
    names = {i.id: i.name for i in engine.catalog()}
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "court": campaign.court.code,
        "court_name": campaign.court.name,
        "start": campaign.start.isoformat(),
        "end": campaign.end.isoformat(),
        "targets": [
            {"id": i, "name": names.get(i, i), "target": str(t)} for i, t in campaign.targets.items()
        ],
    }


def progress(campaign: Campaign, day: date, *, visible: Iterable[int] | None = None) -> dict:
    """Per court of the campaign's scope that has cases (its own cases, as in
    ``indicators --json``) and in total: each target indicator's figure with ``target``,
    ``cases_needed`` and ``met``."""
    window = campaign_window(campaign, day)
    out = {**campaign_json(campaign), "date": day.isoformat(), "status": status(campaign, day)}
    if window is None:
        return {**out, "window": None, "courts": [], "total": {"indicators": {}}}
    courts = _scope(campaign, visible)
    sums = engine.compute_sums(run_django, [c.pk for c in courts], window)
    rows = [
        {"court": c.code, "name": c.name, "indicators": _figures(campaign, sums[c.pk])}
        for c in courts
        if c.pk in sums
    ]
    total = engine.add_sums(sums.values())
    return {
        **out,
        "window": {
            "from": window.start.isoformat(),
            "to": window.end.isoformat(),
            "as_of": window.as_of.isoformat(),
        },
        "courts": rows,
        "total": {"indicators": _figures(campaign, total)},
    }


def burndown_days(campaign: Campaign, day: date, step: int = 1) -> list[date]:
    """The campaign's days from its start to DATE (or its end), every ``step`` days, and
    always the last one."""
    last = min(day, campaign.end)
    if last < campaign.start:
        return []
    days, d = [], campaign.start
    while d < last:
        days.append(d)
        d += timedelta(days=step)
    days.append(last)
    return days


def burndown(campaign: Campaign, day: date, *, visible: Iterable[int] | None = None, step: int = 1) -> dict:
    """Per campaign day (or every ``step`` days) up to DATE, each target indicator's
    remaining ``cases_needed`` over the whole scope (the campaign so far, as of that day),
    and per court. ``ideal`` falls in a straight line from the first day's gap to 0 on
    the campaign's last day."""
    courts = _scope(campaign, visible)
    ids = [c.pk for c in courts]
    codes = {c.pk: c.code for c in courts}
    days = burndown_days(campaign, day, step)
    remaining: dict[str, list] = {i: [] for i in campaign.targets}
    values: dict[str, list] = {i: [] for i in campaign.targets}
    per_court: dict[str, dict[str, list]] = {}
    for d in days:
        sums = engine.compute_sums(run_django, ids, engine.Window(campaign.start, d, d))
        figs = _figures(campaign, engine.add_sums(sums.values()))
        for i in campaign.targets:
            remaining[i].append(figs[i]["cases_needed"])
            values[i].append(figs[i]["value"])
        for pk, s in sums.items():
            court_figs = _figures(campaign, s)
            series = per_court.setdefault(
                codes[pk], {i: [None] * (len(remaining[i]) - 1) for i in campaign.targets}
            )
            for i in campaign.targets:
                series[i].append(court_figs[i]["cases_needed"])
        for series in per_court.values():
            for i in campaign.targets:
                if len(series[i]) < len(remaining[i]):
                    series[i].append(None)
    span = (campaign.end - campaign.start).days or 1
    ideal = {}
    for i, gaps in remaining.items():
        first = gaps[0] if gaps and gaps[0] is not None else None
        ideal[i] = [
            None if first is None else round(first * (1 - (d - campaign.start).days / span), 1) for d in days
        ]
    return {
        **campaign_json(campaign),
        "dates": [d.isoformat() for d in days],
        "remaining": remaining,
        "values": values,
        "ideal": ideal,
        "courts": per_court,
    }
