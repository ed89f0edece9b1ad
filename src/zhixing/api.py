"""The JSON API (django-ninja): ``/api/…``, OpenAPI documentation at ``/api/docs``.

Browsers authenticate with their session (CSRF-checked for unsafe methods); an
unauthenticated call is a 401. Every endpoint narrows what it reads to the courts the
user may see. Indicators and the ledger return the shapes of ``zhixing indicators
--json`` and ``zhixing ledger --json`` (spec/cli.md).
"""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import ValidationError
from ninja.security import django_auth

from zhixing.cases.api import router as cases_router
from zhixing.courts.access import court_scope
from zhixing.credit.api import router as credit_router
from zhixing.credit.api import screening_router
from zhixing.flow.api import router as flow_router
from zhixing.funds.api import router as funds_router
from zhixing.inquiry.api import router as inquiry_router
from zhixing.lib.errors import ActError
from zhixing.metrics import engine
from zhixing.metrics.services import indicator_report, ledger
from zhixing.petitions.api import router as petitions_router
from zhixing.security import CheckedParser
from zhixing.supervision.api import router as supervision_router
from zhixing.termination.api import router as termination_router

api = NinjaAPI(
    title="zhixing 执行案件管理 API",
    version="1",
    description="执行案件、期限与检查、质效指标和积案台账。所有接口需登录，数据范围限于本院及（监督角色）下级法院。",
    auth=django_auth,
    docs_decorator=login_required,
    urls_namespace="api",
    # Bodies are parsed and checked once, by security.InputTextMiddleware (NUL, lone
    # surrogates, control characters → 422 naming the field); the parser reuses them.
    parser=CheckedParser(),
)
api.add_router("/cases", cases_router)
api.add_router("/funds", funds_router)
api.add_router("/petitions", petitions_router)
api.add_router("/supervision", supervision_router)
api.add_router("/termination", termination_router)
api.add_router("/flow", flow_router)
api.add_router("/credit", credit_router)
api.add_router("/inquiry", inquiry_router)
# 协助单位: /api/screen, /api/screen/batch, /api/list/changes, /api/list/snapshot, with API keys
api.add_router("/", screening_router)


def answer_act_errors(ninja_api: NinjaAPI) -> None:
    """The one place an act's refusal becomes an HTTP answer (lib/errors.py): the status and
    body the error carries — 422 bad input or a rule, 409 a stale version, 403 not allowed,
    404 not found. Installed on the project's API (and on a test's API of a single router)."""

    def act_error(request: HttpRequest, e: ActError) -> HttpResponse:
        if e.utf8_json:
            return JsonResponse(e.body(), status=e.status, json_dumps_params={"ensure_ascii": False})
        return ninja_api.create_response(request, e.body(), status=e.status)

    ninja_api.add_exception_handler(ActError, act_error)


answer_act_errors(api)


def bad_input(field: str, message: str) -> ValidationError:
    """A 422 naming the query field, in the shape of ninja's own validation errors."""
    return ValidationError([{"loc": ["query", field], "msg": message, "type": "value_error"}])


class IndicatorQuery(Schema):
    start: date = Field(alias="from", description="窗口首日 YYYY-MM-DD")
    end: date = Field(alias="to", description="窗口末日 YYYY-MM-DD")
    as_of: date | None = Field(None, description="截至日，默认等于 to，不得早于 to")
    court: str = Field("", description="法院代字（含下级法院），默认本院")


def window_of(start: date, end: date, as_of: date | None) -> engine.Window:
    """indicators.md §4: ``to`` ≥ ``from`` and ``as_of`` ≥ ``to`` (default ``to``)."""
    if end < start:
        raise bad_input("to", f"to（{end.isoformat()}）早于 from（{start.isoformat()}）")
    as_of = as_of or end
    if as_of < end:
        raise bad_input("as_of", f"as_of（{as_of.isoformat()}）早于 to（{end.isoformat()}）")
    return engine.Window(start, end, as_of)


@api.get("/indicators", response=dict, tags=["指标"], summary="质效指标（同 zhixing indicators --json）")
def indicators(request, params: Query[IndicatorQuery]):
    """Per court in scope that has cases, and in total. ``court`` must be a court the
    user may see (404 otherwise); default: the user's court and, for supervising roles,
    the courts below it."""
    window = window_of(params.start, params.end, params.as_of)
    court, visible = court_scope(request.user, params.court)
    return indicator_report(window, court, visible=visible)


@api.get("/ledger", response=dict, tags=["指标"], summary="积案台账（同 zhixing ledger --json）")
def backlog_ledger(request, as_of: date | None = None, court: str = ""):
    """indicators.md §10 at ``as_of`` (default today, China time)."""
    scope, visible = court_scope(request.user, court)
    return ledger(as_of or timezone.localdate(), scope, visible=visible)


def urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """``api.urls`` with the endpoints exempt from LoginRequiredMiddleware: the API
    answers an anonymous call with its own 401 (a redirect to a log-in page means nothing
    to a program). The documentation pages stay behind the log-in page."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name not in (
            "openapi-json",
            "openapi-view",
            "api-root",
        ):
            pattern.callback.login_required = False
    return patterns, app_name, namespace
