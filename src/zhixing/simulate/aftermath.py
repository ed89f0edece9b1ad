"""What follows a simulated case's closing day, and the case as seen at the snapshot: the
intervals and restraints, the six-monthly inquiries after 终本 and the resumption, the
listings deleted and restrictions lifted, petitions, the events cut at ``END``, the labels of
the lapses that are failing checks then, and the bundle line.

A mixin of ``life.CaseLife``: each method reads and writes the case's shared state (``self``)
and draws from the case's stream in the order the whole case life relies on.
"""

from __future__ import annotations

from operator import itemgetter

from zhixing.simulate import calibration as cal
from zhixing.simulate.faults import NAMES
from zhixing.simulate.vocabulary import (
    F_C1,
    F_C2,
    F_C5,
    F_DEL,
    F_K1,
    F_K2,
    F_K3,
    F_K4,
    F_K5,
    F_K6,
    F_K7,
    F_K8,
    F_PERF,
    F_SEIZE,
    F_T3,
    F_T5,
    F_T6,
    F_T7,
    F_T9,
    F_T11,
    FIRST,
    FULL_CATEGORIES,
    NOT_ENFORCED,
    PERFORMED,
    RESUMED,
    TERMINATED,
    Parent,
    Result,
    money,
)


class Aftermath:
    """The phases after the 终本 steps, up to the line written for the case."""

    __slots__ = ()

    # -- intervals, extensions, restraints ----------------------------------------------------------

    def _intervals(self) -> None:
        """A temporary 中止 (CLOSE-5: it ends before the closing) and an extension (DL-13)."""
        r, wd, c, start, ev = self.r, self.wd, self.c, self.start, self.ev
        if (
            self.long_case
            and not self.tc
            and self.path != "bankruptcy"
            and c - start > 90
            and r() < cal.SUSPENSION_SHARE * 3
        ):
            s0 = wd(start + 10, c - 60, r())
            ev.append((s0, "suspension_start", ""))
            ev.append((wd(s0 + 15, min(s0 + 120, c - 5), r()), "suspension_end", ""))
        base_deadline = self.T.months(self.filed, 3 if self.non_litigation else 6)
        if c > base_deadline + 20 and self.mode in (PERFORMED, TERMINATED) and r() < 0.5:
            day = wd(base_deadline - 20, base_deadline - 5, r())  # DL-13: approved before the deadline
            if day > self.filed + 30:
                ev.append((day, "extension_approved", ',"months":3'))

    def _restraint_events(self) -> None:
        """Each restraint, its release, or its renewals before it lapses (DL-20; TERM-14: also
        after 终本)."""
        T, r, ev = self.T, self.r, self.ev
        for asset, day, cat, value, released, term, measure in self.restraints:
            expires = T.months(day, term)
            ev.append(
                (
                    day,
                    "restraint",
                    f',"asset":"{asset}","measure":"{measure}","category":"{cat}","value":"{money(value)}","expires_on":"{T.format(expires)}"',
                )
            )
            if released is not None:
                ev.append((released, "restraint_released", f',"asset":"{asset}"'))
                continue
            while expires <= self.END:
                renew = self.wd(expires - 40, expires - 5, r())
                expires = T.months(expires, term)
                ev.append(
                    (renew, "restraint_renewed", f',"asset":"{asset}","expires_on":"{T.format(expires)}"')
                )

    # -- after a 终本 closing: an inquiry every six months (K8, TERM-12), resumption ----------------

    def _after_termination(self) -> None:
        self.resumption = None
        self.empty_after: list[int] = []
        if not (self.tc and self.closed):
            return
        resumed_on = self._resumption_day()
        self._periodic_inquiries(resumed_on)
        if resumed_on is not None:
            self.resumption = Parent(
                case_number=self.number,
                filed_on=resumed_on,
                unpaid=self.claim - sum(rec[2] for rec in self.receipts),
                parties=self.parties_json,
                debtors=self.debtors,
                applicant=self.applicant,
                basis="",
                tags="",
                non_litigation=self.non_litigation,
                handler=self.handler,
            )

    def _resumption_day(self) -> int | None:
        """The day a 终本 case is resumed by END (a hazard halving each year), or None."""
        if self.path == "misreported":
            return None
        r, T, c = self.r, self.T, self.c
        resumed_on = None
        u = r()
        hazard = cal.RESUMPTION_FIRST_YEAR
        for year in range(5):
            if u < hazard:
                resumed_on = T.roll(T.months(c, 12 * year) + 20 + int(r() * 340))
                break
            u -= hazard
            hazard /= 2
        if resumed_on is not None and resumed_on > self.END:
            return None
        return resumed_on

    def _periodic_inquiries(self, resumed_on: int | None) -> None:
        """The six-monthly inquiries (K8, TERM-12) up to END or the resumption, for five years."""
        r, T, END, c = self.r, self.T, self.END, self.c
        cap = T.months(c, 60)
        horizon = END if resumed_on is None else resumed_on
        missed, miss_at = r() < self.rates[F_K8], int(r() * 3)
        prev, k = c, 0
        while True:
            due = T.months_deadline(prev, 6)
            if due > cap or (resumed_on is not None and due > resumed_on):
                break  # no obligation: beyond five years, or dropped by the resumption
            if due <= END:
                if k == 0:
                    self.eligible.append(F_K8)
                if missed and k == miss_at:
                    self.labels.append(F_K8)
            if missed and k == miss_at:
                nxt = T.roll(due + 10 + int(r() * 110))
            else:
                nxt = T.back(prev + 120 + int(55 * r()))  # within six months (≥ 181 days)
            if nxt > horizon:
                break
            if resumed_on is not None and T.months_deadline(nxt, 6) > resumed_on and resumed_on - nxt < 150:
                # The inquiry that found the property behind the resumption.
                found = f'[{{"asset":"a9","category":"存款","value":"{money(max(100, self.claim // 3))}"}}]'
            else:
                found = "[]"
                self.empty_after.append(nxt)
            self.ev.append(
                (nxt, "online_inquiry", f',"system":"总对总","categories":{FULL_CATEGORIES},"found":{found}')
            )
            if r() < 0.7:
                self.ev.append((nxt + 1 + int(r() * 6), "inquiry_result_notified", ""))
            prev, k = nxt, k + 1

    # -- deleting listings on their ground (C3, C4, K9), lifting restrictions -----------------------

    def _deletions(self) -> None:
        r, wd, T, c, END, mode, closed = self.r, self.wd, self.T, self.c, self.END, self.mode, self.closed
        late_del = r() < self.rates[F_DEL]
        del_fault = False
        self.deletions: dict[str, int | None] = {}
        for lid, _pid, day, _grounds, term, _person in self.listings:
            early = None
            if term is not None:
                ground = T.months(day, 12 * term)  # CREDIT-9: the term ends (PER-4, not rolled)
                if closed and mode == PERFORMED:
                    early = wd(c + 1, c + 7, r())  # performed: deleted early (CREDIT-5 ¶2)
            else:
                ground = None  # CREDIT-8
                if closed and mode in (PERFORMED, TERMINATED, NOT_ENFORCED):
                    ground = c
                elif closed and self.tc and len(self.empty_after) >= 2:
                    ground = max(self.empty_after[1], day)
            if ground is None:
                self.deletions[lid] = early
                continue
            due = T.working_days_after(ground, 3)
            if due <= END and F_DEL not in self.eligible:
                self.eligible.append(F_DEL)
            if late_del and due <= END and not del_fault:
                del_fault = True
                self.labels.append(F_DEL)
                self.deletions[lid] = None if r() < 0.3 else wd(due + 1, due + 60, r())
            else:
                self.deletions[lid] = early if early is not None and early <= due else wd(ground, due, r())

    def _lifts(self) -> None:
        """CONS-7: lift once performed — after the party's listings are gone (C5)."""
        self.lifts: dict[str, int] = {}
        if self.closed and self.mode == PERFORMED:
            for pid in self.restrictions:
                gone = [self.deletions.get(lst[0]) for lst in self.listings if lst[1] == pid]
                if None not in gone:
                    self.lifts[pid] = max([self.c, *gone]) + 1 + int(self.r() * 9)

    # -- petitions (PET-1, PET-2, PET-3) --------------------------------------------------------------

    def _petitions(self) -> None:
        r, END = self.r, self.END
        self.petition = ""
        if r() < cal.PETITION_SHARE * (2.0 if self.tc or self.stalled else 0.6):
            lo = self.filed + 20
            got = lo + int(r() * max(1, (self.c if self.closed else END) + 60 - lo))
            if got <= END:
                self.petition = self.p._petition(self.rng, got, self.rates, self.eligible, self.labels)

    # -- the events as of END -------------------------------------------------------------------------

    def _events_as_of_end(self) -> None:
        limit, ev = self.limit, self.ev
        head = []
        if self.h <= limit:
            head.append((self.h, "handler_assigned", self.p.handler_json[self.handler]))
        if self.n <= limit:
            head.append((self.n, "execution_notice", ""))
        if self.rep <= limit:
            head.append((self.rep, "property_report_order", ""))
        if self.q1 <= limit:
            head.append(
                (
                    self.q1,
                    "online_inquiry",
                    f',"system":"总对总","categories":{FULL_CATEGORIES},"found":{self.found1}',
                )
            )
        for pid, day in self.restrictions.items():
            ev.append((day, "consumption_restriction", f',"party":"{pid}"'))
        for lid, pid, day, grounds, term, _person in self.listings:
            ev.append(
                (
                    day,
                    "credit_listing",
                    f',"id":"{lid}","party":"{pid}","grounds":{grounds},"term_years":{term or "null"}',
                )
            )
            gone = self.deletions.get(lid)
            if gone is not None:
                ev.append((gone, "credit_deletion", f',"party":"{pid}","listing":"{lid}"'))
        for pid, day in self.lifts.items():
            ev.append((day, "consumption_restriction_lifted", f',"party":"{pid}"'))
        for cid, got, ver, _due in self.clues:
            ev.append((got, "clue_received", f',"clue":"{cid}"'))
            if ver is not None and ver <= limit:
                ev.append((ver, "clue_verified", f',"clue":"{cid}"'))
        self.kept = [e for e in head + ev if e[0] <= self.END]
        self.kept.sort(key=itemgetter(0))

    # -- labels: the planted lapses that are failing checks at END (faults.KINDS) -------------------

    def _label_first_days(self) -> None:
        """K1–K4 (indicators.md §3), K5 on the applicant's clues, K6 on disbursements."""
        END, limit, closed, c = self.END, self.limit, self.closed, self.c
        eligible, labels = self.eligible, self.labels
        firsts = (
            (F_K1, self.h, self.k1),
            (F_K2, self.n, self.k2),
            (F_K3, self.rep, self.k2),
            (F_K4, self.q1, self.k4),
        )
        for k, done, due in firsts:
            if done > limit:
                done = None  # not done by the closing or by END
            if closed and c <= due and done is None:
                continue  # lapsed (indicators.md §3)
            if due <= END:
                eligible.append(k)
                if done is None or done > due:
                    labels.append(k)
        for cid, _got, ver, due in self.clues:
            if ver is not None and ver > limit:
                ver = None
            if cid == "c9" or (closed and c <= due and ver is None):
                continue  # lapsed; c9 is the clue of T6
            if due <= END:
                if F_K5 not in eligible:
                    eligible.append(F_K5)
                if (ver is None or ver > due) and F_K5 not in labels:
                    labels.append(F_K5)
        if self.k6_eligible:
            eligible.append(F_K6)
            if self.late6_done:
                labels.append(F_K6)

    def _label_termination(self) -> None:
        """The 终本 checks (K7, T3, T5–T7, T9, T11) and a misreported 执行完毕."""
        eligible, labels = self.eligible, self.labels
        if self.tc and self.closed:
            if self.ddl(self.c, 7) < self.END:
                eligible.append(F_K7)
            eligible.extend((F_T3, F_T6, F_T7, F_T9, F_T11))
            if not self.too_early:
                eligible.append(F_T5)
            for k, on in (
                (F_T3, self.no_restriction),
                (F_T5, self.stale),
                (F_T6, self.unverified),
                (F_T7, self.too_early),
                (F_T9, self.no_interview),
            ):
                if on:
                    labels.append(k)
            labels.extend(k for k in self.planted if k in (F_K7, F_T11))
        if self.closed and self.mode == PERFORMED and not self.settlement:
            eligible.append(F_PERF)
            if self.misreport:
                labels.append(F_PERF)

    def _label_listings(self) -> None:
        """C5, C2 and C1 on the listings seen by END, and over-seizure on the first restraint."""
        r, eligible, labels = self.r, self.eligible, self.labels
        seen_listings = [lst for lst in self.listings if lst[2] <= self.END]
        if seen_listings:
            eligible.append(F_C5)
            if self.c5_target is not None:
                labels.append(F_C5)
            if any(lst[4] is not None for lst in seen_listings):
                eligible.append(F_C2)
                if self.c2_target is not None:
                    labels.append(F_C2)
        person_listed = [lst for lst in seen_listings if lst[5]]
        if self.first and person_listed:
            eligible.append(F_C1)
            if self.minor_intent:
                # C1: the debtor listed was under 18 that day — give the debtor a birth date
                # 16 to 17.6 years before the listing (a new ID number, nothing else changes).
                target = person_listed[0]
                old_number = next(d[3] for d in self.debtors if d[0] == target[1])
                new_number = self.p.identities.id_number(self.rng, target[2] - 16 * 365 - int(r() * 600))
                self.parties_json = self.parties_json.replace(old_number, new_number)
                self.debtors = [d if d[0] != target[1] else (*d[:3], new_number) for d in self.debtors]
                labels.append(F_C1)
        if self.restraints and self.restraints[0][1] <= self.END:
            eligible.append(F_SEIZE)
            if F_SEIZE in self.planted:
                labels.append(F_SEIZE)

    # -- the line -------------------------------------------------------------------------------------

    def _recovered(self) -> int:
        """Fen received by END, through the court or straight to the applicant."""
        recovered = sum(rec[2] for rec in self.receipts if rec[1] <= self.END)
        return recovered + sum(fen for day, fen in self.direct if day <= self.END)

    def _basis_and_tags(self) -> tuple[str, str]:
        """The 执行依据 and the tags: drawn for a 首次执行 case, taken over by a 恢复执行 one."""
        if not self.first:
            return self.parent.basis, self.parent.tags
        agency = self.applicant if self.non_litigation else None
        basis = self.p._basis(self.rng, self.filed, self.mode, agency)
        tags = []
        if self.r() < cal.LIVELIHOOD_SHARE:
            tags.append('"涉民生"')
        if self.has_unit:
            tags.append('"涉企"')
        if self.lender:
            tags.append('"涉金融"')
        if self.government or self.non_litigation:
            tags.append('"涉党政机关"')
        return basis, "[" + ",".join(tags) + "]"

    def _result(self) -> Result:
        T, first, c = self.T, self.first, self.c
        recovered = self._recovered()
        iso, base = T.iso, T.base
        out = [
            f'{{"case_number":"{self.number}","court":"{self.p.court.code}","case_type":"{FIRST if first else RESUMED}"'
        ]
        if self.non_litigation:
            out.append(',"non_litigation":true')
        out.append(
            f',"application_received_on":"{T.format(self.received)}","filed_on":"{iso[self.filed - base]}"'
        )
        basis, tags_json = self._basis_and_tags()
        if not first:
            out.append(f',"original_case_number":"{self.parent.case_number}"')
        resumption = self.resumption
        if resumption is not None:
            resumption.parties, resumption.basis, resumption.tags = self.parties_json, basis, tags_json
            resumption.debtors = self.debtors
        out.append(
            f',"basis":{basis},"claim_amount":"{money(self.claim)}","recovered_amount":"{money(recovered)}"'
        )
        if tags_json != "[]":
            out.append(f',"tags":{tags_json}')
        if self.h <= self.limit:
            out.append(f',"handler":"{self.p.handlers[self.handler]}"')
        out.append(f',"parties":{self.parties_json},"events":[')
        out.append(
            ",".join(
                [f'{{"node":"{node}","on":"{iso[day - base]}"{extra}}}' for day, node, extra in self.kept]
            )
        )
        out.append("]")
        if self.receipts:
            self.p._funds(out, self.receipts, self.disb, self.deferrals, self.lodgements, self.debtors[0][2])
        if self.petition:
            out.append(f',"petitions":[{self.petition}]')
        if self.closed:
            out.append(f',"closing":{{"on":"{iso[c - base]}","mode":"{self.mode}"}}')
        out.append("}")
        self.labels.sort()
        return Result(
            line="".join(out),
            labels=[NAMES[k] for k in self.labels],
            mode=self.mode if self.closed else None,
            first=first,
            claim=self.claim,
            recovered=recovered,
            eligible=self.eligible,
            resumption=resumption,
        )
