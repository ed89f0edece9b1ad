"""Response headers that keep pages safe on a court's closed network.

The Content-Security-Policy allows scripts only from our own origin and never inline
(design.md: pages are server-rendered, scripts are static files; data for charts travels
in ``<script type="application/json">`` blocks, which browsers do not execute). Styles
are our own stylesheets only: Plotly 3 and htmx 2 work without inline ``<style>``
(htmx's indicator styles are switched off in base.html). Nothing is loaded from another
origin: courts run without internet access, and a CDN would also leak who looks at what.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

#: One directive per line, joined with "; ". ``data:`` images: Plotly's mode-bar icons.
POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class ContentSecurityPolicyMiddleware:
    """Sets the policy above on every response that has none yet, and ``Cache-Control:
    no-store`` on responses to a signed-in user that set no caching of their own: pages
    and API answers carry personal data, and court computers are often shared."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = POLICY
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's (every view needs a signed-in user unless marked ``login_not_required``),
    except for htmx requests: when the session has expired, the whole page goes to the
    log-in page (``HX-Redirect``) rather than the log-in form being swapped into a
    fragment of the page; after log-in the user returns to that page."""

    def handle_no_permission(self, request, view_func):
        if request.headers.get("HX-Request") != "true":
            return super().handle_no_permission(request, view_func)
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = (page.path or "/") + (f"?{page.query}" if page.query else "")
        return HttpResponseClientRedirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back})}")
