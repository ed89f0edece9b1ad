"""The officers' credit API (/api/credit/…): decisions with the rules checked first (422
naming the field and the rule), 409 on a stale version, court scoping (404 / 403), the
list and the due deletions, and the agencies' audit trail for administrators only."""

import json

import pytest
from django.test import Client

from zhixing.courts.models import Role, User
from zhixing.credit.models import ListEntry

pytestmark = pytest.mark.django_db

BASE = "/api/credit/cases/（2024）豫0823执88号"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listing(**overrides) -> dict:
    body = {
        "party": "p2",
        "grounds": ["G1"],
        "term_years": None,
        "restrict": True,
        "decided_on": "2024-03-01",
        "document_number": "（2024）豫0823执88号之一",
        "signer": "李院长",
    }
    body.update(overrides)
    return body


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_list_then_delete_through_the_api(credit_urls, personas, make_case):
    case = make_case()
    client = signed_in(personas["wuzhi_officer"])
    r = post(client, f"{BASE}/listings", listing(version=case.version))
    assert r.status_code == 201
    body = r.json()
    assert (body["action"], body["listing"], body["grounds"], body["version"]) == (
        "credit_listing",
        "L1",
        ["G1"],
        case.version + 2,
    )
    r = post(
        client,
        f"{BASE}/listings/L1/deletion",
        {
            "ground": "performed",
            "decided_on": "2024-04-01",
            "document_number": "（2024）豫0823执88号之二",
            "signer": "李院长",
        },
    )
    assert r.status_code == 201
    state = client.get(BASE).json()
    assert [(e["kind"], e["active"], e["ended_on"]) for e in state["entries"]] == [
        ("dishonest", False, "2024-04-01"),
        ("restricted", True, None),
    ]
    assert [d["action"] for d in state["decisions"]] == [
        "consumption_restriction",
        "credit_listing",
        "credit_deletion",
    ]


def test_rules_are_a_422_naming_field_and_rule(credit_urls, personas, make_case):
    make_case(birth="20070101")
    r = post(signed_in(personas["wuzhi_officer"]), f"{BASE}/listings", listing())
    assert r.status_code == 422
    (detail,) = r.json()["detail"]
    assert detail["loc"] == ["body", "party"]
    assert detail["msg"].startswith("C1 纳入时未满十八周岁：周某生于2007-01-01")
    assert not ListEntry.objects.exists()


def test_a_stale_version_is_409(credit_urls, personas, make_case):
    case = make_case()
    r = post(signed_in(personas["wuzhi_officer"]), f"{BASE}/listings", listing(version=case.version + 5))
    assert r.status_code == 409


def test_scoping(credit_urls, personas, make_case):
    make_case()
    assert signed_in(personas["wenxian_officer"]).get(BASE).status_code == 404
    assert post(signed_in(personas["wenxian_officer"]), f"{BASE}/listings", listing()).status_code == 404
    assert signed_in(personas["jiaozuo_chief"]).get(BASE).status_code == 200
    assert post(signed_in(personas["jiaozuo_chief"]), f"{BASE}/listings", listing()).status_code == 403
    assert Client().get(BASE).status_code == 401


def test_entries_and_due_are_scoped(credit_urls, personas, make_case):
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
    chief = signed_in(personas["jiaozuo_chief"])
    assert {e["kind"] for e in chief.get("/api/credit/entries").json()} == {"dishonest", "restricted"}
    assert signed_in(personas["wenxian_officer"]).get("/api/credit/entries").json() == []
    due = chief.get("/api/credit/due", {"as_of": "2024-10-08"}).json()
    assert [(d["deletion_ground_on"], d["deletion_due_on"]) for d in due] == [("2024-09-30", "2024-10-10")]
    assert signed_in(personas["wenxian_officer"]).get("/api/credit/due", {"as_of": "2024-10-08"}).json() == []


def test_audit_trail_is_for_administrators(credit_urls, personas, agencies, kit):
    _, key = agencies["railway"]
    Client().post(
        "/api/screen",
        json.dumps({"id": kit.id_number()}),
        content_type="application/json",
        headers={"X-API-Key": key},
    )
    assert signed_in(personas["jiaozuo_chief"]).get("/api/credit/audit").status_code == 403
    admin = User.objects.create_user(username="admin", password="correct-horse-battery", role=Role.ADMIN)
    rows = signed_in(admin).get("/api/credit/audit").json()
    assert [(r["agency"], r["endpoint"], r["asked"]) for r in rows] == [
        ("railway", "screen", kit.id_number())
    ]
