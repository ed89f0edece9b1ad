"""Response headers that keep pages safe on a court's closed network.

The Content-Security-Policy allows scripts only from our own origin and never inline
(design.md: pages are server-rendered, scripts are static files; data for charts travels
in ``<script type="application/json">`` blocks, which browsers do not execute). Styles
are our own stylesheets only: Plotly 3 and htmx 2 work without inline ``<style>``
(htmx's indicator styles are switched off in base.html). Nothing is loaded from another
origin: courts run without internet access, and a CDN would also leak who looks at what.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import resolve_url
from django.utils.html import escape
from django_htmx.http import HttpResponseClientRedirect
from ninja.parser import Parser

from zhixing.lib import text

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


# -- text checked once at the boundary ------------------------------------------------------------

_BAD_TEXT = text.BAD_TEXT
_BAD_LINE = text.BAD_LINE
#: Headers reach Django as Latin-1 text, so a UTF-8 value shows bytes 0x80–0x9f as C1
#: characters: only C0 controls but tab, and DEL, are refused there.
_BAD_HEADER = re.compile("[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")

#: Where a JSON body holds a list whose items the endpoint checks and reports one by one
#: (a screening batch reports a malformed ID and screens the rest): path → field.
PER_ITEM_FIELDS: dict[str, str] = {"/api/screen/batch": "ids"}


bad_text = text.bad_text
printable = text.printable


def bad_text_message(field: str) -> str:
    return f"{printable(field)}：{text.REFUSED}"


@dataclass(frozen=True)
class BadInput:
    """The first refused value of a request: where (ninja's ``loc``) and a label for pages."""

    loc: tuple[str | int, ...]
    label: str

    @property
    def field(self) -> str:
        return ".".join(printable(str(part)) for part in self.loc[1:]) or self.loc[0]


def _first_bad_json(value, loc: tuple) -> tuple | None:
    if isinstance(value, str):
        return loc if _BAD_TEXT.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _BAD_TEXT.search(key):
                return (*loc, key)
            found = _first_bad_json(item, (*loc, key))
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _first_bad_json(item, (*loc, i))
            if found:
                return found
    return None


def first_bad_json(data, path: str) -> tuple | None:
    """The ``loc`` of the first refused string (or key) of a parsed JSON body, leaving out
    the list an endpoint checks item by item (``PER_ITEM_FIELDS``)."""
    per_item = PER_ITEM_FIELDS.get(path)
    if per_item and isinstance(data, dict):
        data = {k: v for k, v in data.items() if not (k == per_item and isinstance(v, list))}
    return _first_bad_json(data, ("body",))


def _first_bad_pair(pairs, where: str, *, multiline: bool) -> BadInput | None:
    pattern = _BAD_TEXT if multiline else _BAD_LINE
    for key, values in pairs:
        for value in values if isinstance(values, list) else [values]:
            if pattern.search(key) or (isinstance(value, str) and pattern.search(value)):
                return BadInput((where, key), f"参数 {printable(key)}")
    return None


def _json_content(request: HttpRequest) -> bool:
    return request.content_type in (
        "application/json",
        "application/x-ndjson",
    ) or request.content_type.endswith("+json")


def first_bad_input(request: HttpRequest) -> BadInput | None:
    """The first refused value of the request: its path, query parameters, headers
    (cookies included), form fields and file names, or JSON strings. Form and JSON bodies
    may hold tabs and line breaks (text areas); the rest are one line each."""
    if _BAD_LINE.search(request.path_info):
        return BadInput(("path",), "网址路径")
    for name, value in request.META.items():
        if name.startswith("HTTP_") and isinstance(value, str) and _BAD_HEADER.search(value):
            header = name[5:].replace("_", "-").title()
            return BadInput(("header", header), f"请求头 {header}")
    found = _first_bad_pair(request.GET.lists(), "query", multiline=False)
    if found or request.method in ("GET", "HEAD", "OPTIONS"):
        return found
    if _json_content(request):
        return _first_bad_body(request)
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        found = _first_bad_pair(request.POST.lists(), "form", multiline=True)
        if found:
            return found
        for key, upload in request.FILES.lists():
            for f in upload:
                if _BAD_LINE.search(key) or _BAD_LINE.search(f.name or ""):
                    return BadInput(("form", key), f"文件 {printable(key)}")
    return None


def _first_bad_body(request: HttpRequest) -> BadInput | None:
    """A JSON body is parsed here once (the API's parser reuses it: ``parsed_json``); one
    that does not parse is left for the endpoint to refuse with its own message."""
    try:
        body = request.body
        data = json.loads(body) if body else None
    except ValueError:
        return None
    request._zhixing_json = data
    loc = first_bad_json(data, request.path_info)
    if loc is None:
        return None
    field = ".".join(printable(str(part)) for part in loc[1:]) or "请求体"
    return BadInput(loc, f"字段 {field}")


_UNPARSED = object()


def parsed_json(request: HttpRequest):
    """The body as :class:`InputTextMiddleware` parsed it, or ``_UNPARSED``."""
    return getattr(request, "_zhixing_json", _UNPARSED)


class CheckedParser(Parser):
    """ninja's JSON parser, reusing the body the middleware already parsed and checked
    (a 100,000-ID screening batch is then parsed once, not twice)."""

    def parse_body(self, request: HttpRequest):
        data = parsed_json(request)
        if data is _UNPARSED:
            data = super().parse_body(request)
        return data


def api_error(loc: tuple, message: str) -> dict:
    """ninja's validation-error shape (the API's other 422s use it)."""
    return {"detail": [{"loc": [printable(p) if isinstance(p, str) else p for p in loc], "msg": message,
                        "type": "value_error"}]}  # fmt: skip


def refusal(request: HttpRequest, bad: BadInput) -> HttpResponse:
    """422 in ninja's error shape for the JSON API, a short Chinese 400 page otherwise."""
    message = bad_text_message(bad.label)
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            api_error(bad.loc, message), status=422, json_dumps_params={"ensure_ascii": False}
        )
    page = (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>请求有误</title>'
        f"<h1>请求有误</h1><p>{escape(message)}</p></html>"
    )
    return HttpResponseBadRequest(page, content_type="text/html; charset=utf-8")


class InputTextMiddleware:
    """Refuses a request carrying NUL, a lone surrogate or another control character in any
    value the application reads (``first_bad_input``), before sessions, CSRF or any view
    touch it: never a 500 from the database or an encoder, on SQLite or PostgreSQL."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = first_bad_input(request)
        if bad is not None:
            return refusal(request, bad)
        return self.get_response(request)


# -- request bodies -------------------------------------------------------------------------------

#: Body limits above Django's general one (``DATA_UPLOAD_MAX_MEMORY_SIZE``, 2.5 MB), per path.
#: A screening batch of 100,000 IDs (its limit) is 2,100,009 bytes as compact JSON,
#: 2,200,009 as Python's ``json.dumps`` writes it and 3,000,021 indented by four spaces;
#: 8 MiB also leaves room for padded or escaped IDs.
BODY_LIMITS: dict[str, int] = {"/api/screen/batch": 8 * 1024 * 1024}


class BodyLimitMiddleware:
    """A JSON 413 naming both sizes when an API request's body is over its limit (Django
    itself answers with an HTML 400 and no reason); the bodies of ``BODY_LIMITS`` paths are
    read here, up to their own limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        own = BODY_LIMITS.get(path)
        limit = own or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit and path.startswith("/api/"):
            return JsonResponse(
                {"detail": f"请求体为 {length} 字节，超过本接口的上限 {limit} 字节"},
                status=413,
                json_dumps_params={"ensure_ascii": False},
            )
        if own and length:
            # What ``HttpRequest.body`` does, without its check against the general limit.
            request._body = request.read()
            request._stream = io.BytesIO(request._body)
        return self.get_response(request)
