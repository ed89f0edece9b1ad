"""End to end over a real socket (pytest-django's ``live_server``) through the project's
own URL map and middleware: the public search page without a log-in, the agency API
with a key, the officers' pages and API behind the log-in, and an officer of another
court getting nothing."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.test import Client

from zhixing.credit.publish import mask_id_number

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "（2024）豫0823执88号"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def call(url: str, *, body=None, headers=None, cookie: str | None = None) -> tuple[int, dict, str]:
    """One HTTP request: (status, headers, text); redirects are not followed."""
    headers = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if cookie:
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with OPENER.open(request, timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def session_of(user) -> str:
    """A real session (in the database) for ``user``: the cookie a browser would hold."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_public_search_needs_no_log_in_and_publishes_the_masked_record(live_server, listed, kit):
    status, _, html = call(
        f"{live_server.url}/public/credit/?" + urllib.parse.urlencode({"q": kit.id_number()})
    )
    assert status == 200
    assert mask_id_number(kit.id_number()) == "4108231985****2036"
    assert "4108231985****2036" in html and kit.id_number() not in html
    assert "周某" in html and NUMBER in html and "武陟县人民法院" in html
    status, _, _ = call(f"{live_server.url}/public/credit/?q=%2A")
    assert status == 400


def test_agency_api_with_a_key_and_without(live_server, listed, agencies, kit):
    _, key = agencies["railway"]
    url = f"{live_server.url}/api/screen"
    status, _, text = call(url, body={"id": kit.id_number()}, headers={"X-API-Key": key})
    assert status == 200
    answer = json.loads(text)
    assert (answer["listed"], answer["listed_since"], answer["restricted_since"]) == (
        True,
        "2024-03-01",
        "2024-02-01",
    )
    assert {e["case_number"] for e in answer["entries"]} == {NUMBER}
    assert call(url, body={"id": kit.id_number()})[0] == 401
    assert call(url, body={"id": kit.id_number()}, headers={"X-API-Key": "zk_nonsense"})[0] == 401
    bad = kit.id_number()[:17] + ("0" if kit.id_number()[17] != "0" else "1")
    status, _, text = call(url, body={"id": bad}, headers={"X-API-Key": key})
    assert status == 422 and bad in text
    status, _, text = call(
        f"{live_server.url}/api/screen/batch",
        body={"ids": [kit.id_number(), bad]},
        headers={"X-API-Key": key},
    )
    assert status == 200
    batch = json.loads(text)
    assert batch["hit_count"] == 1 and [i["id"] for i in batch["invalid"]] == [bad]
    # The officers' API does not take an agency key.
    assert call(f"{live_server.url}/api/credit/entries", headers={"X-API-Key": key})[0] == 401


def test_officer_pages_need_a_log_in_and_are_court_scoped(live_server, listed, personas):
    page = f"{live_server.url}/credit/cases/{urllib.parse.quote(NUMBER)}/"
    status, headers, _ = call(page)
    assert status == 302 and "/login/" in headers["Location"]
    assert call(f"{live_server.url}/api/credit/entries")[0] == 401

    wuzhi = session_of(personas["wuzhi_officer"])
    status, _, html = call(page, cookie=wuzhi)
    assert status == 200 and "周某" in html
    status, _, text = call(f"{live_server.url}/api/credit/entries", cookie=wuzhi)
    assert status == 200 and {e["case_number"] for e in json.loads(text)} == {NUMBER}

    wenxian = session_of(personas["wenxian_officer"])
    assert call(page, cookie=wenxian)[0] == 404
    status, _, html = call(f"{live_server.url}/credit/?state=all", cookie=wenxian)
    assert status == 200 and NUMBER not in html and "周某" not in html
    status, _, text = call(f"{live_server.url}/api/credit/entries", cookie=wenxian)
    assert (status, json.loads(text)) == (200, [])
    status, _, _ = call(f"{live_server.url}/api/credit/cases/{urllib.parse.quote(NUMBER)}", cookie=wenxian)
    assert status == 404
    status, _, text = call(f"{live_server.url}/api/credit/due?as_of=2030-01-01", cookie=wenxian)
    assert (status, json.loads(text)) == (200, [])
