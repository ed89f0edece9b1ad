"""The public 失信 search (/public/credit/, no log-in): exact queries only, CREDIT-7 items,
ID numbers masked as 4108231985****2036, rate-limited per IP; nothing else is published."""

from datetime import date

import pytest
from django.test import Client

from zhixing.credit import services
from zhixing.credit.publish import PublicQueryError, mask_id_number, parse_query, public_records
from zhixing.credit.services import Document

pytestmark = pytest.mark.django_db


def test_mask_keeps_region_year_and_last_four():
    assert mask_id_number("410823198503122036") == "4108231985****2036"
    assert mask_id_number("41082319850312203X") == "4108231985****203X"


@pytest.mark.parametrize(
    ("q", "error"),
    [
        ("", "请输入被执行人的姓名或名称，或完整的身份证号码、统一社会信用代码"),
        ("   ", "请输入被执行人的姓名或名称，或完整的身份证号码、统一社会信用代码"),
        ("周*", "查询不支持通配符，请输入完整的姓名或名称、证件号码"),
        ("%", "查询不支持通配符，请输入完整的姓名或名称、证件号码"),
        ("周_", "查询不支持通配符，请输入完整的姓名或名称、证件号码"),
        ("周", "姓名或名称至少2个字，请输入完整的姓名或名称"),
    ],
)
def test_empty_wildcard_and_partial_queries_are_refused(q, error):
    with pytest.raises(PublicQueryError) as info:
        parse_query(q)
    assert str(info.value) == error


@pytest.fixture
def listed(personas, make_case):
    case = make_case(
        unit=True,
        recovered="20000.00",
        events=[
            {"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"},
            {"node": "consumption_restriction", "on": "2024-02-01", "party": "p3"},
        ],
    )
    officer = personas["wuzhi_officer"]
    for party, grounds, term in (("p2", ["G1"], None), ("p3", ["G4"], 2)):
        services.list_party(
            officer,
            case,
            party=party,
            grounds=grounds,
            term_years=term,
            doc=Document(date(2024, 3, 1), "（2024）豫0823执88号之一", "李院长"),
        )
    return case


def test_a_person_record_publishes_credit_7_items_with_the_id_masked(listed, kit):
    (r,) = public_records(kit.id_number(), today=date(2025, 3, 11))
    assert (r.name, r.sex, r.age, r.id_number, r.credit_code, r.legal_representative) == (
        "周某",
        "男",
        39,
        mask_id_number(kit.id_number()),
        None,
        None,
    )
    assert (r.obligation, r.performance) == ("给付金钱100,000.00元", "部分未履行（已履行20,000.00元）")
    assert r.conduct == "有履行能力而拒不履行生效法律文书确定义务"
    assert (r.basis_issuer, r.basis_number) == ("武陟县人民法院", "（2023）豫0823民初100号")
    assert (r.case_number, r.filed_on, r.court, r.published_on) == (
        "（2024）豫0823执88号",
        date(2024, 1, 10),
        "武陟县人民法院",
        date(2024, 3, 1),
    )
    assert public_records(kit.id_number(), today=date(2025, 3, 12))[0].age == 40


def test_a_unit_record_shows_its_credit_code_and_legal_representative(listed, kit):
    (r,) = public_records("武陟县某建材有限公司")
    assert (r.is_unit, r.credit_code, r.legal_representative, r.sex, r.age) == (
        True,
        kit.credit_code(),
        "赵某",
        None,
        None,
    )
    assert r.conduct == "违反财产报告制度"


def test_names_match_exactly_and_ended_entries_are_not_published(listed, personas):
    assert public_records("某建材") == []
    assert [r.name for r in public_records("周某")] == ["周某"]
    services.delete_listing(
        personas["wuzhi_officer"],
        listed,
        listing="L1",
        ground="performed",
        doc=Document(date(2024, 4, 1), "x", "李院长"),
    )
    assert public_records("周某") == []


def test_the_page_needs_no_log_in_and_shows_only_the_masked_id(credit_urls, listed, kit):
    r = Client().get("/public/credit/", {"q": kit.id_number()})
    assert r.status_code == 200
    html = r.content.decode()
    assert mask_id_number(kit.id_number()) in html
    assert kit.id_number() not in html
    assert "武陟县人民法院" in html and "（2024）豫0823执88号" in html


def test_the_page_refuses_enumeration_and_limits_each_ip(credit_urls, listed, settings):
    settings.ZHIXING_PUBLIC_SEARCH_PER_MINUTE = 3
    client = Client(REMOTE_ADDR="10.0.0.7")
    assert client.get("/public/credit/", {"q": ""}).status_code == 400
    assert client.get("/public/credit/", {"q": "*"}).status_code == 400
    assert client.get("/public/credit/", {"q": "周某"}).status_code == 200
    r = client.get("/public/credit/", {"q": "周某"})
    assert r.status_code == 429 and "查询过于频繁" in r.content.decode()
    assert Client(REMOTE_ADDR="10.0.0.8").get("/public/credit/", {"q": "周某"}).status_code == 200
    assert Client().get("/public/credit/").status_code == 200  # the empty form itself
