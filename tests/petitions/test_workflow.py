"""The petition workflow (petitions/services.py): intake with or without a case,
registration with a handler, linking, screening and handing down by the superior court,
handling, reply, closing; history, facts, the bundle and the reminder job.

Personas (tests/conftest.py): an officer of 武陟县法院 (豫0823) whose court holds the
example cases, the bureau chief of 焦作中院 (豫08), an officer of 温县法院 (豫0825).
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from zhixing.cases.bundle import fingerprint
from zhixing.cases.loader import load_record
from zhixing.cases.models import Case
from zhixing.cases.services import import_bundle
from zhixing.metrics.models import PetitionFact
from zhixing.petitions import services as S
from zhixing.petitions.models import Petition, PetitionEvent, PetitionReminder

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "example.jsonl"
B, C = "（2023）豫0823执1301号", "（2023）豫0823执2101号"


def D(s: str) -> date:
    return date.fromisoformat(s)


@pytest.fixture
def example(courts):
    with EXAMPLE.open(encoding="utf-8") as f:
        assert import_bundle(f).imported == 5


def take(user, case_number: str = "", received_on: str = "2023-12-01", **kw) -> Petition:
    data = {
        "received_on": D(received_on),
        "source": "来访",
        "petitioner": "陈某",
        "content": "要求尽快执行",
        "case_number": case_number,
    }
    return S.intake(user, S.Intake(**{**data, **kw}))


def check_petitions(as_of: str = "2024-06-30") -> list[dict]:
    out = io.StringIO()
    call_command("check_cases", "petitions", "--as-of", as_of, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_petition_about_a_case_from_intake_to_closing(example, personas):
    officer = personas["wuzhi_officer"]
    p = take(officer, B, received_on="2023-06-01", source="电话")
    assert (p.local_id, p.handled_by, p.about_lower_court, p.court.code) == (
        "x2",
        "",
        False,
        "豫0823",
    )  # x1 came with B
    S.register(officer, p, on=D("2023-06-08"), handler=officer, version=p.version)  # the 5th working day
    S.record_handling(officer, p, on=D("2023-06-12"), note="约谈被执行人")
    S.reply(officer, p, on=D("2023-06-20"), content="已扣划到位，款项已发放")
    S.close(officer, p, on=D("2023-06-21"))
    p.refresh_from_db()
    assert (p.registered_on, p.closed_on, p.replied, p.handler, p.version) == (
        D("2023-06-08"),
        D("2023-06-21"),
        True,
        officer,
        5,
    )
    assert list(p.history.values_list("action", flat=True)) == [
        "intake",
        "register",
        "handle",
        "reply",
        "close",
    ]
    # The case's bundle, facts and fingerprint follow.
    rows = [r for r in check_petitions() if r["case_number"] == B and r["petition"] == "x2"]
    assert rows == [{
        "case_number": B, "petition": "x2", "handled_by": "豫0823", "received_on": "2023-06-01",
        "registration_due_on": "2023-06-08", "registered_on": "2023-06-08", "registration_status": "on_time",
        "closing_due_on": "2023-07-03", "closed_on": "2023-06-21", "status": "on_time",
        "screening_due_on": None, "screening_status": None, "provisional": False,
    }]  # fmt: skip
    fact = PetitionFact.objects.get(case__case_number=B, petition="x2")
    assert (fact.closing_due_on, fact.closed_on, fact.replied) == (D("2023-07-03"), D("2023-06-21"), True)
    case = Case.objects.get(case_number=B)
    assert case.fingerprint == fingerprint(load_record(case))


def test_closing_needs_registration_and_a_reply(example, personas):
    officer = personas["wuzhi_officer"]
    p = take(officer, B)
    with pytest.raises(S.PetitionError) as e:
        S.close(officer, p, on=D("2023-12-05"))
    assert (e.value.field, e.value.message) == ("closed_on", "该信访尚未登记，不能办结（PET-1）")
    S.register(officer, p, on=D("2023-12-04"), handler=officer)
    with pytest.raises(S.PetitionError) as e:
        S.close(officer, p, on=D("2023-12-05"))
    assert (e.value.field, e.value.message) == ("replied", "办结前应将办理结果答复信访人（PET-2）")
    with pytest.raises(S.PetitionError) as e:
        S.register(officer, p, on=D("2023-12-05"), handler=officer)
    assert e.value.field == "registered_on"
    assert Petition.objects.get(pk=p.pk).closed_on is None


def test_bad_input_names_the_field_and_saves_nothing(example, personas):
    officer = personas["wuzhi_officer"]
    with pytest.raises(S.PetitionError) as e:
        take(officer, B, source="传真")
    assert (e.value.field, e.value.message) == ("source", "来源应为 来访、来信、网上、电话 之一")
    with pytest.raises(S.PetitionError) as e:
        take(officer, B, received_on="2999-01-01")
    assert e.value.field == "received_on"
    p = take(officer, B, received_on="2023-12-01")
    with pytest.raises(S.PetitionError) as e:
        S.register(officer, p, on=D("2023-11-30"), handler=officer)
    assert (e.value.field, e.value.message) == ("registered_on", "日期 2023-11-30 早于收到日期 2023-12-01")
    with pytest.raises(S.PetitionError) as e:
        S.register(officer, p, on=D("2023-12-02"), handler=personas["wenxian_officer"])
    assert e.value.field == "handler"
    assert Petition.objects.get(pk=p.pk).registered_on is None
    assert Petition.objects.filter(case__case_number=B).count() == 2


def test_a_stale_version_is_a_conflict(example, personas):
    officer = personas["wuzhi_officer"]
    p = take(officer, B)
    stale = p.version
    S.record_handling(officer, p, on=D("2023-12-02"), note="电话联系")
    with pytest.raises(S.Conflict):
        S.register(officer, p, on=D("2023-12-04"), handler=officer, version=stale)
    assert Petition.objects.get(pk=p.pk).registered_on is None


def test_intake_without_a_case_then_link(example, personas):
    officer = personas["wuzhi_officer"]
    p = take(officer, "", petitioner="周某", content="反映执行法官不接电话")
    assert (p.case, p.handled_by, p.handling_court_code) == (None, "豫0823", "豫0823")
    assert S.clocks(p, D("2023-12-31")).closing_due_on == D(
        "2024-01-02"
    )  # 12-31 is a Sunday, 01-01 a holiday
    assert all(r["case_number"] != C for r in check_petitions())
    S.link_case(officer, p, case_number=C)
    p.refresh_from_db()
    assert (p.case.case_number, p.local_id, p.handled_by) == (C, "x1", "")
    (row,) = [r for r in check_petitions() if r["case_number"] == C]
    assert (row["petition"], row["handled_by"], row["closing_due_on"]) == ("x1", "豫0823", "2024-01-02")
    with pytest.raises(S.PetitionError) as e:
        S.link_case(officer, p, case_number=B)
    assert e.value.field == "case_number"


def test_the_superior_screens_and_hands_down(example, personas):
    chief, officer = personas["jiaozuo_chief"], personas["wuzhi_officer"]
    p = take(chief, C, received_on="2023-12-01", referred_by="高级人民法院")
    assert (p.about_lower_court, p.handled_by, p.referred_by) == (True, "豫08", "高级人民法院")
    clock = S.clocks(p, D("2023-12-10"))
    assert (clock.screening_due_on, clock.screening_status) == (D("2023-12-22"), "pending")  # 15 working days
    with pytest.raises(S.PetitionError) as e:  # the lower court cannot screen a petition about itself
        S.screen(officer, p, on=D("2023-12-05"), refer_to="豫0823")
    assert e.value.field == "petition"
    with pytest.raises(S.PetitionError) as e:
        S.screen(chief, p, on=D("2023-12-05"), refer_to="豫0825")
    assert e.value.field == "refer_to"
    S.screen(chief, p, on=D("2023-12-05"), refer_to="豫0823", note="交武陟法院办理")
    child = Petition.objects.get(referred_from=p)
    assert (child.local_id, child.received_on, child.referred_by, child.handled_by, child.about_lower_court) == (
        "x2", D("2023-12-05"), "中级人民法院", "", False,
    )  # fmt: skip
    assert S.can_act(officer, child) and not S.can_act(officer, p)
    rows = {r["petition"]: r for r in check_petitions() if r["case_number"] == C}
    assert (rows["x1"]["handled_by"], rows["x1"]["screening_status"], rows["x2"]["handled_by"]) == (
        "豫08",
        "on_time",
        "豫0823",
    )
    assert PetitionFact.objects.get(case__case_number=C, petition="x1").court.code == "豫08"


def test_scoping(example, personas):
    other = personas["wenxian_officer"]
    take(personas["wuzhi_officer"], B)
    assert not Petition.objects.visible_to(other).exists()
    assert Petition.objects.visible_to(personas["jiaozuo_chief"]).count() == 2  # B's x1 and x2
    with pytest.raises(S.PetitionError) as e:
        take(other, B)
    assert (e.value.field, e.value.message) == ("case_number", f"没有可查看的案件 {B}")


def test_history_rows_are_append_only(example, personas):
    p = take(personas["wuzhi_officer"], B)
    row = PetitionEvent.objects.get(petition=p)
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        PetitionEvent.objects.filter(petition=p).update(note="改")
    with pytest.raises(PermissionError):
        row.delete()


def test_reminders_are_created_once(example, personas):
    officer = personas["wuzhi_officer"]
    p = take(officer, C, received_on="2023-12-01")
    # At 12-06 registration (due 12-08) is due within 2 working days; closing (01-02) is not.
    assert S.due_reminders(p, D("2023-12-06")) == [("registration", "due_soon", D("2023-12-08"))]
    out = io.StringIO()
    call_command("petition_reminders", "--as-of", "2023-12-11", "--json", stdout=out)
    created = json.loads(out.getvalue())["created"]
    assert [(r["local_id"], r["clock"], r["kind"], r["due_on"]) for r in created] == [
        ("x1", "registration", "overdue", "2023-12-08")
    ]
    again = io.StringIO()
    call_command("petition_reminders", "--as-of", "2023-12-11", "--json", stdout=again)
    assert json.loads(again.getvalue())["created"] == []
    assert PetitionReminder.objects.count() == 1
