"""Lapses the simulator plants, with ground truth.

Each fault kind is named after what a checker detects, as of the simulation's ``end``
date. A case is labelled with a kind exactly when that check fails for it at ``end``;
every case not labelled with a kind passes that check, so a checker's precision and recall
can be measured against the labels file.

Rates are probabilities *per eligible case*: the case must have the occasion for the lapse
by ``end`` (``eligible`` below — e.g. only a case closed by 终本 can have a 终本 without an
interview, only a receipt due by ``end`` can be disbursed late). A court's diligence and
its handlers scale the rates (``calibration.DILIGENCE_FAULT_SPREAD``), around the configured
value on average; a probability cannot exceed 1, so rates above about 0.5 come out a little
lower than configured.

The labels hold as of ``end`` only: at an earlier as-of a lapse may not have happened yet
(a due day still ahead), and a clean case stays clean.

Checks no fault kind names (T1, T2, T4, T8, T10, T12–T14, C6, the petition screening
clock) pass for every case; the tests run the project's checkers over simulated bundles to
hold the simulator to all of this. (Closing after the statutory deadline, §2, is not a
lapse but a measured outcome: IND-06 and IND-10 vary with the courts' diligence.)
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class FaultKind:
    name: str
    check: str  # what detects it (indicators.md section and check id)
    eligible: str  # the cases that can carry it (the rate's denominator)


#: The catalog, in the order labels list them.
KINDS: tuple[FaultKind, ...] = (
    FaultKind("late_handler_assignment", "§3 K1 overdue (handler_assigned after filing + 7 days, rolled)",
              "首执/执恢 cases with K1 due by end and not lapsed (not closed on or before the due day)"),
    FaultKind("late_execution_notice", "§3 K2 overdue (execution_notice after application + 10 days, rolled)",
              "首执/执恢 cases with K2 due by end and not lapsed"),
    FaultKind("late_report_order", "§3 K3 overdue (property_report_order after application + 10 days, rolled)",
              "首执/执恢 cases with K3 due by end and not lapsed"),
    FaultKind("late_first_inquiry", "§3 K4 overdue (first online_inquiry after filing + 10 days, rolled)",
              "首执/执恢 cases with K4 due by end and not lapsed"),
    FaultKind("late_clue_verification", "§3 K5 overdue (clue_verified after the clue + 7 days, rolled)",
              "cases with a clue whose K5 is due by end and not lapsed"),
    FaultKind("late_disbursement", "§3 K6 / §9 fund clock late or overdue (a receipt not fully paid by its due day)",
              "cases with a receipt (not deferred or lodged) due by end"),
    FaultKind("late_registry_entry", "§3 K7 overdue (termination_registry_entry after ruling_served + 7 days, rolled; "
              "the entry exists by end, so T14 passes)", "终本 closings whose K7 is due before end"),
    FaultKind("missed_periodic_inquiry", "§3 K8 overdue (no online_inquiry within 6 months, rolled, of the 终本 "
              "closing or of the previous inquiry)", "终本 closings whose first K8 is due by end, not resumed before"),
    FaultKind("termination_no_restriction", "§7 T3 (a debtor without consumption_restriction before closing)",
              "终本 closings by end"),
    FaultKind("termination_stale_inquiry", "§7 T5 (no full inquiry of 存款, 车辆, 不动产, 有价证券 within 3 months "
              "before closing)", "终本 closings by end that are not also closed too early"),
    FaultKind("termination_unverified_clue", "§7 T6 (a clue received shortly before closing never verified; "
              "its K5 lapses)", "终本 closings by end"),
    FaultKind("termination_too_early", "§7 T7 (closed on or before filed_on + 3 months)", "终本 closings by end"),
    FaultKind("termination_no_interview", "§7 T9 (no applicant_interview before the ruling; collegial review "
              "and president approval are there, so T10 passes)", "终本 closings by end"),
    FaultKind("misreported_closing_terminated", "§7 T11 (终本 with recovered_amount ≥ claim_amount)",
              "终本 closings by end"),
    FaultKind("misreported_closing_performed", "误报结: closed 执行完毕 while recovered_amount < claim_amount and "
              "no settlement event", "执行完毕 closings by end without a settlement"),
    FaultKind("minor_listed", "§6 C1 (a natural person under 18 on the listing day)",
              "cases with a credit_listing of a natural person by end"),
    FaultKind("wrong_term", "§6 C2 (a G4-only term entry with a term other than 2 years)",
              "cases with a term entry (grounds G2–G6) by end"),
    FaultKind("unremoved_listing", "§6 C3/C4 and §3 K9 (a listing deleted after its due day, or not deleted "
              "by end once due)", "cases with a listing whose deletion is due by end"),
    FaultKind("listing_without_restriction", "§6 C5 (no consumption_restriction of the party on or before the "
              "listing day; one follows later)", "cases with a credit_listing by end"),
    FaultKind("late_petition_registration", "§8 registration clock late or overdue (PET-1: 5 working days)",
              "cases with a petition whose registration is due by end"),
    FaultKind("overdue_petition", "§8 closing clock late or overdue (PET-2: 30 days, rolled)",
              "cases with a petition whose closing is due by end"),
    FaultKind("over_seizure", "超标的查封: on some day the restraints in force are worth more than twice the "
              "claim amount (clean cases stay within 1.5 times)", "cases with a restraint by end"),
)  # fmt: skip

NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)
INDEX = {name: i for i, name in enumerate(NAMES)}

#: over_seizure: restraints worth more than this multiple of the claim on one day.
OVER_SEIZURE_FACTOR = 2


@dataclass(frozen=True, slots=True)
class FaultRates:
    """Probability of each lapse per eligible case (see ``KINDS``). Defaults are moderate:
    they give a 终本合格率 (IND-09) in the 80s, so some courts meet the 90 % target and
    some do not."""

    late_handler_assignment: float = 0.03
    late_execution_notice: float = 0.05
    late_report_order: float = 0.04
    late_first_inquiry: float = 0.04
    late_clue_verification: float = 0.08
    late_disbursement: float = 0.06
    late_registry_entry: float = 0.06
    missed_periodic_inquiry: float = 0.10
    termination_no_restriction: float = 0.03
    termination_stale_inquiry: float = 0.04
    termination_unverified_clue: float = 0.02
    termination_too_early: float = 0.02
    termination_no_interview: float = 0.04
    misreported_closing_terminated: float = 0.01
    misreported_closing_performed: float = 0.02
    minor_listed: float = 0.01
    wrong_term: float = 0.03
    unremoved_listing: float = 0.08
    listing_without_restriction: float = 0.04
    late_petition_registration: float = 0.06
    overdue_petition: float = 0.10
    over_seizure: float = 0.05

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not 0 <= value <= 1:
                raise ValueError(f"fault rate {f.name} must be between 0 and 1, got {value}")

    @classmethod
    def none(cls) -> FaultRates:
        """A simulation without lapses: every check passes for every case."""
        return cls(**dict.fromkeys(NAMES, 0.0))

    @classmethod
    def uniform(cls, rate: float) -> FaultRates:
        """The same rate for every kind (stress tests)."""
        return cls(**dict.fromkeys(NAMES, rate))

    def as_tuple(self) -> tuple[float, ...]:
        """The rates in catalog order (``NAMES``)."""
        return tuple(getattr(self, name) for name in NAMES)
