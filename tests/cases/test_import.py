"""Importing and exporting case bundles (spec/case-bundle.md "Errors", "Courts file";
cases/services.py, courts/services.py).

Tests that need batches to really commit (a crash keeps the committed batches) use
``django_db(transaction=True)``; the others run inside the test transaction.
"""

from __future__ import annotations

import copy
import io
import json
import os
from datetime import date

import pytest
from django.conf import settings
from django.core.management import call_command

from zhixing.cases import services
from zhixing.cases.choices import CaseType
from zhixing.cases.models import Case, NodeEvent, Party
from zhixing.cases.services import export_lines, import_bundle
from zhixing.courts.models import Court
from zhixing.courts.services import CourtError, ensure_court, import_courts
from zhixing.funds.models import Disbursement, Receipt
from zhixing.metrics.models import CaseFact
from zhixing.petitions.models import Petition

TODAY = date(2024, 6, 1)
A, B, C, D, E = (
    "（2023）豫0823执1234号", "（2023）豫0823执1301号", "（2023）豫0823执2101号",
    "（2022）豫0823执1876号", "（2023）豫0823执恢15号",
)  # fmt: skip
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def run(text: str, **kwargs):
    return import_bundle(io.StringIO(text), today=TODAY, **kwargs)


def rejections(report) -> list[tuple]:
    return [(r["line"], r["case_number"], r["field"]) for r in report.rejected]


def export_text(queryset=None) -> str:
    return "".join(
        line + "\n" for line in export_lines(queryset if queryset is not None else Case.objects.all())
    )


def court_names(text: str) -> list[str]:
    return [json.dumps({"code": code, "name": name, **({"parent": parent} if parent else {})}, ensure_ascii=False)
            for code, name, parent in (line.split("|") for line in text.split())]  # fmt: skip


# -- good and bad lines ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_bad_line_is_reported_and_every_good_one_kept(bundle_case, example_lines):
    bad_id = bundle_case(
        seq=9, parties=[bundle_case.applicant(id_number="410823198503122037"), bundle_case.debtor()]
    )
    half_width = bundle_case(seq=10, case_number="(2023)豫0823执10号")
    lines = [
        example_lines[0],  # 1
        "",  # 2: blank, counted
        '{"case_number": "（2023）豫0823执11号",',  # 3: not JSON
        example_lines[2],  # 4
        json.dumps(bad_id, ensure_ascii=False),  # 5
        "   ",  # 6: blank
        json.dumps(half_width, ensure_ascii=False),  # 7
        json.dumps(bundle_case(seq=12, filed_on="2023-02-30"), ensure_ascii=False),  # 8
    ]
    report = run("\n".join(lines) + "\n")
    assert (report.imported, report.unchanged) == (3, 0)
    assert rejections(report) == [
        (3, None, "$"),
        (5, "（2023）豫0823执9号", "parties[0].id_number"),
        (8, "（2023）豫0823执12号", "filed_on"),
    ]
    assert report.rejected[1]["error"] == "公民身份号码校验位错误"
    assert sorted(Case.objects.values_list("case_number", flat=True)) == sorted(
        [A, C, "（2023）豫0823执10号"]
    )
    a = Case.objects.get(case_number=A)
    assert (a.case_type, a.court.code, a.filed_on, str(a.claim_amount)) == (
        CaseType.FIRST,
        "豫0823",
        date(2023, 3, 2),
        "125000.00",
    )
    assert Party.objects.filter(case=a).count() == 2
    assert NodeEvent.objects.filter(case=a).count() == 15
    assert CaseFact.objects.count() == 3


@pytest.mark.django_db
def test_report_as_json_has_the_cli_shape(bundle_case):
    report = run("not json\n" + json.dumps(bundle_case(seq=1), ensure_ascii=False) + "\n")
    assert report.as_json() == {
        "imported": 1,
        "unchanged": 0,
        "rejected": [{"line": 1, "case_number": None, "field": "$", "error": report.rejected[0]["error"]}],
    }


@pytest.mark.django_db
def test_funds_and_petitions_are_stored(example_lines):
    run(example_lines[1] + "\n")
    b = Case.objects.get(case_number=B)
    receipt = Receipt.objects.get(case=b)
    assert (receipt.local_id, receipt.notice_on, str(receipt.amount)) == ("r1", date(2023, 4, 6), "80000.00")
    assert list(
        Disbursement.objects.filter(case=b).values_list("local_id", "receipt__local_id", "payee")
    ) == [("d1", "r1", "p1")]
    assert list(Petition.objects.filter(case=b).values_list("local_id", "replied")) == [("x1", True)]


@pytest.mark.django_db
def test_the_same_file_twice_is_all_unchanged(example_lines):
    text = "\n".join(example_lines) + "\n"
    first = run(text)
    assert (first.imported, first.unchanged, first.rejected) == (5, 0, [])
    second = run(text)
    assert (second.imported, second.unchanged, second.rejected) == (0, 5, [])
    assert Case.objects.count() == 5


@pytest.mark.django_db
def test_a_presentation_change_is_still_unchanged(example_cases):
    run(json.dumps(example_cases[0], ensure_ascii=False) + "\n")
    variant = {k: example_cases[0][k] for k in reversed(example_cases[0])}
    variant["case_number"] = "(2023)豫0823执1234号"
    # Events reversed, except that the events of one day keep their relative order.
    queues: dict[str, list[dict]] = {}
    for e in example_cases[0]["events"]:
        queues.setdefault(e["on"], []).append(e)
    events = [queues[e["on"]].pop(0) for e in reversed(example_cases[0]["events"])]
    assert events != example_cases[0]["events"]
    variant["events"] = events
    report = run(json.dumps(variant, ensure_ascii=False) + "\n")
    assert (report.imported, report.unchanged, report.rejected) == (0, 1, [])


@pytest.mark.django_db
def test_a_changed_line_with_an_existing_number_is_rejected(example_cases):
    run(json.dumps(example_cases[0], ensure_ascii=False) + "\n")
    changed = copy.deepcopy(example_cases[0])
    changed["recovered_amount"] = "1.00"
    report = run("\n" + json.dumps(changed, ensure_ascii=False) + "\n")
    assert (report.imported, report.unchanged) == (0, 0)
    assert report.rejected == [
        {"line": 2, "case_number": A, "field": "case_number", "error": "案号已存在，且与已存案件内容不同"}
    ]
    assert str(Case.objects.get(case_number=A).recovered_amount) == "0.00"


@pytest.mark.django_db
def test_duplicates_within_one_file(bundle_case):
    case = bundle_case(seq=5)
    other = bundle_case(seq=5, claim_amount="99.00")
    report = run("\n".join(json.dumps(c, ensure_ascii=False) for c in (case, case, other)) + "\n")
    assert (report.imported, report.unchanged) == (1, 1)
    assert report.rejected == [
        {
            "line": 3,
            "case_number": "（2023）豫0823执5号",
            "field": "case_number",
            "error": "案号已存在，且与已存案件内容不同",
        }
    ]
    assert str(Case.objects.get().claim_amount) == "10000.00"


@pytest.mark.django_db
def test_repeats_of_a_conflicting_line_are_all_rejected(bundle_case):
    run(json.dumps(bundle_case(seq=5), ensure_ascii=False) + "\n")
    changed = json.dumps(bundle_case(seq=5, claim_amount="99.00"), ensure_ascii=False)
    report = run(changed + "\n" + changed + "\n")
    assert (report.imported, report.unchanged, [r["line"] for r in report.rejected]) == (0, 0, [1, 2])


@pytest.mark.django_db
def test_the_stored_version_after_a_conflicting_one_is_a_no_op(bundle_case):
    stored = json.dumps(bundle_case(seq=5), ensure_ascii=False)
    run(stored + "\n")
    report = run(
        json.dumps(bundle_case(seq=5, claim_amount="99.00"), ensure_ascii=False) + "\n" + stored + "\n"
    )
    assert (report.imported, report.unchanged, [r["line"] for r in report.rejected]) == (0, 1, [1])


@pytest.mark.django_db
def test_progress_is_reported_after_each_batch(bundle_case):
    seen: list[int] = []
    text = "".join(json.dumps(bundle_case(seq=i), ensure_ascii=False) + "\n" for i in range(1, 6))
    report = run(text, batch=2, progress=seen.append)
    assert (report.imported, seen) == (5, [2, 4, 5])


@pytest.mark.django_db
def test_a_batch_of_large_lines_is_cut_by_their_length(bundle_case, monkeypatch):
    """A batch ends at ``batch`` cases or at ``BATCH_TEXT`` of lines, whichever comes first: a
    file of large cases is written in smaller batches, so the writer's memory does not grow
    with a case's size."""
    lines = [json.dumps(bundle_case(seq=i), ensure_ascii=False) + "\n" for i in range(1, 8)]
    monkeypatch.setattr(services, "BATCH_TEXT", 2 * len(lines[0]) + 1)  # room for two lines
    seen: list[int] = []
    report = run("".join(lines), batch=5, progress=seen.append)
    assert (report.imported, seen) == (7, [3, 6, 7])
    assert Case.objects.count() == 7


def _memory_setting() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem" if ON_POSTGRES else "PRAGMA cache_size")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db
def test_the_import_memory_is_for_the_import_only(bundle_case, monkeypatch):
    """While the batches are written: SQLite's page cache of 128 MB, PostgreSQL's work_mem of
    64 MB (its triggers' rows of a batch stay in memory); before and after, the setting as it was."""
    before = _memory_setting()
    during: list[str] = []
    write = services._write_batch
    monkeypatch.setattr(services, "_write_batch", lambda *a: (during.append(_memory_setting()), write(*a)))
    report = run(
        "".join(json.dumps(bundle_case(seq=i), ensure_ascii=False) + "\n" for i in range(1, 4)), batch=2
    )
    assert report.imported == 3
    assert during == (["64MB", "64MB"] if ON_POSTGRES else ["-131072", "-131072"])
    assert _memory_setting() == before != during[0]


# -- a crash mid-import -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_crash_keeps_the_committed_batches_and_a_rerun_finishes(example_lines, monkeypatch):
    text = "\n".join(example_lines) + "\n"
    real_insert = services._insert
    calls = []

    def insert_then_crash(fresh, courts, **kwargs):
        calls.append(len(fresh))
        cases = real_insert(fresh, courts, **kwargs)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return cases

    monkeypatch.setattr(services, "_insert", insert_then_crash)
    with pytest.raises(RuntimeError, match="disk full"):
        run(text, batch=2)
    assert calls == [2, 2]
    # The first batch (A, B) was committed with its facts; the second (C, D) rolled back whole.
    assert sorted(Case.objects.values_list("case_number", flat=True)) == sorted([A, B])
    assert CaseFact.objects.count() == 2
    assert not NodeEvent.objects.filter(case__case_number__in=[C, D]).exists()

    monkeypatch.setattr(services, "_insert", real_insert)
    report = run(text, batch=2)
    assert (report.imported, report.unchanged, report.rejected) == (3, 2, [])
    assert Case.objects.count() == 5 and CaseFact.objects.count() == 5


# -- export ----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_export_import_export_is_byte_identical(example_lines):
    run("\n".join(example_lines) + "\n")
    first = export_text()
    assert len(first.splitlines()) == 5
    # Re-importing the export into the same database changes nothing …
    assert (lambda r: (r.imported, r.unchanged, r.rejected))(run(first)) == (0, 5, [])
    # … and into an empty one gives back the same bytes.
    wipe()
    report = run(first)
    assert (report.imported, report.rejected) == (5, [])
    assert export_text() == first


def wipe() -> None:
    """Empty every table (the node log refuses ORM deletes by design)."""
    call_command("flush", verbosity=0, interactive=False)


@pytest.mark.django_db
def test_export_is_the_canonical_form(example_lines):
    run(example_lines[1] + "\n")
    (line,) = export_lines(Case.objects.all())
    out = json.loads(line)
    original = json.loads(example_lines[1])
    assert out["case_number"] == B and out["court"] == "豫0823" and out["case_type"] == "首次执行"
    assert out["events"] == original["events"]
    assert out["disbursements"] == original["disbursements"]
    assert out["petitions"][0] == {
        k: v for k, v in original["petitions"][0].items() if v not in (None, False)
    }


@pytest.mark.django_db
def test_export_of_one_court_subtree(bundle_case):
    run(
        "".join(
            json.dumps(bundle_case(court_code=code, seq=1), ensure_ascii=False) + "\n"
            for code in ("豫0823", "豫0825", "京0105")
        )
    )
    henan = Court.objects.get(code="豫08")
    numbers = [json.loads(x)["case_number"] for x in export_lines(Case.objects.in_subtree(henan))]
    assert numbers == ["（2023）豫0823执1号", "（2023）豫0825执1号"]


@pytest.mark.django_db
def test_a_negative_zero_amount_round_trips(bundle_case):
    run(json.dumps(bundle_case(seq=3, claim_amount="-0.00"), ensure_ascii=False) + "\n")
    report = run(export_text())
    assert (report.unchanged, report.rejected) == (1, [])


@pytest.mark.django_db
def test_a_long_party_id_does_not_abort_the_import(bundle_case):
    long_id = "p" * 40
    case = bundle_case(seq=2, parties=[bundle_case.applicant(long_id), bundle_case.debtor()])
    report = run(
        json.dumps(bundle_case(seq=1), ensure_ascii=False)
        + "\n"
        + json.dumps(case, ensure_ascii=False)
        + "\n"
    )
    assert report.imported + len(report.rejected) == 2
    assert Case.objects.filter(case_number="（2023）豫0823执1号").exists()


@pytest.mark.django_db
def test_a_huge_amount_does_not_abort_the_import(bundle_case):
    big = bundle_case(seq=2, claim_amount="100000000000000.00")
    report = run(
        json.dumps(bundle_case(seq=1), ensure_ascii=False) + "\n" + json.dumps(big, ensure_ascii=False) + "\n"
    )
    assert report.imported + len(report.rejected) == 2
    assert Case.objects.filter(case_number="（2023）豫0823执1号").exists()


@pytest.mark.django_db
def test_a_nul_character_does_not_abort_the_import(bundle_case):
    odd = bundle_case(seq=2, handler="王\u0000某")
    report = run(json.dumps(bundle_case(seq=1), ensure_ascii=False) + "\n" + json.dumps(odd) + "\n")
    assert report.imported + len(report.rejected) == 2
    assert Case.objects.filter(case_number="（2023）豫0823执1号").exists()


# -- 恢复执行 and its original ----------------------------------------------------------------------------


def resumed_on(number: str):
    return CaseFact.objects.get(case__case_number=number).resumed_on


@pytest.mark.django_db
def test_resumed_case_imported_after_its_original(example_lines):
    run(example_lines[0] + "\n")
    assert resumed_on(A) is None
    run(example_lines[4] + "\n")
    assert resumed_on(A) == date(2023, 9, 1)
    assert resumed_on(E) is None


@pytest.mark.django_db
def test_resumed_case_imported_before_its_original(example_lines):
    run(example_lines[4] + "\n")
    run(example_lines[0] + "\n")
    assert resumed_on(A) == date(2023, 9, 1)


@pytest.mark.django_db
def test_resumed_case_before_its_original_in_one_batch(example_lines):
    run(example_lines[4] + "\n" + example_lines[0] + "\n")
    assert resumed_on(A) == date(2023, 9, 1)


@pytest.mark.django_db
def test_the_earliest_resumption_counts(example_cases):
    later = copy.deepcopy(example_cases[4])
    later.update(
        case_number="（2024）豫0823执恢2号",
        filed_on="2024-02-01",
        events=[],
        receipts=[],
        disbursements=[],
        closing=None,
    )
    report = run(json.dumps(later, ensure_ascii=False) + "\n" + example_lines_of(example_cases, 0))
    assert (report.imported, report.rejected) == (2, [])
    assert resumed_on(A) == date(2024, 2, 1)
    run(example_lines_of(example_cases, 4))
    assert resumed_on(A) == date(2023, 9, 1)


def example_lines_of(cases: list[dict], index: int) -> str:
    return json.dumps(cases[index], ensure_ascii=False) + "\n"


# -- courts -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_courts_are_created_from_codes(example_lines):
    run(example_lines[0] + "\n")
    rows = list(
        Court.objects.order_by("level").values_list("code", "name", "level", "parent__code", "path", "named")
    )
    assert rows == [
        ("最高法", "最高人民法院", Court.Level.SUPREME, None, "最高法/", True),
        ("豫", "豫", Court.Level.HIGH, "最高法", "最高法/豫/", False),
        ("豫08", "豫08", Court.Level.INTERMEDIATE, "豫", "最高法/豫/豫08/", False),
        ("豫0823", "豫0823", Court.Level.BASIC, "豫08", "最高法/豫/豫08/豫0823/", False),
    ]


@pytest.mark.django_db
def test_a_courts_file_names_courts_and_keeps_the_code_hierarchy():
    assert import_courts(court_names("豫0823|武陟县人民法院| 豫08|焦作市中级人民法院|")) == 2
    wuzhi = Court.objects.get(code="豫0823")
    assert (wuzhi.name, wuzhi.named, wuzhi.parent.code, wuzhi.path) == (
        "武陟县人民法院",
        True,
        "豫08",
        "最高法/豫/豫08/豫0823/",
    )
    assert Court.objects.get(code="豫").named is False


@pytest.mark.django_db
def test_a_parent_override_rebuilds_paths(bundle_case):
    """In a 直辖市 the codes mislead: 京0105 (朝阳) belongs to 京03, not 京01."""
    run(json.dumps(bundle_case(court_code="京0105", seq=1), ensure_ascii=False) + "\n")
    assert Court.objects.get(code="京0105").path == "最高法/京/京01/京0105/"
    import_courts(court_names("京03|北京市第三中级人民法院| 京0105|北京市朝阳区人民法院|京03"))
    chaoyang = Court.objects.get(code="京0105")
    assert (chaoyang.parent.code, chaoyang.path, chaoyang.name) == (
        "京03",
        "最高法/京/京03/京0105/",
        "北京市朝阳区人民法院",
    )
    assert list(
        Case.objects.in_subtree(Court.objects.get(code="京03")).values_list("case_number", flat=True)
    ) == ["（2023）京0105执1号"]
    assert not Case.objects.in_subtree(Court.objects.get(code="京01")).exists()
    # A court created later under the moved one gets a path below its new place.
    assert ensure_court("京0105").path == "最高法/京/京03/京0105/"


@pytest.mark.django_db
def test_a_parent_override_moves_a_whole_subtree():
    import_courts(court_names("豫0823|武陟县人民法院|"))
    import_courts(court_names("豫08|焦作市中级人民法院|京"))
    assert Court.objects.get(code="豫0823").path == "最高法/京/豫08/豫0823/"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"code": "豫082", "name": "x"}', "法院文件第 1 行：code '豫082' 不是有效的法院代字（CASENO-3）"),
        ('{"code": "豫0823"}', "法院文件第 1 行：缺少 name"),
        (
            '{"code": "豫0823", "name": "x", "parent": "焦作"}',
            "法院文件第 1 行：parent '焦作' 不是有效的法院代字",
        ),
        ("{", "法院文件第 1 行不是有效的 JSON：Expecting property name enclosed in double quotes"),
    ],
)
@pytest.mark.django_db
def test_bad_courts_files(line, message):
    with pytest.raises(CourtError) as caught:
        import_courts([line])
    assert str(caught.value) == message
    assert not Court.objects.exists()


@pytest.mark.django_db
def test_a_court_under_itself_is_refused():
    with pytest.raises(CourtError, match="形成循环"):
        import_courts(court_names("豫08|焦作市中级人民法院|豫0823"))


@pytest.mark.django_db
def test_a_two_court_cycle_is_refused():
    with pytest.raises(CourtError, match="形成循环"):
        import_courts(court_names("豫08|焦作市中级人民法院|豫09 豫09|某中级人民法院|豫08"))


# -- worker processes ---------------------------------------------------------------------------------


def facts_snapshot() -> dict[str, list[str]]:
    """Every fact row (metrics and termination), keyed by case number instead of id."""
    from django.db import models

    from zhixing.metrics.models import ObligationFact, PetitionFact, ReceiptFact, TagFact
    from zhixing.termination.models import TerminationFact

    out = {}
    for model in (CaseFact, ObligationFact, ReceiptFact, PetitionFact, TagFact, TerminationFact):
        names = [
            f"{f.name}__code" if f.is_relation else f.attname  # court codes: ids differ between runs on PG
            for f in model._meta.concrete_fields
            if f.attname not in ("id", "case_id") and not isinstance(f, models.DateTimeField)
        ]
        out[model.__name__] = sorted(
            repr(row) for row in model.objects.values_list("case__case_number", *names)
        )
    return out


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> str:
    """A small simulated bundle (about 450 cases of the default courts, 恢复执行 cases among them)
    with bad lines, a conflicting and an identical repeat mixed in."""
    from zhixing.simulate.generator import simulate

    path = tmp_path_factory.mktemp("bundle") / "sim.jsonl"
    simulate(path, seed=7, years=2, cases_per_court_year=20, workers=1)
    lines = path.read_text(encoding="utf-8").splitlines()
    changed = json.loads(lines[30])
    changed["handler"] = "另一人"
    lines[60:60] = ["{broken", "", json.dumps(changed, ensure_ascii=False), lines[5]]
    return "\n".join(lines) + "\n"


def import_in_workers(text: str, monkeypatch, workers: int):
    monkeypatch.setattr(services, "CHUNK", 16)
    monkeypatch.setattr(services, "PARALLEL_FROM", 48)
    return import_bundle(io.BytesIO(text.encode()), today=TODAY, workers=workers, batch=50)


class _Undo(Exception):
    pass


def import_and_undo(text: str, monkeypatch, workers: int) -> tuple:
    """The report, the export and the facts of an import, which is then rolled back."""
    from django.db import transaction

    try:
        with transaction.atomic():
            report = import_in_workers(text, monkeypatch, workers)
            result = (report.as_json(), export_text(), facts_snapshot())
            raise _Undo
    except _Undo:
        assert not Case.objects.exists()
        return result


@pytest.mark.django_db
def test_worker_processes_import_exactly_what_one_process_does(simulated, monkeypatch):
    parallel = import_and_undo(simulated, monkeypatch, workers=2)
    report = parallel[0]
    assert report["imported"] > 400 and '"case_type":"恢复执行"' in parallel[1]
    assert [(r["line"], r["field"]) for r in report["rejected"]] == [(61, "$"), (63, "case_number")]
    assert report["unchanged"] == 1
    assert import_and_undo(simulated, monkeypatch, workers=1) == parallel


@pytest.mark.django_db
def test_workers_holding_little_of_the_file_import_the_same(simulated, monkeypatch):
    """With ``BATCH_TEXT`` below a chunk's lines, each chunk is taken from the workers as soon as
    it is sent (one in flight) and each line is a batch of its own: the same import."""
    parallel = import_and_undo(simulated, monkeypatch, workers=2)
    monkeypatch.setattr(services, "BATCH_TEXT", 100)
    assert import_and_undo(simulated, monkeypatch, workers=2) == parallel


@pytest.mark.django_db
def test_imported_facts_are_what_refresh_facts_derives(simulated, monkeypatch):
    """The import writes the fact rows itself (prepared in the workers): they must be the rows
    ``metrics.facts.refresh_facts`` writes for the same cases, 恢复执行 effects included."""
    from zhixing.metrics.facts import refresh_all_facts

    import_in_workers(simulated, monkeypatch, workers=2)
    imported = facts_snapshot()
    assert imported["CaseFact"] and imported["ObligationFact"] and imported["TerminationFact"]
    refresh_all_facts()
    assert facts_snapshot() == imported


@pytest.mark.django_db
def test_a_rerun_in_workers_changes_nothing(simulated, monkeypatch):
    first = import_in_workers(simulated, monkeypatch, workers=2)
    exported, facts = export_text(), facts_snapshot()
    again = import_in_workers(simulated, monkeypatch, workers=2)
    assert (again.imported, again.unchanged) == (0, first.imported + first.unchanged)
    assert [(r["line"], r["field"]) for r in again.rejected] == [(61, "$"), (63, "case_number")]
    assert (export_text(), facts_snapshot()) == (exported, facts)


@pytest.mark.django_db
def test_an_original_after_its_resumption_in_workers(simulated, monkeypatch):
    """Lines in reverse: every 恢复执行 case comes before its original, whose facts the
    parent then derives with the resumption known."""
    lines = [line for line in simulated.splitlines() if line.startswith('{"')]
    import_in_workers("\n".join(reversed(lines)) + "\n", monkeypatch, workers=2)
    imported = facts_snapshot()
    from zhixing.metrics.facts import refresh_all_facts

    refresh_all_facts()
    assert facts_snapshot() == imported
    assert CaseFact.objects.exclude(resumed_on=None).exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_import_refreshes_postgres_statistics(example_lines, tmp_path, monkeypatch):
    """``zhixing import`` runs VACUUM (ANALYZE) on the tables it wrote once it imported
    ``VACUUM_FROM`` cases (PostgreSQL only; the indicator queries need the visibility map),
    and ANALYZE alone on the event log, which nothing reads index-only."""
    bundle = tmp_path / "cases.jsonl"
    bundle.write_text("\n".join(example_lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(services, "VACUUM_FROM", 5)
    out = io.StringIO()
    call_command("import_bundle", str(bundle), "--json", stdout=out)
    assert json.loads(out.getvalue())["imported"] == 5
    if not ON_POSTGRES:
        assert services.vacuum_after_import(5) == []
        return
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"
            " AND relname IN ('cases_nodeevent', 'metrics_casefact', 'metrics_obligationfact', 'funds_receipt',"
            " 'cases_name_gram')"
        )
        assert sorted(cursor.fetchall()) == [
            ("cases_name_gram", True), ("cases_nodeevent", False), ("funds_receipt", True),
            ("metrics_casefact", True), ("metrics_obligationfact", True),
        ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_small_import_does_not_vacuum(example_lines):
    assert services.vacuum_after_import(services.VACUUM_FROM - 1) == []


NICENESS_LOG = "ZHIXING_TEST_NICENESS_LOG"


def _prepare_noting_niceness(*args):
    """``prepare_chunk`` that first notes the process and its niceness (module level: the pool
    pickles the function by name)."""
    with open(os.environ[NICENESS_LOG], "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()} {os.nice(0)}\n")
    return _PREPARE_CHUNK(*args)


_PREPARE_CHUNK = services.prepare_chunk


@pytest.mark.django_db
def test_the_worker_processes_leave_the_cores_to_the_writer(simulated, monkeypatch, tmp_path):
    """The parent writes at its own priority; the workers that prepare lines run niced, so
    the single writer is not made to wait for a core (bench/RESULTS.md, session 8)."""
    log = tmp_path / "niceness"
    monkeypatch.setenv(NICENESS_LOG, str(log))
    monkeypatch.setattr(services, "prepare_chunk", _prepare_noting_niceness)
    import_in_workers(simulated, monkeypatch, workers=2)
    seen = {int(pid): int(nice) for pid, nice in (line.split() for line in log.read_text().splitlines())}
    parent = os.nice(0)
    assert seen.pop(os.getpid()) == parent  # the first chunk, prepared by the writer itself
    assert seen and set(seen.values()) == {min(19, parent + services.WORKER_NICENESS)}
