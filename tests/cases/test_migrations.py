"""Migrations that change stored rows keep every row: run on data written under the
schema before them (the historical models), on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
BEFORE, AFTER = ("cases", "0003_import_indexes"), ("cases", "0004_party_court")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_0004_gives_every_party_its_cases_court():
    """Parties of cases in two courts, written before the column existed, each get their
    case's court; none is left without one (the column is NOT NULL after)."""
    apps = _migrate(BEFORE)
    try:
        Court, Case, Party = (
            apps.get_model(*m) for m in [("courts", "Court"), ("cases", "Case"), ("cases", "Party")]
        )
        wuzhi = Court.objects.create(
            code="豫0823", name="武陟县人民法院", level=3, path="最高法/豫/豫08/豫0823/"
        )
        wenxian = Court.objects.create(
            code="豫0825", name="温县人民法院", level=3, path="最高法/豫/豫08/豫0825/"
        )
        for i, court in enumerate([wuzhi, wenxian, wuzhi]):
            case = Case.objects.create(
                case_number=f"（2023）{court.code}执{i + 1}号", court=court, case_type="首次执行",
                filed_on=date(2023, 3, 1), claim_amount=Decimal("100.00"), recovered_amount=Decimal("0.00"),
            )  # fmt: skip
            for j, name in enumerate(["张某", "李某"]):
                Party.objects.create(
                    case=case, local_id=f"p{j + 1}", role="申请执行人", kind="自然人", name=name
                )
        apps = _migrate(AFTER)
        Party = apps.get_model("cases", "Party")
        got = sorted(Party.objects.values_list("case__case_number", "name", "court__code"))
        assert got == [
            ("（2023）豫0823执1号", "张某", "豫0823"),
            ("（2023）豫0823执1号", "李某", "豫0823"),
            ("（2023）豫0823执3号", "张某", "豫0823"),
            ("（2023）豫0823执3号", "李某", "豫0823"),
            ("（2023）豫0825执2号", "张某", "豫0825"),
            ("（2023）豫0825执2号", "李某", "豫0825"),
        ]
    finally:
        _migrate(("cases", MigrationExecutor(connection).loader.graph.leaf_nodes("cases")[0][1]))


def _wuzhi_case_with_a_company(apps):
    """武陟 and one case of it whose party is the company AB农社, through the historical models."""
    Court, Case, Party = (
        apps.get_model(*m) for m in [("courts", "Court"), ("cases", "Case"), ("cases", "Party")]
    )
    wuzhi = Court.objects.create(code="豫0823", name="武陟县人民法院", level=3, path="最高法/豫/豫08/豫0823/")
    case = Case.objects.create(
        case_number="（2023）豫0823执7号", court=wuzhi, case_type="首次执行", filed_on=date(2023, 3, 1),
        claim_amount=Decimal("100.00"), recovered_amount=Decimal("0.00"),
    )  # fmt: skip
    Party.objects.create(case=case, court=wuzhi, local_id="p1", role="申请执行人", kind="法人", name="AB农社")
    return wuzhi, case


@pytest.mark.django_db(transaction=True)
def test_0005_indexes_the_names_and_case_numbers_written_before_it():
    """Cases and parties written before the n-gram tables existed are in them after, each
    piece with its row's court; a party written after is indexed by the trigger."""
    apps = _migrate(("cases", "0004_party_court"))
    try:
        wuzhi, _ = _wuzhi_case_with_a_company(apps)
        _migrate(("cases", "0005_grams"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT gram, court_id, pos FROM cases_name_gram ORDER BY pos")
            assert cursor.fetchall() == [("ab", wuzhi.pk, 1), ("b农", wuzhi.pk, 2), ("农社", wuzhi.pk, 3)]
            cursor.execute("SELECT gram FROM cases_number_gram ORDER BY gram")
            numbers = [g for (g,) in cursor.fetchall()]
        assert numbers == sorted(
            {"（2023）豫0823执7号"[i : i + 3] for i in range(len("（2023）豫0823执7号") - 2)}
        )
        assert len(numbers) == 12
    finally:
        _migrate(("cases", MigrationExecutor(connection).loader.graph.leaf_nodes("cases")[0][1]))


def _single_column_indexes(table: str) -> dict[str, list[str]]:
    """column → names of the non-unique indexes on that column alone."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    out: dict[str, list[str]] = {}
    for name, c in found.items():
        if c["index"] and not c["unique"] and not c["primary_key"] and len(c["columns"]) == 1:
            out.setdefault(c["columns"][0], []).append(name)
    return out


def _assert_djangos_indexes() -> None:
    """The single-column indexes as Django made them before 0006: one on a case's court and a
    party's case, and a plain index beside each LIKE one on PostgreSQL."""
    twins = 2 if connection.vendor == "postgresql" else 1
    party, case = _single_column_indexes("cases_party"), _single_column_indexes("cases_case")
    assert [len(party[c]) for c in ("case_id", "name", "id_number", "credit_code")] == [
        1,
        twins,
        twins,
        twins,
    ]
    assert [len(case[c]) for c in ("court_id", "original_case_number")] == [1, twins]


@pytest.mark.django_db(transaction=True)
def test_0006_leaves_one_index_a_looked_up_column_and_keeps_the_gram_triggers():
    """0006 drops the indexes another index already leads with (a case's court, a party's
    case) and the PostgreSQL twins, leaves one index on each column looked up, and — done
    by hand, not by a table rebuild — keeps the n-gram triggers of both tables working;
    reversed, Django's indexes are back."""
    try:
        _migrate(("cases", "0005_grams"))
        _assert_djangos_indexes()
        apps = _migrate(("cases", "0006_fewer_indexes"))
        party, case = _single_column_indexes("cases_party"), _single_column_indexes("cases_case")
        assert "case_id" not in party and "court_id" not in case
        assert {c: party[c] for c in ("name", "id_number", "credit_code")} == {
            "name": ["cases_party_name"],
            "id_number": ["cases_party_id_number"],
            "credit_code": ["cases_party_credit_code"],
        }
        assert case["original_case_number"] == ["cases_case_original"]

        wuzhi, written = _wuzhi_case_with_a_company(apps)
        with connection.cursor() as cursor:
            cursor.execute("SELECT gram, court_id, pos FROM cases_name_gram ORDER BY pos")
            assert cursor.fetchall() == [("ab", wuzhi.pk, 1), ("b农", wuzhi.pk, 2), ("农社", wuzhi.pk, 3)]
            cursor.execute(
                "SELECT gram, pos FROM cases_number_gram WHERE case_id = %s ORDER BY pos", [written.pk]
            )
            assert cursor.fetchall() == [("（2023）豫0823执7号"[i : i + 3], i + 1) for i in range(12)]
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT proname, proisstrict FROM pg_proc WHERE proname LIKE 'cases_%%_gram_of' ORDER BY 1"
                )
                assert cursor.fetchall() == [("cases_name_gram_of", False), ("cases_number_gram_of", False)]
        apps.get_model("cases", "Party").objects.filter(case=written).update(name="农社C")
        with connection.cursor() as cursor:
            cursor.execute("SELECT gram, pos FROM cases_name_gram ORDER BY pos")
            assert cursor.fetchall() == [("农社", 1), ("社c", 2)]

        _migrate(("cases", "0005_grams"))
        _assert_djangos_indexes()
    finally:
        _migrate(("cases", MigrationExecutor(connection).loader.graph.leaf_nodes("cases")[0][1]))


def _name_grams() -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT gram, pos FROM cases_name_gram ORDER BY pos")
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_0008_cuts_the_names_written_before_it_in_three_and_back():
    """A name indexed in twos before 0008 is indexed in threes after (the last gram its last two
    characters: as many rows), a two-character piece is the range of grams starting with it, the
    triggers cut a renamed party in threes; reversed, the names are in twos again."""
    try:
        apps = _migrate(("cases", "0007_event_case_check"))
        _, case = _wuzhi_case_with_a_company(apps)
        assert _name_grams() == [("ab", 1), ("b农", 2), ("农社", 3)]
        apps = _migrate(("cases", "0008_name_trigrams"))
        assert _name_grams() == [("ab农", 1), ("b农社", 2), ("农社", 3)]
        NameGram = apps.get_model("cases", "NameGram")
        assert sorted(
            NameGram.objects.filter(gram__gte="农社", gram__lte="农社\U0010ffff").values_list("pos")
        ) == [(3,)]
        apps.get_model("cases", "Party").objects.filter(case_id=case.pk).update(name="农社C")
        assert _name_grams() == [("农社c", 1), ("社c", 2)]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT character_maximum_length, collation_name FROM information_schema.columns "
                    "WHERE table_name = 'cases_name_gram' AND column_name = 'gram'"
                )
                assert cursor.fetchall() == [(3, "C")]
        _migrate(("cases", "0007_event_case_check"))
        assert _name_grams() == [("农社", 1), ("社c", 2)]
    finally:
        _migrate(("cases", MigrationExecutor(connection).loader.graph.leaf_nodes("cases")[0][1]))


def _event_keys() -> tuple[list[str], bool]:
    """The event log's foreign keys (the columns they are on) and whether the unique index on
    ``supersedes_id`` is partial."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "cases_nodeevent")
    keys = sorted(c["columns"][0] for c in found.values() if c["foreign_key"])
    partial = [name for name, c in found.items() if c["unique"] and c["columns"] == ["supersedes_id"]] == [
        "cases_event_supersedes_once"
    ]
    return keys, partial


@pytest.mark.django_db(transaction=True)
def test_0009_keeps_a_correction_and_checks_the_event_keys_by_statement_on_postgresql():
    """A correction written before 0009 is kept; after it the unique index on ``supersedes`` is
    partial, and on PostgreSQL the two optional keys are checked by triggers (no foreign key);
    reversed, the one-to-one field and both foreign keys are back."""
    try:
        apps = _migrate(("cases", "0008_name_trigrams"))
        _, case = _wuzhi_case_with_a_company(apps)
        NodeEvent = apps.get_model("cases", "NodeEvent")
        first = NodeEvent.objects.create(case=case, node="filing", on=date(2023, 3, 1))
        NodeEvent.objects.create(
            case=case, node="filing", on=date(2023, 3, 2), supersedes=first, reason="日期录错"
        )
        before = (["case_id", "recorded_by_id", "supersedes_id"], False)
        if connection.vendor == "postgresql":
            before = (["recorded_by_id", "supersedes_id"], False)  # the case's key went in 0007
        assert _event_keys() == before
        apps = _migrate(("cases", "0009_event_keys"))
        after = (
            ([], True)
            if connection.vendor == "postgresql"
            else (["case_id", "recorded_by_id", "supersedes_id"], True)
        )
        assert _event_keys() == after
        NodeEvent = apps.get_model("cases", "NodeEvent")
        assert NodeEvent.objects.filter(supersedes__on=date(2023, 3, 1)).values_list(
            "on", flat=True
        ).get() == date(2023, 3, 2)
        _migrate(("cases", "0008_name_trigrams"))
        assert _event_keys() == before
    finally:
        _migrate(("cases", MigrationExecutor(connection).loader.graph.leaf_nodes("cases")[0][1]))


def _number_gram_collation() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns"
            " WHERE table_name = 'cases_number_gram' AND column_name = 'gram'"
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only: SQLite compares text as bytes")
@pytest.mark.django_db(transaction=True)
def test_0010_compares_a_case_numbers_grams_as_bytes_and_keeps_them():
    """PostgreSQL: after 0010 the case-number grams are in collation "C" (as the names' are),
    every gram written before is kept and still found by equality; reversed, the database's
    collation again. SQLite: nothing to change (text compares as bytes)."""
    try:
        apps = _migrate(("cases", "0009_event_keys"))
        wuzhi, case = _wuzhi_case_with_a_company(apps)
        assert _number_gram_collation() is None
        _migrate(("cases", "0010_number_gram_collation"))
        assert _number_gram_collation() == "C"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT case_id, pos FROM cases_number_gram WHERE gram = %s AND court_id = %s",
                ["执7号", wuzhi.pk],
            )
            assert cursor.fetchall() == [(case.pk, 12)]  # （2023）豫0823执: 11 characters before it
            cursor.execute("SELECT count(*) FROM cases_number_gram")
            assert cursor.fetchone() == (12,)
        _migrate(("cases", "0009_event_keys"))
        assert _number_gram_collation() is None
    finally:
        _migrate(("cases", MigrationExecutor(connection).loader.graph.leaf_nodes("cases")[0][1]))
