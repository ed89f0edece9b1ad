"""Cross-review (交叉互评): a campaign's reproducible samples of 终本 closings, their reviewers,
and each reviewer's findings."""

from __future__ import annotations

import random
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhixing.cases.choices import CaseType, ClosingMode
from zhixing.cases.loader import load_records
from zhixing.cases.models import Case
from zhixing.courts.models import Court, Role
from zhixing.lib.clock import today
from zhixing.termination import rules
from zhixing.termination.models import ReviewCampaign, ReviewFinding, ReviewItem
from zhixing.termination.services.writes import NotAllowed
from zhixing.termination.validation import raise_if


def sample_closings(campaign_key: str, court_code: str, population: list[str], k: int) -> list[str]:
    """A reproducible random sample of ``k`` case numbers: ``random.Random`` seeded from the
    campaign's key and the court's code, drawn from the population sorted by case number (so
    the database's row order does not matter)."""
    ordered = sorted(population)
    rng = random.Random(f"{campaign_key}|{court_code}")
    return sorted(rng.sample(ordered, min(k, len(ordered))))


def assign_reviewer_courts(subjects: list[str], organiser: str) -> dict[str, str]:
    """Each subject court's sample goes to another court: subject courts in code order each
    review the next one's closings (a ring); a lone subject court is reviewed by the
    organising court."""
    ordered = sorted(subjects)
    if len(ordered) == 1:
        return {ordered[0]: organiser}
    return {code: ordered[(i + 1) % len(ordered)] for i, code in enumerate(ordered)}


#: Who may be assigned a review by default: the bureau's judicial staff.
REVIEW_ROLES = frozenset({Role.JUDGE, Role.OFFICER, Role.ASSISTANT, Role.TEAM_LEAD, Role.BUREAU_CHIEF})


def create_campaign(
    *, user, key: str, court: Court, period_start: date, period_end: date, per_court: int, as_of: date | None = None,
    reviewers=None,
) -> ReviewCampaign:  # fmt: skip
    """交叉互评: draw each subordinate court's sample of 终本 closings in the period, snapshot
    the automatic verdicts at ``as_of`` (default: today), and assign each sample to another
    court's reviewers: round-robin, in username order, over ``reviewers`` of that court
    (default: its active users in :data:`REVIEW_ROLES`)."""
    key = (key or "").strip()
    as_of = as_of or today()
    subordinates = _campaign_subordinates(user, key, court, period_start, period_end, per_court, as_of)
    by_court = _closings_by_court(subordinates, period_start, period_end)
    with transaction.atomic():
        campaign = ReviewCampaign.objects.create(
            key=key, court=court, period_start=period_start, period_end=period_end, per_court=per_court,
            as_of=as_of, created_by=user,
        )  # fmt: skip
        if not by_court:
            return campaign
        courts = {c.code: c for c in Court.objects.filter(code__in=[*by_court, court.code])}
        reviewers_of = assign_reviewer_courts(list(by_court), court.code)
        items = []
        for code in sorted(by_court):
            chosen = sample_closings(key, code, by_court[code], per_court)
            reviewer_court = courts[reviewers_of[code]]
            people = _reviewers_in(reviewer_court, reviewers)
            items.extend(_sample_items(campaign, chosen, courts[code], reviewer_court, people, as_of))
        ReviewItem.objects.bulk_create(items)
        return campaign


def _campaign_subordinates(
    user, key: str, court: Court, period_start: date, period_end: date, per_court: int, as_of: date
) -> list[Court]:
    """Check the campaign's fields and the organiser's right to organise it, and return the
    organising court's subordinate courts (in code order) whose closings are sampled."""
    problems: list[tuple[str, str]] = []
    if not key:
        problems.append(("key", "请填写评查批次编号"))
    elif ReviewCampaign.objects.filter(key=key).exists():
        problems.append(("key", f"评查批次编号“{key}”已存在"))
    if period_end < period_start:
        problems.append(("period_end", "结案期间止日早于起日"))
    if as_of < period_end:
        problems.append(
            ("as_of", f"自动检查截至日（{as_of.isoformat()}）早于结案期间止日（{period_end.isoformat()}）")
        )
    if per_court < 1:
        problems.append(("per_court", "每院抽查件数至少为1"))
    if not (user.is_superuser or (user.supervises and user.visible_courts().filter(pk=court.pk).exists())):
        raise NotAllowed([("court", "只有上级法院的执行局长、院领导或指挥中心可以组织交叉互评")])
    subordinates = list(
        Court.objects.filter(path__startswith=court.path).exclude(pk=court.pk).order_by("code")
    )
    if not subordinates:
        problems.append(("court", f"{court.name}没有下级法院"))
    raise_if(problems)
    return subordinates


def _closings_by_court(
    subordinates: list[Court], period_start: date, period_end: date
) -> dict[str, list[str]]:
    """The case numbers of the 终本 closings (首执 and 执恢) in the period, by court code."""
    closings = Case.objects.filter(
        court__in=subordinates, case_type__in=[CaseType.FIRST, CaseType.RESUMED],
        closing_mode=ClosingMode.TERMINATED_CURRENT, closed_on__gte=period_start, closed_on__lte=period_end,
    )  # fmt: skip
    by_court: dict[str, list[str]] = {}
    for number, code in closings.values_list("case_number", "court__code"):
        by_court.setdefault(code, []).append(number)
    return by_court


def _reviewers_in(reviewer_court: Court, reviewers) -> list:
    """The reviewing court's people in username order: those of ``reviewers`` in that court, or
    (by default) its active users in :data:`REVIEW_ROLES`."""
    if reviewers is not None:
        return sorted((u for u in reviewers if u.court_id == reviewer_court.pk), key=lambda u: u.username)
    return list(reviewer_court.users.filter(is_active=True, role__in=REVIEW_ROLES).order_by("username"))


def _sample_items(
    campaign: ReviewCampaign, chosen: list[str], subject_court: Court, reviewer_court: Court, people: list,
    as_of: date,
) -> list[ReviewItem]:  # fmt: skip
    """One unsaved item per sampled case, with the automatic verdict as of ``as_of``, assigned
    round-robin over ``people`` (to nobody in particular when the court has none)."""
    ids = dict(Case.objects.filter(case_number__in=chosen).values_list("case_number", "pk"))
    records = dict(load_records(list(ids.values())))
    items = []
    for i, number in enumerate(chosen):
        verdict = rules.check_termination(records[ids[number]], as_of)
        items.append(
            ReviewItem(
                campaign=campaign,
                case_id=ids[number],
                subject_court=subject_court,
                reviewer_court=reviewer_court,
                reviewer=people[i % len(people)] if people else None,
                position=i,
                auto_verdict=verdict.verdict,
                auto_failed=list(verdict.failed),
                auto_pending=list(verdict.pending),
                auto_reasons=dict(verdict.reasons),
            )
        )
    return items


def reviewable_items(user):
    """Items a user reviews: those assigned to their court (to them or to nobody in
    particular); the organising court's users see every item of their campaigns."""
    if user is None or not user.is_authenticated:
        return ReviewItem.objects.none()
    if user.is_superuser:
        return ReviewItem.objects.all()
    mine = Q(reviewer_court_id=user.court_id) & (Q(reviewer=user) | Q(reviewer__isnull=True))
    if user.supervises:
        mine |= Q(campaign__court__in=user.visible_courts())
    return ReviewItem.objects.filter(mine)


def record_review(
    item_id: int, *, user, findings: dict[str, tuple[bool, str]], comment: str = ""
) -> ReviewItem:
    """A reviewer's verdict on every check T1–T14 of one sampled closing (checks pending at
    the campaign's as-of may be left out). A second review of the same item is refused."""
    with transaction.atomic():
        item = ReviewItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None or not (
            user.is_superuser
            or (item.reviewer_court_id == user.court_id and item.reviewer_id in (None, user.pk))
        ):
            raise NotAllowed([("item", "本案不是分配给您的评查案件")])
        problems: list[tuple[str, str]] = []
        if item.reviewed_at is not None:
            problems.append(("item", f"本案已于{timezone.localtime(item.reviewed_at):%Y-%m-%d %H:%M}评查"))
        unknown = sorted(set(findings) - set(rules.CHECK_IDS))
        if unknown:
            problems.append(("findings", f"未知的检查项：{'、'.join(unknown)}（应为 T1…T14）"))
        needed = [c for c in rules.CHECK_IDS if c not in item.auto_pending]
        missing = [c for c in needed if c not in findings]
        if missing:
            problems.append(("findings", f"请对每一检查项给出意见，缺少：{'、'.join(missing)}"))
        raise_if(problems)
        ReviewFinding.objects.bulk_create(
            [
                ReviewFinding(
                    item=item, check_id=c, passes=bool(findings[c][0]), note=(findings[c][1] or "").strip()
                )
                for c in rules.CHECK_IDS
                if c in findings
            ]
        )
        ReviewItem.objects.filter(pk=item.pk).update(
            reviewed_at=timezone.now(), reviewed_by=user, comment=(comment or "").strip()
        )
        item.refresh_from_db()
        return item
