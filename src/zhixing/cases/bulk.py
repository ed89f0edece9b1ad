"""Fast multi-row inserts for imports and fact refreshes.

Django's ``bulk_create`` spends most of an import building model instances and compiling
per-value SQL (measured: ~90% of import time). Here rows are plain tuples in a model's
column order, written with one ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) per
table — the same transaction and the same database constraints, a fraction of the work.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import orjson
from django.db import connection, models


def columns(model: type[models.Model], names: Sequence[str]) -> list[str]:
    """Database column names of ``model``'s fields (``court`` → ``court_id``)."""
    return [model._meta.get_field(n).column for n in names]


def _iso(value):
    return None if value is None else value.isoformat()


#: date → ISO text, shared by every table of a process: an import's dates repeat heavily (a few
#: thousand distinct days for a million rows), and a repeated text is also one object in a pickle.
#: Keyed by plain dates only: two equal aware datetimes can differ in their offset, so in text.
_DAYS: dict[date, str] = {}
_DAYS_MAX = 200_000  # ~550 years of days: bounded whatever a process is fed


def _day_text(value: date) -> str:
    text = _DAYS.get(value)
    if text is None:
        if len(_DAYS) >= _DAYS_MAX:
            _DAYS.clear()
        text = _DAYS[value] = value.isoformat()
    return text


def _iso_memo():
    """``_iso`` for one column of a ``Table``, with memory: a plain date through ``_DAYS``,
    and the last datetime by identity (an import stamps every row of a chunk with one ``now``
    object, so it is encoded once per chunk instead of once per row)."""
    last: list = [None, None]

    def iso(value):
        if value is None:
            return None
        if type(value) is date:
            return _day_text(value)
        if value is last[0]:
            return last[1]
        text = value.isoformat()
        last[0], last[1] = value, text
        return text

    return iso


def _json(value):
    if value is None:
        return None
    if type(value) is dict and not value:
        return "{}"  # most events carry no field of their own
    return orjson.dumps(value).decode()


def _text(value):
    return None if value is None else str(value)


def _converter(field: models.Field, vendor: str):
    """How one column's Python values are handed to the driver (chosen once per column,
    not per value: the hot loop of an import)."""
    if isinstance(field, models.JSONField):
        return _json
    if vendor == "postgresql":
        return None
    if isinstance(field, models.DateField):  # DateTimeField is a DateField subclass
        return _iso
    if isinstance(field, models.DecimalField):
        return _text
    return None


def _fillers(model: type[models.Model], names: Sequence[str]) -> tuple[list[str], list[Any], bool]:
    """The model's other concrete fields and the value each gets, as Django would give it
    (its default, now for auto_now fields, else NULL), so a column added to a model by a
    later migration does not break the fast path. The flag: some value is the time now."""
    given = set(names)
    extra_names, extra_values = [], []
    stamped = False
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in given or f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            from django.utils import timezone

            value = timezone.now()
            stamped = True
        elif f.has_default():
            value = f.get_default()
        elif f.null:
            value = None
        else:
            raise ValueError(f"{model.__name__}.{f.name} has no default: name it in the insert")
        extra_names.append(f.name)
        extra_values.append(value)
    return extra_names, extra_values, stamped


def insert(model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples ordered like ``names``) into ``model``'s table. Dict and
    list values are JSON; the caller is inside a transaction."""
    if rows:
        shape = table(model, names)
        shape.write([shape.rows(rows)])


def table(model: type[models.Model], names: Sequence[str], vendor: str | None = None) -> Table:
    """The ``Table`` of ``model`` for ``names``, made once a process and kept: a Table compiles
    its row function (``_compile``), and an import asks for its shapes every chunk and batch.
    Not kept when it stamps a column with the time it was made (an auto_now field not named):
    that one is made each call, so no row gets an old time."""
    vendor = vendor or connection.vendor
    key = (model, tuple(names), vendor)
    found = _TABLES.get(key)
    if found is None:
        found = Table(model, names, vendor)
        if not found.stamped:
            _TABLES[key] = found
    return found


_TABLES: dict[tuple, Table] = {}


def one_of(column: str, values: Sequence[int] | Sequence[str]) -> tuple[str, list]:
    """SQL that ``column`` (quoted by the caller) is one of ``values``, and its parameters.

    PostgreSQL: one array parameter, written as a literal. psycopg cut the SQL of an ``IN``
    list at each of its placeholders on every call (``_split_query``: 1,339 calls, ~1.7 ms
    each, in the writer of a 100,000-case import) and PostgreSQL parsed each value; a list
    parameter is dumped item by item in Python. SQLite binds its parameters in C: ``IN``."""
    if not values:
        return "1 = 0", []
    if connection.vendor == "postgresql":
        if isinstance(values[0], str):
            return f"{column} = ANY(%s::text[])", [text_array(values)]
        return f"{column} = ANY(%s::bigint[])", [int_array(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def int_array(values: Iterable[int]) -> str:
    """A PostgreSQL array literal of integer ``values``."""
    return "{" + ",".join(str(int(v)) for v in values) + "}"


def text_array(values: Sequence[str]) -> str:
    """A PostgreSQL array literal of ``values``: each element in double quotes, with its
    backslashes and double quotes escaped."""
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


# -- prepared rows: converted where they are made (a worker process), written by one writer ---------


def _copy_text(value: str) -> str:
    """A value in PostgreSQL's COPY text format (backslash, tab, newline, CR escaped)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        return _copy_text(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if isinstance(value, date):  # date and datetime
        return value.isoformat()
    return _copy_text(str(value))  # Decimal, choices (str subclasses) …


def _copy_json(value) -> str:
    return "\\N" if value is None else _copy_text(orjson.dumps(value).decode())


# Per-column COPY encoders, chosen once per column: the generic one tests a value's type
# against each kind in turn, and encoding was a third of a worker's time on event rows.
def _copy_int(value) -> str:
    return "\\N" if value is None else str(value) if type(value) is int else _copy_value(value)


def _copy_bool(value) -> str:
    return "\\N" if value is None else ("t" if value else "f") if type(value) is bool else _copy_value(value)


def _copy_day(value) -> str:
    return "\\N" if value is None else value.isoformat() if isinstance(value, date) else _copy_value(value)


def _copy_day_memo():
    """``_copy_day`` with the memory of ``_iso_memo`` (ISO text needs no COPY escaping)."""
    iso = _iso_memo()

    def day(value) -> str:
        return "\\N" if value is None else iso(value) if isinstance(value, date) else _copy_value(value)

    return day


def _copy_encoder(field: models.Field):
    target = field.target_field if field.is_relation else field
    if isinstance(field, models.JSONField):
        return _copy_json
    if isinstance(target, models.BooleanField):
        return _copy_bool
    if isinstance(target, models.IntegerField):  # the auto fields and every integer kind
        return _copy_int
    if isinstance(target, models.DateField):  # DateTimeField too
        return _copy_day_memo()
    return _copy_value


def _compile(converters: Sequence[Any], width: int, shape: str, filled: Any):
    """One function that turns a row (a sequence of ``width`` values, ordered like the
    table's names) into what the driver takes: a tuple with ``filled`` (the fillers,
    already converted) appended, or a line of COPY text ending with ``filled``. Written out
    as source for the table's columns, as ``collections.namedtuple`` does, because a loop
    over the columns of every row was a fifth of the time a worker spends on a case.
    ``converters[i]``: the function for column i, or None for a value taken as it is."""
    names = {f"c{i}": c for i, c in enumerate(converters) if c is not None}
    values = [f"c{i}(r[{i}])" if converters[i] is not None else f"r[{i}]" for i in range(width)]
    if shape == "copy":  # every column has an encoder: COPY text is all strings
        body = 'f"' + "\\t".join("{" + v + "}" for v in values) + '" + filled'
    else:
        body = "(" + "".join(v + ", " for v in values) + ") + filled"
    # The source is built above from our own column list.
    return eval(f"lambda r: {body}", {**names, "filled": filled})


class Table:
    """The insert shape of one model, fixed once: the named columns plus the model's other
    fields (``_fillers``), and per column how a value becomes what the driver takes.

    ``rows`` turns tuples (ordered like ``names``) into a *payload* that can cross a process
    boundary cheaply: COPY text for PostgreSQL, tuples of plain values for SQLite. ``write``
    sends the payloads of many cases at once; the caller is inside a transaction."""

    def __init__(self, model: type[models.Model], names: Sequence[str], vendor: str | None = None):
        self.model = model
        self.vendor = vendor or connection.vendor
        extra_names, extra_values, self.stamped = _fillers(model, names)
        self.names = [*names, *extra_names]
        self.extra = tuple(extra_values)
        fields = [model._meta.get_field(n) for n in self.names]
        self.columns = [f.column for f in fields]
        given = len(names)
        if self.vendor == "postgresql":
            encoders = [_copy_encoder(f) for f in fields[:given]]
            # The fillers are the same on every row: encoded once.
            filled = [_copy_encoder(f)(v) for f, v in zip(fields[given:], self.extra, strict=True)]
            self._row = _compile(encoders, given, "copy", "".join("\t" + v for v in filled) + "\n")
        else:
            converters = [_converter(f, self.vendor) for f in fields]
            converters = [_iso_memo() if c is _iso else c for c in converters]
            filled = tuple(c(v) if c else v for c, v in zip(converters[given:], self.extra, strict=True))
            self._row = _compile(converters[:given], given, "tuple", filled)

    def rows(self, rows: Sequence[Sequence[Any]]):
        if self.vendor == "postgresql":
            return "".join(map(self._row, rows))
        return list(map(self._row, rows))

    def write(self, payloads: Sequence[Any]) -> int:
        """Insert the payloads (each from ``rows``); returns how many payloads were non-empty."""
        payloads = [p for p in payloads if p]
        if not payloads:
            return 0
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        quoted = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    copy.write("".join(payloads))
            else:
                placeholders = ", ".join(["?"] * len(self.columns))
                rows = [row for payload in payloads for row in payload]
                # sqlite3's own executemany, past Django's wrapper: that one tees the rows to
                # peek at the first and rewrites the placeholders on every call (5 % of the
                # writer's time in an import). Errors are still Django's (IntegrityError …).
                with connection.wrap_database_errors:
                    sqlite3.Cursor.executemany(
                        cursor.cursor, f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", rows
                    )
        return len(payloads)
