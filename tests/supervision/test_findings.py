"""Findings stored by ``zhixing detect`` and their review: idempotent runs, a dismissed
finding that stays dismissed until its facts change, scoping, the API and the pages.

The example bundle at 2023-12-31 has two idle cases (C since 2023-11-24, D since
2023-02-04) and one open over a year (D, filed 2022-10-10).
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from zhixing.cases.models import Case, NodeEvent
from zhixing.cases.services import import_bundle
from zhixing.courts.models import Role, User
from zhixing.supervision import services as S
from zhixing.supervision.models import Finding, FindingReview

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "example.jsonl"
C, D_ = "（2023）豫0823执2101号", "（2022）豫0823执1876号"


@pytest.fixture
def example(courts):
    with EXAMPLE.open(encoding="utf-8") as f:
        assert import_bundle(f).imported == 5


def detect(*args: str) -> dict:
    out = io.StringIO()
    call_command("detect", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def summary(doc: dict) -> list[tuple]:
    return sorted((f["detector"], f["case_number"], f["status"]) for f in doc["findings"])


def test_detect_json_and_idempotence(example):
    first = detect("--as-of", "2023-12-31")
    assert (first["cases"], first["created"], first["seen_again"], first["cleared"]) == (5, 3, 0, 0)
    assert first["by_detector"] == {"passive_inactive": 2, "passive_long_open": 1}
    assert summary(first) == sorted(
        [
            ("passive_inactive", C, "pending"),
            ("passive_inactive", D_, "pending"),
            ("passive_long_open", D_, "pending"),
        ]
    )
    (c,) = [f for f in first["findings"] if f["case_number"] == C]
    assert (c["facts"], c["category_label"], c["cites"]) == (
        {"last_action_on": "2023-11-24", "last_action": "online_inquiry"}, "消极执行", ["seed 001", "DL-7", "DL-13", "DL-14"],
    )  # fmt: skip
    again = detect("--as-of", "2023-12-31")
    assert (again["created"], again["seen_again"]) == (0, 3)
    assert Finding.objects.count() == 3


def test_a_dismissed_finding_stays_dismissed_until_its_facts_change(example, personas):
    chief = personas["jiaozuo_chief"]
    detect("--as-of", "2023-12-31")
    finding = Finding.objects.get(detector="passive_inactive", subject=C)
    S.review(chief, finding, decision="dismissed", reason="承办人病假，已另行安排", version=finding.version)
    # Later runs find the same facts (no action since 11-24): the same, dismissed, finding.
    later = detect("--as-of", "2024-01-31")
    assert ("passive_inactive", C, "dismissed") in summary(later)
    assert Finding.objects.filter(detector="passive_inactive", subject=C).count() == 1
    # A new action changes the facts: the old finding is cleared, a new one appears once idle again.
    case = Case.objects.get(case_number=C)
    NodeEvent.objects.create(case=case, node="field_investigation", on=date(2024, 2, 5), position=99)
    cleared = detect("--as-of", "2024-02-20")
    assert cleared["cleared"] == 1
    assert Finding.objects.get(pk=finding.pk).cleared_on == date(2024, 2, 20)
    fresh = detect("--as-of", "2024-03-06")
    assert ("passive_inactive", C, "pending") in summary(fresh)
    new = Finding.objects.get(detector="passive_inactive", subject=C, status="pending")
    assert new.facts == {"last_action_on": "2024-02-05", "last_action": "field_investigation"}
    assert Finding.objects.get(pk=finding.pk).status == "dismissed"
    assert FindingReview.objects.get(finding=finding).reason == "承办人病假，已另行安排"


def test_review_rules(example, personas):
    detect("--as-of", "2023-12-31")
    finding = Finding.objects.get(detector="passive_long_open")
    with pytest.raises(S.SupervisionError) as e:
        S.review(personas["jiaozuo_chief"], finding, decision="dismissed", reason=" ")
    assert (e.value.field, e.value.message) == ("reason", "排除应说明理由")
    with pytest.raises(S.Forbidden):
        S.review(personas["wuzhi_officer"], finding, decision="confirmed")
    with pytest.raises(S.SupervisionError) as e:
        S.review(personas["wenxian_officer"], finding, decision="confirmed")
    assert e.value.field == "finding"
    confirmed = S.review(personas["jiaozuo_chief"], finding, decision="confirmed")
    assert confirmed.status == "confirmed" and not FindingReview.objects.filter(decision="dismissed").exists()
    with pytest.raises(PermissionError):
        FindingReview.objects.filter(finding=finding).delete()


def test_court_option_and_scoping(example, courts, personas):
    assert detect("--as-of", "2023-12-31", "--court", "豫0825")["cases"] == 0
    detect("--as-of", "2023-12-31", "--court", "豫08")
    assert S.findings_for(personas["wenxian_officer"]).count() == 0
    assert S.findings_for(personas["wuzhi_officer"]).count() == 3


def test_findings_api_and_pages(example, personas, mounted):
    detect("--as-of", "2023-12-31")
    chief, outsider = Client(), Client()
    chief.force_login(personas["jiaozuo_chief"])
    outsider.force_login(personas["wenxian_officer"])
    listing = chief.get("/api/supervision/findings?category=passive").json()
    assert listing["count"] == 3
    pk = Finding.objects.get(detector="passive_long_open").pk
    assert outsider.get(f"/api/supervision/findings/{pk}").status_code == 404
    bad = chief.post(
        f"/api/supervision/findings/{pk}/review", {"decision": "dismissed"}, content_type="application/json"
    )
    assert (bad.status_code, bad.json()["detail"][0]["loc"], bad.json()["detail"][0]["msg"]) == (
        422,
        ["body", "reason"],
        "排除应说明理由",
    )
    ok = chief.post(f"/api/supervision/findings/{pk}/review", {"decision": "dismissed", "reason": "已中止执行", "version": 1},
                    content_type="application/json")  # fmt: skip
    assert (ok.status_code, ok.json()["status"], [r["reason"] for r in ok.json()["reviews"]]) == (
        200,
        "dismissed",
        ["已中止执行"],
    )
    stale = chief.post(
        f"/api/supervision/findings/{pk}/review",
        {"decision": "confirmed", "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409
    catalog = chief.get("/api/supervision/detectors").json()
    assert [d["code"] for d in catalog][:3] == [
        "passive_inactive",
        "passive_no_first_inquiry",
        "passive_long_open",
    ]
    page = chief.get("/supervision/findings/?status=pending")
    assert page.status_code == 200 and D_ in page.content.decode()
    detail = chief.get(f"/supervision/findings/{pk}/")
    assert detail.status_code == 200 and "已中止执行" in detail.content.decode()
    posted = chief.post(f"/supervision/findings/{pk}/", {"decision": "dismissed", "reason": "", "version": 2})
    assert posted.status_code == 422 and "排除应说明理由" in posted.content.decode()


def test_a_leader_of_the_court_may_review(example, courts):
    detect("--as-of", "2023-12-31")
    lead = User.objects.create_user(
        username="wuzhi_lead", password=None, court=courts["豫0823"], role=Role.TEAM_LEAD
    )
    finding = Finding.objects.get(detector="passive_long_open")
    assert S.review(lead, finding, decision="confirmed", reason="").status == "confirmed"
