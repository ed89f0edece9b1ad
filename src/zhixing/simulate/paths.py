"""The path a simulated case takes to its closing: how it is performed, why it is 终本, why it
is 终结, and when the simpler closings fall.

A mixin of ``life.CaseLife``: each method reads and writes the case's shared state (``self``)
and draws from the case's stream in the order the whole case life relies on.
"""

from __future__ import annotations

from zhixing.simulate import calibration as cal
from zhixing.simulate.vocabulary import (
    DEPOSIT_TERM,
    F_PERF,
    F_SEIZE,
    F_T11,
    MOVABLE_TERM,
    NOT_ENFORCED,
    PERFORMED,
    REAL_ESTATE_TERM,
    TERMINATED,
    TERMINATED_CURRENT,
    WITHDRAWN,
    money,
    over_value,
    pick,
)


class ClosingPaths:
    """The phase between the first days and the money: the path, its acts, the closing day
    (a 执行完毕 or 终本 closing day is fixed later, once the money and the 终本 steps are)."""

    __slots__ = ()

    def _path_to_closing(self) -> None:
        r, wd, filed = self.r, self.wd, self.filed
        self.stalled = r() < 0.06  # a case that drags on (the backlog of seed 000)
        self.path = ""
        self.found1 = "[]"  # what the first inquiry found
        self.misreport = False
        self.settlement = False
        self.c = None  # closing day; after END the case is open at the snapshot
        self.c_base = self.start
        self.seize = False
        mode = self.mode
        if mode == PERFORMED:
            self._performed()
        elif mode == TERMINATED_CURRENT:
            self._terminated_current()
        elif mode == TERMINATED:
            self._terminated()
        elif mode == WITHDRAWN:
            self.c = wd(filed + 5, filed + 40, r())
        elif mode == NOT_ENFORCED:
            self.c = wd(filed + 25, filed + 120, r())
        else:  # REJECTED
            self.c = wd(filed + 10, filed + 60, r())
        if self.seize:
            self.planted.append(F_SEIZE)

    # -- 执行完毕 ----------------------------------------------------------------------------------

    def _performed(self) -> None:
        r, claim = self.r, self.claim
        self.path = path = pick(*self.p.performed_paths, r())
        self.misreport = path != "settlement" and r() < self.rates[F_PERF]
        amount = claim if not self.misreport else max(1, int(claim * (0.3 + 0.65 * r())))
        if path == "voluntary":
            self._voluntary(amount)
        elif path == "deduction":
            self._deduction(amount)
        elif path == "auction":
            self._auction(amount)
        else:  # a settlement performed (执行和解履行完毕)
            self._settlement_performed()

    def _voluntary(self, amount: int) -> None:
        r, wd, n = self.r, self.wd, self.n
        pay = wd(n + int(self.speed * (3 + 40 * r())), n + 80, r())
        note = wd(pay + 1, pay + 3, r())
        self.receipts.append(["r1", note, amount, "debtor", None])
        self.c_base = note

    def _deduction(self, amount: int) -> None:
        r, wd, claim, q1 = self.r, self.wd, self.claim, self.q1
        self.seize = seize = r() < self.rates[F_SEIZE]
        value = claim if not seize else over_value(claim, r)
        balance = max(value, int(claim * (1 + 2 * r())))
        self.found1 = f'[{{"asset":"a1","category":"存款","value":"{money(balance)}"}}]'
        d = wd(q1 + int(self.speed * (3 + 22 * r())), q1 + 45, r())
        self.restraints.append(["a1", q1, "存款", value, d + int(r() * 4), DEPOSIT_TERM, "冻结"])
        self.ev.append((d, "deduction", f',"asset":"a1","amount":"{money(amount)}"'))
        note = wd(d + 1, d + 4, r())
        self.receipts.append(["r1", note, amount, "debtor", None])
        self.c_base = note

    def _auction(self, amount: int) -> None:
        r, wd, claim, q1, ev = self.r, self.wd, self.claim, self.q1, self.ev
        self.seize = seize = r() < self.rates[F_SEIZE]
        value = int(claim * (1.0 + 0.5 * r())) if not seize else over_value(claim, r)
        self.found1 = f'[{{"asset":"a1","category":"不动产","value":"{money(value)}"}}]'
        s_day = wd(q1 + 1, q1 + 7, r())
        ap = wd(s_day + int(self.speed * (20 + 25 * r())), s_day + 80, r())
        ev.append((ap, "appraisal", ',"asset":"a1"'))
        ex = wd(ap + 10, ap + 20, r())
        ev.append((ex, "exclusion_start", ',"ground":"拍卖变卖"'))
        sold = wd(ex + 20, ex + 45, r())
        if r() < 0.4:
            ev.append((sold, "auction", ',"asset":"a1","result":"流拍"'))
            sold = wd(sold + 20, sold + 35, r())
        if self.stalled:
            sold = self.T.back(sold + 120 + int(300 * r()))
        ev.append((sold, "auction", ',"asset":"a1","result":"成交"'))
        ev.append((sold + 1 + int(r() * 4), "exclusion_end", ',"ground":"拍卖变卖"'))
        note = wd(sold + 10, sold + 25, r())
        self.receipts.append(["r1", note, amount, "buyer", None])
        released = wd(sold + 20, sold + 40, r())
        self.restraints.append(["a1", s_day, "不动产", value, released, REAL_ESTATE_TERM, "查封"])
        self.c_base = max(note, released)

    def _settlement_performed(self) -> None:
        r, wd, n, claim, ev = self.r, self.wd, self.n, self.claim, self.ev
        self.settlement = True
        s_day = wd(n + int(self.speed * (10 + 60 * r())), n + 120, r())
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
                self.receipts.append([f"r{k + 1}", wd(day + 1, day + 3, r()), part, "debtor", None])
            else:
                self.direct.append((day, part))
        if postpone:
            ev.append((day, "postponement_end", ""))
        self.c_base = self.receipts[-1][1] if via_court else day

    # -- 终结本次执行程序 -------------------------------------------------------------------------

    def _terminated_current(self) -> None:
        r, wd, claim, q1 = self.r, self.wd, self.claim, self.q1
        self.path = path = pick(*self.p.tc_paths, r())
        if r() < self.rates[F_T11]:
            self.path = path = "misreported"  # 终本 although the whole claim was recovered
        if path == "small":
            # TERM-5 practice: balances under 1,000 yuan and at most 5 % of the unpaid claim.
            fen = 100 + int(r() * (min(99_900, claim // 20) - 100))
            cat = "存款" if r() < 0.7 else "网络资金"
            self.found1 = f'[{{"asset":"a1","category":"{cat}","value":"{money(fen)}"}}]'
        elif path in ("partial", "misreported"):
            if path == "partial":
                lo_share, hi_share = cal.TERMINATED_CURRENT_PARTIAL
                amount = max(1, int(claim * (lo_share + (hi_share - lo_share) * r())))
            else:
                amount = claim
                self.planted.append(F_T11)
            self.seize = seize = r() < self.rates[F_SEIZE]
            value = amount if not seize else over_value(claim, r)
            self.found1 = f'[{{"asset":"a1","category":"存款","value":"{money(max(value, amount))}"}}]'
            d = wd(q1 + 3, q1 + 25, r())
            self.restraints.append(["a1", q1, "存款", value, d + int(r() * 4), DEPOSIT_TERM, "冻结"])
            self.ev.append((d, "deduction", f',"asset":"a1","amount":"{money(amount)}"'))
            self.receipts.append(["r1", wd(d + 1, d + 4, r()), amount, "debtor", None])
            self.c_base = d
        elif path == "undisposable":
            self.seize = r() < self.rates[F_SEIZE]
            s_day = wd(q1 + 1, q1 + 6, r())
            if r() < 0.5:
                self.c_base = self._vehicle_not_seized(s_day)
            else:
                self.c_base = self._auctions_failed(s_day)

    def _vehicle_not_seized(self, s_day: int) -> int:
        """TERM-5: a vehicle sealed at the registry but never seized. Returns the day it is
        found not disposable."""
        r, wd, claim = self.r, self.wd, self.claim
        value = int(claim * (0.2 + 1.3 * r())) if not self.seize else over_value(claim, r)
        self.found1 = f'[{{"asset":"a1","category":"车辆","value":"{money(value)}"}}]'
        self.restraints.append(["a1", s_day, "车辆", value, None, MOVABLE_TERM, "查封"])
        nd = wd(s_day + 30, s_day + 80, r())
        self.ev.append(
            (nd, "asset_not_disposable", ',"asset":"a1","reason":"车辆已在登记机关查封但未能实际扣押"')
        )
        return nd

    def _auctions_failed(self, s_day: int) -> int:
        """TERM-5: two auctions failed and the applicant would not take the property. Returns
        the day it is found not disposable."""
        r, wd, claim, ev = self.r, self.wd, self.claim, self.ev
        value = int(claim * (0.3 + 1.2 * r())) if not self.seize else over_value(claim, r)
        self.found1 = f'[{{"asset":"a1","category":"不动产","value":"{money(value)}"}}]'
        self.restraints.append(["a1", s_day, "不动产", value, None, REAL_ESTATE_TERM, "查封"])
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
            (nd, "asset_not_disposable", ',"asset":"a1","reason":"两次拍卖流拍，申请执行人不接受以物抵债"')
        )
        return nd

    # -- 终结执行 ----------------------------------------------------------------------------------

    def _terminated(self) -> None:
        r, wd, n, claim, ev = self.r, self.wd, self.n, self.claim, self.ev
        self.path = path = pick(*self.p.t_paths, r())
        if path == "withdrawn":
            self.settlement = True
            s_day = wd(n + 10, n + 90, r())
            ev.append((s_day, "settlement", ""))
            lo_share, hi_share = cal.TERMINATED_WITHDRAWN
            total = max(1, int(claim * (lo_share + (hi_share - lo_share) * r())))
            day = wd(s_day + 10, s_day + 60, r())
            if r() < 0.3:
                self.receipts.append(["r1", wd(day + 1, day + 3, r()), total, "debtor", None])
            else:
                self.direct.append((day, total))
            self.c = wd(day + 5, day + 40, r())
        elif path == "bankruptcy":
            b = wd(n + 20, n + 60, r())
            ev.append((b, "bankruptcy_referral", ""))
            s0 = wd(b + 5, b + 15, r())
            ev.append((s0, "suspension_start", ""))
            s1 = wd(s0 + 180, s0 + 720, r())
            ev.append((s1, "suspension_end", ""))
            if r() < 0.3:
                share = max(1, int(claim * (0.05 + 0.25 * r())))
                self.receipts.append(["r1", wd(s1 + 1, s1 + 10, r()), share, "debtor", None])
            self.c = wd(s1 + 5, s1 + 30, r())
        elif path == "debtor_gone":
            self.c = wd(n + int(self.speed * (30 + 120 * r())), n + 200, r())
        else:
            c = wd(n + int(self.speed * (30 + 170 * r())), n + 280, r())
            if self.stalled:
                c = self.T.back(c + 180 + int(400 * r()))
            self.c = c
