"""误报结: detectors of closings the record contradicts (M1, M2)."""

from __future__ import annotations

from collections.abc import Iterator

from zhixing.cases.choices import ClosingMode
from zhixing.supervision.detectors.base import (
    CaseView,
    DetectorConfig,
    Hit,
)


def misreported_performed(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """M1 误报结 — closed 执行完毕 while recovered < claim and no settlement recorded (seed
    003: no misreported closings; CLOSE-7: 执行完毕 needs full performance or a fully
    performed 和解协议).

    Looks at cases closed by 执行完毕 on or before as-of with a claim above 0,
    ``recovered_amount`` below it and no ``settlement`` event on or before the closing
    day. Lawful lookalike: a settlement recorded before the closing (the applicant
    accepted less). Rests on: the closing day, the claim and the amount recovered."""
    c = v.case
    if not v.closed_as(ClosingMode.PERFORMED) or not c.claim_amount or c.recovered_amount >= c.claim_amount:
        return
    if any(day <= c.closed_on for day in v.settlements):
        return
    yield Hit("misreported_performed", c.case_number, c.court,
              {"closed_on": c.closed_on, "claim": c.claim_amount, "recovered": c.recovered_amount},
              f"以执行完毕结案（{c.closed_on.isoformat()}），但到位金额 {c.recovered_amount:.2f} 元少于申请标的 "
              f"{c.claim_amount:.2f} 元，且无执行和解记录。")  # fmt: skip


def misreported_terminated(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """M2 误报结 — closed 终本 with recovered ≥ claim (seed 003/004: misreported closings;
    TERM-10 and T11: a 终本 needs an unrealised amount, recovered < claim).

    Looks at cases closed by 终结本次执行程序 on or before as-of with a claim above 0 and
    ``recovered_amount`` at least the claim: a performed case reported as one without
    property. Lawful lookalike: a 终本 with part of the claim unpaid. Rests on: the
    closing day, the claim and the amount recovered."""
    c = v.case
    if (
        not v.closed_as(ClosingMode.TERMINATED_CURRENT)
        or not c.claim_amount
        or c.recovered_amount < c.claim_amount
    ):
        return
    yield Hit("misreported_terminated", c.case_number, c.court,
              {"closed_on": c.closed_on, "claim": c.claim_amount, "recovered": c.recovered_amount},
              f"以终结本次执行程序结案（{c.closed_on.isoformat()}），但到位金额 {c.recovered_amount:.2f} 元已达申请标的 "
              f"{c.claim_amount:.2f} 元。")  # fmt: skip
