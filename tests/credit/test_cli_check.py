"""``zhixing check credit --as-of DATE [--court CODE] [--json]`` exactly as spec/cli.md
says: one row per listing with the documented keys, ``listing`` the bundle id or null,
``--court`` selecting that court and the courts below it, ``--as-of`` required (exit 2)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import connections

from zhixing import cli
from zhixing.cli import main

pytestmark = pytest.mark.django_db

SPEC_KEYS = {
    "case_number", "listing", "party", "party_name", "listed_on", "grounds", "term_years",
    "deletion_due_on", "deleted_on", "failed", "reasons",
}  # fmt: skip


@pytest.fixture(autouse=True)
def in_the_test_database(monkeypatch):
    """As in tests/test_cli.py: a command closes every connection when it ends, which would
    end the test transaction on PostgreSQL; and pytest-django has migrated already."""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    monkeypatch.setattr(cli, "ensure_migrated", lambda: None)


@pytest.fixture
def two_courts(courts, import_cases, kit):
    """武陟: a unit (p3) listed on G4 for 2 years on 2022-09-30 (id L7), never deleted;
    温县: 周某 listed on G1 on 2024-03-01 (no id), the case performed on 2024-09-30 and the
    listing deleted on 2024-10-11, a day after its due day over National Day."""
    wuzhi = kit.bundle(
        number="（2022）豫0823执5号",
        filed="2022-06-01",
        unit=True,
        events=[
            kit.ev("consumption_restriction", "2022-09-30", party="p3"),
            kit.ev("credit_listing", "2022-09-30", party="p3", id="L7", grounds=["G4"], term_years=2),
        ],
    )
    wenxian = kit.bundle(
        number="（2024）豫0825执9号",
        events=[
            kit.ev("consumption_restriction", "2024-02-01", party="p2"),
            kit.ev("credit_listing", "2024-03-01", party="p2", grounds=["G1"], term_years=None),
            kit.ev("credit_deletion", "2024-10-11", party="p2"),
        ],
        closing={"on": "2024-09-30", "mode": "执行完毕"},
    )
    report = import_cases(wuzhi, wenxian, today=date(2026, 1, 1))
    assert report.rejected == []


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_rows_exactly_as_the_contract(two_courts, capsys, kit):
    code, out, err = run(capsys, "check", "credit", "--as-of", "2025-12-31", "--json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert all(set(r) >= SPEC_KEYS for r in rows)
    by_case = {r["case_number"]: r for r in rows}
    assert set(by_case) == {"（2022）豫0823执5号", "（2024）豫0825执9号"}
    unit = by_case["（2022）豫0823执5号"]
    # Term ends 2024-09-30 (a Monday); 10-01…10-07 are the National Day holiday, 10-08 to
    # 10-10 the three working days.
    assert {k: unit[k] for k in SPEC_KEYS - {"reasons"}} == {
        "case_number": "（2022）豫0823执5号", "listing": "L7", "party": "p3", "party_name": "武陟县某建材有限公司",
        "listed_on": "2022-09-30", "grounds": ["G4"], "term_years": 2, "deletion_due_on": "2024-10-10",
        "deleted_on": None, "failed": ["C4"],
    }  # fmt: skip
    assert set(unit["reasons"]) == {"C4"} and "2024-10-10" in unit["reasons"]["C4"]
    person = by_case["（2024）豫0825执9号"]
    assert (person["listing"], person["term_years"], person["deletion_due_on"], person["deleted_on"]) == (
        None,
        None,
        "2024-10-10",
        "2024-10-11",
    )
    assert person["failed"] == ["C3"]


def test_as_of_hides_what_came_later(two_courts, capsys):
    _, out, _ = run(capsys, "check", "credit", "--as-of", "2024-10-09", "--json")
    rows = {r["case_number"]: r for r in json.loads(out)}
    # The day before the due day: pending, nothing failed.
    assert [(r["deletion_due_on"], r["failed"]) for r in rows.values()] == [("2024-10-10", [])] * 2
    # As-of is the end of the day: on the due day itself, not deleted by then is a failure,
    # and the deletion of the next day is not seen.
    code, out, err = run(capsys, "check", "credit", "--as-of", "2024-10-10", "--json")
    assert (code, err) == (0, "")
    rows = {r["case_number"]: r for r in json.loads(out)}
    assert (rows["（2024）豫0825执9号"]["deleted_on"], rows["（2024）豫0825执9号"]["failed"]) == (
        None,
        ["C3"],
    )
    assert rows["（2022）豫0823执5号"]["failed"] == ["C4"]
    _, out, _ = run(capsys, "check", "credit", "--as-of", "2022-09-29", "--json")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    "court, cases",
    [
        ("豫0823", ["（2022）豫0823执5号"]),
        ("豫0825", ["（2024）豫0825执9号"]),
        ("豫08", ["（2022）豫0823执5号", "（2024）豫0825执9号"]),
    ],
)
def test_court_selects_that_court_and_those_below(two_courts, capsys, court, cases):
    code, out, _ = run(capsys, "check", "credit", "--as-of", "2025-12-31", "--court", court, "--json")
    assert code == 0
    assert sorted(r["case_number"] for r in json.loads(out)) == cases


def test_human_output_is_a_table_and_usage_errors_exit_2(two_courts, capsys):
    code, out, _ = run(capsys, "check", "credit", "--as-of", "2025-12-31")
    assert code == 0
    assert "（2022）豫0823执5号" in out and "2024-10-10" in out and "C4" in out
    code, _, err = run(capsys, "check", "credit", "--json")
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "check", "credit", "--as-of", "2025-13-01")
    assert code == 2
