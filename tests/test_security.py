"""Response headers and page hygiene: the Content-Security-Policy (scripts only from our
origin, never inline), no inline script or style in any page we render, CSRF on the
log-in and log-out forms, no caching of pages with personal data."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from zhixing.cases.services import import_bundle
from zhixing.security import POLICY

EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "spec" / "example.jsonl"
A = "（2023）豫0823执1234号"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def example(courts):
    with EXAMPLE.open(encoding="utf-8") as f:
        assert import_bundle(f).imported == 5


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_policy_allows_scripts_only_from_self():
    policy = directives(POLICY)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in POLICY and "'unsafe-eval'" not in POLICY


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/", "/api/cases", "/no-such-page/"])
def test_csp_header_on_anonymous_responses(url):
    assert Client().get(url)["Content-Security-Policy"] == POLICY


def signed_in_pages() -> list[str]:
    return [
        "/cases/",
        "/cases/mine/",
        reverse("cases:detail", args=[A]) + "?as_of=2023-12-31",
        "/dashboard/?period=custom&from=2023-01-01&to=2023-12-31",
        "/api/docs",
    ]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


@pytest.mark.parametrize("url", signed_in_pages())
def test_pages_have_the_header_and_nothing_inline(example, personas, url):
    client = Client()
    client.force_login(personas["wuzhi_officer"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    assert INLINE_SCRIPT.findall(html) == []
    assert EVENT_HANDLER.findall(html) == []
    assert STYLE_ATTRIBUTE.findall(html) == []
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


def test_api_responses_have_the_header(example, personas):
    client = Client()
    client.force_login(personas["wuzhi_officer"])
    response = client.get("/api/cases")
    assert response["Content-Security-Policy"] == POLICY
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_log_in_needs_the_csrf_token(personas, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    personas["wuzhi_officer"].set_password(PASSWORD)
    personas["wuzhi_officer"].save()
    client = Client(enforce_csrf_checks=True)
    refused = client.post("/login/", {"username": "wuzhi_officer", "password": PASSWORD})
    assert refused.status_code == 403
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    accepted = client.post(
        "/login/", {"username": "wuzhi_officer", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302


@pytest.mark.django_db
def test_log_out_is_a_post_with_csrf(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["wuzhi_officer"])
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 403
    assert client.get("/cases/").status_code == 200  # still signed in


@pytest.mark.django_db
def test_unsafe_api_methods_are_refused(personas):
    client = Client()
    client.force_login(personas["wuzhi_officer"])
    assert client.post("/api/cases").status_code == 405


@pytest.mark.django_db
def test_expired_session_sends_an_htmx_request_to_the_log_in_page():
    response = Client().get(
        "/cases/?q=张某",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/cases/?open=1"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=%2Fcases%2F%3Fopen%3D1"
