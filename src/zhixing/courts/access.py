"""The court scope of a request: which court it asks about and which courts the user may see.

``court_scope`` is the one place that turns "the court this request asks about" into
what the metrics services take (a court and the ids the user may see), for the pages and
the API alike: a court outside the user's courts is a 404, never a 403 that would
confirm that it exists (design.md: "every lookup checks who asks").
"""

from __future__ import annotations

from django.http import Http404

from zhixing.courts.models import Court


def court_scope(user, code: str | None) -> tuple[Court | None, list[int] | None]:
    """``(court, visible court ids)`` for ``metrics.services``: the court named by ``code``
    (default: the user's own court) and the ids the user may see. ``(None, None)`` means
    every court (a superuser without a court of their own). Raises Http404 when ``code``
    is not a court the user may see, whether or not it exists."""
    if user.is_superuser:
        if not code:
            return user.court, None
        court = Court.objects.filter(code=code).first()
        if court is None:
            raise Http404("没有这个法院")
        return court, None
    visible = user.visible_courts()
    if not code:
        return user.court, list(visible.values_list("pk", flat=True))
    court = visible.filter(code=code).first()
    if court is None:
        raise Http404("没有这个法院")
    return court, list(visible.values_list("pk", flat=True))


def court_choices(user) -> list[Court]:
    """The courts a user may pick as a scope, in hierarchy order."""
    qs = Court.objects.all() if user.is_superuser else user.visible_courts()
    return list(qs.order_by("path"))
