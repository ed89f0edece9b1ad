"""Who acts: the name recorded as ``by`` and who may record on a case."""

from __future__ import annotations

from zhixing.cases.models import Case

SYSTEM = "系统"


def who(user) -> str:
    """The name recorded as ``by`` and matched against a case's ``handler``."""
    if user is None:
        return SYSTEM
    return getattr(user, "display_name", "") or user.get_username()


def can_act(user, case: Case) -> bool:
    """Recording on a case: background jobs (``user=None``), a superuser, or a user of a
    court that sees the case's court (their own court; a supervising role also below it)."""
    if user is None or user.is_superuser:
        return True
    return user.visible_courts().filter(pk=case.court_id).exists()
