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

import bisect
from dataclasses import dataclass, field
from operator import itemgetter
from random import Random

from zhixing.simulate import calibration as cal
from zhixing.simulate import names
from zhixing.simulate.courts import Court
from zhixing.simulate.days import DayTables
from zhixing.simulate.faults import INDEX, NAMES, OVER_SEIZURE_FACTOR

# Fault indexes (catalog order).
(
    F_K1, F_K2, F_K3, F_K4, F_K5, F_K6, F_K7, F_K8, F_T3, F_T5, F_T6, F_T7, F_T9, F_T11, F_PERF, F_C1, F_C2,
    F_DEL, F_C5, F_PREG, F_PCLOSE, F_SEIZE,
) = range(len(NAMES))  # fmt: skip
assert NAMES[F_SEIZE] == "over_seizure" and INDEX["minor_listed"] == F_C1

PERFORMED, TERMINATED_CURRENT, TERMINATED = "执行完毕", "终结本次执行程序", "终结执行"
WITHDRAWN, NOT_ENFORCED, REJECTED = "销案", "不予执行", "驳回申请"
MODES = (PERFORMED, TERMINATED_CURRENT, TERMINATED, WITHDRAWN, NOT_ENFORCED, REJECTED)
FIRST, RESUMED = "首次执行", "恢复执行"

CORE = '"存款","车辆","不动产","有价证券"'
FULL_CATEGORIES = f'[{CORE},"网络资金","理财产品","保险","股权","公积金"]'
UNIT_CATEGORIES = f'[{CORE},"网络资金","理财产品","股权"]'
NO_SECURITIES = '["存款","车辆","不动产","网络资金","理财产品"]'
RESTRAINT_TERMS = {"存款": 12, "车辆": 24, "不动产": 36}  # months, 民诉法解释 第485条 (DL-20)
REPORT_STATUSES = tuple(cal.REPORT_STATUS_SHARES)
REPORT_CUM = tuple(sum(tuple(cal.REPORT_STATUS_SHARES.values())[: i + 1]) for i in range(len(REPORT_STATUSES)))
DEFERRAL_GROUND = "需要进行案款分配"
LODGEMENT_GROUND = "申请执行人下落不明"
PETITION_SOURCES = ("来访", "来信", "网上", "电话")
REFERRERS = ((0.80, None), (0.93, "中级人民法院"), (0.985, "高级人民法院"), (1.0, "最高人民法院"))


def _cumulative(shares: dict) -> tuple[tuple, tuple[float, ...]]:
    keys = tuple(shares)
    total = sum(shares.values())
    acc, cum = 0.0, []
    for k in keys:
        acc += shares[k] / total
        cum.append(acc)
    cum[-1] = 1.0
    return keys, tuple(cum)


def _pick(keys: tuple, cum: tuple[float, ...], u: float):
    return keys[bisect.bisect_right(cum, u)] if u < 1 else keys[-1]


def money(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


@dataclass(slots=True)
class Parent:
    """What a 恢复执行 case takes over from the 终本 case it resumes (CLOSE-6, CASENO-7)."""

    case_number: str
    filed_on: int  # the resumption day: the new case's filing day
    unpaid: int  # fen: claim − recovered of the original
    parties: str  # the original's parties array, as written
    debtors: list  # (party id, is_person, name)
    applicant: str
    basis: str
    tags: str
    non_litigation: bool
    handler: int


@dataclass(slots=True)
class Result:
    line: str
    labels: list[str]
    mode: str | None  # closing mode if closed by end
    first: bool
    claim: int
    recovered: int
    eligible: list[int]  # fault indexes this case was eligible for
    resumption: Parent | None = None
    extra: dict = field(default_factory=dict)


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
        self.first_modes = _cumulative(shares)
        self.resumed_modes = _cumulative(dict(cal.RESUMED_MODE_SHARES))
        self.performed_paths = _cumulative(dict(cal.PERFORMED_PATHS))
        self.tc_paths = _cumulative(dict(cal.TERMINATED_CURRENT_PATHS))
        self.t_paths = _cumulative(dict(cal.TERMINATED_PATHS))
        self.intermediate = len(court.code) == 3
        self.claim_factor = cal.INTERMEDIATE_CLAIM_FACTOR if self.intermediate else 1
        self.handler_json = [f',"handler":"{h}"' for h in handlers]

    # -- parties ------------------------------------------------------------------------------

    def _parties(self, rng: Random, filed: int, minors: dict[str, int]) -> tuple[str, list, str, bool, bool, bool]:
        """The parties array; debtors as (id, is_person, name); the applicant's name; and
        whether a unit debtor, a lender applicant or a government debtor appears."""
        r = rng.random
        court = self.court
        region, place = court.region, court.place
        lo, hi = cal.AGE_RANGE
        parts = []
        # Applicant.
        lender = False
        if r() < cal.APPLICANT_PERSON_SHARE:
            name = names.person_name(rng)
            birth = filed - int((lo + r() * (hi - lo)) * 365.25)
            parts.append(
                f'{{"id":"p1","role":"申请执行人","kind":"自然人","name":"{name}","id_number":"{names.id_number(rng, region, birth)}"}}'
            )
        else:
            lender = r() < cal.APPLICANT_BANK_SHARE
            name = names.lender_name(rng, place) if lender else names.company_name(rng, place)
            parts.append(
                f'{{"id":"p1","role":"申请执行人","kind":"法人","name":"{name}","credit_code":"{names.credit_code(rng, region)}",'
                f'"legal_representative":"{names.person_name(rng)}"}}'
            )
        applicant = name
        count = 1 + (r() < cal.SECOND_DEBTOR_SHARE) + (r() < cal.THIRD_DEBTOR_SHARE)
        debtors = []
        has_unit = government = False
        for k in range(count):
            pid = f"p{k + 2}"
            u = r()
            if u < cal.DEBTOR_PERSON_SHARE:
                name = names.person_name(rng)
                birth = minors.get(pid)
                if birth is None:
                    birth = filed - int((lo + r() * (hi - lo)) * 365.25)
                special = ',"special":["公职人员"]' if r() < cal.DEBTOR_SPECIAL_SHARE else ""
                parts.append(
                    f'{{"id":"{pid}","role":"被执行人","kind":"自然人","name":"{name}",'
                    f'"id_number":"{names.id_number(rng, region, birth)}"{special}}}'
                )
                debtors.append((pid, True, name))
            else:
                has_unit = True
                v = r()
                if v < cal.GOVERNMENT_DEBTOR_SHARE / (1 - cal.DEBTOR_PERSON_SHARE):
                    government = True
                    name = names.township_name(place)
                    code = names.credit_code(rng, region, authority="1", kind="1")
                    parts.append(
                        f'{{"id":"{pid}","role":"被执行人","kind":"法人","name":"{name}","credit_code":"{code}",'
                        f'"legal_representative":"{names.person_name(rng)}"}}'
                    )
                elif v < 0.88:
                    name = names.company_name(rng, place)
                    parts.append(
                        f'{{"id":"{pid}","role":"被执行人","kind":"法人","name":"{name}","credit_code":"{names.credit_code(rng, region)}",'
                        f'"legal_representative":"{names.person_name(rng)}"}}'
                    )
                elif v < 0.94:
                    name = names.cooperative_name(place)
                    code = names.credit_code(rng, region, kind="3")
                    parts.append(
                        f'{{"id":"{pid}","role":"被执行人","kind":"法人","name":"{name}","credit_code":"{code}",'
                        f'"legal_representative":"{names.person_name(rng)}"}}'
                    )
                else:
                    name = names.branch_name(rng, place)
                    parts.append(
                        f'{{"id":"{pid}","role":"被执行人","kind":"非法人组织","name":"{name}","credit_code":"{names.credit_code(rng, region)}"}}'
                    )
                debtors.append((pid, False, name))
        return "[" + ",".join(parts) + "]", debtors, applicant, has_unit, lender, government

    # -- one case -------------------------------------------------------------------------------

    def case(self, rng: Random, filed: int, number: str, parent: Parent | None = None) -> Result:  # noqa: C901
        T = self.T
        END = self.end
        r = rng.random
        rates = self.rates
        speed = self.speed * (0.8 + 0.4 * r())
        wd = T.working_day_between
        ddl = T.days_deadline
        first = parent is None
        court = self.court

        handler = int(r() * len(self.handlers)) if first else parent.handler
        hf = self.handler_factors[handler]

        def intent(k: int) -> bool:
            return r() < rates[k] * hf

        # ---- the case -----------------------------------------------------------------------
        if first:
            non_litigation = r() < cal.NON_LITIGATION_SHARE
            claim = _claim(r, self.claim_factor)
            received = filed - (0 if r() < 0.5 else int(r() * 6))
            mode = _pick(*self.first_modes, r())
        else:
            non_litigation = parent.non_litigation
            claim = parent.unpaid
            received = filed - (0 if r() < 0.6 else int(r() * 4))
            mode = _pick(*self.resumed_modes, r())

        ev: list[tuple[int, str, str]] = []  # (day, node, extra fields)
        receipts: list[list] = []  # [id, notice day, fen, payer, deferral/lodgement marker]
        direct: list[tuple[int, int]] = []  # payments made to the applicant directly: (day, fen)
        restraints: list[list] = []  # [asset, day, category, value fen, released day or None, term months]
        found_small = 0
        settlement = False
        labels_extra: list[int] = []
        eligible: list[int] = []

        # ---- the nodes of the first days (K1–K4) ------------------------------------------------
        k1 = ddl(filed, 7)
        k2 = ddl(received, 10)
        k4 = ddl(filed, 10)
        late1, late2, late3, late4 = intent(F_K1), intent(F_K2), intent(F_K3), intent(F_K4)
        h = wd(k1 + 1, k1 + 25, r()) if late1 else wd(filed, min(k1, filed + int(4 * speed)), r())
        n_lo = h if h <= k2 else filed
        n_on = wd(n_lo, min(k2, n_lo + int(6 * speed)), r())
        n = wd(k2 + 1, k2 + 40, r()) if late2 else n_on
        rep = wd(k2 + 1, k2 + 40, r()) if late3 else n_on
        q1 = wd(k4 + 1, k4 + 30, r()) if late4 else wd(filed, min(k4, filed + int(1 + 7 * speed)), r())
        start = max(n, rep, q1)  # enforcement proper starts once notice, order and first inquiry are out

        # ---- the path ------------------------------------------------------------------------------
        c: int | None  # closing day (may be after END: then the case is open at the snapshot)
        stalled = r() < 0.06  # a case that drags on (backlog)
        path = ""
        found1 = ""  # the first inquiry's found list
        recovered_plan = 0
        misreport = False
        pre_closing_min = 0
        if mode == PERFORMED:
            path = _pick(*self.performed_paths, r())
            if path != "settlement" and intent(F_PERF):
                misreport = True
            amount = claim if not misreport else max(1, int(claim * (0.3 + 0.65 * r())))
            if path == "voluntary":
                pay = wd(n + int(speed * (3 + 40 * r())), n + 60, r())
                note = wd(pay + 1, pay + 3, r())
                receipts.append(["r1", note, amount, "debtor", None])
                c_base = note
            elif path == "deduction":
                seize = intent(F_SEIZE)
                value = claim if not seize else int(claim * (2.5 + 3.5 * r()))
                balance = max(value, int(claim * (1 + 2 * r())))
                found1 = f'[{{"asset":"a1","category":"存款","value":"{money(balance)}"}}]'
                restraints.append(["a1", q1, "存款", value, None, 12, "冻结"])
                d = wd(q1 + int(speed * (3 + 22 * r())), q1 + 40, r())
                ev.append((d, "deduction", f',"asset":"a1","amount":"{money(amount)}"'))
                restraints[0][4] = d + int(r() * 4)
                note = wd(d + 1, d + 4, r())
                receipts.append(["r1", note, amount, "debtor", None])
                c_base = note
                if seize:
                    labels_extra.append(F_SEIZE)
            elif path == "auction":
                seize = intent(F_SEIZE)
                value = int(claim * (1.0 + 0.5 * r())) if not seize else int(claim * (2.5 + 3.5 * r()))
                found1 = f'[{{"asset":"a1","category":"不动产","value":"{money(value)}"}}]'
                s_day = wd(q1 + 1, q1 + 7, r())
                restraints.append(["a1", s_day, "不动产", value, None, 36, "查封"])
                ap = wd(s_day + int(speed * (20 + 25 * r())), s_day + 70, r())
                ev.append((ap, "appraisal", ',"asset":"a1"'))
                ex = wd(ap + 10, ap + 20, r())
                ev.append((ex, "exclusion_start", ',"ground":"拍卖变卖"'))
                a1 = wd(ex + 20, ex + 45, r())
                if r() < 0.4:
                    ev.append((a1, "auction", ',"asset":"a1","result":"流拍"'))
                    a1 = wd(a1 + 20, a1 + 35, r())
                if stalled:
                    a1 = T.back(a1 + 120 + int(300 * r()))
                ev.append((a1, "auction", ',"asset":"a1","result":"成交"'))
                ev.append((a1 + 1 + int(r() * 4), "exclusion_end", ',"ground":"拍卖变卖"'))
                note = wd(a1 + 10, a1 + 25, r())
                receipts.append(["r1", note, amount, "buyer", None])
                restraints[0][4] = wd(a1 + 20, a1 + 40, r())
                c_base = max(note, restraints[0][4])
                if seize:
                    labels_extra.append(F_SEIZE)
            else:  # settlement
                settlement = True
                s_day = wd(n + int(speed * (10 + 60 * r())), n + 90, r())
                ev.append((s_day, "settlement", ""))
                postpone = r() < 0.6
                if postpone:
                    ev.append((s_day, "postponement_start", ""))
                total = claim if r() < 0.5 else int(claim * (cal.SETTLEMENT_CONCESSION[0] + 0.4 * r()))
                parts = 1 + int(r() * 4)
                via_court = r() < 0.5
                day = s_day
                paid = 0
                for k in range(parts):
                    day = wd(day + 15, day + 60, r())
                    part = total - paid if k == parts - 1 else total // parts
                    paid += part
                    if via_court:
                        receipts.append([f"r{k + 1}", wd(day + 1, day + 3, r()), part, "debtor", None])
                    else:
                        direct.append((day, part))
                if postpone:
                    ev.append((max(day, s_day + 1), "postponement_end", ""))
                c_base = receipts[-1][1] if via_court else day
            c = None  # set after funds (closing follows the last disbursement)
        elif mode == TERMINATED_CURRENT:
            path = _pick(*self.tc_paths, r())
            if intent(F_T11):
                path = "misreported"
            c_base = start
            if path == "small":
                fen = 100 + int(r() * (min(99_999, claim // 20) - 100)) if claim // 20 > 200 else max(1, claim // 25)
                cat = "存款" if r() < 0.7 else "网络资金"
                found1 = f'[{{"asset":"a1","category":"{cat}","value":"{money(fen)}"}}]'
                found_small = fen
            elif path in ("partial", "misreported"):
                amount = int(claim * (cal.TERMINATED_CURRENT_PARTIAL[0] + 0.55 * r())) if path == "partial" else claim
                amount = max(1, amount)
                seize = intent(F_SEIZE)
                value = amount if not seize else int(claim * (2.5 + 3.5 * r()))
                found1 = f'[{{"asset":"a1","category":"存款","value":"{money(max(value, amount))}"}}]'
                restraints.append(["a1", q1, "存款", value, None, 12, "冻结"])
                d = wd(q1 + 3, q1 + 25, r())
                ev.append((d, "deduction", f',"asset":"a1","amount":"{money(amount)}"'))
                restraints[0][4] = d + int(r() * 4)
                receipts.append(["r1", wd(d + 1, d + 4, r()), amount, "debtor", None])
                c_base = d
                if seize:
                    labels_extra.append(F_SEIZE)
                if path == "misreported":
                    labels_extra.append(F_T11)
            elif path == "undisposable":
                seize = intent(F_SEIZE)
                if r() < 0.5:
                    value = int(claim * (0.2 + 1.3 * r())) if not seize else int(claim * (2.5 + 3.5 * r()))
                    found1 = f'[{{"asset":"a1","category":"车辆","value":"{money(value)}"}}]'
                    s_day = wd(q1 + 1, q1 + 6, r())
                    restraints.append(["a1", s_day, "车辆", value, None, 24, "查封"])
                    nd = wd(s_day + 30, s_day + 80, r())
                    ev.append((nd, "asset_not_disposable", ',"asset":"a1","reason":"车辆已在登记机关查封但未能实际扣押"'))
                else:
                    value = int(claim * (0.3 + 1.2 * r())) if not seize else int(claim * (2.5 + 3.5 * r()))
                    found1 = f'[{{"asset":"a1","category":"不动产","value":"{money(value)}"}}]'
                    s_day = wd(q1 + 1, q1 + 6, r())
                    restraints.append(["a1", s_day, "不动产", value, None, 36, "查封"])
                    ap = wd(s_day + 15, s_day + 40, r())
                    ev.append((ap, "appraisal", ',"asset":"a1"'))
                    ex = wd(ap + 7, ap + 15, r())
                    ev.append((ex, "exclusion_start", ',"ground":"拍卖变卖"'))
                    a1 = wd(ex + 20, ex + 40, r())
                    ev.append((a1, "auction", ',"asset":"a1","result":"流拍"'))
                    a2 = wd(a1 + 15, a1 + 30, r())
                    ev.append((a2, "auction", ',"asset":"a1","result":"流拍"'))
                    ev.append((a2 + 1 + int(r() * 3), "exclusion_end", ',"ground":"拍卖变卖"'))
                    nd = wd(a2 + 5, a2 + 20, r())
                    ev.append((nd, "asset_not_disposable", ',"asset":"a1","reason":"两次拍卖流拍，申请执行人不接受以物抵债"'))
                c_base = nd
                if seize:
                    labels_extra.append(F_SEIZE)
            c = None  # set by the 终本 steps below
        elif mode == TERMINATED:
            path = _pick(*self.t_paths, r())
            if path == "withdrawn":
                settlement = True
                s_day = wd(n + 10, n + 90, r())
                ev.append((s_day, "settlement", ""))
                share = cal.TERMINATED_WITHDRAWN[0] + 0.7 * r()
                total = max(1, int(claim * share))
                via_court = r() < 0.3
                day = wd(s_day + 10, s_day + 60, r())
                if via_court:
                    receipts.append(["r1", wd(day + 1, day + 3, r()), total, "debtor", None])
                else:
                    direct.append((day, total))
                c = wd(day + 5, day + 40, r())
            elif path == "bankruptcy":
                b = wd(n + 20, n + 60, r())
                ev.append((b, "bankruptcy_referral", ""))
                s0 = wd(b + 5, b + 15, r())
                ev.append((s0, "suspension_start", ""))
                s1 = wd(s0 + 180, s0 + 720, r())
                ev.append((s1, "suspension_end", ""))
                if r() < 0.3:
                    receipts.append(["r1", wd(s1 + 1, s1 + 10, r()), max(1, int(claim * (0.05 + 0.25 * r()))), "debtor", None])
                c = wd(s1 + 5, s1 + 30, r())
            elif path == "debtor_gone":
                c = wd(n + int(speed * (30 + 120 * r())), n + 180, r())
            else:
                c = wd(n + int(speed * (30 + 170 * r())), n + 240, r())
                if stalled:
                    c = T.back(c + 180 + int(400 * r()))
            c_base = c
        elif mode == WITHDRAWN:
            c = c_base = wd(filed + 5, filed + 40, r())
        elif mode == NOT_ENFORCED:
            c = c_base = wd(filed + 25, filed + 120, r())
        else:  # REJECTED
            c = c_base = wd(filed + 10, filed + 60, r())

        # ---- debtors: reports, restrictions, sanctions, listings -------------------------------
        # The parties are written last, but whether a debtor is a minor (a planted C1 lapse)
        # depends on the listing day: draw the debtors' shape now.
        pre_minors: dict[str, int] = {}
        party_rng_state = rng.getstate()
        parties_json, debtors, applicant, has_unit, lender, government = (
            self._parties(rng, filed, pre_minors) if first else (parent.parties, parent.debtors, parent.applicant, False, False, False)
        )
        long_case = mode in (PERFORMED, TERMINATED_CURRENT, TERMINATED) and path not in ("voluntary",)
        tc = mode == TERMINATED_CURRENT
        no_restriction_target = None
        if tc and intent(F_T3):
            no_restriction_target = debtors[int(r() * len(debtors))][0]
        listings: list[list] = []  # [id, party, day, grounds, term or None, is_person]
        restrictions: dict[str, int] = {}
        sanctions_done: list[int] = []
        reports: dict[str, str | None] = {}
        late_c5 = intent(F_C5)
        minor_intent = first and intent(F_C1)
        wrong_term = intent(F_C2)
        missing: list[str] = []
        for pid, is_person, _name in debtors:
            if not long_case:
                break
            u = r()
            status = REPORT_STATUSES[bisect.bisect_right(REPORT_CUM, u)] if u < REPORT_CUM[-1] else REPORT_STATUSES[0]
            if pid == no_restriction_target:
                status = "按期"
            reports[pid] = status
            if status == "按期":
                ev.append((wd(rep + 2, rep + 9, r()), "property_report", f',"party":"{pid}","status":"按期"'))
            elif status is not None:
                lag = {"逾期": (12, 40), "拒绝": (8, 20), "虚假": (5, 15)}[status]
                ev.append((wd(rep + lag[0], rep + lag[1], r()), "property_report", f',"party":"{pid}","status":"{status}"'))
            restrict = pid != no_restriction_target and (tc or r() < 0.75)
            x = wd(n + int(7 + 20 * speed * r()), n + 35, r())
            if restrict:
                restrictions[pid] = x
            bad = status != "按期"
            if bad and (tc or r() < 0.6):
                fine_day = wd(rep + 25, rep + 55, r())
                ev.append((fine_day, "fine" if r() < 0.85 else "detention", f',"party":"{pid}"'))
                sanctions_done.append(fine_day)
                lst = wd(max(x, fine_day), max(x, fine_day) + 10, r())
                grounds, term = ('["G4"]', 2) if r() < 0.95 else ('["G4","G5"]', 3)
                listings.append([f"l{len(listings) + 1}", pid, lst, grounds, term, is_person])
            if tc and is_person and r() < cal.MISSING_DEBTOR_SHARE:
                m = wd(n + 5, n + 25, r())
                ev.append((m, "debtor_missing", f',"party":"{pid}"'))
                ev.append((wd(m + 3, m + 30, r()), "debtor_search", f',"party":"{pid}"'))
                missing.append(pid)
        # A no-term listing (G1, "有能力而拒不履行") where no property is under restraint (C6).
        if long_case and not restraints and r() < 0.07:
            pid, is_person, _name = debtors[int(r() * len(debtors))]
            if pid != no_restriction_target and not any(lst[1] == pid for lst in listings):
                lst_day = wd(n + 30, n + 90, r())
                restrictions[pid] = min(restrictions.get(pid, lst_day), lst_day)
                listings.append([f"l{len(listings) + 1}", pid, lst_day, '["G1"]', None, is_person])
        if listings and late_c5:
            # C5: the restriction follows the listing instead of preceding it.
            lst = listings[0]
            restrictions[lst[1]] = lst[2] + 1 + int(r() * 10)
        if wrong_term:
            for lst in listings:
                if lst[4] is not None:
                    lst[3], lst[4] = '["G4"]', 3 + int(r() * 3)
                    break
            else:
                wrong_term = False
        # Clues from the applicant (K5) — on or before filing, or later.
        clues: list[list] = []  # [id, received, verified or None]
        if long_case and r() < cal.CLUE_SHARE:
            got = filed - int(r() * 5) if r() < 0.4 else wd(n + 5, n + 60, r())
            trigger = max(got, filed)
            due = ddl(trigger, 7)
            if intent(F_K5):
                ver = wd(due + 1, due + 30, r())
            else:
                ver = wd(trigger, min(due, trigger + int(2 + 5 * speed)), r())
            clues.append(["c1", got, ver, due])
            if r() < 0.5:
                ev.append((n, "clue_request", ""))
        if long_case and r() < 0.25:
            ev.append((wd(start + 10, start + 60, r()), "field_investigation", ""))

        # ---- closing ---------------------------------------------------------------------------------
        reg_entry = None
        if tc:
            too_early = intent(F_T7)
            stale = not too_early and intent(F_T5)
            no_interview = intent(F_T9)
            unverified = intent(F_T6)
            t7_limit = T.months(filed, 3)
            # Everything the closing must follow (TERM-2…TERM-7).
            ready = max(
                [c_base, start, *restrictions.values(), *(lst[2] for lst in listings), *sanctions_done]
                + [cl[2] for cl in clues]
                + [e[0] for e in ev]
            )
            if too_early:
                c = wd(max(ready + 5, filed + 45), t7_limit, r())
            else:
                c = wd(max(t7_limit + 1, ready + 10) + int(speed * 90 * r()), max(t7_limit + 1, ready + 10) + 150, r())
                if stalled:
                    c = T.back(c + 120 + int(300 * r()))
            inquiries_before = [q1]
            fq = None
            if stale:
                # T5: no inquiry of all four categories within the 3 months before closing.
                while T.months(c, -3) <= max(inquiries_before):
                    c = T.roll(c + 7)
                if r() < 0.5:
                    fq = wd(T.months(c, -3) + 1, c - 3, r())
                    ev.append((fq, "online_inquiry", f',"system":"总对总","categories":{NO_SECURITIES},"found":[]'))
            else:
                lo = max(T.months(c, -3), filed, c - 60)
                fq = wd(lo, c - 2, r()) if c - 2 >= lo else c
                if fq < T.months(c, -3):
                    fq = c
                refound = found1 if path == "undisposable" else "[]"
                ev.append((fq, "online_inquiry", f',"system":"总对总","categories":{FULL_CATEGORIES},"found":{refound}'))
            ruling = wd(c - 3, c, r())
            if no_interview or r() < cal.INTERVIEW_DISAGREE_SHARE:
                if not no_interview:
                    ev.append((wd(ruling - 12, ruling - 1, r()), "applicant_interview", ',"opinion":"不同意"'))
                cr = wd(ruling - 8, ruling - 1, r())
                ev.append((cr, "collegial_review", ""))
                ev.append((wd(cr, ruling, r()), "president_approval", ""))
            else:
                ev.append((wd(ruling - 12, ruling, r()), "applicant_interview", ',"opinion":"同意"'))
            ev.append((ruling, "termination_ruling", ""))
            ev.append((c, "ruling_served", ""))
            if unverified:
                got = max(filed, c - 1 - int(r() * 5))
                clues.append(["c9", got, None, ddl(got, 7)])
            k7 = ddl(c, 7)
            if k7 < END and intent(F_K7):
                reg_entry = wd(k7 + 1, min(END, k7 + 40), r())
                labels_extra.append(F_K7)
            else:
                reg_entry = wd(c, min(k7, c + int(1 + 5 * speed)), r())
            ev.append((reg_entry, "termination_registry_entry", ""))
        # Money: receipts, deferrals, lodgements and disbursements (K6), then the closing of a
        # performed case after its last disbursement.
        disb: list[tuple[str, str, int, int]] = []  # (id, receipt, day, fen)
        deferrals: list[tuple[str, int, int | None]] = []
        lodgements: list[tuple[str, int]] = []
        late6 = intent(F_K6)
        late6_done = False
        k6_eligible = False
        last_paid = 0
        for rec in receipts:
            rid, note, fen = rec[0], rec[1], rec[2]
            due = ddl(note, 30)
            u = r()
            if u < cal.LODGEMENT_SHARE:
                lodgements.append((rid, wd(note + 5, due, r())))
                rec[4] = "lodged"
                last_paid = max(last_paid, note)
                continue
            if u < cal.LODGEMENT_SHARE + cal.DEFERRAL_SHARE:
                approved = wd(note + 2, min(due, note + 20), r())
                ends = approved + 20 + int(r() * 70)
                deferrals.append((rid, approved, ends))
                rec[4] = "deferred"
                pay = wd(ends, ddl(ends, 10), r())
            elif late6 and not late6_done and due <= END:
                late6_done = True
                pay = wd(due + 1, due + 45, r())
            else:
                pay = wd(note + 2, min(due, note + int(3 + 22 * speed)), r())
            if rec[4] is None and due <= END:
                k6_eligible = True
            disb.append((f"d{len(disb) + 1}", rid, pay, fen))
            last_paid = max(last_paid, pay)
        if mode == PERFORMED:
            c = wd(max(c_base, last_paid), max(c_base, last_paid) + 10, r())
        if c is None:  # pragma: no cover - every path sets a closing day
            raise AssertionError(path)
        closed = c <= END

        # ---- interval and restraint housekeeping ---------------------------------------------------
        # A temporary suspension (中止) in a longer case, before the closing.
        if long_case and mode != TERMINATED_CURRENT and path != "bankruptcy" and c - start > 90 and r() < cal.SUSPENSION_SHARE * 3:
            s0 = wd(start + 10, c - 60, r())
            ev.append((s0, "suspension_start", ""))
            ev.append((wd(s0 + 15, min(s0 + 120, c - 5), r()), "suspension_end", ""))
        # An extension approved before the 6-month deadline of a case running longer (DL-13).
        base_deadline = T.months(filed, 3 if non_litigation else 6)
        if c > base_deadline + 20 and mode in (PERFORMED, TERMINATED) and r() < 0.5:
            day = wd(base_deadline - 20, base_deadline - 5, r())
            if day > filed + 30:
                ev.append((day, "extension_approved", ',"months":3'))
        for rs in restraints:
            asset, day, cat, value, released, term, measure = rs
            expires = T.months(day, term)
            extra = f',"asset":"{asset}","measure":"{measure}","category":"{cat}","value":"{money(value)}","expires_on":"{T.format(expires)}"'
            ev.append((day, "restraint", extra))
            if released is not None:
                ev.append((released, "restraint_released", f',"asset":"{asset}"'))
                continue
            # Renew before expiry while the restraint is kept (DL-20; TERM-14 after 终本).
            while expires <= END:
                renew = wd(expires - 40, expires - 5, r())
                expires = T.months(expires, term)
                ev.append((renew, "restraint_renewed", f',"asset":"{asset}","expires_on":"{T.format(expires)}"'))

        # ---- after a 终本 closing: six-monthly inquiries (K8), deletions, resumption --------------
        resumption = None
        empty_after: list[int] = []
        k8_eligible = k8_fault = False
        if tc and closed:
            five_years = T.months(c, 60)
            horizon = END
            resumed_on = None
            if path != "misreported":
                u = r()
                hazard = cal.RESUMPTION_FIRST_YEAR
                for year in range(5):
                    if u < hazard:
                        resumed_on = T.roll(T.months(c, 12 * year) + 20 + int(r() * 340))
                        break
                    u -= hazard
                    hazard /= 2
                if resumed_on is not None and resumed_on <= END:
                    horizon = min(END, resumed_on)
                else:
                    resumed_on = None
            missed = intent(F_K8)
            miss_at = int(r() * 3)
            prev = c
            k = 0
            while True:
                due = T.months_deadline(prev, 6)
                if due > five_years:
                    break
                live = due <= END and (resumed_on is None or due <= resumed_on)
                if k == 0 and live:
                    k8_eligible = True
                if missed and k == miss_at:
                    nxt = T.roll(due + 10 + int(r() * 110))
                    if live:
                        k8_fault = True
                else:
                    nxt = T.back(prev + 120 + int(55 * r()))
                if nxt > horizon:
                    break
                found = "[]"
                if resumed_on is not None and resumed_on - nxt < 120 and T.months_deadline(nxt, 6) > resumed_on:
                    found = f'[{{"asset":"a9","category":"存款","value":"{money(max(100, claim // 3))}"}}]'
                else:
                    empty_after.append(nxt)
                ev.append((nxt, "online_inquiry", f',"system":"总对总","categories":{CORE and FULL_CATEGORIES},"found":{found}'))
                if r() < 0.7:
                    ev.append((nxt + 1 + int(r() * 6), "inquiry_result_notified", ""))
                prev = nxt
                k += 1
            if resumed_on is not None:
                recovered_then = sum(rec[2] for rec in receipts if rec[1] <= resumed_on)
                resumption = Parent(
                    case_number=number,
                    filed_on=resumed_on,
                    unpaid=claim - recovered_then,
                    parties=parties_json,
                    debtors=debtors,
                    applicant=applicant,
                    basis="",
                    tags="",
                    non_litigation=non_litigation,
                    handler=handler,
                )

        # ---- listings: deletion on their ground (C3, C4, K9) ---------------------------------------
        # Listings, restrictions and reports scheduled after the closing never happened.
        if closed:
            listings = [lst for lst in listings if lst[2] <= c]
            restrictions = {p: d for p, d in restrictions.items() if d <= c or (late_c5 and listings and p == listings[0][1])}
        late_del = intent(F_DEL)
        del_eligible = del_fault = False
        deletions: dict[str, int | None] = {}
        for lst in listings:
            lid, pid, day, grounds, term, _ = lst
            early = None
            if term is not None:
                ground = T.months(day, 12 * term)
                if closed and mode == PERFORMED:
                    early = wd(c + 1, c + 7, r())
            else:
                ground = None
                if closed and mode in (PERFORMED, TERMINATED, NOT_ENFORCED):
                    ground = c
                elif closed and tc and len(empty_after) >= 2:
                    ground = max(empty_after[1], day)
            if ground is None:
                deletions[lid] = early
                continue
            due = T.working_days_after(ground, 3)
            live = due <= END
            if live:
                del_eligible = True
            if late_del and live and not del_fault:
                del_fault = True
                deletions[lid] = None if r() < 0.3 else wd(due + 1, due + 60, r())
            else:
                deletions[lid] = early if early is not None and early <= due else wd(ground, due, r())
        # Lift the restrictions of a performed case once its listings are gone (CONS-7, C5).
        lifts: dict[str, int] = {}
        if closed and mode == PERFORMED:
            for pid in restrictions:
                gone = [deletions.get(lst[0]) for lst in listings if lst[1] == pid]
                if any(d is None for d in gone):
                    continue
                lifts[pid] = max([c, *gone]) + 1 + int(r() * 9)

        # ---- petitions -----------------------------------------------------------------------------
        petitions: list[str] = []
        preg_eligible = preg_fault = pclose_eligible = pclose_fault = False
        p_share = cal.PETITION_SHARE * (2.0 if tc or stalled else 0.6)
        if r() < p_share:
            lo = filed + 20
            hi = (c if closed else END) + 60
            got = lo + int(r() * max(1, hi - lo))
            if got <= END:
                source = PETITION_SOURCES[int(r() * 4)]
                u = r()
                referred = next(ref for cut, ref in REFERRERS if u < cut)
                reg_due = T.working_days_after(got, 5)
                close_due = ddl(got, 30)
                if reg_due <= END:
                    preg_eligible = True
                if close_due <= END:
                    pclose_eligible = True
                if preg_eligible and intent(F_PREG):
                    preg_fault = True
                    registered = T.working_days_after(got, 6 + int(r() * 10))
                else:
                    registered = wd(got, reg_due, r())
                if pclose_eligible and intent(F_PCLOSE):
                    pclose_fault = True
                    closed_p = None if r() < 0.3 else wd(close_due + 1, close_due + 40, r())
                else:
                    closed_p = wd(max(registered, got + 5), close_due, r())
                if closed_p is not None and closed_p < registered:
                    closed_p = registered
                lower = self.supervising is not None and r() < 0.15
                fields_ = [f'"id":"x1","received_on":"{T.format(got)}"']
                fields_.append(f'"registered_on":"{T.format(registered)}"' if registered <= END else '"registered_on":null')
                fields_.append(f'"source":"{source}"')
                fields_.append(f'"referred_by":"{referred}"' if referred else '"referred_by":null')
                fields_.append(f'"about_lower_court":{"true" if lower else "false"}')
                if lower:
                    fields_.append(f'"handled_by":"{self.supervising}"')
                    screened = wd(got + 1, T.working_days_after(got, 15), r())
                    fields_.append(f'"screened_on":"{T.format(screened)}"' if screened <= END else '"screened_on":null')
                else:
                    fields_.append('"screened_on":null')
                if closed_p is not None and closed_p <= END:
                    fields_.append(f'"closed_on":"{T.format(closed_p)}","replied":true')
                else:
                    fields_.append('"closed_on":null,"replied":null')
                petitions.append("{" + ",".join(fields_) + "}")

        # ---- write the events ------------------------------------------------------------------------
        if h <= c or not closed:
            ev.append((h, "handler_assigned", self.handler_json[handler]))
        ev.append((n, "execution_notice", ""))
        ev.append((rep, "property_report_order", ""))
        if long_case or mode == TERMINATED_CURRENT or r() < 0.5:
            ev.append((q1, "online_inquiry", f',"system":"总对总","categories":{FULL_CATEGORIES},"found":{found1 or "[]"}'))
        for pid, day in restrictions.items():
            ev.append((day, "consumption_restriction", f',"party":"{pid}"'))
        for lid, pid, day, grounds, term, _ in listings:
            term_json = "null" if term is None else str(term)
            ev.append((day, "credit_listing", f',"id":"{lid}","party":"{pid}","grounds":{grounds},"term_years":{term_json}'))
            gone = deletions.get(lid)
            if gone is not None:
                ev.append((gone, "credit_deletion", f',"party":"{pid}","listing":"{lid}"'))
        for pid, day in lifts.items():
            ev.append((day, "consumption_restriction_lifted", f',"party":"{pid}"'))
        for cid, got, ver, _due in clues:
            ev.append((got, "clue_received", f',"clue":"{cid}"'))
            if ver is not None:
                ev.append((ver, "clue_verified", f',"clue":"{cid}"'))

        # Pre-closing acts dated after the closing did not happen (the case was closed first).
        kept = []
        post_ok = _POST_CLOSING
        for e in ev:
            day = e[0]
            if day > END:
                continue
            if closed and day > c and e[1] not in post_ok:
                continue
            kept.append(e)
        kept.sort(key=itemgetter(0))

        # ---- labels: which planted lapses are failing checks at END ------------------------------------
        labels: list[int] = []
        seen_nodes: dict[str, int] = {}
        for day, node, _ in kept:
            if node in _FIRST_NODES and node not in seen_nodes and day >= filed:
                seen_nodes[node] = day
        for k, node, due in ((F_K1, "handler_assigned", k1), (F_K2, "execution_notice", k2),
                             (F_K3, "property_report_order", k2), (F_K4, "online_inquiry", k4)):  # fmt: skip
            done = seen_nodes.get(node)
            if closed and c <= due and (done is None or done > c):
                continue  # lapsed (indicators.md §3)
            if due <= END:
                eligible.append(k)
                if done is None or done > due:
                    labels.append(k)
        for cid, got, ver, due in clues:
            if cid == "c9":
                continue  # received right before a 终本 closing: K5 lapses, T6 fails
            if closed and c <= due and (ver is None or ver > c):
                continue
            if due <= END:
                eligible.append(F_K5)
                if ver is None or ver > due or ver > END:
                    labels.append(F_K5)
        if k6_eligible:
            eligible.append(F_K6)
            if late6_done:
                labels.append(F_K6)
        if tc and closed:
            if ddl(c, 7) < END:
                eligible.append(F_K7)
            if k8_eligible:
                eligible.append(F_K8)
                if k8_fault:
                    labels.append(F_K8)
            eligible.extend((F_T3, F_T6, F_T7, F_T9, F_T11))
            if not too_early:
                eligible.append(F_T5)
            if no_restriction_target is not None:
                labels.append(F_T3)
            if stale:
                labels.append(F_T5)
            if unverified:
                labels.append(F_T6)
            if too_early and c <= t7_limit:
                labels.append(F_T7)
            if no_interview:
                labels.append(F_T9)
        if closed and mode == PERFORMED and not settlement:
            eligible.append(F_PERF)
            if misreport:
                labels.append(F_PERF)
        if listings:
            kept_listings = [lst for lst in listings if lst[2] <= END]
            if kept_listings:
                eligible.append(F_C5)
                if late_c5:
                    labels.append(F_C5)
                if first and any(lst[5] for lst in kept_listings):
                    eligible.append(F_C1)
                if any(lst[4] is not None for lst in kept_listings):
                    eligible.append(F_C2)
                    if wrong_term and listings[0][2] <= END or wrong_term and any(lst[4] is not None and lst[4] > 2 and lst[3] == '["G4"]' for lst in kept_listings):
                        labels.append(F_C2)
        if del_eligible:
            eligible.append(F_DEL)
            if del_fault:
                labels.append(F_DEL)
        if preg_eligible:
            eligible.append(F_PREG)
            if preg_fault:
                labels.append(F_PREG)
        if pclose_eligible:
            eligible.append(F_PCLOSE)
            if pclose_fault:
                labels.append(F_PCLOSE)
        if restraints and restraints[0][1] <= END:
            eligible.append(F_SEIZE)
        for k in labels_extra:
            if k == F_SEIZE and restraints and restraints[0][1] <= END:
                labels.append(k)
            elif k == F_T11 and tc and closed:
                labels.append(k)
            elif k == F_K7 and tc and closed:
                labels.append(k)
        # C1: a person debtor listed under 18 (planted by rewriting the debtor's birth date).
        if minor_intent and first:
            person_listings = [lst for lst in listings if lst[5] and lst[2] <= END]
            if person_listings:
                target = person_listings[0]
                birth = target[2] - 16 * 365 - int(r() * 600)
                rng2 = Random()
                rng2.setstate(party_rng_state)
                parties_json, debtors, applicant, has_unit, lender, government = self._parties(rng2, filed, {target[1]: birth})
                labels.append(F_C1)

        # ---- the line --------------------------------------------------------------------------------
        recovered = sum(rec[2] for rec in receipts if rec[1] <= END) + sum(fen for day, fen in direct if day <= END)
        iso = T.iso
        base = T.base
        events_json = ",".join(f'{{"node":"{node}","on":"{iso[day - base]}"{extra}}}' for day, node, extra in kept)
        if first:
            kind = _basis_kind(r, non_litigation, mode)
            basis_year = T.format(filed)[:4]
            eff = filed - 20 - int(r() * 200)
            issuer = "" if non_litigation else court.name
            doc_code = {"民事判决书": "民初", "民事调解书": "民初", "仲裁裁决书": "", "公证债权文书": "", "行政处罚决定书": ""}[kind]
            if doc_code:
                docno = f"（{int(basis_year) - (1 if eff < filed - 150 else 0)}）{court.code}{doc_code}{1 + int(r() * 4000)}号"
            elif kind == "仲裁裁决书":
                docno = f"焦仲裁字〔{basis_year}〕第{1 + int(r() * 900)}号"
                issuer = "焦作仲裁委员会"
            elif kind == "公证债权文书":
                docno = f"（{basis_year}）豫焦证字第{1 + int(r() * 5000)}号"
                issuer = f"{court.place}公证处"
            else:
                docno = f"{court.place[:2]}行罚决字〔{basis_year}〕{1 + int(r() * 300)}号"
                issuer = names.agency_name(rng, court.place)
            basis = f'{{"document_number":"{docno}","issuer":"{issuer}","kind":"{kind}","effective_on":"{T.format(eff)}"}}'
            tags = []
            if r() < cal.LIVELIHOOD_SHARE:
                tags.append('"涉民生"')
            if has_unit:
                tags.append('"涉企"')
            if lender:
                tags.append('"涉金融"')
            if government or non_litigation:
                tags.append('"涉党政机关"')
            tags_json = "[" + ",".join(tags) + "]"
        else:
            basis, tags_json = parent.basis, parent.tags
        if resumption is not None:
            resumption.basis, resumption.tags = basis, tags_json
        out = [f'{{"case_number":"{number}","court":"{court.code}","case_type":"{FIRST if first else RESUMED}"']
        if non_litigation:
            out.append(',"non_litigation":true')
        out.append(f',"application_received_on":"{T.format(received)}","filed_on":"{T.format(filed)}"')
        if not first:
            out.append(f',"original_case_number":"{parent.case_number}"')
        out.append(f',"basis":{basis},"claim_amount":"{money(claim)}","recovered_amount":"{money(recovered)}"')
        if tags_json != "[]":
            out.append(f',"tags":{tags_json}')
        if h <= END and (h <= c or not closed):
            out.append(f',"handler":"{self.handlers[handler]}"')
        out.append(f',"parties":{parties_json},"events":[{events_json}]')
        # Funds.
        rec_json = []
        payer_names = {"debtor": debtors[0][2], "buyer": "竞买人"}
        for rid, note, fen, payer, _marker in receipts:
            if note <= END:
                rec_json.append(f'{{"id":"{rid}","notice_on":"{T.format(note)}","amount":"{money(fen)}","payer":"{payer_names[payer]}"}}')
        if rec_json:
            out.append(f',"receipts":[{",".join(rec_json)}]')
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
                    fj.append(f'{{"receipt":"{rid}","approved_on":"{T.format(approved)}","ground":"{DEFERRAL_GROUND}","ends_on":{ends_json}}}')
            if fj:
                out.append(f',"deferrals":[{",".join(fj)}]')
            lj = [
                f'{{"receipt":"{rid}","on":"{T.format(day)}","ground":"{LODGEMENT_GROUND}"}}' for rid, day in lodgements if day <= END
            ]
            if lj:
                out.append(f',"lodgements":[{",".join(lj)}]')
        if petitions:
            out.append(f',"petitions":[{",".join(petitions)}]')
        if closed:
            out.append(f',"closing":{{"on":"{T.format(c)}","mode":"{mode}"}}')
        out.append("}")
        labels.sort()
        return Result(
            line="".join(out),
            labels=[NAMES[k] for k in labels],
            mode=mode if closed else None,
            first=first,
            claim=claim,
            recovered=recovered,
            eligible=eligible,
            resumption=resumption,
        )


_POST_CLOSING = frozenset(
    {
        "termination_registry_entry", "online_inquiry", "inquiry_result_notified", "credit_deletion",
        "consumption_restriction_lifted", "restraint_renewed", "restraint_released",
    }
)  # fmt: skip
_FIRST_NODES = frozenset({"handler_assigned", "execution_notice", "property_report_order", "online_inquiry"})


def _claim(r, factor: int) -> int:
    """A log-normal claim in fen, rounded to whole yuan mostly (calibration.CLAIM_*)."""
    import math

    z = _normal(r)
    yuan = cal.CLAIM_MEDIAN_YUAN * factor * math.exp(cal.CLAIM_SIGMA * z)
    yuan = min(max(yuan, cal.CLAIM_MIN_YUAN), cal.CLAIM_MAX_YUAN * factor)
    if r() < 0.7:
        return int(yuan) * 100
    return int(yuan * 100)


def _normal(r) -> float:
    # Box–Muller with the stream's own draws (random.gauss keeps hidden state between calls,
    # which would make a case depend on the one before it in a different way).
    import math

    u1 = r() or 1e-12
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * r())


def _basis_kind(r, non_litigation: bool, mode: str) -> str:
    if non_litigation:
        return "行政处罚决定书"
    if mode == NOT_ENFORCED:
        return "仲裁裁决书" if r() < 0.6 else "公证债权文书"
    u = r()
    return "民事判决书" if u < 0.62 else "民事调解书" if u < 0.92 else "仲裁裁决书" if u < 0.97 else "公证债权文书"
