"""Credit pages: the list (本院及下级法院), one case's 失信 / 限制消费 with the decision
forms, the deletions due (K9), and the public search (no log-in, rate-limited per IP).

Thin views (design.md): look up through ``visible_to``, one form → one service call,
render; a refused decision re-renders the form with the rule's message (status 422).
"""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from zhixing.cases.casenumber import normalise
from zhixing.cases.loader import load_record
from zhixing.cases.models import Case
from zhixing.credit import publish, screening, services
from zhixing.credit.forms import FORMS, PublicSearchForm
from zhixing.credit.models import CreditDecision, DeletionGround, Ground, LiftingGround, ListEntry
from zhixing.credit.rules import credit_checks
from zhixing.lib.masking import shown_id
from zhixing.reports import export

PAGE = 50


def _shown(entries, user) -> list[ListEntry]:
    """The entries with each identifier as ``user`` may see it (lib.masking's rule); the
    instances are for display only and never saved."""
    out = list(entries)
    for e in out:
        e.identifier = shown_id(e.identifier, viewer=user, case_court=e.court_id, unit=e.is_unit)
    return out


def entry_list(request: HttpRequest) -> HttpResponse:
    qs = ListEntry.objects.visible_to(request.user).select_related("court")
    kind = request.GET.get("kind", "")
    if kind in ListEntry.Kind.values:
        qs = qs.filter(kind=kind)
    state = request.GET.get("state", "active")
    if state == "active":
        qs = qs.filter(active=True)
    elif state == "ended":
        qs = qs.filter(active=False)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(case_number=normalise(q)) | Q(name=q) | Q(identifier=q.upper()))
    if request.GET.get("export") == "xlsx":
        return _export_entries(qs.order_by("-listed_on", "pk"), request.user, q)
    page = Paginator(qs.order_by("-listed_on", "pk"), PAGE).get_page(request.GET.get("page"))
    page.object_list = _shown(page.object_list, request.user)
    return render(
        request,
        "credit/list.html",
        {"page": page, "q": q, "kind": kind, "state": state, "kinds": ListEntry.Kind.choices},
    )


GROUND_LABELS = dict(Ground.choices)
#: Deletion and lifting grounds by their stored value: people read the 事由, not its code.
REASON_LABELS = {**dict(DeletionGround.choices), **dict(LiftingGround.choices)}


def _named_decisions(decisions, record) -> list[CreditDecision]:
    """The decisions with the party's name and the grounds in words (display only)."""
    out = list(decisions)
    for d in out:
        party = record.party(d.party)
        d.party_name = party.name if party is not None else d.party
        d.ground_labels = [GROUND_LABELS.get(g, g) for g in d.grounds or ()]
        d.reason_label = REASON_LABELS.get(d.ground, d.ground)
    return out


def _export_entries(entries, user, q: str) -> HttpResponse:
    """The whole list (every page) as xlsx, each ID number as the user may see it."""
    header = ("名单", "姓名或名称", "身份", "证件号码", "案号", "法院", "纳入或限制日期", "结束", "应删除日")
    rows = (
        (
            e.get_kind_display(),
            f"{e.name}（{e.unit_name}）" if e.unit_name else e.name,
            e.get_role_display(),
            e.identifier or "",
            e.case_number,
            e.court.name,
            e.listed_on,
            e.ended_on or ("已撤回" if e.withdrawn else ""),
            e.deletion_due_on,
        )
        for e in _shown(entries, user)
    )
    return export.table_response("失信及限制消费名单", f"查询条件：{q or '全部'}", header, rows)


def _can_decide(user, case: Case) -> bool:
    return user.is_superuser or user.court_id == case.court_id


@require_http_methods(["GET", "POST"])
def case_credit(request: HttpRequest, case_number: str) -> HttpResponse:
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related("court"), case_number=normalise(case_number)
    )
    record = load_record(case)
    can_decide = _can_decide(request.user, case)
    bound = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in FORMS or not can_decide:
            return HttpResponse("只有本案承办法院可以作出失信、限制消费决定", status=403)
        bound = FORMS[action](request.POST, case=case, record=record)
        decision = bound.apply(request.user)
        if decision is not None:
            messages.success(
                request, f"已保存：{decision.get_action_display()}（{decision.document_number}）"
            )
            return redirect("credit:case", case_number=case.case_number)
        status = 422
    forms = {
        name: (bound if bound is not None and bound.prefix == name else cls(case=case, record=record))
        for name, cls in FORMS.items()
    }
    entries = _shown(ListEntry.objects.filter(case=case).order_by("kind", "listed_on", "pk"), request.user)
    context = {
        "case": case,
        "record": record,
        "entries": entries,
        "decisions": _named_decisions(
            CreditDecision.objects.filter(case=case).order_by("decided_on", "pk"), record
        ),
        "checks": [
            {**dataclasses.asdict(r), "ground_labels": [GROUND_LABELS.get(g, g) for g in r.grounds]}
            for r in credit_checks(record, timezone.localdate())
        ],
        "forms": forms,
        "can_decide": can_decide,
        "failed_action": bound.prefix if bound is not None else "",
    }
    return render(request, "credit/case.html", context, status=status)


def due(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    visible = ListEntry.objects.visible_to(request.user).values("pk")
    rows = services.due_entries(today).filter(pk__in=visible)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for e in page.object_list:
        e.ground_labels = [GROUND_LABELS.get(g, g) for g in e.grounds]
    return render(request, "credit/due.html", {"page": page, "today": today})


def _public_limit() -> int:
    return int(getattr(settings, "ZHIXING_PUBLIC_SEARCH_PER_MINUTE", 20))


@login_not_required
def public_search(request: HttpRequest) -> HttpResponse:
    """失信被执行人公开查询: exact name or ID/credit code, CREDIT-7 items, masked IDs."""
    form = PublicSearchForm(request.GET or None)
    # An ID number is not echoed into the page (court and library computers are shared).
    q_text = (request.GET.get("q") or "").strip()
    echo = "" if len(q_text) == 18 and q_text.isascii() and q_text.isalnum() else q_text
    context = {"form": form, "records": None, "error": None, "echo": echo}
    status = 200
    q = request.GET.get("q")
    if q is not None:
        ip = request.META.get("REMOTE_ADDR", "")
        if not screening.allow(f"public:{ip}", _public_limit()):
            context["error"] = "查询过于频繁，请一分钟后再试"
            status = 429
        else:
            try:
                context["records"] = publish.public_records(q, today=timezone.localdate())
            except publish.PublicQueryError as e:
                context["error"] = str(e)
                status = 400
    response = render(request, "credit/public_search.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response
