"""Money is exact on SQLite too: an amount of 16 significant digits (the most a
``DecimalField(max_digits=16, decimal_places=2)`` column holds) is read back as written —
SQLite keeps a ``decimal`` column's values as floats, and Django's 15-digit reading used
to round them or fail with ``InvalidOperation``, which stopped ``zhixing export`` and
``zhixing check funds`` for the whole database; an amount too large for its column is
refused at import with the field named, and the other lines are imported."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection, connections
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixing import cli
from zhixing.cases.models import Case
from zhixing.cli import main
from zhixing.funds.models import Receipt

pytestmark = pytest.mark.django_db

#: 16 significant digits: 14 before the point, 2 after.
BIG = "12345678901234.56"
#: The largest amount the columns hold; Django's reading used to turn it into an error.
LARGEST = "99999999999999.99"
A = "（2023）豫0823执501号"
B = "（2023）豫0823执502号"
C = "（2023）豫0823执503号"


@pytest.fixture(autouse=True)
def in_the_test_database(monkeypatch):
    """As in tests/test_cli.py: the commands run inside the test transaction."""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    monkeypatch.setattr(cli, "ensure_migrated", lambda: None)


def _case(bundle_case, number: str, claim: str, receipt: str) -> dict:
    return bundle_case(
        case_number=number,
        claim_amount=claim,
        receipts=[{"id": "r1", "notice_on": "2023-04-01", "amount": receipt, "payer": "某建材有限公司"}],
    )


@pytest.fixture
def bundle_file(tmp_path, courts, bundle_case):
    """Three cases of 武陟县法院: one with 16-digit amounts, one with the largest amounts,
    one whose claim has 15 digits before the point (too large for the column)."""
    lines = [
        _case(bundle_case, A, BIG, BIG),
        _case(bundle_case, B, LARGEST, "70000000000000.01"),
        _case(bundle_case, C, "123456789012345.00", "100.00"),
    ]
    path = tmp_path / "money.jsonl"
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in lines), encoding="utf-8")
    return path


def test_sixteen_digit_amounts_round_trip_and_an_oversized_one_is_refused(bundle_file, capsys):
    assert main(["import", str(bundle_file), "--json"]) == 1  # a rejected line: exit 1
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == 2
    assert report["rejected"] == [
        {
            "line": 3,
            "case_number": C,
            "field": "claim_amount",
            "error": "金额应为不超过14位整数、最多两位小数的字符串，实际为 '123456789012345.00'",
        }
    ]
    assert not Case.objects.filter(case_number=C).exists()

    case = Case.objects.get(case_number=A)
    assert case.claim_amount == Decimal(BIG) and str(case.claim_amount) == BIG
    assert Receipt.objects.get(case=case).amount == Decimal(BIG)
    # Above 2^46 yuan neighbouring doubles are more than a cent apart: SQLite's float holds
    # 99999999999999.984375, one cent off (PostgreSQL's numeric is exact). No error, though.
    largest = Case.objects.get(case_number=B).claim_amount
    assert largest == (Decimal("99999999999999.98") if connection.vendor == "sqlite" else Decimal(LARGEST))

    assert main(["export", "--court", "豫0823"]) == 0
    exported = {c["case_number"]: c for c in map(json.loads, capsys.readouterr().out.splitlines())}
    assert exported[A]["claim_amount"] == BIG
    assert exported[A]["receipts"][0]["amount"] == BIG
    assert exported[B]["receipts"][0]["amount"] == "70000000000000.01"

    assert main(["check", "funds", "--as-of", "2023-06-30", "--json"]) == 0
    json.loads(capsys.readouterr().out)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**46 * 100 - 1))
def test_every_cent_amount_below_2_to_the_46_reads_back_exactly(cents):
    """Through SQLite's float and this backend's reading, for any amount below
    70,368,744,177,664 yuan (on PostgreSQL, numeric is exact anyway)."""
    amount = Decimal(cents).scaleb(-2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST(%s AS NUMERIC)" if connection.vendor == "sqlite" else "SELECT %s::numeric",
                       [str(amount)])  # fmt: skip
        (stored,) = cursor.fetchone()
    field = Case._meta.get_field("claim_amount")
    from django.db.models.expressions import Col

    (converter, *_) = [c for c in connection.ops.get_db_converters(Col("t", field)) if c] or [None]
    read = (
        converter(stored, Col("t", field), connection)
        if converter
        else Decimal(stored).quantize(Decimal("0.01"))
    )
    assert read == amount


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("100000000000000.00", "金额过大：整数部分至多14位（金额字段 16 位有效数字、两位小数）"),
        ("1e40", "金额过大：整数部分至多14位（金额字段 16 位有效数字、两位小数）"),
        ("1.001", "金额应为正数，至多两位小数"),
    ],
)
def test_an_inquiry_amount_too_large_for_its_column_is_refused_naming_the_field(text, message):
    """A freeze or deduction amount (the API's and the form's ``amount``): over the column it
    used to reach the database (PostgreSQL: numeric overflow, a 500)."""
    from zhixing.inquiry import services

    with pytest.raises(services.InquiryError) as refused:
        services._clean_amount(text)
    assert (refused.value.field, refused.value.message) == ("amount", message)
    assert services._clean_amount(BIG) == Decimal(BIG)
