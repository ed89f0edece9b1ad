"""Fund personas and cases, on top of the shared fixtures (tests/conftest.py).

People of 武陟县法院 (豫0823): 王某, an officer who handles the cases; 李队长, a team lead
(approves payments up to 100,000 yuan by default); 赵局长, the bureau chief (approves
above it, and deferrals). 焦作中院 (豫08)'s bureau chief supervises 武陟 (sees, does not
move money); an officer of 温县法院 (豫0825) must see nothing of 武陟.
"""

from __future__ import annotations

import pytest

NOTICE = "2023-04-06"  # due 2023-05-06, a 调休 make-up Saturday (FUND-1, PER-3)


@pytest.fixture
def people(courts) -> dict:
    from zhixing.courts.models import Role, User

    def user(username: str, court: str, role: str, name: str) -> User:
        return User.objects.create(username=username, court=courts[court], role=role, display_name=name)

    return {
        "officer": user("wz_officer", "豫0823", Role.OFFICER, "王某"),
        "lead": user("wz_lead", "豫0823", Role.TEAM_LEAD, "李队长"),
        "chief": user("wz_chief", "豫0823", Role.BUREAU_CHIEF, "赵局长"),
        "city_chief": user("jz_chief", "豫08", Role.BUREAU_CHIEF, "焦作局长"),
        "wenxian": user("wx_officer", "豫0825", Role.OFFICER, "温县执行员"),
    }


@pytest.fixture
def fund_case(import_cases, bundle_case, courts):
    """``fund_case(seq, receipts=[(id, notice_on, amount)], **bundle fields)`` imports a
    武陟 case handled by 王某 and returns its Case row."""
    from zhixing.cases.models import Case

    def make(seq: int = 1301, receipts=(("r1", NOTICE, "80000.00"),), **fields):
        fields.setdefault("filed_on", "2023-03-10")
        fields.setdefault("claim_amount", "80000.00")
        c = bundle_case(
            seq=seq,
            receipts=[
                {"id": rid, "notice_on": on, "amount": amt, "payer": "武陟县某建材有限公司"}
                for rid, on, amt in receipts
            ],
            **fields,
        )
        report = import_cases(c)
        assert report.rejected == [], report.rejected
        return Case.objects.get(case_number=c["case_number"])

    return make


@pytest.fixture
def web(settings):
    """A client factory logged in as a user (the project mounts /api/funds/ and /funds/)."""
    from django.test import Client

    def client(user=None) -> Client:
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return client
