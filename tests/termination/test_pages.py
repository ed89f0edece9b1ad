"""The 终本 pages (``/termination/``): the same verdicts as the API, forms that refuse bad
input with the error on its field and save nothing, scoping by court."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest

from zhixing.cases.models import Case
from zhixing.termination.models import Interview, ReviewCampaign, TerminationClosing

from .conftest import case_a

pytestmark = pytest.mark.django_db

A = "（2023）豫0823执1234号"
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "zhixing" / "termination" / "templates"


@pytest.fixture
def web(client, officer):
    client.force_login(officer)
    return client


def page(case_number: str, action: str = "") -> str:
    return f"/termination/case/{case_number}/" + (f"{action}/" if action else "")


def test_case_page_shows_the_verdict_and_the_forms(make_case, steps, web):
    steps.closed(make_case())
    r = web.get(page(A) + "?as_of=2023-07-10")
    assert r.status_code == 200
    html = r.content.decode()
    assert (
        "终本检查" in html
        and "待完善" in html
        and "<strong>录入终本案件库</strong>：终本裁定于2023-06-30送达" in html
        and "T14" not in html
    )
    assert "结案时检查" in html and "录入终本案件库" in html and "继续有效的措施" in html
    assert "立恢复执行案件" in html


def test_other_courts_get_404(make_case, client, personas):
    make_case()
    client.force_login(personas["wenxian_officer"])
    assert client.get(page(A)).status_code == 404
    assert client.post(page(A, "interview"), {"version": 1}).status_code == 404


def test_gate_partial_for_htmx_names_the_failure(make_case, steps, web):
    bundle = case_a()
    bundle["events"][-1]["categories"] = ["存款", "车辆", "有价证券"]
    steps.ready(make_case(bundle))
    r = web.get(page(A) + "?closed_on=2023-06-30", HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and html.lstrip().startswith('<div id="gate">')
    assert "不动产最后一次网络查询为2023-03-08" in html and "须由执行局长批准" in html


def test_closing_form_refuses_failed_checks_for_an_officer(make_case, steps, web):
    bundle = case_a()
    bundle["events"][-1]["categories"] = ["存款"]
    case = steps.ready(make_case(bundle))
    r = web.post(page(A, "close"), {"version": steps.version(case), "closed_on": "2023-06-30"})
    assert r.status_code == 422
    assert "终本检查未通过，须由执行局长批准并说明理由后结案" in r.content.decode()
    assert Case.objects.get(pk=case.pk).closed_on is None and not TerminationClosing.objects.exists()


def test_chief_closes_with_override_through_the_form(make_case, steps, client, chief):
    bundle = case_a()
    bundle["events"][-1]["categories"] = ["存款"]
    case = steps.ready(make_case(bundle))
    client.force_login(chief)
    r = client.post(
        page(A, "close"),
        {"version": steps.version(case), "closed_on": "2023-06-30", "override_reason": "已实地查询"},
    )
    assert r.status_code == 302 and unquote(r["Location"]) == page(A)
    assert TerminationClosing.objects.get(case=case).overridden


def test_interview_form_errors_and_success(make_case, steps, web):
    case = make_case()
    form = {"version": steps.version(case), "on": "2023-06-25", "applicant": "p1", "attendee": "张某", "interviewers": "王某",
            "place": "约谈室", "opinion": "同意", "told_progress": "on"}  # fmt: skip
    r = web.post(page(A, "interview"), form)
    assert (
        r.status_code == 422
        and "约谈须告知申请执行人：采取的财产调查措施、查明的财产情况" in r.content.decode()
    )
    assert not Interview.objects.exists()
    r = web.post(
        page(A, "interview"), {**form, "told_measures": "on", "told_property": "on", "told_basis": "on"}
    )
    assert r.status_code == 302
    interview = Interview.objects.get()
    doc = web.get(f"/termination/case/{A}/interviews/{interview.pk}.docx")
    assert doc.status_code == 200 and doc.content[:2] == b"PK"


def test_stale_form_is_refused(make_case, steps, web):
    case = make_case()
    form = {"version": steps.version(case) - 1 if case.version > 1 else 0, "on": "2023-06-25", "applicant": "p1",
            "attendee": "张某", "interviewers": "王某", "place": "约谈室", "opinion": "同意", "told_progress": "on",
            "told_measures": "on", "told_property": "on", "told_basis": "on"}  # fmt: skip
    r = web.post(page(A, "interview"), form)
    assert r.status_code == 422 and "案件已被他人修改" in r.content.decode()


def test_resume_form_on_an_open_case_is_refused(make_case, web):
    make_case()
    r = web.post(page(A, "resume"), {"version": 1, "filed_on": "2024-01-08", "reason": "发现财产"})
    assert r.status_code == 422 and "不是终结本次执行程序的案件" in r.content.decode()


def test_reminders_and_index_pages(make_case, steps, web):
    from zhixing.termination import services

    steps.closed(make_case())
    services.create_reminders(date(2023, 7, 10))
    r = web.get("/termination/reminders/?as_of=2023-07-10")
    assert r.status_code == 200 and "应于2023-07-07前录入终本案件库" in r.content.decode()
    assert web.get("/termination/").status_code == 200


def test_review_pages(make_case, steps, client, personas):
    steps.closed(make_case())
    chief = personas["jiaozuo_chief"]
    client.force_login(chief)
    r = client.post("/termination/reviews/", {"key": "豫08-2023上半年", "period_start": "2023-01-01", "period_end": "2023-06-30",
                                              "per_court": "5", "as_of": "2023-07-31"})  # fmt: skip
    assert r.status_code == 302
    campaign = ReviewCampaign.objects.get()
    item = campaign.items.get()
    assert item.reviewer_court.code == "豫08"  # a lone basic court is reviewed by the organiser
    r = client.get(f"/termination/reviews/{campaign.key}/items/{item.pk}/")
    assert r.status_code == 200 and "410823********2036" in r.content.decode()
    form = {f"T{i}_passes": "1" for i in range(1, 15)}
    r = client.post(f"/termination/reviews/{campaign.key}/items/{item.pk}/", form)
    assert r.status_code == 302
    report = client.get(f"/termination/reviews/{campaign.key}/").content.decode()
    assert "一致率" in report
    # An officer of 温县 neither organises nor reviews it.
    client.force_login(personas["wenxian_officer"])
    assert client.get(f"/termination/reviews/{campaign.key}/").status_code == 404


def test_templates_have_no_inline_script():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "<script" not in text and " on" + "click=" not in text, template
