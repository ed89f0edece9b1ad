"""Where a user lands after log-in.

The court scope of a request and the courts a user may pick live in ``courts.access``;
they are imported here too for the pages that still reach them through this module.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from zhixing.courts.access import court_choices, court_scope
from zhixing.courts.models import SUPERVISING_ROLES, Role

__all__ = ["LEADER_ROLES", "court_choices", "court_scope", "home", "is_leader"]

#: Roles whose work starts from the figures (the dashboard) rather than from a case list.
LEADER_ROLES = SUPERVISING_ROLES | {Role.TEAM_LEAD}


def is_leader(user) -> bool:
    return user.is_superuser or user.role in LEADER_ROLES


def home(request: HttpRequest) -> HttpResponse:
    """After log-in: leaders and the command centre see the dashboard, officers and clerks
    their own cases (我的案件)."""
    return redirect("dashboard:index" if is_leader(request.user) else "cases:mine")
