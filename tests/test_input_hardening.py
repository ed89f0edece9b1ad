"""Text is checked once, at the boundary (security.InputTextMiddleware): NUL, lone
surrogates and other control characters in the path, a query parameter, a form field, a
JSON string or a header are a 400 page naming the field (a 422 in ninja's error shape for
the API), never a 500 — on SQLite and on PostgreSQL, where NUL cannot be stored at all.

The probe walks the URL resolver, so a view added later is probed without a new test.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from hypothesis import given
from hypothesis import strategies as st

from zhixing.security import bad_text, first_bad_json, printable

#: A value for each kind of path converter.
SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def walk(patterns, prefix: str = ""):
    """Every route of the URL map (``path()`` patterns; the admin's regex ones are left
    out) as (route, callback)."""
    for p in patterns:
        route = str(p.pattern)
        if route.startswith("^"):
            continue
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern):
            yield prefix + route, p.callback


def concrete(route: str) -> str:
    return "/" + CONVERTER.sub(lambda m: SAMPLES[m.group(1) or "str"], route)


ROUTES = sorted({concrete(route) for route, _ in walk(get_resolver().url_patterns)})


def expected_status(url: str) -> int:
    return 422 if url.startswith("/api/") else 400


def test_the_walk_covers_the_url_map():
    """Every walked URL resolves (so the probe below reaches each view), pages and API."""
    assert len(ROUTES) > 60
    for url in ROUTES:
        resolve(url)
    assert "/public/credit/" in ROUTES and "/api/screen/batch" in ROUTES and "/portal/" in ROUTES


@pytest.fixture
def wang(personas):
    """王某, an officer of 武陟县法院, signed in."""
    client = Client()
    client.force_login(personas["wuzhi_officer"])
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("url", ROUTES)
def test_nul_in_a_query_parameter_is_refused_everywhere(wang, url):
    r = wang.get(url, {"q": "a\x00b"})
    assert r.status_code == expected_status(url)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ROUTES)
def test_nul_in_a_form_field_is_refused_everywhere(wang, url):
    r = wang.post(url, {"name": "张某\x00", "note": "ok"})
    assert r.status_code == expected_status(url)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ROUTES)
def test_lone_surrogate_in_json_is_refused_everywhere(wang, url):
    body = '{"id": "41082319850312203\\ud800", "reason": "x"}'
    r = wang.post(url, body, content_type="application/json")
    assert r.status_code == expected_status(url)


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in ROUTES if "/x/" in u or u.endswith("/x")])
def test_nul_in_a_path_argument_is_refused(wang, url):
    bad = url.replace("/x", "/a%00b", 1)
    assert wang.get(bad).status_code == expected_status(url)


@pytest.mark.django_db
def test_public_search_without_log_in_names_the_field():
    """The probe that found it: an anonymous NUL search of the public 失信 list."""
    r = Client().get("/public/credit/?q=a%00b")
    assert r.status_code == 400
    assert r["Content-Type"] == "text/html; charset=utf-8"
    page = r.content.decode()
    assert "参数 q：含有不允许的字符（空字符、控制字符或无效的 Unicode 代理项）" in page


@pytest.mark.django_db
def test_api_query_error_has_ninjas_shape(wang):
    r = wang.get("/api/cases", {"q": "a\x00b"})
    assert r.status_code == 422
    assert r.json() == {
        "detail": [
            {
                "loc": ["query", "q"],
                "msg": "参数 q：含有不允许的字符（空字符、控制字符或无效的 Unicode 代理项）",
                "type": "value_error",
            }
        ]
    }


@pytest.mark.django_db
def test_api_json_error_names_the_nested_field(wang):
    body = json.dumps({"document": {"number": "（2024）豫0823执88号", "reason": "a\udc00"}})
    r = wang.post("/api/credit/cases/x/listings", body, content_type="application/json")
    assert r.status_code == 422
    (error,) = r.json()["detail"]
    assert error["loc"] == ["body", "document", "reason"]
    assert error["msg"] == "字段 document.reason：含有不允许的字符（空字符、控制字符或无效的 Unicode 代理项）"


@pytest.mark.django_db
def test_control_character_in_a_header_is_refused(wang):
    r = wang.get("/cases/", headers={"HX-Current-URL": "/cases/\x01"})
    assert r.status_code == 400
    assert "请求头 Hx-Current-Url" in r.content.decode()


@pytest.mark.django_db
def test_nul_in_the_session_cookie_is_refused_before_the_session_is_read():
    r = Client().get("/login/", headers={"Cookie": "sessionid=abc\x00def"})
    assert r.status_code == 400
    assert "请求头 Cookie" in r.content.decode()


@pytest.mark.django_db
def test_tabs_and_line_breaks_in_a_form_are_not_refused():
    """Text areas hold several lines: the request reaches the view (here: the log-in
    form, which answers a wrong password with its page again, 200)."""
    r = Client().post("/login/", {"username": "王某", "password": "第一行\r\n第二行\t"})
    assert r.status_code == 200


@pytest.mark.django_db
def test_line_break_in_a_query_parameter_is_refused():
    assert Client().get("/public/credit/", {"q": "a\nb"}).status_code == 400


@pytest.mark.django_db
def test_valid_chinese_search_still_works():
    r = Client().get("/public/credit/", {"q": "周某"})
    assert r.status_code == 200


def test_batch_ids_are_left_to_the_endpoint_other_fields_are_not():
    """The screening batch reports a malformed ID and screens the rest, so its ``ids``
    list is not refused whole; any other field of the same body is."""
    assert first_bad_json({"ids": ["a\x00", 1]}, "/api/screen/batch") is None
    assert first_bad_json({"ids": ["ok"], "note": "\x00"}, "/api/screen/batch") == ("body", "note")
    assert first_bad_json({"ids": ["a\x00"]}, "/api/screen") == ("body", "ids", 0)


@given(st.text())
def test_printable_never_keeps_a_refused_character(value):
    shown = printable(value)
    assert not bad_text(shown, multiline=False)
    shown.encode("utf-8")  # a lone surrogate would raise here
    assert printable(shown) == shown


@given(st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs"])))
def test_ordinary_text_is_never_refused(value):
    assert not bad_text(value)
    assert printable(value) == value


@given(st.text(), st.sampled_from(["\x00", "\ud800", "\udfff", "\x1b", "\x7f", "\x85"]), st.text())
def test_any_refused_character_is_found(before, bad, after):
    assert bad_text(before + bad + after)
    assert first_bad_json({"a": [before + bad + after]}, "/api/x") == ("body", "a", 0)


# -- the import -----------------------------------------------------------------------------------


def test_import_rejects_a_line_with_such_text_naming_the_field(import_cases, bundle_case, courts):
    """A NUL in a party's name, an ESC in the handler, a lone surrogate in an event field:
    each line is rejected with its field named; the clean line is imported."""
    nul = json.dumps(bundle_case(parties=[bundle_case.applicant(name="张\x00某"), bundle_case.debtor()]))
    esc = json.dumps(bundle_case(handler="王某\x1b[31m"))
    clean = bundle_case()
    surrogate = json.dumps(bundle_case()).replace(
        '"handler_assigned"', '"handler_assigned", "note": "\\udc80"'
    )
    report = import_cases(nul, esc, surrogate, clean)
    assert report.imported == 1
    refused = "含有不允许的字符（空字符、控制字符或无效的 Unicode 代理项）"
    assert [(r["line"], r["field"], r["error"]) for r in report.rejected] == [
        (1, "parties[0].name", refused),
        (2, "handler", refused),
        (3, "$", report.rejected[2]["error"]),
    ]
    # orjson refuses a lone surrogate escape as invalid JSON: rejected, never stored.
    assert report.rejected[2]["error"].startswith("不是有效的 JSON")


def test_import_keeps_tabs_and_line_breaks(import_cases, bundle_case, courts):
    report = import_cases(bundle_case(handler="王某\t（代）"))
    assert report.imported == 1
