"""执行公开: a party opens their own case with case number + ID number + a code sent to
their phone; nobody learns whether a case or an ID exists; others' data stays hidden."""

from __future__ import annotations

import re
import time

import pytest
from django.core.cache import cache
from django.test import Client

from zhixing.lib.masking import mask_id_public
from zhixing.portal import services
from zhixing.portal.views import BAD_CODE, NO_MATCH

NUMBER = "（2023）豫0823执77号"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def codes(settings, tmp_path):
    """Codes go to a file (the file notifier); returns a reader of the last code sent."""
    path = tmp_path / "codes.txt"
    settings.PORTAL_NOTIFIER = "file"
    settings.PORTAL_CODE_FILE = str(path)

    def last() -> tuple[str, str] | None:
        if not path.exists():
            return None
        line = path.read_text(encoding="utf-8").strip().splitlines()[-1]
        _, phone, message = line.split("\t")
        return phone, re.search(r"验证码为(\d{6})", message).group(1)

    last.path = path
    return last


@pytest.fixture
def portal_case(courts, import_cases, bundle_case):
    """A case of 武陟: applicant 张某 (phone on file), a second applicant 王某某 (no phone),
    a natural-person debtor 李四 (phone on file); money paid to 张某 and to 王某某; an
    interference record that no party may see."""
    me = bundle_case.applicant(
        "p1", name="张某", id_number=bundle_case.id_number("19850312"), phone="13800001111"
    )
    other = bundle_case.applicant("p3", name="王某某", id_number=bundle_case.id_number("19900101", seq="111"))
    debtor = {
        "id": "p2",
        "role": "被执行人",
        "kind": "自然人",
        "name": "李四",
        "id_number": bundle_case.id_number("19700505", seq="555"),
        "phone": "13900002222",
    }
    case = bundle_case(
        case_number=NUMBER,
        parties=[me, debtor, other],
        events=[
            *bundle_case.key_node_events("2023-03-01"),
            bundle_case.ev("consumption_restriction", "2023-03-10", party="p2"),
            bundle_case.ev("interference_record", "2023-03-12", person="某领导", content="打招呼要求缓办"),
        ],
        receipts=[{"id": "r1", "notice_on": "2023-04-06", "amount": "5000.00", "payer": "李四"}],
        disbursements=[
            {"id": "d1", "receipt": "r1", "on": "2023-04-20", "amount": "3000.00", "payee": "p1"},
            {"id": "d2", "receipt": "r1", "on": "2023-04-21", "amount": "1500.00", "payee": "p3"},
        ],
    )
    report = import_cases(case)
    assert not getattr(report, "errors", None)
    return {"me": me, "other": other, "debtor": debtor}


def lookup(client: Client, number: str, identifier: str):
    return client.post("/portal/", {"case_number": number, "identifier": identifier})


def open_case(client: Client, codes, number: str, identifier: str):
    r = lookup(client, number, identifier)
    assert r.status_code == 302 and r["Location"] == "/portal/verify/"
    phone, code = codes()
    r = client.post("/portal/verify/", {"code": code})
    assert r.status_code == 302 and r["Location"] == "/portal/case/"
    return phone, client.get("/portal/case/")


def test_applicant_opens_own_case_with_code(db, client, codes, portal_case):
    assert client.get("/portal/").status_code == 200  # no log-in needed
    phone, page = open_case(client, codes, NUMBER, portal_case["me"]["id_number"])
    assert phone == "13800001111"
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    assert NUMBER in html and "武陟县人民法院" in html
    # Progress by key node (K1–K4 all done on the filing day) and what the court did.
    assert html.count("完成于 2023-03-01") == 4
    assert "发出执行通知书" in html and "限制消费令" in html
    # Money paid to this party only.
    assert "3,000.00 元" in html and "合计已发放 <strong>3,000.00</strong> 元" in html
    assert "1500.00" not in html
    # Own name, own ID masked; others: natural persons masked, no IDs or phones at all.
    assert "<strong>张某</strong>" in html
    assert mask_id_public(portal_case["me"]["id_number"]) in html
    assert "李*（被执行人）" in html and "王**（申请执行人）" in html
    for secret in (
        "李四",
        "王某某",
        portal_case["debtor"]["id_number"],
        portal_case["debtor"]["id_number"][-4:] + "<",
        portal_case["other"]["id_number"],
        "13900002222",
        "13800001111",
        "领导干部干预记录",
        "打招呼",
    ):
        assert secret not in html, secret


def test_unit_party_uses_credit_code_and_half_width_brackets(
    courts, client, codes, import_cases, bundle_case
):
    unit = bundle_case.debtor("p2")
    unit["phone"] = "13700003333"
    import_cases(bundle_case(case_number="（2023）豫0823执88号", parties=[bundle_case.applicant(), unit]))
    phone, page = open_case(client, codes, "(2023)豫0823执88号", unit["credit_code"].lower())
    assert phone == "13700003333"
    html = page.content.decode()
    assert "<strong>武陟县某建材有限公司</strong>（本人，被执行人）" in html
    assert unit["credit_code"] in html
    assert "张*（申请执行人）" in html


def test_no_enumeration_same_answer_and_no_code(db, client, codes, portal_case):
    """Wrong case number, wrong ID, a party without a phone: the same redirect to the code
    page, no code sent, and no code opens anything."""
    answers = []
    for number, ident in (
        ("（2023）豫0823执999号", portal_case["me"]["id_number"]),
        (NUMBER, "41082319850312999X"),
        (NUMBER, portal_case["other"]["id_number"]),  # a real party with no phone on file
    ):
        c = Client()
        r = lookup(c, number, ident)
        answers.append((r.status_code, r["Location"]))
        page = c.get("/portal/verify/")
        assert "验证码已发送至您在法院登记的手机号码" in page.content.decode()
        assert c.post("/portal/verify/", {"code": "123456"}).status_code == 400
        assert c.get("/portal/case/")["Location"] == "/portal/"
    assert answers == [(302, "/portal/verify/")] * 3
    assert codes() is None  # nothing was sent


def test_wrong_code_then_spent_after_five_tries(db, client, codes, portal_case):
    lookup(client, NUMBER, portal_case["me"]["id_number"])
    _, code = codes()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(services.CODE_ATTEMPTS):
        r = client.post("/portal/verify/", {"code": wrong})
        assert r.status_code == 400 and BAD_CODE in r.content.decode()
    # The challenge is spent: the right code no longer opens the case.
    assert client.post("/portal/verify/", {"code": code}).status_code == 400
    assert client.get("/portal/case/")["Location"] == "/portal/"


def test_code_is_single_use(db, codes, portal_case):
    c = Client()
    lookup(c, NUMBER, portal_case["me"]["id_number"])
    token = c.session["portal_challenge"]
    _, code = codes()
    assert services.check_code(token, code) is not None
    assert services.check_code(token, code) is None


def test_code_expires(db, client, codes, portal_case, monkeypatch):
    lookup(client, NUMBER, portal_case["me"]["id_number"])
    _, code = codes()
    later = time.time() + services.CODE_SECONDS + 1
    monkeypatch.setattr(services.time, "time", lambda: later)
    assert client.post("/portal/verify/", {"code": code}).status_code == 400


def test_access_expires(db, client, codes, portal_case, monkeypatch):
    from zhixing.portal import views

    open_case(client, codes, NUMBER, portal_case["me"]["id_number"])
    later = time.time() + services.ACCESS_SECONDS + 1
    monkeypatch.setattr(views.time, "time", lambda: later)
    assert client.get("/portal/case/")["Location"] == "/portal/"


def test_code_format_is_validated(db, client, codes, portal_case):
    lookup(client, NUMBER, portal_case["me"]["id_number"])
    r = client.post("/portal/verify/", {"code": "12ab"})
    assert r.status_code == 400 and "验证码为6位数字" in r.content.decode()
    r = Client().post("/portal/", {"case_number": NUMBER, "identifier": "123"})
    assert r.status_code == 400 and "证件号码应为18位" in r.content.decode()


# Throttling: tests/portal/test_throttle.py.


def test_without_notifier_the_id_opens_directly(db, client, settings, portal_case):
    settings.PORTAL_NOTIFIER = "none"
    bad_number = lookup(Client(), "（2023）豫0823执999号", portal_case["me"]["id_number"])
    bad_id = lookup(Client(), NUMBER, "41082319850312999X")
    assert bad_number.status_code == bad_id.status_code == 400
    assert NO_MATCH in bad_number.content.decode() and NO_MATCH in bad_id.content.decode()
    r = lookup(client, NUMBER, portal_case["me"]["id_number"])
    assert r["Location"] == "/portal/case/"
    assert "3,000.00 元" in client.get("/portal/case/").content.decode()


def test_console_notifier_logs_the_code(db, client, settings, portal_case, caplog):
    settings.PORTAL_NOTIFIER = "console"
    with caplog.at_level("WARNING", logger="zhixing.portal"):
        lookup(client, NUMBER, portal_case["me"]["id_number"])
    assert len(caplog.records) == 1 and "13800001111" in caplog.records[0].getMessage()


def test_csrf_required(db, portal_case):
    c = Client(enforce_csrf_checks=True)
    assert (
        c.post("/portal/", {"case_number": NUMBER, "identifier": portal_case["me"]["id_number"]}).status_code
        == 403
    )


def test_leave_clears_access(db, client, codes, portal_case):
    open_case(client, codes, NUMBER, portal_case["me"]["id_number"])
    assert client.post("/portal/exit/")["Location"] == "/portal/"
    assert client.get("/portal/case/")["Location"] == "/portal/"


def test_signed_in_officer_of_another_court_gains_nothing(db, client, codes, portal_case, personas):
    """The portal does not depend on staff log-in either way: a 温县 officer who knows
    only the case number gets the same code page and no case."""
    client.force_login(personas["wenxian_officer"])
    r = lookup(client, NUMBER, "41082319850312999X")
    assert r["Location"] == "/portal/verify/"
    assert client.get("/portal/case/")["Location"] == "/portal/"
