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

from django.http import HttpRequest, HttpResponse

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
