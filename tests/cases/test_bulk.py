"""cases.bulk: the fast insert path of imports and fact refreshes.

The PostgreSQL payload is COPY text built by per-column encoders; it must be what the
generic encoder gives for every value a column can hold, and read back as written."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from zhixing.cases import bulk
from zhixing.cases.models import Case, NodeEvent
from zhixing.cases.services import CASE_COLUMNS, EVENT_COLUMNS, import_bundle

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

texts = st.text(alphabet=st.sampled_from("ab执\t\n\r\\ "), max_size=6)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)
event_rows = st.tuples(
    st.integers(1, 10**12),
    texts,
    st.dates(date(1990, 1, 1), date(2100, 12, 31)),
    st.dictionaries(texts, json_values, max_size=4),
    st.integers(0, 10**6),
    st.booleans(),
    texts,
    st.sampled_from(list(NodeEvent.Source)),
    st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
)


#: The strategy draws nested JSON: on a loaded machine a draw can take over a second, which is
#: no fault of the code under test.
ROWS = hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def generic(table: bulk.Table, row) -> str:
    """What the one type-testing encoder gives for the row and the table's fillers."""
    encode = [bulk._copy_json if f == "data" else bulk._copy_value for f in table.names]
    return "\t".join(e(v) for e, v in zip(encode, (*row, *table.extra), strict=True)) + "\n"


@ROWS
@given(st.lists(event_rows, max_size=5))
def test_the_column_encoders_give_what_the_generic_one_gives(rows):
    table = bulk.Table(NodeEvent, EVENT_COLUMNS, "postgresql")
    assert table.rows(rows) == "".join(generic(table, r) for r in rows)


def test_a_none_in_every_kind_of_column_is_null():
    fields = {f.name: f for f in Case._meta.concrete_fields}
    for name in ("id", "closed_on", "non_litigation", "extra", "claim_amount", "handler"):
        assert bulk._copy_encoder(fields[name])(None) == "\\N"
    assert bulk._copy_encoder(fields["claim_amount"])(Decimal("-0.00")) == "-0.00"
    assert bulk._copy_encoder(fields["non_litigation"])(True) == "t"


@pytest.mark.skipif(not ON_POSTGRES, reason="COPY is the PostgreSQL path")
@pytest.mark.django_db
def test_copy_payload_reads_back_as_written(bundle_case):
    import_bundle(io.StringIO(json.dumps(bundle_case(), ensure_ascii=False) + "\n"))
    case = Case.objects.get()
    at = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    row = (
        case.pk,
        "field_investigation",
        date(2024, 2, 29),
        {"note": "a\tb\\c\n执"},
        99,
        False,
        "",
        "import",
        at,
    )
    table = bulk.Table(NodeEvent, EVENT_COLUMNS)
    table.write([table.rows([row])])
    e = NodeEvent.objects.get(position=99)
    assert (e.node, e.on, e.data, e.withdrawn, e.source, e.recorded_at) == (
        "field_investigation", date(2024, 2, 29), {"note": "a\tb\\c\n执"}, False, "import", at,
    )  # fmt: skip
    assert (e.supersedes_id, e.recorded_by_id, e.reason) == (None, None, "")


# -- remembered encodings: what the plain encoders give ------------------------------------------------


def test_a_remembered_day_or_timestamp_is_what_isoformat_gives():
    from datetime import timedelta, timezone

    iso, day = bulk._iso_memo(), bulk._copy_day_memo()
    at = datetime(2024, 5, 6, 7, 8, 9, 123, tzinfo=UTC)
    same_instant = at.astimezone(timezone(timedelta(hours=8)))  # equal to ``at``, other text
    values = [date(2023, 1, 3), at, at, same_instant, at, date(2023, 1, 3), None, datetime(2024, 1, 1)]
    assert [iso(v) for v in values] == [bulk._iso(v) for v in values]
    assert [day(v) for v in values] == [bulk._copy_day(v) for v in values]
    assert iso(same_instant) == "2024-05-06T15:08:09.000123+08:00"


@ROWS
@given(st.lists(event_rows, max_size=5))
def test_sqlite_rows_are_the_plainly_converted_rows(rows):
    table = bulk.Table(NodeEvent, EVENT_COLUMNS, "sqlite")
    plain = [
        tuple(bulk._iso(v) if name in ("on", "recorded_at") else bulk._json(v) if name == "data" else v
              for name, v in zip(table.names, (*row, *table.extra), strict=True))
        for row in rows
    ]  # fmt: skip
    assert table.rows(rows) == plain


# -- one_of: "is one of these values", one array parameter on PostgreSQL -----------------------------

names = st.text(alphabet=st.sampled_from("执号（）() ,{}\"\\'a"), min_size=1, max_size=8)


@ROWS
@given(stored=st.lists(names, max_size=6, unique=True), asked=st.lists(names, max_size=6))
@pytest.mark.django_db
def test_one_of_finds_exactly_the_values_asked(stored, asked):
    """Whatever a text holds (quotes, backslashes, braces, commas, spaces — an array literal's
    own characters), the rows found are those whose value was asked for, on both databases."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE named (label TEXT, n INTEGER)")
        try:
            for i, text in enumerate(stored):
                cursor.execute("INSERT INTO named (label, n) VALUES (%s, %s)", [text, i])
            where, params = bulk.one_of("label", asked)
            cursor.execute(f"SELECT label FROM named WHERE {where}", params)
            assert sorted(label for (label,) in cursor.fetchall()) == sorted(set(stored) & set(asked))
            numbers = [stored.index(t) for t in asked if t in stored] + [-1]
            where, params = bulk.one_of("n", numbers)
            cursor.execute(f"SELECT label FROM named WHERE {where}", params)
            assert sorted(label for (label,) in cursor.fetchall()) == sorted(set(stored) & set(asked))
        finally:
            cursor.execute("DROP TABLE named")


def test_one_of_on_postgresql_is_one_parameter():
    from unittest import mock

    with mock.patch.object(bulk.connection, "vendor", "postgresql"):
        assert bulk.one_of("c", ["（2023）豫0823执7号", 'a"b\\']) == (
            "c = ANY(%s::text[])",
            ['{"（2023）豫0823执7号","a\\"b\\\\"}'],
        )
        assert bulk.one_of("c", [3, 1]) == ("c = ANY(%s::bigint[])", ["{3,1}"])
        assert bulk.one_of("c", []) == ("1 = 0", [])
    with mock.patch.object(bulk.connection, "vendor", "sqlite"):
        assert bulk.one_of("c", [3, 1]) == ("c IN (%s, %s)", [3, 1])


@pytest.mark.django_db
def test_insert_reuses_a_table_but_never_an_old_time(bundle_case):
    """``insert`` keeps a model's insert shape between calls, unless a column is stamped with the
    time the shape was made (an auto_now field it does not name): that one is made each call."""
    from zhixing.metrics.models import TagFact

    import_bundle(io.StringIO(json.dumps(bundle_case(), ensure_ascii=False) + "\n"))
    case = Case.objects.get()
    TagFact.objects.all().delete()
    shape = (TagFact, ("case", "tag", "since"), connection.vendor)
    bulk.insert(TagFact, shape[1], [(case.pk, "涉民生", date(2024, 1, 2))])
    kept = bulk._TABLES[shape]
    bulk.insert(TagFact, shape[1], [(case.pk, "涉党政机关", date(2024, 1, 3))])
    assert bulk._TABLES[shape] is kept
    assert sorted(TagFact.objects.values_list("tag", "since")) == [
        ("涉党政机关", date(2024, 1, 3)), ("涉民生", date(2024, 1, 2)),
    ]  # fmt: skip
    names = tuple(n for n in CASE_COLUMNS if n not in ("created_at", "updated_at"))
    assert bulk.Table(Case, names).stamped and not kept.stamped
    row = [getattr(case, Case._meta.get_field(n).attname) for n in names]
    row[0] = "（2024）豫0823执9号"
    bulk.insert(Case, names, [row])
    assert (Case, names, connection.vendor) not in bulk._TABLES  # the import's own Case shape may be
    assert Case.objects.get(case_number="（2024）豫0823执9号").created_at > case.created_at
