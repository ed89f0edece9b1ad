"""``{% inquiry_panel case %}``: the case page's panel of online inquiries and results,
so the case view needs no change (the panel computes its own context, scoped to the
user in the template context)."""

from __future__ import annotations

from django import template
from django.contrib.messages import get_messages

from zhixing.cases.choices import PartyRole
from zhixing.cases.models import Case
from zhixing.flow.services import can_act
from zhixing.inquiry import services
from zhixing.inquiry.forms import RequestForm
from zhixing.inquiry.models import InquiryRequest

register = template.Library()


@register.inclusion_tag("inquiry/_panel.html", takes_context=True)
def inquiry_panel(context, case):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        return {"hidden": True}
    requests = list(
        InquiryRequest.objects.visible_to(user)
        .filter(case=case)
        .select_related("case", "court", "party")[:30]
    )
    debtors = case.parties.filter(role=PartyRole.DEBTOR).order_by("position")
    return {
        "case": case,
        "coverage": services.case_coverage(case),
        "requests": [services.request_json(r, results=True) for r in requests],
        "form": RequestForm(debtors=debtors) if can_act(user, case) else None,
        "messages": [m for m in get_messages(request)] if request is not None else [],
        "csrf_token": context.get("csrf_token"),
    }
