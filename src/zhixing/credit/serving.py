"""The screening service on its own (``zhixing screening_serve``): only the agency API,
with the in-memory index built at start and a minimal middleware stack, and
``POST /api/screen`` — thousands of calls a second — answered by a WSGI fast path in
front of Django (:func:`application`) that runs the very same ``screening.screen_call``
as the ninja endpoint, without the framework's per-request work (URL resolution, request
objects, signals, schema validation of the answer).

Screening is a different workload from the officers' UI — thousands of small requests a
second from a few programs, no sessions, no pages — so it runs as its own process (or
several, behind a load balancer), each with its own index kept current from the change
feed. The officers' server mounts the same ``screening_router`` at ``/api/`` too.
"""

from __future__ import annotations

import json

from django.urls import path
from ninja import NinjaAPI

from zhixing.credit import screening
from zhixing.credit.api import screening_router
from zhixing.security import CheckedParser

#: No sessions, CSRF, authentication or messages: the API key is the only credential.
#: (No CommonMiddleware either: this API never builds a URL from the Host header; its one
#: other service, Content-Length, is the small middleware below.)
#: The body limit and the text check are the officers' server's (``zhixing.security``).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zhixing.security.BodyLimitMiddleware",
    "zhixing.security.InputTextMiddleware",
    "zhixing.credit.serving.content_length",
]


def content_length(get_response):
    """Content-Length on every complete response, so keep-alive clients need no chunking."""

    def middleware(request):
        response = get_response(request)
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))
        return response

    return middleware


api = NinjaAPI(
    title="zhixing 协助单位筛查 API",
    version="1",
    description="失信被执行人名单与限制消费筛查。以 X-API-Key 认证，按密钥权限、频率限制，每次查询均留痕。",
    urls_namespace="screening",
    parser=CheckedParser(),
)
api.add_router("/", screening_router)


def _urls():
    patterns, app, namespace = api.urls
    for pattern in patterns:
        if hasattr(pattern, "callback"):
            pattern.callback.login_required = False
    return patterns, app, namespace


urlpatterns = [path("api/", _urls())]


#: What Django's SecurityMiddleware would add (nosniff, referrer, opener policies).
HEADERS = [
    ("Content-Type", "application/json"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
]
REASONS = {200: "200 OK", 401: "401 Unauthorized", 403: "403 Forbidden", 422: "422 Unprocessable Content",
           429: "429 Too Many Requests"}  # fmt: skip
MAX_BODY = 4096


def screen_request(api_key: str | None, body: bytes | None, remote_addr: str | None) -> tuple[int, bytes]:
    """``POST /api/screen`` without Django: same key check (401), scope and rate (403,
    429), body (422), lookup and audit as the ninja endpoint. (status, JSON body); ``body``
    None means it was missing or too large."""
    caller = screening.keys.get(api_key)
    if caller is None:
        return 401, screening.dumps({"detail": "Unauthorized"})
    identifier = None
    if body:
        try:
            data = json.loads(body)
            identifier = data.get("id") if isinstance(data, dict) else None
        except ValueError:
            identifier = None
    if not isinstance(identifier, str):
        return 422, screening.dumps({"detail": [{"loc": ["body", "id"], "msg": '请求体应为 {"id": "证件号码"}',
                                                 "type": "value_error"}]})  # fmt: skip
    try:
        status, payload = screening.screen_call(caller, identifier, remote_addr)
    except screening.Refused as e:
        return e.status, screening.dumps({"detail": e.message})
    return status, screening.dumps(payload)


def fast_screen(environ, start_response) -> list[bytes]:
    """:func:`screen_request` as a WSGI application."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    body = environ["wsgi.input"].read(length) if 0 < length <= MAX_BODY else None
    status, data = screen_request(environ.get("HTTP_X_API_KEY"), body, environ.get("REMOTE_ADDR"))
    start_response(REASONS[status], [*HEADERS, ("Content-Length", str(len(data)))])
    return [data]


def application(django_application):
    """The WSGI application of the screening server: the fast path for single screening,
    Django (``screening_router`` and its documentation) for everything else."""

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/api/screen" and environ.get("REQUEST_METHOD") == "POST":
            return fast_screen(environ, start_response)
        return django_application(environ, start_response)

    return app
