"""The screening service on its own (``zhixing screening_serve``): only the agency API,
with the in-memory index built at start and a minimal middleware stack.

Screening is a different workload from the officers' UI — thousands of small requests a
second from a few programs, no sessions, no pages — so it runs as its own process (or
several, behind a load balancer), each with its own index kept current from the change
feed. The officers' server mounts the same ``screening_router`` at ``/api/`` too.
"""

from __future__ import annotations

from django.urls import path
from ninja import NinjaAPI

from zhixing.credit.api import screening_router

#: No sessions, CSRF, authentication or messages: the API key is the only credential.
#: (No CommonMiddleware either: this API never builds a URL from the Host header.)
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]

api = NinjaAPI(
    title="zhixing 协助单位筛查 API",
    version="1",
    description="失信被执行人名单与限制消费筛查。以 X-API-Key 认证，按密钥权限、频率限制，每次查询均留痕。",
    urls_namespace="screening",
)
api.add_router("/", screening_router)


def _urls():
    patterns, app, namespace = api.urls
    for pattern in patterns:
        if hasattr(pattern, "callback"):
            pattern.callback.login_required = False
    return patterns, app, namespace


urlpatterns = [path("api/", _urls())]
