"""Case bundle v1 format rules (spec/case-bundle.md) and the canonical form (cases/bundle.py).

Every rejection asserts the exact field path, indexed as in the line (``events[3].party``
is the fourth event *as written*, whatever its date). Where the implementation disagrees
with the spec the test says what the spec demands and is marked ``xfail(strict=True)``
with the reason starting "BUG:".
"""

from __future__ import annotations

import copy
import io
import json
import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhixing.cases.bundle import (
    RECEIPT_KINDS,
    BundleError,
    case_to_bundle,
    dumps,
    fingerprint,
    parse_case,
    read_lines,
)
from zhixing.cases.choices import CaseType, ClosingMode, PartyKind, PartyRole
from zhixing.cases.models import Case
from zhixing.cases.services import export_lines
from zhixing.funds.models import Receipt, ReceiptKind

TODAY = date(2024, 6, 1)  # the "today" of birth-date checks (conftest.TODAY)


def ev(node: str, on: str, **fields) -> dict:
    return {"node": node, "on": on, **fields}


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def rejected(obj: dict, *, today: date = TODAY) -> BundleError:
    with pytest.raises(BundleError) as caught:
        parse_case(obj, today=today)
    return caught.value


def funds_case(bundle_case, **fields) -> dict:
    """A 首执 case with one receipt r1 of 1000.00 (notice 2023-04-06)."""
    return bundle_case(
        receipts=[{"id": "r1", "notice_on": "2023-04-06", "amount": "1000.00", "payer": "李某"}], **fields
    )


# -- the example and the factory are valid -------------------------------------------------


def test_the_five_example_cases_parse(example_cases):
    records = [parse_case(c, today=TODAY) for c in example_cases]
    assert [r.case_number for r in records] == [
        "（2023）豫0823执1234号", "（2023）豫0823执1301号", "（2023）豫0823执2101号",
        "（2022）豫0823执1876号", "（2023）豫0823执恢15号",
    ]  # fmt: skip
    a, b, c, d, e = records
    assert (a.case_type, a.closing_mode, a.closed_on) == (
        CaseType.FIRST,
        ClosingMode.TERMINATED_CURRENT,
        date(2023, 6, 30),
    )
    assert a.claim_amount == Decimal("125000.00") and a.recovered_amount == Decimal("0.00")
    assert [p.role for p in a.parties] == [PartyRole.APPLICANT, PartyRole.DEBTOR]
    assert a.parties[0].birth_date == date(1985, 3, 12)  # from the ID number
    assert b.receipts[0].amount == Decimal("80000.00") and b.disbursements[0].payee == "p1"
    assert b.petitions[0].replied is True and b.petitions[0].about_lower_court is False
    assert c.recovered_amount == Decimal("0.00")  # default
    assert [x.node for x in d.events][-2:] == ["suspension_start", "suspension_end"]
    assert (e.case_type, e.original_case_number) == (CaseType.RESUMED, "（2023）豫0823执1234号")


def test_factory_case_is_valid(bundle_case):
    record = parse_case(bundle_case(seq=7), today=TODAY)
    assert record.case_number == "（2023）豫0823执7号"
    assert record.court == "豫0823"
    assert [e.node for e in record.events] == [
        "handler_assigned",
        "execution_notice",
        "property_report_order",
        "online_inquiry",
    ]


# -- reading lines -------------------------------------------------------------------------


def test_malformed_json_is_rejected_with_its_physical_line_number(example_lines):
    text = (
        "\n".join([example_lines[0], "", '{"case_number": "（2023）豫0823执9号", ', "   ", example_lines[1]])
        + "\n"
    )
    lines = list(read_lines(io.StringIO(text), today=TODAY))
    assert [(x.number, x.record is not None, x.field) for x in lines] == [
        (1, True, None),
        (3, False, "$"),
        (5, True, None),
    ]
    assert lines[1].error.startswith("不是有效的 JSON")
    assert lines[1].case_number is None


def test_a_json_value_that_is_not_an_object_is_rejected():
    lines = list(read_lines(io.StringIO('[1, 2]\n"x"\nnull\n')))
    assert [(x.number, x.field, x.error) for x in lines] == [(n, "$", "应为对象") for n in (1, 2, 3)]


def test_a_rejected_line_still_reports_its_readable_case_number(bundle_case):
    bad = bundle_case(case_number="(2023)豫0823执5号", filed_on="2022-12-30")
    (line,) = read_lines(io.StringIO(json.dumps(bad, ensure_ascii=False)), today=TODAY)
    assert (line.case_number, line.field) == ("（2023）豫0823执5号", "case_number")


# -- the case number, court and type ---------------------------------------------------------------


def test_year_must_equal_the_filing_year(bundle_case):
    error = rejected(bundle_case(case_number="（2023）豫0823执5号", filed_on="2024-01-02"))
    assert error.field == "case_number"
    assert "CASENO-2" in error.message


def test_unknown_type_code(bundle_case):
    error = rejected(bundle_case(case_number="（2023）豫0823执行5号"))
    assert (error.field, error.message) == ("case_number", "类型代字“执行”不是执行类型代字（CASENO-5）")


def test_missing_case_number(bundle_case):
    case = bundle_case()
    del case["case_number"]
    assert rejected(case).field == "case_number"


def test_court_must_equal_the_code_in_the_number(bundle_case):
    assert parse_case(bundle_case(court="豫0823"), today=TODAY).court == "豫0823"
    assert rejected(bundle_case(court="豫0825")).field == "court"


def test_case_type_must_agree_with_the_type_code(bundle_case):
    assert parse_case(bundle_case(case_type="首次执行"), today=TODAY).case_type == CaseType.FIRST
    error = rejected(bundle_case(case_type="恢复执行"))
    assert (error.field, "CASENO-5" in error.message) == ("case_type", True)


def test_unknown_case_type_label(bundle_case):
    assert rejected(bundle_case(case_type="首执")).field == "case_type"


def test_half_width_brackets_are_normalised(bundle_case):
    record = parse_case(
        bundle_case(
            type_code="执恢", case_number="(2023)豫0823执恢5号", original_case_number="(2022)豫0823执1号"
        ),
        today=TODAY,
    )
    assert record.case_number == "（2023）豫0823执恢5号"
    assert record.original_case_number == "（2022）豫0823执1号"


def test_resumed_case_needs_its_original(bundle_case):
    case = bundle_case(type_code="执恢")
    del case["original_case_number"]
    error = rejected(case)
    assert (error.field, "CLOSE-6" in error.message) == ("original_case_number", True)


def test_original_case_number_must_be_a_case_number(bundle_case):
    assert (
        rejected(bundle_case(type_code="执恢", original_case_number="原案")).field == "original_case_number"
    )


# -- Guizhou is 黔 (CASENO-3); the pre-2016 original case number (original_case_number) ----------

GUIZHOU = "（2019）黔0102执47号"  # 贵阳市南明区人民法院
OLD_FORM_MESSAGE = (
    "2016 年以前的旧式案号格式应为“（年度）法院简称类型代字（以“字”结尾）第编号号”，"
    "编号可带“-N”，如（2014）唐执字第190号"
)


def guizhou_case(bundle_case, **fields) -> dict:
    return bundle_case(case_number=GUIZHOU, filed_on="2019-03-04", court="黔0102", **fields)


def test_a_guizhou_case_parses_and_its_canonical_form_is_the_identity(bundle_case):
    record = parse_case(guizhou_case(bundle_case), today=TODAY)
    assert (record.case_number, record.court, record.case_type) == (GUIZHOU, "黔0102", CaseType.FIRST)
    out = case_to_bundle(record)
    assert (out["case_number"], out["court"]) == (GUIZHOU, "黔0102")
    assert parse_case(json.loads(dumps(record)), today=TODAY) == record


@pytest.mark.parametrize("number", ["（2019）贵0102执47号", "(2019)贵0102执47号", " （2019）贵0102执47号"])
def test_gui_is_not_a_court_code(bundle_case, number):
    error = rejected(bundle_case(case_number=number, filed_on="2019-03-04"))
    assert (error.field, error.message) == ("case_number", "法院代字“贵0102”无效（CASENO-3）")


def test_a_gui_court_beside_a_qian_number_is_refused(bundle_case):
    assert rejected(guizhou_case(bundle_case) | {"court": "贵0102"}).field == "court"


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("（2014）唐执字第190号", "（2014）唐执字第190号"),
        ("(2013)龙执异字第2号", "（2013）龙执异字第2号"),
        ("（2014）唐执字第190-2号", "（2014）唐执字第190-2号"),
        ("(2014）唐执字第190-2号", "（2014）唐执字第190-2号"),
    ],
)
def test_a_resumed_case_may_name_a_pre_2016_original(bundle_case, written, stored):
    record = parse_case(bundle_case(type_code="执恢", original_case_number=written), today=TODAY)
    assert (record.case_type, record.original_case_number) == (CaseType.RESUMED, stored)
    assert case_to_bundle(record)["original_case_number"] == stored
    assert parse_case(json.loads(dumps(record)), today=TODAY) == record


@pytest.mark.parametrize(
    "original",
    ["（2014）唐执字190号", "（2014）唐执第190号", "（2014）唐执字第190", "（2014）唐执字第0号", "（2014）唐执字第190-号",
     "（14）唐执字第190号", "（2014）唐执字第190－2号"],
)  # fmt: skip
def test_a_malformed_old_original_is_refused_naming_the_field(bundle_case, original):
    error = rejected(bundle_case(type_code="执恢", original_case_number=original))
    assert (error.field, error.message) == ("original_case_number", OLD_FORM_MESSAGE)


def test_a_current_form_original_keeps_the_current_rules(bundle_case):
    error = rejected(bundle_case(type_code="执恢", original_case_number="（2019）贵0102执47号"))
    assert (error.field, error.message) == ("original_case_number", "法院代字“贵0102”无效（CASENO-3）")
    error = rejected(bundle_case(type_code="执恢", original_case_number=2014190))
    assert (error.field, error.message) == ("original_case_number", "案号应为字符串（CASENO-1）")


def test_only_the_original_may_be_in_the_old_form(bundle_case):
    error = rejected(bundle_case(case_number="（2014）唐执字第190号", filed_on="2014-05-06"))
    assert error.field == "case_number"
    assert error.message == (
        "“（2014）唐执字第190号”是 2016 年以前的旧式案号，只能作为原案号；"
        "案号格式应为“（年度）法院代字类型代字编号号”（CASENO-1）"
    )


def test_the_fingerprint_ignores_the_bracket_width_of_an_old_original(bundle_case):
    case = bundle_case(type_code="执恢", seq=31, original_case_number="（2014）唐执字第190-2号")
    variant = case | {"original_case_number": "(2014)唐执字第190-2号"}
    assert fingerprint(parse_case(case, today=TODAY)) == fingerprint(parse_case(variant, today=TODAY))


@pytest.mark.django_db
def test_guizhou_and_old_originals_import_export_and_reimport_unchanged(bundle_case, import_cases):
    """王某, an officer of 武陟县法院, imports a 恢复执行 case resuming （2014）唐执字第190-2号 and
    a case of 贵阳市南明区法院 (黔0102); the export gives them back, and re-importing it is a no-op."""
    from zhixing.cases.models import Case
    from zhixing.cases.services import export_lines

    resumed = bundle_case(type_code="执恢", seq=41, original_case_number="(2014)唐执字第190-2号")
    guizhou = guizhou_case(bundle_case)
    report = import_cases(resumed, guizhou)
    assert (report.imported, report.rejected) == (2, [])
    exported = list(export_lines(Case.objects.all()))
    by_number = {o["case_number"]: o for o in map(json.loads, exported)}
    assert by_number[GUIZHOU]["court"] == "黔0102"
    assert by_number["（2023）豫0823执恢41号"]["original_case_number"] == "（2014）唐执字第190-2号"
    assert (
        Case.objects.get(case_number="（2023）豫0823执恢41号").original_case_number
        == "（2014）唐执字第190-2号"
    )
    again = import_cases(*exported)
    assert (again.imported, again.unchanged, again.rejected) == (0, 2, [])
    assert list(export_lines(Case.objects.all())) == exported


def test_application_received_after_filing(bundle_case):
    assert parse_case(
        bundle_case(application_received_on="2023-03-01"), today=TODAY
    ).application_received_on == date(2023, 3, 1)
    assert rejected(bundle_case(application_received_on="2023-03-02")).field == "application_received_on"


# -- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (125000.0, '金额必须是字符串（如 "125000.00"），不能是 JSON 数字'),
        (125000, '金额必须是字符串（如 "125000.00"），不能是 JSON 数字'),
        (True, '金额必须是字符串（如 "125000.00"），不能是 JSON 数字'),
        ("125000.005", "金额应为不超过14位整数、最多两位小数的字符串，实际为 '125000.005'"),
        ("1.5e3", "金额应为不超过14位整数、最多两位小数的字符串，实际为 '1.5e3'"),
        ("125,000.00", "金额应为不超过14位整数、最多两位小数的字符串，实际为 '125,000.00'"),
        ("", "金额应为不超过14位整数、最多两位小数的字符串，实际为 ''"),
        ("-1.00", "金额不能为负数"),
    ],
)
def test_bad_claim_amounts(bundle_case, value, message):
    error = rejected(bundle_case(claim_amount=value))
    assert (error.field, error.message) == ("claim_amount", message)


@pytest.mark.parametrize(
    ("value", "stored"), [("125000", "125000.00"), ("0.5", "0.50"), ("0", "0.00"), ("007.10", "7.10")]
)
def test_amounts_are_normalised_to_two_places(bundle_case, value, stored):
    assert case_to_bundle(parse_case(bundle_case(claim_amount=value), today=TODAY))["claim_amount"] == stored


def test_claim_amount_is_required_for_implementation_cases(bundle_case):
    case = bundle_case()
    del case["claim_amount"]
    assert rejected(case).field == "claim_amount"
    objection = bundle_case(type_code="执异")
    del objection["claim_amount"]
    assert parse_case(objection, today=TODAY).claim_amount is None


def test_nested_amounts_name_their_path(bundle_case):
    case = funds_case(bundle_case)
    case["receipts"][0]["amount"] = 1000
    assert rejected(case).field == "receipts[0].amount"
    case = funds_case(bundle_case)
    case["receipts"][0]["amount"] = "0.00"
    assert (rejected(case).field, rejected(case).message) == ("receipts[0].amount", "金额必须大于0")
    case = bundle_case()
    case["events"][3]["found"] = [{"asset": "a1", "category": "存款", "value": "1.234"}]
    assert rejected(case).field == "events[3].found[0].value"
    case = bundle_case()
    case["events"].append(ev("deduction", "2023-03-05", amount=500.5))
    assert rejected(case).field == "events[4].amount"


def test_an_amount_too_large_to_hold_is_rejected_not_a_crash(bundle_case):
    assert rejected(bundle_case(claim_amount="1" + "0" * 28)).field == "claim_amount"


# -- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2023-02-29", "2023-02-30", "2023-13-01", "2023-04-31", "2023-00-10"])
def test_dates_that_do_not_exist(bundle_case, value):
    error = rejected(bundle_case(filed_on=value))
    assert (error.field, error.message) == ("filed_on", f"日期 {value} 不存在")


@pytest.mark.parametrize(
    "value", ["2023-3-1", "2023/03/01", "20230301", "2023-03-01T00:00", " 2023-03-01", 20230301, None]
)
def test_dates_not_written_yyyy_mm_dd(bundle_case, value):
    case = bundle_case()
    case["filed_on"] = value
    assert rejected(case).field == "filed_on"


def test_2024_02_29_exists(bundle_case):
    assert parse_case(bundle_case(filed_on="2024-02-29"), today=TODAY).filed_on == date(2024, 2, 29)


def test_a_bad_event_date_names_the_event_as_written(bundle_case):
    case = bundle_case()
    case["events"].insert(1, ev("field_investigation", "2023-02-29"))
    assert rejected(case).field == "events[1].on"


# -- events ------------------------------------------------------------------------------------------


def test_unknown_node_code(bundle_case):
    case = bundle_case()
    case["events"].append(ev("execution_notice_sent", "2023-03-02"))
    error = rejected(case)
    assert (error.field, error.message) == ("events[4].node", "未知的节点代码 'execution_notice_sent'")


def test_event_before_filing_is_an_error(bundle_case):
    case = bundle_case()
    case["events"].insert(2, ev("execution_notice", "2023-02-28"))
    assert rejected(case).field == "events[2].on"


def test_a_clue_may_arrive_before_filing(bundle_case):
    case = bundle_case()
    case["events"] += [
        ev("clue_verified", "2023-03-03", clue="c1"),
        ev("clue_received", "2023-02-20", clue="c1"),
    ]
    record = parse_case(case, today=TODAY)
    assert [(e.node, e.on) for e in record.events][:1] == [("clue_received", date(2023, 2, 20))]


def test_events_are_sorted_by_date_keeping_the_order_of_one_day(bundle_case):
    case = bundle_case(events=[
        ev("field_investigation", "2023-03-09"),
        ev("execution_notice", "2023-03-02"),
        ev("search", "2023-03-09"),
        ev("property_report_order", "2023-03-02"),
        ev("reward_notice", "2023-03-05"),
    ])  # fmt: skip
    record = parse_case(case, today=TODAY)
    assert [(e.node, e.seq) for e in record.events] == [
        ("execution_notice", 0), ("property_report_order", 1), ("reward_notice", 2),
        ("field_investigation", 3), ("search", 4),
    ]  # fmt: skip


def test_a_required_event_field_is_missing(bundle_case):
    case = bundle_case()
    case["events"].append(ev("fine", "2023-03-05"))
    assert rejected(case).field == "events[4].party"
    case = bundle_case()
    case["events"].append(ev("handler_assigned", "2023-03-05", handler=None))
    assert rejected(case).field == "events[4].handler"


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (ev("property_report", "2023-03-05", party="p2", status="迟延"), "events[4].status"),
        (
            ev("online_inquiry", "2023-03-05", system="总对总", categories=["存款", "黄金"], found=[]),
            "events[4].categories[1]",
        ),
        (ev("online_inquiry", "2023-03-05", system="全国", categories=[], found=[]), "events[4].system"),
        (
            ev(
                "restraint",
                "2023-03-05",
                asset="a9",
                measure="拍卖",
                category="车辆",
                value="1.00",
                expires_on="2026-03-05",
            ),
            "events[4].measure",
        ),
        (ev("credit_listing", "2023-03-05", party="p2", grounds=["G7"]), "events[4].grounds[0]"),
        (ev("credit_listing", "2023-03-05", party="p2", grounds=[]), "events[4].grounds"),
        (
            ev("credit_listing", "2023-03-05", party="p2", grounds=["G4"], term_years="2"),
            "events[4].term_years",
        ),
        (ev("applicant_interview", "2023-03-05", opinion="无所谓"), "events[4].opinion"),
        (ev("exclusion_start", "2023-03-05", ground="鉴定"), "events[4].ground"),
        (ev("extension_approved", "2023-03-05", months=0), "events[4].months"),
    ],
)
def test_event_values(bundle_case, event, field):
    case = bundle_case()
    case["events"].append(event)
    assert rejected(case).field == field


def test_a_g1_listing_may_carry_a_term_it_is_reported_not_rejected(bundle_case):
    case = bundle_case()
    case["events"].append(ev("credit_listing", "2023-03-05", party="p2", grounds=["G1"], term_years=2))
    assert parse_case(case, today=TODAY).events[-1].data["term_years"] == 2


# -- references ----------------------------------------------------------------------------------------


def test_unresolved_party_reference(bundle_case):
    case = bundle_case()
    case["events"] += [
        ev("consumption_restriction", "2023-03-04", party="p2"),
        ev("fine", "2023-03-02", party="p3"),
    ]
    error = rejected(case)
    assert (error.field, error.message) == ("events[5].party", "当事人 'p3' 在本案中不存在")


def test_unresolved_clue_reference(bundle_case):
    case = bundle_case()
    case["events"] += [
        ev("clue_received", "2023-03-03", clue="c1"),
        ev("clue_verified", "2023-03-04", clue="c2"),
    ]
    assert rejected(case).field == "events[5].clue"


def test_unresolved_asset_reference(bundle_case):
    case = bundle_case()
    case["events"][3]["found"] = [{"asset": "a1", "category": "存款", "value": "100.00"}]
    case["events"] += [
        ev("deduction", "2023-03-04", asset="a1", amount="100.00"),
        ev("auction", "2023-05-04", asset="a2", result="成交"),
    ]
    error = rejected(case)
    assert error.field == "events[5].asset"


def test_assets_resolve_to_a_restraint_too(bundle_case):
    case = bundle_case()
    case["events"] += [
        ev("auction", "2023-06-01", asset="h1", result="流拍"),
        ev(
            "restraint",
            "2023-03-04",
            asset="h1",
            measure="查封",
            category="不动产",
            value="300000.00",
            expires_on="2026-03-04",
        ),
    ]
    assert parse_case(case, today=TODAY).events[-1].asset == "h1"


@pytest.mark.parametrize(
    ("section", "item", "field"),
    [
        (
            "disbursements",
            {"id": "d1", "receipt": "r2", "on": "2023-04-10", "amount": "10.00", "payee": "p1"},
            "disbursements[0].receipt",
        ),
        (
            "disbursements",
            {"id": "d1", "receipt": "r1", "on": "2023-04-10", "amount": "10.00", "payee": "p9"},
            "disbursements[0].payee",
        ),
        (
            "deferrals",
            {"receipt": "r2", "approved_on": "2023-04-10", "ground": "x", "ends_on": None},
            "deferrals[0].receipt",
        ),
        ("lodgements", {"receipt": "r2", "on": "2023-04-10", "ground": "x"}, "lodgements[0].receipt"),
    ],
)
def test_unresolved_receipt_and_payee_references(bundle_case, section, item, field):
    assert rejected(funds_case(bundle_case, **{section: [item]})).field == field


#: A list or an object where an id is expected, by the field that must be named.
NON_STRING_REFERENCES = {
    "events[4].node": lambda c: c["events"].append(ev(["fine"], "2023-03-05", party="p2")),
    "events[4].party": lambda c: c["events"].append(ev("fine", "2023-03-05", party=["p2"])),
    "disbursements[0].receipt": lambda c: c.update(
        disbursements=[{"id": "d1", "receipt": ["r1"], "on": "2023-04-10", "amount": "1.00"}]
    ),
    "disbursements[0].payee": lambda c: c.update(
        disbursements=[
            {"id": "d1", "receipt": "r1", "on": "2023-04-10", "amount": "1.00", "payee": {"id": "p1"}}
        ]
    ),
}


@pytest.mark.parametrize("field", list(NON_STRING_REFERENCES))
def test_a_non_string_reference_is_a_format_error(bundle_case, field):
    case = funds_case(bundle_case)
    NON_STRING_REFERENCES[field](case)
    assert rejected(case).field == field


# -- funds -----------------------------------------------------------------------------------------------


def test_disbursements_over_their_receipt(bundle_case):
    ok = {"id": "d1", "receipt": "r1", "on": "2023-04-10", "amount": "600.00", "payee": "p1"}
    assert parse_case(
        funds_case(bundle_case, disbursements=[ok, {**ok, "id": "d2", "amount": "400.00"}]), today=TODAY
    ).disbursements[1].amount == Decimal("400.00")
    error = rejected(funds_case(bundle_case, disbursements=[ok, {**ok, "id": "d2", "amount": "400.01"}]))
    assert (error.field, error.message) == (
        "disbursements[1].amount",
        "到账 r1 的发放合计 1000.01 超过到账金额 1000.00",
    )


def test_a_disbursement_before_its_receipt_notice(bundle_case):
    item = {"id": "d1", "receipt": "r1", "on": "2023-04-05", "amount": "1.00", "payee": "p1"}
    assert rejected(funds_case(bundle_case, disbursements=[item])).field == "disbursements[0].on"


# -- parties -----------------------------------------------------------------------------------------------


def test_missing_applicant_or_debtor(bundle_case):
    error = rejected(bundle_case(parties=[bundle_case.debtor("p1"), bundle_case.debtor("p2")]))
    assert (error.field, error.message) == ("parties", "至少需要一名申请执行人")
    error = rejected(bundle_case(parties=[bundle_case.applicant("p1")]))
    assert (error.field, error.message) == ("parties", "至少需要一名被执行人")
    case = bundle_case()
    del case["parties"]
    assert rejected(case).field == "parties"


def test_duplicate_party_id(bundle_case):
    assert (
        rejected(bundle_case(parties=[bundle_case.applicant("p1"), bundle_case.debtor("p1")])).field
        == "parties[1].id"
    )


def test_party_role_and_kind_values(bundle_case):
    assert (
        rejected(bundle_case(parties=[bundle_case.applicant(role="申请人"), bundle_case.debtor()])).field
        == "parties[0].role"
    )
    assert (
        rejected(bundle_case(parties=[bundle_case.applicant(), bundle_case.debtor(kind="公司")])).field
        == "parties[1].kind"
    )


def test_wrong_id_check_digit(bundle_case):
    error = rejected(
        bundle_case(parties=[bundle_case.applicant(id_number="410823198503122037"), bundle_case.debtor()])
    )
    assert (error.field, error.message) == ("parties[0].id_number", "公民身份号码校验位错误")


def test_birth_date_in_the_future(bundle_case):
    born = bundle_case.id_number("20240602")  # the day after TODAY
    error = rejected(
        bundle_case(
            parties=[
                bundle_case.applicant(),
                bundle_case.debtor(kind="自然人", id_number=born, credit_code=None),
            ]
        )
    )
    assert (error.field, error.message) == ("parties[1].id_number", "公民身份号码中的出生日期晚于今天")
    # The same number is valid once that day has come.
    parse_case(
        bundle_case(
            parties=[
                bundle_case.applicant(),
                bundle_case.debtor(kind="自然人", id_number=born, credit_code=None),
            ]
        ),
        today=date(2024, 6, 2),
    )


def test_credit_code_check_characters(bundle_case):
    good = bundle_case.credit_code()
    wrong18 = good[:17] + ("0" if good[17] != "0" else "1")
    error = rejected(bundle_case(parties=[bundle_case.applicant(), bundle_case.debtor(credit_code=wrong18)]))
    assert (error.field, error.message) == ("parties[1].credit_code", "统一社会信用代码校验位错误")
    org_wrong = bundle_case.credit_code(org_body="MA3X4K2L")[:16] + "9"  # wrong GB 11714 check character …
    from zhixing.lib.identifiers import credit_code_check_char

    org_wrong += credit_code_check_char(org_wrong)  # … with the right GB 32100 one
    error = rejected(
        bundle_case(parties=[bundle_case.applicant(), bundle_case.debtor(credit_code=org_wrong)])
    )
    assert error.field == "parties[1].credit_code"
    assert "GB 11714" in error.message


def test_identifiers_belong_to_the_right_kind_of_party(bundle_case):
    assert (
        rejected(
            bundle_case(
                parties=[bundle_case.applicant(), bundle_case.debtor(id_number=bundle_case.id_number())]
            )
        ).field
        == "parties[1].id_number"
    )
    assert (
        rejected(
            bundle_case(
                parties=[bundle_case.applicant(credit_code=bundle_case.credit_code()), bundle_case.debtor()]
            )
        ).field
        == "parties[0].credit_code"
    )


def test_birth_date_must_agree_with_the_id_number(bundle_case):
    number = bundle_case.id_number("19850312")
    ok = parse_case(
        bundle_case(
            parties=[bundle_case.applicant(id_number=number, birth_date="1985-03-12"), bundle_case.debtor()]
        ),
        today=TODAY,
    )
    assert ok.parties[0].birth_date == date(1985, 3, 12)
    error = rejected(
        bundle_case(
            parties=[bundle_case.applicant(id_number=number, birth_date="1985-03-13"), bundle_case.debtor()]
        )
    )
    assert error.field == "parties[0].birth_date"


def test_a_person_without_id_number_keeps_the_birth_date(bundle_case):
    person = bundle_case.applicant(birth_date="1990-02-14")
    del person["id_number"]
    record = parse_case(bundle_case(parties=[person, bundle_case.debtor()]), today=TODAY)
    assert (record.parties[0].kind, record.parties[0].birth_date) == (PartyKind.PERSON, date(1990, 2, 14))
    assert case_to_bundle(record)["parties"][0]["birth_date"] == "1990-02-14"


def test_special_status_values(bundle_case):
    assert parse_case(
        bundle_case(parties=[bundle_case.applicant(), bundle_case.debtor(special=["人大代表"])]), today=TODAY
    ).parties[1].special == ("人大代表",)
    assert (
        rejected(
            bundle_case(parties=[bundle_case.applicant(), bundle_case.debtor(special=["人民陪审员"])])
        ).field
        == "parties[1].special[0]"
    )


def test_an_id_number_with_a_trailing_newline_is_rejected(bundle_case):
    error = rejected(
        bundle_case(
            parties=[bundle_case.applicant(id_number=bundle_case.id_number() + "\n"), bundle_case.debtor()]
        )
    )
    assert error.field == "parties[0].id_number"


# -- closing ---------------------------------------------------------------------------------------------


def test_closing_before_filing(bundle_case):
    error = rejected(bundle_case(closing={"on": "2023-02-28", "mode": "执行完毕"}))
    assert (error.field, error.message) == ("closing.on", "结案日期不能早于立案日期")
    assert parse_case(
        bundle_case(closing={"on": "2023-03-01", "mode": "执行完毕"}), today=TODAY
    ).closed_on == date(2023, 3, 1)


def test_preservation_modes_only_for_preservation_cases(bundle_case):
    assert rejected(bundle_case(closing={"on": "2023-05-01", "mode": "保全完毕"})).field == "closing.mode"
    record = parse_case(
        bundle_case(type_code="执保", closing={"on": "2023-05-01", "mode": "解除保全"}), today=TODAY
    )
    assert record.closing_mode == ClosingMode.PRESERVATION_LIFTED
    assert (
        parse_case(
            bundle_case(type_code="执保", closing={"on": "2023-05-01", "mode": "执行完毕"}), today=TODAY
        ).closing_mode
        == ClosingMode.PERFORMED
    )


def test_unknown_closing_mode(bundle_case):
    assert rejected(bundle_case(closing={"on": "2023-05-01", "mode": "结案"})).field == "closing.mode"


def test_closing_null_means_open(bundle_case):
    assert parse_case(bundle_case(closing=None), today=TODAY).closed_on is None


# -- intervals -------------------------------------------------------------------------------------------


def test_an_end_without_a_start(bundle_case):
    case = bundle_case()
    case["events"] += [
        ev("suspension_start", "2023-04-01"),
        ev("suspension_end", "2023-04-10"),
        ev("suspension_end", "2023-04-20"),
    ]
    error = rejected(case)
    assert (error.field, error.message) == ("events[6].node", "suspension_end：没有尚未结束的同类期间")


def test_a_second_start_while_one_is_open(bundle_case):
    case = bundle_case()
    case["events"] += [
        ev("exclusion_start", "2023-05-01", ground="审计评估"),
        ev("exclusion_start", "2023-04-01", ground="公告送达"),
    ]
    # In date order the line's events[5] (04-01) opens first; events[4] (05-01) is the second start.
    error = rejected(case)
    assert (error.field, error.message) == (
        "events[4].node",
        "exclusion_start：同类期间尚未结束，不能再次开始",
    )


def test_intervals_pair_in_date_order_not_line_order(bundle_case):
    case = bundle_case()
    case["events"] += [
        ev("postponement_end", "2023-04-10"),
        ev("postponement_start", "2023-04-01"),
        ev("suspension_start", "2023-04-05"),  # a different kind may overlap
        ev("postponement_start", "2023-05-01"),  # still open: fine
    ]
    record = parse_case(case, today=TODAY)
    assert [e.node for e in record.events][4:] == [
        "postponement_start",
        "suspension_start",
        "postponement_end",
        "postponement_start",
    ]


# -- other values ---------------------------------------------------------------------------------------


def test_tag_values(bundle_case):
    assert parse_case(bundle_case(tags=["涉民生", "涉企"]), today=TODAY).tags == ("涉民生", "涉企")
    assert rejected(bundle_case(tags=["涉民生", "涉外"])).field == "tags[1]"


def test_petition_values(bundle_case):
    petition = {
        "id": "x1",
        "received_on": "2023-04-01",
        "source": "来访",
        "handled_by": "豫08",
        "referred_by": "高级人民法院",
    }
    assert parse_case(bundle_case(petitions=[petition]), today=TODAY).petitions[0].handled_by == "豫08"
    assert rejected(bundle_case(petitions=[{**petition, "source": "微信"}])).field == "petitions[0].source"
    assert (
        rejected(bundle_case(petitions=[{**petition, "handled_by": "武陟"}])).field
        == "petitions[0].handled_by"
    )
    assert (
        rejected(bundle_case(petitions=[{**petition, "closed_on": "2023-03-31"}])).field
        == "petitions[0].closed_on"
    )


def test_non_litigation_must_be_a_boolean(bundle_case):
    assert parse_case(bundle_case(non_litigation=True), today=TODAY).non_litigation is True
    assert rejected(bundle_case(non_litigation="是")).field == "non_litigation"


# -- the canonical form --------------------------------------------------------------------------------


def test_parse_of_the_canonical_form_is_the_identity_on_the_examples(example_cases):
    for case in example_cases:
        record = parse_case(case, today=TODAY)
        assert parse_case(case_to_bundle(record), today=TODAY) == record
        assert parse_case(json.loads(dumps(record)), today=TODAY) == record


def test_canonical_form_drops_absent_defaults(example_cases):
    out = case_to_bundle(parse_case(example_cases[1], today=TODAY))
    assert out["petitions"] == [
        {
            "id": "x1",
            "received_on": "2023-04-01",
            "registered_on": "2023-04-03",
            "source": "来访",
            "closed_on": "2023-04-20",
            "replied": True,
        }
    ]
    assert out["case_type"] == "首次执行" and out["court"] == "豫0823"
    assert "non_litigation" not in out and "closing" in out


def test_unknown_fields_are_kept(bundle_case):
    record = parse_case(
        bundle_case(
            source_system="旧系统", parties=[bundle_case.applicant(phone="139"), bundle_case.debtor()]
        ),
        today=TODAY,
    )
    out = case_to_bundle(record)
    assert (out["source_system"], out["parties"][0]["phone"]) == ("旧系统", "139")


# -- a receipt's 款项性质 --------------------------------------------------------------------------------


def receipt_of_kind(bundle_case, kind=None) -> dict:
    receipt = {"id": "r1", "notice_on": "2023-04-06", "amount": "5000.00", "payer": "武陟县司法救助资金"}
    return bundle_case(receipts=[receipt if kind is None else {**receipt, "kind": kind}])


@pytest.mark.parametrize(
    ("term", "stored"),
    [(None, "execution"), ("执行款", "execution"), ("司法救助金", "relief"), ("案件受理费、执行费", "fees")],
)
def test_a_receipt_kind_is_optional_and_only_a_non_default_is_written(bundle_case, term, stored):
    record = parse_case(receipt_of_kind(bundle_case, term), today=TODAY)
    assert record.receipts[0].kind == stored
    written = case_to_bundle(record)["receipts"][0]
    assert written.get("kind") == (None if stored == "execution" else term)
    assert parse_case(json.loads(dumps(record)), today=TODAY) == record


@pytest.mark.parametrize("bad", ["救助", "relief", "", 1, ["司法救助金"]])
def test_an_unknown_receipt_kind_is_refused_naming_field_and_values(bundle_case, bad):
    error = rejected(receipt_of_kind(bundle_case, bad))
    assert (error.field, error.message) == (
        "receipts[0].kind",
        f"{bad!r} 不是可选值之一：执行款、司法救助金、案件受理费、执行费",
    )


def test_the_bundle_terms_are_the_stored_kinds_labels():
    assert {label: value for value, label in ReceiptKind.choices} == RECEIPT_KINDS


def test_a_relief_receipt_survives_import_and_export(bundle_case, import_cases):
    case = receipt_of_kind(bundle_case, "司法救助金")
    assert import_cases(case).imported == 1
    stored = Receipt.objects.get(case__case_number=case["case_number"])
    assert (stored.local_id, stored.kind) == ("r1", "relief")
    (line,) = list(export_lines(Case.objects.filter(case_number=case["case_number"])))
    assert json.loads(line)["receipts"] == [
        {
            "id": "r1",
            "notice_on": "2023-04-06",
            "amount": "5000.00",
            "payer": "武陟县司法救助资金",
            "kind": "司法救助金",
        }
    ]
    assert import_cases(line).unchanged == 1


def shuffled_keys(value, rnd: random.Random):
    """The same JSON value with every object's keys in another order."""
    if isinstance(value, dict):
        items = list(value.items())
        rnd.shuffle(items)
        return {k: shuffled_keys(v, rnd) for k, v in items}
    if isinstance(value, list):
        return [shuffled_keys(v, rnd) for v in value]
    return value


def reorder_events(events: list[dict], rnd: random.Random) -> list[dict]:
    """A random order of the events in which events of one day keep their relative order."""
    order = [events[i] for i in rnd.sample(range(len(events)), len(events))]
    queues: dict[str, list[dict]] = {}
    for e in events:
        queues.setdefault(e["on"], []).append(e)
    return [queues[e["on"]].pop(0) for e in order]


def half_width(number: str) -> str:
    return number.replace("（", "(").replace("）", ")")


@FAST
@given(st.integers(0, 4), st.randoms(use_true_random=False), st.booleans())
def test_fingerprint_ignores_key_order_bracket_width_and_event_order(example_cases, index, rnd, brackets):
    case = copy.deepcopy(example_cases[index])
    variant = shuffled_keys(case, rnd)
    variant["events"] = reorder_events(variant["events"], rnd)
    if brackets:
        variant["case_number"] = half_width(variant["case_number"])
        if "original_case_number" in variant:
            variant["original_case_number"] = half_width(variant["original_case_number"])
    a, b = parse_case(case, today=TODAY), parse_case(variant, today=TODAY)
    assert fingerprint(a) == fingerprint(b)
    assert a == b


def test_fingerprint_sees_a_changed_value(example_cases):
    case = example_cases[0]
    changed = copy.deepcopy(case)
    changed["events"][1]["on"] = "2023-03-07"
    assert fingerprint(parse_case(case, today=TODAY)) != fingerprint(parse_case(changed, today=TODAY))


def test_fingerprint_does_not_depend_on_null_or_absent_optional_fields(example_cases):
    case = example_cases[2]
    explicit = {**case, "closing": None, "tags": [], "non_litigation": False, "recovered_amount": "0.00"}
    assert fingerprint(parse_case(case, today=TODAY)) == fingerprint(parse_case(explicit, today=TODAY))


amounts = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2).map(str)
dates_2023 = st.dates(min_value=date(2023, 3, 1), max_value=date(2023, 12, 31)).map(date.isoformat)


@st.composite
def case_variations(draw) -> tuple[dict, list[dict]]:
    """Valid cases around the factory's — ``(factory keyword arguments, events to add)``:
    amounts, tags, handler, a special debtor, funds, petitions, free events, a closing."""
    filed = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2023, 2, 28)))
    type_code = draw(st.sampled_from(["执", "执恢", "执保", "执异"]))
    kwargs: dict = {"filed_on": filed.isoformat(), "type_code": type_code, "seq": draw(st.integers(1, 9999))}
    kwargs["claim_amount"] = draw(amounts)
    kwargs["recovered_amount"] = draw(amounts)
    kwargs["tags"] = draw(
        st.lists(
            st.sampled_from(["涉民生", "涉企", "涉金融", "涉党政机关", "特殊主体", "涉信访"]), unique=True
        )
    )
    kwargs["non_litigation"] = draw(st.booleans())
    kwargs["handler"] = draw(st.text(alphabet="王李张刘某 ", min_size=1, max_size=4).filter(str.strip))
    kwargs["special"] = draw(st.lists(st.sampled_from(["公职人员", "人大代表", "政协委员"]), unique=True))
    if draw(st.booleans()):
        kwargs["basis"] = {
            "document_number": "（2022）豫0823民初456号",
            "kind": "民事判决书",
            "effective_on": "2022-12-20",
        }
    extra = draw(
        st.lists(
            st.sampled_from(["field_investigation", "search", "settlement", "reward_notice"]), max_size=4
        )
    )
    events = [ev(node, draw(dates_2023), note=draw(st.sampled_from(["", "备注"])) or None) for node in extra]
    if draw(st.booleans()):
        total = str(draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2)))
        kwargs["receipts"] = [{"id": "r1", "notice_on": "2023-04-06", "amount": total}]
        kwargs["disbursements"] = [
            {"id": "d1", "receipt": "r1", "on": "2023-04-20", "amount": total, "payee": "p1"}
        ]
        if draw(st.booleans()):
            ends = draw(st.none() | st.just("2023-05-10"))
            kwargs["deferrals"] = [
                {"receipt": "r1", "approved_on": "2023-04-10", "ground": "异议", "ends_on": ends}
            ]
    if draw(st.booleans()):
        kwargs["petitions"] = [
            {"id": "x1", "received_on": "2023-04-01", "source": draw(st.sampled_from(["来访", "来信", "网上", "电话"])),
             "about_lower_court": draw(st.booleans()), "replied": draw(st.none() | st.booleans()),
             "closed_on": draw(st.none() | st.just("2023-04-20"))}
        ]  # fmt: skip
    if draw(st.booleans()):
        modes = ["执行完毕", "终结本次执行程序", "终结执行", "销案"] + (
            ["保全完毕", "解除保全"] if type_code == "执保" else []
        )
        kwargs["closing"] = {"on": "2023-12-31", "mode": draw(st.sampled_from(modes))}
    return kwargs, events


def build_variation(bundle_case, variation) -> dict:
    kwargs, events = variation
    kwargs = dict(kwargs)
    special = kwargs.pop("special")
    case = bundle_case(**kwargs)
    case["events"] += events
    if special:
        case["parties"][1]["special"] = special
    return case


@FAST
@given(case_variations())
def test_parse_of_the_canonical_form_is_the_identity_on_variations(bundle_case, variation):
    record = parse_case(build_variation(bundle_case, variation), today=TODAY)
    assert parse_case(case_to_bundle(record), today=TODAY) == record
    assert parse_case(json.loads(dumps(record)), today=TODAY) == record


@FAST
@given(case_variations(), st.randoms(use_true_random=False))
def test_fingerprint_of_variations_ignores_presentation(bundle_case, variation, rnd):
    case = build_variation(bundle_case, variation)
    variant = shuffled_keys(case, rnd)
    variant["events"] = reorder_events(variant["events"], rnd)
    variant["case_number"] = half_width(variant["case_number"])
    assert fingerprint(parse_case(variant, today=TODAY)) == fingerprint(parse_case(case, today=TODAY))


def test_resumed_on_is_not_part_of_the_canonical_form(example_cases):
    record = parse_case(example_cases[0], today=TODAY)
    assert fingerprint(replace(record, resumed_on=date(2023, 9, 1))) == fingerprint(record)


# -- the fast paths of parsing (cases/bundle.py): what the general rules give --------------------------


@pytest.mark.parametrize(
    ("values", "index"),
    [(["存款", "黄金"], 1), ([None, "存款"], 0), (["存款", ["存款"]], 1), ([{"a": 1}], 0)],
)
def test_a_list_of_choices_fails_at_its_first_bad_item_as_one_choice_does(values, index):
    from zhixing.cases.bundle import _choice, _each_choice
    from zhixing.flow.nodes import INQUIRY_CATEGORIES

    with pytest.raises(BundleError) as single:
        _choice(values[index], f"x.categories[{index}]", INQUIRY_CATEGORIES)
    with pytest.raises(BundleError) as each:
        _each_choice(values, "x.categories", INQUIRY_CATEGORIES)
    assert (each.value.field, each.value.message) == (single.value.field, single.value.message)
    _each_choice(["存款", "车辆"], "x.categories", INQUIRY_CATEGORIES)  # all allowed: no error


def test_a_date_read_before_is_the_same_date_and_a_bad_one_stays_bad(bundle_case):
    from zhixing.cases.bundle import _date

    assert _date("2023-03-05", "a") == _date("2023-03-05", "b") == date(2023, 3, 5)
    for _ in range(2):  # not remembered: the second time is the same error
        with pytest.raises(BundleError) as caught:
            _date("2023-02-30", "x.on")
        assert (caught.value.field, caught.value.message) == ("x.on", "日期 2023-02-30 不存在")
    case = bundle_case()
    case["events"][1]["on"] = "2023-3-05"  # after the same day in its right form was read
    assert rejected(case).field == "events[1].on"


def test_an_event_keeps_its_other_fields_in_their_order(bundle_case):
    case = bundle_case()
    case["events"].append(
        {"note": "见笔录", "on": "2023-03-05", "party": "p2", "node": "fine", "amount": "10.00"}
    )
    event = next(e for e in parse_case(case, today=TODAY).events if e.node == "fine")
    assert list(event.data.items()) == [("note", "见笔录"), ("party", "p2"), ("amount", "10.00")]


def test_an_event_that_is_not_an_object(bundle_case):
    case = bundle_case()
    case["events"].insert(1, ["field_investigation", "2023-03-05"])
    error = rejected(case)
    assert (error.field, error.message) == ("events[1]", "应为对象")


def test_a_party_with_an_id_number_holds_the_birth_date_it_carries(bundle_case):
    given = bundle_case(parties=[bundle_case.applicant(birth_date="1985-03-12"), bundle_case.debtor()])
    plain = bundle_case(parties=[bundle_case.applicant(), bundle_case.debtor()])  # born 1985-03-12
    a, b = (parse_case(c, today=TODAY).parties[0] for c in (given, plain))
    assert a == b and a.birth_date == date(1985, 3, 12)
    assert "birth_date" not in case_to_bundle(parse_case(given, today=TODAY))["parties"][0]
