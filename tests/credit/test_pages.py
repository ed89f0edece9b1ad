"""Officer pages: the list scoped to the user's courts, a case's credit page whose forms
check the rules before saving (a refused decision re-renders with the rule, nothing saved),
decisions only by the case's own court, and the due-deletions page."""

import re
from datetime import date

import pytest
from django.test import Client

from zhixing.cases.models import NodeEvent
from zhixing.credit import services
from zhixing.credit.models import ListEntry

pytestmark = pytest.mark.django_db

URL = "/credit/cases/（2024）豫0823执88号/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listing_form(**overrides) -> dict:
    data = {
        "action": "listing",
        "listing-party": "p2",
        "listing-grounds": ["G1"],
        "listing-term_years": "",
        "listing-restrict": "on",
        "listing-decided_on": "2024-03-01",
        "listing-document_number": "（2024）豫0823执88号之一",
        "listing-signer": "李院长",
    }
    data.update(overrides)
    return data


def test_a_listing_through_the_form(credit_urls, personas, make_case):
    make_case()
    client = signed_in(personas["wuzhi_officer"])
    page = client.get(URL)
    assert page.status_code == 200 and "纳入失信名单" in page.content.decode()
    r = client.post(URL, listing_form())
    assert r.status_code == 302
    assert set(ListEntry.objects.filter(active=True).values_list("kind", flat=True)) == {
        "dishonest",
        "restricted",
    }
    assert "已保存：纳入失信名单（（2024）豫0823执88号之一）" in client.get(URL).content.decode()


def test_the_case_page_names_grounds_in_words(credit_urls, personas, make_case):
    """王某, an officer of 武陟县法院, reads each ground as the rule words it, never as G1–G6."""
    make_case()
    client = signed_in(personas["wuzhi_officer"])
    client.post(URL, listing_form(**{"listing-grounds": ["G4", "G5"], "listing-term_years": "3"}))
    html = client.get(URL).content.decode()
    assert '<option value="L1">周某（2024-03-01纳入，违反财产报告制度、违反限制消费令）</option>' in html
    assert '<input type="checkbox" name="listing-grounds" value="G4"' in html
    assert "仅以“有履行能力而拒不履行”纳入的不设期限" in html
    shown = re.sub(r'(value|id|for)="[^"]*"', "", html)
    assert re.findall(r"\bG[1-6]\b", shown) == []


def test_a_minor_is_refused_in_the_form_with_the_rule(credit_urls, personas, make_case):
    make_case(birth="20070101")
    client = signed_in(personas["wuzhi_officer"])
    r = client.post(URL, listing_form())
    assert r.status_code == 422
    html = r.content.decode()
    assert "C1 纳入时未满十八周岁：周某生于2007-01-01，2025-01-01年满十八周岁" in html
    assert not NodeEvent.objects.filter(node__in=["credit_listing", "consumption_restriction"]).exists()


def test_g1_with_a_term_is_refused_in_the_form(credit_urls, personas, make_case):
    make_case()
    r = signed_in(personas["wuzhi_officer"]).post(URL, listing_form(**{"listing-term_years": "2"}))
    assert r.status_code == 422
    assert "C2 失信期限不当：仅以“有履行能力而拒不履行”纳入的失信名单不设期限" in r.content.decode()
    assert not ListEntry.objects.filter(kind="dishonest").exists()


def test_scoping_of_pages(credit_urls, personas, make_case):
    make_case(events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}])
    assert signed_in(personas["wenxian_officer"]).get(URL).status_code == 404
    chief = signed_in(personas["jiaozuo_chief"])
    page = chief.get(URL)
    assert page.status_code == 200 and 'name="action"' not in page.content.decode()
    assert chief.post(URL, listing_form()).status_code == 403
    assert "（2024）豫0823执88号" in chief.get("/credit/", {"state": "all"}).content.decode()
    assert (
        "（2024）豫0823执88号"
        not in signed_in(personas["wenxian_officer"]).get("/credit/", {"state": "all"}).content.decode()
    )


def test_due_page_lists_what_must_be_deleted(credit_urls, personas, make_case):
    make_case(
        events=[
            {"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"},
            {
                "node": "credit_listing",
                "on": "2024-03-01",
                "party": "p2",
                "grounds": ["G1"],
                "term_years": None,
            },
        ],
        closing={"on": "2024-09-30", "mode": "执行完毕"},
    )
    html = signed_in(personas["wuzhi_officer"]).get("/credit/due/").content.decode()
    assert "2024-10-10" in html and "周某" in html
    assert "<td>有履行能力而拒不履行生效法律文书确定义务</td>" in html
    assert "周某" not in signed_in(personas["wenxian_officer"]).get("/credit/due/").content.decode()


def test_the_case_history_names_a_lifting_ground_in_words(credit_urls, personas, make_case):
    """王某, an officer of 武陟县法院, lifts 周某's restriction on the applicant's consent; the
    case page's history says 申请执行人同意解除, not the stored code."""
    case = make_case(events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}])
    officer = personas["wuzhi_officer"]
    doc = services.Document(date(2024, 3, 10), "（2024）豫0823执88号之二", "李院长")
    services.lift_restriction(officer, case, party="p2", ground="consent", doc=doc)
    html = signed_in(officer).get(f"/cases/{case.case_number}/").content.decode()
    details = re.findall(r'<span class="details">(.*?)</span>', html, re.S)
    assert any("申请执行人同意解除" in d for d in details)
    assert not any("consent" in d for d in details)


def test_anonymous_users_are_sent_to_log_in(credit_urls, make_case):
    make_case()
    assert Client().get(URL).status_code == 302
