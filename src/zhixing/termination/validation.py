"""What officers may record (forms and API), checked before anything is saved.

The import records history and refuses only format errors (case-bundle.md "Errors"); the
forms and API refuse an act that breaks a rule before it happens. Each validator is a pure
function of the case record and the proposed act and returns ``(field, message)`` pairs:
the message is Chinese and names the rule. ``services`` raises :class:`InputError` with
them and saves nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from zhixing.cases.choices import DEADLINE_TYPES, ClosingMode, PartyRole
from zhixing.cases.records import CaseRecord
from zhixing.lib import errors
from zhixing.termination import rules

Problems = list[tuple[str, str]]

#: TERM-8 (终本规定 第五条): what the applicant must be told before the ruling.
TOLD_ITEMS = {
    "told_progress": "案件执行情况",
    "told_measures": "采取的财产调查措施",
    "told_property": "查明的财产情况",
    "told_basis": "终结本次执行程序的依据及法律后果",
}
OPINIONS = ("同意", "不同意")


class InputError(errors.Refused, ValueError):
    """Bad input: every problem as ``(field, message)``; nothing was saved."""

    def __init__(self, problems: Problems):
        problems = list(problems)
        super().__init__("；".join(message for _, message in problems), problems[0][0] if problems else None)
        self.problems = problems


class StaleVersion(errors.Conflict, InputError):
    """The case changed since the form was loaded (optimistic concurrency)."""

    def __init__(self, expected: int | None, actual: int):
        super().__init__([("version", f"案件已被他人修改（版本 {expected} → {actual}），请刷新后重试")])


def raise_if(problems: Problems) -> None:
    if problems:
        raise InputError(problems)


def _day(field: str, label: str, on: date, record: CaseRecord, today: date) -> Problems:
    if on < record.filed_on:
        return [(field, f"{label}（{on.isoformat()}）早于立案日期（{record.filed_on.isoformat()}）")]
    if on > today:
        return [(field, f"{label}（{on.isoformat()}）晚于今天（{today.isoformat()}），不能预先登记")]
    return []


def _rulings(record: CaseRecord):
    return record.events_of("termination_ruling")


# -- the closing gate -----------------------------------------------------------------------


def closing_errors(record: CaseRecord, closed_on: date, today: date) -> Problems:
    """What makes a 终本 closing impossible, whatever the checks say: a closed case, a case
    type that cannot close by 终本, a date outside filing…today, no ruling (TERM-10: the
    closing rests on the ruling), an interview dated after the closing (TERM-8)."""
    if record.closed_on is not None:
        mode = record.closing_mode.label if record.closing_mode else ""
        return [("closed_on", f"本案已于{record.closed_on.isoformat()}以{mode}方式结案")]
    problems: Problems = []
    if record.case_type not in DEADLINE_TYPES:
        problems.append(
            (
                "case_type",
                f"{record.case_type.label}案件不能以终结本次执行程序方式结案（只适用于首次执行、恢复执行案件）",
            )
        )
    problems += _day("closed_on", "结案日期", closed_on, record, today)
    if not [e for e in _rulings(record) if e.on <= closed_on]:
        problems.append(
            (
                "ruling",
                f"结案日期（{closed_on.isoformat()}）前没有终结本次执行程序裁定，不能以终本方式结案（TERM-10）",
            )
        )
    late = [e.on for e in record.events_of("applicant_interview") if e.on > closed_on]
    if late:
        problems.append(
            (
                "interview",
                f"约谈申请执行人的日期（{late[0].isoformat()}）晚于结案日期（{closed_on.isoformat()}）：约谈应在终本裁定前（TERM-8）",
            )
        )
    return problems


def closed_record(record: CaseRecord, closed_on: date) -> CaseRecord:
    return replace(record, closed_on=closed_on, closing_mode=ClosingMode.TERMINATED_CURRENT)


def gate_verdict(record: CaseRecord, closed_on: date) -> rules.TerminationVerdict:
    """The checks T1–T14 as of the closing day, as if the case were closed by 终本 that day
    (indicators.md §7; T14 is normally still pending then)."""
    verdict = rules.check_termination(closed_record(record, closed_on), closed_on)
    assert verdict is not None  # a 首执/执恢 case closed on closed_on is always judged
    return verdict


# -- interview and ruling ---------------------------------------------------------------------------


def interview_errors(
    record: CaseRecord, *, on: date, applicant: str, told: dict[str, bool], opinion: str, today: date
) -> Problems:
    """TERM-8 (终本规定 第五条): the interview is of an applicant of the case, tells all four
    items, records an opinion (同意/不同意), and comes on or before the ruling and the closing."""
    problems = _day("on", "约谈日期", on, record, today)
    party = record.party(applicant)
    if party is None or party.role != PartyRole.APPLICANT:
        names = "、".join(f"{p.id}（{p.name}）" for p in record.applicants)
        problems.append(("applicant", f"{applicant!r}不是本案的申请执行人（本案申请执行人：{names}）"))
    missing = [label for key, label in TOLD_ITEMS.items() if not told.get(key)]
    if missing:
        problems.append(
            ("told", "约谈须告知申请执行人：" + "、".join(missing) + "（TERM-8，终本规定第五条）")
        )
    if opinion not in OPINIONS:
        problems.append(("opinion", "申请执行人意见应为“同意”或“不同意”（TERM-8）"))
    if record.closed_on is not None and on > record.closed_on:
        problems.append(
            (
                "on",
                f"约谈日期（{on.isoformat()}）晚于结案日期（{record.closed_on.isoformat()}）：约谈应在终本裁定前（TERM-8）",
            )
        )
    rulings = _rulings(record)
    if rulings and on > rulings[-1].on:
        problems.append(
            (
                "on",
                f"约谈日期（{on.isoformat()}）晚于终本裁定日期（{rulings[-1].on.isoformat()}）：约谈应在裁定前（TERM-8）",
            )
        )
    return problems


def ruling_errors(
    record: CaseRecord,
    *,
    on: date,
    approval: str,
    collegial_on: date | None,
    president_on: date | None,
    today: date,
) -> Problems:
    """Before a 终本 ruling: the case is open (TERM-10: closing follows service of the ruling),
    the applicant was interviewed with an opinion on or before the ruling day (TERM-8), the
    ruling is authorised by the applicant's consent or by a collegial panel and the
    president (TERM-9), and part of the claim is unrealised (TERM-10)."""
    if record.closed_on is not None:
        return [("on", f"本案已于{record.closed_on.isoformat()}结案，不能再作出终本裁定")]
    problems = _day("on", "裁定日期", on, record, today)
    if record.case_type not in DEADLINE_TYPES:
        problems.append(("case_type", f"{record.case_type.label}案件不能裁定终结本次执行程序"))
    interviews = [e for e in record.events_of("applicant_interview") if e.on <= on and e.data.get("opinion")]
    if not interviews:
        problems.append(("interview", f"裁定（{on.isoformat()}）前未约谈申请执行人并记录其意见（TERM-8）"))
    if approval == "consent":
        if not any(e.data.get("opinion") == "同意" for e in interviews):
            problems.append(
                (
                    "approval",
                    "申请执行人未书面同意终结本次执行程序，须经合议庭评议并报院长批准（TERM-9，民诉法解释第五百一十七条）",
                )
            )
    elif approval == "panel":
        for field, label, day in (
            ("collegial_on", "合议庭评议", collegial_on),
            ("president_on", "院长批准", president_on),
        ):
            if day is None:
                problems.append(
                    (field, f"未经申请执行人同意的终本裁定须{label}，请填写{label}日期（TERM-9）")
                )
            elif day > on:
                problems.append(
                    (field, f"{label}日期（{day.isoformat()}）晚于裁定日期（{on.isoformat()}）（TERM-9）")
                )
            else:
                problems += _day(field, f"{label}日期", day, record, today)
    else:
        problems.append(
            ("approval", "批准方式应为申请执行人同意（consent）或合议庭评议并报院长批准（panel）")
        )
    claim = record.claim_amount or Decimal(0)
    if not record.recovered_amount < claim:
        problems.append(
            (
                "claim_amount",
                f"执行到位金额{record.recovered_amount:.2f}元已达申请执行标的{claim:.2f}元，没有未实现的债权，不能终本（TERM-10）",
            )
        )
    return problems


def service_errors(record: CaseRecord, *, on: date, today: date) -> Problems:
    """TERM-10: the ruling is served on the applicant on or after its day, before closing."""
    rulings = _rulings(record)
    if not rulings:
        return [("ruling", "本案没有终结本次执行程序裁定，无从送达（TERM-10）")]
    problems = _day("on", "送达日期", on, record, today)
    if on < rulings[-1].on:
        problems.append(("on", f"送达日期（{on.isoformat()}）早于裁定日期（{rulings[-1].on.isoformat()}）"))
    if record.closed_on is not None and on > record.closed_on:
        problems.append(
            (
                "on",
                f"送达日期（{on.isoformat()}）晚于结案日期（{record.closed_on.isoformat()}）：案件在裁定送达后才能结案（TERM-10）",
            )
        )
    return problems


# -- after closing -----------------------------------------------------------------------------------


def _terminated(record: CaseRecord) -> Problems:
    if record.closed_on is None or record.closing_mode != ClosingMode.TERMINATED_CURRENT:
        return [("case", "本案未以终结本次执行程序方式结案")]
    return []


def registry_entry_errors(record: CaseRecord, *, on: date, today: date) -> Problems:
    """TERM-11: the entry follows the service of the ruling on a 终本 case, once."""
    problems = _terminated(record)
    if problems:
        return problems
    problems = _day("on", "录入日期", on, record, today)
    served = record.first("ruling_served")
    if served is None:
        problems.append(("on", "终本裁定尚未送达申请执行人，不能录入终本案件库（TERM-11）"))
    elif on < served.on:
        problems.append(
            ("on", f"录入日期（{on.isoformat()}）早于裁定送达日期（{served.on.isoformat()}）（TERM-11）")
        )
    entries, hidden = (
        record.events_of("termination_registry_entry"),
        record.events_of("termination_registry_hidden"),
    )
    if entries and not (hidden and hidden[-1].on >= entries[-1].on):
        problems.append(("on", f"本案已于{entries[-1].on.isoformat()}录入终本案件库"))
    return problems


def registry_hidden_errors(record: CaseRecord, *, on: date, today: date) -> Problems:
    """TERM-15: only a published entry can be hidden, on or after its day, once."""
    problems = _terminated(record)
    if problems:
        return problems
    problems = _day("on", "屏蔽日期", on, record, today)
    entries, hidden = (
        record.events_of("termination_registry_entry"),
        record.events_of("termination_registry_hidden"),
    )
    if not entries:
        problems.append(("on", "本案未录入终本案件库，无需屏蔽"))
    elif on < entries[-1].on:
        problems.append(("on", f"屏蔽日期（{on.isoformat()}）早于录入日期（{entries[-1].on.isoformat()}）"))
    elif hidden and hidden[-1].on >= entries[-1].on:
        problems.append(("on", f"本案终本案件库信息已于{hidden[-1].on.isoformat()}屏蔽"))
    return problems


def inquiry_errors(record: CaseRecord, *, on: date, party: str | None, today: date) -> Problems:
    """TERM-12: a re-query is made after a 终本 closing; ``party``, if given, is a debtor."""
    problems = _terminated(record)
    if problems:
        return problems
    problems = _day("on", "查询日期", on, record, today)
    if on <= record.closed_on:
        problems.append(
            ("on", f"终本后查询的日期（{on.isoformat()}）应晚于结案日期（{record.closed_on.isoformat()}）")
        )
    if party is not None:
        p = record.party(party)
        if p is None or p.role != PartyRole.DEBTOR:
            problems.append(("party", f"{party!r}不是本案的被执行人"))
    return problems


# -- resumption -------------------------------------------------------------------------------------


def resumption_errors(record: CaseRecord, *, filed_on: date, already: str | None, today: date) -> Problems:
    """CLOSE-6 / TERM-13: only a case closed by 终本 is resumed from here, once (a second
    resumption starts from the 执恢 case), on a day on or after its closing. No time limit
    applies (TERM-13: not subject to the 2-year limitation)."""
    if record.closed_on is None or record.closing_mode != ClosingMode.TERMINATED_CURRENT:
        how = f"以{record.closing_mode.label}方式结案" if record.closing_mode else "尚未结案"
        return [("case", f"本案{how}，不是终结本次执行程序的案件，不能在此恢复执行（CLOSE-6、TERM-13）")]
    if already:
        return [("case", f"本案已恢复执行（{already}）；再次恢复请从该案办理")]
    problems: Problems = []
    if filed_on < record.closed_on:
        problems.append(
            (
                "filed_on",
                f"恢复执行立案日期（{filed_on.isoformat()}）早于终本结案日期（{record.closed_on.isoformat()}）",
            )
        )
    if filed_on > today:
        problems.append(
            ("filed_on", f"恢复执行立案日期（{filed_on.isoformat()}）晚于今天（{today.isoformat()}）")
        )
    if not record.unpaid > 0:
        problems.append(("claim_amount", "原案已无未履行金额，无需恢复执行"))
    return problems
