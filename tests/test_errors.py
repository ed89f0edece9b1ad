"""The one error family (``lib/errors.py``) and its one mapping to HTTP (``zhixing.api``):
each member answers with its status and the body the API has always given, and the apps'
own error classes are members, so their ``except`` clauses and messages stay as they were."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI, Router
from ninja.testing import TestClient

from zhixing.api import answer_act_errors
from zhixing.credit import services as credit
from zhixing.flow import services as flow
from zhixing.funds import services as funds
from zhixing.inquiry import services as inquiry
from zhixing.lib import errors
from zhixing.petitions import services as petitions
from zhixing.supervision import services as supervision
from zhixing.termination import services as termination
from zhixing.termination.validation import InputError, StaleVersion

STALE = "案件已被他人修改，请刷新后重试"

#: (the error raised, the status, the JSON body)
CASES = [
    (errors.Refused("结案日期早于立案日期", "closed_on", "DL-1"), 422,
     {"detail": [{"loc": ["body", "closed_on"], "msg": "结案日期早于立案日期", "type": "value_error", "rule": "DL-1"}]}),
    (errors.Conflict(STALE, "version"), 409, {"detail": STALE}),
    (errors.NotAllowed("只有院长可以批准"), 403, {"detail": "只有院长可以批准"}),
    (errors.NotFound("没有这个案件", "case_number"), 404, {"detail": "没有这个案件"}),
    (flow.FlowError("on", "日期晚于今天"), 422,
     {"detail": [{"loc": ["body", "on"], "msg": "日期晚于今天", "type": "value_error"}]}),
    (flow.Conflict("version", STALE), 409, {"detail": STALE}),
    (flow.Forbidden("case", "本院无权登记"), 403, {"detail": "本院无权登记"}),
    (supervision.Conflict("version", STALE), 409, {"detail": STALE}),
    (supervision.Forbidden("order", "只有督办法院可以验收"), 403, {"detail": "只有督办法院可以验收"}),
    (petitions.NotAllowed("petition", "该信访已办结"), 403, {"detail": "该信访已办结"}),
    (petitions.PetitionError("note", "缺少办理情况"), 422,
     {"detail": [{"loc": ["body", "note"], "msg": "缺少办理情况", "type": "value_error"}]}),
    (credit.Conflict("version", STALE), 409, {"detail": STALE}),
    (credit.NotAllowed("只有本案承办法院可以作出失信、限制消费决定"), 403,
     {"detail": "只有本案承办法院可以作出失信、限制消费决定"}),
    (InputError([("on", "缺少约谈日期"), ("opinion", "申请执行人意见应为“同意”或“不同意”（TERM-8）")]), 422,
     {"detail": [{"loc": ["body", "on"], "msg": "缺少约谈日期", "type": "value_error"},
                 {"loc": ["body", "opinion"], "msg": "申请执行人意见应为“同意”或“不同意”（TERM-8）",
                  "type": "value_error"}]}),
    (StaleVersion(3, 4), 409, {"detail": "案件已被他人修改（版本 3 → 4），请刷新后重试"}),
    (termination.NotAllowed([("case", "只有执行局局长可以批准")]), 403, {"detail": "只有执行局局长可以批准"}),
    (inquiry.InquiryError("party", "请选择被执行人", rule="INQ-1"), 422,
     {"detail": [{"loc": ["body", "party"], "msg": "请选择被执行人", "type": "value_error", "rule": "INQ-1"}]}),
    (inquiry.InquiryError("kind", "未知的查控类型"), 422,
     {"detail": [{"loc": ["body", "kind"], "msg": "未知的查控类型", "type": "value_error", "rule": ""}]}),
    (inquiry.Forbidden("case", "只有承办人可以发起查控"), 403, {"detail": "只有承办人可以发起查控"}),
    (funds.FundError("amount", "金额应大于零", rule="FUND-1"), 422,
     {"detail": [{"loc": ["body", "amount"], "msg": "金额应大于零", "type": "fund_error", "rule": "FUND-1"}]}),
    (funds.Forbidden("case", "需由执行局局长审批"), 403,
     {"detail": [{"loc": ["body", "case"], "msg": "需由执行局局长审批", "type": "fund_error", "rule": ""}]}),
    (funds.NotFound("case_number", "没有这个案件"), 404,
     {"detail": [{"loc": ["body", "case_number"], "msg": "没有这个案件", "type": "fund_error", "rule": ""}]}),
    (funds.Conflict("idempotency_key", "该幂等键已用于其他请求"), 409,
     {"detail": [{"loc": ["body", "idempotency_key"], "msg": "该幂等键已用于其他请求", "type": "fund_error",
                  "rule": ""}]}),
]  # fmt: skip

router = Router()


@router.get("/refusal/{i}")
def refusal(request, i: int):
    raise CASES[i][0]


family_api = NinjaAPI(urls_namespace="error-family-test")
family_api.add_router("", router)
answer_act_errors(family_api)
client = TestClient(family_api)


@pytest.mark.parametrize(
    ("i", "status", "body"),
    [(i, status, body) for i, (_, status, body) in enumerate(CASES)],
    ids=[f"{type(e).__module__.split('.')[1]}.{type(e).__name__}-{i}" for i, (e, _, _) in enumerate(CASES)],
)
def test_each_member_answers_with_its_status_and_body(i, status, body):
    r = client.get(f"/refusal/{i}")
    assert (r.status_code, r.json()) == (status, body)


def test_funds_answers_in_plain_utf8_and_the_others_escaped():
    """As before the family: the funds API wrote its own JSON; ninja escapes non-ASCII."""
    fund = next(i for i, c in enumerate(CASES) if isinstance(c[0], funds.Forbidden))
    flows = next(i for i, c in enumerate(CASES) if isinstance(c[0], flow.Forbidden))
    assert client.get(f"/refusal/{fund}").content.decode() == json.dumps(CASES[fund][2], ensure_ascii=False)
    assert client.get(f"/refusal/{flows}").content.decode() == json.dumps(CASES[flows][2])


@pytest.mark.parametrize(
    ("error", "family", "app_base", "text"),
    [
        (flow.Conflict("version", STALE), errors.Conflict, flow.FlowError, f"version: {STALE}"),
        (flow.Forbidden("case", "本院无权登记"), errors.NotAllowed, ValueError, "case: 本院无权登记"),
        (supervision.Forbidden("order", "无权"), errors.NotAllowed, supervision.SupervisionError, "order: 无权"),
        (petitions.NotAllowed("petition", "该信访已办结"), errors.NotAllowed, petitions.PetitionError,
         "petition: 该信访已办结"),
        (credit.Conflict("version", STALE), errors.Conflict, credit.CreditError, f"version: {STALE}"),
        (StaleVersion(1, 2), errors.Conflict, InputError, "案件已被他人修改（版本 1 → 2），请刷新后重试"),
        (termination.NotAllowed([("case", "无权")]), errors.NotAllowed, InputError, "无权"),
        (funds.Conflict("key", "已用"), errors.Conflict, funds.FundError, "已用"),
        (inquiry.Forbidden("case", "无权"), errors.NotAllowed, inquiry.InquiryError, "case: 无权"),
    ],
)  # fmt: skip
def test_an_app_error_is_a_member_and_reads_as_before(error, family, app_base, text):
    """``except FlowError`` still catches a flow conflict; pages still show ``str(e)``."""
    assert (isinstance(error, family), isinstance(error, app_base), str(error)) == (True, True, text)


def test_credit_refusal_is_still_a_django_permission_denied():
    """Pages that let Django answer a refusal with its 403 page keep doing so."""
    assert isinstance(credit.NotAllowed("无权"), PermissionDenied)
