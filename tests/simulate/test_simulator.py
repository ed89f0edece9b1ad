"""The calibrated court simulator (``zhixing simulate``): determinism, validity of every
line, ground-truth labels checked against the project's own checkers, and the simulated
shares against the calibration targets.

Calendar facts used (State Council schedules): 国庆 2024 is 10-01…07 off with Sunday
09-29 and Saturday 10-12 worked; 劳动节 2023 is 04-29…05-03 off with Sunday 04-23 and
Saturday 05-06 worked.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from random import Random
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.cases.bundle import parse_case
from zhixing.cases.casenumber import is_court_code
from zhixing.cases.casenumber import parse as parse_number
from zhixing.cases.choices import ClosingMode
from zhixing.credit import rules as credit
from zhixing.flow import rules as flow
from zhixing.funds import rules as funds
from zhixing.lib import periods
from zhixing.lib.identifiers import credit_code_error, id_number_error
from zhixing.lib.workdays import calendar
from zhixing.petitions import rules as petitions
from zhixing.simulate import calibration as cal
from zhixing.simulate.courts import default_courts, generated_courts, region_of
from zhixing.simulate.days import DayTables
from zhixing.simulate.faults import NAMES, OVER_SEIZURE_FACTOR, FaultRates
from zhixing.simulate.generator import SimulationSummary, court_names, simulate
from zhixing.simulate.names import MOBILE_PREFIXES, Identities, phone
from zhixing.termination import rules as termination

END = date(2025, 12, 31)


class Run(NamedTuple):
    text: str  # the bundle
    label_text: str  # the labels file
    summary: SimulationSummary
    cases: list[dict]  # the bundle's lines, decoded

    @property
    def labels(self) -> dict[str, set[str]]:
        return {o["case_number"]: set(o["faults"]) for o in lines(self.label_text)}


def run(**kwargs) -> Run:
    """Simulate into memory."""
    out = io.StringIO()
    labels = kwargs.pop("labels_path")
    summary = simulate(out, labels=labels, **kwargs)
    text = out.getvalue()
    return Run(text, labels.read_text(encoding="utf-8"), summary, lines(text))


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    """About 21,000 cases of the default courts with the default lapse rates."""
    path = tmp_path_factory.mktemp("sim") / "labels.jsonl"
    return run(seed=2024, cases_per_court_year=600, labels_path=path)


@pytest.fixture(scope="module")
def stressed(tmp_path_factory):
    """A small bundle with a lapse in every other eligible case, cut mid-month so that many
    clocks straddle the snapshot day, on generated courts."""
    path = tmp_path_factory.mktemp("sim") / "labels.jsonl"
    return run(
        seed=77, courts=5, years=2, cases_per_court_year=160, end=date(2025, 3, 14),
        faults=FaultRates.uniform(0.5), labels_path=path,
    )  # fmt: skip


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


# -- determinism ----------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_bundles_and_labels(tmp_path):
    first = run(seed=5, years=2, cases_per_court_year=40, labels_path=tmp_path / "a.jsonl")
    second = run(seed=5, years=2, cases_per_court_year=40, labels_path=tmp_path / "b.jsonl")
    assert first.text == second.text and first.text
    assert first.label_text == second.label_text and first.label_text
    other = run(seed=6, years=2, cases_per_court_year=40, labels_path=tmp_path / "c.jsonl")
    assert other.text != first.text


def test_two_worker_processes_write_the_same_file_as_one(tmp_path):
    out1, out2 = io.StringIO(), io.StringIO()
    one = simulate(out1, seed=9, years=2, cases_per_court_year=50, labels=tmp_path / "1", workers=1)
    two = simulate(out2, seed=9, years=2, cases_per_court_year=50, labels=tmp_path / "2", workers=2)
    assert out1.getvalue() == out2.getvalue()
    assert (tmp_path / "1").read_bytes() == (tmp_path / "2").read_bytes()
    for field in ("cases", "closings", "faults", "eligible", "claim_closed", "recovered_closed"):
        assert getattr(two, field) == getattr(one, field), field


def test_a_path_output_is_utf8_jsonl_with_compact_separators(tmp_path):
    summary = simulate(
        tmp_path / "b.jsonl", seed=1, years=1, cases_per_court_year=20, progress=(seen := []).append
    )
    raw = (tmp_path / "b.jsonl").read_bytes()
    text = raw.decode("utf-8")
    assert text.endswith("\n") and "\r" not in text
    first = text.splitlines()[0]
    assert re.match(r'\{"case_number":"（2025）(豫\d{2,4})执1号","court":"\1","case_type":"首次执行",', first)
    assert ", " not in first.split('"parties"')[0] and '": ' not in first
    assert "武陟县" in text  # ensure_ascii=False
    assert len(text.splitlines()) == summary.cases
    assert seen[-1] == summary.cases


# -- validity -------------------------------------------------------------------------------------

#: Fact dates of a bundle line (``expires_on`` is a term, not a fact; ``effective_on`` precedes filing).
DATE_KEYS = (
    "on", "notice_on", "approved_on", "ends_on", "received_on", "registered_on", "screened_on", "closed_on",
    "filed_on", "application_received_on",
)  # fmt: skip


def dates_in(obj, key=None):
    """Every fact date in a bundle object (``expires_on`` is a term, not a fact)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from dates_in(v, k)
    elif isinstance(obj, list):
        for v in obj:
            yield from dates_in(v, key)
    elif key in DATE_KEYS and obj is not None:
        yield date.fromisoformat(obj)


@pytest.mark.parametrize("which", ["calibrated", "stressed"])
def test_every_line_is_a_valid_case_and_nothing_happens_after_end(which, request):
    sim = request.getfixturevalue(which)
    summary, objs = sim.summary, sim.cases
    end = summary.end
    assert len(objs) == summary.cases
    sample = objs if which == "stressed" else objs[:2000] + objs[-500:]
    for o in sample:
        record = parse_case(o, today=end)
        assert record.court == o["court"] and is_court_code(record.court)
        assert max(dates_in(o)) <= end, o["case_number"]
    filed = [o["filed_on"] for o in objs]
    assert filed == sorted(filed)
    assert summary.start <= date.fromisoformat(filed[0]) and date.fromisoformat(filed[-1]) <= end


def test_case_numbers_are_unique_and_consecutive_per_court_type_and_year(calibrated):
    summary = calibrated.summary
    seqs = defaultdict(list)
    by_number = {}
    for o in calibrated.cases:
        n = parse_number(o["case_number"])
        assert n.year == int(o["filed_on"][:4])  # CASENO-2
        seqs[n.court, n.type_code, n.year].append(n.sequence)
        by_number[o["case_number"]] = o
    assert len(by_number) == summary.cases
    for key, numbers in seqs.items():
        assert numbers == list(range(1, len(numbers) + 1)), key  # CASENO-6, in filing order
    assert {t for _, t, _ in seqs} == {"执", "执恢"}
    # CASENO-7: a 执恢 case names a 终本 case of its court closed before it was filed, and
    # takes over its parties and its unpaid claim.
    resumed = [o for o in by_number.values() if o["case_type"] == "恢复执行"]
    assert len(resumed) == summary.resumed_cases > 50
    for o in resumed:
        original = by_number[o["original_case_number"]]
        assert original["closing"]["mode"] == "终结本次执行程序"
        assert original["closing"]["on"] < o["filed_on"]
        assert original["court"] == o["court"] and original["parties"] == o["parties"]
        unpaid = Decimal(original["claim_amount"]) - Decimal(original["recovered_amount"])
        assert Decimal(o["claim_amount"]) <= unpaid


def test_parties_are_fake_but_valid_adults_and_units(calibrated):
    kinds = Counter()
    for o in calibrated.cases[:3000]:
        filed = date.fromisoformat(o["filed_on"])
        for p in o["parties"]:
            kinds[p["role"], p["kind"]] += 1
            assert re.fullmatch(r"[\u4e00-\u9fff（）]+", p["name"]), p["name"]
            if p["kind"] == "自然人":
                assert re.fullmatch(r".某{1,2}", p["name"])  # anonymised like published judgments
                assert id_number_error(p["id_number"], today=filed) is None
            else:
                assert credit_code_error(p["credit_code"]) is None
    assert kinds["申请执行人", "自然人"] > kinds["申请执行人", "法人"] * 0.9
    assert kinds["被执行人", "自然人"] > kinds["被执行人", "法人"]
    assert kinds["被执行人", "非法人组织"] > 0


def test_every_party_has_a_mobile_phone_fixed_by_its_identity(calibrated):
    """The portal sends its code to the phone on file: every simulated party has a mobile
    number in a carrier's segment, and one identity has one phone in every case it is in
    (a 恢复执行 case keeps its original's parties)."""
    phones: dict[str, str] = {}
    for o in calibrated.cases:
        for p in o["parties"]:
            ident = p.get("id_number") or p["credit_code"]
            assert re.fullmatch(r"1\d{10}", p["phone"]) and p["phone"][:3] in MOBILE_PREFIXES, p
            assert phones.setdefault(ident, p["phone"]) == p["phone"]
    assert len(set(phones.values())) > 0.99 * len(phones) > 10_000


@given(st.text(min_size=1, max_size=40))
def test_a_phone_is_eleven_digits_in_a_carrier_segment(identifier):
    number = phone(identifier)
    assert len(number) == 11 and number.isdigit() and number[:3] in MOBILE_PREFIXES
    assert phone(identifier) == number


def test_a_history_cut_mid_year_ends_with_open_cases_and_this_year_closings():
    """The demo's history ends yesterday, whatever day that is: filings run up to the cut,
    the latest cases are open, and the current year already has closings."""
    end = date(2026, 12, 6)
    cases = lines(_simulated(seed=5, years=1, cases_per_court_year=120, end=end))
    filed = [date.fromisoformat(o["filed_on"]) for o in cases]
    assert end - timedelta(days=7) <= max(filed) <= end
    recent = [o for o in cases if date.fromisoformat(o["filed_on"]) > end - timedelta(days=20)]
    assert len(recent) > 20
    assert sum(o.get("closing") is None for o in recent) > 0.8 * len(recent)
    closed = [date.fromisoformat(o["closing"]["on"]) for o in cases if o.get("closing")]
    assert len(closed) > 0.5 * len(cases)
    assert max(closed) <= end and sum(d.month >= 11 for d in closed) > 20


def _simulated(**kwargs) -> str:
    out = io.StringIO()
    simulate(out, **kwargs)
    return out.getvalue()


def test_identities_pass_the_reference_check_characters():
    rng = Random(3)
    ids = Identities("410823")
    born = date(1960, 1, 1).toordinal()
    for k in range(3000):
        number = ids.id_number(rng, born + 7 * k)
        assert id_number_error(number, today=END) is None and number.startswith("410823")
        for prefix in ("91", "93", "11"):
            code = ids.credit_code(rng, prefix)
            assert credit_code_error(code) is None and code.startswith(prefix + "410823")


# -- ground truth ----------------------------------------------------------------------------------------

K_KINDS = {
    "K1": "late_handler_assignment", "K2": "late_execution_notice", "K3": "late_report_order",
    "K4": "late_first_inquiry", "K5": "late_clue_verification", "K7": "late_registry_entry",
    "K8": "missed_periodic_inquiry", "K9": "unremoved_listing",
}  # fmt: skip
C_KINDS = {
    "C1": "minor_listed", "C2": "wrong_term", "C3": "unremoved_listing", "C4": "unremoved_listing",
    "C5": "listing_without_restriction",
}  # fmt: skip
T_KINDS = {
    "T3": "termination_no_restriction", "T5": "termination_stale_inquiry", "T6": "termination_unverified_clue",
    "T7": "termination_too_early", "T9": "termination_no_interview", "T11": "misreported_closing_terminated",
}  # fmt: skip
LATE = {"done_late", "overdue", "late"}


def detected(case, as_of: date) -> set[str]:
    """What the project's checkers find in a case at as-of, named as the fault kinds; a
    failing check without a fault kind (C6, T4, T14, screening …) keeps its own id, so a
    clean case must come out empty."""
    found = set()
    for o in [*flow.obligations(case, as_of), *credit.k9_obligations(case, as_of)]:
        if o.status in LATE:
            found.add(K_KINDS.get(o.key_node, o.key_node))
    if any(clock.status in LATE for clock in funds.receipt_clocks(case, as_of)):
        found.add("late_disbursement")
    for row in credit.credit_checks(case, as_of):
        found.update(C_KINDS.get(c, c) for c in row.failed)
    verdict = termination.check_termination(case, as_of)
    if verdict is not None:
        found.update(T_KINDS.get(t, t) for t in verdict.failed)
    for clock in petitions.petition_clocks(case, as_of):
        if clock.registration_status in LATE:
            found.add("late_petition_registration")
        if clock.status in LATE:
            found.add("overdue_petition")
        if clock.screening_status in LATE:
            found.add("PET-3")
    claim = case.claim_amount
    # faults.over_seizure: restraints in force worth more than twice the claim on some day.
    if any(
        credit.active_restraint_value(case, e.on) > OVER_SEIZURE_FACTOR * claim
        for e in case.events_of("restraint")
    ):
        found.add("over_seizure")
    # 误报结: 执行完毕 although money is missing and no settlement explains it.
    if (
        case.closing_mode == ClosingMode.PERFORMED
        and case.closed_by(as_of)
        and case.recovered_amount < claim
        and not case.events_of("settlement")
    ):
        found.add("misreported_closing_performed")
    return found


def check_against_labels(sim: Run) -> tuple[Counter, Counter, Counter]:
    as_of = sim.summary.end
    objs = sim.cases
    resumed_on = {}
    for o in objs:
        if o.get("original_case_number"):
            resumed_on.setdefault(o["original_case_number"], date.fromisoformat(o["filed_on"]))
    labels = sim.labels
    hits, false_pos, false_neg = Counter(), Counter(), Counter()
    for o in objs:
        case = parse_case(o, today=as_of)
        if case.case_number in resumed_on:
            case = replace(case, resumed_on=resumed_on[case.case_number])
        got, want = detected(case, as_of), labels.get(case.case_number, set())
        hits.update(got & want)
        false_pos.update(f"{k} {case.case_number}" for k in got - want)
        false_neg.update(f"{k} {case.case_number}" for k in want - got)
    return hits, false_pos, false_neg


def test_labels_are_exactly_what_the_checkers_find(stressed):
    """Precision and recall 1 for every fault kind, and nothing else fails anywhere."""
    summary = stressed.summary
    hits, false_pos, false_neg = check_against_labels(stressed)
    assert not false_pos, false_pos.most_common(10)
    assert not false_neg, false_neg.most_common(10)
    assert set(hits) == set(NAMES)  # every kind occurs
    assert sum(hits.values()) == sum(summary.faults.values())


def test_a_clean_simulation_passes_every_check(tmp_path):
    sim = run(
        seed=31, years=2, cases_per_court_year=90, end=date(2024, 10, 8), faults=FaultRates.none(),
        labels_path=tmp_path / "l.jsonl",
    )  # fmt: skip
    assert sim.label_text == "" and sim.summary.labelled_cases == 0
    hits, false_pos, _ = check_against_labels(sim)
    assert not hits and not false_pos, false_pos.most_common(10)


def test_labels_name_only_cases_of_the_bundle(calibrated):
    numbers = {o["case_number"] for o in calibrated.cases}
    labelled = calibrated.labels
    assert len(labelled) == calibrated.summary.labelled_cases > 1000
    assert set(labelled) <= numbers
    assert all(kinds and kinds <= set(NAMES) for kinds in labelled.values())
    assert len(calibrated.label_text.splitlines()) == len(labelled)  # one line per labelled case


# -- calibration ----------------------------------------------------------------------------------------


def test_closing_modes_match_the_spc_shares(calibrated):
    """Closings of the cohort filed in the first simulated year (nearly all closed by the
    end) against calibration.FIRST_MODE_SHARES (SPC, H1 2017: 执行完毕 34.0 %, 终本 32.3 %)."""
    summary = calibrated.summary
    modes = Counter(
        o["closing"]["mode"]
        for o in calibrated.cases
        if o["case_type"] == "首次执行" and o["filed_on"] < "2024" and o.get("closing")
    )
    total = sum(modes.values())
    assert total > 5000
    for mode, target in cal.FIRST_MODE_SHARES.items():
        assert abs(modes[mode] / total - target) < 0.025, (mode, modes[mode] / total, target)
    # 执恢 cases close only by 执行完毕, 终本 or 终结执行 (CLOSE-3).
    assert set(summary.resumed_closings) == {"执行完毕", "终结本次执行程序", "终结执行"}


def test_recovery_rate_is_in_the_published_band(calibrated):
    """IND-05 (实际执行到位率) over closed 首执 cases: 40–55 %, near the target."""
    summary = calibrated.summary
    claim = recovered = Decimal(0)
    for o in calibrated.cases:
        if o["case_type"] == "首次执行" and o.get("closing"):
            claim += Decimal(o["claim_amount"])
            recovered += Decimal(o["recovered_amount"])
    assert summary.claim_closed == claim and summary.recovered_closed == recovered
    rate = recovered / claim
    assert Decimal("0.40") <= rate <= Decimal("0.55")
    assert abs(float(rate) - cal.RECOVERY_RATE_TARGET) < 0.05


def test_fault_rates_match_the_configured_rates(calibrated):
    """labelled / eligible per kind within four binomial standard deviations plus 15 % for
    the courts' diligence (which scales rates around the configured value)."""
    summary = calibrated.summary
    rates = FaultRates()
    for kind in NAMES:
        n, target = summary.eligible[kind], getattr(rates, kind)
        assert n >= 150, kind
        observed = summary.faults[kind] / n
        tolerance = 4 * math.sqrt(target * (1 - target) / n) + 0.15 * target
        assert abs(observed - target) <= tolerance, (kind, observed, target, n)


def test_amounts_are_log_normal_around_the_calibrated_median(calibrated):
    claims = sorted(
        Decimal(o["claim_amount"])
        for o in calibrated.cases
        if o["court"] != "豫08" and o["case_type"] == "首次执行"
    )
    median = claims[len(claims) // 2]
    assert abs(float(median) / cal.CLAIM_MEDIAN_YUAN - 1) < 0.08
    quartile = claims[len(claims) // 4]
    # log-normal: the lower quartile is median × exp(−0.674 σ)
    assert abs(math.log(float(median / quartile)) / 0.674 - cal.CLAIM_SIGMA) < 0.1
    assert all(c >= cal.CLAIM_MIN_YUAN for c in claims)


def test_filings_follow_the_working_week_with_holiday_dips(calibrated):
    first = [o for o in calibrated.cases if o["case_type"] == "首次执行"]
    per_day = Counter(o["filed_on"] for o in first)
    days = [date.fromisoformat(d) for d in per_day]
    assert all(calendar().is_working_day(d) for d in days)  # 立案 on working days only
    by_weekday = defaultdict(list)
    for d in days:
        by_weekday[d.weekday()].append(per_day[d.isoformat()])
    mean = {k: sum(v) / len(v) for k, v in by_weekday.items()}
    assert mean[0] > mean[2] > mean[4]  # Monday busiest, Friday quietest
    # The National Day week files far fewer cases than an ordinary week.
    week = sum(per_day[(date(2024, 9, 30) + timedelta(k)).isoformat()] for k in range(7))
    usual = sum(per_day[(date(2024, 10, 14) + timedelta(k)).isoformat()] for k in range(7))
    assert week < usual / 3
    # Yearly volumes grow a little; the intermediate court files few cases.
    years = Counter(o["filed_on"][:4] for o in first)
    assert years["2023"] < years["2024"] < years["2025"]
    courts = Counter(o["court"] for o in calibrated.cases)
    assert courts["豫08"] < min(v for k, v in courts.items() if k != "豫08")
    assert calibrated.summary.first_cases == sum(years.values())


def test_courts_differ_in_diligence(calibrated):
    """Rankings mean something: the courts' 终本 lapse rates and handlers differ."""
    labels = calibrated.labels
    t_kinds = {"termination_no_restriction", "termination_stale_inquiry", "termination_unverified_clue",
               "termination_too_early", "termination_no_interview", "misreported_closing_terminated"}  # fmt: skip
    closed, failed, handlers = Counter(), Counter(), defaultdict(set)
    for o in calibrated.cases:
        handlers[o["court"]].add(o.get("handler"))
        if (o.get("closing") or {}).get("mode") == "终结本次执行程序":
            closed[o["court"]] += 1
            failed[o["court"]] += bool(labels.get(o["case_number"], set()) & t_kinds)
    shares = [failed[c] / closed[c] for c in closed if closed[c] > 200]
    assert max(shares) > 1.8 * min(shares)
    volumes = {c.code: c.volume for c in default_courts(600)}
    for code, names in handlers.items():
        expected = max(2, round(volumes[code] / cal.CASES_PER_HANDLER_YEAR))
        assert len(names - {None}) == expected, code


# -- courts and calendar tables -----------------------------------------------------------------------------


def test_default_court_names():
    names = court_names()
    assert names["豫0823"] == "武陟县人民法院"
    assert names["豫08"] == "焦作市中级人民法院"
    assert names["豫"] == "河南省高级人民法院"
    assert set(names) == {"豫", "豫08", "豫0802", "豫0803", "豫0804", "豫0811", "豫0821", "豫0822", "豫0823",
                          "豫0825", "豫0882", "豫0883"}  # fmt: skip
    assert region_of("豫0823") == "410823" and region_of("豫08") == "410800"


def test_generated_courts_have_valid_codes_spread_over_provinces():
    courts = generated_courts(2000, 100)
    basic = [c for c in courts if len(c.code) == 5]
    assert len(basic) == 2000 and len({c.code for c in courts}) == len(courts)
    assert all(is_court_code(c.code) and c.parent == c.code[:3] for c in basic)
    intermediate = [c for c in courts if len(c.code) == 3]
    assert all(1 <= int(c.code[1:]) <= 20 and c.volume == 0 for c in intermediate)  # below CASENO-4's 71–99
    assert len({c.code[0] for c in courts}) >= 12
    assert sum(c.volume for c in basic) / len(basic) == pytest.approx(100, rel=0.05)


def test_generated_courts_in_a_bundle(stressed):
    summary = stressed.summary
    codes = Counter(o["court"] for o in stressed.cases)
    assert set(codes) == {"豫0102", "豫0103", "豫0121", "豫0122", "豫0123"}
    assert summary.courts["豫01"].endswith("中级人民法院") and summary.courts["豫"] == "河南省高级人民法院"
    # Petitions about a basic court may be screened by its intermediate court (PET-3).
    handled = {p.get("handled_by") for o in stressed.cases for p in o.get("petitions", [])}
    assert "豫01" in handled


def test_day_tables_agree_with_the_legal_calendar():
    tables = DayTables(date(2022, 1, 1), date(2027, 12, 31))
    day = date(2023, 1, 1)
    while day < date(2026, 6, 1):
        o = day.toordinal()
        assert tables.roll(o) == periods.roll_forward(day).toordinal()
        assert tables.days_deadline(o, 10) == periods.days_deadline(day, 10).toordinal()
        assert tables.months_deadline(o, 6) == periods.months_deadline(day, 6).toordinal()
        assert tables.working_days_after(o, 5) == periods.working_days_deadline(day, 5).toordinal()
        for n in (-3, 3, 12, 60):
            assert tables.months(o, n) == periods.add_months(day, n).toordinal()
        assert tables.format(o) == day.isoformat()
        day += timedelta(days=1)
    # 调休: Saturday 2023-05-06 is a working day; the 国庆 2024 holiday rolls to 10-08.
    assert tables.is_working(date(2023, 5, 6).toordinal())
    assert tables.roll(date(2024, 10, 1).toordinal()) == date(2024, 10, 8).toordinal()
    assert tables.back(date(2024, 10, 7).toordinal()) == date(2024, 9, 30).toordinal()
    assert tables.months(date(2023, 8, 31).toordinal(), 6) == date(2024, 2, 29).toordinal()


def test_arguments_are_checked():
    with pytest.raises(ValueError):
        simulate(io.StringIO(), seed=1, years=0)
    with pytest.raises(ValueError):
        simulate(io.StringIO(), seed=1, courts=0)
    with pytest.raises(ValueError):
        FaultRates(over_seizure=1.5)
