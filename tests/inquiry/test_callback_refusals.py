"""The inquiry callback tells a caller without a court's secret nothing about which
courts exist or how they are set up: an unknown court, a court without a connector or
without a callback secret, and a wrong signature get one and the same answer; a signed
callback about a request the court does not have is answered like a repeated one."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid

import pytest
from django.test import Client

from zhixing.inquiry.models import ConnectorConfig

pytestmark = pytest.mark.django_db

REFUSED = (403, {"detail": "回调未被接受：签名无效"})


def _sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post(court: str, body: bytes, signature: str):
    r = Client().post(
        f"/api/inquiry/callback/{court}", body, content_type="application/json", HTTP_X_SIGNATURE=signature
    )
    return r.status_code, r.json()


@pytest.fixture
def body() -> bytes:
    item = {"request_id": str(uuid.UUID(int=7)), "state": "complete", "results": []}
    return json.dumps({"items": [item]}).encode()


@pytest.fixture
def wuzhi_connector(courts):
    """武陟县法院 has a connector with the callback secret "cb-secret"; 温县法院 one without
    a secret; 焦作中院 none (and no ZHIXING_INQUIRY_URL)."""
    ConnectorConfig.objects.create(court=courts["豫0823"], base_url="http://127.0.0.1:9", secret="cb-secret")
    ConnectorConfig.objects.create(court=courts["豫0825"], base_url="http://127.0.0.1:9", secret="")


def test_unknown_court_unconfigured_court_and_bad_signature_look_alike(wuzhi_connector, body, monkeypatch):
    monkeypatch.delenv("ZHIXING_INQUIRY_URL", raising=False)
    answers = {
        "unknown court": _post("豫9999", body, _sign(body, "cb-secret")),
        "court without a connector": _post("豫08", body, _sign(body, "cb-secret")),
        "court without a callback secret": _post("豫0825", body, _sign(body, "")),
        "wrong signature": _post("豫0823", body, _sign(body, "guess")),
        "no signature": _post("豫0823", body, ""),
    }
    assert answers == dict.fromkeys(answers, REFUSED)


def test_a_signed_callback_for_an_unknown_request_is_accepted_with_nothing_new(wuzhi_connector, body):
    assert _post("豫0823", body, _sign(body, "cb-secret")) == (200, {"accepted": True, "new_results": 0})


def test_a_signed_but_malformed_body_is_a_400(wuzhi_connector):
    body = b'{"results": []}'
    assert _post("豫0823", body, _sign(body, "cb-secret")) == (400, {"detail": "应答格式错误：缺少 items"})
