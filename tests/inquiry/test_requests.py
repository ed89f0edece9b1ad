"""Inquiry and control requests: who may be queried (QRY-2), the electronic notice
(QRY-1), the checks on control acts (DL-20), court scoping, and the answer parser."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhixing.inquiry import services
from zhixing.inquiry.models import ALL_CATEGORIES, InquiryRequest, Kind, OutboxMessage, OutboxState, Status


def test_officer_queues_an_inquiry_with_its_outbox_row_and_notice(wuzhi_case, personas):
    r = services.request_inquiry(personas["wuzhi_officer"], wuzhi_case, party="p2", on=date(2026, 11, 23))
    assert (r.kind, r.status, r.categories, r.party.local_id, r.court.code) == (
        Kind.INQUIRY, Status.QUEUED, list(ALL_CATEGORIES), "p2", "豫0823"
    )  # fmt: skip
    assert r.notice_number == f"{wuzhi_case.case_number}查询通知书第1号"
    assert len(r.notice_seal) == 32
    m = OutboxMessage.objects.get(request=r)
    assert (m.state, m.attempts, m.court_id) == (OutboxState.PENDING, 0, wuzhi_case.court_id)
    second = services.request_inquiry(personas["wuzhi_officer"], wuzhi_case, party="p3", categories=["存款"])
    assert second.notice_number.endswith("第2号") and second.request_id != r.request_id


def test_qry2_an_applicant_may_not_be_queried(wuzhi_case, personas):
    with pytest.raises(services.InquiryError) as e:
        services.request_inquiry(personas["wuzhi_officer"], wuzhi_case, party="p1")
    assert (e.value.field, e.value.rule) == ("party", "QRY-2")
    assert e.value.message == "张某 是本案申请执行人，只能查询被执行人（QRY-2）"
    assert not InquiryRequest.objects.exists()


def test_qry2_a_party_of_another_case_may_not_be_queried(wuzhi_case, personas, import_cases, bundle_case):
    from zhixing.cases.models import Case, Party

    other = bundle_case(filed_on="2026-02-01")
    import_cases(other, today=date(2026, 11, 23))
    stranger = Party.objects.get(case=Case.objects.get(case_number=other["case_number"]), local_id="p2")
    with pytest.raises(services.InquiryError) as e:
        services.request_inquiry(personas["wuzhi_officer"], wuzhi_case, party=stranger)
    assert e.value.field == "party" and "不是本案当事人" in e.value.message and "QRY-2" in e.value.message
    with pytest.raises(services.InquiryError) as e:
        services.request_inquiry(personas["wuzhi_officer"], wuzhi_case, party="p9")
    assert e.value.message == "当事人 'p9' 不是本案当事人，不得查询（QRY-2）"


def test_another_court_may_not_query_and_a_supervisor_may_not_control(wuzhi_case, personas):
    with pytest.raises(services.Forbidden):
        services.request_inquiry(personas["wenxian_officer"], wuzhi_case, party="p2")
    with pytest.raises(services.Forbidden):
        services.request_inquiry(personas["courtless"], wuzhi_case, party="p2")
    # The bureau chief of 焦作中院 supervises 武陟: may query, may not freeze or deduct.
    assert services.request_inquiry(personas["jiaozuo_chief"], wuzhi_case, party="p2").court.code == "豫0823"
    with pytest.raises(services.Forbidden) as e:
        services.request_inquiry(personas["jiaozuo_chief"], wuzhi_case, party="p2", kind=Kind.FREEZE,
                                 categories=["存款"], asset="x", amount="1.00", expires_on=date(2027, 1, 1))  # fmt: skip
    assert "本案所属法院" in e.value.message


@pytest.mark.parametrize(
    ("categories", "message"),
    [([], "至少选择一个查询类别"), (["存款", "存款"], "查询类别重复"), (["房产"], "未知的查询类别 '房产'")],
)
def test_bad_categories_are_refused(wuzhi_case, personas, categories, message):
    with pytest.raises(services.InquiryError) as e:
        services.request_inquiry(personas["wuzhi_officer"], wuzhi_case, party="p2", categories=categories)
    assert e.value.field == "categories" and e.value.message.startswith(message)


def _found_deposit(case, officer):
    """Record an online_inquiry that found deposit account ``存款-A`` of p2."""
    from zhixing.flow.services import record_event

    record_event(case, "online_inquiry", "2026-02-01",
                 {"party": "p2", "system": "总对总", "categories": ["存款"],
                  "found": [{"asset": "存款-A", "category": "存款", "value": "5000.00"}]},
                 user=officer, expected_version=None)  # fmt: skip


def test_control_acts_need_a_known_asset_and_respect_dl20(wuzhi_case, personas):
    officer = personas["wuzhi_officer"]
    today = date(2026, 11, 23)
    with pytest.raises(services.InquiryError) as e:
        services.request_inquiry(officer, wuzhi_case, party="p2", kind=Kind.FREEZE, categories=["存款"],
                                 asset="存款-A", amount="100.00", expires_on=today + timedelta(days=30), on=today)  # fmt: skip
    assert (e.value.field, e.value.message) == ("asset", "财产 '存款-A' 在本案中没有查询或控制记录")
    _found_deposit(wuzhi_case, officer)
    # DL-20: a deposit is frozen for at most one year.
    with pytest.raises(services.InquiryError) as e:
        services.request_inquiry(officer, wuzhi_case, party="p2", kind=Kind.FREEZE, categories=["存款"],
                                 asset="存款-A", amount="100.00", expires_on=date(2027, 11, 24), on=today)  # fmt: skip
    assert e.value.rule == "DL-20" and "不得晚于2027-11-23" in e.value.message
    with pytest.raises(services.InquiryError) as e:
        services.request_inquiry(officer, wuzhi_case, party="p2", kind=Kind.FREEZE, categories=["存款", "车辆"],
                                 asset="存款-A", amount="100.00", expires_on=date(2027, 1, 1), on=today)  # fmt: skip
    assert e.value.field == "categories"
    with pytest.raises(services.InquiryError) as e:
        services.request_inquiry(officer, wuzhi_case, party="p2", kind=Kind.DEDUCT, categories=["存款"],
                                 asset="存款-A", amount="-5", on=today)  # fmt: skip
    assert (e.value.field, e.value.message) == ("amount", "金额应为正数，至多两位小数")
    ok = services.request_inquiry(officer, wuzhi_case, party="p2", kind=Kind.FREEZE, categories=["存款"],
                                  asset="存款-A", amount="100.00", expires_on=date(2027, 11, 23), on=today)  # fmt: skip
    assert (ok.amount, ok.expires_on, ok.asset) == (
        __import__("decimal").Decimal("100.00"),
        date(2027, 11, 23),
        "存款-A",
    )
    assert ok.notice_number == f"{wuzhi_case.case_number}协助执行通知书第1号"


def test_vehicles_cannot_be_deducted(wuzhi_case, personas):
    from zhixing.flow.services import record_event

    record_event(wuzhi_case, "online_inquiry", "2026-02-01",
                 {"party": "p2", "system": "总对总", "categories": ["车辆"],
                  "found": [{"asset": "车-1", "category": "车辆", "value": "50000.00"}]},
                 user=personas["wuzhi_officer"], expected_version=None)  # fmt: skip
    with pytest.raises(services.InquiryError) as e:
        services.request_inquiry(personas["wuzhi_officer"], wuzhi_case, party="p2", kind=Kind.DEDUCT,
                                 categories=["车辆"], asset="车-1", amount="100.00")  # fmt: skip
    assert e.value.message.startswith("车辆不能网络扣划")


def test_a_job_request_with_the_same_key_is_made_once(wuzhi_case):
    a = services.request_inquiry(None, wuzhi_case, party="p2", dedup_key="new:test")
    b = services.request_inquiry(None, wuzhi_case, party="p2", dedup_key="new:test")
    assert a.pk == b.pk and InquiryRequest.objects.count() == 1 and OutboxMessage.objects.count() == 1


answer_values = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.integers(),
    st.lists(st.dictionaries(st.text(max_size=6), st.text(max_size=6)), max_size=2),
)


@settings(suppress_health_check=[HealthCheck.too_slow])  # a loaded shared machine, not our slowness
@given(
    st.dictionaries(
        st.sampled_from(["category", "status", "assets", "amount", "answered_on", "message", "x"]),
        answer_values,
    )
)
def test_the_answer_parser_never_raises(raw):
    a = services.parse_answer(raw, fallback_on=date(2026, 1, 1))
    if a is not None:
        assert a.category in ALL_CATEGORIES and a.status in ("found", "none", "done", "refused")


def test_the_answer_parser_keeps_money_as_decimal_strings():
    a = services.parse_answer({"category": "存款", "status": "found", "answered_on": "2026-03-02",
                               "assets": [{"asset": "A1", "value": "12.5", "institution": "中原银行"}]},
                              fallback_on=date(2026, 1, 1))  # fmt: skip
    assert a.assets == ({"asset": "A1", "category": "存款", "value": "12.50", "institution": "中原银行"},)
    assert a.answered_on == date(2026, 3, 2)
    assert (
        services.parse_answer(
            {"category": "存款", "status": "found", "assets": [{"value": "1"}]}, fallback_on=date(2026, 1, 1)
        )
        is None
    )
