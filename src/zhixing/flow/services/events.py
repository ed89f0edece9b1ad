"""The node log: :func:`record_event`, :func:`record_events_bulk`, :func:`correct_event`,
:func:`withdraw_event` — the one way forms, the API and jobs append to a case's log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from zhixing.cases.bundle import BundleError, case_to_bundle, fingerprint, parse_case
from zhixing.cases.loader import load_record, load_records
from zhixing.cases.models import Case, NodeEvent
from zhixing.cases.records import CaseRecord
from zhixing.flow import checks
from zhixing.flow.nodes import NODES
from zhixing.flow.services.errors import Conflict, FlowError, Forbidden
from zhixing.flow.services.people import SYSTEM, can_act, who
from zhixing.lib.clock import today
from zhixing.metrics.facts import refresh_facts

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: Nodes whose entry must go through the 失信 decision workflow (credit.services), which
#: numbers the decision document and keeps the published list in step (CREDIT-1…CREDIT-9).
CREDIT_NODES = frozenset({"credit_listing", "credit_deletion", "credit_revocation", "credit_correction"})


def _effective_rows(case_id: int) -> list[NodeEvent]:
    """The rows the loader turns into the record's events, in the record's order."""
    return list(
        NodeEvent.objects.filter(case_id=case_id, withdrawn=False, superseded_by__isnull=True).order_by(
            "on", "position", "pk"
        )
    )


def _clean(node: str, on: Any, data: Any, *, for_correction: bool = False) -> tuple[date, dict]:
    if node not in NODES:
        raise FlowError("node", f"未知的节点代码 {node!r}")
    if not for_correction and node in CREDIT_NODES:
        raise FlowError(
            "node", f"{NODES[node].label}须通过失信决定办理（载明决定书文号，并同步公布名单，CREDIT-1）"
        )
    if isinstance(on, str):
        if not _DATE_RE.match(on):
            raise FlowError("on", f"日期格式应为 YYYY-MM-DD，实际为 {on!r}")
        try:
            on = date.fromisoformat(on)
        except ValueError:
            raise FlowError("on", f"日期 {on} 不存在") from None
    if not isinstance(on, date):
        raise FlowError("on", "缺少日期")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FlowError("data", "节点内容应为对象")
    if "node" in data or "on" in data:
        raise FlowError("data", "节点内容不能含 node 或 on 字段")
    if on > today():
        raise FlowError("on", f"日期 {on} 晚于今天（{today()}），不能预先登记")
    return on, {k: v for k, v in data.items() if v is not None}


def _validated(case: Case, before: CaseRecord, events: list[dict], new_index: int | None) -> CaseRecord:
    """The case as it would be with ``events`` (bundle shape), checked by the bundle's own
    rules; a broken rule becomes a FlowError naming the field of the act."""
    obj = case_to_bundle(before)
    obj["events"] = events
    try:
        after = parse_case(obj, today=today())
    except BundleError as e:
        prefix = f"events[{new_index}]" if new_index is not None else None
        if prefix and e.field == prefix + ".on":
            raise FlowError("on", e.message) from None
        if prefix and e.field.startswith(prefix + "."):
            name = e.field[len(prefix) + 1 :]
            raise FlowError("node" if name == "node" else name, e.message) from None
        if e.field.startswith("events["):
            i = int(e.field[len("events[") : e.field.index("]")])
            other = events[i]
            raise FlowError(
                "event", f"{checks.label(other.get('node'))}（{other.get('on')}）：{e.message}"
            ) from None
        raise FlowError(e.field, e.message) from None
    if problems := checks.introduced(before, after):
        raise FlowError("on", problems[0])
    return after


def _bump(case: Case, record: CaseRecord) -> None:
    """Optimistic concurrency: the version the lock read becomes version + 1 with a
    conditional UPDATE, or the caller lost a race (0 rows)."""
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        version=F("version") + 1, fingerprint=fingerprint(record), updated_at=timezone.now()
    )
    if updated != 1:
        current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first()
        raise Conflict("version", f"案件已被他人修改（版本 {case.version} → {current}），请刷新后重试")
    case.version += 1


def _bump_many(pairs: list[tuple[Case, CaseRecord]]) -> None:
    """:func:`_bump` for many cases with one ``executemany`` (the same conditional UPDATE
    per case: a lost race is a Conflict and the caller's transaction rolls back)."""
    q = connection.ops.quote_name
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {q(Case._meta.db_table)} SET version = version + 1, fingerprint = %s, updated_at = %s"
            f" WHERE {q(Case._meta.pk.column)} = %s AND version = %s",
            [(fingerprint(record), now, case.pk, case.version) for case, record in pairs],
        )
        updated = cursor.rowcount
    if updated != len(pairs) and updated != -1:
        raise Conflict("version", "案件已被他人修改，请刷新后重试")
    for case, _ in pairs:
        case.version += 1


def _refresh(case_id: int) -> CaseRecord:
    """Derive this case's facts again (and only this case's), in the caller's transaction
    (refresh_facts also writes the 终本 verdict rows)."""
    record = load_record(case_id)
    refresh_facts([(case_id, record)])
    return record


def _lock(case: Case | int, user, expected_version: int | None) -> Case:
    """Lock the case row (always first: the fixed lock order) and check who acts and the
    version the caller read."""
    pk = case.pk if isinstance(case, Case) else case
    locked = Case.objects.select_for_update().select_related("court").get(pk=pk)
    if not can_act(user, locked):
        raise Forbidden("case", "无权办理本案")
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            "version", f"案件已被他人修改（版本 {expected_version} → {locked.version}），请刷新后重试"
        )
    return locked


def _pre_checks(before: CaseRecord, node: str, on: date, data: dict) -> None:
    if on < before.filed_on and node != "clue_received":
        raise FlowError("on", f"日期 {on} 早于立案日期 {before.filed_on}")
    for field, message in checks.planned_end_problems(node, on, data) + checks.interval_end_problems(
        before, node, on
    ):
        raise FlowError(field, message)


def _next_position(case: Case) -> int:
    last = NodeEvent.objects.filter(case=case).aggregate(m=Max("position"))["m"]
    return (last or 0) + 1


def record_event(
    case: Case,
    node: str,
    on: date | str,
    data: dict | None,
    *,
    user,
    expected_version: int | None,
    reason: str = "",
    source: str = NodeEvent.Source.FORM,
) -> NodeEvent:
    """Append one process node to ``case`` (design.md: the one typed service).

    Refused with a FlowError, nothing saved: an unknown node; a date after today (no
    entry in advance) or before filing (except ``clue_received``, case-bundle.md); a
    missing or bad field by the bundle's rules (e.g. ``extension_approved`` months ≤ 0,
    DL-13); an ``until`` (planned resumption) not after the start, or an ``_end`` before
    its start (DL-14); an event that discharges an obligation before its trigger
    (:func:`checks.discharge_order_problems`); 失信 nodes (they go through the credit
    decision workflow). A past date is allowed: the row keeps when it was entered
    (``recorded_at``) and the optional ``reason``.

    ``expected_version``: the ``Case.version`` the caller's form showed; a different
    current version is a Conflict. ``None`` (jobs only) acts on the current version.
    The version is bumped with a conditional UPDATE and only this case's facts are
    derived again, in the same transaction.
    """
    on, data = _clean(node, on, data)
    if user is not None:
        data["by"] = who(user)  # who recorded it (case-bundle.md), never what the input claims
    data.setdefault("by", SYSTEM)
    with transaction.atomic():
        locked = _lock(case, user, expected_version)
        before = load_record(locked.pk)
        _pre_checks(before, node, on, data)
        events = [{"node": e.node, "on": e.on.isoformat(), **e.data} for e in before.events]
        events.append({"node": node, "on": on.isoformat(), **data})
        _validated(locked, before, events, len(events) - 1)
        row = NodeEvent.objects.create(
            case=locked,
            node=node,
            on=on,
            data=data,
            position=_next_position(locked),
            reason=reason.strip(),
            source=source,
            recorded_by=user if user is not None and user.is_authenticated else None,
        )
        _bump(locked, load_record(locked.pk))
        _refresh(locked.pk)
    if isinstance(case, Case):
        case.version = locked.version
    return row


@dataclass(frozen=True, slots=True)
class NewEvent:
    """One event for :func:`record_events_bulk`: what :func:`record_event` takes for one case."""

    case_id: int
    node: str
    on: date | str
    data: dict | None
    reason: str = ""


def _clean_items(
    items: list[NewEvent], user, results: list[NodeEvent | FlowError | None]
) -> dict[int, tuple[date, dict]]:
    """Step 1 of :func:`record_events_bulk`: each item's day and fields cleaned as
    :func:`record_event` cleans them, by position; a refused item's FlowError goes into
    ``results`` in its place."""
    cleaned: dict[int, tuple[date, dict]] = {}
    for i, item in enumerate(items):
        try:
            on, data = _clean(item.node, item.on, item.data)
        except FlowError as e:
            results[i] = e
            continue
        if user is not None:
            data["by"] = who(user)
        data.setdefault("by", SYSTEM)
        cleaned[i] = (on, data)
    return cleaned


def record_events_bulk(
    items: list[NewEvent], *, user=None, source: str = NodeEvent.Source.SYSTEM
) -> list[NodeEvent | FlowError]:
    """Append many events to many cases in one transaction (machine answers, jobs): the
    bulk form of :func:`record_event`, with the same rules and the same result per event.

    Each item is checked exactly as :func:`record_event` checks it (``_clean``,
    ``_pre_checks``, the case as it would be through the bundle parser, no discharge
    before its trigger) against its case *including the items before it* (several events
    of one case are appended in order). A refused item is a FlowError in its place of the
    returned list and nothing of it is saved; the others are saved. A case's version is
    bumped once per call (not per event), without an expected version (jobs act on the
    current one). Cost per call instead of
    per event: the cases are locked in id order (the fixed lock order, so two callers
    never deadlock) and loaded with one bulk load, the events inserted with one
    bulk_create, and the facts of the touched cases derived once (``refresh_facts``)."""
    results: list[NodeEvent | FlowError | None] = [None] * len(items)
    cleaned = _clean_items(items, user, results)
    if not cleaned:
        return results  # type: ignore[return-value]
    ids = sorted({items[i].case_id for i in cleaned})
    recorded_by = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        locked = {
            c.pk: c
            for c in Case.objects.select_for_update()
            .select_related("court")
            .filter(pk__in=ids)
            .order_by("pk")
        }
        current = dict(load_records(list(locked)))
        positions = dict(
            NodeEvent.objects.filter(case_id__in=list(locked))
            .values("case_id")
            .annotate(m=Max("position"))
            .values_list("case_id", "m")
        )
        rows: list[tuple[int, NodeEvent]] = []
        for i, (on, data) in cleaned.items():
            item = items[i]
            case = locked.get(item.case_id)
            try:
                if case is None:
                    raise FlowError("case", "没有这个案件")
                if not can_act(user, case):
                    raise Forbidden("case", "无权办理本案")
                before = current[case.pk]
                _pre_checks(before, item.node, on, data)
                events = [{"node": e.node, "on": e.on.isoformat(), **e.data} for e in before.events]
                events.append({"node": item.node, "on": on.isoformat(), **data})
                current[case.pk] = _validated(case, before, events, len(events) - 1)
            except FlowError as e:
                results[i] = e
                continue
            positions[case.pk] = (positions.get(case.pk) or 0) + 1
            rows.append((i, NodeEvent(case=case, node=item.node, on=on, data=data, position=positions[case.pk],
                                      reason=item.reason.strip(), source=source, recorded_by=recorded_by)))  # fmt: skip
        if rows:
            NodeEvent.objects.bulk_create([row for _, row in rows])
            touched = sorted({row.case_id for _, row in rows})
            records = list(load_records(touched))
            _bump_many([(locked[pk], record) for pk, record in records])
            refresh_facts(records)
            for i, row in rows:
                results[i] = row
    return results  # type: ignore[return-value]


def _replace(
    event: NodeEvent,
    *,
    on: date | None,
    data: dict | None,
    withdraw: bool,
    user,
    reason: str,
    expected_version: int | None,
) -> NodeEvent:
    if not (reason or "").strip():
        raise FlowError("reason", "更正或撤回节点记录须说明理由")
    with transaction.atomic():
        locked = _lock(event.case_id, user, expected_version)
        rows = _effective_rows(locked.pk)
        index = next((i for i, r in enumerate(rows) if r.pk == event.pk), None)
        if index is None:
            raise Conflict("event", "该节点记录已被更正或撤回，请刷新后重试")
        old = rows[index]
        before = load_record(locked.pk)
        events = [{"node": e.node, "on": e.on.isoformat(), **e.data} for e in before.events]
        del events[index]
        new_index = None
        if not withdraw:
            if old.node in CREDIT_NODES:
                raise FlowError("node", f"{NODES[old.node].label}的更正须通过失信决定办理（CREDIT-1）")
            on, data = _clean(
                old.node,
                on if on is not None else old.on,
                data if data is not None else old.data,
                for_correction=True,
            )
            data["by"] = who(user)
            _pre_checks(_without(before, index), old.node, on, data)
            events.append({"node": old.node, "on": on.isoformat(), **data})
            new_index = len(events) - 1
        elif old.node in CREDIT_NODES:
            raise FlowError("node", f"{NODES[old.node].label}的撤回须通过失信决定办理（CREDIT-1）")
        _validated(locked, before, events, new_index)
        row = NodeEvent.objects.create(
            case=locked,
            node=old.node,
            on=old.on if withdraw else on,
            data={"by": who(user)} if withdraw else data,
            position=_next_position(locked),
            supersedes=old,
            withdrawn=withdraw,
            reason=reason.strip(),
            source=NodeEvent.Source.FORM,
            recorded_by=user if user is not None and user.is_authenticated else None,
        )
        _bump(locked, load_record(locked.pk))
        _refresh(locked.pk)
    return row


def _without(record: CaseRecord, index: int) -> CaseRecord:
    import dataclasses

    return dataclasses.replace(record, events=record.events[:index] + record.events[index + 1 :])


def correct_event(
    event: NodeEvent,
    *,
    on: date | str | None = None,
    data: dict | None = None,
    user,
    reason: str,
    expected_version: int | None = None,
) -> NodeEvent:
    """Correct an event: a new row with the new day and/or fields (``data`` replaces the
    fields as a whole) that supersedes ``event``; the old row stays as history. The node
    stays the same (to change it, withdraw and record). A reason is required; the same
    checks as :func:`record_event` apply to the case as it would be."""
    return _replace(
        event, on=on, data=data, withdraw=False, user=user, reason=reason, expected_version=expected_version
    )


def withdraw_event(event: NodeEvent, *, user, reason: str, expected_version: int | None = None) -> NodeEvent:
    """Withdraw an event entered in error: a withdrawal row superseding it (history kept).
    Refused when the case would break a rule without it (e.g. an ``_end`` left without its
    start, a renewal of an asset no longer restrained)."""
    return _replace(
        event, on=None, data=None, withdraw=True, user=user, reason=reason, expected_version=expected_version
    )
