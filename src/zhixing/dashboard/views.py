"""The command-centre page (指挥中心): indicators, a per-court table, one indicator per
court as a chart, and the backlog ledger, for a court subtree and a window.

Thin view: parse the form, resolve the court scope (a court the user may not see is a
404), ask ``centre.command_centre`` for the figures, render. An htmx request (the form
changing) gets only the body partial.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhixing.courts.access import court_choices, court_scope
from zhixing.courts.models import Court
from zhixing.dashboard.centre import Scope, command_centre
from zhixing.dashboard.forms import DashboardForm


def court_label(court: Court, top_level: int) -> str:
    # Full-width spaces indent lower courts under their parent in the select.
    return "\u3000" * max(0, court.level - top_level) + court.name


def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = DashboardForm(request.GET or None, today=today)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    court, visible = court_scope(request.user, request.GET.get("court", ""))
    choices = court_choices(request.user)
    scope = Scope(court, visible, names={c.code: c.name for c in choices})
    centre = command_centre(form.window(), scope, data.get("indicator"))
    top = min((c.level for c in choices), default=0)
    context = {
        **centre.context(),
        "form": form,
        "form_errors": {name: errs for name, errs in form.errors.items()} if form.is_bound else {},
        "period": data.get("period", "year"),
        "court_code": court.code if court else "",
        "court_options": [(c.code, court_label(c, top)) for c in choices],
        "title": "指挥中心",
    }
    template = "dashboard/_body.html" if request.htmx else "dashboard/index.html"
    return render(request, template, context)
