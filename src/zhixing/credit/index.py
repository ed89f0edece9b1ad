"""The in-memory screening index of active list entries (issue 8 §4).

Screening must not touch the database per query. Every active ``ListEntry`` with an
identifier is held in parallel sorted arrays (the ``array`` module: numpy is not
installed in this environment, and a binary search over ``array('q')`` with ``bisect``
runs in C):

- ``keys``/``tags``: the identifier packed into integers (:func:`pack`): a 公民身份号码
  is ``int(first 17 digits) * 11 + check value`` (< 1.1e18, tag 0); a 统一社会信用代码's
  first 17 base-31 characters split into the last 12 (the key, < 31^12 < 2^60) and the
  first 5 (tag − 1, < 31^5). Both are lossless; the check character is recomputed.
- ``ids``: the entry's primary key; ``meta``: kind and role; ``since``: the day it began
  (a proleptic ordinal); ``courts``: the court's id; the case number in one UTF-8 blob
  with offsets.

About 50–60 bytes an entry: 10 million entries take well under 1 GB.

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
from datetime import date

from zhixing.lib.identifiers import (
    CREDIT_CHARSET,
    credit_code_check_char,
    credit_code_error,
    id_number_error,
)

log = logging.getLogger(__name__)

# -- packing identifiers into integers ---------------------------------------------------------

PERSON_TAG = 0
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


def person_key(value: str, today: str) -> int | None:
    """The key of a valid 公民身份号码, None when it is not one (``today`` = ``YYYYMMDD``).

    The same test as ``lib.identifiers.id_number_error`` (17 ASCII digits, a GB 11643
    check character, a real birth date not after today), written for speed: ``int(body,
    13)`` is the weighted sum of GB 11643 in one C call, because 13 ≡ 2 (mod 11) and the
    weights are powers of 2 mod 11. tests/credit/test_index.py checks the equivalence."""
    if len(value) != 18 or not value.isascii():
        return None
    body = value[:17]
    if not body.isdigit():
        return None
    expected = _ID_CHECK[(2 * int(body, 13)) % 11]
    if value[17] != expected:
        return None
    mmdd = value[10:14]
    if mmdd not in _MMDD or value[6:10] == "0000":
        return None
    if mmdd == "0229" and not _is_leap(int(value[6:10])):
        return None
    if value[6:14] > today:
        return None
    return int(body) * 11 + (10 if expected == "X" else ord(expected) - 48)


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
        _today = (now, date.today().strftime("%Y%m%d"))
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
        body, check = divmod(key, 11)
        return f"{body:017d}" + ("X" if check == 10 else str(check))
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
        meta: bytearray,
        since: array,
        courts: array,
        case_offsets: array,
        case_blob: bytearray,
        court_names: dict[int, tuple[str, str]],
        seq: int,
        build_seconds: float = 0.0,
    ):
        self.keys, self.tags, self.ids, self.meta = keys, tags, ids, meta
        self.since, self.courts = since, courts
        self.case_offsets, self.case_blob = case_offsets, case_blob
        self.court_names = court_names
        self.seq = seq
        self.overlay = Overlay()
        self.build_seconds = build_seconds
        self.built_at = time.time()

    def __len__(self) -> int:
        return len(self.keys)

    def memory_bytes(self) -> int:
        """Bytes held by the arrays (the overlay and court names are negligible)."""
        arrays = (self.keys, self.tags, self.ids, self.since, self.courts, self.case_offsets)
        return sum(a.itemsize * len(a) for a in arrays) + len(self.meta) + len(self.case_blob)

    def _row(self, i: int) -> Hit:
        m = self.meta[i]
        start, end = self.case_offsets[i], self.case_offsets[i + 1]
        return Hit(
            entry=self.ids[i],
            kind=KINDS[m & 3],
            role=ROLES[m >> 2],
            since=date.fromordinal(self.since[i]),
            court_id=self.courts[i],
            case_number=self.case_blob[start:end].decode(),
        )

    def lookup(self, key: int, tag: int) -> list[Hit]:
        """Active entries of one packed identifier."""
        keys = self.keys
        lo = bisect_left(keys, key)
        overlay = self.overlay
        found: list[Hit] = []
        if lo < len(keys) and keys[lo] == key:
            hi = bisect_right(keys, key, lo)
            tags, ids, stale = self.tags, self.ids, overlay.stale
            found = [self._row(i) for i in range(lo, hi) if tags[i] == tag and ids[i] not in stale]
        extra = overlay.added.get((key, tag))
        if extra:
            found.extend(extra)
        return found

    def contains_candidates(self, keys: Sequence[int]) -> list[int]:
        """Positions in ``keys`` whose key occurs in the index at all (any tag): the cheap
        first pass of a batch, before exact lookups of the few candidates."""
        arr = self.keys
        n = len(arr)
        added = {k for k, _ in self.overlay.added}
        out = []
        for pos, k in enumerate(keys):
            i = bisect_left(arr, k)
            if (i < n and arr[i] == k) or k in added:
                out.append(pos)
        return out

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


def _ordinal_sql(vendor: str, column: str) -> str:
    """A date column as its proleptic ordinal (``date.toordinal``), computed by the
    database: converting ten million dates in Python would dominate the build."""
    if vendor == "postgresql":
        return f"({column} - DATE '0001-01-01' + 1)"
    return f"CAST(julianday({column}) - 1721424.5 AS INTEGER)"


def build(*, connection=None, fetch: int = FETCH) -> ScreeningIndex:
    """Read every active entry with an identifier, in key order (the database sorts, off
    its ``(active, key, key_tag)`` index), into a new :class:`ScreeningIndex`."""
    from django.db import connection as default_connection

    from zhixing.courts.models import Court
    from zhixing.credit.models import ListEntry

    connection = connection or default_connection
    started = time.perf_counter()
    seq = ListEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    table = ListEntry._meta.db_table
    qn = connection.ops.quote_name
    meta_sql = (
        f"(CASE {qn('kind')} WHEN 'dishonest' THEN 1 ELSE 2 END) + 4 * (CASE {qn('role')} "
        + " ".join(f"WHEN '{r}' THEN {c}" for r, c in ROLE_CODES.items())
        + " ELSE 0 END)"
    )
    sql = (
        f"SELECT {qn('key')}, {qn('key_tag')}, {qn('id')}, {meta_sql}, {_ordinal_sql(connection.vendor, qn('listed_on'))}, "
        f"{qn('court_id')}, {qn('case_number')} FROM {qn(table)} "
        f"WHERE {qn('active')} = %s AND {qn('key')} IS NOT NULL ORDER BY {qn('key')}, {qn('key_tag')}"
    )
    keys, tags, ids, since, courts = array("q"), array("i"), array("q"), array("i"), array("I")
    meta = bytearray()
    offsets = array("I", [0])
    blob = bytearray()
    with connection.cursor() as cursor:
        cursor.execute(sql, [True])
        while True:
            rows = cursor.fetchmany(fetch)
            if not rows:
                break
            k, t, i, m, s, c, n = zip(*rows, strict=True)
            keys.extend(k)
            tags.extend(t)
            ids.extend(i)
            meta.extend(m)
            since.extend(s)
            courts.extend(c)
            encoded = [x.encode() for x in n]
            base = len(blob)
            blob += b"".join(encoded)
            total = base
            for e in encoded:
                total += len(e)
                offsets.append(total)
    names = {pk: (code, name) for pk, code, name in Court.objects.values_list("pk", "code", "name")}
    index = ScreeningIndex(
        keys=keys,
        tags=tags,
        ids=ids,
        meta=meta,
        since=since,
        courts=courts,
        case_offsets=offsets,
        case_blob=blob,
        court_names=names,
        seq=seq,
        build_seconds=time.perf_counter() - started,
    )
    return index


def changes_since(seq: int, *, limit: int = 20_000) -> list[tuple]:
    """Entries changed after ``seq``, as :meth:`ScreeningIndex.apply` takes them."""
    from zhixing.credit.models import ListEntry

    rows = (
        ListEntry.objects.filter(seq__gt=seq)
        .order_by("seq")
        .values_list(
            "seq", "pk", "active", "key", "key_tag", "kind", "role", "listed_on", "court_id", "case_number"
        )[:limit]
    )
    return [
        (s, pk, a, k, t, kind, role, on.toordinal(), c, n) for s, pk, a, k, t, kind, role, on, c, n in rows
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
    if background:
        holder.start_poller()
        from zhixing.credit import screening

        screening.audit.start_flusher()
    return index
