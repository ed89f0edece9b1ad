"""One implementation case from filing to snapshot: the process, its lapses and its labels.

``CourtProcess.case`` plays one 首次执行 or 恢复执行 case forward from its filing day: the
handler, the execution notice and report order, online inquiries and what they find,
restraints and their renewals, deductions and auctions, receipts and disbursements,
restrictions and listings, settlements, suspensions, the 终本 steps (full inquiry,
interview, ruling, service, registry entry, the six-monthly inquiries after it), and
petitions. Everything is then cut at the snapshot day ``end``: facts dated later are not
written, a case closing later is written open.

Clean cases meet every deadline of indicators.md §3, §6–§9 by construction (each act is
scheduled on or before its last day, computed with the same calendar as the checkers).
Lapses are planted on purpose (``faults``) and labelled only when the planted lapse is a
failing check as of ``end`` — e.g. a late execution notice is labelled only if its due
day is on or before ``end`` and the case did not close before it (else K2 lapses).

Dates are day numbers (``date.toordinal()``); money is in fen (integers).
"""

from __future__ import annotations

from random import Random

from zhixing.simulate import calibration as cal
from zhixing.simulate import names
from zhixing.simulate.courts import Court
from zhixing.simulate.days import DayTables
from zhixing.simulate.life import CaseLife
from zhixing.simulate.vocabulary import (
    DEFERRAL_GROUND,
    F_PCLOSE,
    F_PREG,
    GOVERNMENT,
    LODGEMENT_GROUND,
    MODES,
    NOT_ENFORCED,
    PERFORMED,
    PETITION_SOURCES,
    REFERRERS,
    TERMINATED_CURRENT,
    Parent,
    Result,
    cumulative,
    money,
)

# The generator takes the modes and a case's records from here, with the process.
__all__ = ["MODES", "CourtProcess", "Parent", "Result"]


class CourtProcess:
    """The process of one court: its handlers, its diligence, its lapse rates."""

    def __init__(
        self,
        court: Court,
        tables: DayTables,
        end: int,
        rates: tuple[float, ...],
        diligence: float,
        handlers: list[str],
        handler_factors: list[float],
        supervising: str | None,
    ):
        self.court = court
        self.T = tables
        self.end = end
        self.diligence = diligence
        self.rates = tuple(r * (1 - cal.DILIGENCE_FAULT_SPREAD * diligence) for r in rates)
        self.handlers = handlers
        self.handler_factors = handler_factors
        self.supervising = supervising  # the intermediate court that screens petitions about this one
        self.speed = 1 - cal.DILIGENCE_SPEED * diligence
        tilt = cal.DILIGENCE_MODE_TILT * diligence
        shares = dict(cal.FIRST_MODE_SHARES)
        moved = shares[PERFORMED] * tilt
        shares[PERFORMED] += moved
        shares[TERMINATED_CURRENT] -= moved
        self.first_modes = cumulative(shares)
        self.resumed_modes = cumulative(dict(cal.RESUMED_MODE_SHARES))
        self.performed_paths = cumulative(dict(cal.PERFORMED_PATHS))
        self.tc_paths = cumulative(dict(cal.TERMINATED_CURRENT_PATHS))
        self.t_paths = cumulative(dict(cal.TERMINATED_PATHS))
        self.intermediate = len(court.code) == 3
        self.claim_factor = cal.INTERMEDIATE_CLAIM_FACTOR if self.intermediate else 1
        self.handler_json = [f',"handler":"{h}"' for h in handlers]
        self.handler_rates = [tuple(rate * f for rate in self.rates) for f in handler_factors]
        self.identities = names.Identities(court.region)

    # -- parties ------------------------------------------------------------------------------

    def _parties(
        self, rng: Random, filed: int, non_litigation: bool
    ) -> tuple[str, list, str, bool, bool, bool]:
        """The parties array; debtors as (id, is_person, name, id_number or None); the
        applicant's name; and whether a unit debtor, a lender applicant or a government
        debtor appears. In a 非诉执行 case the applicant is the administrative body."""
        r = rng.random
        ids = self.identities
        place = self.court.place
        lo, span = cal.AGE_RANGE[0] * 365.25, (cal.AGE_RANGE[1] - cal.AGE_RANGE[0]) * 365.25
        lender = False
        if non_litigation:
            applicant = names.agency_name(rng, place)
            code = ids.credit_code(rng, "11")
            parts = [
                f'{{"id":"p1","role":"申请执行人","kind":"法人","name":"{applicant}","credit_code":"{code}",'
                f'"legal_representative":"{names.person_name(rng)}","phone":"{names.phone(code)}"}}'
            ]
        elif r() < cal.APPLICANT_PERSON_SHARE:
            applicant = names.person_name(rng)
            number = ids.id_number(rng, filed - int(lo + r() * span))
            parts = [
                f'{{"id":"p1","role":"申请执行人","kind":"自然人","name":"{applicant}","id_number":"{number}",'
                f'"phone":"{names.phone(number)}"}}'
            ]
        else:
            lender = r() < cal.APPLICANT_BANK_SHARE
            applicant = names.lender_name(rng, place) if lender else names.company_name(rng, place)
            code = ids.credit_code(rng)
            parts = [
                f'{{"id":"p1","role":"申请执行人","kind":"法人","name":"{applicant}","credit_code":"{code}",'
                f'"legal_representative":"{names.person_name(rng)}","phone":"{names.phone(code)}"}}'
            ]
        count = 1 + (r() < cal.SECOND_DEBTOR_SHARE) + (r() < cal.THIRD_DEBTOR_SHARE)
        debtors = []
        has_unit = government = False
        for k in range(count):
            pid = f"p{k + 2}"
            if r() < cal.DEBTOR_PERSON_SHARE:
                name = names.person_name(rng)
                number = ids.id_number(rng, filed - int(lo + r() * span))
                special = ',"special":["公职人员"]' if r() < cal.DEBTOR_SPECIAL_SHARE else ""
                parts.append(
                    f'{{"id":"{pid}","role":"被执行人","kind":"自然人","name":"{name}","id_number":"{number}"{special},'
                    f'"phone":"{names.phone(number)}"}}'
                )
                debtors.append((pid, True, name, number))
                continue
            has_unit = True
            v = r()
            kind = "法人"
            if v < GOVERNMENT:
                government = True
                name, code = names.township_name(place), ids.credit_code(rng, "11")
            elif v < 0.88:
                name, code = names.company_name(rng, place), ids.credit_code(rng)
            elif v < 0.94:
                name, code = names.cooperative_name(place), ids.credit_code(rng, "93")
            else:
                kind, name, code = "非法人组织", names.branch_name(rng, place), ids.credit_code(rng)
            representative = "" if kind != "法人" else f',"legal_representative":"{names.person_name(rng)}"'
            parts.append(
                f'{{"id":"{pid}","role":"被执行人","kind":"{kind}","name":"{name}","credit_code":"{code}"{representative},'
                f'"phone":"{names.phone(code)}"}}'
            )
            debtors.append((pid, False, name, None))
        return "[" + ",".join(parts) + "]", debtors, applicant, has_unit, lender, government

    # -- one case -------------------------------------------------------------------------------

    def case(self, rng: Random, filed: int, number: str, parent: Parent | None = None) -> Result:
        """Play one case filed on day ``filed`` under ``number``: a 首次执行 case, or the
        恢复执行 case of ``parent``. Draws only from ``rng``."""
        return CaseLife(self, rng, filed, number, parent).play()

    def _funds(
        self, out: list[str], receipts: list, disb: list, deferrals: list, lodgements: list, debtor: str
    ) -> None:
        """Receipts, disbursements, deferrals and lodgements dated on or before END."""
        T, END = self.T, self.end
        payer = {"debtor": debtor, "buyer": "竞买人"}
        rj = [
            f'{{"id":"{rid}","notice_on":"{T.format(note)}","amount":"{money(fen)}","payer":"{payer[who]}"}}'
            for rid, note, fen, who, _marker in receipts
            if note <= END
        ]
        if not rj:
            return
        out.append(f',"receipts":[{",".join(rj)}]')
        dj = [
            f'{{"id":"{did}","receipt":"{rid}","on":"{T.format(day)}","amount":"{money(fen)}","payee":"p1"}}'
            for did, rid, day, fen in disb
            if day <= END
        ]
        if dj:
            out.append(f',"disbursements":[{",".join(dj)}]')
        fj = []
        for rid, approved, ends in deferrals:
            if approved <= END:
                ends_json = f'"{T.format(ends)}"' if ends <= END else "null"
                fj.append(
                    f'{{"receipt":"{rid}","approved_on":"{T.format(approved)}","ground":"{DEFERRAL_GROUND}","ends_on":{ends_json}}}'
                )
        if fj:
            out.append(f',"deferrals":[{",".join(fj)}]')
        lj = [
            f'{{"receipt":"{rid}","on":"{T.format(day)}","ground":"{LODGEMENT_GROUND}"}}'
            for rid, day in lodgements
            if day <= END
        ]
        if lj:
            out.append(f',"lodgements":[{",".join(lj)}]')

    def _petition(
        self, rng: Random, got: int, rates: tuple[float, ...], eligible: list[int], labels: list[int]
    ) -> str:
        """One petition received on ``got`` (PET-1 registration within 5 working days, PET-2
        closing within 30 days rolled, PET-3 screening within 15 working days when a
        superior court handles a petition about this court)."""
        T, END, r = self.T, self.end, rng.random
        wd = T.working_day_between
        reg_due = T.working_days_after(got, 5)
        close_due = T.days_deadline(got, 30)
        if reg_due <= END:
            eligible.append(F_PREG)
        if close_due <= END:
            eligible.append(F_PCLOSE)
        if reg_due <= END and r() < rates[F_PREG]:
            labels.append(F_PREG)
            registered = T.working_days_after(got, 6 + int(r() * 10))
        else:
            registered = wd(got, reg_due, r())
        if close_due <= END and r() < rates[F_PCLOSE]:
            labels.append(F_PCLOSE)
            closed = None if r() < 0.3 else wd(close_due + 1, close_due + 40, r())
        else:
            closed = wd(max(registered, got + 5), close_due, r())
        u = r()
        referred = next(ref for cut, ref in REFERRERS if u < cut)
        lower = self.supervising is not None and r() < 0.15
        f = [f'{{"id":"x1","received_on":"{T.format(got)}"']
        f.append(
            f',"registered_on":"{T.format(registered)}"' if registered <= END else ',"registered_on":null'
        )
        f.append(f',"source":"{PETITION_SOURCES[int(r() * 4)]}"')
        f.append(f',"referred_by":"{referred}"' if referred else ',"referred_by":null')
        if lower:
            screened = wd(got + 1, T.working_days_after(got, 15), r())
            f.append(f',"about_lower_court":true,"handled_by":"{self.supervising}"')
            f.append(f',"screened_on":"{T.format(screened)}"' if screened <= END else ',"screened_on":null')
        else:
            f.append(',"about_lower_court":false,"screened_on":null')
        if closed is not None and closed <= END:
            f.append(f',"closed_on":"{T.format(closed)}","replied":true}}')
        else:
            f.append(',"closed_on":null,"replied":null}')
        return "".join(f)

    def _basis(self, rng: Random, filed: int, mode: str, agency: str | None) -> str:
        """The 执行依据: a judgment or mediation of this court, an arbitral award or a
        notarised debt instrument (the grounds of 不予执行), or the decision of ``agency``
        in a 非诉执行 case."""
        T, r, court = self.T, rng.random, self.court
        effective = filed - 20 - int(r() * 200)
        year = T.format(effective)[:4]
        if agency is not None:
            kind, issuer = "行政处罚决定书", agency
            number = f"{court.place[:2]}行罚决字〔{year}〕{1 + int(r() * 300)}号"
        else:
            u = r()
            if mode == NOT_ENFORCED:
                u = 0.92 + 0.08 * u
            if u < 0.92:
                kind = "民事判决书" if u < 0.62 else "民事调解书"
                issuer = court.name
                number = f"（{year}）{court.code}民初{1 + int(r() * 4000)}号"
            elif u < 0.97:
                kind, issuer = "仲裁裁决书", f"{court.place}仲裁委员会"
                number = f"（{year}）仲裁字第{1 + int(r() * 900)}号"
            else:
                kind, issuer = "公证债权文书", f"{court.place}公证处"
                number = f"（{year}）证字第{1 + int(r() * 5000)}号"
        return f'{{"document_number":"{number}","issuer":"{issuer}","kind":"{kind}","effective_on":"{T.format(effective)}"}}'
