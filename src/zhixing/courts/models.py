"""Courts (the four-level hierarchy), users and roles, and the one scoping mechanism.

Every view, API endpoint and command that serves a user narrows its querysets with
``visible_to(user)`` (design.md: "every lookup checks who asks").
"""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

SUPREME_CODE = "最高法"


class Court(models.Model):
    class Level(models.IntegerChoices):
        SUPREME = 0, "最高人民法院"
        HIGH = 1, "高级人民法院"
        INTERMEDIATE = 2, "中级人民法院"
        BASIC = 3, "基层人民法院"

    code = models.CharField("法院代字", max_length=16, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of codes from the root ("最高法/豫/豫08/豫0823/"): a subtree is
    # one indexed prefix match, whatever the depth and whichever engine.
    path = models.CharField(max_length=200, db_index=True, editable=False)
    #: True once a courts file (or an admin) named the court; False while named by code.
    named = models.BooleanField(default=False)

    class Meta:
        verbose_name = verbose_name_plural = "法院"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def subtree(self) -> models.QuerySet[Court]:
        return Court.objects.filter(path__startswith=self.path)

    @staticmethod
    def level_of(code: str) -> int:
        """Court level from its code (CASENO-3/4): 最高法; a province character; + 2 digits
        for an intermediate court; + 4 digits for a basic court."""
        if code == SUPREME_CODE:
            return Court.Level.SUPREME
        digits = re.sub(r"\D", "", code)
        return {0: Court.Level.HIGH, 2: Court.Level.INTERMEDIATE, 4: Court.Level.BASIC}[len(digits)]

    @staticmethod
    def parent_code_of(code: str) -> str | None:
        """The parent implied by the code: 豫0823 → 豫08 → 豫 → 最高法 (case-bundle.md, Courts file)."""
        if code == SUPREME_CODE:
            return None
        level = Court.level_of(code)
        if level == Court.Level.HIGH:
            return SUPREME_CODE
        return code[:-2]


class Role(models.TextChoices):
    """glossary.md: who does what. Supervising roles see the courts below their own."""

    JUDGE = "judge", "执行法官"
    OFFICER = "officer", "执行员"
    ASSISTANT = "assistant", "法官助理"
    CLERK = "clerk", "书记员"
    POLICE = "police", "司法警察"
    TEAM_LEAD = "team_lead", "团队负责人"
    BUREAU_CHIEF = "bureau_chief", "执行局长"
    VICE_PRESIDENT = "vice_president", "副院长"
    PRESIDENT = "president", "院长"
    COMMAND_CENTRE = "command_centre", "指挥中心"
    ADMIN = "admin", "系统管理员"


SUPERVISING_ROLES = frozenset(
    {Role.BUREAU_CHIEF, Role.VICE_PRESIDENT, Role.PRESIDENT, Role.COMMAND_CENTRE, Role.ADMIN}
)


class User(AbstractUser):
    court = models.ForeignKey(
        Court, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name="法院"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.OFFICER)
    display_name = models.CharField("姓名", max_length=50, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    @property
    def supervises(self) -> bool:
        return self.role in SUPERVISING_ROLES

    def visible_courts(self) -> models.QuerySet[Court]:
        """A user sees their court and, in a supervising role, every court below it.
        A user without a court sees nothing (a superuser sees everything)."""
        if self.is_superuser:
            return Court.objects.all()
        if self.court_id is None:
            return Court.objects.none()
        if self.supervises:
            return Court.objects.filter(path__startswith=self.court.path)
        return Court.objects.filter(pk=self.court_id)


class CourtScopedQuerySet(models.QuerySet):
    """The one scoping mechanism: ``visible_to(user)`` keeps rows of courts the user may
    see. ``court_lookup`` names the path from the model to its Court."""

    court_lookup = "court"

    def visible_to(self, user) -> CourtScopedQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(**{f"{self.court_lookup}__in": user.visible_courts()})

    def in_subtree(self, court: Court) -> CourtScopedQuerySet:
        return self.filter(**{f"{self.court_lookup}__path__startswith": court.path})
