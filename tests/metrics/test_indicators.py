"""Indicators (indicators.md §4–5) over small hand-built data sets whose answers are worked
out by hand below, plus the example data's figures from tools/contract-check.

Every case is a bundle case of the factory (conftest): a 首执 case of 武陟县法院 (豫0823)
whose key nodes K1–K4 are all done on its filing day, so only what a test changes can be
overdue.

Calendar facts used (State Council 2023 schedule): 04-05 清明; 04-29…05-03 off with Sunday
04-23 and Saturday 05-06 worked; 06-22…24 off; 09-29…10-06 off with Saturday 10-07 and
Sunday 10-08 worked.
"""

from __future__ import annotations

from datetime import date

import pytest

from zhixing.courts.models import Court
from zhixing.metrics import engine
from zhixing.metrics.engine import Window, cases_needed, figure
from zhixing.metrics.services import indicator_report

W_FROM, W_TO = date(2023, 4, 1), date(2023, 6, 30)


def closing(on: str, mode: str) -> dict:
    return {"on": on, "mode": mode}


PERFORMED, TERMINATED_CURRENT, TERMINATED = "执行完毕", "终结本次执行程序", "终结执行"


def report(start=W_FROM, end=W_TO, as_of=None, court: str | None = None) -> dict:
    scope = None if court is None else Court.objects.get(code=court)
    return indicator_report(Window(start, end, as_of or end), scope)


def total(rep: dict) -> dict:
    return rep["total"]["indicators"]


def nda(fig: dict) -> tuple:
    """(numerator, denominator, value[, target, cases_needed])"""
    out = (fig["numerator"], fig["denominator"], fig["value"])
    return (*out, fig["target"], fig["cases_needed"]) if "target" in fig else out


# -- the window data set --------------------------------------------------------------------------
#
# Window 2023-04-01 … 2023-06-30. 首执 cases of 豫0823 (statutory deadline = filing + 6
# months, rolled):
#
# c1 filed 01-10, open                         carried; deadline 07-10
# c2 filed 02-01, 执行完毕 03-15                 closed before the window: not accepted
# c3 filed 03-01, 执行完毕 04-01 (window's 1st)  carried, closed, performed, within (09-01); 31 days
# c4 filed 04-01, 终本 06-30 (window's last)     new, closed, 终本; 90 days; fails T-checks (IND-09)
# c5 filed 05-10, 执行完毕 07-05 (after to)      new, not closed in W; within its deadline 11-10
# c6 filed 06-30, open                         new
# c7 filed 07-01                               after the window: nowhere
# c8 filed 2022-10-01, 终结执行 05-20             carried, closed, actual, late: deadline
#                                              2023-04-01 (Sat) → 04-03; 231 days
# c9 filed 2022-12-15, 终本 07-10 (after to)     carried, open at to; deadline 06-15
# r1 执恢 filed 04-10, 执行完毕 05-15             IND-15/16 only
# s1 执保 filed 04-10                            nowhere
#
# Amounts of the closed: c3 1000.00/1000.00, c4 5000.00/0, c8 2500.50/300.25.


@pytest.fixture
def window_cases(import_cases, bundle_case):
    result = import_cases(
        bundle_case(seq=1, filed_on="2023-01-10"),
        bundle_case(seq=2, filed_on="2023-02-01", closing=closing("2023-03-15", PERFORMED)),
        bundle_case(
            seq=3,
            filed_on="2023-03-01",
            closing=closing("2023-04-01", PERFORMED),
            claim_amount="1000.00",
            recovered_amount="1000.00",
        ),
        bundle_case(
            seq=4,
            filed_on="2023-04-01",
            closing=closing("2023-06-30", TERMINATED_CURRENT),
            claim_amount="5000.00",
        ),
        bundle_case(seq=5, filed_on="2023-05-10", closing=closing("2023-07-05", PERFORMED)),
        bundle_case(seq=6, filed_on="2023-06-30"),
        bundle_case(seq=7, filed_on="2023-07-01"),
        bundle_case(
            seq=8,
            filed_on="2022-10-01",
            closing=closing("2023-05-20", TERMINATED),
            claim_amount="2500.50",
            recovered_amount="300.25",
        ),
        bundle_case(seq=9, filed_on="2022-12-15", closing=closing("2023-07-10", TERMINATED_CURRENT)),
        bundle_case(
            seq=1,
            type_code="执恢",
            filed_on="2023-04-10",
            closing=closing("2023-05-15", PERFORMED),
            claim_amount="2000.00",
            recovered_amount="2000.00",
        ),
        bundle_case(seq=1, type_code="执保", filed_on="2023-04-10"),
    )
    assert (result.imported, result.rejected) == (11, [])


@pytest.mark.django_db
def test_counts_when_the_window_cuts_through_cases(window_cases):
    got = total(report())
    # new c4 c5 c6 = 3; carried c1 c3 c8 c9 = 4; accepted 7; closed in W c3 c4 c8 = 3.
    assert nda(got["IND-01"]) == (3, 7, "0.4286")
    assert nda(got["IND-02"]) == (2, 3, "0.6667")  # actual: c3, c8
    assert nda(got["IND-03"]) == (1, 3, "0.3333")  # performed: c3
    assert nda(got["IND-04"]) == (1, 3, "0.3333")  # 终本: c4
    assert nda(got["IND-05"]) == ("1300.25", "8500.50", "0.1530")
    assert nda(got["IND-06"]) == (2, 3, "0.6667")  # c8 closed after its 04-03 deadline
    assert nda(got["IND-07"]) == ("352", 3, "117.33")  # 31 + 90 + 231 days
    assert nda(got["IND-08"]) == (0, 7, "0.0000")
    assert nda(got["IND-14"]) == (3, 3, "1.0000")
    assert nda(got["IND-15"]) == (1, 1, "1.0000")
    assert nda(got["IND-16"]) == ("2000.00", "2000.00", "1.0000")


@pytest.mark.django_db
def test_termination_quality(window_cases):
    # c4 is the only 终本 closing in W and has none of the required steps.
    assert nda(total(report())["IND-09"]) == (0, 1, "0.0000", "0.90", 9)  # (0.9·1 − 0) / 0.1 = 9


@pytest.mark.django_db
def test_property_cohort_and_three_years_at_the_window_end(window_cases):
    got = total(report())
    # Resolution days in W: c3 04-01 (closed within), c8 04-03 (its deadline), c9 06-15 (its
    # deadline; its 终本 closing on 07-10 is after as-of, so it still has property). c4 is
    # out: closed by 终本 on or before as-of. Only c3 counts: (2.7 − 1) / 0.1 = 17.
    assert nda(got["IND-10"]) == (1, 3, "0.3333", "0.90", 17)
    # Filed 2020-07-01 … 2023-06-30: c1 c2 c3 c4 c5 c6 c8 c9 = 8. Done by 06-30: c2, c3
    # (within their deadlines), c4 (终本). ceil(0.8·8 − 3) = ceil(3.4) = 4.
    assert nda(got["IND-13"]) == (3, 8, "0.3750", "0.80", 4)


@pytest.mark.django_db
def test_an_as_of_after_the_window_end(window_cases):
    """As of 07-31, c5 (执行完毕 07-05) and c9 (终本 07-10) have closed: IND-10 loses c9 and
    IND-13 gains both; IND-01 (closings in W) does not move."""
    later = total(report(as_of=date(2023, 7, 31)))
    assert nda(later["IND-01"]) == (3, 7, "0.4286")
    assert nda(later["IND-10"]) == (1, 2, "0.5000", "0.90", 8)
    assert nda(later["IND-13"]) == (5, 8, "0.6250", "0.80", 2)
    assert nda(later["IND-09"]) == (0, 1, "0.0000", "0.90", 9)  # c9's 终本 closing is not in W


@pytest.mark.django_db
def test_a_window_with_nothing_in_it(window_cases):
    got = total(report(date(2010, 1, 1), date(2010, 1, 31)))  # before every filing
    assert nda(got["IND-01"]) == (0, 0, None)
    assert nda(got["IND-05"]) == ("0.00", "0.00", None)
    assert nda(got["IND-07"]) == ("0", 0, None)
    assert nda(got["IND-10"]) == (0, 0, None, "0.90", 0)
    assert nda(got["IND-11a"]) == (0, 0, None, "1.00", None)


@pytest.mark.django_db
def test_report_shape(window_cases):
    rep = report()
    assert (rep["from"], rep["to"], rep["as_of"]) == ("2023-04-01", "2023-06-30", "2023-06-30")
    assert [(c["court"], c["name"]) for c in rep["courts"]] == [("豫0823", "豫0823")]
    assert rep["courts"][0]["indicators"] == rep["total"]["indicators"]
    assert sorted(rep["total"]["indicators"]) == sorted(i.id for i in engine.catalog())


# -- totals over two courts --------------------------------------------------------------------------


@pytest.mark.django_db
def test_totals_add_numerators_and_denominators(window_cases, import_cases, bundle_case, courts):
    """温县 (豫0825): d1 filed 04-03, 执行完毕 05-04 (deadline 10-03 → 10-07), 400.00/400.00;
    d2 filed 01-05, open (deadline 07-05). So 豫0825 has IND-01 1/2 and IND-10 1/1."""
    import_cases(
        bundle_case(
            court_code="豫0825",
            seq=1,
            filed_on="2023-04-03",
            closing=closing("2023-05-04", PERFORMED),
            claim_amount="400.00",
            recovered_amount="400.00",
        ),
        bundle_case(court_code="豫0825", seq=2, filed_on="2023-01-05"),
    )
    rep = report(court="豫08")
    assert [c["court"] for c in rep["courts"]] == ["豫0823", "豫0825"]  # 豫08 has no cases of its own
    wenxian = rep["courts"][1]["indicators"]
    assert nda(wenxian["IND-01"]) == (1, 2, "0.5000")
    assert nda(wenxian["IND-10"]) == (1, 1, "1.0000", "0.90", 0)
    got = total(rep)
    assert nda(got["IND-01"]) == (4, 9, "0.4444")
    assert nda(got["IND-05"]) == ("1700.25", "8900.50", "0.1910")
    # Not the mean of 0.3333 and 1.0000: (1 + 1) / (3 + 1), and (3.6 − 2) / 0.1 = 16 more.
    assert nda(got["IND-10"]) == (2, 4, "0.5000", "0.90", 16)
    assert nda(got["IND-13"]) == (4, 10, "0.4000", "0.80", 4)  # d1 done, d2 not: ceil(8 − 4)
    # One court in scope: its own cases only.
    only = report(court="豫0825")
    assert [c["court"] for c in only["courts"]] == ["豫0825"]
    assert total(only) == wenxian


# -- key nodes overdue in the window (IND-08) ----------------------------------------------------------


@pytest.mark.django_db
def test_key_nodes_overdue_in_the_window(import_cases, bundle_case):
    """Window 2023-03-01 … 03-31. K1 (handler_assigned) is due 7 days after filing, K2
    (execution_notice) 10 days after the application was received.

    k1 filed 03-01, never assigned: K1 due 03-08, overdue
    k2 filed 03-01, assigned 03-10: done late, overdue
    k3 filed 03-01, never assigned, closed 03-05: K1 lapsed, never overdue
    k4 filed 03-20, never assigned: K1 due 03-27, overdue
    k5 filed 03-28, never assigned: K1 due 04-04, after the window
    k6 filed 02-10, never assigned: K1 due 02-17, before the window (k6 is carried)
    k7 filed 03-01, application received 02-25, no execution notice: K2 due 03-07, overdue
    """

    def without(node: str, **fields) -> dict:
        case = bundle_case(**fields)
        case["events"] = [e for e in case["events"] if e["node"] != node]
        return case

    late = bundle_case(seq=2, filed_on="2023-03-01")
    late["events"][0]["on"] = "2023-03-10"
    result = import_cases(
        without("handler_assigned", seq=1, filed_on="2023-03-01"),
        late,
        without("handler_assigned", seq=3, filed_on="2023-03-01", closing=closing("2023-03-05", PERFORMED)),
        without("handler_assigned", seq=4, filed_on="2023-03-20"),
        without("handler_assigned", seq=5, filed_on="2023-03-28"),
        without("handler_assigned", seq=6, filed_on="2023-02-10"),
        without("execution_notice", seq=7, filed_on="2023-03-01", application_received_on="2023-02-25"),
    )
    assert result.rejected == []
    got = total(report(date(2023, 3, 1), date(2023, 3, 31)))
    assert nda(got["IND-08"]) == (4, 7, "0.5714")
    # Window 03-01 … 03-07: only k7's K2 (due 03-07) is overdue; k1's K1 (03-08) is not yet;
    # accepted are the cases filed by 03-07 (k1 k2 k3 k7) and k6.
    assert nda(total(report(date(2023, 3, 1), date(2023, 3, 7)))["IND-08"]) == (1, 5, "0.2000")


# -- petitions (IND-11, IND-11a) and receipts (IND-12) -------------------------------------------------


@pytest.mark.django_db
def test_petitions_are_counted_at_their_handling_court(import_cases, bundle_case):
    """Closing due = received + 30 days, rolled (PET-2).

    x1 received 04-03, due 05-03 → 05-04 (holiday), closed 04-20, replied: on time
    x2 received 05-10, due 06-09, never closed: in the cohort by its due day, not on time
    x3 received 06-10, due 07-10: after the window
    x4 at 豫08, referred by the high court, received 04-10, due 05-10, closed 05-08, not replied
    x5 referred by the SPC, received 05-15, due 06-14, closed 06-01, replied: on time
    """
    petitions = [
        {"id": "x1", "received_on": "2023-04-03", "source": "来访", "closed_on": "2023-04-20", "replied": True},
        {"id": "x2", "received_on": "2023-05-10", "source": "来信"},
        {"id": "x3", "received_on": "2023-06-10", "source": "网上"},
        {"id": "x4", "received_on": "2023-04-10", "source": "来访", "handled_by": "豫08", "referred_by": "高级人民法院",
         "closed_on": "2023-05-08", "replied": False},
        {"id": "x5", "received_on": "2023-05-15", "source": "电话", "referred_by": "最高人民法院", "closed_on": "2023-06-01", "replied": True},
    ]  # fmt: skip
    import_cases(bundle_case(seq=1, filed_on="2023-03-01", petitions=petitions))
    rep = report(court="豫08")
    rows = {c["court"]: c["indicators"] for c in rep["courts"]}
    assert sorted(rows) == ["豫08", "豫0823"]
    assert nda(rows["豫0823"]["IND-11"]) == (2, 3, "0.6667", "0.90", 7)  # (2.7 − 2) / 0.1 = 7
    assert nda(rows["豫0823"]["IND-11a"]) == (1, 1, "1.0000", "1.00", None)
    assert nda(rows["豫08"]["IND-11"]) == (0, 1, "0.0000", "0.90", 9)
    assert nda(rows["豫08"]["IND-11a"]) == (0, 1, "0.0000", "1.00", None)  # t = 1: a bad outcome is final
    assert nda(total(rep)["IND-11"]) == (2, 4, "0.5000", "0.90", 16)
    assert nda(total(rep)["IND-11a"]) == (1, 2, "0.5000", "1.00", None)
    # Scoped to 武陟 alone, the petition handled at 焦作中院 is out of scope.
    assert nda(total(report(court="豫0823"))["IND-11"]) == (2, 3, "0.6667", "0.90", 7)


@pytest.mark.django_db
def test_receipts_disbursed_on_time(import_cases, bundle_case):
    """Due = notice + 30 days, rolled (FUND-1).

    r1 notice 04-06 (due 05-06, a make-up working Saturday), paid in full 04-20: on time
    r2 notice 05-04 (due 06-03 Sat → 06-05), paid 300 on 05-10 and 200 on 06-20: late
    r3 notice 05-20, lodged 05-25: lodged, not in the cohort
    r4 notice 06-10 (due 07-10): after the window
    r5 notice 03-01, deferred on 03-20 with no end yet: no due day
    """
    receipts = [
        {"id": f"r{i}", "notice_on": on, "amount": amount}
        for i, (on, amount) in enumerate(
            [
                ("2023-04-06", "1000.00"),
                ("2023-05-04", "500.00"),
                ("2023-05-20", "50.00"),
                ("2023-06-10", "70.00"),
                ("2023-03-01", "90.00"),
            ],
            start=1,
        )
    ]
    disbursements = [
        {"id": "d1", "receipt": "r1", "on": "2023-04-20", "amount": "1000.00", "payee": "p1"},
        {"id": "d2", "receipt": "r2", "on": "2023-05-10", "amount": "300.00", "payee": "p1"},
        {"id": "d3", "receipt": "r2", "on": "2023-06-20", "amount": "200.00", "payee": "p1"},
    ]
    lodgements = [{"receipt": "r3", "on": "2023-05-25", "ground": "申请执行人拒绝受领"}]
    deferrals = [{"receipt": "r5", "approved_on": "2023-03-20", "ground": "案外人异议"}]
    import_cases(
        bundle_case(
            seq=1,
            filed_on="2023-03-01",
            receipts=receipts,
            disbursements=disbursements,
            lodgements=lodgements,
            deferrals=deferrals,
        )
    )
    assert nda(total(report())["IND-12"]) == (1, 2, "0.5000")


# -- the example data (tools/contract-check) ----------------------------------------------------------


@pytest.mark.django_db
def test_example_figures(import_cases, example_lines):
    assert import_cases(*example_lines).imported == 5
    rep = report(date(2023, 1, 1), date(2023, 12, 31), court="豫0823")
    got = total(rep)
    want = {
        "IND-01": (2, 4, "0.5000"), "IND-02": (1, 2, "0.5000"), "IND-03": (1, 2, "0.5000"), "IND-04": (1, 2, "0.5000"),
        "IND-05": ("80000.00", "205000.00", "0.3902"), "IND-06": (2, 2, "1.0000"), "IND-07": ("179", 2, "89.50"),
        "IND-08": (1, 4, "0.2500"), "IND-09": (1, 1, "1.0000", "0.90", 0), "IND-10": (1, 2, "0.5000", "0.90", 8),
        "IND-11": (1, 1, "1.0000", "0.90", 0), "IND-12": (2, 2, "1.0000"), "IND-13": (2, 4, "0.5000", "0.80", 2),
        "IND-14": (2, 3, "0.6667"), "IND-15": (1, 1, "1.0000"), "IND-16": ("125000.00", "125000.00", "1.0000"),
    }  # fmt: skip
    assert {key: nda(got[key]) for key in want} == want
    assert [c["indicators"]["IND-01"] for c in rep["courts"] if c["court"] == "豫0823"] == [got["IND-01"]]


# -- the arithmetic (pure) -----------------------------------------------------------------------------


def indicator(key: str) -> engine.Indicator:
    return next(i for i in engine.catalog() if i.id == key)


@pytest.mark.parametrize(
    ("key", "n", "d", "needed"),
    [
        ("IND-10", 430, 500, 200),  # spec/cli.md: (450 − 430) / 0.1
        ("IND-10", 450, 500, 0),  # exactly on target
        ("IND-10", 499, 500, 0),  # above: never negative
        ("IND-10", 0, 1, 9),
        ("IND-10", 1, 3, 17),
        ("IND-09", 8, 10, 10),  # (9 − 8) / 0.1
        ("IND-09", 17, 20, 10),  # (18 − 17) / 0.1
        ("IND-11a", 3, 4, None),  # t = 1: report null
        ("IND-11a", 4, 4, None),
        ("IND-13", 2, 4, 2),  # fixed denominator: ceil(3.2 − 2)
        ("IND-13", 3, 7, 3),  # ceil(5.6 − 3) = ceil(2.6)
        ("IND-13", 6, 7, 0),  # ceil(5.6 − 6) < 0
        ("IND-13", 0, 0, 0),
    ],
)
def test_cases_needed(key, n, d, needed):
    assert cases_needed(indicator(key), n, d) == needed


@pytest.mark.parametrize(
    ("key", "sums", "expected"),
    [
        (
            "IND-01",
            {"closed": 1, "accepted": 32},
            {"numerator": 1, "denominator": 32, "value": "0.0312"},
        ),  # 0.03125 half-even
        (
            "IND-01",
            {"closed": 3, "accepted": 32},
            {"numerator": 3, "denominator": 32, "value": "0.0938"},
        ),  # 0.09375 half-even
        ("IND-01", {"closed": 2, "accepted": 3}, {"numerator": 2, "denominator": 3, "value": "0.6667"}),
        (
            "IND-07",
            {"days_closed": 1, "closed": 8},
            {"numerator": "1", "denominator": 8, "value": "0.12"},
        ),  # 0.125
        (
            "IND-07",
            {"days_closed": 3, "closed": 8},
            {"numerator": "3", "denominator": 8, "value": "0.38"},
        ),  # 0.375
        (
            "IND-05",
            {"recovered_closed": 1, "claim_closed": 300},
            {"numerator": "0.01", "denominator": "3.00", "value": "0.0033"},
        ),
        ("IND-14", {"closed": 5}, {"numerator": 5, "denominator": 0, "value": None}),
    ],
)
def test_figure_rounds_half_even(key, sums, expected):
    assert figure(indicator(key), sums) == expected


def test_targets_are_the_2018_campaign():
    targets = {i.id: (i.target, i.gap) for i in engine.catalog() if i.target}
    assert targets == {
        "IND-09": ("0.90", "cohort"), "IND-10": ("0.90", "cohort"), "IND-11": ("0.90", "cohort"),
        "IND-11a": ("1.00", "cohort"), "IND-13": ("0.80", "fixed"),
    }  # fmt: skip


def test_window_rules():
    with pytest.raises(ValueError, match="早于开始日"):
        Window(date(2023, 2, 1), date(2023, 1, 31), date(2023, 2, 1))
    with pytest.raises(ValueError, match="as-of ≥ to"):
        Window(date(2023, 1, 1), date(2023, 1, 31), date(2023, 1, 30))
    assert Window(date(2023, 1, 1), date(2023, 1, 1), date(2023, 1, 1)).three_years_from == date(2020, 1, 2)
    assert Window(date(2023, 1, 1), date(2023, 12, 31), date(2023, 12, 31)).three_years_from == date(
        2021, 1, 1
    )
    # 2024-02-29 − 3 years = 2021-02-28 (PER-4 month-end), + 1 day.
    assert Window(date(2024, 1, 1), date(2024, 2, 29), date(2024, 2, 29)).three_years_from == date(2021, 3, 1)


@pytest.mark.django_db
def test_spark_needs_a_parquet_export(capsys):
    """`indicators --spark` runs Spark SQL over an export: without `--parquet DIR` it is a
    usage error (exit 2, one line on stderr), whether or not pyspark is installed."""
    from zhixing.cli import main

    assert main(["indicators", "--from", "2023-01-01", "--to", "2023-12-31", "--spark"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip() == "zhixing indicators: --spark 须与 --parquet DIR 同用"
