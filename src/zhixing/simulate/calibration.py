"""Calibration targets of the court simulator, as data, each with where it comes from.

Published national figures set the shape of the simulation: how cases close, how much
money reaches the creditors, how many cases one judge carries. Where no published figure
was available the value is marked *assumed*: it is a plausible setting chosen so that the
demo looks like a Henan basic court, not a measurement. Tests compare the simulated shares
with these targets (``tests/simulate/test_simulator.py``).
"""

from __future__ import annotations

from types import MappingProxyType

# -- closings -----------------------------------------------------------------------------

#: How 首次执行 cases close (share of closed cases, by 结案方式).
#: 执行完毕 34.0 % and 终本 32.3 %: national figures of the 最高人民法院 for the first half of
#: 2017, as quoted in the issue (the publication itself was not checked here). The remaining
#: third is split between 终结执行 (mostly withdrawals after a settlement) and the rare 销案 /
#: 不予执行 / 驳回申请 — *assumed*. The tests measure these shares on the closings of the first
#: simulated year's filings.
FIRST_MODE_SHARES = MappingProxyType(
    {
        "执行完毕": 0.340,
        "终结本次执行程序": 0.323,
        "终结执行": 0.262,
        "销案": 0.045,
        "不予执行": 0.010,
        "驳回申请": 0.020,
    }
)

#: 恢复执行 cases close only by 执行完毕, 终本 or 终结执行 (CLOSE-3). A case is resumed because
#: property turned up, so most are performed — *assumed*.
RESUMED_MODE_SHARES = MappingProxyType({"执行完毕": 0.55, "终结本次执行程序": 0.35, "终结执行": 0.10})

#: How a case reaches 执行完毕 (share of 执行完毕 closings) — *assumed*.
PERFORMED_PATHS = MappingProxyType(
    {"voluntary": 0.33, "deduction": 0.30, "auction": 0.12, "settlement": 0.25}
)

#: How a 终本 case got there (share of 终本 closings) — *assumed*: nothing found at all; only
#: small balances (under 1,000 yuan and 5 % of the unpaid claim, TERM-5 practice); a partial
#: deduction; an asset that could not be disposed of (TERM-5: two failed auctions, or a vehicle
#: sealed at the registry but never seized).
TERMINATED_CURRENT_PATHS = MappingProxyType(
    {"nothing": 0.50, "small": 0.15, "partial": 0.25, "undisposable": 0.10}
)

#: How a case reaches 终结执行 — *assumed*: withdrawal after a partly performed settlement,
#: death or deregistration of the debtor, bankruptcy after a long suspension, other grounds.
TERMINATED_PATHS = MappingProxyType(
    {"withdrawn": 0.55, "debtor_gone": 0.15, "bankruptcy": 0.12, "other": 0.18}
)

# -- money ------------------------------------------------------------------------------------

#: 实际执行到位率 (IND-05: Σ recovered / Σ claim of closed 首执 cases). The issue asks for
#: 40–55 % (figure given in the issue; no national publication was checked here). We aim at
#: the middle of the band.
RECOVERY_RATE_TARGET = 0.47

#: 申请执行标的 is log-normal: a median of 45,000 yuan with σ = 1.25 (so a quarter of the
#: claims are under ~19,000 and a tenth over ~225,000 yuan) — *assumed*: tens of thousands of
#: yuan is the typical amount of a basic court's case; no distribution was measured.
CLAIM_MEDIAN_YUAN = 45_000
CLAIM_SIGMA = 1.25
CLAIM_MIN_YUAN = 300
CLAIM_MAX_YUAN = 30_000_000
#: An intermediate court files the large cases (级别管辖): claims ×12 — *assumed*.
INTERMEDIATE_CLAIM_FACTOR = 12

#: Share of the claim recovered in the partial outcomes (uniform over each range) — *assumed*,
#: tuned by simulation so that IND-05 comes out near RECOVERY_RATE_TARGET (the tests check it).
SETTLEMENT_CONCESSION = (0.60, 1.00)  # a settlement performed: share of the claim paid
TERMINATED_CURRENT_PARTIAL = (0.10, 0.70)  # a 终本 after a partial deduction
TERMINATED_WITHDRAWN = (0.30, 0.95)  # 终结执行 after a partly performed settlement

# -- workload and rhythm ----------------------------------------------------------------------

#: 首次执行 cases a year per 承办人: about 900 (figure given in the issue, not checked here; a
#: 承办人 leads a team of officers and assistants). A court has max(2, volume / 900) handlers.
CASES_PER_HANDLER_YEAR = 900

#: Filings a year of the default courts (焦作中院 and its basic courts) — *assumed*: sized by
#: population (urban districts and the larger counties busiest); not published figures.
#: The intermediate court itself files few implementation cases (级别管辖).
DEFAULT_VOLUMES = MappingProxyType(
    {
        "豫08": 350,
        "豫0802": 3600,
        "豫0803": 1300,
        "豫0804": 1100,
        "豫0811": 3200,
        "豫0821": 1700,
        "豫0822": 2000,
        "豫0823": 3300,
        "豫0825": 2200,
        "豫0882": 2600,
        "豫0883": 2200,
    }
)
#: Growth of filings from one year to the next — *assumed* 4 %.
YEARLY_GROWTH = 0.04

#: Filings happen on working days only (立案 is an act of the court). Weekly rhythm: Mondays
#: bring the weekend's applications, Fridays are quieter — *assumed* factors, Monday first;
#: 调休 make-up Saturdays and Sundays are light working days.
WEEKDAY_FACTORS = (1.25, 1.10, 1.00, 1.00, 0.85, 0.70, 0.70)
#: Month factors: the Spring Festival month dips, March catches up, December is quiet
#: (year-end closing drive) — *assumed*.
MONTH_FACTORS = (1.05, 0.85, 1.15, 1.05, 1.00, 1.05, 1.00, 0.95, 1.00, 0.90, 1.00, 0.90)
#: Working days in the 10 days before a break of 7 days or more (Spring Festival, National
#: Day) get fewer filings — *assumed*.
PRE_HOLIDAY_FACTOR = 0.70

# -- parties -----------------------------------------------------------------------------------

APPLICANT_PERSON_SHARE = 0.55  # else a unit — *assumed*
APPLICANT_BANK_SHARE = 0.08  # of unit applicants: a bank or lender (涉金融) — *assumed*
DEBTOR_PERSON_SHARE = 0.66  # — *assumed*
SECOND_DEBTOR_SHARE = 0.24  # a case has a second debtor (joint liability, guarantors) — *assumed*
THIRD_DEBTOR_SHARE = 0.05
DEBTOR_SPECIAL_SHARE = 0.006  # 公职人员 / 人大代表 / 政协委员 — *assumed*
GOVERNMENT_DEBTOR_SHARE = 0.008  # a government body owes (涉党政机关) — *assumed*
LIVELIHOOD_SHARE = 0.14  # wages, maintenance, personal injury (涉民生) — *assumed*
NON_LITIGATION_SHARE = 0.03  # 非诉执行 of administrative decisions — *assumed*
#: Adult ages of natural-person parties at filing.
AGE_RANGE = (22, 72)

# -- process ----------------------------------------------------------------------------------

CLUE_SHARE = 0.18  # the applicant supplies a property clue — *assumed*
#: A case draws a petition (信访) — *assumed*; twice as often for 终本 and dragging cases,
#: 0.6 times for the others.
PETITION_SHARE = 0.04
#: A temporary 中止 (案外人异议, related proceedings) — *assumed*; applied (×3) to the longer
#: cases that can have one, so about this share of all cases gets one.
SUSPENSION_SHARE = 0.05
MISSING_DEBTOR_SHARE = 0.06  # of natural-person debtors in 终本 cases — *assumed*
#: Property reports of debtors ordered to report (财产调查规定): on time, late, refused,
#: false, none at all — *assumed*.
REPORT_STATUS_SHARES = MappingProxyType({"按期": 0.62, "逾期": 0.12, "拒绝": 0.09, "虚假": 0.04, None: 0.13})
INTERVIEW_DISAGREE_SHARE = 0.15  # the applicant does not agree to 终本 — *assumed*
#: A 终本 case is resumed (执恢) within a year of closing with this probability; the hazard
#: halves every year after — *assumed*.
RESUMPTION_FIRST_YEAR = 0.07
DEFERRAL_SHARE = 0.03  # a receipt's disbursement is deferred (FUND-2) — *assumed*
LODGEMENT_SHARE = 0.01  # a receipt is lodged (FUND-3) — *assumed*

#: Courts differ in diligence: each court gets a score z in [−1, 1] (weighted mean 0 over
#: the courts' caseloads). A diligent court (z > 0) has fewer lapses (fault rates × (1 − 0.5 z)),
#: moves faster and finds property more often (执行完毕 share × (1 + 0.15 z), 终本 the mirror).
DILIGENCE_FAULT_SPREAD = 0.5
DILIGENCE_MODE_TILT = 0.15
DILIGENCE_SPEED = 0.3
