"""Alerts: the daily overdue scan, who sees them, their acknowledgement."""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from zhixing.cases.models import Case
from zhixing.flow import rules as flow_rules
from zhixing.flow.models import Alert
from zhixing.flow.services.people import who
from zhixing.flow.services.queue import obligation_label
from zhixing.metrics.models import ObligationFact


def scan_overdue(as_of: date) -> int:
    """Record every obligation overdue at the end of ``as_of`` as an alert, once
    (indicators.md §1/§3: not lapsed, last day on or before as-of, not discharged on or
    before its last day — a discharge after it was still a lapse). One INSERT … SELECT over
    the stored obligation facts, not a query per case; the unique obligation key and
    ``ON CONFLICT DO NOTHING`` make a second run (or two at once) create nothing.
    Returns the number of new alerts."""
    ops = connection.ops
    q = ops.quote_name
    alert, fact, case = Alert._meta.db_table, ObligationFact._meta.db_table, Case._meta.db_table
    sql = f"""
        INSERT INTO {q(alert)} (case_id, court_id, key_node, ref, trigger_on, due_on, handler, found_as_of, created_at)
        SELECT o.case_id, o.court_id, o.key_node, o.ref, o.trigger_on, o.due_on, c.handler, %s, %s
        FROM {q(fact)} o JOIN {q(case)} c ON c.id = o.case_id
        WHERE o.lapsed = %s AND o.due_on <= %s AND (o.done_on IS NULL OR o.done_on > o.due_on)
        ON CONFLICT (case_id, key_node, ref, trigger_on) DO NOTHING
    """  # table names come from the models; every value is a parameter
    params = [
        ops.adapt_datefield_value(as_of),
        ops.adapt_datetimefield_value(timezone.now()),
        False,
        ops.adapt_datefield_value(as_of),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def alerts_for(user) -> QuerySet[Alert]:
    return Alert.objects.visible_to(user).select_related("case", "court", "acknowledged_by")


def acknowledge(alert: Alert, *, user) -> Alert:
    """Mark an alert as seen (who, when). Claimed with a conditional UPDATE: a second
    acknowledgement changes nothing and keeps the first one's name."""
    if not alerts_for(user).filter(pk=alert.pk).exists():
        raise Http404("没有这条预警")
    Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_by=user, acknowledged_at=timezone.now()
    )
    alert.refresh_from_db()
    return alert


def alert_json(a: Alert) -> dict:
    return {
        "id": a.pk,
        "case_number": a.case.case_number,
        "court": a.court.code,
        "handler": a.handler,
        "key_node": a.key_node,
        "label": obligation_label(a.key_node),
        "ref": a.ref or None,
        "trigger_on": a.trigger_on.isoformat(),
        "due_on": a.due_on.isoformat(),
        "rule": flow_rules.key_node(a.key_node).rule,
        "found_as_of": a.found_as_of.isoformat(),
        "created_at": a.created_at.isoformat(),
        "acknowledged_by": who(a.acknowledged_by) if a.acknowledged_by_id else None,
        "acknowledged_at": a.acknowledged_at.isoformat() if a.acknowledged_at else None,
    }
