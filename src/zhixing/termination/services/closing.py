"""The gate and the closing: the checks as of the closing day, and the closing by 终结本次执行程序
(with the bureau chief's override when checks fail)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from zhixing.cases.choices import ClosingMode
from zhixing.cases.loader import load_record
from zhixing.cases.models import Case
from zhixing.courts.models import Role
from zhixing.lib.clock import today
from zhixing.termination import rules, validation
from zhixing.termination.models import TerminationClosing
from zhixing.termination.services.writes import NotAllowed, _commit, _lock, _may_act
from zhixing.termination.validation import InputError, raise_if

#: Roles that may approve a 终本 closing whose checks failed ("the bureau chief").
OVERRIDE_ROLES = frozenset({Role.BUREAU_CHIEF})


@dataclass(frozen=True)
class Gate:
    """What the officer sees before closing: errors that forbid the closing, and the checks
    as of the closing day."""

    closed_on: date
    errors: list[tuple[str, str]]
    verdict: rules.TerminationVerdict | None

    @property
    def needs_override(self) -> bool:
        return self.verdict is not None and bool(self.verdict.failed)

    def to_json(self) -> dict[str, Any]:
        return {
            "closed_on": self.closed_on.isoformat(),
            "errors": [{"field": f, "message": m} for f, m in self.errors],
            "verdict": self.verdict.to_json() if self.verdict else None,
            "needs_override": self.needs_override,
        }


def preview_closing(case: Case, closed_on: date) -> Gate:
    """The gate without saving anything: run the checks as of ``closed_on``."""
    record = load_record(case.pk)
    errors = validation.closing_errors(record, closed_on, today())
    verdict = (
        None
        if any(f in ("closed_on", "case_type") for f, _ in errors)
        else validation.gate_verdict(record, closed_on)
    )
    return Gate(closed_on, errors, verdict)


def may_override(user, case: Case) -> bool:
    return user is not None and (user.is_superuser or (user.role in OVERRIDE_ROLES and _may_act(user, case)))


def close_by_termination(
    case_id: int,
    *,
    user,
    expected_version: int | None,
    closed_on: date,
    override_reason: str = "",
    source: str = "form",
) -> TerminationClosing:
    """Close a case by 终结本次执行程序 through the gate. Closing with failed checks needs the
    bureau chief (of the case's court or a court above it) and a reason; the verdict at
    closing is kept. The measures in force stay in force (TERM-14): nothing is lifted."""
    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        case = _lock(case_id, user, expected_version)
        record = load_record(case.pk)
        raise_if(validation.closing_errors(record, closed_on, today()))
        verdict = validation.gate_verdict(record, closed_on)
        overridden = bool(verdict.failed)
        if overridden:
            listing = "；".join(verdict.reasons[c] for c in verdict.failed)
            if not may_override(user, case):
                raise NotAllowed(
                    [
                        (
                            "override_reason",
                            f"终本检查未通过，须由执行局长批准并说明理由后结案。未通过项：{listing}",
                        )
                    ]
                )
            if not override_reason:
                raise InputError(
                    [("override_reason", f"终本检查未通过，批准结案须填写理由。未通过项：{listing}")]
                )
        closing = TerminationClosing.objects.create(
            case=case,
            closed_on=closed_on,
            verdict=verdict.verdict,
            failed=list(verdict.failed),
            pending=list(verdict.pending),
            reasons=dict(verdict.reasons),
            overridden=overridden,
            override_reason=override_reason if overridden else "",
            closed_by=user,
            approved_by=user if overridden else None,
        )
        _commit(case, closed_on=closed_on, closing_mode=ClosingMode.TERMINATED_CURRENT)
        # A resumed case's original may be waiting on this closing (TERM-15 grounds): its
        # follow-up is derived when read, so nothing else to do.
        return closing
