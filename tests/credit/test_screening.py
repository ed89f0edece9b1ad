"""The agency screening API (/api/screen, /api/screen/batch, /api/list/changes,
/api/list/snapshot, /api/screen/audit): keys and scopes, 401/403/422/429, the audit trail
and its isolation between agencies, the index seeing a listing or a deletion at once, the
change feed and the signed snapshot."""

import json
import time
import types
from datetime import date

import numpy as np
import pytest
from django.test import Client

from zhixing.credit import screening, services
from zhixing.credit.models import ListEntry, ScreeningAudit
from zhixing.credit.services import Document

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body, key: str | None):
    headers = {"X-API-Key": key} if key else {}
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def get(client: Client, path: str, key: str | None):
    return client.get(path, headers={"X-API-Key": key} if key else {})


def test_screen_one_listed_person(credit_urls, agencies, listed, kit):
    _, key = agencies["railway"]
    r = post(Client(), "/api/screen", {"id": kit.id_number()}, key)
    assert r.status_code == 200
    assert r.json() == {
        "id": kit.id_number(),
        "listed": True,
        "listed_since": "2024-03-01",
        "restricted": True,
        "restricted_since": "2024-02-01",
        "entries": [
            {
                "kind": "restricted",
                "role": "debtor",
                "since": "2024-02-01",
                "court": "豫0823",
                "court_name": "武陟县人民法院",
                "case_number": "（2024）豫0823执88号",
            },
            {
                "kind": "dishonest",
                "role": "debtor",
                "since": "2024-03-01",
                "court": "豫0823",
                "court_name": "武陟县人民法院",
                "case_number": "（2024）豫0823执88号",
            },
        ],
    }


def test_screen_answers_in_the_documented_shape(credit_urls, agencies, listed, kit):
    """/api/screen encodes its answer directly (the hot path): it must be ScreenOut exactly."""
    from zhixing.credit.api import ScreenOut

    _, key = agencies["railway"]
    body = post(Client(), "/api/screen", {"id": kit.id_number()}, key).json()
    assert ScreenOut.model_validate(body).model_dump(mode="json") == body


def test_screen_one_not_listed(credit_urls, agencies, listed, kit):
    _, key = agencies["railway"]
    other = kit.id_number("19900101", "555")
    r = post(Client(), "/api/screen", {"id": other}, key)
    assert r.json() == {
        "id": other,
        "listed": False,
        "listed_since": None,
        "restricted": False,
        "restricted_since": None,
        "entries": [],
    }


def test_a_malformed_id_is_a_422_naming_it(credit_urls, agencies, kit):
    _, key = agencies["railway"]
    bad = kit.id_number()[:17] + ("0" if kit.id_number()[17] != "0" else "1")
    r = post(Client(), "/api/screen", {"id": bad}, key)
    assert r.status_code == 422
    assert r.json() == {
        "detail": [{"loc": ["body", "id"], "msg": f"{bad}：公民身份号码校验位错误", "type": "value_error"}]
    }
    assert post(Client(), "/api/screen", {"id": 410823198503122036}, key).status_code == 422


@pytest.mark.parametrize("key", [None, "zx_nothere_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "not-a-key"])
def test_unknown_or_missing_keys_are_401(credit_urls, agencies, kit, key):
    assert post(Client(), "/api/screen", {"id": kit.id_number()}, key).status_code == 401
    assert get(Client(), "/api/list/changes?since=0", key).status_code == 401


def test_a_revoked_key_is_401_at_once(credit_urls, agencies, kit):
    rail, key = agencies["railway"]
    assert post(Client(), "/api/screen", {"id": kit.id_number()}, key).status_code == 200
    services.revoke_key(rail.keys.get())
    assert post(Client(), "/api/screen", {"id": kit.id_number()}, key).status_code == 401


def test_scopes_limit_what_a_key_may_call(credit_urls, agencies, kit):
    _, key = agencies["airline"]  # screen + audit only
    assert post(Client(), "/api/screen", {"id": kit.id_number()}, key).status_code == 200
    r = post(Client(), "/api/screen/batch", {"ids": [kit.id_number()]}, key)
    assert (r.status_code, r.json()) == (403, {"detail": "该接口密钥没有 batch 权限"})
    assert get(Client(), "/api/list/changes?since=0", key).status_code == 403
    assert get(Client(), "/api/list/snapshot", key).status_code == 403


def test_rate_limit_per_key(credit_urls, agencies, kit, monkeypatch):
    # The clock held in mid-minute: a fixed window's edge between the calls would give
    # the third call a fresh budget.
    clock = types.SimpleNamespace(time=lambda: 1_800_000_030.0, monotonic=time.monotonic)
    monkeypatch.setattr(screening, "time", clock)
    rail, key = agencies["railway"]
    type(rail).objects.filter(pk=rail.pk).update(rate_per_minute=2)
    screening.keys.invalidate()
    codes = [post(Client(), "/api/screen", {"id": kit.id_number()}, key).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    _, other = agencies["airline"]  # another key has its own budget
    assert post(Client(), "/api/screen", {"id": kit.id_number()}, other).status_code == 200


def test_batch_reports_bad_items_and_screens_the_rest(credit_urls, agencies, listed, kit):
    _, key = agencies["railway"]
    zhou, clean = kit.id_number(), kit.id_number("19900101", "555")
    bad = zhou[:17] + ("0" if zhou[17] != "0" else "1")
    r = post(Client(), "/api/screen/batch", {"ids": [clean, bad, zhou, "", kit.credit_code()]}, key)
    assert r.status_code == 200
    body = r.json()
    assert (body["count"], body["screened"], body["hit_count"]) == (5, 3, 1)
    assert [h["id"] for h in body["hits"]] == [zhou]
    assert body["hits"][0]["listed"] is True
    assert body["invalid"] == [
        {"index": 1, "id": bad, "error": "公民身份号码校验位错误"},
        {"index": 3, "id": "", "error": "证件号码应为18位公民身份号码或统一社会信用代码"},
    ]
    (row,) = ScreeningAudit.objects.filter(endpoint="batch")
    assert (row.asked_count, row.hits, row.hit_identifiers) == (5, 1, [zhou])
    assert screening.asked_identifiers(bytes(row.asked_packed)) == [clean, zhou, kit.credit_code()]
    assert [i["index"] for i in row.invalid] == [1, 3]


def test_batch_is_limited_to_100000(credit_urls, agencies, kit):
    _, key = agencies["railway"]
    r = post(Client(), "/api/screen/batch", {"ids": [kit.id_number()] * 100_001}, key)
    assert r.status_code == 422


def test_every_query_is_audited_and_no_agency_sees_another_trail(credit_urls, agencies, listed, kit):
    _, rail_key = agencies["railway"]
    _, air_key = agencies["airline"]
    post(Client(), "/api/screen", {"id": kit.id_number()}, rail_key)
    post(Client(), "/api/screen", {"id": kit.id_number("19900101", "555")}, air_key)
    post(Client(), "/api/screen", {"id": "123"}, air_key)
    rows = list(
        ScreeningAudit.objects.order_by("pk").values_list(
            "agency__code", "endpoint", "status", "asked", "hit"
        )
    )
    assert rows == [
        ("railway", "screen", 200, kit.id_number(), True),
        ("airline", "screen", 200, kit.id_number("19900101", "555"), False),
        ("airline", "screen", 422, "123", False),
    ]
    own = get(Client(), "/api/screen/audit", air_key).json()
    assert [(r["asked"], r["hit"]) for r in own] == [
        ("123", False),
        (kit.id_number("19900101", "555"), False),
    ]
    assert kit.id_number() not in json.dumps(own)
    mine = get(Client(), "/api/screen/audit", rail_key).json()
    assert [(r["asked"], r["hit"]) for r in mine] == [(kit.id_number(), True)]


def test_a_listing_and_a_deletion_are_visible_to_screening_at_once(
    credit_urls, agencies, personas, make_case, kit
):
    _, key = agencies["railway"]
    case = make_case(events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}])
    client = Client()
    assert (
        post(client, "/api/screen", {"id": kit.id_number()}, key).json()["listed"] is False
    )  # index built now
    officer = personas["wuzhi_officer"]
    services.list_party(
        officer,
        case,
        party="p2",
        grounds=["G1"],
        term_years=None,
        doc=Document(date(2024, 3, 1), "x", "李院长"),
    )
    assert post(client, "/api/screen", {"id": kit.id_number()}, key).json()["listed"] is True
    services.delete_listing(
        officer, case, listing="L1", ground="performed", doc=Document(date(2024, 3, 5), "y", "李院长")
    )
    r = post(client, "/api/screen", {"id": kit.id_number()}, key).json()
    assert (r["listed"], r["restricted"]) == (False, True)


def test_change_feed_replays_onto_a_copy(credit_urls, agencies, personas, make_case, kit):
    _, key = agencies["railway"]
    case = make_case(events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}])
    first = get(Client(), "/api/list/changes?since=0", key).json()
    assert [(c["op"], c["kind"], c["id"]) for c in first["changes"]] == [
        ("upsert", "restricted", kit.id_number())
    ]
    assert first["more"] is False
    officer = personas["wuzhi_officer"]
    services.list_party(
        officer,
        case,
        party="p2",
        grounds=["G1"],
        term_years=None,
        doc=Document(date(2024, 3, 1), "x", "李院长"),
    )
    services.revoke_listing(
        officer, case, listing="L1", doc=Document(date(2024, 3, 2), "y", "李院长", "错误纳入")
    )
    delta = get(Client(), f"/api/list/changes?since={first['next']}", key).json()
    copy = {c["entry"]: c for c in first["changes"]}
    for c in delta["changes"]:
        copy.pop(c["entry"], None) if c["op"] == "remove" else copy.__setitem__(c["entry"], c)
    assert {(c["kind"], c["since"]) for c in copy.values()} == {("restricted", "2024-02-01")}
    assert copy.keys() == set(ListEntry.objects.filter(active=True).values_list("pk", flat=True))
    # paging: limit 1 walks the same changes one at a time
    page = get(Client(), "/api/list/changes?since=0&limit=1", key).json()
    assert (len(page["changes"]), page["more"]) == (1, True)
    assert get(Client(), "/api/list/changes?since=-1", key).status_code == 422


def test_snapshot_is_signed_per_agency_and_verifies(credit_urls, agencies, listed, kit, settings):
    settings.ZHIXING_SNAPSHOT_KEY = "test-snapshot-master-key"
    _, key = agencies["railway"]
    r = get(Client(), "/api/list/snapshot", key)
    assert r.status_code == 200 and r["Content-Type"] == "application/x-ndjson"
    data = b"".join(r.streaming_content)
    lines = [json.loads(x) for x in data.splitlines()]
    header, entries, trailer = lines[0], lines[1:-1], lines[-1]
    assert header["format"] == "zhixing-credit-snapshot/1" and header["agency"] == "railway"
    assert header["seq"] == max(ListEntry.objects.values_list("seq", flat=True))
    assert sorted((e["kind"], e["id"]) for e in entries) == [
        ("dishonest", kit.id_number()),
        ("restricted", kit.id_number()),
    ]
    assert trailer["count"] == 2 and trailer["algorithm"] == "HMAC-SHA256"
    assert screening.verify_snapshot(data, screening.agency_snapshot_key("railway"))
    assert not screening.verify_snapshot(data, screening.agency_snapshot_key("airline"))
    tampered = data.replace(kit.id_number().encode(), kit.id_number("19900101", "555").encode(), 1)
    assert not screening.verify_snapshot(tampered, screening.agency_snapshot_key("railway"))


def test_openapi_documents_the_screening_endpoints(credit_urls, personas):
    anonymous = Client().get("/api/openapi.json")
    assert anonymous.status_code == 302  # the documentation sits behind the log-in page
    client = Client()
    client.force_login(personas["wuzhi_officer"])
    paths = client.get("/api/openapi.json").json()["paths"]
    for p in ("/api/screen", "/api/screen/batch", "/api/list/changes", "/api/list/snapshot"):
        assert p in paths


def test_the_lean_screening_service_serves_the_same_api(settings, agencies, listed, kit):
    """``zhixing screening_serve``: only the agency API, a minimal middleware stack."""
    from zhixing.credit import serving

    settings.ROOT_URLCONF = "zhixing.credit.serving"
    settings.MIDDLEWARE = serving.MIDDLEWARE
    _, key = agencies["railway"]
    r = post(Client(), "/api/screen", {"id": kit.id_number()}, key)
    assert (r.status_code, r.json()["listed"]) == (200, True)
    assert post(Client(), "/api/screen", {"id": kit.id_number()}, None).status_code == 401
    assert Client().get("/api/credit/entries").status_code == 404  # officers' endpoints are not here


def test_audit_written_in_bulk_when_buffered(credit_urls, agencies, kit):
    _, key = agencies["railway"]
    screening.audit._background = True
    try:
        post(Client(), "/api/screen", {"id": kit.id_number()}, key)
        post(Client(), "/api/screen", {"id": kit.id_number()}, key)
        assert ScreeningAudit.objects.count() == 0
        assert screening.audit.flush() == 2
    finally:
        screening.audit._background = False
    assert ScreeningAudit.objects.count() == 2


def test_a_withdrawn_listing_leaves_the_list_and_the_feed_says_so(credit_urls, agencies, listed, kit):
    """A correction of the event log (the listing event withdrawn) removes its entry."""
    from zhixing.cases.models import NodeEvent

    _, key = agencies["railway"]
    before = get(Client(), "/api/list/changes?since=0", key).json()["next"]
    event = NodeEvent.objects.get(case=listed, node="credit_listing")
    NodeEvent.objects.create(case=listed, node=event.node, on=event.on, data=event.data, supersedes=event,
                             withdrawn=True, reason="误录", source="form", position=99)  # fmt: skip
    assert services.sync_entries([listed.pk]) == 1
    entry = ListEntry.objects.get(kind="dishonest")
    assert (entry.active, entry.withdrawn) == (False, True)
    delta = get(Client(), f"/api/list/changes?since={before}", key).json()["changes"]
    assert [(c["entry"], c["op"]) for c in delta] == [(entry.pk, "remove")]
    assert post(Client(), "/api/screen", {"id": kit.id_number()}, key).json()["listed"] is False


def _wsgi(app, key: str | None, body: bytes) -> tuple[int, dict]:
    import io

    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/screen", "CONTENT_LENGTH": str(len(body)),
               "wsgi.input": io.BytesIO(body), "REMOTE_ADDR": "10.1.2.3"}  # fmt: skip
    if key:
        environ["HTTP_X_API_KEY"] = key
    seen = {}

    def start_response(status, headers):
        seen["status"] = int(status.split()[0])
        seen["headers"] = dict(headers)

    payload = b"".join(app(environ, start_response))
    assert seen["headers"]["Content-Length"] == str(len(payload))
    return seen["status"], json.loads(payload)


def test_the_fast_path_answers_exactly_as_the_ninja_endpoint(credit_urls, agencies, listed, kit):
    """The lean server's fast path (credit.serving.fast_screen) and /api/screen agree on
    every outcome: hit, miss, malformed ID, no key, no scope, over the rate."""
    from zhixing.credit import serving

    app = serving.application(lambda environ, start_response: pytest.fail("Django reached"))
    _, rail = agencies["railway"]
    _, air = agencies["airline"]
    bad = kit.id_number()[:17] + ("0" if kit.id_number()[17] != "0" else "1")
    cases = [
        (rail, {"id": kit.id_number()}),
        (rail, {"id": kit.id_number("19900101", "555")}),
        (rail, {"id": bad}),
        (None, {"id": kit.id_number()}),
        ("zx_unknown_key", {"id": kit.id_number()}),
    ]
    for key, body in cases:
        via_ninja = post(Client(), "/api/screen", body, key)
        assert _wsgi(app, key, json.dumps(body).encode()) == (via_ninja.status_code, via_ninja.json())
    assert _wsgi(app, rail, b"not json")[0] == 422
    assert _wsgi(app, rail, b'{"id": 410823198503122036}')[0] == 422
    from zhixing.credit.models import Agency

    Agency.objects.filter(code="airline").update(rate_per_minute=2)
    screening.keys.invalidate()
    codes = [_wsgi(app, air, json.dumps({"id": kit.id_number()}).encode())[0] for _ in range(3)]
    assert codes == [200, 200, 429]
    assert ScreeningAudit.objects.filter(endpoint="screen", remote_addr="10.1.2.3").count() == 5


# -- malformed items: reported one by one, the rest screened, at the cost of a valid one ---------


def test_batch_reports_nul_surrogate_and_wrong_type_items_and_screens_the_rest(
    credit_urls, agencies, listed, kit
):
    """One bad item used to fail the whole batch (a number: 422; NUL or a lone surrogate:
    500 on PostgreSQL, which cannot store them in the audit row)."""
    _, key = agencies["railway"]
    zhou = kit.id_number()
    body = json.dumps({"ids": [zhou[:17] + "\x00", 410823, None, zhou, zhou[:17] + "\ud800", [zhou]]})
    r = Client().post("/api/screen/batch", body, content_type="application/json", headers={"X-API-Key": key})
    assert r.status_code == 200
    answer = r.json()
    assert (answer["count"], answer["screened"], answer["hit_count"]) == (6, 1, 1)
    assert [h["id"] for h in answer["hits"]] == [zhou]
    bad_chars = "证件号码含有不允许的字符（空字符、控制字符或无效的 Unicode 代理项）"
    assert answer["invalid"] == [
        {"index": 0, "id": zhou[:17] + "\\u0000", "error": bad_chars},
        {"index": 1, "id": "410823", "error": "证件号码应为字符串"},
        {"index": 2, "id": "null", "error": "证件号码应为字符串"},
        {"index": 4, "id": zhou[:17] + "\\ud800", "error": bad_chars},
        {"index": 5, "id": f'["{zhou}"]', "error": "证件号码应为字符串"},
    ]
    (row,) = ScreeningAudit.objects.filter(endpoint="batch")
    assert [i["id"] for i in row.invalid] == [i["id"] for i in answer["invalid"]]


def test_single_screen_with_nul_is_a_422_naming_the_field(credit_urls, agencies, kit):
    """Refused at the boundary (security.InputTextMiddleware), before the key is read."""
    _, key = agencies["railway"]
    r = post(Client(), "/api/screen", {"id": kit.id_number()[:17] + "\x00"}, key)
    assert (r.status_code, r.json()) == (
        422,
        {"detail": [{"loc": ["body", "id"], "type": "value_error",
                     "msg": "字段 id：含有不允许的字符（空字符、控制字符或无效的 Unicode 代理项）"}]},
    )  # fmt: skip
    assert not ScreeningAudit.objects.exists()


def test_fast_path_refuses_a_lone_surrogate_with_a_422(credit_urls, agencies, kit):
    from zhixing.credit import serving

    _, key = agencies["railway"]
    status, data = serving.screen_request(key, b'{"id": "41082319850312203\\ud800"}', "10.0.0.1")
    assert status == 422
    assert json.loads(data)["detail"][0]["msg"] == (
        "41082319850312203\\ud800：证件号码含有不允许的字符（空字符、控制字符或无效的 Unicode 代理项）"
    )


def test_batch_body_of_100000_ids_is_accepted_and_a_larger_one_gets_a_json_413(credit_urls, agencies, kit):
    """100,000 IDs indented by four spaces (3.0 MB) are over Django's 2.5 MB limit but not
    over the batch's own; a body over the batch's limit is a JSON 413 giving both sizes."""
    from zhixing.security import BODY_LIMITS

    _, key = agencies["railway"]
    body = json.dumps({"ids": [kit.id_number()] * 100_000}, indent=4)
    assert len(body) == 3_000_021
    r = Client().post("/api/screen/batch", body, content_type="application/json", headers={"X-API-Key": key})
    assert (r.status_code, r.json()["screened"]) == (200, 100_000)
    huge = body + " " * (BODY_LIMITS["/api/screen/batch"] - len(body) + 1)
    r = Client().post("/api/screen/batch", huge, content_type="application/json", headers={"X-API-Key": key})
    assert r.status_code == 413
    assert r.json() == {"detail": "请求体为 8388609 字节，超过本接口的上限 8388608 字节"}


def test_other_api_bodies_over_the_general_limit_get_a_json_413(credit_urls, agencies):
    r = Client().post("/api/screen", "x" * 2_621_441, content_type="application/json")
    assert r.status_code == 413
    assert r.json() == {"detail": "请求体为 2621441 字节，超过本接口的上限 2621440 字节"}


def _faults_one_by_one(values: list[str], today: date) -> list[str | None]:
    from zhixing.credit.index import InvalidIdentifier as Invalid
    from zhixing.credit.index import identifier_error, pack

    out = []
    for v in values:
        try:
            pack(v, today=today)
            out.append(None)
        except Invalid:
            out.append(identifier_error(v, today=today))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_matrix_judges_malformed_ids_as_identifier_error_does(seed, kit):
    """``sort_out`` (byte matrix) against ``pack``/``identifier_error`` (one by one), on
    valid IDs and credit codes with one character changed, lower-case and padded."""
    import random

    from zhixing.credit import index as idx

    rng = random.Random(seed)
    today = date(2026, 12, 8)
    base = [kit.id_number(f"19{rng.randrange(10, 99)}0{rng.randrange(1, 9)}1{rng.randrange(0, 9)}",
                          f"{rng.randrange(1000):03d}") for _ in range(300)]  # fmt: skip
    base += [kit.credit_code("".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8)))
             for _ in range(300)]  # fmt: skip
    alphabet = "0123456789XABCIOZx 中"
    values = []
    for v in base:
        i = rng.randrange(18)
        values.append(v[:i] + rng.choice(alphabet) + v[i + 1 :])
    values += ["20260230" * 2 + "12", "410823" + "20271201" + "0012", "9" * 18, " " + base[0].lower()]
    expected = _faults_one_by_one([v.strip().upper() for v in values], today)
    keys, ok = idx.person_keys_array(values, idx.today_string(today))
    tags, found = np.zeros(len(values), dtype="int32"), {}
    invalid = screening.sort_out(
        values, np.flatnonzero(~ok).tolist(), keys, tags, ok, found, idx.today_string(today), today
    )
    got: list[str | None] = [None] * len(values)
    for item in invalid:
        got[item["index"]] = item["error"]
    assert got == expected
    assert sum(e is not None for e in expected) > 200  # mostly malformed, some still valid
    for pos in np.flatnonzero(ok).tolist():
        assert idx.unpack(int(keys[pos]), int(tags[pos])) == values[pos].strip().upper()
