"""The simulator's vocabulary: fault indexes, closing modes, JSON fragments, money in fen,
and the records a case hands on (``Parent``, ``Result``).

Dates are day numbers (``date.toordinal()``); money is in fen (integers).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import date

from zhixing.simulate import calibration as cal
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


NO_LIMIT = 10**9
#: Of unit debtors, the share that is a government body (涉党政机关).
GOVERNMENT = cal.GOVERNMENT_DEBTOR_SHARE / (1 - cal.DEBTOR_PERSON_SHARE)


def cumulative(shares: dict) -> tuple[tuple, tuple[float, ...]]:
    keys = tuple(shares)
    total = sum(shares.values())
    acc, cum = 0.0, []
    for k in keys:
        acc += shares[k] / total
        cum.append(acc)
    cum[-1] = 1.0
    return keys, tuple(cum)


def pick(keys: tuple, cum: tuple[float, ...], u: float):
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


def adult_on(id_number: str) -> int:
    """The day number of the 18th birthday encoded in an ID number (02-29 → 02-28, PER-4)."""
    year, month, day = int(id_number[6:10]) + 18, int(id_number[10:12]), int(id_number[12:14])
    if month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        day = 28
    return date(year, month, day).toordinal()


def over_value(claim: int, r) -> int:
    """A restraint worth 2.5 to 6 times the claim: over-seizure (超标的查封, faults.over_seizure)."""
    return int(claim * (OVER_SEIZURE_FACTOR + 0.5 + 3.5 * r()))


def draw_claim(r, factor: int) -> int:
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
