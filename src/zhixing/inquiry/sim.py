"""A simulated national inquiry service (总对总网络查控系统), run as its own process by
``zhixing inquiry-sim``: an HTTP server on loopback that speaks the protocol of
``connectors.HttpConnector`` and behaves like the real thing — latency, answers that
come per category over time, rate limits (429), server errors (5xx), timeouts, and
duplicate deliveries — with fault injection by flags and by ``POST /admin/faults``.

Protocol (JSON, UTF-8):

- ``POST /v1/requests`` ``{"requests": [{request_id, kind, court, case_number, party,
  categories, asset, amount, expires_on, notice, callback_url?}, …]}`` → ``{"items":
  [{"request_id", "status": "accepted" | "duplicate" | "rejected", "error"?}]}``. A
  request id already known is a ``duplicate`` and is not acted on again: a deduction is
  applied once per request id, however often it is sent.
- ``POST /v1/results`` ``{"ids": [...]}`` → ``{"items": [{"request_id", "state":
  "unknown" | "processing" | "complete", "results": [{category, status, assets, amount,
  message, answered_on}]}]}``. Each category's answer becomes visible at its own time
  (partial results); once visible it is returned on every later poll (so the client
  must deduplicate).
- Callbacks: a request with ``callback_url`` gets ``POST callback_url`` with ``{"items":
  [same item as above]}`` once complete, signed ``X-Signature: hex(HMAC-SHA256(secret,
  body))``; with ``duplicate_rate`` the callback is sent twice.
- ``GET /healthz``; ``GET /admin/stats``; ``POST /admin/faults`` (any of the fault
  fields below); ``POST /admin/reset``.

State is kept in memory and, with ``--journal FILE``, appended to a JSON-lines journal
replayed at start, so a restarted service still knows every request it accepted (and
every deduction it applied). Answers are a deterministic function of the request id and
the seed, so a restart gives the same answers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

INSTITUTIONS = {
    "存款": ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "中原银行", "焦作农商银行"],
    "车辆": ["公安部交通管理局"],
    "不动产": ["自然资源部不动产登记中心"],
    "有价证券": ["中国证券登记结算有限责任公司"],
    "网络资金": ["支付宝（中国）网络技术有限公司", "财付通支付科技有限公司"],
    "理财产品": ["银行业理财登记托管中心"],
    "保险": ["中国银保信"],
    "股权": ["市场监督管理总局"],
    "公积金": ["住房公积金管理中心"],
    "船舶": ["交通运输部海事局"],
}


@dataclass
class Faults:
    """What can go wrong, and how often. Rates are probabilities per HTTP call."""

    error_rate: float = 0.0  # answer 500/502/503 without doing anything
    late_error_rate: float = 0.0  # do the work, then answer 500 (the client cannot know it was done)
    timeout_rate: float = 0.0  # sleep ``timeout_seconds`` before answering (the client gives up first)
    timeout_seconds: float = 5.0
    rate_limit: float = 0.0  # requests per second over all clients; 0 = unlimited (429 beyond)
    latency_min: float = 0.0  # seconds added to every answer
    latency_max: float = 0.0
    result_delay_min: float = 0.0  # seconds from acceptance until a category's answer is ready
    result_delay_max: float = 0.0
    duplicate_rate: float = 0.0  # a callback sent twice; a poll answer repeated in the same response
    found_rate: float = 0.3  # chance a category finds assets
    refuse_rate: float = 0.02  # chance a category answers 未能办理 (institution could not act)


@dataclass
class Stored:
    payload: dict
    accepted_at: float
    sends: int = 1
    callback_sent: bool = False
    plan: list[dict] = field(default_factory=list)


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


class Service:
    """The service's state and behaviour, independent of HTTP (for the handler below)."""

    def __init__(
        self, *, seed: int = 1, faults: Faults | None = None, journal: Path | None = None, secret: str = ""
    ):
        self.seed = seed
        self.faults = faults or Faults()
        self.journal = journal
        self.secret = secret
        self.lock = threading.Lock()
        self.requests: dict[str, Stored] = {}
        self.deductions: dict[str, int] = {}  # request id → times applied (must stay 1)
        self.stats = {"http": 0, "accepted": 0, "duplicates": 0, "errors_injected": 0, "rate_limited": 0,
                      "timeouts_injected": 0, "callbacks": 0, "polls": 0}  # fmt: skip
        self._window = (0.0, 0)
        self._rng = random.Random(seed)
        if journal is not None and journal.exists():
            for line in journal.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    self._accept(row["payload"], row["accepted_at"], replay=True, plan=row.get("plan"))

    # -- behaviour -----------------------------------------------------------------------

    def _plan(self, payload: dict, accepted_at: float) -> list[dict]:
        """Deterministic answers per category: a function of the request id and the seed."""
        rid = payload["request_id"]
        rng = random.Random(f"{self.seed}:{rid}")
        f = self.faults
        kind = payload.get("kind", "inquiry")
        categories = payload.get("categories") or []
        out = []
        for category in categories:
            delay = rng.uniform(f.result_delay_min, max(f.result_delay_min, f.result_delay_max))
            answered_on = date.fromtimestamp(accepted_at + delay).isoformat()
            institution = rng.choice(INSTITUTIONS.get(category, ["协助执行单位"]))
            base = {
                "category": category,
                "ready_at": accepted_at + delay,
                "answered_on": answered_on,
                "institution": institution,
            }
            if rng.random() < f.refuse_rate:
                out.append(
                    {
                        **base,
                        "status": "refused",
                        "assets": [],
                        "amount": None,
                        "message": f"{institution}未能在期限内反馈",
                    }
                )
                continue
            if kind == "inquiry":
                if rng.random() < f.found_rate:
                    n = rng.randint(1, 2)
                    assets = [
                        {"asset": f"{category}-{rid[:8]}-{i + 1}", "category": category, "institution": institution,
                         "value": _money(Decimal(rng.randint(100, 5_000_000)) / 100)}
                        for i in range(n)
                    ]  # fmt: skip
                    out.append({**base, "status": "found", "assets": assets, "amount": None, "message": ""})
                else:
                    out.append(
                        {**base, "status": "none", "assets": [], "amount": None, "message": "未查询到财产"}
                    )
            else:
                requested = Decimal(payload["amount"]) if payload.get("amount") else None
                amount = requested
                if kind in ("deduct", "freeze") and requested is not None:
                    # A balance below the requested amount: the institution acts on what there is.
                    balance = Decimal(rng.randint(1, 2_000_000)) / 100
                    amount = min(requested, balance) if rng.random() < 0.3 else requested
                out.append({**base, "status": "done", "assets": [{"asset": payload.get("asset", ""), "category": category,
                            "institution": institution}], "amount": _money(amount) if amount is not None else None,
                            "message": "已办理", "expires_on": payload.get("expires_on")})  # fmt: skip
        return out

    def _accept(
        self, payload: dict, accepted_at: float, *, replay: bool = False, plan: list | None = None
    ) -> str:
        rid = payload["request_id"]
        known = self.requests.get(rid)
        if known is not None:
            known.sends += 1
            self.stats["duplicates"] += 1
            return "duplicate"
        stored = Stored(payload=payload, accepted_at=accepted_at)
        # The answers are decided on acceptance and journalled with it: a restart (even with
        # other fault settings) answers exactly as before.
        stored.plan = plan if plan is not None else self._plan(payload, accepted_at)
        self.requests[rid] = stored
        if payload.get("kind") == "deduct":
            self.deductions[rid] = self.deductions.get(rid, 0) + 1
        if not replay:
            self.stats["accepted"] += 1
            if self.journal is not None:
                with self.journal.open("a", encoding="utf-8") as fh:
                    fh.write(
                        json.dumps(
                            {"payload": payload, "accepted_at": accepted_at, "plan": stored.plan},
                            ensure_ascii=False,
                        )
                        + "\n"
                    )
        return "accepted"

    def submit(self, requests: list[dict]) -> list[dict]:
        items = []
        now = time.time()
        with self.lock:
            for payload in requests:
                rid = payload.get("request_id") if isinstance(payload, dict) else None
                if not rid or not isinstance(payload.get("categories"), list) or not payload["categories"]:
                    items.append(
                        {"request_id": rid, "status": "rejected", "error": "缺少 request_id 或 categories"}
                    )
                    continue
                party = payload.get("party") or {}
                if party.get("role") != "被执行人":
                    items.append(
                        {"request_id": rid, "status": "rejected", "error": "只能查询被执行人（QRY-2）"}
                    )
                    continue
                items.append({"request_id": rid, "status": self._accept(payload, now)})
        return items

    def item(self, rid: str, now: float) -> dict:
        stored = self.requests.get(rid)
        if stored is None:
            return {"request_id": rid, "state": "unknown", "results": []}
        ready = [{k: v for k, v in r.items() if k != "ready_at"} for r in stored.plan if r["ready_at"] <= now]
        state = "complete" if len(ready) == len(stored.plan) else "processing"
        return {"request_id": rid, "state": state, "results": ready}

    def poll(self, ids: list[str]) -> list[dict]:
        now = time.time()
        with self.lock:
            self.stats["polls"] += 1
            items = [self.item(rid, now) for rid in ids]
        if self.faults.duplicate_rate:
            items += [i for i in items if i["results"] and self._rng.random() < self.faults.duplicate_rate]
        return items

    def due_callbacks(self) -> list[tuple[str, dict, int]]:
        now = time.time()
        out = []
        with self.lock:
            for rid, stored in self.requests.items():
                url = stored.payload.get("callback_url")
                if not url or stored.callback_sent:
                    continue
                item = self.item(rid, now)
                if item["state"] == "complete":
                    stored.callback_sent = True
                    times = 2 if self._rng.random() < self.faults.duplicate_rate else 1
                    out.append((url, item, times))
        return out

    def sign(self, body: bytes) -> str:
        return hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()

    def callback_loop(self, stop: threading.Event, interval: float = 0.2) -> None:
        while not stop.wait(interval):
            for url, item, times in self.due_callbacks():
                body = json.dumps({"items": [item]}, ensure_ascii=False).encode()
                # A court's address has its code in it (…/callback/豫0823): percent-encode it.
                url = urllib.parse.quote(url, safe=":/?&=%#@")
                for _ in range(times):
                    try:
                        req = urllib.request.Request(url, data=body, method="POST", headers={
                            "Content-Type": "application/json", "X-Signature": self.sign(body)})  # fmt: skip
                        urllib.request.urlopen(req, timeout=5).read()
                        self.stats["callbacks"] += 1
                    except (OSError, ValueError):
                        pass  # the court's side polls as well: a lost callback loses nothing

    def rate_limited(self) -> bool:
        limit = self.faults.rate_limit
        if not limit:
            return False
        with self.lock:
            second = int(time.time())
            start, count = self._window
            if start != second:
                self._window = (second, 1)
                return False
            self._window = (start, count + 1)
            return count + 1 > limit


class Handler(BaseHTTPRequestHandler):
    service: Service
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def _send(self, status: int, body: Any, headers: dict | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        return json.loads(raw or b"{}")

    def do_GET(self):
        s = self.service
        if self.path == "/healthz":
            return self._send(200, {"ok": True, "requests": len(s.requests)})
        if self.path == "/admin/stats":
            with s.lock:
                twice = sorted(rid for rid, n in s.deductions.items() if n > 1)
                return self._send(200, {**s.stats, "requests": len(s.requests), "deductions": len(s.deductions),
                                        "deductions_applied_twice": twice, "faults": asdict(s.faults)})  # fmt: skip
        self._send(404, {"error": "not found"})

    def do_POST(self):
        s = self.service
        try:
            body = self._body()
        except ValueError:
            return self._send(400, {"error": "请求体不是 JSON"})
        if self.path == "/admin/faults":
            with s.lock:
                for k, v in body.items():
                    if hasattr(s.faults, k):
                        setattr(s.faults, k, type(getattr(s.faults, k))(v))
            return self._send(200, asdict(s.faults))
        if self.path == "/admin/reset":
            with s.lock:
                s.requests.clear()
                s.deductions.clear()
            return self._send(200, {"ok": True})
        if self.path not in ("/v1/requests", "/v1/results"):
            return self._send(404, {"error": "not found"})
        s.stats["http"] += 1
        f = s.faults
        rng = s._rng
        if f.latency_max:
            time.sleep(rng.uniform(f.latency_min, f.latency_max))
        if s.rate_limited():
            s.stats["rate_limited"] += 1
            return self._send(429, {"error": "请求过于频繁"}, {"Retry-After": "1"})
        roll = rng.random()
        if roll < f.error_rate:
            s.stats["errors_injected"] += 1
            return self._send(rng.choice((500, 502, 503)), {"error": "服务暂不可用"})
        if roll < f.error_rate + f.timeout_rate:
            s.stats["timeouts_injected"] += 1
            time.sleep(f.timeout_seconds)
        if self.path == "/v1/requests":
            items = s.submit(body.get("requests") or [])
        else:
            items = s.poll([str(i) for i in body.get("ids") or []])
        if rng.random() < f.late_error_rate:
            s.stats["errors_injected"] += 1
            return self._send(500, {"error": "处理中断"})
        self._send(200, {"items": items})


def serve(host: str = "127.0.0.1", port: int = 0, *, seed: int = 1, faults: Faults | None = None,
          journal: Path | None = None, secret: str = "") -> tuple[ThreadingHTTPServer, Service, threading.Event]:  # fmt: skip
    """Start the server (not yet serving: call ``serve_forever``); port 0 picks a free one."""
    service = Service(seed=seed, faults=faults, journal=journal, secret=secret)
    handler = type("BoundHandler", (Handler,), {"service": service})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    stop = threading.Event()
    threading.Thread(target=service.callback_loop, args=(stop,), daemon=True).start()
    return server, service, stop
