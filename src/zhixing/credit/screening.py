"""Screening for 协助单位: API keys, rate limits, the audit trail, lookups, the signed
snapshot. The API (``credit.api.screening_router``) and the lean
screening server (``zhixing screening_serve``) are thin layers over this module.

- Keys: ``zx_<prefix>_<secret>``; only the SHA-256 of the whole key is stored. Valid
  keys are cached in memory for ``KEY_TTL`` seconds (and dropped at once in the process
  that revokes one), so a revoked key is refused everywhere within seconds.
- Rate limits: a fixed-window counter in Django's cache, per key (per IP for the public
  search, ``credit.views``).
- Audit: one ``ScreeningAudit`` row per call, with the agency, key, time, what was asked
  and whether it hit. Written in the request by default; a serving process started with
  ``index.warm()`` buffers rows and writes them in bulk every half second instead, so the
  database sees a handful of inserts per second whatever the request rate.
- Snapshot: JSON Lines, the last line an HMAC-SHA256 over every byte before it, keyed
  per agency (:func:`agency_snapshot_key`); see :func:`verify_snapshot`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
import zlib
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import orjson
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from zhixing.credit import index as idx
from zhixing.credit.index import InvalidIdentifier, pack, unpack
from zhixing.lib.text import REFUSED, bad_text, printable

log = logging.getLogger(__name__)

KEY_TTL = 2.0
BATCH_LIMIT = 100_000
KEY_PREFIX = "zx_"

# -- keys ----------------------------------------------------------------------------------------


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh key and its prefix (the part shown in lists)."""
    prefix = secrets.token_hex(4)
    return f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(24)}", prefix


@dataclass(frozen=True, slots=True)
class Caller:
    """The agency and key behind a request (what ``request.auth`` holds)."""

    key_id: int
    agency_id: int
    agency_code: str
    agency_name: str
    scopes: frozenset[str]
    rate_per_minute: int


class KeyCache:
    def __init__(self):
        self._keys: dict[str, Caller] = {}
        self._loaded = 0.0
        self._lock = threading.Lock()

    def get(self, key: str | None) -> Caller | None:
        if not key or not key.startswith(KEY_PREFIX) or len(key) > 100:
            return None
        if time.monotonic() - self._loaded >= KEY_TTL:
            self._reload()
        return self._keys.get(digest(key))

    def _reload(self) -> None:
        from zhixing.credit.models import ApiKey

        with self._lock:
            rows = ApiKey.objects.filter(revoked_at__isnull=True, agency__active=True).values_list(
                "pk",
                "digest",
                "scopes",
                "agency_id",
                "agency__code",
                "agency__name",
                "agency__rate_per_minute",
            )
            self._keys = {
                d: Caller(pk, agency, code, name, frozenset(scopes), rate)
                for pk, d, scopes, agency, code, name, rate in rows
            }
            self._loaded = time.monotonic()

    def invalidate(self) -> None:
        self._loaded = 0.0


keys = KeyCache()

# -- rate limits ---------------------------------------------------------------------------------


def _add_to_cache(bucket: str, slot: int, n: int, window: int) -> int:
    """Add ``n`` calls to the window's counter in Django's cache; the new total."""
    key = f"zx-rate:{bucket}:{slot}"
    if cache.add(key, n, timeout=window + 1):
        return n
    try:
        return cache.incr(key, n)
    except ValueError:  # expired between add and incr
        cache.add(key, n, timeout=window + 1)
        return n


def allow(bucket: str, limit: int, window: int = 60) -> bool:
    """A fixed-window counter in Django's cache: at most ``limit`` calls per ``window``
    seconds for ``bucket``. (A burst across a window edge may reach twice the limit;
    that is enough to stop enumeration and runaway clients.)"""
    return _add_to_cache(bucket, int(time.time() // window), 1, window) <= limit


class KeyLimiter:
    """The same fixed-window counters for agency keys, at thousands of calls a second:
    calls are counted in the process and added to the cache counter every ``batch``
    calls or ``interval`` seconds, whichever comes first. Each process sees the others'
    calls at its next sync, so with a shared cache the limit is exceeded by at most
    ``batch`` calls per process; the first call of a window always syncs."""

    def __init__(self, batch: int = 50, interval: float = 0.2):
        self.batch, self.interval = batch, interval
        self._state: dict[str, list] = {}  # bucket → [slot, pending, total seen, last sync]
        self._lock = threading.Lock()

    def allow(self, bucket: str, limit: int, window: int = 60) -> bool:
        now = time.time()
        slot = int(now // window)
        with self._lock:
            state = self._state.get(bucket)
            if state is None or state[0] != slot:
                state = self._state[bucket] = [slot, 0, 0, 0.0]
            state[1] += 1
            if state[1] >= self.batch or now - state[3] >= self.interval:
                state[2] = _add_to_cache(bucket, slot, state[1], window)
                state[1], state[3] = 0, now
            return state[2] + state[1] <= limit

    def reset(self) -> None:
        with self._lock:
            self._state.clear()


key_limiter = KeyLimiter()


class Refused(Exception):
    """A call the caller's key may not make now: 403 (scope) or 429 (rate)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def admit(caller: Caller, scope: str) -> None:
    """The key has the scope and is within its rate; :class:`Refused` otherwise."""
    if scope not in caller.scopes:
        raise Refused(403, f"该接口密钥没有 {scope} 权限")
    if not key_limiter.allow(f"key:{caller.key_id}", caller.rate_per_minute):
        raise Refused(429, "请求过于频繁，请稍后再试")


# -- audit ---------------------------------------------------------------------------------------


def _json_param(connection, value):
    """``ops.adapt_json_value`` with orjson as the encoder: a batch's ``invalid`` list can
    hold 100,000 items, which the standard library encodes several times slower."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return Jsonb(value, dumps=lambda v: orjson.dumps(v).decode())
    return orjson.dumps(value).decode()


class AuditTrail:
    """Writes ``ScreeningAudit`` rows: at once, or buffered and flushed by a thread.

    A row is turned into the database's parameter tuple when it is recorded, in the
    request's thread, so that a flush is one ``executemany`` — a loop in C that lets go
    of the interpreter lock while SQLite or PostgreSQL works. (Flushing model instances
    through the ORM held that lock long enough to cost the serving threads more than the
    screening itself.)"""

    COLUMNS = ("agency_id", "api_key_id", "at", "endpoint", "status", "asked", "asked_count", "asked_packed",
               "invalid", "hit", "hits", "hit_identifiers", "remote_addr")  # fmt: skip

    def __init__(self):
        self._buffer: list[tuple] = []
        self._lock = threading.Lock()
        self._background = False
        self._empty_json = None

    def record(
        self,
        caller: Caller,
        endpoint: str,
        *,
        status: int = 200,
        asked: str = "",
        asked_count: int = 1,
        asked_packed: bytes | None = None,
        invalid: list | None = None,
        hits: Iterable[str] = (),
        remote_addr: str | None = None,
    ) -> None:
        from django.db import connection

        ops = connection.ops
        found = list(hits)
        if self._empty_json is None:
            self._empty_json = ops.adapt_json_value([], None)
        row = (
            caller.agency_id,
            caller.key_id,
            ops.adapt_datetimefield_value(timezone.now()),
            endpoint,
            status,
            asked[:64],
            asked_count,
            None if asked_packed is None else connection.Database.Binary(asked_packed),
            _json_param(connection, invalid) if invalid else self._empty_json,
            bool(found),
            len(found),
            ops.adapt_json_value(found, None) if found else self._empty_json,
            ops.adapt_ipaddressfield_value(remote_addr) if remote_addr else None,
        )
        if not self._background:
            self._write([row])
            return
        with self._lock:
            self._buffer.append(row)

    def _write(self, rows: list[tuple]) -> None:
        from django.db import connection

        from zhixing.credit.models import ScreeningAudit

        meta = ScreeningAudit._meta
        columns = ", ".join(
            connection.ops.quote_name(meta.get_field(c.removesuffix("_id")).column) for c in self.COLUMNS
        )
        marks = ", ".join(["%s"] * len(self.COLUMNS))
        sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({marks})"
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 1000):
                cursor.executemany(sql, rows[start : start + 1000])

    def flush(self) -> int:
        with self._lock:
            rows, self._buffer = self._buffer, []
        if rows:
            self._write(rows)
        return len(rows)

    def start_flusher(self, interval: float = 0.5) -> None:
        if self._background:
            return
        self._background = True

        def run():
            from django.db import connection

            while True:
                time.sleep(interval)
                try:
                    self.flush()
                except Exception:
                    log.exception("screening audit flush failed")
                    connection.close()

        threading.Thread(target=run, name="credit-audit-flush", daemon=True).start()
        import atexit

        atexit.register(self.flush)


audit = AuditTrail()


def pack_asked(keys: array, tags: array) -> bytes:
    """The identifiers of a batch, losslessly and compactly: keys then tags, zlib."""
    return zlib.compress(len(keys).to_bytes(4, "little") + keys.tobytes() + tags.tobytes(), 1)


def asked_identifiers(packed: bytes) -> list[str]:
    """The valid identifiers a batch asked, decoded from ``ScreeningAudit.asked_packed``."""
    raw = zlib.decompress(packed)
    n = int.from_bytes(raw[:4], "little")
    keys = array("q")
    keys.frombytes(raw[4 : 4 + 8 * n])
    tags = array("i")
    tags.frombytes(raw[4 + 8 * n :])
    return [unpack(k, t) for k, t in zip(keys, tags, strict=True)]


# -- lookups -------------------------------------------------------------------------------------


def hit_json(index: idx.ScreeningIndex, hit: idx.Hit) -> dict:
    code, name = index.court_names.get(hit.court_id, ("", ""))
    if not code:
        from zhixing.courts.models import Court

        court = Court.objects.filter(pk=hit.court_id).values_list("code", "name").first()
        code, name = court or ("", "")
        index.court_names[hit.court_id] = (code, name)
    return {
        "kind": hit.kind,
        "role": hit.role,
        "since": hit.since.isoformat(),
        "court": code,
        "court_name": name,
        "case_number": hit.case_number,
    }


def result_json(index: idx.ScreeningIndex, identifier: str, hits: list[idx.Hit]) -> dict:
    """The answer for one identifier: listed? restricted? since when, where (earliest first)."""
    if len(hits) > 1:
        hits = sorted(hits, key=lambda h: (h.since, h.kind, h.case_number))
    listed = [h.since for h in hits if h.kind == "dishonest"]
    restricted = [h.since for h in hits if h.kind == "restricted"]
    return {
        "id": identifier,
        "listed": bool(listed),
        "listed_since": min(listed).isoformat() if listed else None,
        "restricted": bool(restricted),
        "restricted_since": min(restricted).isoformat() if restricted else None,
        "entries": [hit_json(index, h) for h in hits],
    }


def screen_one(identifier: str) -> dict:
    """One person or unit; :class:`InvalidIdentifier` when the identifier is malformed."""
    value = idx.normalise(identifier)
    key, tag = pack(value)
    index = idx.current()
    return result_json(index, value, index.lookup(key, tag))


def dumps(payload) -> bytes:
    """Compact UTF-8 JSON (orjson: a batch's answer can hold 100,000 items)."""
    return orjson.dumps(payload)


def screen_call(caller: Caller, identifier, remote_addr: str | None) -> tuple[int, dict]:
    """Everything ``POST /api/screen`` does once the key is known: scope and rate
    (:class:`Refused`), the lookup, the audit row. Returns (200, the answer) or (422,
    ninja's error shape naming the malformed identifier). Shared by the ninja endpoint
    and the lean server's fast path (``credit.serving``), so both answer alike."""
    admit(caller, "screen")
    try:
        if bad_text(identifier):
            raise InvalidIdentifier(BAD_CHARACTERS)
        result = screen_one(identifier)
    except InvalidIdentifier as e:
        shown = printable(identifier)
        audit.record(caller, "screen", status=422, asked=shown, remote_addr=remote_addr)
        return 422, {"detail": [{"loc": ["body", "id"], "msg": f"{shown}：{e}", "type": "value_error"}]}
    audit.record(caller, "screen", asked=result["id"], hits=[result["id"]] if result["entries"] else (),
                 remote_addr=remote_addr)  # fmt: skip
    return 200, result


@dataclass
class BatchResult:
    count: int
    hits: list[dict]
    invalid: list[dict]
    asked_keys: array
    asked_tags: array

    def as_json(self) -> dict:
        return {
            "count": self.count,
            "screened": self.count - len(self.invalid),
            "hit_count": len(self.hits),
            "hits": self.hits,
            "invalid": self.invalid,
        }


#: The error of an item that is not a string, and of one with a refused character.
NOT_A_STRING = "证件号码应为字符串"
BAD_CHARACTERS = f"证件号码{REFUSED}"


def _shown(raw) -> str:
    return printable(raw) if isinstance(raw, str) else printable(json.dumps(raw, ensure_ascii=False))


def sort_out(
    identifiers: list, rest: list[int], keys, tags, ok, values: dict, today_s: str, today
) -> list[dict]:
    """The items ``person_keys_array`` did not take as they are: normalised (blanks,
    lower-case x) and screened when valid (``keys``, ``tags``, ``ok`` and ``values`` are
    filled in), otherwise reported in order with the reason ``identifier_error`` gives.

    A malformed item must cost no more than a valid one: the 18-character ASCII ones, which
    are nearly all of them, are judged as a byte matrix like the valid ones
    (``index.credit_codes_ok``, ``index.faults_array``); only the few others one by one.
    An item is shown as sent, but with NUL, control characters and lone surrogates written
    as ``\\uXXXX``: the answer and the audit row must stay encodable and storable."""
    raws = [identifiers[p] for p in rest]
    faults: dict[int, str] = {}
    if all(type(r) is str for r in raws) and not bad_text("".join(raws)):
        normal = [r.strip().upper() for r in raws]
    else:  # rare: look at each item
        normal = []
        for pos, raw in zip(rest, raws, strict=True):
            if type(raw) is not str:
                faults[pos] = NOT_A_STRING
            elif bad_text(raw):
                faults[pos] = BAD_CHARACTERS
            normal.append(raw.strip().upper() if pos not in faults else "")
    shaped_pos, shaped = [], []
    for pos, value in zip(rest, normal, strict=True):
        if pos in faults:
            continue
        if len(value) == 18 and value.isascii():
            shaped_pos.append(pos)
            shaped.append(value)
        else:
            faults[pos] = idx.identifier_error(value, today=today)
    if shaped:
        person_keys, person_ok = idx.person_keys_array(shaped, today_s)
        unit_ok = idx.credit_codes_ok(shaped) & ~person_ok
        for j in np.flatnonzero(person_ok).tolist():
            pos = shaped_pos[j]
            keys[pos], ok[pos], values[pos] = person_keys[j], True, shaped[j]
        for j in np.flatnonzero(unit_ok).tolist():
            pos = shaped_pos[j]
            (keys[pos], tags[pos]), ok[pos], values[pos] = idx.unit_key(shaped[j]), True, shaped[j]
        wrong = np.flatnonzero(~(person_ok | unit_ok)).tolist()
        if wrong:
            codes = idx.faults_array([shaped[j] for j in wrong], today_s).tolist()
            for j, code in zip(wrong, codes, strict=True):
                faults[shaped_pos[j]] = (
                    idx.FAULTS[code] if code >= 0 else idx.identifier_error(shaped[j], today=today)
                )
    plain = not any(e in (NOT_A_STRING, BAD_CHARACTERS) for e in faults.values())
    return [
        {"index": pos, "id": identifiers[pos] if plain else _shown(identifiers[pos]), "error": faults[pos]}
        for pos in sorted(faults)
    ]


def screen_batch(identifiers: list, *, today: date | None = None) -> BatchResult:
    """Many identifiers at once: only those found are returned (``hits``, in input
    order), malformed ones are reported with their position (``invalid``), the rest are
    screened.

    A million-ID batch must take seconds, so nothing loops over it in Python: person IDs
    are validated and packed as a byte matrix (``index.person_keys_array``), only the few
    others (credit codes, lower-case or padded input, malformed items) one by one; the
    binary searches are one ``numpy.searchsorted`` over the index's key array (viewed, not
    copied), with the asked keys sorted first so that consecutive searches walk the same
    cache lines of an array far larger than the CPU's caches. Only keys present in the
    array (or the overlay) are then looked up in full."""
    today_s = idx.today_string(today)
    index = idx.current()
    n = len(identifiers)
    keys, ok = idx.person_keys_array(identifiers, today_s)
    tags = np.zeros(n, dtype=np.int32)
    values: dict[int, str] = {}
    invalid: list[dict] = []
    rest = np.flatnonzero(~ok).tolist()
    if rest:
        invalid = sort_out(identifiers, rest, keys, tags, ok, values, today_s, today)
    valid = np.flatnonzero(ok) if invalid else np.arange(n)
    flat, flat_tags = keys[valid], tags[valid]
    asked_keys, asked_tags = array("q"), array("i")
    asked_keys.frombytes(flat.tobytes())
    asked_tags.frombytes(flat_tags.tobytes())
    # ``index.keys`` ends with a sentinel above every key: every search lands on an element.
    arr = np.frombuffer(index.keys, dtype=np.int64)
    order = np.argsort(flat, kind="stable")
    needles = flat[order]
    present = np.zeros(len(flat), dtype=bool)
    present[order] = arr[np.searchsorted(arr, needles)] == needles
    del arr  # let go of the array's buffer
    added = index.overlay.added
    if added:
        present |= np.isin(flat, np.array([k for k, _ in added], dtype=np.int64))
    hits = []
    for j in np.flatnonzero(present).tolist():
        pos = int(valid[j])
        found = index.lookup(int(flat[j]), int(flat_tags[j]))
        if found:
            hits.append(result_json(index, values.get(pos) or identifiers[pos], found))
    return BatchResult(n, hits, invalid, asked_keys, asked_tags)


# -- the change feed and the snapshot ------------------------------------------------------------

ENTRY_FIELDS = (
    "pk",
    "seq",
    "active",
    "kind",
    "role",
    "is_unit",
    "name",
    "identifier",
    "unit_name",
    "listed_on",
    "ended_on",
    "court__code",
    "court__name",
    "case_number",
)


def entry_json(row: dict) -> dict:
    """An entry as the feed and the snapshot carry it."""
    return {
        "entry": row["pk"],
        "seq": row["seq"],
        "op": "upsert" if row["active"] else "remove",
        "kind": row["kind"],
        "role": row["role"],
        "unit": row["is_unit"],
        "name": row["name"],
        "id": row["identifier"] or None,
        "unit_name": row["unit_name"] or None,
        "since": row["listed_on"].isoformat(),
        "ended_on": row["ended_on"].isoformat() if row["ended_on"] else None,
        "court": row["court__code"],
        "court_name": row["court__name"],
        "case_number": row["case_number"],
    }


def changes(since: int, limit: int) -> dict:
    """Entries changed after change number ``since``, in order; ``next`` is the number to
    ask from next time. Replaying them (upsert by ``entry``, remove when ``op`` is
    ``remove``) onto a snapshot taken at ``since`` gives the current list."""
    from zhixing.credit.models import ListEntry

    rows = list(ListEntry.objects.filter(seq__gt=since).order_by("seq").values(*ENTRY_FIELDS)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "since": since,
        "next": rows[-1]["seq"] if rows else since,
        "more": more,
        "changes": [entry_json(r) for r in rows],
    }


SNAPSHOT_FORMAT = "zhixing-credit-snapshot/1"


def snapshot_master_key() -> bytes:
    """``ZHIXING_SNAPSHOT_KEY`` from settings or the environment; without one, a key
    derived from ``SECRET_KEY`` (stable for the deployment, but set a separate one)."""
    import os

    value = getattr(settings, "ZHIXING_SNAPSHOT_KEY", None) or os.environ.get("ZHIXING_SNAPSHOT_KEY")
    if value:
        return value.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"zhixing-credit-snapshot", hashlib.sha256).digest()


def agency_snapshot_key(agency_code: str) -> str:
    """The key an agency verifies its snapshots with (hex), handed to it with its API
    key. Derived per agency, so one agency cannot forge snapshots for another."""
    return hmac.new(snapshot_master_key(), f"snapshot:{agency_code}".encode(), hashlib.sha256).hexdigest()


def snapshot_lines(agency_code: str, *, chunk: int = 10_000) -> Iterator[bytes]:
    """The signed snapshot as JSON Lines: a header (format, agency, time, ``seq`` — the
    change number it is complete up to; follow ``/api/list/changes?since=seq`` from there),
    one line per active entry, and a trailer ``{"count", "sha256", "signature"}`` whose
    signature is HMAC-SHA256, keyed with :func:`agency_snapshot_key`, over every byte
    before the trailer."""
    from zhixing.credit.models import ListEntry

    seq = ListEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    mac = hmac.new(bytes.fromhex(agency_snapshot_key(agency_code)), digestmod=hashlib.sha256)
    sha = hashlib.sha256()

    def emit(obj: dict) -> bytes:
        line = (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        mac.update(line)
        sha.update(line)
        return line

    yield emit(
        {
            "format": SNAPSHOT_FORMAT,
            "agency": agency_code,
            "generated_at": timezone.now().isoformat(),
            "seq": seq,
        }
    )
    count = 0
    last = 0
    qs = ListEntry.objects.filter(active=True, seq__lte=seq)
    while True:
        rows = list(qs.filter(pk__gt=last).order_by("pk").values(*ENTRY_FIELDS)[:chunk])
        if not rows:
            break
        for row in rows:
            count += 1
            yield emit(entry_json(row))
        last = rows[-1]["pk"]
    trailer = {
        "count": count,
        "sha256": sha.hexdigest(),
        "algorithm": "HMAC-SHA256",
        "signature": mac.hexdigest(),
    }
    yield (json.dumps(trailer, separators=(",", ":")) + "\n").encode()


def verify_snapshot(data: bytes, key_hex: str) -> bool:
    """How an agency checks a snapshot: split off the last line, recompute HMAC-SHA256
    over everything before it with its snapshot key, compare in constant time."""
    body, _, last = data.rstrip(b"\n").rpartition(b"\n")
    body += b"\n"
    trailer = json.loads(last)
    expected = hmac.new(bytes.fromhex(key_hex), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, trailer.get("signature", ""))
