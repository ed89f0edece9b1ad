"""The in-memory screening index of active list entries.

Screening must not touch the database per query. Every active ``ListEntry`` with an
identifier is held in parallel sorted arrays (the ``array`` module: a single lookup is a
``bisect`` over ``array('q')``, in C, with no per-call numpy overhead; a batch views the
same buffer as a numpy array and searches it with ``numpy.searchsorted``):

- ``keys``/``tags``: the identifier packed into integers (:func:`pack`): a 公民身份号码
  is ``int(first 17 digits)`` (< 10^17, tag 0); a 统一社会信用代码's
  first 17 base-31 characters split into the last 12 (the key, < 31^12 < 2^60) and the
  first 5 (tag − 1, < 31^5). Both are lossless; the check character is recomputed.
- ``ids``: the entry's primary key; ``payloads``: kind, role, court and first day in
  one integer (:func:`payload`, stored with the entry); the case number in one UTF-8
  blob with offsets.

About 60 bytes an entry: 10 million entries take about 600 MB. The build reads one
covering database index in key order (``credit_entry_screen``), so the database sorts.

Changes reach the index from the list's change sequence (``ListEntry.seq``): a poll
reads entries with ``seq`` above the index's high-water mark and applies them to a small
copy-on-write overlay (added entries by key, ids of superseded array rows); when the
overlay grows large the arrays are rebuilt from the database in the background and
swapped in. A poll runs at most every ``poll_seconds`` on the request path (or in a
background thread once :func:`warm` started one), and at once after a change committed
in this process (:func:`poke`), so a listing or deletion is visible within seconds
everywhere and at once in the process that made it.
"""

from __future__ import annotations

import logging
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

import numpy as np

from zhixing.lib import clock
from zhixing.lib.identifiers import (
    _CREDIT_WEIGHTS,
    _ORG_WEIGHTS,
    CREDIT_CHARSET,
    credit_code_check_char,
    credit_code_error,
    id_number_error,
)

log = logging.getLogger(__name__)

# -- packing identifiers into integers ---------------------------------------------------------

PERSON_TAG = 0
SENTINEL = 2**63 - 1  # above every key (persons < 10^17, units < 31^12)
_ID_CHECK = "10X98765432"  # GB 11643: check character by (weighted sum mod 11)
_B31 = {c: i for i, c in enumerate(CREDIT_CHARSET)}
#: Every MMDD of a leap year: a birth date's month and day are real iff listed here
#: (02-29 also needs a leap year).
_MMDD = frozenset(f"{m:02d}{d:02d}" for m in range(1, 13) for d in range(1, monthrange(2000, m)[1] + 1))


class InvalidIdentifier(ValueError):
    """A malformed 公民身份号码 or 统一社会信用代码; the message says what is wrong (Chinese)."""


def normalise(value: str) -> str:
    """Screening input is compared upper-case and without surrounding blanks."""
    return value.strip().upper() if isinstance(value, str) else value


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


#: By ``int(first 17, 13) % 11``: the check character.
_CHECK_CHAR = [_ID_CHECK[(2 * r) % 11] for r in range(11)]


def person_key(value: str, today: str) -> int | None:
    """The key of a valid 公民身份号码, None when it is not one (``today`` = ``YYYYMMDD``).

    The same test as ``lib.identifiers.id_number_error`` (17 ASCII digits, a GB 11643
    check character, a real birth date not after today), written for speed — a batch asks
    it a million times: ``int(body, 13)`` is the weighted sum of GB 11643 in one C call,
    because 13 ≡ 2 (mod 11) and the weights are powers of 2 mod 11; ``"0001" <= birth``
    refuses year 0 once the month and day are known real. tests/credit/test_index.py
    checks the equivalence with hypothesis."""
    if len(value) != 18 or not value.isascii():
        return None
    body = value[:17]
    if not body.isdigit():
        return None
    r = int(body, 13) % 11
    if value[17] != _CHECK_CHAR[r]:
        return None
    birth = value[6:14]
    if birth[4:] not in _MMDD or not "0001" <= birth <= today:
        return None
    if birth[4:] == "0229" and not _is_leap(int(birth[:4])):
        return None
    return int(body)  # the check character follows from the body: unpack recomputes it


# -- the same test for a whole batch, without a Python loop over it ---------------------------

_PLACEHOLDER = "11010519491231002" + _CHECK_CHAR[int("11010519491231002", 13) % 11]
_births: tuple[str, frozenset[str]] = ("", frozenset())


def _real_births(today: str) -> frozenset[str]:
    """Every real birth date from 1850-01-01 to ``today`` (at most 2100-12-31) as
    ``YYYYMMDD``, made once a day: one set lookup checks month, day, leap year and "not in
    the future"; other dates go through :func:`person_key`."""
    global _births
    if _births[0] != today:
        first = date(1850, 1, 1)
        last = min(date(int(today[:4]), int(today[4:6]), int(today[6:])), date(2100, 12, 31))
        days = (last - first).days + 1
        _births = (today, frozenset((first + timedelta(days=n)).strftime("%Y%m%d") for n in range(days)))
    return _births[1]


#: GB 11643 weights of the first 17 digits (2^(17-i) mod 11) and the check characters by
#: weighted sum mod 11, for :func:`person_keys_array`.
_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
_CHECK_BYTES = np.frombuffer(_ID_CHECK.encode(), dtype=np.uint8)
_POW10 = 10 ** np.arange(16, -1, -1, dtype=np.int64)
_births_array: tuple[str, np.ndarray] = ("", np.zeros(0, dtype=np.int64))


def _real_births_array(today: str) -> np.ndarray:
    """:func:`_real_births` as a sorted array of ``YYYYMMDD`` integers."""
    global _births_array
    if _births_array[0] != today:
        _births_array = (today, np.array(sorted(map(int, _real_births(today))), dtype=np.int64))
    return _births_array[1]


def person_keys_array(values: Sequence, today: str, *, chunk: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    """(keys, ok) for a batch, with numpy: ``ok[j]`` is true exactly when ``values[j]`` is,
    as given, a valid 公民身份号码 (:func:`person_key` is not None), and ``keys[j]`` is then
    its key. Everything else (credit codes, lower-case x, blanks, malformed input) has
    ``ok`` false and is for the caller to look at one by one.

    The values are joined into one ASCII string and viewed as an n×18 byte matrix: digits,
    the GB 11643 weighted sum and check character, the birth date (one search in the
    sorted real dates) and the key are column operations. Dates outside the table (before
    1850) are decided by :func:`person_key` itself. tests/credit/test_index.py checks the
    equivalence with hypothesis."""
    items = list(values)
    n = len(items)
    keys = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    births_known = _real_births_array(today)
    for start in range(0, n, chunk):
        part = items[start : start + chunk]
        shaped = [type(v) is str and len(v) == 18 and v.isascii() for v in part] if (
            set(map(type, part)) != {str} or set(map(len, part)) != {18} or not "".join(part).isascii()
        ) else None  # fmt: skip
        if shaped is not None:
            part = [v if good else _PLACEHOLDER for v, good in zip(part, shaped, strict=True)]
        m = np.frombuffer("".join(part).encode("ascii"), dtype=np.uint8).reshape(len(part), 18)
        digits = m[:, :17] - np.uint8(48)  # bytes below "0" wrap round above 9
        good = (digits <= 9).all(axis=1)
        d = digits.astype(np.int64)
        good &= _CHECK_BYTES[(d @ _WEIGHTS) % 11] == m[:, 17]
        birth = d[:, 6:14] @ _POW10[-8:]
        found = np.searchsorted(births_known, birth)
        real = births_known[np.minimum(found, len(births_known) - 1)] == birth
        k = d @ _POW10
        if shaped is not None:
            good &= np.array(shaped, dtype=bool)
        # Shaped and checked, but the date is not in the table: the exact test decides.
        for j in np.flatnonzero(good & ~real).tolist():
            key = person_key(part[j], today)
            real[j] = key is not None
        keys[start : start + len(part)] = k
        ok[start : start + len(part)] = good & real
    return keys, ok


# -- why a batch's malformed items are malformed, without a Python loop over them -------------

#: GB 32100 value of each byte (-1: not in the set), GB 11714 value of an organisation
#: code's body character (-1: not a digit or capital letter), and the check characters.
_CREDIT_LUT = np.full(256, -1, dtype=np.int64)
for _i, _c in enumerate(CREDIT_CHARSET):
    _CREDIT_LUT[ord(_c)] = _i
_ORG_LUT = np.full(256, -1, dtype=np.int64)
for _c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _ORG_LUT[ord(_c)] = int(_c, 36)
_CREDIT_CHECK_BYTES = np.frombuffer(
    "".join(CREDIT_CHARSET[(31 - t) % 31] for t in range(31)).encode(), dtype=np.uint8
)
_ORG_CHECK_BYTES = np.frombuffer("".join("X" if 11 - t == 10 else "0" if t == 0 else str(11 - t)
                                         for t in range(11)).encode(), dtype=np.uint8)  # fmt: skip
_CREDIT_W = np.array(_CREDIT_WEIGHTS, dtype=np.int64)
_ORG_W = np.array(_ORG_WEIGHTS, dtype=np.int64)

#: What ``identifier_error`` says, by the codes of :func:`faults_array` (-1: ask it).
FAULTS = (
    "公民身份号码校验位错误",
    "公民身份号码应为18位：17位数字加1位校验码（0–9或X）",
    "统一社会信用代码应为18位，由数字和除I、O、S、V、Z外的大写字母组成",
    "统一社会信用代码第9–17位不是有效的组织机构代码（GB 11714校验位错误）",
    "统一社会信用代码校验位错误",
)


def _matrix(values: Sequence[str]) -> np.ndarray:
    return np.frombuffer("".join(values).encode("ascii"), dtype=np.uint8).reshape(len(values), 18)


def credit_codes_ok(values: Sequence[str]) -> np.ndarray:
    """Which of these 18-character ASCII strings are valid 统一社会信用代码: the test of
    ``lib.identifiers.credit_code_error`` as column operations."""
    m = _matrix(values)
    v = _CREDIT_LUT[m]
    ok = (v >= 0).all(axis=1)
    org = _ORG_LUT[m[:, 8:16]]
    ok &= (org >= 0).all(axis=1)
    ok &= _ORG_CHECK_BYTES[(org @ _ORG_W) % 11] == m[:, 16]
    ok &= _CREDIT_CHECK_BYTES[(np.maximum(v[:, :17], 0) @ _CREDIT_W) % 31] == m[:, 17]
    return ok


def faults_array(values: Sequence[str], today: str) -> np.ndarray:
    """For 18-character ASCII strings that are neither a valid 公民身份号码 nor a valid
    统一社会信用代码: the index in :data:`FAULTS` of what ``identifier_error`` says about
    each, or -1 where only it can tell (a birth date outside the table of real dates)."""
    m = _matrix(values)
    codes = np.full(len(values), -1, dtype=np.int8)
    digits = ((m[:, :17] - np.uint8(48)) <= 9).all(axis=1)
    last = ((m[:, 17] - np.uint8(48)) <= 9) | (m[:, 17] == ord("X"))
    births = _real_births_array(today)
    birth = (m[:, 6:14].astype(np.int64) - 48) @ _POW10[-8:]
    found = births[np.minimum(np.searchsorted(births, birth), len(births) - 1)] == birth
    codes[digits & ~last] = 1
    codes[digits & last & found] = 0  # format and birth date right: only the check is wrong
    v = _CREDIT_LUT[m]
    in_set = (v >= 0).all(axis=1)
    org = _ORG_LUT[m[:, 8:16]]
    org_ok = (org >= 0).all(axis=1) & (_ORG_CHECK_BYTES[(np.maximum(org, 0) @ _ORG_W) % 11] == m[:, 16])
    codes[~digits & ~in_set] = 2
    codes[~digits & in_set & ~org_ok] = 3
    codes[~digits & in_set & org_ok] = 4
    return codes


def unit_key(value: str) -> tuple[int, int] | None:
    """(key, tag) of a valid 统一社会信用代码, None when it is not one."""
    if credit_code_error(value) is not None:
        return None
    hi = 0
    for c in value[:5]:
        hi = hi * 31 + _B31[c]
    lo = 0
    for c in value[5:17]:
        lo = lo * 31 + _B31[c]
    return lo, hi + 1


_today: tuple[float, str] = (0.0, "")


def today_string(today: date | None = None) -> str:
    """``YYYYMMDD`` of ``today`` (default: the current day, recomputed at most once a
    second — it is asked on every screening call)."""
    global _today
    if today is not None:
        return today.strftime("%Y%m%d")
    now = time.monotonic()
    if now - _today[0] >= 1.0:
        _today = (now, clock.today().strftime("%Y%m%d"))
    return _today[1]


def pack(value: str, *, today: date | None = None) -> tuple[int, int]:
    """(key, tag) of a 公民身份号码 or 统一社会信用代码; :class:`InvalidIdentifier` naming
    the fault otherwise. Input is normalised (blanks, lower-case x) first."""
    if not isinstance(value, str) or not (value := normalise(value)):
        raise InvalidIdentifier("证件号码不能为空")
    key = person_key(value, today_string(today))
    if key is not None:
        return key, PERSON_TAG
    packed = unit_key(value)
    if packed is not None:
        return packed
    raise InvalidIdentifier(identifier_error(value, today=today))


def identifier_error(value: str, *, today: date | None = None) -> str:
    """Why ``value`` is neither a valid 公民身份号码 nor a valid 统一社会信用代码."""
    if not isinstance(value, str) or len(value) != 18:
        return "证件号码应为18位公民身份号码或统一社会信用代码"
    if value[:17].isascii() and value[:17].isdigit():
        return id_number_error(value, today=today) or "公民身份号码无效"
    return credit_code_error(value) or "统一社会信用代码无效"


def unpack(key: int, tag: int) -> str:
    """The identifier a (key, tag) pair was packed from."""
    if tag == PERSON_TAG:
        body = f"{key:017d}"
        return body + _CHECK_CHAR[int(body, 13) % 11]
    chars = []
    hi, lo = tag - 1, key
    for _ in range(12):
        lo, r = divmod(lo, 31)
        chars.append(CREDIT_CHARSET[r])
    for _ in range(5):
        hi, r = divmod(hi, 31)
        chars.append(CREDIT_CHARSET[r])
    first17 = "".join(reversed(chars))
    return first17 + credit_code_check_char(first17)


# -- entries and the index ----------------------------------------------------------------------

KIND_CODES = {"dishonest": 1, "restricted": 2}
KINDS = {v: k for k, v in KIND_CODES.items()}
ROLE_CODES = {"debtor": 0, "legal_representative": 1, "principal": 2, "responsible": 3, "controller": 4}
ROLES = {v: k for k, v in ROLE_CODES.items()}


def payload(kind: str, role: str, court_id: int, since: date) -> int:
    """What screening answers besides the case number, as one integer (stored as
    ``ListEntry.screen_payload``): bits 0–1 the kind, 2–7 the role, 8–31 the court's id,
    32 and up the first day's ordinal."""
    return KIND_CODES[kind] | ROLE_CODES[role] << 2 | court_id << 8 | since.toordinal() << 32


def unpack_payload(value: int) -> tuple[str, str, int, date]:
    return KINDS[value & 3], ROLES[(value >> 2) & 63], (value >> 8) & 0xFFFFFF, date.fromordinal(value >> 32)


@dataclass(frozen=True, slots=True)
class Hit:
    """One active entry found for an identifier."""

    entry: int
    kind: str
    role: str
    since: date
    court_id: int
    case_number: str


@dataclass
class Overlay:
    """Changes applied since the arrays were built: current versions of changed entries
    by key, and the ids whose array rows are out of date. Replaced whole on each change
    (copy-on-write), so a reader holding one sees a consistent state without a lock."""

    added: dict[tuple[int, int], tuple[Hit, ...]] = field(default_factory=dict)
    stale: frozenset[int] = frozenset()
    where: dict[int, tuple[int, int]] = field(default_factory=dict)  # entry id → its key in ``added``

    @property
    def size(self) -> int:
        return len(self.stale) + len(self.where)


class ScreeningIndex:
    """Sorted parallel arrays of active entries plus an :class:`Overlay` (see the module
    docstring). ``seq`` is the change number everything up to which is applied."""

    def __init__(
        self,
        *,
        keys: array,
        tags: array,
        ids: array,
        payloads: array,
        case_offsets: array,
        case_blob: bytearray,
        court_names: dict[int, tuple[str, str]],
        seq: int,
        build_seconds: float = 0.0,
    ):
        # A sentinel above every real key ends ``keys``: ``keys[bisect_left(keys, k)]`` is
        # then always an element, so a batch needs no bounds check per identifier.
        if not keys or keys[-1] != SENTINEL:
            keys.append(SENTINEL)
        self.keys, self.tags, self.ids, self.payloads = keys, tags, ids, payloads
        self.case_offsets, self.case_blob = case_offsets, case_blob
        self.court_names = court_names
        self.seq = seq
        self.overlay = Overlay()
        self.build_seconds = build_seconds
        self.built_at = time.time()

    def __len__(self) -> int:
        return len(self.keys) - 1

    def memory_bytes(self) -> int:
        """Bytes held by the arrays (the overlay and court names are negligible)."""
        arrays = (self.keys, self.tags, self.ids, self.payloads, self.case_offsets)
        return sum(a.itemsize * len(a) for a in arrays) + len(self.case_blob)

    def _row(self, i: int) -> Hit:
        kind, role, court_id, since = unpack_payload(self.payloads[i])
        start, end = self.case_offsets[i], self.case_offsets[i + 1]
        return Hit(self.ids[i], kind, role, since, court_id, self.case_blob[start:end].decode())

    def lookup(self, key: int, tag: int) -> list[Hit]:
        """Active entries of one packed identifier."""
        keys = self.keys
        lo = bisect_left(keys, key)
        overlay = self.overlay
        found: list[Hit] = []
        if keys[lo] == key:
            hi = bisect_right(keys, key, lo)
            tags, ids, stale = self.tags, self.ids, overlay.stale
            found = [self._row(i) for i in range(lo, hi) if tags[i] == tag and ids[i] not in stale]
        extra = overlay.added.get((key, tag))
        if extra:
            found.extend(extra)
        return found

    # -- applying changes ----------------------------------------------------------------

    def apply(self, rows: Iterable[tuple]) -> int:
        """Apply changed entries ``(seq, id, active, key, tag, kind, role, since_ordinal,
        court_id, case_number)`` in seq order; returns how many were applied."""
        overlay = self.overlay
        added = dict(overlay.added)
        where = dict(overlay.where)
        stale = set(overlay.stale)
        n = 0
        for seq, entry, active, key, tag, kind, role, since, court_id, case_number in rows:
            n += 1
            stale.add(entry)  # the array row of this entry (if any) is out of date from now on
            old = where.pop(entry, None)
            if old is not None:
                rest = tuple(h for h in added[old] if h.entry != entry)
                if rest:
                    added[old] = rest
                else:
                    del added[old]
            if active and key is not None:
                hit = Hit(entry, kind, role, date.fromordinal(since), court_id, case_number)
                added[(key, tag)] = (*added.get((key, tag), ()), hit)
                where[entry] = (key, tag)
            self.seq = max(self.seq, seq)
        if n:
            self.overlay = Overlay(added=added, stale=frozenset(stale), where=where)
        return n


# -- building from the database -----------------------------------------------------------------

FETCH = 50_000


def build(*, connection=None, fetch: int = FETCH) -> ScreeningIndex:
    """Read every active entry with an identifier, in key order, into a new
    :class:`ScreeningIndex`. The query is answered from the ``credit_entry_screen`` index
    alone (it holds every column read), so the database streams it in order."""
    from django.db import connection as default_connection

    from zhixing.courts.models import Court
    from zhixing.credit.models import ListEntry

    connection = connection or default_connection
    started = time.perf_counter()
    seq = ListEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    qn = connection.ops.quote_name
    # SQLite hands the case number over as UTF-8 bytes as stored: no decoding to str and
    # encoding back for ten million rows.
    number = f"CAST({qn('case_number')} AS BLOB)" if connection.vendor == "sqlite" else qn("case_number")
    sql = (
        f"SELECT {qn('key')}, {qn('key_tag')}, {qn('id')}, {qn('screen_payload')}, {number} "
        f"FROM {qn(ListEntry._meta.db_table)} WHERE {qn('active')} = %s AND {qn('key')} IS NOT NULL "
        f"ORDER BY {qn('key')}, {qn('key_tag')}"
    )
    keys, tags, ids, payloads = array("q"), array("i"), array("q"), array("q")
    offsets = array("I", [0])
    blob = bytearray()
    with connection.cursor() as cursor:
        cursor.execute(sql, [True])
        while True:
            rows = cursor.fetchmany(fetch)
            if not rows:
                break
            k, t, i, p, n = zip(*rows, strict=True)
            keys.extend(k)
            tags.extend(t)
            ids.extend(i)
            payloads.extend(p)
            if n and isinstance(n[0], str):
                n = [x.encode() for x in n]
            offsets.pop()  # the last offset so far is where this chunk's first number starts
            offsets.extend(accumulate(map(len, n), initial=len(blob)))
            blob += b"".join(n)
    names = {pk: (code, name) for pk, code, name in Court.objects.values_list("pk", "code", "name")}
    index = ScreeningIndex(
        keys=keys, tags=tags, ids=ids, payloads=payloads, case_offsets=offsets, case_blob=blob,
        court_names=names, seq=seq, build_seconds=time.perf_counter() - started,
    )  # fmt: skip
    return index


_changes_sql: dict[str, str] = {}


def changes_since(seq: int, *, limit: int = 20_000) -> list[tuple]:
    """Entries changed after ``seq``, as :meth:`ScreeningIndex.apply` takes them. Plain
    SQL, prepared once: the poll runs twice a second beside the serving threads, and
    compiling an ORM query each time would hold the interpreter lock for longer."""
    from django.db import connection

    from zhixing.credit.models import ListEntry

    sql = _changes_sql.get(connection.vendor)
    if sql is None:
        qs = ListEntry.objects.filter(seq__gt=0).order_by("seq")
        fields = (
            "seq",
            "pk",
            "active",
            "key",
            "key_tag",
            "kind",
            "role",
            "listed_on",
            "court_id",
            "case_number",
        )
        sql = str(qs.values_list(*fields).query.sql_with_params()[0]) + " LIMIT %s"
        _changes_sql[connection.vendor] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [seq, limit])
        rows = cursor.fetchall()
    return [
        (s, pk, bool(a), k, t, kind, role, on.toordinal(), c, n)
        for s, pk, a, k, t, kind, role, on, c, n in rows
    ]


# -- the process's index ----------------------------------------------------------------------


class Holder:
    """The index of this process: built on first use (or by :func:`warm` at start),
    polled for changes, compacted by a background rebuild when its overlay grows."""

    def __init__(self):
        self.index: ScreeningIndex | None = None
        self.poll_seconds = 1.0
        self.compact_at = 200_000
        self._build_lock = threading.Lock()
        self._poll_lock = threading.Lock()
        self._last_poll = 0.0
        self._stale = False
        self._background = False
        self._compacting = False

    def get(self) -> ScreeningIndex:
        index = self.index
        if index is None:
            with self._build_lock:
                if self.index is None:
                    self.index = build()
                    self._last_poll = time.monotonic()
                index = self.index
        if not self._background and (self._stale or time.monotonic() - self._last_poll >= self.poll_seconds):
            self.poll()
        return index

    def poll(self) -> int:
        """Apply changes committed since the last poll; a poll already running in another
        thread is not waited for (its result is as good)."""
        index = self.index
        if index is None or not self._poll_lock.acquire(blocking=False):
            return 0
        try:
            self._stale = False
            self._last_poll = time.monotonic()
            applied = 0
            while True:
                rows = changes_since(index.seq)
                if not rows:
                    break
                applied += index.apply(rows)
            if index.overlay.size >= self.compact_at and not self._compacting:
                self._compact()
            return applied
        finally:
            self._poll_lock.release()

    def poke(self) -> None:
        """A change committed in this process: the next screening polls first."""
        self._stale = True

    def _compact(self) -> None:
        self._compacting = True

        def run():
            from django.db import connection

            try:
                fresh = build()
                while True:
                    rows = changes_since(fresh.seq)
                    if not rows:
                        break
                    fresh.apply(rows)
                self.index = fresh
            except Exception:  # keep serving the old index; the next poll tries again
                log.exception("screening index rebuild failed")
            finally:
                self._compacting = False
                connection.close()

        threading.Thread(target=run, name="credit-index-compact", daemon=True).start()

    def reset(self) -> None:
        """Forget the index (tests: each test's database starts empty)."""
        with self._build_lock:
            self.index = None
            self._stale = False

    def start_poller(self, interval: float = 0.5) -> None:
        """Poll from a daemon thread instead of the request path (a serving process)."""
        if self._background:
            return
        self._background = True

        def run():
            from django.db import connection

            while True:
                time.sleep(interval)
                try:
                    self.poll()
                except Exception:
                    log.exception("screening index poll failed")
                    connection.close()

        threading.Thread(target=run, name="credit-index-poll", daemon=True).start()


holder = Holder()


def current() -> ScreeningIndex:
    return holder.get()


def poke() -> None:
    holder.poke()


def warm(*, background: bool = True) -> ScreeningIndex:
    """Build the index now (call at server start: a 10-million-entry build takes tens of
    seconds) and, with ``background``, poll for changes and flush the audit trail from
    daemon threads rather than on the request path."""
    index = holder.get()
    _real_births(today_string())  # the batch check's table of dates, made before the first batch
    if background:
        holder.start_poller()
        from zhixing.credit import screening

        screening.audit.start_flusher()
    return index
