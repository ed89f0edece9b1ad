"""延缓发放 (FUND-2): approving a deferral and recording the end of its ground."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from zhixing.cases.loader import load_record
from zhixing.cases.models import Case
from zhixing.funds import approvals, rules
from zhixing.funds.models import (
    Deferral,
    DeferralGround,
    Source,
)
from zhixing.funds.services.common import (
    _account,
    _lock_case,
    _lock_receipt,
    _log,
    _refresh,
    _today,
    _writer,
)
from zhixing.funds.services.errors import Conflict, Done, Forbidden, FundError, NotFound


def approve_deferral(user, case: Case, *, receipt: str, ground: str, detail: str = "", ends_on: date | None = None,
                     source: str = Source.FORM, today: date | None = None) -> Done[Deferral]:  # fmt: skip
    """延缓发放 (FUND-2): the bureau chief or a court leader of the case's court stops the
    receipt's 30-day clock on one of the five grounds, today. Refused when the due day in
    force has already passed (a deferral approved after it stops nothing, indicators.md
    §9), or when nothing is left to pay. ``ends_on``, when the ground's end is known; else
    :func:`end_deferral` records it later."""
    _writer(user, case)
    if user.role not in approvals.DEFERRAL_ROLES:
        raise Forbidden("approved_by", "延缓发放须经执行局局长或主管院领导批准（FUND-2）", rule="FUND-2")
    if ground not in DeferralGround.values:
        raise FundError("ground", "延缓事由应为法定五种情形之一（FUND-2）", rule="FUND-2")
    if ground == DeferralGround.OTHER and not detail.strip():
        raise FundError("detail", "以“其他正当理由”延缓的，须写明具体理由", rule="FUND-2")
    day = _today(today)
    if ends_on is not None and ends_on < day:
        raise FundError("ends_on", "事由消除日期不能早于批准日期")
    with transaction.atomic():
        case = _lock_case(case.pk)
        _account(case)
        rec = _lock_receipt(case, local_id=receipt)
        if rec.notice_on > day:
            raise FundError("receipt", "到账通知之前不能批准延缓")
        if rec.paid_out >= rec.amount:
            raise FundError("receipt", f"到账 {rec.local_id} 已无余额，无需延缓发放", rule="FUND-2")
        clock = next(c for c in rules.receipt_clocks(load_record(case.pk), day) if c.receipt == rec.local_id)
        if clock.status == rules.LODGED:
            raise FundError("receipt", f"到账 {rec.local_id} 已提存，无需延缓发放", rule="FUND-3")
        if clock.due_on is not None and day > clock.due_on:
            raise FundError("approved_on", f"发放期限已于 {clock.due_on.isoformat()} 届满，届满后不能再批准延缓发放（FUND-2）",
                            rule="FUND-2")  # fmt: skip
        deferral = Deferral.objects.create(
            case=case, receipt=rec, approved_on=day, ground=ground, ends_on=ends_on,
            position=Deferral.objects.filter(case=case).count(), detail=detail, source=source,
            approved_by=user, approved_at=timezone.now(),
        )  # fmt: skip
        _log(user, case, case.court, "deferral_approved", rec.local_id, None, ground=ground, detail=detail,
             due_on=None if clock.due_on is None else clock.due_on.isoformat(),
             ends_on=None if ends_on is None else ends_on.isoformat())  # fmt: skip
        _refresh(case)
    return Done(deferral)


def end_deferral(user, deferral_id: int, *, ends_on: date, today: date | None = None) -> Done[Deferral]:
    """The deferral's ground ended on ``ends_on`` (FUND-2): the money is due within 10
    days after it. Recorded once; recording the same day again returns it."""
    deferral = Deferral.objects.visible_to(user).filter(pk=deferral_id).select_related("case").first()
    if deferral is None:
        raise NotFound("deferral", "没有这条延缓发放记录")
    _writer(user, deferral.case)
    if ends_on > _today(today):
        raise FundError("ends_on", "事由消除日期不能晚于今天")
    if ends_on < deferral.approved_on:
        raise FundError("ends_on", f"事由消除日期不能早于批准日期 {deferral.approved_on.isoformat()}")
    with transaction.atomic():
        case = _lock_case(deferral.case_id)
        deferral = Deferral.objects.select_for_update().get(pk=deferral.pk)
        if deferral.ends_on is not None:
            if deferral.ends_on == ends_on:
                return Done(deferral, replayed=True)
            raise Conflict("ends_on", f"该延缓已登记事由消除日期 {deferral.ends_on.isoformat()}")
        deferral.ends_on, deferral.ended_by, deferral.ended_at = ends_on, user, timezone.now()
        deferral.save(update_fields=["ends_on", "ended_by", "ended_at"])
        _log(
            user,
            case,
            case.court,
            "deferral_ended",
            deferral.receipt.local_id,
            None,
            ends_on=ends_on.isoformat(),
        )
        _refresh(case)
    return Done(deferral)
