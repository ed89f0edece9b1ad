"""One masking rule on every page, API and document that shows an ID number (lib.masking).

Personas: 王某, an officer of 武陟县法院 (the court handling the cases here), sees the numbers
whole; 赵局长, the bureau chief of 焦作中院 (supervising 武陟), sees the staff form
``410823********2036``; 李某, an officer of 温县法院, sees nothing of 武陟; the public
sees the published form ``4108231985****2036``. A unit's 统一社会信用代码 is whole for all.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest
from django.test import Client

from zhixing.lib.identifiers import credit_code_check_char, id_number_check_char, organization_code_check_char

pytestmark = pytest.mark.django_db

NUMBER = "（2024）豫0823执88号"


def _id(first17: str) -> str:
    return first17 + id_number_check_char(first17)


def _code(prefix: str, body: str) -> str:
    first17 = prefix + body + organization_code_check_char(body)
    return first17 + credit_code_check_char(first17)


#: 周某, the natural-person debtor, and 赵某, the legal representative of the unit debtor.
ZHOU = _id("41082319850312203")
ZHAO = _id("41082319700101111")
UNIT_CODE = _code("91410823", "MA3X4K2L")
APPLICANT_CODE = _code("91410823", "MA44AB2C")


def staff(number: str) -> str:
    return number[:6] + "********" + number[14:]


def public(number: str) -> str:
    return number[:10] + "****" + number[14:]


def forms_in(text: str, number: str) -> set[str]:
    """Which of the three forms of ``number`` occur in ``text``."""
    found = {name for name, form in (("whole", number), ("staff", staff(number)), ("public", public(number)))
             if form in text}  # fmt: skip
    return found


@pytest.fixture
def credit_case(import_cases, personas):
    """武陟's case against 周某 and 武陟县某建材有限公司: the unit restricted with its legal
    representative 赵某 named (CONS-4), 周某 restricted and listed (G1)."""
    from zhixing.cases.models import Case
    from zhixing.credit import services
    from zhixing.credit.services import Document

    bundle = {
        "case_number": NUMBER, "filed_on": "2024-01-10", "claim_amount": "100000.00", "handler": "王某",
        "basis": {"document_number": "（2023）豫0823民初100号", "issuer": "武陟县人民法院", "kind": "民事判决书",
                  "effective_on": "2023-12-01"},
        "parties": [
            {"id": "p1", "role": "申请执行人", "kind": "法人", "name": "焦作市某商贸有限公司",
             "credit_code": APPLICANT_CODE},
            {"id": "p2", "role": "被执行人", "kind": "自然人", "name": "周某", "id_number": ZHOU,
             "phone": "13800001111"},
            {"id": "p3", "role": "被执行人", "kind": "法人", "name": "武陟县某建材有限公司", "credit_code": UNIT_CODE,
             "legal_representative": "赵某"},
        ],
        "events": [{"node": "handler_assigned", "on": "2024-01-10", "handler": "王某"},
                   {"node": "execution_notice", "on": "2024-01-10"}],
    }  # fmt: skip
    report = import_cases(bundle, today=date(2026, 1, 1))
    assert report.rejected == []
    case = Case.objects.get(case_number=NUMBER)
    officer = personas["wuzhi_officer"]
    services.restrict_consumption(
        officer, case, party="p3", doc=Document(date(2024, 2, 1), "（2024）豫0823执88号之一", "李院长"),
        persons=[{"role": "legal_representative", "name": "赵某", "id_number": ZHAO}],
    )  # fmt: skip
    services.list_party(
        officer, case, party="p2", grounds=["G1"], term_years=None, restrict=True,
        doc=Document(date(2024, 3, 1), "（2024）豫0823执88号之二", "李院长"),
    )  # fmt: skip
    return case


def client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def wang(personas):
    return client(personas["wuzhi_officer"])


@pytest.fixture
def zhao_chief(personas):
    return client(personas["jiaozuo_chief"])


@pytest.fixture
def li(personas):
    return client(personas["wenxian_officer"])


# -- the case page and the case API -------------------------------------------------------------


def test_case_page(credit_case, wang, zhao_chief, li):
    page = wang.get(f"/cases/{NUMBER}/").content.decode()
    assert forms_in(page, ZHOU) == {"whole"}
    assert UNIT_CODE in page
    page = zhao_chief.get(f"/cases/{NUMBER}/").content.decode()
    assert forms_in(page, ZHOU) == {"staff"}
    assert ZHAO not in page and UNIT_CODE in page
    assert "本案不属本院，身份证号码已部分隐去。" in page
    assert li.get(f"/cases/{NUMBER}/").status_code == 404


def _persons_of_restrictions(body: dict) -> list[str]:
    return [
        p["id_number"]
        for e in body["events"]
        if e["node"] == "consumption_restriction"
        for p in e.get("persons", [])
    ]


def test_case_api(credit_case, wang, zhao_chief, li):
    body = wang.get(f"/api/cases/{NUMBER}").json()
    assert [(p["id"], p.get("id_number"), p.get("credit_code")) for p in body["parties"]] == [
        ("p1", None, APPLICANT_CODE),
        ("p2", ZHOU, None),
        ("p3", None, UNIT_CODE),
    ]
    assert _persons_of_restrictions(body) == [ZHAO]
    assert body["masked"] is False

    body = zhao_chief.get(f"/api/cases/{NUMBER}").json()
    assert [(p["id"], p.get("id_number"), p.get("credit_code")) for p in body["parties"]] == [
        ("p1", None, APPLICANT_CODE),
        ("p2", staff(ZHOU), None),
        ("p3", None, UNIT_CODE),
    ]
    assert _persons_of_restrictions(body) == [staff(ZHAO)]
    assert body["masked"] is True
    assert li.get(f"/api/cases/{NUMBER}").status_code == 404


def test_a_supervising_court_correcting_a_node_gets_it_back_masked(credit_case, zhao_chief):
    """赵局长 corrects the day of the unit's 限制消费令 (a supervising role may act below)."""
    from zhixing.cases.models import NodeEvent

    event = NodeEvent.objects.get(case=credit_case, node="consumption_restriction", data__party="p3")
    credit_case.refresh_from_db()
    response = zhao_chief.post(
        f"/api/flow/events/{event.pk}/correction",
        {"on": "2024-02-02", "reason": "日期录入有误", "version": credit_case.version},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert [p["id_number"] for p in response.json()["data"]["persons"]] == [staff(ZHAO)]


# -- the 失信 list, the case's credit page and the credit API -------------------------------------


def _identifiers(entries: list[dict]) -> list[tuple[str, str, str]]:
    return sorted((e["kind"], e["name"], e["identifier"]) for e in entries)


def test_credit_list_page(credit_case, wang, zhao_chief, li):
    page = wang.get("/credit/?state=all").content.decode()
    assert forms_in(page, ZHOU) == {"whole"} and forms_in(page, ZHAO) == {"whole"}
    assert UNIT_CODE in page
    page = zhao_chief.get("/credit/?state=all").content.decode()
    assert forms_in(page, ZHOU) == {"staff"} and forms_in(page, ZHAO) == {"staff"}
    assert UNIT_CODE in page
    page = li.get("/credit/?state=all").content.decode()
    assert "共 0 条" in page and forms_in(page, ZHOU) == set() and UNIT_CODE not in page


def test_credit_search_by_a_whole_number_still_finds_the_masked_row(credit_case, zhao_chief):
    page = zhao_chief.get("/credit/", {"q": ZHOU, "state": "all"}).content.decode()
    # The search box and the export link keep what the chief typed; the rows show what
    # the rule allows.
    rows = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "共 2 条" in page and forms_in(rows, ZHOU) == {"staff"}


def _xlsx_text(response) -> str:
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)


def test_credit_list_export(credit_case, wang, zhao_chief):
    text = _xlsx_text(wang.get("/credit/", {"state": "all", "export": "xlsx"}))
    assert forms_in(text, ZHOU) == {"whole"} and forms_in(text, ZHAO) == {"whole"} and UNIT_CODE in text
    text = _xlsx_text(zhao_chief.get("/credit/", {"state": "all", "export": "xlsx"}))
    assert forms_in(text, ZHOU) == {"staff"} and forms_in(text, ZHAO) == {"staff"} and UNIT_CODE in text


def test_case_credit_page(credit_case, wang, zhao_chief, li):
    page = wang.get(f"/credit/cases/{NUMBER}/").content.decode()
    assert forms_in(page, ZHOU) == {"whole"} and forms_in(page, ZHAO) == {"whole"}
    page = zhao_chief.get(f"/credit/cases/{NUMBER}/").content.decode()
    assert forms_in(page, ZHOU) == {"staff"} and forms_in(page, ZHAO) == {"staff"}
    assert UNIT_CODE in page
    assert li.get(f"/credit/cases/{NUMBER}/").status_code == 404


def test_credit_api_case(credit_case, wang, zhao_chief, li):
    expected = {
        "whole": [
            ("dishonest", "周某", ZHOU),
            ("restricted", "周某", ZHOU),
            ("restricted", "武陟县某建材有限公司", UNIT_CODE),
            ("restricted", "赵某", ZHAO),
        ],
        "staff": [
            ("dishonest", "周某", staff(ZHOU)),
            ("restricted", "周某", staff(ZHOU)),
            ("restricted", "武陟县某建材有限公司", UNIT_CODE),
            ("restricted", "赵某", staff(ZHAO)),
        ],
    }
    body = wang.get(f"/api/credit/cases/{NUMBER}").json()
    assert _identifiers(body["entries"]) == expected["whole"]
    assert [p["id_number"] for d in body["decisions"] for p in d["persons"]] == [ZHAO]
    body = zhao_chief.get(f"/api/credit/cases/{NUMBER}").json()
    assert _identifiers(body["entries"]) == expected["staff"]
    assert [p["id_number"] for d in body["decisions"] for p in d["persons"]] == [staff(ZHAO)]
    assert li.get(f"/api/credit/cases/{NUMBER}").status_code == 404


def test_credit_api_entries(credit_case, wang, zhao_chief, li):
    whole = {e["identifier"] for e in wang.get("/api/credit/entries").json()}
    assert whole == {ZHOU, ZHAO, UNIT_CODE}
    masked = {e["identifier"] for e in zhao_chief.get("/api/credit/entries").json()}
    assert masked == {staff(ZHOU), staff(ZHAO), UNIT_CODE}
    by_number = zhao_chief.get("/api/credit/entries", {"q": ZHOU}).json()
    assert {e["identifier"] for e in by_number} == {staff(ZHOU)}
    assert li.get("/api/credit/entries").json() == []


# -- what the public sees ------------------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "wuzhi_officer", "jiaozuo_chief"])
def test_public_search_shows_the_published_form_to_everybody(credit_case, personas, who):
    """The public page is public whoever is logged in: even 王某 sees the published form."""
    page = client(personas[who] if who else None).get("/public/credit/", {"q": ZHOU}).content.decode()
    assert "周某" in page and forms_in(page, ZHOU) == {"public"}


def test_portal_shows_the_party_their_own_number_in_the_published_form(credit_case, settings, tmp_path):
    """周某 opens the case in the portal with the code sent to their phone."""
    import re

    from django.core.cache import cache

    cache.clear()
    codes = tmp_path / "codes.txt"
    settings.PORTAL_NOTIFIER = "file"
    settings.PORTAL_CODE_FILE = str(codes)
    zhou = Client()
    assert zhou.post("/portal/", {"case_number": NUMBER, "identifier": ZHOU}).status_code == 302
    code = re.search(r"验证码为(\d{6})", codes.read_text(encoding="utf-8")).group(1)
    assert zhou.post("/portal/verify/", {"code": code}).status_code == 302
    page = zhou.get("/portal/case/").content.decode()
    assert "周某" in page and forms_in(page, ZHOU) == {"public"}
    # Nobody else's number: not the legal representative named in the unit's order.
    assert forms_in(page, ZHAO) == set()
    cache.clear()


# -- documents -----------------------------------------------------------------------------------

APPLICANT_ID = "410823198503122036"
ALL4 = ["存款", "车辆", "不动产", "有价证券"]
#: Case A of spec/example.jsonl before its closing (as tests/termination use it).
CASE_A = {
    "case_number": "（2023）豫0823执1234号", "court": "豫0823", "case_type": "首次执行",
    "application_received_on": "2023-02-27", "filed_on": "2023-03-02",
    "basis": {"document_number": "（2022）豫0823民初456号", "issuer": "武陟县人民法院", "kind": "民事判决书",
              "effective_on": "2022-12-20"},
    "claim_amount": "125000.00", "recovered_amount": "0.00", "tags": ["涉企"], "handler": "王某",
    "parties": [
        {"id": "p1", "role": "申请执行人", "kind": "自然人", "name": "张某", "id_number": APPLICANT_ID},
        {"id": "p2", "role": "被执行人", "kind": "法人", "name": "武陟县某建材有限公司",
         "credit_code": "91410823MA3X4K2L38", "legal_representative": "赵某"},
    ],
    "events": [
        {"node": "handler_assigned", "on": "2023-03-03", "handler": "王某"},
        {"node": "execution_notice", "on": "2023-03-06"},
        {"node": "property_report_order", "on": "2023-03-06"},
        {"node": "clue_request", "on": "2023-03-06"},
        {"node": "online_inquiry", "on": "2023-03-08", "system": "总对总",
         "categories": ["存款", "车辆", "不动产", "有价证券", "网络资金", "股权"],
         "found": [{"asset": "a1", "category": "存款", "value": "523.00"}]},
        {"node": "consumption_restriction", "on": "2023-03-10", "party": "p2"},
        {"node": "property_report", "on": "2023-03-20", "party": "p2", "status": "拒绝"},
        {"node": "fine", "on": "2023-03-28", "party": "p2"},
        {"node": "credit_listing", "on": "2023-03-28", "party": "p2", "grounds": ["G4"], "term_years": 2},
        {"node": "field_investigation", "on": "2023-04-12"},
        {"node": "online_inquiry", "on": "2023-06-20", "system": "总对总", "categories": ALL4, "found": []},
    ],
}  # fmt: skip


@pytest.fixture
def ruled(import_cases, personas):
    """Case A with its 约谈 (张某 interviewed) and its 终本裁定书, both by 王某."""
    from zhixing.cases.models import Case
    from zhixing.termination import services

    assert import_cases(copy.deepcopy(CASE_A)).rejected == []
    case = Case.objects.get(case_number=CASE_A["case_number"])
    officer = personas["wuzhi_officer"]
    told = {"told_progress": True, "told_measures": True, "told_property": True, "told_basis": True}
    interview = services.record_interview(
        case.pk, user=officer, expected_version=None, on=date(2023, 6, 25), applicant="p1", attendee="张某",
        interviewers="王某", place="本院第三约谈室", told=told, opinion="同意", recorder="刘某",
    )  # fmt: skip
    ruling = services.record_ruling(
        case.pk, user=officer, expected_version=None, on=date(2023, 6, 28), approval="consent",
        presiding="王某", clerk="刘某",
    )  # fmt: skip
    return case, interview, ruling


CLOSED = [
    {"node": "applicant_interview", "on": "2023-06-25", "opinion": "同意"},
    {"node": "termination_ruling", "on": "2023-06-28"},
    {"node": "ruling_served", "on": "2023-06-30"},
    {"node": "termination_registry_entry", "on": "2023-07-05"},
]


def test_cross_review_item(import_cases, personas):
    """焦作中院 has 温县's 李某 review a 终本 closing of 武陟 (交叉互评): 李某 and the
    organising 中院 see the staff form."""
    from zhixing.termination import services

    def closed(number: str, court: str) -> dict:
        b = copy.deepcopy(CASE_A)
        b.update(case_number=number, court=court, closing={"on": "2023-06-30", "mode": "终结本次执行程序"})
        b["events"] += copy.deepcopy(CLOSED)
        return b

    # Each basic court's closings go to the other's reviewers.
    bundles = closed("（2023）豫0823执2001号", "豫0823"), closed("（2023）豫0825执3001号", "豫0825")
    assert import_cases(*bundles).rejected == []
    chief, li_user = personas["jiaozuo_chief"], personas["wenxian_officer"]
    services.create_campaign(
        user=chief, key="K1", court=chief.court, period_start=date(2023, 1, 1), period_end=date(2023, 6, 30),
        per_court=1, as_of=date(2023, 7, 31), reviewers=[li_user, personas["wuzhi_officer"]],
    )  # fmt: skip
    item = services.reviewable_items(li_user).get(case__case_number="（2023）豫0823执2001号")
    for user in (li_user, chief):
        page = client(user).get(f"/termination/reviews/K1/items/{item.pk}/").content.decode()
        assert forms_in(page, APPLICANT_ID) == {"staff"}, user
        body = client(user).get(f"/api/termination/reviews/K1/items/{item.pk}").json()
        assert body["case"]["parties"][0]["id_number"] == staff(APPLICANT_ID), user


def _docx_text(response) -> str:
    from zhixing.termination.documents import document_text

    assert response.status_code == 200
    return document_text(response.content)


def test_documents(ruled, wang, zhao_chief, li):
    case, interview, ruling = ruled
    n = case.case_number
    urls = [
        f"/termination/case/{n}/rulings/{ruling.pk}.docx",
        f"/termination/case/{n}/interviews/{interview.pk}.docx",
        f"/api/termination/cases/{n}/rulings/{ruling.pk}.docx",
        f"/api/termination/cases/{n}/interviews/{interview.pk}.docx",
    ]
    for url in urls:
        assert forms_in(_docx_text(wang.get(url)), APPLICANT_ID) == {"whole"}, url
        assert forms_in(_docx_text(zhao_chief.get(url)), APPLICANT_ID) == {"staff"}, url
        assert li.get(url).status_code == 404, url


# -- the admin -----------------------------------------------------------------------------------


@pytest.fixture
def admin_users(personas):
    """赵局长 and 王某 as staff users with the view permissions of cases and the list."""
    from django.contrib.auth.models import Permission

    perms = Permission.objects.filter(
        codename__in=["view_case", "view_party", "view_nodeevent", "view_listentry"]
    )
    users = {}
    for key in ("jiaozuo_chief", "wuzhi_officer"):
        user = personas[key]
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.user_permissions.set(perms)
        users[key] = client(user)
    return users


def test_admin_case_page_and_list(credit_case, admin_users):
    for key, form in (("wuzhi_officer", "whole"), ("jiaozuo_chief", "staff")):
        page = admin_users[key].get(f"/admin/cases/case/{credit_case.pk}/change/")
        assert page.status_code == 200, key
        html = page.content.decode()
        # The party row and the node data (赵某 of the unit's order) alike.
        assert forms_in(html, ZHOU) == {form} and forms_in(html, ZHAO) == {form}, key
        listing = admin_users[key].get("/admin/credit/listentry/").content.decode()
        assert forms_in(listing, ZHOU) == {form} and forms_in(listing, ZHAO) == {form}, key
        assert UNIT_CODE in listing, key
