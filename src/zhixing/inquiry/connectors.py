"""Connectors: one small interface per external inquiry system (send, poll, parse a
callback), and the HTTP connector for the national 总对总 service (and the simulator of
it, ``zhixing inquiry-sim``). Configured per court (``ConnectorConfig``; a court without
one uses its nearest configured ancestor, then ``settings.INQUIRY_SERVICE_URL`` or the
``ZHIXING_INQUIRY_URL`` environment variable).

Errors are :class:`ConnectorError` with ``retryable`` (a timeout, 429, 5xx, a dropped
connection — try again later, honouring ``retry_after``) or not (4xx: our request is
wrong; retrying would not help).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import threading
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings


class ConnectorError(Exception):
    def __init__(self, message: str, *, retryable: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class SendOutcome:
    request_id: str
    status: str  # accepted, duplicate, rejected
    error: str = ""


@dataclass(frozen=True, slots=True)
class PollItem:
    request_id: str
    state: str  # unknown, processing, complete
    results: tuple[dict, ...]


class Connector(Protocol):
    """What every external inquiry system offers us."""

    system: str
    batch_size: int

    def send(self, messages: list[dict]) -> list[SendOutcome]:
        """Deliver requests (at least once: the far side deduplicates by request id)."""

    def poll(self, request_ids: list[str]) -> list[PollItem]:
        """The answers known so far for these requests (may repeat earlier answers)."""

    def parse_callback(self, body: bytes, signature: str) -> list[PollItem]:
        """A pushed answer, after checking its signature (ConnectorError if bad)."""


def _items(raw: object) -> list[PollItem]:
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), list):
        raise ConnectorError("应答格式错误：缺少 items", retryable=True)
    out = []
    for it in raw["items"]:
        if not isinstance(it, dict) or "request_id" not in it:
            continue
        results = tuple(r for r in it.get("results") or () if isinstance(r, dict) and r.get("category"))
        out.append(PollItem(str(it["request_id"]), str(it.get("state", "unknown")), results))
    return out


class HttpConnector:
    """The 总对总 HTTP protocol (see ``inquiry.sim`` for its description), over one
    keep-alive connection per thread (http.client; reconnects after any error)."""

    def __init__(self, base_url: str, *, system: str = "总对总", timeout: float = 10.0, secret: str = "",
                 batch_size: int = 200):  # fmt: skip
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"查控服务地址不正确：{base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.prefix = parts.path.rstrip("/")
        self.system = system
        self.timeout = timeout
        self.secret = secret
        self.batch_size = batch_size
        self._local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            conn = cls(self.host, self.port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _post(self, path: str, body: dict) -> dict:
        data = json.dumps(body, ensure_ascii=False, default=str).encode()
        conn = self._conn()
        try:
            conn.request("POST", self.prefix + path, body=data, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            raw = resp.read()
        except TimeoutError as e:
            self.close()
            raise ConnectorError(f"查控服务超时（{self.timeout} 秒）") from e
        except (OSError, http.client.HTTPException) as e:
            self.close()
            raise ConnectorError(f"查控服务连接失败：{type(e).__name__}") from e
        if resp.status == 429:
            retry = resp.getheader("Retry-After")
            raise ConnectorError("查控服务限流（429）", retry_after=float(retry) if retry else None)
        if resp.status >= 500:
            raise ConnectorError(f"查控服务错误（{resp.status}）")
        if resp.status >= 400:
            raise ConnectorError(
                f"查控服务拒绝请求（{resp.status}）：{raw[:200].decode(errors='replace')}", retryable=False
            )
        try:
            return json.loads(raw)
        except ValueError as e:
            raise ConnectorError("应答不是 JSON") from e

    def send(self, messages: list[dict]) -> list[SendOutcome]:
        raw = self._post("/v1/requests", {"requests": messages})
        items = raw.get("items") if isinstance(raw, dict) else None
        if not isinstance(items, list):
            raise ConnectorError("应答格式错误：缺少 items")
        return [
            SendOutcome(str(i.get("request_id")), str(i.get("status")), str(i.get("error") or ""))
            for i in items
            if isinstance(i, dict)
        ]

    def poll(self, request_ids: list[str]) -> list[PollItem]:
        return _items(self._post("/v1/results", {"ids": request_ids}))

    def parse_callback(self, body: bytes, signature: str) -> list[PollItem]:
        if not self.secret:
            raise ConnectorError("本院未配置回调签名密钥，不接受回调", retryable=False)
        expected = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature or ""):
            raise ConnectorError("回调签名不正确", retryable=False)
        try:
            return _items(json.loads(body))
        except ValueError as e:
            raise ConnectorError("回调内容不是 JSON", retryable=False) from e


_cache: dict[tuple, HttpConnector] = {}


def default_url() -> str:
    return getattr(settings, "INQUIRY_SERVICE_URL", "") or os.environ.get("ZHIXING_INQUIRY_URL", "")


def config_for(court):
    """The court's connector configuration: its own, else the nearest ancestor's (None
    when no court on the path has one)."""
    from zhixing.inquiry.models import ConnectorConfig

    codes = [c for c in court.path.strip("/").split("/") if c]
    rows = {
        c.court.code: c
        for c in ConnectorConfig.objects.filter(court__code__in=codes, enabled=True).select_related("court")
    }
    for code in reversed(codes):
        if code in rows:
            return rows[code]
    return None


def connector_for(court) -> HttpConnector:
    """The connector of ``court`` (ConnectorError, not retryable, when none is configured)."""
    cfg = config_for(court)
    if cfg is not None:
        key = (cfg.base_url, cfg.system, cfg.timeout, cfg.secret, cfg.batch_size)
    else:
        url = default_url()
        if not url:
            raise ConnectorError(
                f"{court.name}未配置查控接口（ConnectorConfig 或 ZHIXING_INQUIRY_URL）", retryable=False
            )
        key = (url, "总对总", 10.0, os.environ.get("ZHIXING_INQUIRY_SECRET", ""), 200)
    if key not in _cache:
        _cache[key] = HttpConnector(key[0], system=key[1], timeout=key[2], secret=key[3], batch_size=key[4])
    return _cache[key]
