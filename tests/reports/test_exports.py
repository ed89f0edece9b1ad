"""Lists exported whole (reports.export): the case list, the work queue and the 失信 list
each page through their matches and export every one of them as xlsx, amounts numeric with
separators, dates as dates, ID numbers as the user may see them on the page."""

from datetime import date
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

NUMBERS = [f"（2023）豫0823执{n}号" for n in (501, 502, 503)]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(BytesIO(response.content)).active


@pytest.fixture
def three_cases(courts, personas, import_cases, bundle_case):
    """Three 武陟 cases of 2023 (王某 handles them), each without its 执行通知 (K2 overdue)."""
    without_notice = [e for e in bundle_case.key_node_events("2023-03-01") if e["node"] != "execution_notice"]
    report = import_cases(*(bundle_case(case_number=n, claim_amount="1234567.50", events=without_notice)
                            for n in NUMBERS))  # fmt: skip
    assert report.rejected == []
    return personas


def test_the_case_list_exports_every_page(three_cases, monkeypatch):
    from zhixing.cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    client = signed_in(three_cases["wuzhi_officer"])
    page = client.get("/cases/", {"q": "（2023）豫0823执5"}).content.decode()
    assert "共 3 件，本页第 1–1 件" in page and "第 1 / 3 页" in page
    assert "1,234,567.50" in page
    ws = sheet(client.get("/cases/", {"q": "（2023）豫0823执5", "export": "xlsx", "page": "2"}))
    assert [c.value for c in ws[3]][:3] == ["案号", "法院", "类型"]
    rows = list(ws.iter_rows(min_row=4))
    assert sorted(r[0].value for r in rows) == NUMBERS  # every page, whichever page asked
    claim = rows[0][7]
    assert (claim.value, claim.number_format) == (1234567.5, "#,##0.00")
    assert rows[0][3].is_date and rows[0][1].value == "武陟县人民法院"


def test_the_queue_exports_every_item_with_its_basis(three_cases, monkeypatch):
    from zhixing.flow import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = signed_in(three_cases["wuzhi_officer"])
    query = {"scope": "court", "as_of": "2023-12-31", "days": "7"}
    page = client.get("/flow/queue/", query).content.decode()
    assert "共 6 项，其中已超期 6 项" in page and "第 1 / 3 页" in page
    assert "DL-" not in page and "《最高人民法院关于人民法院执行工作若干问题的规定（试行）》第22条" in page
    ws = sheet(client.get("/flow/queue/", {**query, "export": "xlsx"}))
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    assert len(rows) == 6
    notice = next(r for r in rows if r[0] == NUMBERS[0] and r[2] == "发出执行通知书")
    assert notice[5] == "已超期 293 日" and notice[6].startswith("《最高人民法院关于适用")


def test_the_credit_list_exports_ids_as_the_page_shows_them(courts, personas, import_cases, bundle_case):
    from zhixing.cases.models import Case
    from zhixing.credit import services

    debtor_id = bundle_case.id_number(birth="19850312", seq="203")
    case = bundle_case(
        case_number="（2024）豫0823执88号", filed_on="2024-01-10",
        parties=[bundle_case.applicant(), {"id": "p2", "role": "被执行人", "kind": "自然人", "name": "周某",
                                           "id_number": debtor_id}],
        events=[bundle_case.ev("handler_assigned", "2024-01-10", handler="王某"),
                bundle_case.ev("execution_notice", "2024-01-10"),
                bundle_case.ev("consumption_restriction", "2024-02-01", party="p2")],
    )  # fmt: skip
    assert import_cases(case, today=date(2026, 1, 1)).rejected == []
    services.list_party(personas["wuzhi_officer"], Case.objects.get(case_number="（2024）豫0823执88号"),
                        party="p2", grounds=["G1"], term_years=None,
                        doc=services.Document(date(2024, 3, 1), "（2024）豫0823执88号之一", "李院长"))  # fmt: skip
    own = sheet(signed_in(personas["wuzhi_officer"]).get("/credit/", {"export": "xlsx", "state": "all"}))
    above = sheet(signed_in(personas["jiaozuo_chief"]).get("/credit/", {"export": "xlsx", "state": "all"}))
    (listed,) = [[c.value for c in r] for r in own.iter_rows(min_row=4) if r[0].value == "失信被执行人"]
    assert listed[:6] == [
        "失信被执行人",
        "周某",
        "被执行人",
        debtor_id,
        "（2024）豫0823执88号",
        "武陟县人民法院",
    ]
    shown = {r[3].value for r in above.iter_rows(min_row=4)}
    assert debtor_id not in shown and len(shown) == 1  # masked, by the page's rule
