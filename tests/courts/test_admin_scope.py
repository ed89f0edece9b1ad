"""The Django admin shows a staff user only the rows of their court and the courts below it.

刘某, an administrator of 温县法院 (豫0825, staff, may view every model), must see nothing of
武陟县法院 (豫0823) in any changelist: not its rows, not its court in a filter. 赵局长 of
焦作中院 (豫08, staff) supervises both basic courts and sees the rows of both. The agencies,
their keys and the screening audit trail belong to no court: system administrators only.

Every model in the admin gets one row of each basic court, built field by field from the
model's own definition (a row's court comes from its case, its court or its parent row), so
a model added to the admin later is covered without a new fixture.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import models
from django.test import Client

from zhixing.cases.models import Case
from zhixing.courts.adminscope import CourtScoped, SuperuserOnly
from zhixing.courts.models import Court, User

pytestmark = pytest.mark.django_db

WUZHI, WENXIAN = "豫0823", "豫0825"
_serial = itertools.count(1)

SCOPED = sorted(
    (m for m, a in admin.site._registry.items() if isinstance(a, CourtScoped)), key=lambda m: m._meta.label
)
SUPERUSER_ONLY = sorted(
    (m for m, a in admin.site._registry.items() if isinstance(a, SuperuserOnly)), key=lambda m: m._meta.label
)


def changelist_url(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def sample(field: models.Field):
    """A value the column accepts: the first choice, or a short value of the field's type."""
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.DateTimeField):
        from django.utils import timezone

        return timezone.now()
    if isinstance(field, models.DateField):
        return date(2024, 3, 1)
    if isinstance(field, models.DecimalField):
        return Decimal("1.00")
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, (models.IntegerField, models.FloatField)):
        return next(_serial)  # unique where the column is (a list entry's seq)
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.BinaryField):
        return b"x"
    text = f"s{next(_serial)}"
    return text[: field.max_length] if field.max_length else text


class Rows:
    """One row of every model for one court's case (parents made once and reused)."""

    def __init__(self, case: Case, user: User):
        self.case, self.court, self.user = case, case.court, user
        self.made: dict[type, models.Model] = {Case: case, Court: case.court, User: user}

    def of(self, model) -> models.Model:
        if model not in self.made:
            self.made[model] = self._make(model)
        return self.made[model]

    def _make(self, model) -> models.Model:
        values = {}
        for f in model._meta.concrete_fields:
            if f.primary_key:
                continue
            if f.is_relation:
                # A row reaches its court through these: fill them even where optional.
                if f.related_model in (Case, Court, User) or not f.null:
                    values[f.name] = self.of(f.related_model)
                continue
            if f.null or f.has_default() or f.db_default is not models.NOT_PROVIDED:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                continue
            values[f.name] = sample(f)
        one_to_one = [f.name for f in model._meta.concrete_fields if f.one_to_one and f.related_model is Case]
        if one_to_one:
            existing = model._default_manager.filter(**{one_to_one[0]: self.case}).first()
            if existing is not None:
                return existing
        obj = model(**values)
        obj.save()
        return obj


def staff(user: User) -> Client:
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(personas, import_cases, bundle_case):
    """A case of each basic court and one row of every admin model for each."""
    wuzhi = bundle_case(court_code=WUZHI, seq=71)
    wenxian = bundle_case(
        court_code=WENXIAN,
        seq=72,
        parties=[
            bundle_case.applicant(name="孙某"),
            bundle_case.debtor(name="温县某纺织有限公司", credit_code=bundle_case.credit_code("91410825")),
        ],
    )
    assert import_cases(wuzhi, wenxian).imported == 2
    rows = {
        WUZHI: Rows(Case.objects.get(case_number=wuzhi["case_number"]), personas["wuzhi_officer"]),
        WENXIAN: Rows(Case.objects.get(case_number=wenxian["case_number"]), personas["wenxian_officer"]),
    }
    for model in SCOPED:
        for court_rows in rows.values():
            court_rows.of(model)
    return rows


def shown(client: Client, model) -> set:
    response = client.get(changelist_url(model), {"all": ""})
    assert response.status_code == 200, (model, response.status_code)
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_a_wenxian_administrator_sees_nothing_of_wuzhi(world, personas, model):
    liu = staff(personas["wenxian_officer"])
    rows = shown(liu, model)
    assert world[WENXIAN].of(model).pk in rows
    assert world[WUZHI].of(model).pk not in rows
    html = liu.get(changelist_url(model)).content.decode()
    assert "武陟" not in html and WUZHI not in html


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_the_intermediate_courts_chief_sees_both(world, personas, model):
    zhao = staff(personas["jiaozuo_chief"])
    rows = shown(zhao, model)
    assert {world[WUZHI].of(model).pk, world[WENXIAN].of(model).pk} <= rows


def test_a_wuzhi_row_cannot_be_opened_from_wenxian(world, personas):
    liu = staff(personas["wenxian_officer"])
    case = world[WUZHI].case
    assert liu.get(f"/admin/cases/case/{case.pk}/change/").status_code == 302  # "does not exist" → index
    assert liu.get(f"/admin/cases/case/{world[WENXIAN].case.pk}/change/").status_code == 200


def test_court_choices_are_the_users_courts(world, personas):
    """An editable court field (the approval thresholds) offers 温县 only to 刘某."""
    from zhixing.funds.models import ApprovalThreshold

    liu = personas["wenxian_officer"]
    liu.is_staff = True
    liu.save()
    request = type("Request", (), {"user": liu})()
    model_admin = admin.site._registry[ApprovalThreshold]
    field = model_admin.formfield_for_foreignkey(ApprovalThreshold._meta.get_field("court"), request)
    assert [c.code for c in field.queryset] == [WENXIAN]


@pytest.mark.parametrize("model", SUPERUSER_ONLY, ids=lambda m: m._meta.label)
def test_agencies_keys_and_audit_are_for_system_administrators(personas, model):
    zhao = staff(personas["jiaozuo_chief"])
    assert zhao.get(changelist_url(model)).status_code == 403
    assert model._meta.verbose_name not in zhao.get("/admin/").content.decode()
    root = User.objects.create(username="root", is_staff=True, is_superuser=True)
    superuser = Client()
    superuser.force_login(root)
    assert superuser.get(changelist_url(model)).status_code == 200


def test_every_admin_model_is_scoped_or_has_no_court():
    """A model that reaches a court is either scoped or for system administrators."""
    unscoped = {
        m._meta.label
        for m, a in admin.site._registry.items()
        if not isinstance(a, (CourtScoped, SuperuserOnly))
    }
    assert unscoped == {"auth.Group", "flow.HolidaySchedule"}
