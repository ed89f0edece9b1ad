"""The work queue: obligations and statutory deadlines due soon or overdue, per officer,
team or court."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.http import Http404

from zhixing.courts.models import Court
from zhixing.flow import rules as flow_rules
from zhixing.flow.nodes import NODES
from zhixing.flow.services.errors import FlowError
from zhixing.flow.services.people import who
from zhixing.metrics.models import CaseFact, ObligationFact

SCOPES = ("mine", "team", "court")
STATUTORY = "DL-13"
BEFORE_CLOSING = ("K1", "K2", "K3", "K4", "K5")
EXTRA_LABELS = {"disbursement": "案款发放"}


def obligation_label(key: str) -> str:
    if key == STATUTORY:
        return "执行期限届满"
    node = flow_rules.key_node(key).node
    return NODES[node].label if node in NODES else EXTRA_LABELS.get(node, node)


def _team_handlers(user) -> list[str]:
    from zhixing.funds.models import OfficerTeam

    if user.court_id is None:
        raise FlowError("scope", "用户没有所属法院")
    team = (
        OfficerTeam.objects.filter(court_id=user.court_id, handler=who(user))
        .values_list("team", flat=True)
        .first()
    )
    if team is None:
        raise FlowError("scope", f"{who(user)} 未登记执行团队（请管理员在“执行团队成员”中登记）")
    return list(
        OfficerTeam.objects.filter(court_id=user.court_id, team=team).values_list("handler", flat=True)
    )


def _scope_filter(user, scope: str, court_code: str = "") -> Q:
    """Cases of the queue's scope, as a filter on ``case__…``: ``mine`` — the user's own
    cases (handler = the user's name, in the user's court); ``team`` — the cases of every
    officer in the user's 执行团队 (funds.OfficerTeam); ``court`` — every case of the courts
    the user may see, or of ``court_code``'s subtree (Http404 if not visible)."""
    if scope not in SCOPES:
        raise FlowError("scope", f"范围应为 {'、'.join(SCOPES)} 之一")
    if scope == "court":
        visible = Court.objects.all() if user.is_superuser else user.visible_courts()
        if court_code:
            court = visible.filter(code=court_code).first()
            if court is None:
                raise Http404("没有这个法院")
            return Q(case__court__path__startswith=court.path)
        return Q() if user.is_superuser else Q(case__court__in=visible)
    if user.court_id is None:
        raise FlowError("scope", "用户没有所属法院")
    handlers = [who(user)] if scope == "mine" else _team_handlers(user)
    return Q(case__court_id=user.court_id, case__handler__in=handlers)


@dataclass(frozen=True, slots=True)
class QueueItem:
    case_number: str
    court: str
    handler: str
    key_node: str
    label: str
    ref: str | None
    trigger_on: date | None
    due_on: date
    days_left: int
    status: str
    rule: str
    provisional: bool

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    def as_json(self) -> dict:
        return {
            "case_number": self.case_number,
            "court": self.court,
            "handler": self.handler,
            "key_node": self.key_node,
            "label": self.label,
            "ref": self.ref,
            "trigger_on": self.trigger_on.isoformat() if self.trigger_on else None,
            "due_on": self.due_on.isoformat(),
            "days_left": self.days_left,
            "status": self.status,
            "rule": self.rule,
            "provisional": self.provisional,
        }


def _status(due_on: date, as_of: date) -> str:
    if due_on < as_of:
        return "overdue"
    return "due_today" if due_on == as_of else "due_soon"


QUEUE_STATUS_LABELS = {"overdue": "已超期", "due_today": "今日到期", "due_soon": "即将到期"}


def _obligation_items(scope_q: Q, as_of: date, horizon: date) -> list[QueueItem]:
    """The queue's obligations (K1–K9): open on as_of, last day by ``horizon``, K1–K5 of a
    case closed by as_of left out."""
    facts = (
        ObligationFact.objects.filter(scope_q)
        .open_on(as_of)
        .due_by(horizon)
        .not_closed_out(BEFORE_CLOSING, as_of, closing="case")
        .values_list(
            "case__case_number",
            "case__court__code",
            "case__handler",
            "key_node",
            "ref",
            "trigger_on",
            "due_on",
            "provisional",
        )
    )
    return [
        QueueItem(
            number,
            court,
            handler,
            key,
            obligation_label(key),
            ref or None,
            trigger,
            due,
            (due - as_of).days,
            _status(due, as_of),
            flow_rules.key_node(key).rule,
            provisional,
        )
        for number, court, handler, key, ref, trigger, due, provisional in facts
    ]


def _deadline_items(scope_q: Q, as_of: date, horizon: date) -> list[QueueItem]:
    """The queue's statutory deadlines (DL-13): of every case open on as_of, ending by
    ``horizon``."""
    deadlines = (
        CaseFact.objects.filter(
            scope_q, statutory_deadline__isnull=False, statutory_deadline__lte=horizon, filed_on__lte=as_of
        )
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
        .values_list(
            "case__case_number",
            "case__court__code",
            "case__handler",
            "filed_on",
            "statutory_deadline",
            "deadline_provisional",
        )
    )
    return [
        QueueItem(
            number,
            court,
            handler,
            STATUTORY,
            obligation_label(STATUTORY),
            None,
            filed,
            due,
            (due - as_of).days,
            _status(due, as_of),
            STATUTORY,
            provisional,
        )
        for number, court, handler, filed, due, provisional in deadlines
    ]


def queue(user, *, as_of: date, scope: str = "mine", days: int = 7, court_code: str = "") -> list[QueueItem]:
    """The work queue on day ``as_of``: every obligation (K1–K9, indicators.md §3) not
    discharged on or before as_of whose last day is on or before as_of + ``days``, and
    the statutory deadline (DL-13) of every case open then that ends in that range.

    ``status``: ``overdue`` — the last day has passed (overdue at the end of as_of − 1,
    indicators.md §1; the daily scan has recorded it as an alert); ``due_today`` — the
    last day is as_of itself (overdue at its end if still undone); ``due_soon`` — later.
    K1–K5 of a case closed on or before as_of are left out: they lapsed or can no longer
    be done (events after the closing discharge nothing). Ordered by last day."""
    if days < 0 or days > 366:
        raise FlowError("days", "天数应在 0–366 之间")
    scope_q = _scope_filter(user, scope, court_code)
    horizon = as_of + timedelta(days=days)
    items = _obligation_items(scope_q, as_of, horizon)
    items += _deadline_items(scope_q, as_of, horizon)
    return sorted(items, key=lambda i: (i.due_on, i.case_number, i.key_node, i.ref or ""))
