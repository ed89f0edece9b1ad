"""What the API and the pages show, built once for both (the same verdicts everywhere).

Read-only: lookups are already scoped by the caller (``visible_case``) or scope themselves
here (``visible_to``, the review assignment). Nothing here shows an ID number.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone

from zhixing.cases.choices import CaseType, ClosingMode
from zhixing.cases.loader import load_record, load_records
from zhixing.cases.models import Case
from zhixing.courts.models import Court
from zhixing.lib.masking import Audience, audience
from zhixing.termination import followup, rules, services
from zhixing.termination.models import (
    Interview,
    Reminder,
    Resumption,
    ReviewCampaign,
    ReviewItem,
    Ruling,
    TerminationClosing,
)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _name(user) -> str | None:
    return services.who(user) if user is not None else None


# -- one case --------------------------------------------------------------------------------


def closing_json(c: TerminationClosing) -> dict[str, Any]:
    return {
        "closed_on": c.closed_on.isoformat(),
        "verdict": c.verdict,
        "failed": c.failed,
        "pending": c.pending,
        "reasons": c.reasons,
        "overridden": c.overridden,
        "override_reason": c.override_reason or None,
        "closed_by": _name(c.closed_by),
        "approved_by": _name(c.approved_by),
        "recorded_at": timezone.localtime(c.recorded_at).isoformat(timespec="seconds"),
        "version": Case.objects.filter(pk=c.case_id).values_list("version", flat=True).first(),
    }


def interview_json(i: Interview) -> dict[str, Any]:
    return {
        "id": i.pk,
        "on": i.interviewed_on.isoformat(),
        "applicant": i.applicant,
        "attendee": i.attendee,
        "interviewers": i.interviewers,
        "recorder": i.recorder or None,
        "place": i.place,
        "told": {
            "执行情况": i.told_progress,
            "财产调查措施": i.told_measures,
            "财产情况": i.told_property,
            "终本依据及法律后果": i.told_basis,
        },
        "opinion": i.opinion,
        "statement": i.statement or None,
        "recorded_by": _name(i.recorded_by),
        "document": f"/api/termination/cases/{i.case.case_number}/interviews/{i.pk}.docx",
        "version": Case.objects.filter(pk=i.case_id).values_list("version", flat=True).first(),
    }


def ruling_json(r: Ruling) -> dict[str, Any]:
    return {
        "id": r.pk,
        "on": r.ruled_on.isoformat(),
        "approval": r.get_approval_display(),
        "presiding": r.presiding,
        "judges": r.judges or None,
        "clerk": r.clerk,
        "recorded_by": _name(r.recorded_by),
        "document": f"/api/termination/cases/{r.case.case_number}/rulings/{r.pk}.docx",
        "version": Case.objects.filter(pk=r.case_id).values_list("version", flat=True).first(),
    }


def resumption_json(link: Resumption) -> dict[str, Any]:
    return {
        "case_number": link.resumed.case_number,
        "original_case_number": link.original.case_number,
        "filed_on": link.resumed.filed_on.isoformat(),
        "claim_amount": f"{link.unpaid_amount:.2f}",
        "carried_measures": link.carried_measures,
        "reason": link.reason,
        "recorded_by": _name(link.recorded_by),
    }


def overview(user, case: Case, as_of: date | None) -> dict[str, Any]:
    """Everything 终本 about one case at as-of (default today)."""
    as_of = as_of or timezone.localdate()
    record = load_record(case.pk)
    verdict = rules.check_termination(record, as_of)
    terminated = record.closing_mode == ClosingMode.TERMINATED_CURRENT and record.closed_by(as_of)
    closing = TerminationClosing.objects.filter(case=case).select_related("closed_by", "approved_by").first()
    link = (
        Resumption.objects.filter(original=case).select_related("resumed", "original", "recorded_by").first()
    )
    origin = (
        Resumption.objects.filter(resumed=case).select_related("resumed", "original", "recorded_by").first()
    )
    resumed_by = list(
        Case.objects.filter(original_case_number=case.case_number, case_type=CaseType.RESUMED)
        .order_by("filed_on", "case_number")
        .values_list("case_number", flat=True)
    )
    return {
        "case_number": case.case_number,
        "version": case.version,
        "as_of": as_of.isoformat(),
        "closed_on": _iso(case.closed_on),
        "closing_mode": ClosingMode(case.closing_mode).label if case.closing_mode else None,
        "verdict": verdict.to_json() if verdict else None,
        "closing": closing_json(closing) if closing else None,
        "interviews": [
            interview_json(i)
            for i in Interview.objects.filter(case=case).select_related("case", "recorded_by")
        ],
        "rulings": [
            ruling_json(r) for r in Ruling.objects.filter(case=case).select_related("case", "recorded_by")
        ],
        "followups": [f.to_json() for f in services.case_followups(record, case.pk, as_of)]
        if terminated
        else [],
        "measures": [m.to_json() for m in followup.live_measures(record, as_of)],
        "resumption": resumption_json(link) if link else None,
        "resumed_from": resumption_json(origin) if origin else None,
        "resumed_by": resumed_by,
    }


# -- reminders ----------------------------------------------------------------------------------


def reminder_rows(user, as_of: date | None, court: str = "", limit: int = 200) -> list[dict[str, Any]]:
    """Reminders of cases the user may see (``court``: that court's subtree), soonest first,
    each with whether its obligation is still open at as-of."""
    as_of = as_of or timezone.localdate()
    qs = Reminder.objects.visible_to(user).select_related("case", "case__court")
    if court:
        scope = Court.objects.filter(code=court).first()
        qs = qs.filter(case__court__path__startswith=scope.path) if scope else qs.none()
    rows = list(qs.order_by("due_on", "pk")[:limit])
    status: dict[tuple[int, str, str], followup.FollowUp] = {}
    for pk, record in load_records(sorted({r.case_id for r in rows})):
        for f in services.case_followups(record, pk, as_of):
            status[(pk, f.kind, f.ref)] = f
    out = []
    for r in rows:
        f = status.get((r.case_id, r.kind, r.ref))
        out.append(
            {
                "case_number": r.case.case_number,
                "court": r.case.court.code,
                "kind": r.kind,
                "label": r.get_kind_display(),
                "ref": r.ref or None,
                "due_on": _iso(r.due_on),
                "rule": r.rule,
                "text": r.text,
                "status": f.status if f else "done",
                "done_on": _iso(f.done_on) if f else None,
                "sent_at": timezone.localtime(r.sent_at).isoformat(timespec="seconds") if r.sent_at else None,
            }
        )
    return out


# -- cross-review ----------------------------------------------------------------------------------


def organises(user, campaign: ReviewCampaign) -> bool:
    """The organising court's users (and supervisors above it) see everything of a campaign."""
    if user.is_superuser:
        return True
    if user.court_id == campaign.court_id:
        return True
    return user.supervises and user.visible_courts().filter(pk=campaign.court_id).exists()


def may_see_campaign(user, campaign: ReviewCampaign) -> bool:
    return organises(user, campaign) or services.reviewable_items(user).filter(campaign=campaign).exists()


def visible_item(user, campaign: ReviewCampaign, item_id: int) -> ReviewItem:
    qs = ReviewItem.objects.filter(campaign=campaign, pk=item_id)
    if not organises(user, campaign):
        qs = qs.filter(pk__in=services.reviewable_items(user).values("pk"))
    item = qs.select_related("case", "subject_court", "reviewer_court", "reviewer", "reviewed_by").first()
    if item is None:
        raise Http404("没有这件评查案件")
    return item


def item_json(item: ReviewItem, user, *, with_case: bool = False) -> dict[str, Any]:
    """A sampled closing. Reviewers judge independently: the automatic verdict is shown to
    the organising court only."""
    out: dict[str, Any] = {
        "id": item.pk,
        "case_number": item.case.case_number,
        "closed_on": _iso(item.case.closed_on),
        "subject_court": item.subject_court.code,
        "reviewer_court": item.reviewer_court.code,
        "reviewer": _name(item.reviewer) if item.reviewer else None,
        "reviewed_at": timezone.localtime(item.reviewed_at).isoformat(timespec="seconds")
        if item.reviewed_at
        else None,
        "reviewed_by": _name(item.reviewed_by) if item.reviewed_by else None,
        "comment": item.comment or None,
        "findings": {f.check_id: {"passes": f.passes, "note": f.note or None} for f in item.findings.all()},
        "pending": item.auto_pending,
    }
    if organises(user, item.campaign):
        out["automatic"] = {
            "verdict": item.auto_verdict,
            "failed": item.auto_failed,
            "reasons": item.auto_reasons,
        }
    if with_case:
        from zhixing.cases.api import masked
        from zhixing.cases.bundle import case_to_bundle

        # The reviewers are another court: personal data masked as lib.masking's rule says.
        record = load_record(item.case_id)
        seen_by = audience(user, item.case.court_id)
        out["case"] = case_to_bundle(record if seen_by is Audience.HANDLING else masked(record, seen_by))
    return out


def campaign_json(campaign: ReviewCampaign, user) -> dict[str, Any]:
    items = (
        ReviewItem.objects.filter(campaign=campaign)
        .select_related("case", "subject_court", "reviewer_court", "reviewer", "reviewed_by", "campaign")
        .prefetch_related("findings")
    )
    if not organises(user, campaign):
        items = items.filter(pk__in=services.reviewable_items(user).values("pk"))
    return {
        "key": campaign.key,
        "court": campaign.court.code,
        "period_start": campaign.period_start.isoformat(),
        "period_end": campaign.period_end.isoformat(),
        "per_court": campaign.per_court,
        "as_of": campaign.as_of.isoformat(),
        "items": [item_json(i, user) for i in items],
    }


def rate(agreed: int, compared: int) -> str | None:
    """4 places, half-even (as indicators are reported); None when nothing was compared."""
    if not compared:
        return None
    return str((Decimal(agreed) / Decimal(compared)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN))


def compare(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Reviewers' verdicts against the automatic ones, check by check. Each item:
    ``{case_number, court, reviewer_court, auto_failed, auto_pending, auto_reasons,
    findings: {check: (passes, note)}}``; checks pending at the campaign's as-of are not
    compared (the automatic check has no verdict yet)."""
    by_check: dict[str, list[int]] = {c: [0, 0] for c in rules.CHECK_IDS}
    by_court: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    disagreements = []
    for item in items:
        for check in rules.CHECK_IDS:
            if check in item["auto_pending"] or check not in item["findings"]:
                continue
            passes, note = item["findings"][check]
            auto_passes = check not in item["auto_failed"]
            agree = passes == auto_passes
            for tally in (by_check[check], by_court[item["court"]]):
                tally[0] += agree
                tally[1] += 1
            if not agree:
                disagreements.append(
                    {
                        "case_number": item["case_number"],
                        "court": item["court"],
                        "reviewer_court": item["reviewer_court"],
                        "check": check,
                        "automatic": "通过" if auto_passes else "未通过",
                        "reviewer": "通过" if passes else "未通过",
                        "automatic_reason": item["auto_reasons"].get(check),
                        "note": note or None,
                    }
                )
    agreed = sum(a for a, _ in by_check.values())
    compared = sum(n for _, n in by_check.values())
    return {
        "compared": compared,
        "agreed": agreed,
        "agreement_rate": rate(agreed, compared),
        "by_check": {
            c: {"compared": n, "agreed": a, "agreement_rate": rate(a, n)}
            for c, (a, n) in by_check.items()
            if n
        },
        "by_court": {
            c: {"compared": n, "agreed": a, "agreement_rate": rate(a, n)}
            for c, (a, n) in sorted(by_court.items())
        },
        "disagreements": sorted(
            disagreements, key=lambda d: (d["court"], d["case_number"], int(d["check"][1:]))
        ),
    }


def report(campaign: ReviewCampaign) -> dict[str, Any]:
    items = list(
        ReviewItem.objects.filter(campaign=campaign)
        .select_related("case", "subject_court", "reviewer_court")
        .prefetch_related("findings")
    )
    rows = [
        {
            "case_number": i.case.case_number,
            "court": i.subject_court.code,
            "reviewer_court": i.reviewer_court.code,
            "auto_failed": i.auto_failed,
            "auto_pending": i.auto_pending,
            "auto_reasons": i.auto_reasons,
            "findings": {f.check_id: (f.passes, f.note) for f in i.findings.all()},
        }
        for i in items
        if i.reviewed_at is not None
    ]
    return {
        "key": campaign.key,
        "court": campaign.court.code,
        "period_start": campaign.period_start.isoformat(),
        "period_end": campaign.period_end.isoformat(),
        "as_of": campaign.as_of.isoformat(),
        "sampled": len(items),
        "reviewed": len(rows),
        "automatic_verdicts": dict(sorted(_count(i.auto_verdict for i in items).items())),
        **compare(rows),
    }


def _count(values) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for v in values:
        out[v] += 1
    return out
