"""The ``zhixing`` command's machine interface (spec/cli.md): ``--json`` prints exactly one
JSON document on stdout, exit 0 / 1 (rejected input) / 2 (usage or environment error,
with a one-line message on stderr).

In-process runs call ``zhixing.cli.main`` on the test database, inside the test
transaction: Django's ``run_from_argv`` closes every database connection when a command
ends, which would end that transaction on PostgreSQL, so ``connections.close_all`` is
neutralised for these tests, and so is the migrate-on-first-use step. One test starts
the real command in a subprocess on a temporary SQLite file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections

from zhixing import cli
from zhixing.cli import main

pytestmark = pytest.mark.django_db

A = "（2023）豫0823执1234号"


@pytest.fixture(autouse=True)
def in_the_test_database(monkeypatch):
    """Keep the test transaction open, and skip the migrate-on-first-use step: pytest-django
    migrated the test database (the subprocess test covers that step)."""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    monkeypatch.setattr(cli, "ensure_migrated", lambda: None)


@pytest.fixture
def example_file(tmp_path, example_lines) -> Path:
    path = tmp_path / "example.jsonl"
    path.write_text("\n".join(example_lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def imported(example_file, capsys):
    assert main(["import", str(example_file), "--json"]) == 0
    capsys.readouterr()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_json_document(out: str):
    """stdout holds exactly one JSON document (and nothing else but its newline)."""
    document, end = json.JSONDecoder().raw_decode(out)
    assert out[end:].strip() == ""
    return document


def one_line(err: str) -> str:
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    return lines[0]


# -- import -----------------------------------------------------------------------------------------


def test_import_json_prints_one_document_and_exits_0(example_file, capsys):
    code, out, _ = run(capsys, "import", str(example_file), "--json")
    assert code == 0
    assert one_json_document(out) == {"imported": 5, "unchanged": 0, "rejected": []}
    code, out, _ = run(capsys, "import", str(example_file), "--json")
    assert (code, one_json_document(out)) == (0, {"imported": 0, "unchanged": 5, "rejected": []})


def test_import_with_a_rejected_line_exits_1(tmp_path, example_lines, capsys):
    broken = json.loads(example_lines[0])
    broken["case_number"] = "（2023）豫0823执9999号"
    broken["parties"][0]["id_number"] = "410823198503122037"  # wrong check digit
    path = tmp_path / "bad.jsonl"
    path.write_text(example_lines[1] + "\n" + json.dumps(broken, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(path), "--json")
    assert code == 1
    assert one_json_document(out) == {
        "imported": 1,
        "unchanged": 0,
        "rejected": [
            {
                "line": 2,
                "case_number": "（2023）豫0823执9999号",
                "field": "parties[0].id_number",
                "error": "公民身份号码校验位错误",
            }
        ],
    }
    assert one_line(err) == "zhixing import: 1 行被拒绝"


def test_import_for_people_prints_a_summary(tmp_path, example_lines, capsys):
    path = tmp_path / "mixed.jsonl"
    path.write_text(example_lines[2] + "\n\n{oops\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(path))
    assert (code, one_line(err)) == (1, "zhixing import: 1 行被拒绝")
    assert out.splitlines()[0] == "导入 1 件，未变化 0 件，拒绝 1 行"
    assert out.splitlines()[1].startswith("  第 3 行  $：不是有效的 JSON")


def test_import_of_a_missing_file_exits_2(tmp_path, capsys):
    code, out, err = run(capsys, "import", str(tmp_path / "nope.jsonl"), "--json")
    assert (code, out) == (2, "")
    assert one_line(err).startswith("zhixing import: 无法打开")


def test_import_with_a_bad_courts_file_exits_2(example_file, tmp_path, capsys):
    courts = tmp_path / "courts.jsonl"
    courts.write_text('{"code": "豫082", "name": "x"}\n', encoding="utf-8")
    code, out, err = run(capsys, "import", str(example_file), "--courts", str(courts), "--json")
    assert (code, out) == (2, "")
    assert one_line(err) == "zhixing import: 法院文件第 1 行：code '豫082' 不是有效的法院代字（CASENO-3）"


def test_import_with_a_courts_file(example_file, tmp_path, capsys):
    courts = tmp_path / "courts.jsonl"
    courts.write_text('{"code": "豫0823", "name": "武陟县人民法院"}\n', encoding="utf-8")
    assert run(capsys, "import", str(example_file), "--courts", str(courts), "--json")[0] == 0
    _, out, _ = run(
        capsys, "indicators", "--from", "2023-01-01", "--to", "2023-12-31", "--court", "豫0823", "--json"
    )
    assert [(c["court"], c["name"]) for c in one_json_document(out)["courts"]] == [
        ("豫0823", "武陟县人民法院")
    ]


def test_a_line_that_is_not_utf8_is_one_rejected_line(tmp_path, example_lines, capsys):
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(
        (example_lines[1] + "\n").encode()
        + '{"case_number": "（2023）豫0823执7号"}\n'.encode("gbk")
        + (example_lines[2] + "\n").encode()
    )
    code, out, _ = run(capsys, "import", str(path), "--json")
    report = one_json_document(out)
    assert (code, report["imported"], [(r["line"], r["field"]) for r in report["rejected"]]) == (
        1,
        2,
        [(2, "$")],
    )


# -- JSON output of the reading commands ------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["deadlines", "--as-of", "2023-12-31", "--json"],
        ["check", "termination", "--json"],
        ["check", "credit", "--as-of", "2025-12-31", "--json"],
        ["check", "funds", "--as-of", "2023-12-31", "--json"],
        ["check", "petitions", "--as-of", "2023-12-31", "--json"],
        ["indicators", "--from", "2023-01-01", "--to", "2023-12-31", "--json"],
        ["ledger", "--as-of", "2023-12-31", "--court", "豫0823", "--json"],
    ],
)
def test_json_output_is_exactly_one_document(imported, capsys, argv):
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    one_json_document(out)


def test_cli_figures_of_the_example(imported, capsys):
    """A few of the contract's worked examples (tools/contract-check), through the CLI."""
    _, out, _ = run(capsys, "deadlines", "--as-of", "2023-12-31", "--json")
    by_case = {r["case_number"]: r for r in one_json_document(out)}
    assert by_case[A]["statutory_deadline"] == "2023-09-04"
    _, out, _ = run(capsys, "check", "termination", "--json")
    rows = one_json_document(out)
    assert [(r["case_number"], r["verdict"], r["failed"], r["pending"]) for r in rows] == [
        (A, "合格", [], [])
    ]
    _, out, _ = run(capsys, "ledger", "--as-of", "2023-12-31", "--court", "豫0823", "--json")
    assert one_json_document(out) == {
        "as_of": "2023-12-31",
        "rows": [
            {"court": "豫0823", "status": "未结", "age": "≤6个月", "tag": None, "cases": 1},
            {"court": "豫0823", "status": "未结", "age": "1-3年", "tag": "涉民生", "cases": 1},
        ],
    }


def test_indicators_as_of_defaults_to_the_window_end(imported, capsys):
    _, out, _ = run(capsys, "indicators", "--from", "2023-01-01", "--to", "2023-06-30", "--json")
    report = one_json_document(out)
    assert (report["from"], report["to"], report["as_of"]) == ("2023-01-01", "2023-06-30", "2023-06-30")


def test_export_to_stdout_and_to_a_file(imported, capsys, tmp_path):
    code, out, err = run(capsys, "export", "--court", "豫08")
    assert (code, err) == (0, "")
    assert [json.loads(line)["case_number"] for line in out.splitlines()] == [
        A,
        "（2023）豫0823执1301号",
        "（2023）豫0823执2101号",
        "（2022）豫0823执1876号",
        "（2023）豫0823执恢15号",
    ]
    target = tmp_path / "out.jsonl"
    assert run(capsys, "export", "--output", str(target)) == (0, "", "")
    assert target.read_text(encoding="utf-8") == out


# -- usage errors: exit 2 with one line on stderr -----------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["indicators", "--from", "2023-13-01", "--to", "2023-12-31", "--json"],
            "CommandError: --from 应为 YYYY-MM-DD 格式的有效日期，实际为 '2023-13-01'",
        ),
        (
            ["indicators", "--from", "2023-01-01", "--to", "2023/12/31", "--json"],
            "CommandError: --to 应为 YYYY-MM-DD 格式的有效日期，实际为 '2023/12/31'",
        ),
        (
            ["deadlines", "--as-of", "2023-02-29", "--json"],
            "CommandError: --as-of 应为 YYYY-MM-DD 格式的有效日期，实际为 '2023-02-29'",
        ),
        (
            ["ledger", "--as-of", "20231231", "--json"],
            "CommandError: --as-of 应为 YYYY-MM-DD 格式的有效日期，实际为 '20231231'",
        ),
        (
            ["indicators", "--from", "2023-12-31", "--to", "2023-01-01", "--json"],
            "CommandError: 窗口结束日 2023-01-01 早于开始日 2023-12-31",
        ),
        (
            ["indicators", "--from", "2023-01-01", "--to", "2023-12-31", "--as-of", "2023-12-30", "--json"],
            "CommandError: as-of 2023-12-30 早于窗口结束日 2023-12-31（indicators.md §4: as-of ≥ to）",
        ),
        (
            ["ledger", "--as-of", "2023-12-31", "--court", "豫9999", "--json"],
            "CommandError: --court '豫9999'：数据库中没有这个法院",
        ),
        (
            ["deadlines", "--as-of", "2023-12-31", "--court", "豫0825", "--json"],
            "CommandError: --court '豫0825'：数据库中没有这个法院",
        ),
        (["check", "funds", "--json"], "CommandError: check funds 需要 --as-of"),
        (["check", "credit"], "CommandError: check credit 需要 --as-of"),
        (["frobnicate", "--json"], "zhixing: 未知命令 'frobnicate'（zhixing --help 查看命令列表）"),
    ],
)
def test_usage_errors_exit_2_with_one_line(imported, capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert one_line(err) == message.replace("CommandError: ", f"zhixing {argv[0]}: ")


def test_an_iso_week_date_is_not_yyyy_mm_dd(imported, capsys):
    code, out, err = run(capsys, "ledger", "--as-of", "2023-W01-1", "--json")
    assert (code, out) == (2, "")
    assert one_line(err) == "zhixing ledger: --as-of 应为 YYYY-MM-DD 格式的有效日期，实际为 '2023-W01-1'"


def test_check_termination_defaults_as_of_to_today(imported, capsys):
    code, out, _ = run(capsys, "check", "termination", "--json")
    assert code == 0 and [r["case_number"] for r in one_json_document(out)] == [A]


def test_help_exits_0(capsys):
    code, out, err = run(capsys, "--help")
    assert (code, err) == (0, "")
    assert "import" in out


def test_a_missing_required_option_exits_2_with_one_line(capsys):
    code, out, err = run(capsys, "indicators", "--from", "2023-01-01", "--json")
    assert (code, out) == (2, "")
    one_line(err)


def test_no_command_exits_2_with_one_line_on_stderr(capsys):
    code, out, err = run(capsys)
    assert (code, out) == (2, "")
    one_line(err)


# -- the real command -------------------------------------------------------------------------------


def real_zhixing(db: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [sys.executable, "-m", "zhixing.cli", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=db.parent,
        timeout=300,
    )


def test_the_real_command(tmp_path, example_file):
    """``python -m zhixing.cli`` on a new SQLite file: created and migrated on first use,
    JSON on stdout, then a usage error: exit 2, nothing on stdout, the message on stderr."""
    db = tmp_path / "z.sqlite3"
    first = real_zhixing(db, "import", str(example_file), "--json")
    assert first.returncode == 0, first.stderr
    assert one_json_document(first.stdout) == {"imported": 5, "unchanged": 0, "rejected": []}
    assert db.exists()
    bad = real_zhixing(
        db, "indicators", "--from", "2023-01-01", "--to", "2023-02-30", "--court", "豫0823", "--json"
    )
    assert (bad.returncode, bad.stdout) == (2, "")
    assert (
        one_line(bad.stderr) == "zhixing indicators: --to 应为 YYYY-MM-DD 格式的有效日期，实际为 '2023-02-30'"
    )
