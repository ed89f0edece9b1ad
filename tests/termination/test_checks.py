"""终本 checks T1–T14 and the verdict (indicators.md §7; rules.md §1.3 TERM-*).

Cases are bundle-shaped dicts (spec/case-bundle.md) parsed with ``parse_case``. The base is
example case A of spec/example.jsonl — a compliant 终本 closing of 武陟县法院 filed
2023-03-02 and closed 2023-06-30 — and each test changes the one fact it is about.

Calendar facts used (State Council schedules): 国庆 2023 is 09-29…10-06 off with Saturday
10-07 and Sunday 10-08 worked.
"""

import copy
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixing.cases.bundle import parse_case
from zhixing.lib.identifiers import id_number_check_char
from zhixing.termination.rules import (
    TerminationFacts,
    TerminationVerdict,
    check_termination,
    t1_execution_notice,
    t2_report_order,
    t3_consumption_restriction,
    t4_credit_listing,
    t5_online_inquiry,
    t6_clues_verified,
    t7_three_months,
    t8_debtor_search,
    t9_interview,
    t10_consent_or_approval,
    t11_ruling_served,
    t12_coercive_measures,
    t13_found_assets,
    t14_pending,
    t14_registry_entry,
    termination_facts,
)

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "example.jsonl"
A_NUMBER = "（2023）豫0823执1234号"
ALL4 = ["存款", "车辆", "不动产", "有价证券"]

# Example case A, verbatim from spec/example.jsonl.
CASE_A = {
    "case_number": A_NUMBER, "court": "豫0823", "case_type": "首次执行", "application_received_on": "2023-02-27",
    "filed_on": "2023-03-02",
    "basis": {"document_number": "（2022）豫0823民初456号", "issuer": "武陟县人民法院", "kind": "民事判决书", "effective_on": "2022-12-20"},
    "claim_amount": "125000.00", "recovered_amount": "0.00", "tags": ["涉企"], "handler": "王某",
    "parties": [
        {"id": "p1", "role": "申请执行人", "kind": "自然人", "name": "张某", "id_number": "410823198503122036"},
        {"id": "p2", "role": "被执行人", "kind": "法人", "name": "武陟县某建材有限公司", "credit_code": "91410823MA3X4K2L38", "legal_representative": "赵某"},
    ],
    "events": [
        {"node": "handler_assigned", "on": "2023-03-03", "handler": "王某"},
        {"node": "execution_notice", "on": "2023-03-06"},
        {"node": "property_report_order", "on": "2023-03-06"},
        {"node": "clue_request", "on": "2023-03-06"},
        {"node": "online_inquiry", "on": "2023-03-08", "system": "总对总", "categories": ["存款", "车辆", "不动产", "有价证券", "网络资金", "股权"], "found": [{"asset": "a1", "category": "存款", "value": "523.00"}]},
        {"node": "consumption_restriction", "on": "2023-03-10", "party": "p2"},
        {"node": "property_report", "on": "2023-03-20", "party": "p2", "status": "拒绝"},
        {"node": "fine", "on": "2023-03-28", "party": "p2"},
        {"node": "credit_listing", "on": "2023-03-28", "party": "p2", "grounds": ["G4"], "term_years": 2},
        {"node": "field_investigation", "on": "2023-04-12"},
        {"node": "online_inquiry", "on": "2023-06-20", "system": "总对总", "categories": ["存款", "车辆", "不动产", "有价证券"], "found": []},
        {"node": "applicant_interview", "on": "2023-06-25", "opinion": "同意"},
        {"node": "termination_ruling", "on": "2023-06-28"},
        {"node": "ruling_served", "on": "2023-06-30"},
        {"node": "termination_registry_entry", "on": "2023-07-05"},
    ],
    "closing": {"on": "2023-06-30", "mode": "终结本次执行程序"},
}  # fmt: skip

DEBTOR2 = {
    "id": "p3",
    "role": "被执行人",
    "kind": "自然人",
    "name": "赵某某",
    "id_number": "410823198001011234",
}


def id_number(birth: str) -> str:
    """A valid 公民身份号码 of 武陟县 for a birth date given as YYYYMMDD."""
    first17 = f"410823{birth}123"
    return first17 + id_number_check_char(first17)


DEBTOR2["id_number"] = id_number("19800101")


def bundle(*, drop=(), add=(), **fields) -> dict:
    """Case A with the events of the ``drop`` node codes removed, ``add`` events appended
    and top-level ``fields`` replaced (``closed_on`` sets the closing day)."""
    b = copy.deepcopy(CASE_A)
    b["events"] = [e for e in b["events"] if e["node"] not in drop] + [copy.deepcopy(e) for e in add]
    if "closed_on" in fields:
        b["closing"] = {"on": fields.pop("closed_on"), "mode": "终结本次执行程序"}
    b.update(fields)
    return b


def case(**kw):
    return parse_case(bundle(**kw))


def ev(node: str, on: str, **fields) -> dict:
    return {"node": node, "on": on, **fields}


def inquiry(on: str, categories=ALL4, found=(), **fields) -> dict:
    return ev("online_inquiry", on, system="总对总", categories=list(categories), found=list(found), **fields)


# -- the whole verdict -----------------------------------------------------------------------


def test_example_case_a_is_qualified_with_nothing_pending():
    line = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    a = parse_case(json.loads(line))
    verdict = check_termination(a, date(2023, 12, 31))
    assert verdict == TerminationVerdict(A_NUMBER, date(2023, 6, 30), "合格", (), (), {})
    assert verdict.to_json() == {
        "case_number": A_NUMBER,
        "closed_on": "2023-06-30",
        "verdict": "合格",
        "failed": [],
        "pending": [],
        "reasons": {},
    }
    assert termination_facts(a) == TerminationFacts((), date(2023, 7, 7), date(2023, 7, 5))


def test_inline_case_a_is_the_example():
    line = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert json.loads(line) == CASE_A


def test_only_terminated_closings_on_or_before_as_of_are_judged():
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    others = [parse_case(json.loads(line)) for line in lines[1:]]
    assert [check_termination(c, date(2023, 12, 31)) for c in others] == [None] * 4
    a = case()
    assert check_termination(a, date(2023, 6, 29)) is None  # closed the next day
    assert check_termination(a, date(2023, 6, 30)).verdict == "合格"
    performed = case(closing={"on": "2023-06-30", "mode": "执行完毕"})
    assert check_termination(performed, date(2023, 12, 31)) is None


def test_preservation_cases_are_not_judged():
    b = bundle(case_number="（2023）豫0823执保12号", case_type="财产保全")
    assert check_termination(parse_case(b), date(2023, 12, 31)) is None


def test_resumed_case_is_judged_on_its_own_filing_date():
    b = bundle(
        case_number="（2023）豫0823执恢3号", case_type="恢复执行", original_case_number="（2022）豫0823执7号"
    )
    # The original case was filed years earlier; T7 counts from this case's own filing day.
    assert check_termination(parse_case(b), date(2023, 12, 31)).verdict == "合格"
    assert (
        t7_three_months(parse_case({**b, "closing": {"on": "2023-06-02", "mode": "终结本次执行程序"}}))
        is not None
    )


def test_failures_are_listed_in_order_with_reasons():
    c = case(drop=("execution_notice", "fine", "termination_registry_entry"))
    verdict = check_termination(c, date(2023, 12, 31))
    assert verdict.verdict == "不合格"
    assert verdict.failed == ("T1", "T12", "T14")
    assert list(verdict.reasons) == ["T1", "T12", "T14"]
    assert verdict.reasons["T1"] == "T1（TERM-2）：结案（2023-06-30）前未向被执行人发出执行通知书"
    assert verdict.to_json()["failed"] == ["T1", "T12", "T14"]


# -- T1, T2 ------------------------------------------------------------------------------------


def test_t1_execution_notice_on_the_closing_day_counts_the_next_day_does_not():
    assert t1_execution_notice(case()) is None
    assert (
        t1_execution_notice(case(drop=("execution_notice",), add=[ev("execution_notice", "2023-06-30")]))
        is None
    )
    assert (
        t1_execution_notice(case(drop=("execution_notice",), add=[ev("execution_notice", "2023-07-01")]))
        == "T1（TERM-2）：结案（2023-06-30）前未向被执行人发出执行通知书"
    )


def test_t2_report_order_before_closing():
    assert t2_report_order(case()) is None
    assert (
        t2_report_order(
            case(drop=("property_report_order",), add=[ev("property_report_order", "2023-06-30")])
        )
        is None
    )
    assert (
        t2_report_order(case(drop=("property_report_order",)))
        == "T2（TERM-2）：结案（2023-06-30）前未向被执行人发出报告财产令"
    )


# -- T3 ----------------------------------------------------------------------------------------


def test_t3_every_debtor_restricted_and_not_lifted_before_closing():
    assert t3_consumption_restriction(case()) is None
    assert (
        t3_consumption_restriction(case(drop=("consumption_restriction",)))
        == "T3（TERM-3）：被执行人武陟县某建材有限公司结案前未被采取限制消费措施"
    )
    # Restricted on the closing day: before closing includes that day.
    restricted_late = case(
        drop=("consumption_restriction",), add=[ev("consumption_restriction", "2023-06-30", party="p2")]
    )
    assert t3_consumption_restriction(restricted_late) is None
    lifted_on_closing = case(add=[ev("consumption_restriction_lifted", "2023-06-30", party="p2")])
    assert (
        t3_consumption_restriction(lifted_on_closing)
        == "T3（TERM-3）：被执行人武陟县某建材有限公司的限制消费令已于2023-06-30解除，结案时不在执行中"
    )
    lifted_after = case(add=[ev("consumption_restriction_lifted", "2023-07-01", party="p2")])
    assert t3_consumption_restriction(lifted_after) is None
    reissued = case(
        add=[
            ev("consumption_restriction_lifted", "2023-04-01", party="p2"),
            ev("consumption_restriction", "2023-05-01", party="p2"),
        ]
    )
    assert t3_consumption_restriction(reissued) is None


def test_t3_names_the_debtor_without_a_restriction():
    c = parse_case(bundle(parties=[*CASE_A["parties"], DEBTOR2]))
    assert t3_consumption_restriction(c) == "T3（TERM-3）：被执行人赵某某结案前未被采取限制消费措施"


# -- T4, T12 -----------------------------------------------------------------------------------


def test_t4_refused_report_needs_a_listing_before_closing():
    assert t4_credit_listing(case()) is None
    assert (
        t4_credit_listing(case(drop=("credit_listing",)))
        == "T4（TERM-3、CREDIT-2）：被执行人武陟县某建材有限公司拒绝报告财产（2023-03-20），结案前未被纳入失信被执行人名单"
    )
    listed_after = case(
        drop=("credit_listing",),
        add=[ev("credit_listing", "2023-07-01", party="p2", grounds=["G4"], term_years=2)],
    )
    assert t4_credit_listing(listed_after) is not None
    listed_on_closing = case(
        drop=("credit_listing",),
        add=[ev("credit_listing", "2023-06-30", party="p2", grounds=["G4"], term_years=2)],
    )
    assert t4_credit_listing(listed_on_closing) is None


@pytest.mark.parametrize("status", ["逾期", "拒绝", "虚假"])
def test_t4_t12_every_bad_report_status_is_a_breach(status):
    c = case(
        drop=("property_report", "credit_listing", "fine"),
        add=[ev("property_report", "2023-03-20", party="p2", status=status)],
    )
    assert t4_credit_listing(c).startswith(
        f"T4（TERM-3、CREDIT-2）：被执行人武陟县某建材有限公司{status}报告财产"
    )
    assert t12_coercive_measures(c).startswith(f"T12（TERM-2）：被执行人武陟县某建材有限公司{status}报告财产")


def test_t4_t12_no_report_after_the_order_is_a_breach_a_timely_report_is_not():
    timely = case(
        drop=("property_report", "credit_listing", "fine"),
        add=[ev("property_report", "2023-03-06", party="p2", status="按期")],
    )
    assert t4_credit_listing(timely) is None
    assert t12_coercive_measures(timely) is None
    none_filed = case(drop=("property_report", "credit_listing", "fine"))
    assert (
        t4_credit_listing(none_filed)
        == "T4（TERM-3、CREDIT-2）：被执行人武陟县某建材有限公司收到报告财产令（2023-03-06）后未报告财产，结案前未被纳入失信被执行人名单"
    )
    assert (
        t12_coercive_measures(none_filed)
        == "T12（TERM-2）：被执行人武陟县某建材有限公司收到报告财产令（2023-03-06）后未报告财产，结案前未被罚款、拘留或移送追究刑事责任"
    )
    # A report only after the closing is not seen.
    reported_after = case(
        drop=("property_report", "credit_listing", "fine"),
        add=[ev("property_report", "2023-07-01", party="p2", status="按期")],
    )
    assert t4_credit_listing(reported_after) is not None


def test_t4_exempts_a_minor_until_the_18th_birthday():
    def minor_case(birth: str):
        debtor = {**DEBTOR2, "id_number": id_number(birth)}
        return parse_case(
            bundle(
                parties=[CASE_A["parties"][0], debtor],
                drop=("property_report", "credit_listing", "fine", "consumption_restriction"),
                add=[ev("property_report", "2023-03-20", party="p3", status="拒绝")],
            )
        )

    # 18 on 2023-07-01, the day after the closing: still a minor when the case closed.
    assert t4_credit_listing(minor_case("20050701")) is None
    # 18 on the closing day itself: an adult, so the listing was required.
    assert t4_credit_listing(minor_case("20050630")) == (
        "T4（TERM-3、CREDIT-2）：被执行人赵某某拒绝报告财产（2023-03-20），结案前未被纳入失信被执行人名单"
    )
    # T12 has no exemption for minors.
    assert t12_coercive_measures(minor_case("20050701")) is not None


@pytest.mark.parametrize("node", ["fine", "detention", "criminal_referral"])
def test_t12_any_coercive_measure_before_closing(node):
    assert t12_coercive_measures(case(drop=("fine",), add=[ev(node, "2023-06-30", party="p2")])) is None
    assert t12_coercive_measures(case(drop=("fine",), add=[ev(node, "2023-07-01", party="p2")])) is not None


# -- T5 ----------------------------------------------------------------------------------------


def test_t5_look_back_starts_exactly_three_months_before_closing():
    base = dict(drop=("online_inquiry",))
    assert t5_online_inquiry(case(**base, add=[inquiry("2023-03-30")])) is None
    reason = t5_online_inquiry(case(**base, add=[inquiry("2023-03-29")]))
    assert reason == "T5（TERM-4）：" + "；".join(
        f"被执行人武陟县某建材有限公司的{c}最后一次网络查询为2023-03-29，早于结案前三个月（2023-03-30）"
        for c in ALL4
    )


def test_t5_names_the_stale_category():
    c = case(
        drop=("online_inquiry",),
        add=[inquiry("2023-03-08", ["不动产"]), inquiry("2023-06-20", ["存款", "车辆", "有价证券"])],
    )
    assert t5_online_inquiry(c) == (
        "T5（TERM-4）：被执行人武陟县某建材有限公司的不动产最后一次网络查询为2023-03-08，早于结案前三个月（2023-03-30）"
    )
    never = case(drop=("online_inquiry",), add=[inquiry("2023-06-20", ["存款", "车辆", "有价证券"])])
    assert t5_online_inquiry(never) == "T5（TERM-4）：被执行人武陟县某建材有限公司的不动产结案前未经网络查询"
    after_closing = case(drop=("online_inquiry",), add=[inquiry("2023-07-01")])
    assert "存款结案前未经网络查询" in t5_online_inquiry(after_closing)


def test_t5_month_end_look_back_clamps():
    # Closed 2023-05-31: three months earlier is 2023-02-28 (no 02-31).
    b = dict(
        drop=("online_inquiry",), closed_on="2023-05-31", filed_on="2023-01-05", application_received_on=None
    )
    assert t5_online_inquiry(case(**b, add=[inquiry("2023-02-28")])) is None
    assert "早于结案前三个月（2023-02-28）" in t5_online_inquiry(case(**b, add=[inquiry("2023-02-27")]))


def test_t5_per_debtor_inquiry_without_party_covers_every_debtor():
    parties = [*CASE_A["parties"], DEBTOR2]
    assert t5_online_inquiry(parse_case(bundle(parties=parties))) is None
    only_p2 = parse_case(
        bundle(parties=parties, drop=("online_inquiry",), add=[inquiry("2023-06-20", party="p2")])
    )
    assert t5_online_inquiry(only_p2) == "T5（TERM-4）：" + "；".join(
        f"被执行人赵某某的{c}结案前未经网络查询" for c in ALL4
    )
    both = parse_case(
        bundle(
            parties=parties,
            drop=("online_inquiry",),
            add=[inquiry("2023-06-20", party="p2"), inquiry("2023-06-21", party="p3")],
        )
    )
    assert t5_online_inquiry(both) is None


# -- T6, T7, T8 --------------------------------------------------------------------------------


def test_t6_every_clue_verified_before_closing():
    received = ev("clue_received", "2023-02-20", clue="c1")  # a clue may precede the filing
    assert t6_clues_verified(case(add=[received, ev("clue_verified", "2023-06-30", clue="c1")])) is None
    assert (
        t6_clues_verified(case(add=[received, ev("clue_verified", "2023-07-01", clue="c1")]))
        == "T6（TERM-4）：财产线索c1（2023-02-20收到）结案前未核查"
    )
    # A clue received after closing is not a defect of the closing.
    assert t6_clues_verified(case(add=[ev("clue_received", "2023-07-02", clue="c2")])) is None


def test_t7_exactly_three_months_fails_the_next_day_passes():
    assert t7_three_months(case(closed_on="2023-06-02")) == (
        "T7（TERM-6）：立案日2023-03-02起三个月至2023-06-02，结案日2023-06-02未超过三个月"
    )
    assert t7_three_months(case(closed_on="2023-06-03")) is None


def test_t7_month_end_is_not_rolled():
    # Filed 2023-11-30: three months later is 2024-02-29 (leap year clamp), a Thursday.
    b = bundle(
        case_number="（2023）豫0823执1999号", filed_on="2023-11-30", application_received_on=None, events=[]
    )
    assert (
        t7_three_months(parse_case({**b, "closing": {"on": "2024-02-29", "mode": "终结本次执行程序"}}))
        is not None
    )
    assert (
        t7_three_months(parse_case({**b, "closing": {"on": "2024-03-01", "mode": "终结本次执行程序"}}))
        is None
    )
    # Filed 2023-09-30: three months later is Sunday 2023-12-30 — not rolled, so 12-31 passes.
    b = {**b, "filed_on": "2023-09-30"}
    assert (
        t7_three_months(parse_case({**b, "closing": {"on": "2023-12-30", "mode": "终结本次执行程序"}}))
        is not None
    )
    assert (
        t7_three_months(parse_case({**b, "closing": {"on": "2023-12-31", "mode": "终结本次执行程序"}}))
        is None
    )


def test_t8_missing_debtor_searched_before_closing():
    missing = ev("debtor_missing", "2023-04-01", party="p2")
    assert t8_debtor_search(case()) is None
    assert t8_debtor_search(case(add=[missing, ev("debtor_search", "2023-06-30", party="p2")])) is None
    assert (
        t8_debtor_search(case(add=[missing, ev("debtor_search", "2023-07-01", party="p2")]))
        == "T8（TERM-7）：被执行人武陟县某建材有限公司下落不明（2023-04-01），结案前未依法查找"
    )


# -- T9, T10, T11 ------------------------------------------------------------------------------


def test_t9_interview_on_or_before_the_ruling_day():
    on_ruling_day = case(
        drop=("applicant_interview",), add=[ev("applicant_interview", "2023-06-28", opinion="不同意")]
    )
    assert t9_interview(on_ruling_day) is None
    after = case(drop=("applicant_interview",), add=[ev("applicant_interview", "2023-06-29", opinion="同意")])
    assert t9_interview(after) == "T9（TERM-8）：终本裁定（2023-06-28）前未约谈申请执行人并记录其对终本的意见"
    assert t9_interview(case(drop=("applicant_interview",))) is not None


def test_t10_consent_or_collegial_review_and_president_approval():
    assert t10_consent_or_approval(case()) is None
    refused = dict(drop=("applicant_interview",))
    refused_add = [ev("applicant_interview", "2023-06-25", opinion="不同意")]
    reason = "T10（TERM-9）：终本裁定（2023-06-28）前申请执行人未同意终结本次执行程序，也未经合议庭评议并报院长批准"
    assert t10_consent_or_approval(case(**refused, add=refused_add)) == reason
    review, approval = ev("collegial_review", "2023-06-27"), ev("president_approval", "2023-06-28")
    assert t10_consent_or_approval(case(**refused, add=[*refused_add, review, approval])) is None
    assert t10_consent_or_approval(case(**refused, add=[*refused_add, review])) == reason
    late_approval = ev("president_approval", "2023-06-29")
    assert t10_consent_or_approval(case(**refused, add=[*refused_add, review, late_approval])) == reason
    # Consent after the ruling does not count.
    late_consent = [ev("applicant_interview", "2023-06-29", opinion="同意")]
    assert t10_consent_or_approval(case(**refused, add=late_consent)) == reason


def test_without_a_ruling_t9_t10_t11_fail_and_t14_does_not_apply():
    c = case(drop=("termination_ruling", "ruling_served", "termination_registry_entry"))
    verdict = check_termination(c, date(2023, 12, 31))
    assert verdict.failed == ("T9", "T10", "T11")
    assert verdict.pending == ()
    assert (
        verdict.reasons["T9"]
        == "T9（TERM-8）：结案前没有终本裁定，无法认定裁定前已约谈申请执行人并听取其意见"
    )
    assert (
        verdict.reasons["T10"]
        == "T10（TERM-9）：结案前没有终本裁定，无法认定申请执行人同意或经合议庭评议并报院长批准"
    )
    assert verdict.reasons["T11"] == "T11（TERM-10）：结案（2023-06-30）前未作出终结本次执行程序裁定"
    # A ruling after the closing is not seen by T9/T10/T11.
    late = case(drop=("termination_ruling",), add=[ev("termination_ruling", "2023-07-01")])
    assert check_termination(late, date(2023, 12, 31)).failed[:3] == ("T9", "T10", "T11")


def test_t11_served_before_closing_and_claim_not_fully_recovered():
    assert t11_ruling_served(case()) is None
    served_late = case(drop=("ruling_served",), add=[ev("ruling_served", "2023-07-01")])
    assert (
        t11_ruling_served(served_late)
        == "T11（TERM-10）：终本裁定（2023-06-28）未在结案（2023-06-30）前送达申请执行人"
    )
    assert t11_ruling_served(case(recovered_amount="124999.99")) is None
    assert (
        t11_ruling_served(case(recovered_amount="125000.00"))
        == "T11（TERM-10）：执行到位金额125000.00元已达申请执行标的125000.00元，没有未实现的债权"
    )


# -- T13 ---------------------------------------------------------------------------------------


def _found(value: str, category: str = "存款", claim: str = "125000.00", add=()):
    found = [{"asset": "a9", "category": category, "value": value}]
    return case(claim_amount=claim, add=[inquiry("2023-06-21", found=found), *add])


def test_t13_small_balance_under_1000_yuan():
    assert t13_found_assets(_found("999.99")) is None
    assert t13_found_assets(_found("1000.00")) == (
        "T13（TERM-5）：网络查询发现的财产a9（存款，1000.00元）结案前未扣划、未处置，也未记录无法处置的原因"
        "（小额存款、网络资金须低于1000元且不超过未执行金额的5%即6250.00元）"
    )
    assert t13_found_assets(_found("999.99", category="网络资金")) is None
    assert t13_found_assets(_found("10.00", category="车辆")) is not None


def test_t13_small_balance_at_most_5_percent_of_the_unpaid_claim():
    # Unpaid 12000.00 − 2000.00 = 10000.00; 5% is 500.00, inclusive.
    def balance(value: str):
        found = [{"asset": "a9", "category": "存款", "value": value}]
        return case(
            claim_amount="12000.00", recovered_amount="2000.00", drop=("online_inquiry",),
            add=[inquiry("2023-06-21", found=found)],
        )  # fmt: skip

    assert t13_found_assets(balance("500.00")) is None
    assert t13_found_assets(balance("500.01")) == (
        "T13（TERM-5）：网络查询发现的财产a9（存款，500.01元）结案前未扣划、未处置，也未记录无法处置的原因"
        "（小额存款、网络资金须低于1000元且不超过未执行金额的5%即500.00元）"
    )


@pytest.mark.parametrize(
    ("disposal", "passes"),
    [
        (ev("deduction", "2023-06-25", asset="a9", amount="5000.00"), True),
        (ev("auction", "2023-06-25", asset="a9", result="成交"), True),
        (ev("auction", "2023-06-25", asset="a9", result="流拍"), False),
        (ev("sale", "2023-06-25", asset="a9"), True),
        (ev("in_kind_satisfaction", "2023-06-25", asset="a9"), True),
        (ev("asset_not_disposable", "2023-06-30", asset="a9", reason="登记查封未能实际扣押"), True),
        (ev("asset_not_disposable", "2023-07-01", asset="a9", reason="登记查封未能实际扣押"), False),
    ],
)
def test_t13_found_assets_disposed_before_closing(disposal, passes):
    c = _found("5000.00", category="车辆", add=[disposal])
    assert (t13_found_assets(c) is None) is passes


def test_t13_judges_an_asset_by_its_latest_finding_and_ignores_later_ones():
    grew = case(
        add=[inquiry("2023-06-21", found=[{"asset": "a1", "category": "存款", "value": "1523.00"}])]
    )  # a1 was 523.00 on 03-08
    assert "a1（存款，1523.00元）" in t13_found_assets(grew)
    after_closing = case(
        add=[inquiry("2023-07-03", found=[{"asset": "a8", "category": "车辆", "value": "9.00"}])]
    )
    assert t13_found_assets(after_closing) is None


# -- T14 ---------------------------------------------------------------------------------------


def _served_before_national_day(registry: str | None = None):
    """Ruling served Thursday 2023-09-28: + 7 days is 10-05, in the 国庆 holiday, so the last
    day rolls to the make-up working Saturday 2023-10-07."""
    add = [
        inquiry("2023-09-20"),
        ev("applicant_interview", "2023-09-22", opinion="同意"),
        ev("termination_ruling", "2023-09-26"),
        ev("ruling_served", "2023-09-28"),
    ]
    if registry:
        add.append(ev("termination_registry_entry", registry))
    return case(
        closed_on="2023-09-28",
        drop=("applicant_interview", "termination_ruling", "ruling_served", "termination_registry_entry"),
        add=add,
    )


def test_t14_pending_until_the_rolled_last_day():
    c = _served_before_national_day()
    assert termination_facts(c).t14_due == date(2023, 10, 7)
    verdict = check_termination(c, date(2023, 10, 6))
    assert (verdict.verdict, verdict.failed, verdict.pending) == ("合格", (), ("T14",))
    assert t14_pending(c, date(2023, 10, 6)) is True
    assert t14_registry_entry(c, date(2023, 10, 6)) is None


def test_t14_fails_from_the_last_day_without_an_entry_verdict_to_be_completed():
    c = _served_before_national_day()
    verdict = check_termination(c, date(2023, 10, 7))
    assert (verdict.verdict, verdict.failed, verdict.pending) == ("待完善", ("T14",), ())
    assert verdict.reasons == {
        "T14": "T14（TERM-11）：终本裁定于2023-09-28送达申请执行人，应于2023-10-07前录入终结本次执行程序案件信息库，"
        "截至2023-10-07仍未录入"
    }


def test_t14_passes_once_an_entry_exists_lateness_is_k7s():
    on_time = _served_before_national_day("2023-10-07")
    assert check_termination(on_time, date(2023, 10, 7)).verdict == "合格"
    late = _served_before_national_day("2023-10-09")
    assert check_termination(late, date(2023, 10, 8)).verdict == "待完善"
    after = check_termination(late, date(2023, 10, 9))
    assert (after.verdict, after.failed, after.pending) == ("合格", (), ())


def test_t14_pending_does_not_hide_other_failures():
    c = case(drop=("execution_notice",))
    verdict = check_termination(c, date(2023, 7, 1))
    assert (verdict.verdict, verdict.failed, verdict.pending) == ("不合格", ("T1",), ("T14",))


# -- the stored facts agree with the verdict at every as-of -------------------------------------

FAILURES = {
    "none": {},
    "t1": {"drop": ("execution_notice",)},
    "t7": {"closed_on": "2023-06-02"},
}


@settings(max_examples=150, deadline=None)
@given(
    served_offset=st.integers(min_value=-2, max_value=40),
    registry_offset=st.one_of(st.none(), st.integers(min_value=-3, max_value=40)),
    as_of_offset=st.integers(min_value=0, max_value=60),
    failure=st.sampled_from(sorted(FAILURES)),
    served=st.booleans(),
)
def test_facts_formula_agrees_with_check_termination(
    served_offset, registry_offset, as_of_offset, failure, served
):
    kw = dict(FAILURES[failure])
    closed = date.fromisoformat(kw.pop("closed_on", "2023-06-30"))
    drop = (*kw.pop("drop", ()), "ruling_served", "termination_registry_entry", "termination_ruling")
    add = [ev("termination_ruling", (closed - timedelta(days=2)).isoformat())]
    if served:
        add.append(ev("ruling_served", (closed + timedelta(days=served_offset)).isoformat()))
    if registry_offset is not None:
        add.append(ev("termination_registry_entry", (closed + timedelta(days=registry_offset)).isoformat()))
    c = case(closed_on=closed.isoformat(), drop=drop, add=add)
    as_of = closed + timedelta(days=as_of_offset)

    facts = termination_facts(c)
    verdict = check_termination(c, as_of)
    qualified = not facts.failed_static and (
        facts.t14_due is None
        or facts.t14_due > as_of
        or (facts.registry_entry_on is not None and facts.registry_entry_on <= as_of)
    )
    assert (verdict.verdict == "合格") is qualified
    assert verdict.failed == facts.failed_at(as_of)
