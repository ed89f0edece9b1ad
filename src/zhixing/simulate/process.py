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
import math
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from random import Random

from zhixing.simulate import calibration as cal
from zhixing.simulate import names
from zhixing.simulate.courts import Court
from zhixing.simulate.days import DayTables
from zhixing.simulate.faults import INDEX, NAMES, OVER_SEIZURE_FACTOR

# Fault indexes (faults.KINDS order).
(
    F_K1, F_K2, F_K3, F_K4, F_K5, F_K6, F_K7, F_K8, F_T3, F_T5, F_T6, F_T7, F_T9, F_T11, F_PERF, F_C1, F_C2,
    F_DEL, F_C5, F_PREG, F_PCLOSE, F_SEIZE,
) = range(len(NAMES))  # fmt: skip
if NAMES[F_SEIZE] != "over_seizure" or INDEX["minor_listed"] != F_C1:  # pragma: no cover
    raise ImportError("faults.KINDS and the indexes here disagree")

PERFORMED, TERMINATED_CURRENT, TERMINATED = "执行完毕", "终结本次执行程序", "终结执行"
WITHDRAWN, NOT_ENFORCED, REJECTED = "销案", "不予执行", "驳回申请"
MODES = (PERFORMED, TERMINATED_CURRENT, TERMINATED, WITHDRAWN, NOT_ENFORCED, REJECTED)
FIRST, RESUMED = "首次执行", "恢复执行"

CORE = '"存款","车辆","不动产","有价证券"'
FULL_CATEGORIES = f'[{CORE},"网络资金","理财产品","保险","股权","公积金"]'
NO_SECURITIES = '["存款","车辆","不动产","网络资金","理财产品"]'
#: Months a restraint lasts before it must be renewed (民诉法解释 第485条, DL-20): deposits 1
#: year, movables 2 years, real estate 3 years.
DEPOSIT_TERM, MOVABLE_TERM, REAL_ESTATE_TERM = 12, 24, 36
REPORT_STATUSES = tuple(cal.REPORT_STATUS_SHARES)
REPORT_CUM = tuple(
    sum(tuple(cal.REPORT_STATUS_SHARES.values())[: i + 1]) for i in range(len(REPORT_STATUSES))
)
#: Days after the report order that a report comes in, by status (财产调查规定: the order sets
#: a period; late, refused and false reports come later).
REPORT_LAGS = {"按期": (2, 9), "逾期": (12, 40), "拒绝": (8, 20), "虚假": (5, 15)}
DEFERRAL_GROUND = "需要进行案款分配"
LODGEMENT_GROUND = "申请执行人下落不明"
PETITION_SOURCES = ("来访", "来信", "网上", "电话")
REFERRERS = ((0.80, None), (0.93, "中级人民法院"), (0.985, "高级人民法院"), (1.0, "最高人民法院"))


_NO_LIMIT = 10**9
#: Of unit debtors, the share that is a government body (涉党政机关).
_GOVERNMENT = cal.GOVERNMENT_DEBTOR_SHARE / (1 - cal.DEBTOR_PERSON_SHARE)


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
    debtors: list  # (party id, is_person, name, id_number)
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
            if v < _GOVERNMENT:
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
        T = self.T
        END = self.end
        r = rng.random
        speed = self.speed * (0.8 + 0.4 * r())
        wd = T.working_day_between
        ddl = T.days_deadline
        first = parent is None
        court = self.court

        handler = int(r() * len(self.handlers)) if first else parent.handler
        rates = self.handler_rates[handler]  # lapse probabilities of this handler (faults.KINDS order)

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

        ev: list[tuple[int, str, str]] = []  # (day, node, extra JSON fields)
        receipts: list[list] = []  # [id, notice day, fen, payer, None | "deferred" | "lodged"]
        direct: list[tuple[int, int]] = []  # payments straight to the applicant: (day, fen)
        # restraints: [asset, day, category, value fen, released day or None, term months, measure]
        restraints: list[list] = []
        planted: list[int] = []  # lapses planted that materialise whenever the case is seen closed
        eligible: list[int] = []
        labels: list[int] = []

        # ---- the first days: handler, notice, report order, first inquiry (K1–K4) --------------
        k1 = ddl(filed, 7)
        k2 = ddl(received, 10)
        k4 = ddl(filed, 10)
        late1, late2, late3, late4 = (
            r() < rates[F_K1],
            r() < rates[F_K2],
            r() < rates[F_K3],
            r() < rates[F_K4],
        )
        h = wd(k1 + 1, k1 + 25, r()) if late1 else wd(filed, min(k1, filed + int(4 * speed)), r())
        n_lo = h if h <= k2 else filed
        n_on = wd(n_lo, min(k2, n_lo + int(6 * speed)), r())
        n = wd(k2 + 1, k2 + 40, r()) if late2 else n_on
        rep = wd(k2 + 1, k2 + 40, r()) if late3 else n_on
        q1 = wd(k4 + 1, k4 + 30, r()) if late4 else wd(filed, min(k4, filed + int(1 + 7 * speed)), r())
        start = max(n, rep, q1)  # enforcement proper starts once notice, order and inquiry are out

        # ---- the path to the closing ----------------------------------------------------------------
        stalled = r() < 0.06  # a case that drags on (the backlog of seed 000)
        path = ""
        found1 = "[]"  # what the first inquiry found
        misreport = False
        settlement = False
        c: int | None = None  # closing day; after END the case is open at the snapshot
        c_base = start
        seize = False
        if mode == PERFORMED:
            path = _pick(*self.performed_paths, r())
            misreport = path != "settlement" and r() < rates[F_PERF]
            amount = claim if not misreport else max(1, int(claim * (0.3 + 0.65 * r())))
            if path == "voluntary":
                pay = wd(n + int(speed * (3 + 40 * r())), n + 80, r())
                note = wd(pay + 1, pay + 3, r())
                receipts.append(["r1", note, amount, "debtor", None])
                c_base = note
            elif path == "deduction":
                seize = r() < rates[F_SEIZE]
                value = claim if not seize else _over(claim, r)
                balance = max(value, int(claim * (1 + 2 * r())))
                found1 = f'[{{"asset":"a1","category":"存款","value":"{money(balance)}"}}]'
                d = wd(q1 + int(speed * (3 + 22 * r())), q1 + 45, r())
                restraints.append(["a1", q1, "存款", value, d + int(r() * 4), DEPOSIT_TERM, "冻结"])
                ev.append((d, "deduction", f',"asset":"a1","amount":"{money(amount)}"'))
                note = wd(d + 1, d + 4, r())
                receipts.append(["r1", note, amount, "debtor", None])
                c_base = note
            elif path == "auction":
                seize = r() < rates[F_SEIZE]
                value = int(claim * (1.0 + 0.5 * r())) if not seize else _over(claim, r)
                found1 = f'[{{"asset":"a1","category":"不动产","value":"{money(value)}"}}]'
                s_day = wd(q1 + 1, q1 + 7, r())
                ap = wd(s_day + int(speed * (20 + 25 * r())), s_day + 80, r())
                ev.append((ap, "appraisal", ',"asset":"a1"'))
                ex = wd(ap + 10, ap + 20, r())
                ev.append((ex, "exclusion_start", ',"ground":"拍卖变卖"'))
                sold = wd(ex + 20, ex + 45, r())
                if r() < 0.4:
                    ev.append((sold, "auction", ',"asset":"a1","result":"流拍"'))
                    sold = wd(sold + 20, sold + 35, r())
                if stalled:
                    sold = T.back(sold + 120 + int(300 * r()))
                ev.append((sold, "auction", ',"asset":"a1","result":"成交"'))
                ev.append((sold + 1 + int(r() * 4), "exclusion_end", ',"ground":"拍卖变卖"'))
                note = wd(sold + 10, sold + 25, r())
                receipts.append(["r1", note, amount, "buyer", None])
                released = wd(sold + 20, sold + 40, r())
                restraints.append(["a1", s_day, "不动产", value, released, REAL_ESTATE_TERM, "查封"])
                c_base = max(note, released)
            else:  # a settlement performed (执行和解履行完毕)
                settlement = True
                s_day = wd(n + int(speed * (10 + 60 * r())), n + 120, r())
                ev.append((s_day, "settlement", ""))
                postpone = r() < 0.6
                if postpone:
                    ev.append((s_day, "postponement_start", ""))
                lo_share, hi_share = cal.SETTLEMENT_CONCESSION
                total = claim if r() < 0.5 else max(1, int(claim * (lo_share + (hi_share - lo_share) * r())))
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
                    ev.append((day, "postponement_end", ""))
                c_base = receipts[-1][1] if via_court else day
        elif mode == TERMINATED_CURRENT:
            path = _pick(*self.tc_paths, r())
            if r() < rates[F_T11]:
                path = "misreported"  # 终本 although the whole claim was recovered
            if path == "small":
                # TERM-5 practice: balances under 1,000 yuan and at most 5 % of the unpaid claim.
                fen = 100 + int(r() * (min(99_900, claim // 20) - 100))
                cat = "存款" if r() < 0.7 else "网络资金"
                found1 = f'[{{"asset":"a1","category":"{cat}","value":"{money(fen)}"}}]'
            elif path in ("partial", "misreported"):
                if path == "partial":
                    lo_share, hi_share = cal.TERMINATED_CURRENT_PARTIAL
                    amount = max(1, int(claim * (lo_share + (hi_share - lo_share) * r())))
                else:
                    amount = claim
                    planted.append(F_T11)
                seize = r() < rates[F_SEIZE]
                value = amount if not seize else _over(claim, r)
                found1 = f'[{{"asset":"a1","category":"存款","value":"{money(max(value, amount))}"}}]'
                d = wd(q1 + 3, q1 + 25, r())
                restraints.append(["a1", q1, "存款", value, d + int(r() * 4), DEPOSIT_TERM, "冻结"])
                ev.append((d, "deduction", f',"asset":"a1","amount":"{money(amount)}"'))
                receipts.append(["r1", wd(d + 1, d + 4, r()), amount, "debtor", None])
                c_base = d
            elif path == "undisposable":
                seize = r() < rates[F_SEIZE]
                s_day = wd(q1 + 1, q1 + 6, r())
                if r() < 0.5:
                    # TERM-5: a vehicle sealed at the registry but never seized.
                    value = int(claim * (0.2 + 1.3 * r())) if not seize else _over(claim, r)
                    found1 = f'[{{"asset":"a1","category":"车辆","value":"{money(value)}"}}]'
                    restraints.append(["a1", s_day, "车辆", value, None, MOVABLE_TERM, "查封"])
                    nd = wd(s_day + 30, s_day + 80, r())
                    ev.append(
                        (
                            nd,
                            "asset_not_disposable",
                            ',"asset":"a1","reason":"车辆已在登记机关查封但未能实际扣押"',
                        )
                    )
                else:
                    # TERM-5: two auctions failed and the applicant would not take the property.
                    value = int(claim * (0.3 + 1.2 * r())) if not seize else _over(claim, r)
                    found1 = f'[{{"asset":"a1","category":"不动产","value":"{money(value)}"}}]'
                    restraints.append(["a1", s_day, "不动产", value, None, REAL_ESTATE_TERM, "查封"])
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
                    ev.append(
                        (
                            nd,
                            "asset_not_disposable",
                            ',"asset":"a1","reason":"两次拍卖流拍，申请执行人不接受以物抵债"',
                        )
                    )
                c_base = nd
        elif mode == TERMINATED:
            path = _pick(*self.t_paths, r())
            if path == "withdrawn":
                settlement = True
                s_day = wd(n + 10, n + 90, r())
                ev.append((s_day, "settlement", ""))
                lo_share, hi_share = cal.TERMINATED_WITHDRAWN
                total = max(1, int(claim * (lo_share + (hi_share - lo_share) * r())))
                day = wd(s_day + 10, s_day + 60, r())
                if r() < 0.3:
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
                    share = max(1, int(claim * (0.05 + 0.25 * r())))
                    receipts.append(["r1", wd(s1 + 1, s1 + 10, r()), share, "debtor", None])
                c = wd(s1 + 5, s1 + 30, r())
            elif path == "debtor_gone":
                c = wd(n + int(speed * (30 + 120 * r())), n + 200, r())
            else:
                c = wd(n + int(speed * (30 + 170 * r())), n + 280, r())
                if stalled:
                    c = T.back(c + 180 + int(400 * r()))
        elif mode == WITHDRAWN:
            c = wd(filed + 5, filed + 40, r())
        elif mode == NOT_ENFORCED:
            c = wd(filed + 25, filed + 120, r())
        else:  # REJECTED
            c = wd(filed + 10, filed + 60, r())
        if seize:
            planted.append(F_SEIZE)

        # ---- money: deferrals, lodgements, disbursements (K6, FUND-1…3) ------------------------------
        disb: list[tuple[str, str, int, int]] = []  # (id, receipt, day, fen)
        deferrals: list[tuple[str, int, int]] = []
        lodgements: list[tuple[str, int]] = []
        late6 = r() < rates[F_K6]
        late6_done = k6_eligible = False
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
        tc = mode == TERMINATED_CURRENT
        # Acts before the closing must precede it (and cases are cut at END); a 终本 closing
        # is fixed after all of them, so there is no limit yet.
        limit = min(END, c) if not tc else _NO_LIMIT

        # ---- parties and debtors: reports, restrictions, sanctions, listings -----------------------
        if first:
            parties_json, debtors, applicant, has_unit, lender, government = self._parties(
                rng, filed, non_litigation
            )
        else:
            parties_json, debtors, applicant = parent.parties, parent.debtors, parent.applicant
            has_unit = lender = government = False
        long_case = mode in (PERFORMED, TERMINATED_CURRENT, TERMINATED) and path != "voluntary"
        no_restriction = debtors[int(r() * len(debtors))][0] if tc and r() < rates[F_T3] else None
        listings: list[list] = []  # [id, party, day, grounds JSON, term or None, is person]
        restrictions: dict[str, int] = {}
        coercions: list[int] = []
        late_c5, minor_intent, wrong_term = r() < rates[F_C5], first and r() < rates[F_C1], r() < rates[F_C2]
        # A debtor still a minor (one listed as a minor in the original case, C1) is never
        # listed again (CREDIT-4): treated as reporting on time, so T4 needs no listing.
        minors = () if first else [d[0] for d in debtors if d[1] and _adult_on(d[3]) > filed]
        if long_case:
            for pid, is_person, _name, _number in debtors:
                u = r()
                status = REPORT_STATUSES[bisect.bisect_right(REPORT_CUM, u)] if u < REPORT_CUM[-1] else "按期"
                if pid == no_restriction or pid in minors:
                    status = "按期"  # T3 alone: nothing that would call for a listing (C5)
                if status is not None:
                    lo_lag, hi_lag = REPORT_LAGS[status]
                    day = wd(rep + lo_lag, rep + hi_lag, r())
                    if day <= limit:
                        ev.append((day, "property_report", f',"party":"{pid}","status":"{status}"'))
                    elif not tc:
                        status = "按期"  # the case closed before the report came in
                x = wd(n + int(7 + 20 * speed * r()), n + 40, r())
                restrict = pid != no_restriction and (tc or r() < 0.75) and x <= limit
                if restrict:
                    restrictions[pid] = x
                if status != "按期" and (tc or r() < 0.6):
                    # PROP-6 / CREDIT-2: fine (or detain) and list a debtor who breached the report duty.
                    fine_day = wd(rep + 25, rep + 55, r())
                    lst = wd(max(x, fine_day), max(x, fine_day) + 10, r())
                    if lst <= limit:
                        ev.append((fine_day, "fine" if r() < 0.85 else "detention", f',"party":"{pid}"'))
                        coercions.append(fine_day)
                        restrictions[pid] = x  # C5: restricted on or before the listing day
                        grounds, term = ('["G4"]', 2) if r() < 0.95 else ('["G4","G5"]', 3)
                        listings.append([f"l{len(listings) + 1}", pid, lst, grounds, term, is_person])
                if tc and is_person and r() < cal.MISSING_DEBTOR_SHARE:
                    m = wd(n + 5, n + 25, r())
                    ev.append((m, "debtor_missing", f',"party":"{pid}"'))
                    ev.append((wd(m + 3, m + 30, r()), "debtor_search", f',"party":"{pid}"'))
            # A no-term listing (G1 有能力而拒不履行): only where nothing is under restraint and
            # the claim stays unpaid (C6 compares restraints with claim − recovered).
            g1_ok = (tc and path != "misreported") or mode == TERMINATED
            if g1_ok and not restraints and r() < 0.08:
                pid, is_person, _name, _number = debtors[int(r() * len(debtors))]
                day = wd(n + 30, n + 90, r())
                if (
                    pid != no_restriction
                    and pid not in minors
                    and day <= limit
                    and not any(lst[1] == pid for lst in listings)
                ):
                    restrictions[pid] = min(restrictions.get(pid, day), day)
                    listings.append([f"l{len(listings) + 1}", pid, day, '["G1"]', None, is_person])
        # Plant the listing lapses on the first listing of the right kind seen by END.
        seen = [lst for lst in listings if lst[2] <= END]
        c5_target = seen[0][0] if late_c5 and seen else None
        if c5_target is not None:
            lst = seen[0]
            # C5: the restriction follows the listing instead of preceding it.
            restrictions[lst[1]] = wd(lst[2] + 1, lst[2] + 10, r())
            if restrictions[lst[1]] > limit:
                del restrictions[lst[1]]
        c2_target = None
        if wrong_term:
            for lst in seen:
                if lst[4] is not None:
                    lst[3], lst[4] = '["G4"]', 3 + int(r() * 3)  # one ground: only 2 years is right
                    c2_target = lst[0]
                    break
        # Clues from the applicant (K5): handed in with the application or later.
        clues: list[list] = []  # [id, received, verified or None, K5 last day]
        if long_case and r() < cal.CLUE_SHARE:
            got = filed - int(r() * 5) if r() < 0.4 else wd(n + 5, n + 60, r())
            if got <= limit:
                trigger = max(got, filed)
                due = ddl(trigger, 7)
                if r() < rates[F_K5]:
                    ver = wd(due + 1, due + 30, r())
                else:
                    ver = wd(trigger, min(due, trigger + int(2 + 5 * speed)), r())
                clues.append(["c1", got, ver, due])
                ev.append((n, "clue_request", ""))
        if long_case and r() < 0.25:
            ev.append((wd(start + 10, start + 60, r()), "field_investigation", ""))

        # ---- the 终本 steps (TERM-1…TERM-11) --------------------------------------------------------
        too_early = stale = no_interview = unverified = False
        t7_limit = 0
        if tc:
            too_early, stale = r() < rates[F_T7], r() < rates[F_T5]
            no_interview, unverified = r() < rates[F_T9], r() < rates[F_T6]
            t7_limit = T.months(filed, 3)
            ready = max(
                c_base, start, *restrictions.values(), *coercions, *(lst[2] for lst in listings),
                *(cl[2] for cl in clues), *(e[0] for e in ev),
            )  # fmt: skip
            earliest = max(ready + 5, filed + 45)
            if too_early and earliest <= t7_limit:
                c = wd(earliest, t7_limit, r())  # T7: not more than three months after filing
            else:
                too_early = False
                lo = max(t7_limit + 1, ready + 10)
                c = wd(lo + int(speed * 90 * r()), lo + 150, r())
                if stalled:
                    c = T.back(c + 120 + int(300 * r()))
            if too_early:
                stale = False  # every inquiry is within three months of a closing that early
            if stale:
                # T5: no inquiry of all four categories within the three months before closing.
                while T.months(c, -3) <= q1:
                    c = T.roll(c + 7)
                if r() < 0.5:
                    fq = wd(T.months(c, -3) + 1, c - 3, r())
                    ev.append(
                        (fq, "online_inquiry", f',"system":"总对总","categories":{NO_SECURITIES},"found":[]')
                    )
            else:
                lo = max(T.months(c, -3), q1, c - 60)  # after the first inquiry: K4 is its own
                fq = wd(lo, c - 2, r()) if c - 2 >= lo else c
                refound = found1 if path == "undisposable" else "[]"
                ev.append(
                    (
                        fq,
                        "online_inquiry",
                        f',"system":"总对总","categories":{FULL_CATEGORIES},"found":{refound}',
                    )
                )
            ruling = wd(c - 3, c, r())
            if no_interview or r() < cal.INTERVIEW_DISAGREE_SHARE:
                if not no_interview:
                    ev.append(
                        (wd(ruling - 12, ruling - 1, r()), "applicant_interview", ',"opinion":"不同意"')
                    )
                review = wd(ruling - 8, ruling - 1, r())
                ev.append((review, "collegial_review", ""))
                ev.append((wd(review, ruling, r()), "president_approval", ""))
            else:
                ev.append((wd(ruling - 12, ruling, r()), "applicant_interview", ',"opinion":"同意"'))
            ev.append((ruling, "termination_ruling", ""))
            ev.append((c, "ruling_served", ""))  # TERM-10: the case closes when the ruling is served
            if unverified:
                got = max(filed, c - 1 - int(r() * 5))  # its K5 runs past the closing and lapses
                clues.append(["c9", got, None, ddl(got, 7)])
            k7 = ddl(c, 7)
            if k7 < END and r() < rates[F_K7]:
                entry = wd(k7 + 1, min(END, k7 + 40), r())
                planted.append(F_K7)
            else:
                entry = wd(c, min(k7, c + int(1 + 5 * speed)), r())
            ev.append((entry, "termination_registry_entry", ""))
        assert c is not None
        closed = c <= END
        if closed:
            limit = c

        # ---- intervals, extensions, restraints --------------------------------------------------------
        if (
            long_case
            and not tc
            and path != "bankruptcy"
            and c - start > 90
            and r() < cal.SUSPENSION_SHARE * 3
        ):
            # A temporary 中止 (CLOSE-5: it ends before the closing).
            s0 = wd(start + 10, c - 60, r())
            ev.append((s0, "suspension_start", ""))
            ev.append((wd(s0 + 15, min(s0 + 120, c - 5), r()), "suspension_end", ""))
        base_deadline = T.months(filed, 3 if non_litigation else 6)
        if c > base_deadline + 20 and mode in (PERFORMED, TERMINATED) and r() < 0.5:
            day = wd(base_deadline - 20, base_deadline - 5, r())  # DL-13: approved before the deadline
            if day > filed + 30:
                ev.append((day, "extension_approved", ',"months":3'))
        for asset, day, cat, value, released, term, measure in restraints:
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
            while expires <= END:  # DL-20: renewed before it lapses; TERM-14: also after 终本
                renew = wd(expires - 40, expires - 5, r())
                expires = T.months(expires, term)
                ev.append(
                    (renew, "restraint_renewed", f',"asset":"{asset}","expires_on":"{T.format(expires)}"')
                )

        # ---- after a 终本 closing: an inquiry every six months (K8, TERM-12), resumption ---------------
        resumption = None
        empty_after: list[int] = []
        if tc and closed:
            cap = T.months(c, 60)
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
                if resumed_on is not None and resumed_on > END:
                    resumed_on = None
            horizon = END if resumed_on is None else resumed_on
            missed, miss_at = r() < rates[F_K8], int(r() * 3)
            prev, k = c, 0
            while True:
                due = T.months_deadline(prev, 6)
                if due > cap or (resumed_on is not None and due > resumed_on):
                    break  # no obligation: beyond five years, or dropped by the resumption
                if due <= END:
                    if k == 0:
                        eligible.append(F_K8)
                    if missed and k == miss_at:
                        labels.append(F_K8)
                if missed and k == miss_at:
                    nxt = T.roll(due + 10 + int(r() * 110))
                else:
                    nxt = T.back(prev + 120 + int(55 * r()))  # within six months (≥ 181 days)
                if nxt > horizon:
                    break
                if (
                    resumed_on is not None
                    and T.months_deadline(nxt, 6) > resumed_on
                    and resumed_on - nxt < 150
                ):
                    # The inquiry that found the property behind the resumption.
                    found = f'[{{"asset":"a9","category":"存款","value":"{money(max(100, claim // 3))}"}}]'
                else:
                    found = "[]"
                    empty_after.append(nxt)
                ev.append(
                    (
                        nxt,
                        "online_inquiry",
                        f',"system":"总对总","categories":{FULL_CATEGORIES},"found":{found}',
                    )
                )
                if r() < 0.7:
                    ev.append((nxt + 1 + int(r() * 6), "inquiry_result_notified", ""))
                prev, k = nxt, k + 1
            if resumed_on is not None:
                resumption = Parent(
                    case_number=number,
                    filed_on=resumed_on,
                    unpaid=claim - sum(rec[2] for rec in receipts),
                    parties=parties_json,
                    debtors=debtors,
                    applicant=applicant,
                    basis="",
                    tags="",
                    non_litigation=non_litigation,
                    handler=handler,
                )

        # ---- deleting listings on their ground (C3, C4, K9), lifting restrictions ------------------------
        late_del = r() < rates[F_DEL]
        del_fault = False
        deletions: dict[str, int | None] = {}
        for lid, _pid, day, _grounds, term, _person in listings:
            early = None
            if term is not None:
                ground = T.months(day, 12 * term)  # CREDIT-9: the term ends (PER-4, not rolled)
                if closed and mode == PERFORMED:
                    early = wd(c + 1, c + 7, r())  # performed: deleted early (CREDIT-5 ¶2)
            else:
                ground = None  # CREDIT-8
                if closed and mode in (PERFORMED, TERMINATED, NOT_ENFORCED):
                    ground = c
                elif closed and tc and len(empty_after) >= 2:
                    ground = max(empty_after[1], day)
            if ground is None:
                deletions[lid] = early
                continue
            due = T.working_days_after(ground, 3)
            if due <= END and F_DEL not in eligible:
                eligible.append(F_DEL)
            if late_del and due <= END and not del_fault:
                del_fault = True
                labels.append(F_DEL)
                deletions[lid] = None if r() < 0.3 else wd(due + 1, due + 60, r())
            else:
                deletions[lid] = early if early is not None and early <= due else wd(ground, due, r())
        lifts: dict[str, int] = {}
        if closed and mode == PERFORMED:
            # CONS-7: lift once performed — after the party's listings are gone (C5).
            for pid in restrictions:
                gone = [deletions.get(lst[0]) for lst in listings if lst[1] == pid]
                if None not in gone:
                    lifts[pid] = max([c, *gone]) + 1 + int(r() * 9)

        # ---- petitions (PET-1, PET-2, PET-3) ----------------------------------------------------------
        petition = ""
        if r() < cal.PETITION_SHARE * (2.0 if tc or stalled else 0.6):
            lo = filed + 20
            got = lo + int(r() * max(1, (c if closed else END) + 60 - lo))
            if got <= END:
                petition = self._petition(rng, got, rates, eligible, labels)

        # ---- the events as of END -----------------------------------------------------------------------
        head = []
        if h <= limit:
            head.append((h, "handler_assigned", self.handler_json[handler]))
        if n <= limit:
            head.append((n, "execution_notice", ""))
        if rep <= limit:
            head.append((rep, "property_report_order", ""))
        if q1 <= limit:
            head.append(
                (q1, "online_inquiry", f',"system":"总对总","categories":{FULL_CATEGORIES},"found":{found1}')
            )
        for pid, day in restrictions.items():
            ev.append((day, "consumption_restriction", f',"party":"{pid}"'))
        for lid, pid, day, grounds, term, _person in listings:
            ev.append(
                (
                    day,
                    "credit_listing",
                    f',"id":"{lid}","party":"{pid}","grounds":{grounds},"term_years":{term or "null"}',
                )
            )
            gone = deletions.get(lid)
            if gone is not None:
                ev.append((gone, "credit_deletion", f',"party":"{pid}","listing":"{lid}"'))
        for pid, day in lifts.items():
            ev.append((day, "consumption_restriction_lifted", f',"party":"{pid}"'))
        for cid, got, ver, _due in clues:
            ev.append((got, "clue_received", f',"clue":"{cid}"'))
            if ver is not None and ver <= limit:
                ev.append((ver, "clue_verified", f',"clue":"{cid}"'))
        kept = [e for e in head + ev if e[0] <= END]
        kept.sort(key=itemgetter(0))

        # ---- labels: the planted lapses that are failing checks at END (faults.KINDS) -------------------
        for k, done, due in ((F_K1, h, k1), (F_K2, n, k2), (F_K3, rep, k2), (F_K4, q1, k4)):
            if done > limit:
                done = None  # not done by the closing or by END
            if closed and c <= due and done is None:
                continue  # lapsed (indicators.md §3)
            if due <= END:
                eligible.append(k)
                if done is None or done > due:
                    labels.append(k)
        for cid, _got, ver, due in clues:
            if ver is not None and ver > limit:
                ver = None
            if cid == "c9" or (closed and c <= due and ver is None):
                continue  # lapsed; c9 is the clue of T6
            if due <= END:
                if F_K5 not in eligible:
                    eligible.append(F_K5)
                if (ver is None or ver > due) and F_K5 not in labels:
                    labels.append(F_K5)
        if k6_eligible:
            eligible.append(F_K6)
            if late6_done:
                labels.append(F_K6)
        if tc and closed:
            if ddl(c, 7) < END:
                eligible.append(F_K7)
            eligible.extend((F_T3, F_T6, F_T7, F_T9, F_T11))
            if not too_early:
                eligible.append(F_T5)
            for k, on in (
                (F_T3, no_restriction),
                (F_T5, stale),
                (F_T6, unverified),
                (F_T7, too_early),
                (F_T9, no_interview),
            ):
                if on:
                    labels.append(k)
            labels.extend(k for k in planted if k in (F_K7, F_T11))
        if closed and mode == PERFORMED and not settlement:
            eligible.append(F_PERF)
            if misreport:
                labels.append(F_PERF)
        seen_listings = [lst for lst in listings if lst[2] <= END]
        if seen_listings:
            eligible.append(F_C5)
            if c5_target is not None:
                labels.append(F_C5)
            if any(lst[4] is not None for lst in seen_listings):
                eligible.append(F_C2)
                if c2_target is not None:
                    labels.append(F_C2)
        person_listed = [lst for lst in seen_listings if lst[5]]
        if first and person_listed:
            eligible.append(F_C1)
            if minor_intent:
                # C1: the debtor listed was under 18 that day — give the debtor a birth date
                # 16 to 17.6 years before the listing (a new ID number, nothing else changes).
                target = person_listed[0]
                old_number = next(d[3] for d in debtors if d[0] == target[1])
                new_number = self.identities.id_number(rng, target[2] - 16 * 365 - int(r() * 600))
                parties_json = parties_json.replace(old_number, new_number)
                debtors = [d if d[0] != target[1] else (*d[:3], new_number) for d in debtors]
                labels.append(F_C1)
        if restraints and restraints[0][1] <= END:
            eligible.append(F_SEIZE)
            if F_SEIZE in planted:
                labels.append(F_SEIZE)

        # ---- the line ---------------------------------------------------------------------------------------
        recovered = 0
        for rec in receipts:
            if rec[1] <= END:
                recovered += rec[2]
        for day, fen in direct:
            if day <= END:
                recovered += fen
        iso, base = T.iso, T.base
        out = [
            f'{{"case_number":"{number}","court":"{court.code}","case_type":"{FIRST if first else RESUMED}"'
        ]
        if non_litigation:
            out.append(',"non_litigation":true')
        out.append(f',"application_received_on":"{T.format(received)}","filed_on":"{iso[filed - base]}"')
        if first:
            basis = self._basis(rng, filed, mode, applicant if non_litigation else None)
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
            out.append(f',"original_case_number":"{parent.case_number}"')
            basis, tags_json = parent.basis, parent.tags
        if resumption is not None:
            resumption.parties, resumption.basis, resumption.tags = parties_json, basis, tags_json
            resumption.debtors = debtors
        out.append(
            f',"basis":{basis},"claim_amount":"{money(claim)}","recovered_amount":"{money(recovered)}"'
        )
        if tags_json != "[]":
            out.append(f',"tags":{tags_json}')
        if h <= limit:
            out.append(f',"handler":"{self.handlers[handler]}"')
        out.append(f',"parties":{parties_json},"events":[')
        out.append(
            ",".join([f'{{"node":"{node}","on":"{iso[day - base]}"{extra}}}' for day, node, extra in kept])
        )
        out.append("]")
        if receipts:
            self._funds(out, receipts, disb, deferrals, lodgements, debtors[0][2])
        if petition:
            out.append(f',"petitions":[{petition}]')
        if closed:
            out.append(f',"closing":{{"on":"{iso[c - base]}","mode":"{mode}"}}')
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


def _adult_on(id_number: str) -> int:
    """The day number of the 18th birthday encoded in an ID number (02-29 → 02-28, PER-4)."""
    year, month, day = int(id_number[6:10]) + 18, int(id_number[10:12]), int(id_number[12:14])
    if month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        day = 28
    return date(year, month, day).toordinal()


def _over(claim: int, r) -> int:
    """A restraint worth 2.5 to 6 times the claim: over-seizure (超标的查封, faults.over_seizure)."""
    return int(claim * (OVER_SEIZURE_FACTOR + 0.5 + 3.5 * r()))


def _claim(r, factor: int) -> int:
    """A log-normal claim in fen, rounded to whole yuan mostly (calibration.CLAIM_*)."""
    z = _normal(r)
    yuan = cal.CLAIM_MEDIAN_YUAN * factor * math.exp(cal.CLAIM_SIGMA * z)
    yuan = min(max(yuan, cal.CLAIM_MIN_YUAN), cal.CLAIM_MAX_YUAN * factor)
    if r() < 0.7:
        return int(yuan) * 100
    return int(yuan * 100)


def _normal(r) -> float:
    # Box–Muller with the stream's own draws (random.gauss keeps hidden state between calls,
    # which would make a case depend on the one before it in a different way).
    u1 = r() or 1e-12
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * r())
