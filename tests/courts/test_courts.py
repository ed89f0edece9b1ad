"""The court hierarchy and the one scoping mechanism (courts/models.py, courts/services.py;
design.md "Every lookup checks who asks": a user sees their court and, in a supervising
role, the courts below it).

Personas (conftest): 王 an officer of 武陟县法院 (豫0823), 李 the bureau chief of 焦作中院
(豫08), 赵 an officer of 温县法院 (豫0825) who must see nothing of 武陟, and a user with
no court.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from zhixing.cases.models import Case
from zhixing.courts.models import Court, Role, User
from zhixing.courts.services import CourtError, ensure_court


def codes(queryset) -> list[str]:
    return sorted(queryset.values_list("code", flat=True))


@pytest.fixture
def cases(import_cases, bundle_case, courts):
    """Two cases of 武陟, one of 温县, one of 焦作中院 itself and one of 北京朝阳."""
    report = import_cases(
        bundle_case(court_code="豫0823", seq=1),
        bundle_case(court_code="豫0823", seq=2),
        bundle_case(court_code="豫0825", seq=1),
        bundle_case(court_code="豫08", seq=1),
        bundle_case(court_code="京0105", seq=1),
    )
    assert (report.imported, report.rejected) == (5, [])


def numbers(queryset) -> list[str]:
    return sorted(queryset.values_list("case_number", flat=True))


# -- the hierarchy ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("最高法", Court.Level.SUPREME, None),
        ("豫", Court.Level.HIGH, "最高法"),
        ("豫08", Court.Level.INTERMEDIATE, "豫"),
        ("豫0823", Court.Level.BASIC, "豫08"),
        ("京0105", Court.Level.BASIC, "京01"),  # the code's parent; a courts file can say 京03
        ("兵0101", Court.Level.BASIC, "兵01"),
    ],
)
def test_level_and_parent_from_the_code(code, level, parent):
    assert Court.level_of(code) == level
    assert Court.parent_code_of(code) == parent


@pytest.mark.django_db
def test_named_courts_fixture(courts):
    assert {c.code: (c.name, c.named) for c in courts.values()} == {
        "最高法": ("最高人民法院", True),
        "豫": ("豫", False),
        "豫08": ("焦作市中级人民法院", True),
        "豫0823": ("武陟县人民法院", True),
        "豫0825": ("温县人民法院", True),
    }
    assert codes(courts["豫08"].subtree()) == ["豫08", "豫0823", "豫0825"]
    assert codes(courts["豫0823"].subtree()) == ["豫0823"]
    assert codes(courts["最高法"].subtree()) == ["最高法", "豫", "豫08", "豫0823", "豫0825"]


@pytest.mark.django_db
def test_ensure_court_reuses_and_refuses():
    first = ensure_court("豫0823")
    assert ensure_court("豫0823").pk == first.pk
    assert Court.objects.count() == 4
    with pytest.raises(CourtError, match="CASENO-3"):
        ensure_court("豫823")


@pytest.mark.django_db
def test_ensure_court_uses_and_fills_the_cache():
    cache: dict = {}
    court = ensure_court("豫0825", cache=cache)
    assert sorted(cache) == ["最高法", "豫", "豫08", "豫0825"]
    assert ensure_court("豫0825", cache=cache) is court


# -- scoping ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_visible_courts_of_each_persona(personas):
    assert codes(personas["wuzhi_officer"].visible_courts()) == ["豫0823"]
    assert codes(personas["jiaozuo_chief"].visible_courts()) == ["豫08", "豫0823", "豫0825"]
    assert codes(personas["wenxian_officer"].visible_courts()) == ["豫0825"]
    assert codes(personas["courtless"].visible_courts()) == []


@pytest.mark.django_db
def test_cases_visible_to_each_persona(personas, cases):
    visible = {name: numbers(Case.objects.visible_to(user)) for name, user in personas.items()}
    assert visible == {
        "wuzhi_officer": ["（2023）豫0823执1号", "（2023）豫0823执2号"],
        "jiaozuo_chief": [
            "（2023）豫0823执1号",
            "（2023）豫0823执2号",
            "（2023）豫0825执1号",
            "（2023）豫08执1号",
        ],
        "wenxian_officer": ["（2023）豫0825执1号"],
        "courtless": [],
    }


@pytest.mark.django_db
def test_an_officer_of_another_court_sees_nothing_of_wuzhi(personas, cases):
    wenxian = personas["wenxian_officer"]
    assert not Case.objects.visible_to(wenxian).filter(court__code="豫0823").exists()
    assert not Case.objects.visible_to(wenxian).filter(case_number="（2023）豫0823执1号").exists()
    # Nor through the supervising court's subtree: scoping is applied after, not instead.
    assert (
        not Case.objects.in_subtree(Court.objects.get(code="豫08"))
        .visible_to(wenxian)
        .filter(court__code="豫0823")
        .exists()
    )


@pytest.mark.django_db
def test_a_basic_court_officer_does_not_see_the_intermediate_court(personas, cases):
    assert not Case.objects.visible_to(personas["wuzhi_officer"]).filter(court__code="豫08").exists()


@pytest.mark.django_db
def test_a_supervising_role_of_a_basic_court_sees_only_that_court(courts, cases):
    chief = User.objects.create(username="wuzhi_chief", court=courts["豫0823"], role=Role.BUREAU_CHIEF)
    assert chief.supervises
    assert numbers(Case.objects.visible_to(chief)) == ["（2023）豫0823执1号", "（2023）豫0823执2号"]


@pytest.mark.django_db
def test_a_team_lead_is_not_a_supervising_role(courts):
    lead = User.objects.create(username="jiaozuo_lead", court=courts["豫08"], role=Role.TEAM_LEAD)
    assert not lead.supervises
    assert codes(lead.visible_courts()) == ["豫08"]


@pytest.mark.django_db
def test_the_anonymous_and_nobody_see_nothing(cases):
    assert not Case.objects.visible_to(AnonymousUser()).exists()
    assert not Case.objects.visible_to(None).exists()


@pytest.mark.django_db
def test_a_superuser_sees_everything(cases):
    admin = User.objects.create(username="root", is_superuser=True)
    assert Case.objects.visible_to(admin).count() == 5
    assert Court.objects.count() == codes(admin.visible_courts()).__len__()


@pytest.mark.django_db
def test_visibility_follows_a_parent_override(courts, cases):
    """After a courts file moves 京0105 under 京03, a chief of 京03 sees its cases and a chief
    of 京01 no longer does."""
    from zhixing.courts.services import import_courts

    jing01 = User.objects.create(
        username="jing01", court=Court.objects.get(code="京01"), role=Role.BUREAU_CHIEF
    )
    assert numbers(Case.objects.visible_to(jing01)) == ["（2023）京0105执1号"]
    import_courts(['{"code": "京0105", "name": "北京市朝阳区人民法院", "parent": "京03"}'])
    jing03 = User.objects.create(
        username="jing03", court=Court.objects.get(code="京03"), role=Role.BUREAU_CHIEF
    )
    jing01.refresh_from_db()
    assert numbers(Case.objects.visible_to(jing03)) == ["（2023）京0105执1号"]
    assert numbers(Case.objects.visible_to(jing01)) == []
