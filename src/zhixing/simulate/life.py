"""One implementation case from filing to snapshot, played phase by phase.

``CaseLife`` holds the state of one case (its days, events, money, parties, listings and
labels) and plays it forward one phase at a time: the filing, the first days (K1–K4), the
path to the closing (``paths``), the money, the debtors' duties and sanctions, the 终本
steps, and then what follows the closing up to the snapshot and the line written
(``aftermath``). The phases run in a fixed order and draw from the case's one stream in
that order, so the same seed gives the same case.
"""

from __future__ import annotations

import bisect
from random import Random
from typing import TYPE_CHECKING

from zhixing.simulate import calibration as cal
from zhixing.simulate.aftermath import Aftermath
from zhixing.simulate.paths import ClosingPaths
from zhixing.simulate.vocabulary import (
    F_C1,
    F_C2,
    F_C5,
    F_K1,
    F_K2,
    F_K3,
    F_K4,
    F_K5,
    F_K6,
    F_K7,
    F_T3,
    F_T5,
    F_T6,
    F_T7,
    F_T9,
    FULL_CATEGORIES,
    NO_LIMIT,
    NO_SECURITIES,
    PERFORMED,
    REPORT_CUM,
    REPORT_LAGS,
    REPORT_STATUSES,
    TERMINATED,
    TERMINATED_CURRENT,
    Parent,
    Result,
    adult_on,
    draw_claim,
    pick,
)

if TYPE_CHECKING:
    from zhixing.simulate.process import CourtProcess


class CaseLife(ClosingPaths, Aftermath):
    """One 首次执行 case, or the 恢复执行 case of ``parent``, filed on day ``filed`` under
    ``number`` in the court of ``process``. Draws only from ``rng``."""

    # The case's state, shared by its phases (slots: read many times per case).
    __slots__ = (
        "END",
        "T",
        "applicant",
        "c",
        "c2_target",
        "c5_target",
        "c_base",
        "claim",
        "closed",
        "clues",
        "coercions",
        "ddl",
        "debtors",
        "deferrals",
        "deletions",
        "direct",
        "disb",
        "eligible",
        "empty_after",
        "ev",
        "filed",
        "first",
        "found1",
        "government",
        "h",
        "handler",
        "has_unit",
        "k1",
        "k2",
        "k4",
        "k6_eligible",
        "kept",
        "labels",
        "late6_done",
        "late_c5",
        "lender",
        "lifts",
        "limit",
        "listings",
        "lodgements",
        "long_case",
        "minor_intent",
        "minors",
        "misreport",
        "mode",
        "n",
        "no_interview",
        "no_restriction",
        "non_litigation",
        "number",
        "p",
        "parent",
        "parties_json",
        "path",
        "petition",
        "planted",
        "q1",
        "r",
        "rates",
        "receipts",
        "received",
        "rep",
        "restraints",
        "restrictions",
        "resumption",
        "rng",
        "seize",
        "settlement",
        "speed",
        "stale",
        "stalled",
        "start",
        "tc",
        "too_early",
        "unverified",
        "wd",
        "wrong_term",
    )

    def __init__(self, process: CourtProcess, rng: Random, filed: int, number: str, parent: Parent | None):
        self.p = process
        self.T = process.T
        self.END = process.end
        self.rng = rng
        self.r = rng.random
        self.wd = self.T.working_day_between
        self.ddl = self.T.days_deadline
        self.filed, self.number, self.parent = filed, number, parent
        self.first = parent is None
        self.ev: list[tuple[int, str, str]] = []  # (day, node, extra JSON fields)
        self.receipts: list[list] = []  # [id, notice day, fen, payer, None | "deferred" | "lodged"]
        self.direct: list[tuple[int, int]] = []  # payments straight to the applicant: (day, fen)
        # restraints: [asset, day, category, value fen, released day or None, term months, measure]
        self.restraints: list[list] = []
        self.planted: list[int] = []  # lapses planted that materialise whenever the case is seen closed
        self.eligible: list[int] = []
        self.labels: list[int] = []

    def play(self) -> Result:
        self._filing()
        self._first_days()
        self._path_to_closing()
        self._money()
        self._debtors()
        self._clues()
        self._termination()
        self._intervals()
        self._restraint_events()
        self._after_termination()
        self._deletions()
        self._lifts()
        self._petitions()
        self._events_as_of_end()
        self._label_first_days()
        self._label_termination()
        self._label_listings()
        return self._result()

    # -- filing -----------------------------------------------------------------------------------

    def _filing(self) -> None:
        """The pace, the handler, the claim, the application day and the closing mode."""
        p, r, filed, parent = self.p, self.r, self.filed, self.parent
        self.speed = p.speed * (0.8 + 0.4 * r())
        self.handler = int(r() * len(p.handlers)) if self.first else parent.handler
        self.rates = p.handler_rates[self.handler]  # lapse probabilities of this handler (faults.KINDS order)
        if self.first:
            self.non_litigation = r() < cal.NON_LITIGATION_SHARE
            self.claim = draw_claim(r, p.claim_factor)
            self.received = filed - (0 if r() < 0.5 else int(r() * 6))
            self.mode = pick(*p.first_modes, r())
        else:
            self.non_litigation = parent.non_litigation
            self.claim = parent.unpaid
            self.received = filed - (0 if r() < 0.6 else int(r() * 4))
            self.mode = pick(*p.resumed_modes, r())

    def _first_days(self) -> None:
        """Handler, execution notice, report order, first inquiry (K1–K4)."""
        r, wd, ddl, filed, rates, speed = self.r, self.wd, self.ddl, self.filed, self.rates, self.speed
        self.k1 = k1 = ddl(filed, 7)
        self.k2 = k2 = ddl(self.received, 10)
        self.k4 = k4 = ddl(filed, 10)
        late1, late2, late3, late4 = (
            r() < rates[F_K1],
            r() < rates[F_K2],
            r() < rates[F_K3],
            r() < rates[F_K4],
        )
        self.h = h = wd(k1 + 1, k1 + 25, r()) if late1 else wd(filed, min(k1, filed + int(4 * speed)), r())
        n_lo = h if h <= k2 else filed
        n_on = wd(n_lo, min(k2, n_lo + int(6 * speed)), r())
        self.n = wd(k2 + 1, k2 + 40, r()) if late2 else n_on
        self.rep = wd(k2 + 1, k2 + 40, r()) if late3 else n_on
        self.q1 = wd(k4 + 1, k4 + 30, r()) if late4 else wd(filed, min(k4, filed + int(1 + 7 * speed)), r())
        # Enforcement proper starts once notice, order and inquiry are out.
        self.start = max(self.n, self.rep, self.q1)

    # -- money: deferrals, lodgements, disbursements (K6, FUND-1…3) --------------------------------

    def _money(self) -> None:
        r, wd, ddl, END = self.r, self.wd, self.ddl, self.END
        self.disb = disb = []  # (id, receipt, day, fen)
        self.deferrals = []
        self.lodgements = []
        late6 = r() < self.rates[F_K6]
        self.late6_done = self.k6_eligible = False
        last_paid = 0
        for rec in self.receipts:
            rid, note, fen = rec[0], rec[1], rec[2]
            due = ddl(note, 30)
            u = r()
            if u < cal.LODGEMENT_SHARE:
                self.lodgements.append((rid, wd(note + 5, due, r())))
                rec[4] = "lodged"
                last_paid = max(last_paid, note)
                continue
            if u < cal.LODGEMENT_SHARE + cal.DEFERRAL_SHARE:
                approved = wd(note + 2, min(due, note + 20), r())
                ends = approved + 20 + int(r() * 70)
                self.deferrals.append((rid, approved, ends))
                rec[4] = "deferred"
                pay = wd(ends, ddl(ends, 10), r())
            elif late6 and not self.late6_done and due <= END:
                self.late6_done = True
                pay = wd(due + 1, due + 45, r())
            else:
                pay = wd(note + 2, min(due, note + int(3 + 22 * self.speed)), r())
            if rec[4] is None and due <= END:
                self.k6_eligible = True
            disb.append((f"d{len(disb) + 1}", rid, pay, fen))
            last_paid = max(last_paid, pay)
        if self.mode == PERFORMED:
            base = max(self.c_base, last_paid)
            self.c = wd(base, base + 10, r())
        self.tc = self.mode == TERMINATED_CURRENT
        # Acts before the closing must precede it (and cases are cut at END); a 终本 closing
        # is fixed after all of them, so there is no limit yet.
        self.limit = min(END, self.c) if not self.tc else NO_LIMIT

    # -- parties and debtors: reports, restrictions, sanctions, listings ----------------------------

    def _debtors(self) -> None:
        r, rates, tc, mode = self.r, self.rates, self.tc, self.mode
        if self.first:
            (
                self.parties_json,
                self.debtors,
                self.applicant,
                self.has_unit,
                self.lender,
                self.government,
            ) = self.p._parties(self.rng, self.filed, self.non_litigation)
        else:
            parent = self.parent
            self.parties_json, self.debtors, self.applicant = parent.parties, parent.debtors, parent.applicant
            self.has_unit = self.lender = self.government = False
        debtors = self.debtors
        self.long_case = mode in (PERFORMED, TERMINATED_CURRENT, TERMINATED) and self.path != "voluntary"
        self.no_restriction = debtors[int(r() * len(debtors))][0] if tc and r() < rates[F_T3] else None
        self.listings: list[list] = []  # [id, party, day, grounds JSON, term or None, is person]
        self.restrictions: dict[str, int] = {}
        self.coercions: list[int] = []
        self.late_c5, self.minor_intent, self.wrong_term = (
            r() < rates[F_C5],
            self.first and r() < rates[F_C1],
            r() < rates[F_C2],
        )
        # A debtor still a minor (one listed as a minor in the original case, C1) is never
        # listed again (CREDIT-4): treated as reporting on time, so T4 needs no listing.
        self.minors = () if self.first else [d[0] for d in debtors if d[1] and adult_on(d[3]) > self.filed]
        if self.long_case:
            for pid, is_person, _name, _number in debtors:
                self._debtor_duties(pid, is_person)
            self._g1_listing()
        self._plant_listing_lapses()

    def _debtor_duties(self, pid: str, is_person: bool) -> None:
        """One debtor's property report, restriction, sanction and listing (PROP-6,
        CREDIT-2), and a search for a debtor gone missing in a 终本 case."""
        r, wd, tc, limit, rep, n = self.r, self.wd, self.tc, self.limit, self.rep, self.n
        u = r()
        status = REPORT_STATUSES[bisect.bisect_right(REPORT_CUM, u)] if u < REPORT_CUM[-1] else "按期"
        if pid == self.no_restriction or pid in self.minors:
            status = "按期"  # T3 alone: nothing that would call for a listing (C5)
        if status is not None:
            lo_lag, hi_lag = REPORT_LAGS[status]
            day = wd(rep + lo_lag, rep + hi_lag, r())
            if day <= limit:
                self.ev.append((day, "property_report", f',"party":"{pid}","status":"{status}"'))
            elif not tc:
                status = "按期"  # the case closed before the report came in
        x = wd(n + int(7 + 20 * self.speed * r()), n + 40, r())
        restrict = pid != self.no_restriction and (tc or r() < 0.75) and x <= limit
        if restrict:
            self.restrictions[pid] = x
        if status != "按期" and (tc or r() < 0.6):
            # PROP-6 / CREDIT-2: fine (or detain) and list a debtor who breached the report duty.
            fine_day = wd(rep + 25, rep + 55, r())
            lst = wd(max(x, fine_day), max(x, fine_day) + 10, r())
            if lst <= limit:
                self.ev.append((fine_day, "fine" if r() < 0.85 else "detention", f',"party":"{pid}"'))
                self.coercions.append(fine_day)
                self.restrictions[pid] = x  # C5: restricted on or before the listing day
                grounds, term = ('["G4"]', 2) if r() < 0.95 else ('["G4","G5"]', 3)
                self.listings.append([f"l{len(self.listings) + 1}", pid, lst, grounds, term, is_person])
        if tc and is_person and r() < cal.MISSING_DEBTOR_SHARE:
            m = wd(n + 5, n + 25, r())
            self.ev.append((m, "debtor_missing", f',"party":"{pid}"'))
            self.ev.append((wd(m + 3, m + 30, r()), "debtor_search", f',"party":"{pid}"'))

    def _g1_listing(self) -> None:
        """A no-term listing (G1 有能力而拒不履行): only where nothing is under restraint and
        the claim stays unpaid (C6 compares restraints with claim − recovered)."""
        r = self.r
        g1_ok = (self.tc and self.path != "misreported") or self.mode == TERMINATED
        if not (g1_ok and not self.restraints and r() < 0.08):
            return
        pid, is_person, _name, _number = self.debtors[int(r() * len(self.debtors))]
        day = self.wd(self.n + 30, self.n + 90, r())
        if (
            pid != self.no_restriction
            and pid not in self.minors
            and day <= self.limit
            and not any(lst[1] == pid for lst in self.listings)
        ):
            self.restrictions[pid] = min(self.restrictions.get(pid, day), day)
            self.listings.append([f"l{len(self.listings) + 1}", pid, day, '["G1"]', None, is_person])

    def _plant_listing_lapses(self) -> None:
        """Plant the listing lapses (C5, C2) on the first listing of the right kind seen by END."""
        seen = [lst for lst in self.listings if lst[2] <= self.END]
        self.c5_target = seen[0][0] if self.late_c5 and seen else None
        if self.c5_target is not None:
            lst = seen[0]
            # C5: the restriction follows the listing instead of preceding it.
            self.restrictions[lst[1]] = self.wd(lst[2] + 1, lst[2] + 10, self.r())
            if self.restrictions[lst[1]] > self.limit:
                del self.restrictions[lst[1]]
        self.c2_target = None
        if self.wrong_term:
            for lst in seen:
                if lst[4] is not None:
                    lst[3], lst[4] = '["G4"]', 3 + int(self.r() * 3)  # one ground: only 2 years is right
                    self.c2_target = lst[0]
                    break

    def _clues(self) -> None:
        """Clues from the applicant (K5): handed in with the application or later; and a
        field investigation."""
        r, wd, n = self.r, self.wd, self.n
        self.clues: list[list] = []  # [id, received, verified or None, K5 last day]
        if self.long_case and r() < cal.CLUE_SHARE:
            got = self.filed - int(r() * 5) if r() < 0.4 else wd(n + 5, n + 60, r())
            if got <= self.limit:
                trigger = max(got, self.filed)
                due = self.ddl(trigger, 7)
                if r() < self.rates[F_K5]:
                    ver = wd(due + 1, due + 30, r())
                else:
                    ver = wd(trigger, min(due, trigger + int(2 + 5 * self.speed)), r())
                self.clues.append(["c1", got, ver, due])
                self.ev.append((n, "clue_request", ""))
        if self.long_case and r() < 0.25:
            self.ev.append((wd(self.start + 10, self.start + 60, r()), "field_investigation", ""))

    # -- the 终本 steps (TERM-1…TERM-11) --------------------------------------------------------------

    def _termination(self) -> None:
        self.too_early = self.stale = self.no_interview = self.unverified = False
        if self.tc:
            r, rates = self.r, self.rates
            self.too_early, self.stale = r() < rates[F_T7], r() < rates[F_T5]
            self.no_interview, self.unverified = r() < rates[F_T9], r() < rates[F_T6]
            self._termination_day()
            self._final_inquiry()
            self._termination_acts()
        assert self.c is not None
        self.closed = self.c <= self.END
        if self.closed:
            self.limit = self.c

    def _termination_day(self) -> None:
        """The 终本 closing day: after every act so far, and (T7) not within three months of
        filing unless that lapse is planted."""
        r, wd, T = self.r, self.wd, self.T
        t7_limit = T.months(self.filed, 3)
        ready = max(
            self.c_base, self.start, *self.restrictions.values(), *self.coercions,
            *(lst[2] for lst in self.listings), *(cl[2] for cl in self.clues), *(e[0] for e in self.ev),
        )  # fmt: skip
        earliest = max(ready + 5, self.filed + 45)
        if self.too_early and earliest <= t7_limit:
            self.c = wd(earliest, t7_limit, r())  # T7: not more than three months after filing
        else:
            self.too_early = False
            lo = max(t7_limit + 1, ready + 10)
            c = wd(lo + int(self.speed * 90 * r()), lo + 150, r())
            if self.stalled:
                c = T.back(c + 120 + int(300 * r()))
            self.c = c
        if self.too_early:
            self.stale = False  # every inquiry is within three months of a closing that early

    def _final_inquiry(self) -> None:
        """The full inquiry before a 终本 closing (TERM-3), or (T5) none of all categories."""
        r, wd, T, q1 = self.r, self.wd, self.T, self.q1
        if self.stale:
            # T5: no inquiry of all four categories within the three months before closing.
            while T.months(self.c, -3) <= q1:
                self.c = T.roll(self.c + 7)
            c = self.c
            if r() < 0.5:
                fq = wd(T.months(c, -3) + 1, c - 3, r())
                self.ev.append(
                    (fq, "online_inquiry", f',"system":"总对总","categories":{NO_SECURITIES},"found":[]')
                )
        else:
            c = self.c
            lo = max(T.months(c, -3), q1, c - 60)  # after the first inquiry: K4 is its own
            fq = wd(lo, c - 2, r()) if c - 2 >= lo else c
            refound = self.found1 if self.path == "undisposable" else "[]"
            self.ev.append(
                (fq, "online_inquiry", f',"system":"总对总","categories":{FULL_CATEGORIES},"found":{refound}')
            )

    def _termination_acts(self) -> None:
        """Interview or review, ruling, service (TERM-10) and registry entry (K7)."""
        r, wd, ev, c = self.r, self.wd, self.ev, self.c
        ruling = wd(c - 3, c, r())
        if self.no_interview or r() < cal.INTERVIEW_DISAGREE_SHARE:
            if not self.no_interview:
                ev.append((wd(ruling - 12, ruling - 1, r()), "applicant_interview", ',"opinion":"不同意"'))
            review = wd(ruling - 8, ruling - 1, r())
            ev.append((review, "collegial_review", ""))
            ev.append((wd(review, ruling, r()), "president_approval", ""))
        else:
            ev.append((wd(ruling - 12, ruling, r()), "applicant_interview", ',"opinion":"同意"'))
        ev.append((ruling, "termination_ruling", ""))
        ev.append((c, "ruling_served", ""))  # TERM-10: the case closes when the ruling is served
        if self.unverified:
            got = max(self.filed, c - 1 - int(r() * 5))  # its K5 runs past the closing and lapses
            self.clues.append(["c9", got, None, self.ddl(got, 7)])
        k7 = self.ddl(c, 7)
        END = self.END
        if k7 < END and r() < self.rates[F_K7]:
            entry = wd(k7 + 1, min(END, k7 + 40), r())
            self.planted.append(F_K7)
        else:
            entry = wd(c, min(k7, c + int(1 + 5 * self.speed)), r())
        ev.append((entry, "termination_registry_entry", ""))
