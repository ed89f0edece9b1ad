"""Fixtures of the 终本 management tests: example case A (spec/example.jsonl) before its
closing — filed 2023-03-02, every check met up to the re-query of 2023-06-20 — imported
for 武陟县法院, and helpers that drive it through the services as the officer would.

Personas (tests/conftest.py): an officer of 武陟县法院 (豫0823), a bureau chief of 焦作中院
(豫08), an officer of 温县法院 (豫0825) who must see nothing of 豫0823; plus here the
bureau chief of 武陟县法院.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest

A_NUMBER = "（2023）豫0823执1234号"
ALL4 = ["存款", "车辆", "不动产", "有价证券"]
APPLICANT_ID = "410823198503122036"

CASE_A_OPEN = {
    "case_number": A_NUMBER, "court": "豫0823", "case_type": "首次执行", "application_received_on": "2023-02-27",
    "filed_on": "2023-03-02",
    "basis": {"document_number": "（2022）豫0823民初456号", "issuer": "武陟县人民法院", "kind": "民事判决书", "effective_on": "2022-12-20"},
    "claim_amount": "125000.00", "recovered_amount": "0.00", "tags": ["涉企"], "handler": "王某",
    "parties": [
        {"id": "p1", "role": "申请执行人", "kind": "自然人", "name": "张某", "id_number": APPLICANT_ID},
        {"id": "p2", "role": "被执行人", "kind": "法人", "name": "武陟县某建材有限公司", "credit_code": "91410823MA3X4K2L38", "legal_representative": "赵某"},
    ],
    "events": [
        {"node": "handler_assigned", "on": "2023-03-03", "handler": "王某"},
        {"node": "execution_notice", "on": "2023-03-06"},
        {"node": "property_report_order", "on": "2023-03-06"},
        {"node": "clue_request", "on": "2023-03-06"},
        {"node": "online_inquiry", "on": "2023-03-08", "system": "总对总", "categories": ["存款", "车辆", "不动产", "有价证券", "网络资金", "股权"], "found": [{"asset": "a1", "category": "存款", "value": "523.00"}]},
        {"node": "consumption_restriction", "on": "2023-03-10", "party": "p2"},
        {"node": "property_report", "on": "2023-03-20", "party": "p2", "status": "拒绝"},
        {"node": "fine", "on": "2023-03-28", "party": "p2"},
        {"node": "credit_listing", "on": "2023-03-28", "party": "p2", "grounds": ["G4"], "term_years": 2},
        {"node": "field_investigation", "on": "2023-04-12"},
        {"node": "online_inquiry", "on": "2023-06-20", "system": "总对总", "categories": ALL4, "found": []},
    ],
}  # fmt: skip

TOLD = {"told_progress": True, "told_measures": True, "told_property": True, "told_basis": True}


def case_a(*, drop=(), add=(), **fields) -> dict:
    """Case A (open) with events of ``drop`` removed, ``add`` appended, fields replaced."""
    b = copy.deepcopy(CASE_A_OPEN)
    b["events"] = [e for e in b["events"] if e["node"] not in drop] + [copy.deepcopy(e) for e in add]
    b.update(fields)
    return b


@pytest.fixture
def chief(courts):
    """The bureau chief (执行局长) of 武陟县法院."""
    from zhixing.courts.models import Role, User

    return User.objects.create_user(
        username="wuzhi_chief", password="correct-horse-battery", court=courts["豫0823"], role=Role.BUREAU_CHIEF,
        display_name="李局长",
    )  # fmt: skip


@pytest.fixture
def officer(personas):
    return personas["wuzhi_officer"]


@pytest.fixture
def make_case(import_cases, personas):
    """Import a bundle case (default: case A, open) and return its ``Case`` row."""
    from zhixing.cases.models import Case

    def make(bundle: dict | None = None):
        bundle = bundle or case_a()
        report = import_cases(bundle)
        assert report.rejected == [], report.rejected
        return Case.objects.get(case_number=bundle["case_number"])

    return make


class Steps:
    """Drive a case through the services as the officer of 武陟县法院 would."""

    def __init__(self, officer, chief):
        self.officer, self.chief = officer, chief

    @staticmethod
    def version(case) -> int:
        case.refresh_from_db()
        return case.version

    def interview(self, case, on=date(2023, 6, 25), opinion="同意", user=None, **kw):
        from zhixing.termination import services

        args = {
            "applicant": "p1", "attendee": "张某", "interviewers": "王某", "place": "本院第三约谈室", "told": TOLD,
            "opinion": opinion, "statement": "同意终本，发现财产后申请恢复执行。", "recorder": "刘某", **kw,
        }  # fmt: skip
        return services.record_interview(
            case.pk, user=user or self.officer, expected_version=self.version(case), on=on, **args
        )

    def ruling(self, case, on=date(2023, 6, 28), approval="consent", **kw):
        from zhixing.termination import services

        args = {"presiding": "王某", "clerk": "刘某", **kw}
        return services.record_ruling(
            case.pk, user=self.officer, expected_version=self.version(case), on=on, approval=approval, **args
        )

    def serve(self, case, on=date(2023, 6, 30)):
        from zhixing.termination import services

        return services.record_service(case.pk, user=self.officer, expected_version=self.version(case), on=on)

    def close(self, case, on=date(2023, 6, 30), user=None, reason=""):
        from zhixing.termination import services

        return services.close_by_termination(
            case.pk,
            user=user or self.officer,
            expected_version=self.version(case),
            closed_on=on,
            override_reason=reason,
        )

    def ready(self, case):
        """Interview, ruling and service of case A, as in the example."""
        self.interview(case)
        self.ruling(case)
        self.serve(case)
        return case

    def closed(self, case):
        self.ready(case)
        self.close(case)
        case.refresh_from_db()
        return case


@pytest.fixture
def steps(officer, chief) -> Steps:
    return Steps(officer, chief)
