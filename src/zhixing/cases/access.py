"""The one look-up of a case by its number for a user, used by every app's pages and API.

A case the user may not see is treated as one that does not exist: the pages and the API
answer 404, never a 403 that would confirm it (design.md: "every lookup checks who asks").
Which courts a user may see is ``Case.objects.visible_to`` (the court hierarchy); the court
scope of a request (the court it asks about) is ``courts.access.court_scope``.
"""

from __future__ import annotations

from django.http import Http404

from zhixing.cases.casenumber import normalise
from zhixing.cases.models import Case


def find_visible_case(user, case_number: str) -> Case | None:
    """The case with this number (in any accepted spelling) if ``user`` may see it, else None."""
    return (
        Case.objects.visible_to(user)
        .select_related("court")
        .filter(case_number=normalise(case_number))
        .first()
    )


def visible_case(user, case_number: str) -> Case:
    """The case with this number if ``user`` may see it; Http404 otherwise."""
    case = find_visible_case(user, case_number)
    if case is None:
        raise Http404("没有这个案件")
    return case
