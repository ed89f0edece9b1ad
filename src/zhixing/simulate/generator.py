"""``zhixing simulate``: a calibrated, deterministic simulation of implementation cases.

Each court files 首次执行 cases on working days (weekly rhythm, holiday dips, yearly growth)
and plays every case forward as a process that schedules its own dated events
(``process.CourtProcess``); 终本 cases may come back as 恢复执行 cases with a new 执恢 number
in the year of resumption (CASENO-7), filed when their day comes. The courts' case
streams are merged by filing day into one case bundle (spec/case-bundle.md), a snapshot
as of ``end``, with a labels file naming the lapses planted in it (``faults``).

Deterministic: every court-year draws from its own ``random.Random`` seeded with the seed,
the court code and the year, and every resumed case from one seeded with its original's
case number, so the same arguments give byte-identical files — also when the courts are
dealt to two worker processes, whose streams are merged the same way. Streaming: only one
pending case per court (and the resumptions not yet filed) is held in memory.
"""

from __future__ import annotations

import heapq
import multiprocessing as mp
import os
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from random import Random
from typing import IO

from zhixing.simulate import calibration as cal
from zhixing.simulate import courts as courts_mod
from zhixing.simulate.courts import Court
from zhixing.simulate.days import DayTables
from zhixing.simulate.faults import NAMES, FaultRates
from zhixing.simulate.names import SURNAMES
from zhixing.simulate.process import MODES, CourtProcess, Parent, Result

__all__ = ["SimulationSummary", "court_names", "simulate"]


def court_names() -> dict[str, str]:
    """Names of the default courts and their high court (豫0823 → 武陟县人民法院,
    豫08 → 焦作市中级人民法院, 豫 → 河南省高级人民法院)."""
    return courts_mod.court_names()


@dataclass
class SimulationSummary:
    """What a simulation wrote. Counts of closings and amounts are as of ``end``."""

    seed: int
    start: date  # first day filings may fall on
    end: date
    cases: int = 0
    first_cases: int = 0
    resumed_cases: int = 0
    open_cases: int = 0
    #: 首次执行 closings by mode (Chinese label), and 恢复执行 closings by mode.
    closings: dict[str, int] = field(default_factory=dict)
    resumed_closings: dict[str, int] = field(default_factory=dict)
    #: Σ claim and Σ recovered of closed 首次执行 cases (IND-05's numerator and denominator).
    claim_closed: Decimal = Decimal("0.00")
    recovered_closed: Decimal = Decimal("0.00")
    labelled_cases: int = 0
    #: Per fault kind (faults.NAMES): cases labelled, and cases eligible (the rate's denominator).
    faults: dict[str, int] = field(default_factory=dict)
    eligible: dict[str, int] = field(default_factory=dict)
    #: Every court that appears (basic, intermediate, high) → its name: a courts file's content.
    courts: dict[str, str] = field(default_factory=dict)
    elapsed_seconds: float = 0.0

    @property
    def recovery_rate(self) -> Decimal | None:
        """IND-05 over the simulated 首次执行 closings (实际执行到位率)."""
        if not self.claim_closed:
            return None
        return (self.recovered_closed / self.claim_closed).quantize(Decimal("0.0001"))

    def mode_share(self, mode: str) -> float:
        """Share of ``mode`` among 首次执行 closings."""
        total = sum(self.closings.values())
        return self.closings.get(mode, 0) / total if total else 0.0

    def fault_rate(self, kind: str) -> float | None:
        """Labelled / eligible for one fault kind (None when no case was eligible)."""
        n = self.eligible.get(kind, 0)
        return self.faults.get(kind, 0) / n if n else None

    @property
    def cases_per_second(self) -> float:
        return self.cases / self.elapsed_seconds if self.elapsed_seconds else 0.0


def simulate(
    output: str | Path | IO[str],
    *,
    seed: int,
    courts: int | None = None,
    years: int = 3,
    cases_per_court_year: int | None = None,
    end: date = date(2025, 12, 31),
    labels: str | Path | None = None,
    faults: FaultRates | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> SimulationSummary:
    """Write a simulated case bundle (one JSON line per case, sorted by filing day) to
    ``output`` and, if ``labels`` is given, a JSONL file with one
    ``{"case_number": …, "faults": [...]}`` line per case that carries a planted lapse.

    ``courts=None`` simulates 焦作中院 and its ten basic courts; ``courts=K`` simulates K
    generated basic courts. Filings fall in the ``years`` calendar years ending with
    ``end``'s year, up to ``end``; no fact after ``end`` is written (cases still open then
    stay open). ``faults`` sets the lapse rates (default ``FaultRates()``; ``FaultRates.none()``
    for a clean bundle). ``progress`` is called with the number of cases written so far.
    ``workers``: processes generating cases (default: 2 for large runs on a machine with
    two or more cores, else 1); the output does not depend on it.
    """
    if years < 1:
        raise ValueError("years must be at least 1")
    if cases_per_court_year is not None and cases_per_court_year < 1:
        raise ValueError("cases_per_court_year must be at least 1")
    court_list = (
        courts_mod.default_courts(cases_per_court_year)
        if courts is None
        else courts_mod.generated_courts(courts, cases_per_court_year)
    )
    rates = (faults or FaultRates()).as_tuple()
    first_year = end.year - years + 1
    summary = SimulationSummary(seed=seed, start=date(first_year, 1, 1), end=end)
    summary.courts = _court_directory(court_list)

    started = time.perf_counter()
    tables = DayTables(date(first_year - 2, 1, 1), date(end.year + 7, 12, 31))
    end_o = end.toordinal()
    filing_days = {y: _filing_days(tables, y, end_o) for y in range(first_year, end.year + 1)}
    processes = _processes(court_list, tables, end_o, rates, seed)
    expected = sum(p.court.volume for p in processes) * years
    if workers is None:
        workers = _default_workers(expected)
    tally = _Tally()
    with _open(output) as out, _open(labels) if labels is not None else _null() as label_out:
        if workers <= 1:
            streams = [
                _court_stream(i, p, filing_days, seed, first_year, end.year, tally)
                for i, p in enumerate(processes)
            ]
            _write(heapq.merge(*streams, key=_merge_key), out, label_out, progress)
        else:
            _write_parallel(
                processes, filing_days, seed, first_year, end.year, workers, out, label_out, progress, tally
            )
    tally.fill(summary)
    summary.elapsed_seconds = time.perf_counter() - started
    return summary


# -- courts ------------------------------------------------------------------------------------


def _court_directory(court_list: list[Court]) -> dict[str, str]:
    names = {}
    for c in court_list:
        high = c.code[0]
        names.setdefault(high, courts_mod.HIGH_COURT_NAMES[high])
    names.update((c.code, c.name) for c in court_list)
    return names


def _processes(
    court_list: list[Court], tables: DayTables, end_o: int, rates: tuple[float, ...], seed: int
) -> list[CourtProcess]:
    """One process per court that files cases, with its diligence and its handlers.

    Diligence scores are drawn per court and centred on the caseload-weighted mean, so
    the courts' fault rates and closing mixes average out to the configured targets."""
    active = [c for c in court_list if c.volume > 0]
    rng = Random(f"{seed}:courts")
    scores = [rng.uniform(-1, 1) for _ in active]
    total = sum(c.volume for c in active)
    mean = sum(s * c.volume for s, c in zip(scores, active, strict=True)) / total
    scores = [s - mean for s in scores]
    widest = max(1.0, *(abs(s) for s in scores))
    scores = [s / widest for s in scores]
    out = []
    for court, score in zip(active, scores, strict=True):
        count = max(2, round(court.volume / cal.CASES_PER_HANDLER_YEAR))
        surnames = rng.sample(SURNAMES, count)
        handlers = [s + ("某" if k % 3 else "某某") for k, s in enumerate(surnames)]
        factors = [0.7 + 0.6 * rng.random() for _ in handlers]
        mean_f = sum(factors) / len(factors)
        factors = [f / mean_f for f in factors]
        supervising = court.parent if len(court.code) == 5 else None
        out.append(CourtProcess(court, tables, end_o, rates, score, handlers, factors, supervising))
    return out


# -- filings --------------------------------------------------------------------------------------


def _filing_days(tables: DayTables, year: int, end_o: int) -> tuple[list[int], list[float], float]:
    """The working days of ``year`` up to ``end`` with cumulative filing weights, and the
    share of the year's weight they hold (a year cut short by ``end`` files less)."""
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    days, weights = [], []
    # Days before a break of 7 or more days off (Spring Festival, National Day).
    quiet: set[int] = set()
    run = 0
    for o in range(first - 10, last + 20):
        if not tables.is_working(o):
            run += 1
            continue
        if run >= 7:
            quiet.update(range(o - run - 10, o - run))
        run = 0
    total = 0.0
    kept = 0.0
    for o in range(first, last + 1):
        if not tables.is_working(o):
            continue
        d = date.fromordinal(o)
        w = cal.WEEKDAY_FACTORS[d.weekday()] * cal.MONTH_FACTORS[d.month - 1]
        if o in quiet:
            w *= cal.PRE_HOLIDAY_FACTOR
        total += w
        if o <= end_o:
            kept += w
            days.append(o)
            weights.append(kept)
    return days, weights, kept / total if total else 0.0


def _court_stream(
    index: int,
    process: CourtProcess,
    filing_days: dict,
    seed: int,
    first_year: int,
    last_year: int,
    tally: _Tally,
) -> Iterator[tuple[int, int, str, str | None]]:
    """The cases of one court in filing order: its 首次执行 filings and, on their days, the
    恢复执行 cases of its earlier 终本 cases, numbered per (court, type, year) (CASENO-6).
    Yields (filing day, court index, bundle line, labels line or None)."""
    court = process.court
    pending: list[tuple[int, int, Parent]] = []
    counter = 0
    add = tally.add
    for year in range(first_year, last_year + 1):
        rng = Random(f"{seed}:{court.code}:{year}")
        days, cum, share = filing_days[year]
        volume = court.volume * (1 + cal.YEARLY_GROWTH) ** (year - first_year) * share
        count = int(volume) + (rng.random() < volume - int(volume))
        filings = sorted(rng.choices(days, cum_weights=cum, k=count)) if days and count else []
        year_end = date(year, 12, 31).toordinal()
        seq = resumed_seq = 0
        i = 0
        while True:
            nxt = filings[i] if i < len(filings) else None
            if pending and pending[0][0] <= (year_end if nxt is None else nxt):
                filed, _, parent = heapq.heappop(pending)
                resumed_seq += 1
                number = f"（{year}）{court.code}执恢{resumed_seq}号"
                result = process.case(Random(f"{seed}:{parent.case_number}"), filed, number, parent)
            elif nxt is not None:
                filed = nxt
                i += 1
                seq += 1
                number = f"（{year}）{court.code}执{seq}号"
                result = process.case(rng, filed, number)
            else:
                break
            if result.resumption is not None:
                counter += 1
                heapq.heappush(pending, (result.resumption.filed_on, counter, result.resumption))
            add(result)
            label_line = None
            if result.labels:
                kinds = ",".join([f'"{name}"' for name in result.labels])
                label_line = f'{{"case_number":"{number}","faults":[{kinds}]}}'
            yield filed, index, result.line, label_line


def _merge_key(item: tuple) -> tuple[int, int]:
    return item[0], item[1]


# -- writing ------------------------------------------------------------------------------------------


class _Tally:
    """Counts for the summary, kept where the cases are made (in a worker process when
    there are several) and added up at the end."""

    def __init__(self):
        self.closings = dict.fromkeys(MODES, 0)
        self.resumed_closings = dict.fromkeys(MODES[:3], 0)
        self.faults = [0] * len(NAMES)
        self.eligible = [0] * len(NAMES)
        self.index = {name: i for i, name in enumerate(NAMES)}
        self.cases = self.first = self.resumed = self.open = self.labelled = 0
        self.claim_closed = self.recovered_closed = 0

    def add(self, result: Result) -> None:
        self.cases += 1
        mode = result.mode
        if result.first:
            self.first += 1
            if mode is not None:
                self.closings[mode] += 1
                self.claim_closed += result.claim
                self.recovered_closed += result.recovered
        else:
            self.resumed += 1
            if mode is not None:
                self.resumed_closings[mode] += 1
        if mode is None:
            self.open += 1
        eligible = self.eligible
        for k in result.eligible:
            eligible[k] += 1
        if result.labels:
            self.labelled += 1
            for name in result.labels:
                self.faults[self.index[name]] += 1

    def merge(self, other: _Tally) -> None:
        for name in ("cases", "first", "resumed", "open", "labelled", "claim_closed", "recovered_closed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mode, count in other.closings.items():
            self.closings[mode] += count
        for mode, count in other.resumed_closings.items():
            self.resumed_closings[mode] += count
        self.faults = [a + b for a, b in zip(self.faults, other.faults, strict=True)]
        self.eligible = [a + b for a, b in zip(self.eligible, other.eligible, strict=True)]

    def fill(self, summary: SimulationSummary) -> None:
        summary.cases, summary.first_cases, summary.resumed_cases = self.cases, self.first, self.resumed
        summary.open_cases, summary.labelled_cases = self.open, self.labelled
        summary.closings = dict(self.closings)
        summary.resumed_closings = dict(self.resumed_closings)
        summary.claim_closed = Decimal(self.claim_closed) / 100
        summary.recovered_closed = Decimal(self.recovered_closed) / 100
        summary.faults = dict(zip(NAMES, self.faults, strict=True))
        summary.eligible = dict(zip(NAMES, self.eligible, strict=True))


_CHUNK = 1000


def _write(items, out: IO[str], label_out: IO[str] | None, progress) -> None:
    """Write merged (day, court, line, label line) items in chunks."""
    lines: list[str] = []
    label_lines: list[str] = []
    written = 0
    for _filed, _court, line, label_line in items:
        lines.append(line)
        if label_line is not None:
            label_lines.append(label_line)
        if len(lines) >= _CHUNK:
            out.write("\n".join(lines) + "\n")
            written += len(lines)
            lines.clear()
            if label_lines and label_out is not None:
                label_out.write("\n".join(label_lines) + "\n")
            label_lines.clear()
            if progress is not None and written % 10_000 == 0:
                progress(written)
    if lines:
        out.write("\n".join(lines) + "\n")
        written += len(lines)
    if label_lines and label_out is not None:
        label_out.write("\n".join(label_lines) + "\n")
    if progress is not None:
        progress(written)


# -- two processes ------------------------------------------------------------------------------------

_PARALLEL_FROM = 60_000  # expected cases from which a second process pays for itself
_BATCH = 400


def _default_workers(expected: int) -> int:
    if expected < _PARALLEL_FROM or (os.cpu_count() or 1) < 2 or "fork" not in mp.get_all_start_methods():
        return 1
    return 2


def _worker(conn, streams) -> None:
    """Run some courts' streams (merged) and send their items in batches, then the tally."""
    try:
        tally = streams[0][1]
        merged = heapq.merge(*(s for s, _ in streams), key=_merge_key)
        batch = []
        for item in merged:
            batch.append(item)
            if len(batch) >= _BATCH:
                conn.send(batch)
                batch = []
        if batch:
            conn.send(batch)
        conn.send(("done", tally))
    except BaseException as exc:  # report anything to the parent, which raises it
        conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        conn.close()


def _received(conn, tallies: list[_Tally]) -> Iterator[tuple[int, int, str, str | None]]:
    while True:
        message = conn.recv()
        if isinstance(message, tuple):
            kind, payload = message
            if kind == "error":
                raise RuntimeError(f"simulation worker failed: {payload}")
            tallies.append(payload)
            return
        yield from message


def _write_parallel(
    processes, filing_days, seed, first_year, last_year, workers, out, label_out, progress, tally
) -> None:
    """Courts are dealt to ``workers`` forked processes (largest first, to the least loaded);
    each merges its courts by filing day and the parent merges the workers' streams, so the
    file is the same as a single process writes."""
    ctx = mp.get_context("fork")
    loads = [0] * workers
    shares: list[list[int]] = [[] for _ in range(workers)]
    for i in sorted(range(len(processes)), key=lambda i: -processes[i].court.volume):
        w = loads.index(min(loads))
        shares[w].append(i)
        loads[w] += processes[i].court.volume
    children, pipes, tallies = [], [], []
    try:
        for share in shares:
            if not share:
                continue
            own = _Tally()
            streams = [
                (_court_stream(i, processes[i], filing_days, seed, first_year, last_year, own), own)
                for i in share
            ]
            receiver, sender = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_worker, args=(sender, streams), daemon=True)
            child.start()
            sender.close()
            children.append(child)
            pipes.append(receiver)
        _write(heapq.merge(*(_received(p, tallies) for p in pipes), key=_merge_key), out, label_out, progress)
    finally:
        for child in children:
            if child.is_alive() and len(tallies) < len(children):
                child.terminate()
            child.join()
        for p in pipes:
            p.close()
    for t in tallies:
        tally.merge(t)


class _open:
    """A text stream for a path (UTF-8, "\\n" line ends, large buffer) or a given stream
    left open."""

    def __init__(self, target: str | Path | IO[str]):
        self.target = target
        self.fh: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        if isinstance(self.target, str | Path):
            self.fh = open(self.target, "w", encoding="utf-8", newline="\n", buffering=1 << 20)
            return self.fh
        return self.target

    def __exit__(self, *exc) -> None:
        if self.fh is not None:
            self.fh.close()


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        return None
