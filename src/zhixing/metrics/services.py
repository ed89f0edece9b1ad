"""Indicators and the backlog ledger for a court subtree, on the Django database."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.db import connection
from django.db.models import Exists, OuterRef

from zhixing.courts.models import Court
from zhixing.lib import periods
from zhixing.metrics import engine
from zhixing.metrics.models import CaseFact, PetitionFact, ReceiptFact

_PARAM = re.compile(r":(f3|f|t|a)\b")


def run_django(sql: str, params: dict[str, date]) -> list[dict]:
    """Bind :name parameters as the Django backend's %s placeholders, in order."""
    names = _PARAM.findall(sql)
    with connection.cursor() as cursor:
        cursor.execute(_PARAM.sub("%s", sql), [params[n] for n in names])
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def courts_in_scope(court: Court | None, visible: list[int] | None = None) -> list[Court]:
    qs = Court.objects.all() if court is None else court.subtree()
    if visible is not None:
        qs = qs.filter(pk__in=visible)
    return list(qs.order_by("path"))


def courts_with_facts(ids: list[int]) -> set[int]:
    """The courts among ``ids`` that have any case, petition or receipt fact (one index
    probe per court, not a scan of the facts)."""
    has = (
        Exists(CaseFact.objects.filter(court_id=OuterRef("pk")))
        | Exists(PetitionFact.objects.filter(court_id=OuterRef("pk")))
        | Exists(ReceiptFact.objects.filter(court_id=OuterRef("pk")))
    )
    return set(Court.objects.filter(pk__in=ids).filter(has).values_list("pk", flat=True))


def indicator_report(
    window: engine.Window, court: Court | None = None, *, visible: list[int] | None = None
) -> dict:
    """spec/cli.md ``indicators --json``: per court in scope that has cases, and in total."""
    courts = courts_in_scope(court, visible)
    ids = [c.pk for c in courts]
    sums = engine.compute_sums(run_django, ids, window)
    with_data = courts_with_facts(ids)
    rows = []
    for c in courts:
        if c.pk in with_data:
            rows.append({"court": c.code, "name": c.name, "indicators": engine.figures(sums.get(c.pk, {}))})
    total = engine.add_sums(sums.get(c.pk, {}) for c in courts)
    return {
        "from": window.start.isoformat(),
        "to": window.end.isoformat(),
        "as_of": window.as_of.isoformat(),
        "courts": rows,
        "total": {"indicators": engine.figures(total)},
    }


# -- §10 backlog ledger ---------------------------------------------------------------------

AGES = ("≤6个月", "6-12个月", "1-3年", ">3年")


def earliest_filing_within(months: int, as_of: date) -> date:
    """The earliest filing day f with f + months ≥ as_of (PER-4, not rolled). add_months is
    monotone in f, so "age ≤ N months" is the single comparison filed_on ≥ this day."""
    f = periods.add_months(as_of, -months)
    while f > date.min and periods.add_months(f - timedelta(days=1), months) >= as_of:
        f -= timedelta(days=1)
    while periods.add_months(f, months) < as_of:
        f += timedelta(days=1)
    return f


def ledger(as_of: date, court: Court | None = None, *, visible: list[int] | None = None) -> dict:
    """indicators.md §10: implementation cases (首执, 执恢) open at as-of, and 终本 cases not
    resumed, by court, status, age and tag."""
    courts = {c.pk: c.code for c in courts_in_scope(court, visible)}
    if not courts:
        return {"as_of": as_of.isoformat(), "rows": []}
    b6, b12, b36 = (earliest_filing_within(m, as_of) for m in (6, 12, 36))
    age = "CASE WHEN c.filed_on >= %s THEN 0 WHEN c.filed_on >= %s THEN 1 WHEN c.filed_on >= %s THEN 2 ELSE 3 END"
    status = "CASE WHEN c.closed_on IS NULL OR c.closed_on > %s THEN 0 ELSE 1 END"
    ids = ", ".join(str(pk) for pk in courts)
    sql = (
        f"SELECT c.court_id, {status} AS status, {age} AS age, t.tag, COUNT(*) FROM metrics_casefact c"
        " LEFT JOIN metrics_tagfact t ON t.case_id = c.case_id AND t.since <= %s"
        f" WHERE c.court_id IN ({ids}) AND c.case_type IN ('first', 'resumed') AND c.filed_on <= %s"
        " AND (c.closed_on IS NULL OR c.closed_on > %s"
        "      OR (c.terminated AND (c.resumed_on IS NULL OR c.resumed_on > %s)))"
        " GROUP BY c.court_id, 2, 3, t.tag"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [as_of, b6, b12, b36, as_of, as_of, as_of, as_of])
        found = cursor.fetchall()
    rows = [
        {"court": courts[court_id], "status": ("未结", "终本")[st], "age": AGES[ag], "tag": tag, "cases": n}
        for court_id, st, ag, tag, n in found
    ]
    rows.sort(key=lambda r: (r["court"], r["status"], AGES.index(r["age"]), r["tag"] or ""))
    return {"as_of": as_of.isoformat(), "rows": rows}


def cases_behind(indicator_id: str, part: str, window: engine.Window, court_ids: list[int]) -> list[int]:
    """Ids of the cases behind an indicator's numerator or denominator (drill-down), in
    the courts given, by the same condition the figure counts."""
    ind = next((i for i in engine.catalog() if i.id == indicator_id), None)
    if ind is None or part not in ("numerator", "denominator"):
        raise KeyError(f"{indicator_id}.{part}")
    if not court_ids:
        return []
    source, court_column, condition = engine.behind(getattr(ind, part))
    courts = ", ".join(str(int(pk)) for pk in court_ids)
    sql = (
        f"SELECT DISTINCT c.case_id FROM {source} WHERE {court_column} IN ({courts}) AND {condition}"
        " ORDER BY c.case_id"
    )
    if source.startswith("metrics_receiptfact"):
        sql = sql.replace("SELECT DISTINCT c.case_id", "SELECT DISTINCT r.case_id").replace(
            "ORDER BY c.case_id", "ORDER BY r.case_id"
        )
    return [row["case_id"] for row in run_django(sql, window.params())]
