"""Pages: log-in and landing, the case list, 我的案件, the case page and the dashboard,
each tried by the personas of tests/conftest.py (武陟 officer, 焦作 chief, 温县 officer)."""

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from zhixing.cases.services import import_bundle

EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "spec" / "example.jsonl"
A, B, C, D, E = (
    "（2023）豫0823执1234号",
    "（2023）豫0823执1301号",
    "（2023）豫0823执2101号",
    "（2022）豫0823执1876号",
    "（2023）豫0823执恢15号",
)
ALL = (A, B, C, D, E)
PASSWORD = "correct-horse-battery"
YEAR_2023 = "period=custom&from=2023-01-01&to=2023-12-31"


@pytest.fixture
def example(courts):
    with EXAMPLE.open(encoding="utf-8") as f:
        assert import_bundle(f).imported == 5


@pytest.fixture
def with_passwords(personas, settings) -> dict:
    """The personas with a password (a fast hasher: scrypt would only slow tests down)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for user in personas.values():
        user.set_password(PASSWORD)
        user.save()
    return personas


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def detail(number: str) -> str:
    return reverse("cases:detail", args=[number])


def text(response) -> str:
    return response.content.decode()


# -- log-in, landing, log-out -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/cases/", "/cases/mine/", "/dashboard/", "/cases/anything/"])
def test_anonymous_is_sent_to_the_log_in_page(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/login/?next={url[:5]}")


@pytest.mark.django_db
def test_log_in_page_is_chinese():
    response = Client().get("/login/")
    assert response.status_code == 200
    html = text(response)
    assert '<html lang="zh-Hans">' in html
    assert "用户名" in html and "密码" in html and ">登录</button>" in html


def test_officer_lands_on_my_cases(example, with_passwords):
    client = Client()
    response = client.post("/login/", {"username": "wuzhi_officer", "password": PASSWORD}, follow=True)
    assert [url for url, _ in response.redirect_chain] == ["/", "/cases/mine/"]
    assert "我的案件" in text(response)


def test_chief_lands_on_the_dashboard(example, with_passwords):
    client = Client()
    response = client.post("/login/", {"username": "jiaozuo_chief", "password": PASSWORD}, follow=True)
    assert [url for url, _ in response.redirect_chain] == ["/", "/dashboard/"]
    assert "指挥中心" in text(response)


def test_log_in_honours_next(example, with_passwords):
    response = Client().post(
        "/login/?next=/cases/", {"username": "wuzhi_officer", "password": PASSWORD, "next": "/cases/"}
    )
    assert response["Location"] == "/cases/"


def test_wrong_password_is_refused_in_chinese(example, with_passwords):
    response = Client().post("/login/", {"username": "wuzhi_officer", "password": "wrong-password"})
    assert response.status_code == 200
    assert "请输入一个正确的" in text(response)


def test_log_out_ends_the_session(example, personas):
    client = client_for(personas["wuzhi_officer"])
    response = client.post("/logout/")
    assert response["Location"] == "/login/"
    assert client.get("/cases/").status_code == 302


# -- case list and 我的案件 -------------------------------------------------------------------


def test_officer_case_list_shows_the_example_cases(example, personas):
    html = text(client_for(personas["wuzhi_officer"]).get("/cases/"))
    assert "共 5 件" in html
    for number in ALL:
        assert f'href="{detail(number)}"' in html


def test_chief_case_list_shows_the_example_cases(example, personas):
    html = text(client_for(personas["jiaozuo_chief"]).get("/cases/"))
    assert "共 5 件" in html
    assert all(number in html for number in ALL)


def test_other_court_case_list_is_empty(example, personas):
    client = client_for(personas["wenxian_officer"])
    for url in ["/cases/", "/cases/?q=张某", "/cases/?court=豫0823", "/cases/mine/"]:
        html = text(client.get(url))
        assert "共 0 件" in html, url
        assert not any(number in html for number in ALL)


def test_search_returns_the_htmx_partial(example, personas):
    response = client_for(personas["wuzhi_officer"]).get("/cases/?q=李某", headers={"HX-Request": "true"})
    html = text(response)
    assert "<html" not in html
    assert "共 1 件" in html and B in html and A not in html


def test_a_search_pages_through_every_match(example, personas, monkeypatch):
    """No cap: the total is counted and every page is reachable by its number in the address."""
    from zhixing.cases import views

    client = client_for(personas["wuzhi_officer"])
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    html = text(client.get("/cases/"))
    assert "共 5 件，本页第 1–2 件" in html
    assert "第 1 / 3 页" in html
    assert len(re.findall(r"（\d{4}）豫0823执恢?\d+号(?=</a>)", html)) == 2
    last = text(client.get("/cases/?page=3"))
    assert "共 5 件，本页第 5–5 件" in last
    assert len(re.findall(r"（\d{4}）豫0823执恢?\d+号(?=</a>)", last)) == 1


@pytest.mark.parametrize("query", ["李", "武陟县", "（2023）豫0823执1", "不存在"])
def test_a_common_name_is_listed_and_counted_as_the_general_search(example, personas, monkeypatch, query):
    """Both ways of ``search_listing`` give the same cases in the same order as
    ``search_cases``; COMMON at 1 makes every name common."""
    from zhixing.cases import api

    officer = personas["wuzhi_officer"]
    general = [c.case_number for c in api.search_cases(officer, q=query)]
    monkeypatch.setattr(api, "COMMON", 1)
    listed, counted = api.search_listing(officer, q=query)
    assert [c.case_number for c in listed] == general
    assert counted.count() == len(general)
    assert f"共 {len(general)} 件" in text(client_for(officer).get(f"/cases/?q={query}"))


def test_a_name_is_common_or_not_among_the_parties_the_user_may_see(example, personas, monkeypatch):
    """李某 is a party of a 武陟 case only: with COMMON at 1 it is common for the 武陟 officer
    (the walk: two querysets) and for the 焦作 chief above 武陟, and not for the 温县
    officer, whose search reads the court-and-name index and finds nothing."""
    from zhixing.cases import api
    from zhixing.cases.models import Party

    monkeypatch.setattr(api, "COMMON", 1)
    assert set(Party.objects.filter(name="李某").values_list("court__code", flat=True)) == {"豫0823"}
    for persona, common, found in [
        ("wuzhi_officer", True, [B]),
        ("jiaozuo_chief", True, [B]),
        ("wenxian_officer", False, []),
    ]:
        listed, counted = api.search_listing(personas[persona], q="李某")
        assert _walked(listed, counted) == common, persona
        assert [c.case_number for c in listed] == found, persona
    listed, counted = api.search_listing(personas["jiaozuo_chief"], q="李某", court="豫0825")
    assert not _walked(listed, counted) and list(listed) == []  # 温县 is below 焦作 but has no 李某


def _walked(listed, counted) -> bool:
    """Whether ``search_listing`` walked the cases: counted another way, not from ids in hand."""
    from zhixing.cases import fragments

    return listed is not counted and not isinstance(counted, fragments.Counted)


@pytest.mark.parametrize("query", ["（2023）豫0823执", "(2023)豫0823执1", "（2023）豫0825执"])
def test_a_common_case_number_prefix_is_walked_and_gives_the_general_search(
    example, personas, monkeypatch, query
):
    """A court's year (half-width brackets normalised) common with COMMON at 1: the walk
    of the numbered cases, the same cases in the same order as the general search."""
    from zhixing.cases import api

    officer = personas["wuzhi_officer"]
    general = [c.case_number for c in api.search_cases(officer, q=query)]
    monkeypatch.setattr(api, "COMMON", 1)
    listed, counted = api.search_listing(officer, q=query)
    assert _walked(listed, counted) == bool(general)  # 温县's year: nothing numbered, the general form
    assert [c.case_number for c in listed] == general
    assert counted.count() == len(general)


def test_every_party_carries_its_cases_court(example):
    from zhixing.cases.models import Party

    pairs = set(Party.objects.values_list("court_id", "case__court_id"))
    assert pairs and all(court == case_court for court, case_court in pairs)


def test_open_filter(example, personas):
    html = text(client_for(personas["wuzhi_officer"]).get("/cases/?open=1"))
    assert "共 2 件" in html and C in html and D in html


def test_my_cases_are_the_ones_the_officer_handles_open_first(example, personas):
    officer = personas["wuzhi_officer"]
    officer.display_name = "王某"
    officer.save()
    html = text(client_for(officer).get("/cases/mine/"))
    assert "承办人：王某" in html and "共 3 件" in html
    shown = re.findall(r"（\d{4}）豫0823执恢?\d+号(?=</a>)", html)
    assert shown == [C, E, A]  # open first, then the latest closing first


# -- the case page ------------------------------------------------------------------------------


def test_case_page_for_the_officer(example, personas):
    html = text(client_for(personas["wuzhi_officer"]).get(detail(A) + "?as_of=2023-12-31"))
    assert f"<h1>{A}</h1>" in html
    assert "410823198503122036" in html  # own court: full data
    assert "部分隐去" not in html
    assert "终结本次执行程序（2023-06-30）" in html
    assert "法定执行期限：<strong>2023-09-04</strong>" in html
    assert '<strong class="verdict verdict-合格">合格</strong>' in html
    assert (
        "纳入失信名单" in html
        and "当事人：武陟县某建材有限公司；情形：违反财产报告制度；期限（年）：2" in html
    )
    assert "录入终本案件库" in html


def test_case_page_for_the_chief_masks_id_numbers(example, personas):
    html = text(client_for(personas["jiaozuo_chief"]).get(detail(A)))
    assert "410823********2036" in html
    assert "410823198503122036" not in html
    assert "本案不属本院，身份证号码已部分隐去" in html


@pytest.mark.parametrize("number", ALL)
def test_case_page_is_404_for_another_court(example, personas, number):
    response = client_for(personas["wenxian_officer"]).get(detail(number))
    assert response.status_code == 404
    assert number not in text(response)


def test_case_page_funds_and_petitions(example, personas):
    html = text(client_for(personas["wuzhi_officer"]).get(detail(B) + "?as_of=2023-12-31"))
    assert "<h2>案款</h2>" in html and "80,000.00" in html and "2023-05-06" in html
    assert "<h2>信访</h2>" in html and "2023-05-04" in html
    assert "d1（r1）2023-04-20 80,000.00 元" in html


def test_case_page_overdue_obligation(example, personas):
    html = text(client_for(personas["wuzhi_officer"]).get(detail(C) + "?as_of=2023-12-31"))
    row = re.search(r'<tr class="status-overdue">(.*?)</tr>', html, re.S).group(1)
    assert "K1" in row and "确定承办人" in row and "2023-11-27" in row and "超期未完成" in row


def test_case_page_as_of_before_filing_is_explained(example, personas):
    html = text(client_for(personas["wuzhi_officer"]).get(detail(C) + "?as_of=2023-01-01"))
    assert "截至日不得早于立案日期 2023-11-20；按立案日期计算" in html


def test_case_page_checks_partial_for_htmx(example, personas):
    response = client_for(personas["wuzhi_officer"]).get(
        detail(A) + "?as_of=2023-12-31", headers={"HX-Request": "true", "HX-Target": "case-checks"}
    )
    html = text(response)
    assert "<html" not in html and "期限与关键节点" in html and "节点记录" not in html


# -- the dashboard ------------------------------------------------------------------------------


def chart_data(html: str) -> dict:
    block = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def test_dashboard_for_the_chief(example, personas):
    html = text(client_for(personas["jiaozuo_chief"]).get(f"/dashboard/?{YEAR_2023}"))
    assert "焦作市中级人民法院及下级法院 · 窗口 2023-01-01 至 2023-12-31，截至 2023-12-31" in html
    card = re.search(
        r'<article class="card" title="([^"]*)">\s*<h3>首执结案率</h3>(.*?)</article>', html, re.S
    )
    assert card.group(1) == "窗口内结案的首次执行案件数 ÷ 受理数（新收 + 旧存）"
    assert '<p class="value">50.00%</p>' in card.group(2) and '<p class="ratio">2 / 4</p>' in card.group(2)
    below = re.search(
        r'<article class="card below"[^>]*>\s*<h3>有财产可供执行案件法定期限内实际执结率</h3>(.*?)</article>',
        html,
        re.S,
    )
    assert "目标 90% · 还差 8 件" in below.group(1)
    assert chart_data(html) == {
        "title": "首执结案率（各法院）",
        "unit": "%",
        "courts": ["武陟县人民法院"],
        "values": [50.0],
        "target": None,
    }
    assert "<td>武陟县人民法院</td><td>未结</td><td>1-3年</td><td>涉民生</td>" in html


def test_dashboard_chart_indicator_with_a_target(example, personas):
    html = text(client_for(personas["jiaozuo_chief"]).get(f"/dashboard/?{YEAR_2023}&indicator=IND-10"))
    assert chart_data(html) == {
        "title": "有财产可供执行案件法定期限内实际执结率（各法院）",
        "unit": "%",
        "courts": ["武陟县人民法院"],
        "values": [50.0],
        "target": 90.0,
    }


def test_dashboard_htmx_returns_the_body(example, personas):
    response = client_for(personas["jiaozuo_chief"]).get(
        f"/dashboard/?{YEAR_2023}", headers={"HX-Request": "true"}
    )
    html = text(response)
    assert "<html" not in html and 'id="chart-data"' in html


def test_dashboard_bad_window_is_explained(example, personas):
    html = text(
        client_for(personas["jiaozuo_chief"]).get("/dashboard/?period=custom&from=2023-12-31&to=2023-01-01")
    )
    assert "截止日早于起始日" in html


def test_dashboard_other_court_is_404(example, personas):
    client = client_for(personas["wenxian_officer"])
    assert client.get(f"/dashboard/?{YEAR_2023}&court=豫0823").status_code == 404
    assert client.get(f"/dashboard/?{YEAR_2023}&court=豫08").status_code == 404
    html = text(client.get(f"/dashboard/?{YEAR_2023}"))
    assert "温县人民法院" in html and "武陟县人民法院" not in html
    assert chart_data(html)["courts"] == []


def test_dashboard_court_choices_are_the_visible_courts(example, personas):
    html = text(client_for(personas["jiaozuo_chief"]).get("/dashboard/"))
    options = re.findall(r'<option value="(豫[^"]*)"', html)
    assert options == ["豫08", "豫0823", "豫0825"]


# -- static files come from installed packages ---------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "vendor/plotly/plotly.min.js",
        "django_htmx/htmx-2.min.js",
        "zhixing/site.css",
        "zhixing/dashboard.js",
        "ninja/swagger-ui-bundle.js",
    ],
)
def test_static_files_are_found(path):
    assert finders.find(path) is not None
