"""The OpenAPI document describes the API as it is.

1. Every schema name stands for one model: django-ninja files every model under its class
   name in ``components.schemas`` and silently keeps the last of two models of one name,
   so an operation's request body could point at another app's model. Each operation's
   request body and responses, with every reference followed, must equal the JSON schema
   of that operation's own models generated on their own.
2. Schemathesis runs every operation — the officers' (a session of 王某, an officer of
   武陟县法院) and the 协助单位's (an API key) — against the WSGI application and fails on
   any 5xx and on any response that breaks its documented schema.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from zhixing.api import api

pytestmark = pytest.mark.django_db


def _operations() -> dict[str, object]:
    """operationId → ninja Operation, for every operation of every router."""
    out = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                out[api.get_openapi_operation_id(op)] = op
    return out


def _resolve(node, defs: dict, seen: tuple[str, ...] = ()):
    """``node`` with every ``#/components/schemas/…`` reference replaced by its target."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name in seen:  # a recursive model: keep the reference
                return {"$ref": name}
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**_resolve(defs[name], defs, (*seen, name)), **_resolve(rest, defs, seen)}
        return {k: _resolve(v, defs, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, defs, seen) for v in node]
    return node


def _own_schema(model, mode: str, remove_level: bool, by_alias: bool = True):
    """The schema ninja would give ``model`` (a parameter or response wrapper) if it were
    the only model of the API, references resolved in its own definitions."""
    schema = model.model_json_schema(
        ref_template=REF_TEMPLATE, by_alias=by_alias, schema_generator=NinjaGenerateJsonSchema, mode=mode
    )
    defs = schema.pop("$defs", {})
    if remove_level and len(schema["properties"]) == 1:
        schema = next(iter(schema["properties"].values()))
    return _resolve(schema, defs)


def _documented():
    doc = api.get_openapi_schema(path_prefix="/api/")
    defs = doc["components"]["schemas"]
    for path, methods in doc["paths"].items():
        for method, spec in methods.items():
            yield path, method, spec, defs


def test_every_request_body_is_its_own_model():
    ops = _operations()
    checked = 0
    for path, method, spec, defs in _documented():
        op = ops[spec["operationId"]]
        bodies = [m for m in op.models if m.__ninja_param_source__ == "body"]
        if not bodies:
            assert "requestBody" not in spec, (method, path)
            continue
        (body,) = bodies
        (content,) = spec["requestBody"]["content"].values()
        documented = _resolve(content["schema"], defs)
        assert documented == _own_schema(body, "validation", remove_level=True), (method, path)
        checked += 1
    assert checked >= 40


def test_every_response_is_its_own_model():
    ops = _operations()
    for path, method, spec, defs in _documented():
        op = ops[spec["operationId"]]
        for status, model in op.response_models.items():
            if model is None or status is Ellipsis or not hasattr(model, "model_json_schema"):
                continue
            documented_response = spec["responses"].get(status) or spec["responses"][str(status)]
            (media,) = documented_response["content"].values()
            documented = _resolve(media["schema"], defs)
            own = _own_schema(model, "serialization", remove_level=True, by_alias=op.by_alias)
            assert documented == own, (method, path, status)


def test_no_two_models_share_a_schema_name():
    """The same check from the other side: every model reachable from an operation,
    generated on its own, gives each name one schema (the count ninja cannot keep)."""
    seen: dict[str, set[str]] = {}
    for op in _operations().values():
        wrappers = [(m, "validation") for m in op.models] + [
            (m, "serialization") for m in op.response_models.values() if hasattr(m, "model_json_schema")
        ]
        for wrapper, mode in wrappers:
            schema = wrapper.model_json_schema(
                ref_template=REF_TEMPLATE, by_alias=True, schema_generator=NinjaGenerateJsonSchema, mode=mode
            )
            defs = schema.get("$defs", {})
            for name, definition in defs.items():
                seen.setdefault(name, set()).add(json.dumps(_resolve(definition, defs), sort_keys=True))
    shared = {name: len(forms) for name, forms in seen.items() if len(forms) > 1}
    assert shared == {}
    documented = api.get_openapi_schema(path_prefix="/api/")["components"]["schemas"]
    assert set(seen) == set(documented)


# -- what the contract run found ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/flow/extensions?page=670600971851006061051904", "page"),
        ("/api/flow/alerts?page=99999999999999999999", "page"),
        ("/api/flow/restraints?page=99999999999999999999", "page"),
        ("/api/flow/queue?page=99999999999999999999", "page"),
        ("/api/inquiry/requests?page=99999999999999999999", "page"),
        ("/api/petitions?page=99999999999999999999", "page"),
        ("/api/supervision/findings?page=99999999999999999999", "page"),
        ("/api/supervision/orders?page=99999999999999999999", "page"),
        ("/api/supervision/interference?page=99999999999999999999", "page"),
        ("/api/credit/entries?offset=-3143", "offset"),
        ("/api/credit/entries?limit=-1", "limit"),
    ],
)
def test_a_page_or_offset_no_list_has_is_bad_input(personas, url, field):
    """Once a 500 (SQLite cannot hold the OFFSET; Django cannot slice negatively): now a
    422 naming the parameter, for 王某 as for anybody."""
    from django.test import Client

    browser = Client()
    browser.force_login(personas["wuzhi_officer"])
    response = browser.get(url)
    assert response.status_code == 422, response.content
    assert [e["loc"] for e in response.json()["detail"]] == [["query", field]]


# -- schemathesis over every operation -----------------------------------------------------------

#: A few examples an operation, the same every run (the seed is derived from the operation);
#: ZHIXING_CONTRACT_EXAMPLES asks for a deeper run.
EXAMPLES = int(os.environ.get("ZHIXING_CONTRACT_EXAMPLES", "4"))
CASE_NUMBER = "（2024）豫0823执7号"
CSRF = "zhixingcontractcsrfsecret0123456"  # 32 characters: a CSRF secret Django accepts as a token

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/"))
schema.app = get_wsgi_application()
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    deterministic=True,
    no_shrink=True,
    database="none",
)
schema.config.phases.update(phases=["examples", "fuzzing"])
schema.config.seed = 24


@pytest.fixture
def same_connection():
    """The WSGI handler would close the test's database connection (and its transaction)
    after each request; Django's own test client keeps it open the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def callers(personas, same_connection, import_cases, bundle_case):
    """王某's session (with a CSRF pair, as a browser has), a 协助单位's key of every scope,
    and one case of 武陟 that every operation about a case is called with."""
    from django.test import Client

    from zhixing.credit import index, screening, services
    from zhixing.credit.models import Scope

    screening.keys.invalidate()
    browser = Client()
    browser.force_login(personas["wuzhi_officer"])
    agency = services.create_agency("railway", "中国国家铁路集团有限公司", rate_per_minute=100_000)
    _, key = services.issue_key(agency, Scope.values)
    case = bundle_case(case_number=CASE_NUMBER, filed_on="2024-03-01")
    assert import_cases(case).rejected == []
    yield {
        "cookies": {"sessionid": browser.cookies["sessionid"].value, "csrftoken": CSRF},
        "headers": {"X-CSRFToken": CSRF, "X-API-Key": key},
    }
    # The screening index and the key cache outlive the test's rolled-back rows.
    index.holder.reset()
    screening.keys.invalidate()
    screening.key_limiter.reset()


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
@pytest.mark.django_db
def test_every_operation_keeps_its_contract(case, callers):
    # A generated case number finds nothing; the real one reaches the operation's own work.
    if "case_number" in (case.path_parameters or {}):
        case.path_parameters["case_number"] = CASE_NUMBER
    case.call_and_validate(
        headers=callers["headers"],
        cookies=callers["cookies"],
        checks=[not_a_server_error, response_schema_conformance],
    )
