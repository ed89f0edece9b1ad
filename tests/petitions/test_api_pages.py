"""Petitions over the API (/api/petitions/) and the pages (/petitions/): status codes,
scoping (a petition of another court is a 404), errors naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from zhixing.cases.services import import_bundle
from zhixing.petitions.models import Petition

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "example.jsonl"
B, C = "（2023）豫0823执1301号", "（2023）豫0823执2101号"
JSON = "application/json"


@pytest.fixture
def example(courts):
    with EXAMPLE.open(encoding="utf-8") as f:
        assert import_bundle(f).imported == 5


@pytest.fixture
def clients(personas):
    out = {}
    for name in ("wuzhi_officer", "jiaozuo_chief", "wenxian_officer"):
        out[name] = Client()
        out[name].force_login(personas[name])
    return out


INTAKE = {
    "received_on": "2023-12-01",
    "source": "来信",
    "petitioner": "陈某",
    "content": "执行款未发放",
    "case_number": C,
}


def test_intake_register_reply_close_over_the_api(example, clients, mounted):
    officer = clients["wuzhi_officer"]
    created = officer.post("/api/petitions", INTAKE, content_type=JSON)
    assert created.status_code == 201
    p = created.json()
    assert (p["case_number"], p["local_id"], p["handled_by"], p["clocks"]["registration_due_on"]) == (
        C,
        "x1",
        "豫0823",
        "2023-12-08",
    )
    url = f"/api/petitions/{p['id']}"
    r = officer.post(
        f"{url}/register",
        {"registered_on": "2023-12-04", "handler": "wuzhi_officer", "version": 1},
        content_type=JSON,
    )
    assert (r.status_code, r.json()["registered_on"], r.json()["handler"]) == (
        200,
        "2023-12-04",
        "wuzhi_officer",
    )
    stale = officer.post(
        f"{url}/reply", {"on": "2023-12-10", "content": "已发放", "version": 1}, content_type=JSON
    )
    assert stale.status_code == 409
    early = officer.post(f"{url}/close", {"closed_on": "2023-12-11"}, content_type=JSON)
    assert (early.status_code, early.json()["detail"][0]["loc"]) == (422, ["body", "replied"])
    assert (
        officer.post(f"{url}/reply", {"on": "2023-12-10", "content": "已发放"}, content_type=JSON).status_code
        == 200
    )
    done = officer.post(f"{url}/close", {"closed_on": "2023-12-11"}, content_type=JSON).json()
    assert (done["closed_on"], done["clocks"]["status"], [h["action"] for h in done["history"]]) == (
        "2023-12-11", "on_time", ["intake", "register", "reply", "close"],
    )  # fmt: skip
    assert officer.get("/api/petitions?status=closed&case_number=" + C).json()["count"] == 1


def test_bad_input_is_a_422_naming_the_field(example, clients, mounted):
    officer = clients["wuzhi_officer"]
    r = officer.post("/api/petitions", {**INTAKE, "source": "传真"}, content_type=JSON)
    assert (r.status_code, r.json()["detail"]) == (
        422, [{"loc": ["body", "source"], "msg": "来源应为 来访、来信、网上、电话 之一", "type": "value_error"}],
    )  # fmt: skip
    assert (
        officer.post("/api/petitions", {**INTAKE, "received_on": "2023-02-30"}, content_type=JSON).status_code
        == 422
    )
    assert officer.get("/api/petitions?status=maybe").status_code == 422
    assert Petition.objects.count() == 1  # B's x1 from the example only


def test_scoping_over_the_api(example, clients, mounted):
    p = clients["jiaozuo_chief"].post("/api/petitions", INTAKE, content_type=JSON).json()
    assert (p["handled_by"], p["about_lower_court"]) == ("豫08", True)
    outsider = clients["wenxian_officer"]
    assert outsider.get(f"/api/petitions/{p['id']}").status_code == 404
    assert outsider.get("/api/petitions?status=all").json() == {"items": [], "count": 0}
    assert (
        outsider.post("/api/petitions", INTAKE, content_type=JSON).status_code == 422
    )  # the case is not theirs
    # The lower court sees the petition about its case but cannot screen it: the superior does.
    officer = clients["wuzhi_officer"]
    assert officer.get(f"/api/petitions/{p['id']}").status_code == 200
    r = officer.post(
        f"/api/petitions/{p['id']}/screen",
        {"screened_on": "2023-12-05", "refer_to": "豫0823"},
        content_type=JSON,
    )
    assert r.status_code == 403
    r = clients["jiaozuo_chief"].post(f"/api/petitions/{p['id']}/screen", {"screened_on": "2023-12-05", "refer_to": "豫0823"},
                                       content_type=JSON)  # fmt: skip
    assert (r.status_code, r.json()["screened_on"]) == (200, "2023-12-05")
    assert {x["referred_by"] for x in officer.get("/api/petitions").json()["items"]} == {None, "中级人民法院"}


def test_pages(example, clients, mounted):
    officer = clients["wuzhi_officer"]
    listing = officer.get("/petitions/?status=all")
    assert listing.status_code == 200 and B in listing.content.decode()
    form = officer.post("/petitions/new/", {**INTAKE, "referred_by": ""})
    assert form.status_code == 302
    p = Petition.objects.get(case__case_number=C)
    assert form["Location"] == f"/petitions/{p.pk}/"
    detail = officer.get(form["Location"])
    body = detail.content.decode()
    assert detail.status_code == 200 and "收到后 5 个工作日内登记" in body and "2023-12-08" in body
    bad = officer.post(f"/petitions/{p.pk}/register/", {"register-registered_on": "2023-11-30", "register-handler": p.court.users.first().pk,
                                                         "register-version": p.version})  # fmt: skip
    assert bad.status_code == 422 and "早于收到日期" in bad.content.decode()
    ok = officer.post(f"/petitions/{p.pk}/register/", {"register-registered_on": "2023-12-04",
                                                        "register-handler": p.court.users.first().pk, "register-version": p.version})  # fmt: skip
    assert ok.status_code == 302 and Petition.objects.get(pk=p.pk).registered_on.isoformat() == "2023-12-04"
    assert clients["wenxian_officer"].get(f"/petitions/{p.pk}/").status_code == 404
