"""Credit decisions through the services: the rules checked before anything is saved
(C1, C2, C5, C6, CREDIT-1, CREDIT-10, CONS-1, CONS-2, CONS-4), what a saved decision
writes (event, decision record, version, facts, list entries) and court scoping.

Personas: an officer of 武陟县法院 (豫0823, the case's court), a bureau chief of 焦作中院
(豫08: sees the case, cannot decide in it) and an officer of 温县法院 (豫0825: sees nothing)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from zhixing.cases.models import Case, NodeEvent
from zhixing.credit import services
from zhixing.credit.models import CreditDecision, ListEntry
from zhixing.credit.services import CreditError, Document
from zhixing.metrics.models import ObligationFact

pytestmark = pytest.mark.django_db


def doc(on: str, number: str = "（2024）豫0823执88号之一", reason: str = "") -> Document:
    return Document(date.fromisoformat(on), number, "李院长", reason)


def refused(fn, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(CreditError) as info:
        fn(*args, **kwargs)
    return info.value.field, info.value.message


def test_a_listing_writes_event_decision_version_facts_and_entries(personas, make_case):
    case = make_case(events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}])
    officer = personas["wuzhi_officer"]
    decision = services.list_party(
        officer,
        case,
        party="p2",
        grounds=["G1"],
        term_years=None,
        doc=doc("2024-03-01"),
        expected_version=case.version,
    )
    event = decision.event
    assert (event.node, event.on, event.source, event.recorded_by) == (
        "credit_listing",
        date(2024, 3, 1),
        "form",
        officer,
    )
    assert event.data == {
        "id": "L1",
        "party": "p2",
        "grounds": ["G1"],
        "term_years": None,
        "document_number": "（2024）豫0823执88号之一",
        "by": "wuzhi_officer",
    }
    assert (decision.listing, decision.signer, decision.grounds) == ("L1", "李院长", ["G1"])
    assert Case.objects.get(pk=case.pk).version == case.version + 1
    entries = {
        (e.kind, e.party, e.listing, e.listed_on, e.active) for e in ListEntry.objects.filter(case=case)
    }
    assert entries == {
        ("dishonest", "p2", "L1", date(2024, 3, 1), True),
        ("restricted", "p2", "", date(2024, 2, 1), True),
    }
    # A performed closing would now create K9: the facts know of the listing.
    assert not ObligationFact.objects.filter(case=case, key_node="K9").exists()


def test_listing_with_restrict_issues_the_order_first_the_same_day(personas, make_case):
    case = make_case()
    services.list_party(
        personas["wuzhi_officer"],
        case,
        party="p2",
        grounds=["G4"],
        term_years=2,
        doc=doc("2024-03-01"),
        restrict=True,
    )
    nodes = list(
        NodeEvent.objects.filter(case=case, on=date(2024, 3, 1))
        .order_by("position")
        .values_list("node", flat=True)
    )
    assert nodes == ["consumption_restriction", "credit_listing"]
    assert CreditDecision.objects.filter(case=case).count() == 2


def test_c5_no_restriction_in_force_is_refused(personas, make_case):
    case = make_case()
    field, message = refused(
        services.list_party,
        personas["wuzhi_officer"],
        case,
        party="p2",
        grounds=["G1"],
        term_years=None,
        doc=doc("2024-03-01"),
    )
    assert (field, message) == (
        "restrict",
        "C5 未同时限制消费：纳入失信被执行人名单时（2024-03-01）未对周某采取限制消费措施（CONS-2）",
    )
    assert not NodeEvent.objects.filter(case=case, node="credit_listing").exists()
    assert Case.objects.get(pk=case.pk).version == case.version


def test_c5_restriction_issued_the_next_day_is_too_late(personas, make_case):
    case = make_case(events=[{"node": "consumption_restriction", "on": "2024-03-02", "party": "p2"}])
    field, _ = refused(
        services.list_party,
        personas["wuzhi_officer"],
        case,
        party="p2",
        grounds=["G1"],
        term_years=None,
        doc=doc("2024-03-01"),
    )
    assert field == "restrict"


@pytest.mark.parametrize(("decided", "ok"), [("2024-03-11", False), ("2024-03-12", True)])
def test_c1_a_minor_cannot_be_listed_the_18th_birthday_is_the_first_day(personas, make_case, decided, ok):
    """CREDIT-4: born 2006-03-12, 18 on 2024-03-12."""
    case = make_case(
        birth="20060312", events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}]
    )
    call = (services.list_party, personas["wuzhi_officer"], case)
    kwargs = {"party": "p2", "grounds": ["G1"], "term_years": None, "doc": doc(decided)}
    if ok:
        assert call[0](*call[1:], **kwargs).event.on == date(2024, 3, 12)
    else:
        assert refused(*call, **kwargs) == (
            "party",
            "C1 纳入时未满十八周岁：周某生于2006-03-12，2024-03-12年满十八周岁，"
            "纳入失信被执行人名单时（2024-03-11）系未成年人，不得纳入（CREDIT-4）",
        )


@pytest.mark.parametrize(
    ("grounds", "term", "message"),
    [
        (
            ["G1"],
            2,
            "C2 失信期限不当：仅以“有履行能力而拒不履行”纳入的失信名单不设期限，实际记载期限2年（CREDIT-5）",
        ),
        (
            ["G4"],
            None,
            "C2 失信期限不当：以“违反财产报告制度”纳入的失信名单应记载二年（或依法延长为三至五年）的期限，"
            "实际为未记载（CREDIT-5）",
        ),
        (
            ["G4"],
            3,
            "C2 失信期限不当：仅以“违反财产报告制度”一项情形纳入的，期限为二年；"
            "延长至3年须有妨碍、抗拒执行情节严重或多项失信行为（CREDIT-5）",
        ),
        (["G4", "G5"], 6, "C2 失信期限不当：失信名单期限应为二年或三至五年，实际为6年（CREDIT-5）"),
        (["G2"], 5, None),
        (["G1", "G4"], 3, None),
    ],
)
def test_c2_the_term_must_fit_the_grounds(personas, make_case, grounds, term, message):
    case = make_case(events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}])
    kwargs = {"party": "p2", "grounds": grounds, "term_years": term, "doc": doc("2024-03-01")}
    if message is None:
        assert services.list_party(personas["wuzhi_officer"], case, **kwargs).term_years == term
    else:
        assert refused(services.list_party, personas["wuzhi_officer"], case, **kwargs) == (
            "term_years",
            message,
        )


@pytest.mark.parametrize(("value", "ok"), [("100000.00", False), ("99999.99", True)])
def test_c6_restraints_covering_the_unpaid_claim_exclude_g1(personas, make_case, value, ok):
    case = make_case(
        events=[
            {"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"},
            {
                "node": "restraint",
                "on": "2024-02-05",
                "asset": "a1",
                "measure": "冻结",
                "category": "存款",
                "value": value,
                "expires_on": "2025-02-04",
            },
        ]
    )
    kwargs = {"party": "p2", "grounds": ["G1"], "term_years": None, "doc": doc("2024-03-01")}
    if ok:
        services.list_party(personas["wuzhi_officer"], case, **kwargs)
    else:
        field, message = refused(services.list_party, personas["wuzhi_officer"], case, **kwargs)
        assert field == "grounds"
        assert message.startswith(
            "C6 已控财产足以清偿：纳入失信被执行人名单时（2024-03-01）已查封、扣押、冻结的财产价值100,000.00元"
        )


def test_credit_1_performed_obligation_and_non_debtors_are_refused(personas, make_case):
    case = make_case(
        recovered="100000.00", events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}]
    )
    officer = personas["wuzhi_officer"]
    assert (
        refused(
            services.list_party,
            officer,
            case,
            party="p2",
            grounds=["G1"],
            term_years=None,
            doc=doc("2024-03-01"),
        )[1]
        == "被执行人已全部履行生效法律文书确定的义务，不得纳入失信名单（CREDIT-1）"
    )
    other = make_case(number="（2024）豫0823执89号")
    assert refused(
        services.list_party,
        officer,
        other,
        party="p1",
        grounds=["G1"],
        term_years=None,
        doc=doc("2024-03-01"),
    ) == ("party", "焦作市某商贸有限公司不是本案被执行人，不能纳入失信名单或限制消费（CREDIT-1、CONS-4）")


def test_document_fields_and_dates_are_checked(personas, make_case):
    case = make_case(events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}])
    officer = personas["wuzhi_officer"]
    kw = {"party": "p2", "grounds": ["G1"], "term_years": None}
    assert (
        refused(services.list_party, officer, case, doc=Document(date(2024, 3, 1), " ", "李院长"), **kw)[0]
        == "document_number"
    )
    assert (
        refused(services.list_party, officer, case, doc=Document(date(2024, 3, 1), "x", ""), **kw)[0]
        == "signer"
    )
    future = date.today() + timedelta(days=1)
    assert (
        refused(services.list_party, officer, case, doc=Document(future, "x", "李院长"), **kw)[0]
        == "decided_on"
    )
    assert (
        refused(services.list_party, officer, case, doc=doc("2024-01-09"), **kw)[1]
        == "决定日期 2024-01-09 早于立案日期 2024-01-10"
    )


def test_a_stale_version_is_a_conflict(personas, make_case):
    case = make_case(events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}])
    with pytest.raises(services.Conflict):
        services.list_party(
            personas["wuzhi_officer"],
            case,
            party="p2",
            grounds=["G1"],
            term_years=None,
            doc=doc("2024-03-01"),
            expected_version=case.version - 1,
        )


def test_only_the_case_court_decides_and_other_courts_see_nothing(personas, make_case):
    case = make_case(events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}])
    kw = {"party": "p2", "grounds": ["G1"], "term_years": None, "doc": doc("2024-03-01")}
    with pytest.raises(PermissionDenied):
        services.list_party(personas["jiaozuo_chief"], case, **kw)
    with pytest.raises(Case.DoesNotExist):
        services.list_party(personas["wenxian_officer"], case, **kw)
    assert not NodeEvent.objects.filter(case=case, node="credit_listing").exists()


def test_no_second_active_listing_and_relisting_after_deletion(personas, make_case):
    case = make_case(events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}])
    officer = personas["wuzhi_officer"]
    kw = {"party": "p2", "grounds": ["G1"], "term_years": None}
    services.list_party(officer, case, doc=doc("2024-03-01"), **kw)
    assert refused(services.list_party, officer, case, doc=doc("2024-03-05"), **kw)[1] == (
        "周某在本案中已被纳入失信名单（2024-03-01），不能重复纳入"
    )
    services.delete_listing(officer, case, listing="L1", ground="applicant_request", doc=doc("2024-04-01"))
    # CREDIT-10: the applicant asking again within six months (2024-10-01 included) is refused …
    field, message = refused(
        services.list_party, officer, case, doc=doc("2024-10-01"), on_applicant_request=True, **kw
    )
    assert (field, message) == (
        "on_applicant_request",
        "失信信息已于2024-04-01依申请执行人申请删除，2024-10-01前申请执行人再次申请纳入的，不予支持（CREDIT-10）",
    )
    # … from the next day it is not; and a new ground found by the court is never barred.
    assert (
        services.list_party(officer, case, doc=doc("2024-10-02"), on_applicant_request=True, **kw).listing
        == "L2"
    )


def test_deletion_grounds_fit_the_entry(personas, make_case):
    case = make_case(events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}])
    officer = personas["wuzhi_officer"]
    services.list_party(officer, case, party="p2", grounds=["G4"], term_years=2, doc=doc("2024-03-01"))
    assert (
        refused(
            services.delete_listing, officer, case, listing="L1", ground="performed", doc=doc("2024-04-01")
        )[0]
        == "ground"
    )
    # CREDIT-9: the two years end on 2026-03-01 (PER-4); not before.
    assert (
        refused(
            services.delete_listing, officer, case, listing="L1", ground="term_expired", doc=doc("2024-04-01")
        )[1]
        == "失信期限至2026-03-01届满，尚未届满不能以期限届满删除"
    )
    d = services.delete_listing(officer, case, listing="L1", ground="early", doc=doc("2024-04-01"))
    assert d.event.data["listing"] == "L1" and d.event.data["ground"] == "early"
    entry = ListEntry.objects.get(case=case, kind="dishonest")
    assert (entry.active, entry.ended_on, entry.ended_by) == (False, date(2024, 4, 1), "credit_deletion")
    assert refused(
        services.delete_listing, officer, case, listing="L1", ground="early", doc=doc("2024-04-02")
    )[1] == ("该失信信息已于2024-04-01删除")


def test_revocation_needs_a_reason_and_correction_changes_what_is_published(personas, make_case, kit):
    case = make_case(events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}])
    officer = personas["wuzhi_officer"]
    services.list_party(officer, case, party="p2", grounds=["G1"], term_years=None, doc=doc("2024-03-01"))
    assert refused(services.revoke_listing, officer, case, listing="L1", doc=doc("2024-03-02"))[0] == "reason"
    right = kit.id_number("19850312", "215")
    assert (
        refused(
            services.correct_listing,
            officer,
            case,
            listing="L1",
            fields={"id_number": right[:17] + "0"},
            doc=doc("2024-03-02", reason="身份证号码录入错误"),
        )[0]
        == "id_number"
    )
    services.correct_listing(
        officer,
        case,
        listing="L1",
        fields={"id_number": right, "name": "周某某"},
        doc=doc("2024-03-02", reason="身份证号码录入错误"),
    )
    entry = ListEntry.objects.get(case=case, kind="dishonest")
    assert (entry.identifier, entry.name, entry.active) == (right, "周某某", True)
    services.revoke_listing(officer, case, listing="L1", doc=doc("2024-03-05", reason="不符合纳入条件"))
    entry.refresh_from_db()
    assert (entry.active, entry.ended_by) == (False, "credit_revocation")


def test_a_unit_restriction_covers_its_legal_representative_and_can_be_amended(personas, make_case, kit):
    """CONS-4; 善意文明执行意见 第17条(2): the new legal representative replaces the former."""
    case = make_case(unit=True)
    officer = personas["wuzhi_officer"]
    former, new = kit.id_number("19700101", "111"), kit.id_number("19800202", "222")
    services.restrict_consumption(
        officer,
        case,
        party="p3",
        doc=doc("2024-02-01"),
        persons=[{"role": "法定代表人", "name": "赵某", "id_number": former}],
    )
    services.restrict_consumption(
        officer,
        case,
        party="p3",
        doc=doc("2024-05-01"),
        persons=[{"role": "legal_representative", "name": "钱某", "id_number": new}],
    )
    rows = {
        (e.name, e.role, e.unit_name, e.listed_on, e.ended_on)
        for e in ListEntry.objects.filter(case=case, kind="restricted")
    }
    assert rows == {
        ("武陟县某建材有限公司", "debtor", "", date(2024, 2, 1), None),
        ("赵某", "legal_representative", "武陟县某建材有限公司", date(2024, 2, 1), date(2024, 5, 1)),
        ("钱某", "legal_representative", "武陟县某建材有限公司", date(2024, 5, 1), None),
    }
    assert (
        refused(
            services.restrict_consumption,
            officer,
            case,
            party="p2",
            doc=doc("2024-02-01"),
            persons=[{"role": "法定代表人", "name": "x"}],
        )[0]
        == "persons"
    )


def test_cons_1_no_restriction_before_the_execution_notice(personas, import_cases, kit):
    bundle = kit.bundle()
    bundle["events"] = [e for e in bundle["events"] if e["node"] != "execution_notice"]
    import_cases(bundle, today=date(2026, 1, 1))
    case = Case.objects.get(case_number=kit.case_number)
    assert refused(
        services.restrict_consumption, personas["wuzhi_officer"], case, party="p2", doc=doc("2024-02-01")
    ) == (
        "party",
        "尚未向被执行人发出执行通知，不能限制消费（CONS-1）",
    )


def test_cons_2_a_listed_debtor_stays_restricted(personas, make_case):
    case = make_case(events=[{"node": "consumption_restriction", "on": "2024-02-01", "party": "p2"}])
    officer = personas["wuzhi_officer"]
    services.list_party(officer, case, party="p2", grounds=["G1"], term_years=None, doc=doc("2024-03-01"))
    assert refused(
        services.lift_restriction, officer, case, party="p2", ground="consent", doc=doc("2024-03-10")
    )[1] == ("周某仍在失信被执行人名单中（2024-03-01纳入），应先删除或撤销失信信息，再解除限制消费（CONS-2）")
    services.delete_listing(officer, case, listing="L1", ground="performed", doc=doc("2024-03-10"))
    services.lift_restriction(officer, case, party="p2", ground="performed", doc=doc("2024-03-10"))
    assert not ListEntry.objects.filter(case=case, active=True).exists()
