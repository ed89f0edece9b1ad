"""The JSON API (/api/…): authentication, court scoping, masking, the CLI shapes, 422s.

Personas (tests/conftest.py): an officer of 武陟县法院 (豫0823), whose court holds the
example cases; the bureau chief of 焦作中院 (豫08), who supervises it; an officer of 温县法院
(豫0825), who must not learn that a single 武陟 case exists; a user without a court.
"""

import io
import json
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.test import Client

from zhixing.cases.services import import_bundle

EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "spec" / "example.jsonl"
A, B, C, D, E = (
    "（2023）豫0823执1234号",  # 终本, compliant; resumed by E
    "（2023）豫0823执1301号",  # performed, with a receipt and a petition
    "（2023）豫0823执2101号",  # open, K1 overdue
    "（2022）豫0823执1876号",  # open, carried over
    "（2023）豫0823执恢15号",  # 恢复执行 of A
)
ALL = {A, B, C, D, E}
FILED = {A: "2023-03-02", B: "2023-03-10", C: "2023-11-20", D: "2022-10-10", E: "2023-09-01"}
CHECKS = ("deadlines", "termination", "credit", "funds", "petitions")
WINDOW = "from=2023-01-01&to=2023-12-31"


@pytest.fixture
def example(courts):
    with EXAMPLE.open(encoding="utf-8") as f:
        report = import_bundle(f)
    assert report.imported == 5 and report.rejected == []


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def case_url(number: str, tail: str = "") -> str:
    return f"/api/cases/{quote(number)}" + (f"/{tail}" if tail else "")


def numbers(response) -> set[str]:
    return {row["case_number"] for row in response.json()["items"]}


def cli(*args: str):
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


# -- anonymous --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/cases",
        case_url(A),
        *(case_url(A, k) for k in CHECKS),
        f"/api/indicators?{WINDOW}",
        "/api/ledger",
    ],
)
def test_anonymous_calls_are_401_not_a_redirect(url):
    response = Client().get(url)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs", "/api/openapi.json"])
def test_documentation_is_behind_the_log_in_page(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def test_documentation_is_served_without_a_cdn(example, personas):
    response = client_for(personas["wuzhi_officer"]).get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    schema = client_for(personas["wuzhi_officer"]).get("/api/openapi.json").json()
    assert {"/api/cases", "/api/cases/{case_number}/deadlines", "/api/indicators", "/api/ledger"} <= set(
        schema["paths"]
    )


# -- the officer of 武陟县法院 ----------------------------------------------------------------


def test_officer_lists_the_example_cases_newest_first(example, personas):
    response = client_for(personas["wuzhi_officer"]).get("/api/cases")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert [r["case_number"] for r in body["items"]] == [C, E, B, A, D]
    assert body["items"][0] == {
        "case_number": C,
        "court": "豫0823",
        "court_name": "武陟县人民法院",
        "case_type": "首次执行",
        "filed_on": "2023-11-20",
        "closed_on": None,
        "closing_mode": None,
        "handler": "王某",
        "claim_amount": "30000.00",
        "recovered_amount": "0.00",
        "tags": [],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=执1301", {B}),
        ("q=(2023)豫0823执1234号", {A}),  # half-width brackets are normalised (CASENO-1)
        ("q=李某", {B}),
        ("q=农业合作社", {D}),
        ("q=410823198503122036", {A, E}),  # 张某 is the applicant of A and of E
        ("q=4108231985", set()),  # an ID number matches whole, never by prefix
        ("q=93410825ma9g7t1r2q", {D}),  # credit codes match whole, any letter case
        ("open=true", {C, D}),
        ("open=false", {A, B, E}),
        ("court=豫0823", ALL),
        ("court=豫08", ALL),
        ("court=豫0825", set()),
        ("court=豫9999", set()),
        ("q=王某", set()),  # the handler is not a party
    ],
)
def test_search(example, personas, query, expected):
    response = client_for(personas["wuzhi_officer"]).get(f"/api/cases?{query}")
    assert response.status_code == 200
    assert numbers(response) == expected


def test_list_is_paginated(example, personas):
    body = client_for(personas["wuzhi_officer"]).get("/api/cases?page=2").json()
    assert body == {"items": [], "count": 5}


def test_officer_sees_full_personal_data_of_own_court(example, personas):
    response = client_for(personas["wuzhi_officer"]).get(case_url(A))
    assert response.status_code == 200
    case = response.json()
    assert case["masked"] is False
    assert case["court_name"] == "武陟县人民法院"
    assert case["parties"][0] == {
        "id": "p1",
        "role": "申请执行人",
        "kind": "自然人",
        "name": "张某",
        "id_number": "410823198503122036",
    }
    assert case["closing"] == {"on": "2023-06-30", "mode": "终结本次执行程序"}
    assert [e["node"] for e in case["events"]][:3] == [
        "handler_assigned",
        "execution_notice",
        "property_report_order",
    ]


def test_half_width_brackets_in_the_url_find_the_case(example, personas):
    response = client_for(personas["wuzhi_officer"]).get(case_url("(2023)豫0823执1234号"))
    assert response.status_code == 200
    assert response.json()["case_number"] == A


@pytest.mark.parametrize("kind", CHECKS)
@pytest.mark.parametrize("as_of", ["2023-06-30", "2023-12-31", "2025-06-30"])
def test_check_endpoints_return_the_cli_rows(example, personas, kind, as_of):
    """The same JSON as `zhixing deadlines|check KIND --as-of DAY --json`, case by case."""
    client = client_for(personas["wuzhi_officer"])
    if kind == "deadlines":
        expected = {row["case_number"]: row for row in cli("deadlines", "--as-of", as_of)}
    else:
        expected = {}
        for row in cli("check_cases", kind, "--as-of", as_of):
            expected.setdefault(row["case_number"], []).append(row)
    for number in ALL:
        response = client.get(case_url(number, kind) + f"?as_of={as_of}")
        if FILED[number] > as_of:  # the case did not exist yet (the CLI leaves it out)
            assert response.status_code == 422
            continue
        assert response.status_code == 200, (number, response.content)
        assert response.json() == expected.get(number, [] if kind != "deadlines" else None)


def test_check_rows_exact(example, personas):
    client = client_for(personas["wuzhi_officer"])
    assert client.get(case_url(A, "termination") + "?as_of=2023-12-31").json() == [
        {
            "case_number": A,
            "closed_on": "2023-06-30",
            "verdict": "合格",
            "failed": [],
            "pending": [],
            "reasons": {},
        }
    ]
    funds = client.get(case_url(B, "funds") + "?as_of=2023-12-31").json()
    assert [(r["receipt"], r["due_on"], r["disbursed_on"], r["status"]) for r in funds] == [
        ("r1", "2023-05-06", "2023-04-20", "on_time")
    ]
    deadlines = client.get(case_url(C, "deadlines") + "?as_of=2023-12-31").json()
    assert deadlines["statutory_deadline"] == "2024-05-20"
    assert [(o["key_node"], o["due_on"], o["status"]) for o in deadlines["obligations"]] == [
        ("K1", "2023-11-27", "overdue"),
        ("K2", "2023-11-30", "done"),
        ("K3", "2023-11-30", "done"),
        ("K4", "2023-11-30", "done"),
    ]


def test_as_of_before_filing_is_422_naming_as_of(example, personas):
    response = client_for(personas["wuzhi_officer"]).get(case_url(C, "deadlines") + "?as_of=2023-11-19")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["query", "as_of"], "msg": "as_of 早于立案日期 2023-11-20", "type": "value_error"}]
    }


def test_malformed_as_of_is_422_naming_as_of(example, personas):
    response = client_for(personas["wuzhi_officer"]).get(case_url(A, "funds") + "?as_of=2023-02-30")
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", "as_of"]]


def test_officer_indicators_default_to_own_court(example, personas):
    response = client_for(personas["wuzhi_officer"]).get(f"/api/indicators?{WINDOW}")
    assert response.status_code == 200
    assert response.json() == cli(
        "indicators", "--from", "2023-01-01", "--to", "2023-12-31", "--court", "豫0823"
    )
    assert response.json()["total"]["indicators"]["IND-01"] == {
        "numerator": 2,
        "denominator": 4,
        "value": "0.5000",
    }


def test_officer_may_not_widen_the_scope_to_the_superior_court(example, personas):
    response = client_for(personas["wuzhi_officer"]).get(f"/api/indicators?{WINDOW}&court=豫08")
    assert response.status_code == 404


def test_officer_ledger(example, personas):
    response = client_for(personas["wuzhi_officer"]).get("/api/ledger?as_of=2023-12-31")
    assert response.json() == {
        "as_of": "2023-12-31",
        "rows": [
            {"court": "豫0823", "status": "未结", "age": "≤6个月", "tag": None, "cases": 1},
            {"court": "豫0823", "status": "未结", "age": "1-3年", "tag": "涉民生", "cases": 1},
        ],
    }


@pytest.mark.parametrize(
    ("query", "field", "msg"),
    [
        ("from=2023-12-01&to=2023-01-31", "to", "to（2023-01-31）早于 from（2023-12-01）"),
        (
            "from=2023-01-01&to=2023-12-31&as_of=2023-12-30",
            "as_of",
            "as_of（2023-12-30）早于 to（2023-12-31）",
        ),
    ],
)
def test_indicator_window_errors_are_422_naming_the_field(example, personas, query, field, msg):
    response = client_for(personas["wuzhi_officer"]).get(f"/api/indicators?{query}")
    assert response.status_code == 422
    assert response.json() == {"detail": [{"loc": ["query", field], "msg": msg, "type": "value_error"}]}


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("to=2023-12-31", [["query", "from"]]),
        ("from=2023-1-1&to=2023-12-31", [["query", "from"]]),
        ("from=2023-01-01&to=yesterday", [["query", "to"]]),
    ],
)
def test_missing_or_malformed_window_is_422_naming_the_field(example, personas, query, fields):
    response = client_for(personas["wuzhi_officer"]).get(f"/api/indicators?{query}")
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == fields


def test_ledger_as_of_must_be_a_date(example, personas):
    response = client_for(personas["wuzhi_officer"]).get("/api/ledger?as_of=31/12/2023")
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", "as_of"]]


# -- the bureau chief of 焦作中院 --------------------------------------------------------------


def test_chief_sees_the_subordinate_courts_cases(example, personas):
    response = client_for(personas["jiaozuo_chief"]).get("/api/cases")
    assert numbers(response) == ALL


def test_chief_sees_id_numbers_masked(example, personas):
    case = client_for(personas["jiaozuo_chief"]).get(case_url(A)).json()
    assert case["masked"] is True
    assert case["parties"][0]["id_number"] == "410823********2036"
    # A legal person's credit code is a public register: not masked.
    assert case["parties"][1]["credit_code"] == "91410823MA3X4K2L38"
    assert "410823198503122036" not in json.dumps(case, ensure_ascii=False)


def test_chief_checks_match_the_officers(example, personas):
    """Masking changes what is shown, never what the rules see (C1 reads birth dates)."""
    officer, chief = client_for(personas["wuzhi_officer"]), client_for(personas["jiaozuo_chief"])
    for kind in CHECKS:
        url = case_url(A, kind) + "?as_of=2025-06-30"
        assert chief.get(url).json() == officer.get(url).json()


def test_chief_indicators_cover_the_subtree(example, personas):
    client = client_for(personas["jiaozuo_chief"])
    default = client.get(f"/api/indicators?{WINDOW}").json()
    assert [row["court"] for row in default["courts"]] == ["豫0823"]
    assert default == cli("indicators", "--from", "2023-01-01", "--to", "2023-12-31", "--court", "豫08")
    narrowed = client.get(f"/api/indicators?{WINDOW}&court=豫0823").json()
    assert narrowed["total"] == default["total"]
    assert client.get(f"/api/indicators?{WINDOW}&court=豫").status_code == 404  # above the chief's court


def test_chief_ledger(example, personas):
    body = client_for(personas["jiaozuo_chief"]).get("/api/ledger?as_of=2023-12-31&court=豫0823").json()
    assert [(r["court"], r["cases"]) for r in body["rows"]] == [("豫0823", 1), ("豫0823", 1)]


# -- the officer of 温县法院: nothing of 武陟 ---------------------------------------------------


@pytest.mark.parametrize("number", sorted(ALL))
def test_other_court_gets_404_for_every_case_url(example, personas, number):
    client = client_for(personas["wenxian_officer"])
    for url in [case_url(number), *(case_url(number, k) + "?as_of=2023-12-31" for k in CHECKS)]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not Found"}


def test_other_court_404_is_the_same_as_for_a_case_that_does_not_exist(example, personas):
    client = client_for(personas["wenxian_officer"])
    real, invented = client.get(case_url(A)), client.get(case_url("（2023）豫0823执99999号"))
    assert (real.status_code, real.content) == (invented.status_code, invented.content)


def test_other_court_gets_an_empty_list_and_ledger(example, personas):
    client = client_for(personas["wenxian_officer"])
    assert client.get("/api/cases").json() == {"items": [], "count": 0}
    assert client.get("/api/cases?q=张某").json() == {"items": [], "count": 0}
    assert client.get("/api/cases?court=豫0823").json() == {"items": [], "count": 0}
    assert client.get("/api/ledger?as_of=2023-12-31").json() == {"as_of": "2023-12-31", "rows": []}


def test_other_court_gets_404_for_indicators_of_wuzhi(example, personas):
    client = client_for(personas["wenxian_officer"])
    assert client.get(f"/api/indicators?{WINDOW}&court=豫0823").status_code == 404
    assert client.get(f"/api/indicators?{WINDOW}&court=豫08").status_code == 404
    assert client.get("/api/ledger?as_of=2023-12-31&court=豫0823").status_code == 404
    own = client.get(f"/api/indicators?{WINDOW}").json()
    assert own["courts"] == []
    assert own["total"]["indicators"]["IND-01"] == {"numerator": 0, "denominator": 0, "value": None}


def test_user_without_a_court_sees_nothing(example, personas):
    client = client_for(personas["courtless"])
    assert client.get("/api/cases").json() == {"items": [], "count": 0}
    assert client.get(case_url(A)).status_code == 404
    assert client.get(f"/api/indicators?{WINDOW}").json()["courts"] == []
    assert client.get("/api/ledger?as_of=2023-12-31").json()["rows"] == []
