"""执行公开 pages: look up (case number + ID number), the code step, the case.

No log-in: a party proves who they are with their ID number and, where a notifier is
configured, a code sent to their phone (``portal.services``). What they opened is kept
in their session for ``ACCESS_SECONDS``; responses are never cached.
"""

from __future__ import annotations

import time

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from zhixing.cases.casenumber import normalise
from zhixing.portal import notify, services
from zhixing.portal.forms import CodeForm, LookupForm

NO_MATCH = "案号与证件号码不匹配，请核对后重试"
BAD_CODE = "验证码不正确或已失效"
TOO_MANY = "查询过于频繁，请稍后再试"
SESSION_KEY = "portal_access"
CHALLENGE_KEY = "portal_challenge"


def _client(request: HttpRequest) -> str:
    # The socket address only: X-Forwarded-For is whatever the client wants it to be.
    return request.META.get("REMOTE_ADDR", "")


def _grant(request: HttpRequest, party_pk: int) -> HttpResponse:
    request.session.cycle_key()  # a new session id once the party is known (no fixation)
    request.session.pop(CHALLENGE_KEY, None)
    request.session[SESSION_KEY] = {"party": party_pk, "until": time.time() + services.ACCESS_SECONDS}
    return redirect("portal:case")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """案件查询: the same answer for a wrong case number and a wrong ID number."""
    form = LookupForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        number = normalise(form.cleaned_data["case_number"])
        client = _client(request)
        if not (
            services.allow(f"client:{client}", services.CLIENT_LIMIT)
            and services.allow(f"case:{number}:client:{client}", services.CASE_CLIENT_LIMIT)
        ):
            error, status = TOO_MANY, 429
        else:
            party = services.find_party(number, form.cleaned_data["identifier"])
            if not notify.codes_required():
                if party is not None:
                    return _grant(request, party.pk)
                error, status = NO_MATCH, 400
            else:
                request.session[CHALLENGE_KEY] = services.start_challenge(party)
                return redirect("portal:verify")
    elif request.method == "POST":
        status = 400
    return render(
        request, "portal/lookup.html", {"form": form, "error": error, "title": "执行公开"}, status=status
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """验证码: shown after every look-up, whether or not a code was sent."""
    token = request.session.get(CHALLENGE_KEY)
    if not token:
        return redirect("portal:lookup")
    form = CodeForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        if not services.allow(f"code:{_client(request)}", services.CLIENT_LIMIT):
            error, status = TOO_MANY, 429
        else:
            party_pk = services.check_code(token, form.cleaned_data["code"])
            if party_pk is not None:
                return _grant(request, party_pk)
            error, status = BAD_CODE, 400
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "error": error,
        "minutes": services.CODE_SECONDS // 60,
        "title": "执行公开 · 验证码",
    }
    return render(request, "portal/verify.html", context, status=status)


@login_not_required
@never_cache
def case(request: HttpRequest) -> HttpResponse:
    """The opened case: progress by node, what the court did, money paid to the party."""
    access = request.session.get(SESSION_KEY)
    if not access or access.get("until", 0) < time.time():
        request.session.pop(SESSION_KEY, None)
        return redirect("portal:lookup")
    view = services.portal_case(access["party"], timezone.localdate())
    if view is None:
        request.session.pop(SESSION_KEY, None)
        return redirect("portal:lookup")
    return render(request, "portal/case.html", {"c": view, "title": f"执行公开 · {view.case_number}"})


@login_not_required
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(CHALLENGE_KEY, None)
    return redirect("portal:lookup")
