"""失信 / 限制消费 checks C1–C6 and K9 (indicators.md §6, §3; rules.md §4 CREDIT-*, §5 CONS-*).

Cases are bundle-shaped dicts (spec/case-bundle.md) parsed with ``parse_case``.

Calendar facts used (State Council schedules): 春节 2024 is 02-10…17 off with Sundays 02-04
and 02-18 worked (Friday 02-09 is a working day); 国庆 2024 is 10-01…07 off with Sunday
09-29 and Saturday 10-12 worked.
"""

import json
from datetime import date
from pathlib import Path

import pytest

from zhixing.cases.bundle import parse_case
from zhixing.cases.templatetags.case_checks import describe_check
from zhixing.credit.rules import (
    CreditRow,
    adult_from,
    credit_checks,
    k9_obligations,
    listing_facts,
)
from zhixing.flow.obligations import Obligation
from zhixing.lib.identifiers import id_number_check_char
from zhixing.lib.workdays import calendar

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "example.jsonl"
A_NUMBER = "（2023）豫0823执1234号"


def id_number(birth: str) -> str:
    """A valid 公民身份号码 of 武陟县 for a birth date given as YYYYMMDD."""
    first17 = f"410823{birth}123"
    return first17 + id_number_check_char(first17)


def example_a():
    return json.loads(EXAMPLE.read_text(encoding="utf-8").splitlines()[0])


def ev(node: str, on: str, **fields) -> dict:
    return {"node": node, "on": on, **fields}


def restricted(on: str, party: str = "p2") -> dict:
    return ev("consumption_restriction", on, party=party)


def listing(on: str, grounds=("G1",), term_years=None, party="p2", **fields) -> dict:
    return ev("credit_listing", on, party=party, grounds=list(grounds), term_years=term_years, **fields)


def inquiry(on: str, found=()) -> dict:
    return ev(
        "online_inquiry",
        on,
        system="总对总",
        categories=["存款", "车辆", "不动产", "有价证券"],
        found=list(found),
    )


def credit_case(
    events, *, filed="2024-01-10", closing=None, birth="19800101", claim="100000.00", recovered="0.00"
):
    """A 首执 case of 武陟县法院 against the natural person 周某 (p2)."""
    return parse_case(
        {
            "case_number": f"（{filed[:4]}）豫0823执88号",
            "filed_on": filed,
            "claim_amount": claim,
            "recovered_amount": recovered,
            "parties": [
                {
                    "id": "p1",
                    "role": "申请执行人",
                    "kind": "法人",
                    "name": "焦作市某商贸有限公司",
                    "credit_code": "91410800MA44AB2C30",
                },
                {
                    "id": "p2",
                    "role": "被执行人",
                    "kind": "自然人",
                    "name": "周某",
                    "id_number": id_number(birth),
                },
            ],
            "events": list(events),
            "closing": closing,
        }
    )


def one(case, as_of: date) -> CreditRow:
    (row,) = credit_checks(case, as_of)
    return row


# -- example case A: a 2-year G4 entry, never deleted ------------------------------------------


def test_example_a_term_entry_due_2025_04_02_fails_c4_at_end_of_2025():
    a = parse_case(example_a())
    rows = [r.to_json() for r in credit_checks(a, date(2025, 12, 31))]
    assert rows == [
        {
            "case_number": A_NUMBER,
            "listing": None,
            "party": "p2",
            "party_name": "武陟县某建材有限公司",
            "listed_on": "2023-03-28",
            "grounds": ["G4"],
            "term_years": 2,
            "deletion_due_on": "2025-04-02",
            "deleted_on": None,
            "failed": ["C4"],
            "reasons": {
                "C4": "C4 有期限失信信息未按时删除：删除事由（纳入期限2年届满）发生于2025-03-28，"
                "应于2025-04-02（三个工作日内）删除，截至2025-12-31仍未删除（CREDIT-9）"
            },
            "revoked_on": None,
        }
    ]
    assert k9_obligations(a, date(2025, 12, 31)) == [
        Obligation(
            "K9",
            "credit_deletion",
            None,
            date(2025, 3, 28),
            date(2025, 4, 2),
            None,
            "overdue",
            False,
            "CREDIT-9",
        )
    ]


def test_example_a_around_the_term_end():
    a = parse_case(example_a())
    assert credit_checks(a, date(2023, 3, 27)) == []
    before = one(a, date(2025, 3, 27))
    assert (before.deletion_due_on, before.failed) == (None, ())
    assert k9_obligations(a, date(2025, 3, 27)) == []
    for as_of in (date(2025, 3, 28), date(2025, 4, 1)):
        row = one(a, as_of)
        assert (row.deletion_due_on, row.failed) == (date(2025, 4, 2), ())
        assert [o.status for o in k9_obligations(a, as_of)] == ["pending"]
    assert one(a, date(2025, 4, 2)).failed == ("C4",)


@pytest.mark.parametrize(
    ("deleted", "failed", "status"), [("2025-04-02", (), "done"), ("2025-04-03", ("C4",), "done_late")]
)
def test_example_a_deleted_on_or_after_the_third_working_day(deleted, failed, status):
    b = example_a()
    b["events"].append(ev("credit_deletion", deleted, party="p2"))
    a = parse_case(b)
    row = one(a, date(2025, 12, 31))
    assert (row.deleted_on, row.failed) == (date.fromisoformat(deleted), failed)
    if failed:
        assert row.reasons["C4"].endswith(f"实际于{deleted}删除（CREDIT-9）")
    (k9,) = k9_obligations(a, date(2025, 12, 31))
    assert (k9.done_on, k9.status) == (date.fromisoformat(deleted), status)
    # The deletion is not seen before it happens.
    assert one(a, date(2025, 4, 1)).deleted_on is None


# -- C1 ----------------------------------------------------------------------------------------


def test_c1_eighteen_on_the_18th_birthday():
    def row(listed_on: str) -> CreditRow:
        c = credit_case(
            [restricted("2023-06-01"), listing(listed_on, ("G4",), 2)], filed="2023-05-10", birth="20050701"
        )
        return one(c, date(2023, 12, 31))

    assert row("2023-07-01").failed == ()
    minor = row("2023-06-30")
    assert minor.failed == ("C1",)
    assert minor.reasons["C1"] == (
        "C1 纳入时未满十八周岁：周某生于2005-07-01，2023-07-01年满十八周岁，"
        "纳入失信被执行人名单时（2023-06-30）系未成年人，不得纳入（CREDIT-4）"
    )


def test_c1_born_on_02_29_is_18_on_02_28_of_a_common_year():
    assert adult_from(date(2004, 2, 29)) == date(2022, 2, 28)

    def row(listed_on: str) -> CreditRow:
        c = credit_case(
            [restricted("2022-02-01"), listing(listed_on, ("G4",), 2)], filed="2022-01-10", birth="20040229"
        )
        return one(c, date(2022, 12, 31))

    assert row("2022-02-28").failed == ()
    assert row("2022-02-27").failed == ("C1",)


def test_c1_does_not_apply_to_units():
    a = parse_case(example_a())
    assert "C1" not in one(a, date(2024, 1, 1)).failed


# -- C2 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grounds", "term", "ok"),
    [
        (["G1"], None, True),
        (["G1"], 2, False),
        (["G4"], 2, True),
        (["G4"], None, False),
        (["G4"], 3, False),
        (["G2"], 3, True),
        (["G2"], 5, True),
        (["G2"], 6, False),
        (["G4", "G5"], 5, True),
        (["G1", "G4"], 3, True),
        (["G1", "G4"], 2, True),
        (["G4"], 1, False),
    ],
)
def test_c2_term_rules(grounds, term, ok):
    c = credit_case([restricted("2024-02-01"), listing("2024-02-01", grounds, term)])
    assert ("C2" not in one(c, date(2024, 3, 1)).failed) is ok


def test_c2_reasons():
    def reason(grounds, term):
        c = credit_case([restricted("2024-02-01"), listing("2024-02-01", grounds, term)])
        return one(c, date(2024, 3, 1)).reasons["C2"]

    assert (
        reason(["G1"], 2)
        == "C2 失信期限不当：仅以“有履行能力而拒不履行”纳入的失信名单不设期限，实际记载期限2年（CREDIT-5）"
    )
    assert (
        reason(["G4"], 3) == "C2 失信期限不当：仅以“违反财产报告制度”一项情形纳入的，期限为二年；"
        "延长至3年须有妨碍、抗拒执行情节严重或多项失信行为（CREDIT-5）"
    )
    assert (
        reason(["G4"], None)
        == "C2 失信期限不当：以“违反财产报告制度”纳入的失信名单应记载二年（或依法延长为三至五年）的期限，"
        "实际为未记载（CREDIT-5）"
    )


# -- C3 ----------------------------------------------------------------------------------------

PERFORMED_BEFORE_NATIONAL_DAY = {"on": "2024-09-27", "mode": "执行完毕"}


def test_c3_third_working_day_after_a_performed_closing_over_national_day_2024():
    # Closed Friday 2024-09-27: working days after it are Sun 09-29 (make-up), Mon 09-30,
    # then Tue 10-08 after the holiday.
    events = [restricted("2024-03-01"), listing("2024-03-01")]
    c = credit_case(events, closing=PERFORMED_BEFORE_NATIONAL_DAY)
    pending = one(c, date(2024, 10, 7))
    assert (pending.deletion_due_on, pending.failed) == (date(2024, 10, 8), ())
    overdue = one(c, date(2024, 10, 8))
    assert overdue.failed == ("C3",)
    assert overdue.reasons["C3"] == (
        "C3 无期限失信信息未按时删除：删除事由（案件以执行完毕结案）发生于2024-09-27，"
        "应于2024-10-08（三个工作日内）删除，截至2024-10-08仍未删除（CREDIT-8）"
    )
    on_time = credit_case(
        [*events, ev("credit_deletion", "2024-10-08", party="p2")], closing=PERFORMED_BEFORE_NATIONAL_DAY
    )
    assert one(on_time, date(2024, 12, 31)).failed == ()
    late = credit_case(
        [*events, ev("credit_deletion", "2024-10-09", party="p2")], closing=PERFORMED_BEFORE_NATIONAL_DAY
    )
    assert one(late, date(2024, 12, 31)).failed == ("C3",)
    assert k9_obligations(late, date(2024, 12, 31)) == [
        Obligation(
            "K9",
            "credit_deletion",
            None,
            date(2024, 9, 27),
            date(2024, 10, 8),
            date(2024, 10, 9),
            "done_late",
            False,
            "CREDIT-8",
        )
    ]


@pytest.mark.parametrize(
    ("mode", "ground"), [("终结执行", "案件裁定终结执行"), ("不予执行", "案件裁定不予执行")]
)
def test_c3_other_closings_that_end_the_case_for_good(mode, ground):
    c = credit_case(
        [restricted("2024-03-01"), listing("2024-03-01")], closing={"on": "2024-09-27", "mode": mode}
    )
    row = one(c, date(2024, 12, 31))
    assert (row.deletion_due_on, row.failed) == (date(2024, 10, 8), ("C3",))
    assert f"（{ground}）" in row.reasons["C3"]


def test_c3_not_closed_or_withdrawn_is_no_ground():
    events = [restricted("2024-03-01"), listing("2024-03-01")]
    for closing in (None, {"on": "2024-09-27", "mode": "销案"}):
        row = one(credit_case(events, closing=closing), date(2025, 12, 31))
        assert (row.deletion_due_on, row.failed) == (None, ())


def test_c3_second_empty_inquiry_after_a_termination_closing_over_spring_festival_2024():
    events = [
        restricted("2023-03-01"),
        listing("2023-03-01"),
        inquiry("2023-12-29"),  # on the closing day: not after it
        inquiry(
            "2024-01-15", found=[{"asset": "a1", "category": "存款", "value": "10.00"}]
        ),  # found something
        inquiry("2024-01-20"),
        inquiry("2024-02-08"),  # the second empty one: Thursday before 春节
    ]
    closing = {"on": "2023-12-29", "mode": "终结本次执行程序"}
    c = credit_case(events, filed="2023-02-01", closing=closing)
    assert one(c, date(2024, 2, 7)).deletion_due_on is None
    # Working days after 02-08: Fri 02-09, Sun 02-18 (make-up), Mon 02-19.
    row = one(c, date(2024, 2, 19))
    assert (row.deletion_due_on, row.failed) == (date(2024, 2, 19), ("C3",))
    assert row.reasons["C3"].startswith(
        "C3 无期限失信信息未按时删除："
        "删除事由（终本后两次网络查询（2024-01-20、2024-02-08）均未发现可供执行财产）发生于2024-02-08"
    )
    assert one(c, date(2024, 2, 18)).failed == ()
    deleted = credit_case(
        [*events, ev("credit_deletion", "2024-02-19", party="p2")], filed="2023-02-01", closing=closing
    )
    assert one(deleted, date(2024, 12, 31)).failed == ()


def test_c3_does_not_apply_to_term_entries():
    c = credit_case(
        [restricted("2024-03-01"), listing("2024-03-01", ("G4",), 2)], closing=PERFORMED_BEFORE_NATIONAL_DAY
    )
    row = one(c, date(2024, 12, 31))
    assert (row.deletion_due_on, row.failed) == (None, ())
    assert k9_obligations(c, date(2024, 12, 31)) == []


# -- C4 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deleted", "failed"), [(None, ("C4",)), ("2024-10-08", ()), ("2024-10-09", ("C4",))]
)
def test_c4_term_ending_on_a_saturday_before_national_day_2024(deleted, failed):
    # Listed 2022-09-28 for 2 years: the term ends Saturday 2024-09-28 (not rolled); the 3rd
    # working day after it is 2024-10-08.
    events = [restricted("2022-09-28"), listing("2022-09-28", ("G4",), 2)]
    if deleted:
        events.append(ev("credit_deletion", deleted, party="p2"))
    c = credit_case(events, filed="2022-09-01")
    row = one(c, date(2024, 12, 31))
    assert (row.deletion_due_on, row.failed) == (date(2024, 10, 8), failed)
    assert one(c, date(2024, 10, 7)).failed == ()


def test_c4_term_from_02_29_ends_on_02_28():
    c = credit_case([restricted("2024-02-29"), listing("2024-02-29", ("G5",), 2)])
    (k9,) = k9_obligations(c, date(2026, 12, 31))
    assert k9.trigger_on == date(2026, 2, 28)


def test_k9_is_provisional_through_a_year_without_a_schedule():
    c = credit_case([restricted("2025-06-10"), listing("2025-06-10", ("G4",), 2)], filed="2025-06-01")
    (k9,) = k9_obligations(c, date(2027, 12, 31))
    assert k9.trigger_on == date(2027, 6, 10)
    assert k9.provisional is (not calendar().is_official(2027))


# -- C5 ----------------------------------------------------------------------------------------


def test_c5_restriction_on_or_before_the_listing_day():
    assert one(credit_case([restricted("2024-02-01"), listing("2024-02-01")]), date(2024, 3, 1)).failed == ()
    late = one(credit_case([listing("2024-02-01"), restricted("2024-02-02")]), date(2024, 3, 1))
    assert late.failed == ("C5",)
    assert (
        late.reasons["C5"]
        == "C5 未同时限制消费：纳入失信被执行人名单时（2024-02-01）未对周某采取限制消费措施（CONS-2）"
    )
    assert describe_check("C5", late.reasons["C5"]) == {
        "check": "C5",
        "title": "纳入失信名单时限制消费",
        "text": "纳入失信被执行人名单时（2024-02-01）未对周某采取限制消费措施",
        "rule": "CONS-2",
    }
    lifted_before = [
        restricted("2024-01-20"),
        ev("consumption_restriction_lifted", "2024-01-25", party="p2"),
        listing("2024-02-01"),
    ]
    assert one(credit_case(lifted_before), date(2024, 3, 1)).reasons == {
        "C5": "C5 未同时限制消费：纳入失信被执行人名单时（2024-02-01），"
        "对周某的限制消费令已于2024-01-25解除（CONS-2）"
    }
    other_party = credit_case([restricted("2024-02-01", party="p1"), listing("2024-02-01")])
    assert one(other_party, date(2024, 3, 1)).failed == ("C5",)


def test_c5_not_lifted_while_the_listing_is_active():
    base = [restricted("2024-02-01"), listing("2024-02-01")]
    lifted = [*base, ev("consumption_restriction_lifted", "2024-05-01", party="p2")]
    row = one(credit_case(lifted), date(2024, 6, 1))
    assert row.failed == ("C5",)
    assert row.reasons["C5"] == (
        "C5 失信期间解除限制消费：周某的限制消费令于2024-05-01解除，而其失信名单信息仍在公布中（CONS-2）"
    )
    # Not yet lifted at an earlier as-of.
    assert one(credit_case(lifted), date(2024, 4, 30)).failed == ()
    # Lifted on the day the listing was deleted, or later: fine.
    for lift in ("2024-05-01", "2024-05-02"):
        ended = [
            *base,
            ev("credit_deletion", "2024-05-01", party="p2"),
            ev("consumption_restriction_lifted", lift, party="p2"),
        ]
        assert one(credit_case(ended), date(2024, 6, 1)).failed == ()


# -- C6 ----------------------------------------------------------------------------------------


def restraint(on: str, value: str, expires_on: str = "2025-01-31", asset: str = "a1") -> dict:
    return ev(
        "restraint", on, asset=asset, measure="冻结", category="存款", value=value, expires_on=expires_on
    )


@pytest.mark.parametrize(
    ("extra", "ok"),
    [
        ([restraint("2024-01-31", "99999.99")], True),
        ([restraint("2024-01-31", "100000.00")], False),
        ([restraint("2024-01-31", "60000.00"), restraint("2024-02-01", "40000.00", asset="a2")], False),
        ([restraint("2024-02-02", "100000.00")], True),  # after the listing day
        ([restraint("2024-01-10", "100000.00"), ev("restraint_released", "2024-02-01", asset="a1")], True),
        ([restraint("2024-01-10", "100000.00", expires_on="2024-01-31")], True),  # expired the day before
        (
            [restraint("2024-01-10", "100000.00", expires_on="2024-02-01")],
            False,
        ),  # expires on the listing day
        (
            [
                restraint("2024-01-10", "100000.00", expires_on="2024-01-20"),
                ev("restraint_renewed", "2024-01-19", asset="a1", expires_on="2024-07-20"),
            ],
            False,
        ),
    ],
)
def test_c6_active_restraints_below_the_unpaid_claim(extra, ok):
    c = credit_case([restricted("2024-02-01"), *extra, listing("2024-02-01")])
    assert ("C6" not in one(c, date(2024, 3, 1)).failed) is ok


def test_c6_uses_the_unpaid_claim_and_names_it():
    c = credit_case(
        [restricted("2024-02-01"), restraint("2024-01-31", "60000.00"), listing("2024-02-01")],
        recovered="40000.00",
    )
    row = one(c, date(2024, 3, 1))
    assert row.reasons["C6"] == (
        "C6 已控财产足以清偿：纳入失信被执行人名单时（2024-02-01）已查封、扣押、冻结的财产价值60,000.00元，"
        "不低于未执行金额60,000.00元，不得以“有履行能力而拒不履行”纳入（CREDIT-3）"
    )


def test_c6_does_not_apply_to_term_entries():
    c = credit_case(
        [restricted("2024-02-01"), restraint("2024-01-31", "500000.00"), listing("2024-02-01", ("G4",), 2)]
    )
    assert one(c, date(2024, 3, 1)).failed == ()


# -- which listing a deletion or revocation ends -------------------------------------------------


def test_a_deletion_naming_no_listing_ends_every_active_listing_of_the_party():
    events = [
        restricted("2024-02-01"),
        listing("2024-02-01", id="L1"),
        listing("2024-03-01", ("G4",), 2, id="L2"),
        ev("credit_deletion", "2024-04-01", party="p2"),
        listing("2024-04-01", ("G5",), 2, id="L3"),  # after the deletion (same day, later in order)
    ]
    facts = listing_facts(credit_case(events))
    assert [(f.listing, f.ended_on, f.ended_by) for f in facts] == [
        ("L1", date(2024, 4, 1), "credit_deletion"),
        ("L2", date(2024, 4, 1), "credit_deletion"),
        ("L3", None, None),
    ]


def test_a_deletion_naming_a_listing_ends_only_that_one():
    events = [
        restricted("2024-02-01"),
        listing("2024-02-01", id="L1"),
        listing("2024-03-01", ("G4",), 2, id="L2"),
        ev("credit_deletion", "2024-04-01", party="p2", listing="L2"),
    ]
    rows = credit_checks(credit_case(events), date(2024, 6, 1))
    assert [(r.listing, r.deleted_on) for r in rows] == [("L1", None), ("L2", date(2024, 4, 1))]


def _revoked(on: str):
    events = [
        restricted("2024-03-01"),
        listing("2024-03-01", id="L1"),
        ev("credit_revocation", on, party="p2", listing="L1"),
    ]
    return credit_case(events, closing=PERFORMED_BEFORE_NATIONAL_DAY)  # deletion due 2024-10-08


def test_a_revocation_by_the_due_day_ends_the_listing_and_every_obligation():
    c = _revoked("2024-10-08")
    # Before the revocation the deletion is pending …
    assert one(c, date(2024, 10, 7)).deletion_due_on == date(2024, 10, 8)
    assert [o.status for o in k9_obligations(c, date(2024, 10, 7))] == ["pending"]
    # … once revoked, the obligation is gone.
    row = one(c, date(2024, 12, 31))
    assert (row.revoked_on, row.deleted_on, row.deletion_due_on, row.failed) == (
        date(2024, 10, 8),
        None,
        None,
        (),
    )
    assert row.to_json()["revoked_on"] == "2024-10-08"
    assert k9_obligations(c, date(2024, 12, 31)) == []
    (facts,) = listing_facts(c)
    assert facts.has_deletion_obligation is False


def test_a_revocation_after_the_due_day_discharges_the_overdue_deletion_late():
    c = _revoked("2024-10-10")
    assert one(c, date(2024, 10, 9)).failed == ("C3",)
    assert [o.status for o in k9_obligations(c, date(2024, 10, 9))] == ["overdue"]
    # A report as of 2024-10-09 must not change once the revocation is known.
    row = one(c, date(2024, 12, 31))
    assert (row.revoked_on, row.deletion_due_on, row.failed) == (
        date(2024, 10, 10),
        date(2024, 10, 8),
        ("C3",),
    )
    assert row.reasons["C3"].endswith("应于2024-10-08（三个工作日内）删除，实际于2024-10-10撤销（CREDIT-8）")
    assert [(o.done_on, o.status) for o in k9_obligations(c, date(2024, 12, 31))] == [
        (date(2024, 10, 10), "done_late")
    ]


def test_a_listing_ended_before_its_ground_has_no_deletion_obligation():
    # A 2-year entry deleted early (CREDIT-5: the court may delete it early).
    events = [
        restricted("2024-03-01"),
        listing("2024-03-01", ("G4",), 2),
        ev("credit_deletion", "2024-06-01", party="p2"),
    ]
    c = credit_case(events)
    row = one(c, date(2026, 12, 31))
    assert (row.deleted_on, row.deletion_due_on, row.failed) == (date(2024, 6, 1), None, ())
    assert k9_obligations(c, date(2026, 12, 31)) == []


def test_k9_known_later_never_changes_a_past_overdue_count():
    """indicators.md §1: facts computed with everything known (as metrics.facts stores them)
    answer every earlier as-of: every obligation due by as-of is there with the same due day,
    and its done day is the stored one if on or before as-of."""
    cases = [
        _revoked("2024-10-08"),
        _revoked("2024-10-10"),
        credit_case(
            [
                restricted("2024-03-01"),
                listing("2024-03-01", id="L1"),
                listing("2024-04-01", ("G4",), 2, id="L2"),
                ev("credit_deletion", "2024-10-09", party="p2", listing="L1"),
                ev("credit_revocation", "2026-04-10", party="p2", listing="L2"),
            ],
            closing=PERFORMED_BEFORE_NATIONAL_DAY,
        ),
    ]
    for c in cases:
        known = k9_obligations(c, date(2099, 12, 31))
        day = date(2024, 2, 25)
        while day <= date(2026, 6, 1):
            due_by_then = {
                (o.ref, o.due_on, o.done_on if o.done_on and o.done_on <= day else None)
                for o in k9_obligations(c, day)
                if o.status != "pending"
            }
            stored = {
                (o.ref, o.due_on, o.done_on if o.done_on and o.done_on <= day else None)
                for o in known
                if o.due_on <= day
            }
            assert due_by_then == stored, day
            day = date.fromordinal(day.toordinal() + 3)


def test_a_minor_listed_and_revoked_is_still_reported_under_c1():
    events = [
        restricted("2024-02-01"),
        listing("2024-02-01", ("G4",), 2),
        ev("credit_revocation", "2024-02-05", party="p2"),
    ]
    row = one(credit_case(events, birth="20100101"), date(2024, 3, 1))
    assert row.failed == ("C1",)


# -- listing_facts is what the rows are made of, at every as-of ----------------------------------


def test_listing_facts_agree_with_the_rows_at_every_as_of():
    events = [
        restricted("2024-03-01"),
        listing("2024-03-01", id="L1"),
        listing("2024-04-01", ("G4",), 2, id="L2"),
        ev("credit_deletion", "2024-10-09", party="p2", listing="L1"),
    ]
    c = credit_case(events, closing=PERFORMED_BEFORE_NATIONAL_DAY)
    facts = {f.listing: f for f in listing_facts(c)}
    assert (facts["L1"].deletion_ground_on, facts["L1"].deletion_due_on) == (
        date(2024, 9, 27),
        date(2024, 10, 8),
    )
    assert (facts["L2"].deletion_ground_on, facts["L2"].rule) == (date(2026, 4, 1), "CREDIT-9")
    day = date(2024, 2, 25)
    while day <= date(2026, 5, 1):
        for row in credit_checks(c, day):
            f = facts[row.listing]
            ground = f.deletion_ground_on is not None and f.deletion_ground_on <= day
            assert row.deletion_due_on == (f.deletion_due_on if ground else None)
            assert row.deleted_on == (f.deleted_on if f.deleted_on and f.deleted_on <= day else None)
        day = date.fromordinal(day.toordinal() + 7)
