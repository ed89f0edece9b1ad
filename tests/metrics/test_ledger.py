"""The backlog ledger 积案台账 (indicators.md §10; metrics/services.py ``ledger``).

Listed at as-of: 首执 and 执恢 cases open at as-of (status 未结) and cases closed by 终本
not resumed by as-of (status 终本). Age by PER-4 month arithmetic, not rolled: ≤6个月 when
filed_on + 6 months ≥ as-of, else 6-12个月 when + 12 months ≥ as-of, else 1-3年 when
+ 36 months ≥ as-of, else >3年. One row per tag (the case's tags, 特殊主体 when a debtor
has ``special``, 涉信访 when it has a petition); ``tag`` null for an untagged case.
"""

from __future__ import annotations

from datetime import date

import pytest

from zhixing.courts.models import Court
from zhixing.metrics.services import earliest_filing_within, ledger


def rows(as_of: date, court: str | None = None) -> list[tuple]:
    scope = None if court is None else Court.objects.get(code=court)
    return [(r["court"], r["status"], r["age"], r["tag"], r["cases"]) for r in ledger(as_of, scope)["rows"]]


def closing(on: str, mode: str = "执行完毕") -> dict:
    return {"on": on, "mode": mode}


# -- ages ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_age_boundaries(import_cases, bundle_case):
    """As of 2023-11-15: 05-15 + 6 months = 11-15 → ≤6个月; 05-14 → 6-12个月; 2022-11-15 +
    12 months = as-of → 6-12个月; 2022-11-14 → 1-3年; 2020-11-15 + 36 months → 1-3年;
    2020-11-14 → >3年."""
    filed = ["2023-11-15", "2023-05-15", "2023-05-14", "2022-11-15", "2022-11-14", "2020-11-15", "2020-11-14"]
    import_cases(*(bundle_case(seq=i, filed_on=f) for i, f in enumerate(filed, start=1)))
    assert rows(date(2023, 11, 15)) == [
        ("豫0823", "未结", "≤6个月", None, 2),
        ("豫0823", "未结", "6-12个月", None, 2),
        ("豫0823", "未结", "1-3年", None, 2),
        ("豫0823", "未结", ">3年", None, 1),
    ]


@pytest.mark.django_db
def test_age_at_month_ends(import_cases, bundle_case):
    """As of 2024-02-29: 2023-08-29 + 6 months = 2024-02-29 and 2023-08-31 + 6 months =
    2024-02-29 (clamped) are ≤6个月; 2023-08-28 → 2024-02-28 is 6-12个月. As of 2023-12-31,
    the three of August are ≤6个月 and 2023-06-30 + 6 months = 12-30 falls short: 6-12个月."""
    filed = ["2023-08-31", "2023-08-29", "2023-08-28", "2023-06-30"]
    import_cases(*(bundle_case(seq=i, filed_on=f) for i, f in enumerate(filed, start=1)))
    assert rows(date(2024, 2, 29)) == [
        ("豫0823", "未结", "≤6个月", None, 2),
        ("豫0823", "未结", "6-12个月", None, 2),
    ]
    assert rows(date(2023, 12, 31)) == [
        ("豫0823", "未结", "≤6个月", None, 3),
        ("豫0823", "未结", "6-12个月", None, 1),
    ]


@pytest.mark.parametrize(
    ("months", "as_of", "earliest"),
    [
        (6, date(2023, 11, 15), date(2023, 5, 15)),
        (6, date(2024, 2, 29), date(2023, 8, 29)),
        (6, date(2023, 12, 31), date(2023, 7, 1)),  # no day of June reaches 12-31
        (12, date(2024, 2, 29), date(2023, 3, 1)),  # 2023-02-28 + 12 months = 2024-02-28 falls short
        (36, date(2023, 3, 31), date(2020, 3, 31)),
    ],
)
def test_earliest_filing_within(months, as_of, earliest):
    assert earliest_filing_within(months, as_of) == earliest


# -- status: open, 终本, resumed --------------------------------------------------------------------------


@pytest.mark.django_db
def test_what_is_listed(import_cases, bundle_case):
    """As of 2023-12-31 (all filed 2023-10-01 or later → ≤6个月 … except where said):

    o1 open                                      未结
    o2 执行完毕 2023-12-20                         not listed
    o3 执行完毕 2024-01-05 (after as-of)            未结
    o4 filed 2024-01-02 (after as-of)              not listed
    t1 终本 2023-11-01, never resumed               终本
    t2 终本 2023-11-01, resumed 2024-02-01          终本 (the resumption is after as-of)
    t3 终本 2023-11-01, resumed 2023-12-01          not listed; its 执恢 case (open) is 未结
    t4 终本 2023-11-01, resumed on 2023-12-31       not listed; its 执恢 case is 未结
    p1 执保, open                                  not listed
    """
    d = "2023-10-01"
    import_cases(
        bundle_case(seq=1, filed_on=d),
        bundle_case(seq=2, filed_on=d, closing=closing("2023-12-20")),
        bundle_case(seq=3, filed_on=d, closing=closing("2024-01-05")),
        bundle_case(seq=4, filed_on="2024-01-02"),
        bundle_case(seq=11, filed_on=d, closing=closing("2023-11-01", "终结本次执行程序")),
        bundle_case(seq=12, filed_on=d, closing=closing("2023-11-01", "终结本次执行程序")),
        bundle_case(seq=13, filed_on=d, closing=closing("2023-11-01", "终结本次执行程序")),
        bundle_case(seq=14, filed_on=d, closing=closing("2023-11-01", "终结本次执行程序")),
        bundle_case(
            type_code="执恢", seq=2, filed_on="2024-02-01", original_case_number="（2023）豫0823执12号"
        ),
        bundle_case(
            type_code="执恢", seq=3, filed_on="2023-12-01", original_case_number="（2023）豫0823执13号"
        ),
        bundle_case(
            type_code="执恢", seq=4, filed_on="2023-12-31", original_case_number="（2023）豫0823执14号"
        ),
        bundle_case(type_code="执保", seq=1, filed_on=d),
    )
    assert rows(date(2023, 12, 31)) == [
        ("豫0823", "未结", "≤6个月", None, 4),
        ("豫0823", "终本", "≤6个月", None, 2),
    ]
    # Before the resumptions, as of 2023-11-30: t3 and t4 are 终本 too; 执恢 cases not yet filed.
    assert rows(date(2023, 11, 30)) == [
        ("豫0823", "未结", "≤6个月", None, 3),
        ("豫0823", "终本", "≤6个月", None, 4),
    ]


@pytest.mark.django_db
def test_a_resumed_case_imported_before_its_original(import_cases, bundle_case):
    import_cases(
        bundle_case(
            type_code="执恢", seq=1, filed_on="2023-12-01", original_case_number="（2023）豫0823执1号"
        )
    )
    import_cases(bundle_case(seq=1, filed_on="2023-10-01", closing=closing("2023-11-01", "终结本次执行程序")))
    assert rows(date(2023, 12, 31)) == [("豫0823", "未结", "≤6个月", None, 1)]  # only the 执恢 case


# -- tags -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_case_with_several_tags_is_one_row_per_tag(import_cases, bundle_case):
    import_cases(
        bundle_case(seq=1, filed_on="2023-10-01", tags=["涉民生", "涉企"]),
        bundle_case(seq=2, filed_on="2023-10-01", tags=["涉民生"]),
        bundle_case(seq=3, filed_on="2023-10-01"),
    )
    assert rows(date(2023, 12, 31)) == [
        ("豫0823", "未结", "≤6个月", None, 1),
        ("豫0823", "未结", "≤6个月", "涉企", 1),
        ("豫0823", "未结", "≤6个月", "涉民生", 2),
    ]


@pytest.mark.django_db
def test_special_debtor_and_petition_tags(import_cases, bundle_case):
    """特殊主体 when a debtor has ``special`` (once, even if also a tag); 涉信访 from the day
    of the case's first petition."""
    import_cases(
        bundle_case(
            seq=1,
            filed_on="2023-10-01",
            parties=[bundle_case.applicant(), bundle_case.debtor(special=["人大代表"])],
        ),
        bundle_case(
            seq=2,
            filed_on="2023-10-01",
            tags=["特殊主体"],
            parties=[bundle_case.applicant(), bundle_case.debtor(special=["公职人员"])],
        ),
        bundle_case(
            seq=3,
            filed_on="2023-10-01",
            petitions=[{"id": "x1", "received_on": "2023-12-10", "source": "来访"}],
        ),
    )
    assert rows(date(2023, 12, 31)) == [
        ("豫0823", "未结", "≤6个月", "涉信访", 1),
        ("豫0823", "未结", "≤6个月", "特殊主体", 2),
    ]
    # Before the petition arrived the third case is untagged.
    assert rows(date(2023, 12, 9)) == [
        ("豫0823", "未结", "≤6个月", None, 1),
        ("豫0823", "未结", "≤6个月", "特殊主体", 2),
    ]


@pytest.mark.django_db
def test_a_special_applicant_does_not_tag_the_case(import_cases, bundle_case):
    import_cases(
        bundle_case(
            seq=1,
            filed_on="2023-10-01",
            parties=[bundle_case.applicant(special=["政协委员"]), bundle_case.debtor()],
        )
    )
    assert rows(date(2023, 12, 31)) == [("豫0823", "未结", "≤6个月", None, 1)]


# -- courts --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rows_by_court_and_scope(import_cases, bundle_case, courts):
    import_cases(
        bundle_case(court_code="豫0823", seq=1, filed_on="2023-10-01"),
        bundle_case(court_code="豫0825", seq=1, filed_on="2022-10-01", tags=["涉金融"]),
        bundle_case(court_code="豫08", seq=1, filed_on="2023-01-10"),
    )
    assert rows(date(2023, 12, 31), "豫08") == [
        ("豫08", "未结", "6-12个月", None, 1),
        ("豫0823", "未结", "≤6个月", None, 1),
        ("豫0825", "未结", "1-3年", "涉金融", 1),
    ]
    assert rows(date(2023, 12, 31), "豫0825") == [("豫0825", "未结", "1-3年", "涉金融", 1)]
    assert ledger(date(2023, 12, 31))["as_of"] == "2023-12-31"


@pytest.mark.django_db
def test_the_example_ledger(import_cases, example_lines):
    """tools/contract-check: A was resumed by E (closed 2023-10-10), so only C and D remain."""
    import_cases(*example_lines)
    assert rows(date(2023, 12, 31), "豫0823") == [
        ("豫0823", "未结", "≤6个月", None, 1),
        ("豫0823", "未结", "1-3年", "涉民生", 1),
    ]
    # As of 2023-08-31, before E was filed, A is a 终本 case not (yet) resumed.
    assert ("豫0823", "终本", "≤6个月", "涉企", 1) in rows(date(2023, 8, 31), "豫0823")
