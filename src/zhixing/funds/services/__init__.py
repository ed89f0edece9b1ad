"""Every change to case funds, and the reports built from them (design.md: one typed
service function per state change, owning its transaction).

Each write:

- takes its row locks in one fixed order — case, then its account, then the receipt,
  then the order or deferral — so two writers never wait on each other in a circle
  (``select_for_update`` on PostgreSQL; on SQLite every transaction is IMMEDIATE, so
  writers simply queue);
- checks the money under those locks and moves the running totals with conditional
  UPDATEs that the database's CHECK constraints guard too (``Receipt.paid_out <=
  amount``, the account's out ≤ received): nothing is paid beyond what arrived, even by
  code that forgot the lock;
- is idempotent by key: a request repeated with the same ``idempotency_key`` returns the
  first result (``replayed=True``) and pays nothing; the same key with different content
  is refused;
- appends a ``FundLog`` row (who, when, what, why) and refreshes the case's facts
  (``metrics.facts.refresh_facts``) in the same transaction, so indicators stay right;
- keeps the case's 执行到位 (``recovered_amount``) by ``funds.rules``: a receipt of 执行款
  adds to it, a refund takes it back, relief and fees never count (KPI-8, AID-7) — so the
  case page, the portal and IND-05 agree the moment the money moves.

Bad input raises :class:`FundError` naming the field and the rule, with a Chinese
message; nothing is saved. Imported history is never judged here: it is recorded as it
happened and reported by the checks and by :func:`reconcile`.

One module per job — :mod:`.receipts` (money in), :mod:`.payments` (money out and its
approval), :mod:`.deferrals`, :mod:`.reading` (the account, clocks and buckets),
:mod:`.reconcile`, with the shared steps in :mod:`.common` and the errors in
:mod:`.errors`; the names are re-exported here.
"""

from zhixing.funds.services.common import CHUNK, KEY_RE, entries_of
from zhixing.funds.services.deferrals import approve_deferral, end_deferral
from zhixing.funds.services.errors import Conflict, Done, Forbidden, FundError, NotFound
from zhixing.funds.services.payments import (
    approve_payment,
    disburse,
    lodge,
    pending_orders,
    refund,
    reject_payment,
    request_payment,
    set_thresholds,
    thresholds_for,
)
from zhixing.funds.services.reading import (
    FundCase,
    account_summary,
    clock_rows,
    fund_cases,
    load_fund_cases,
    receipt_items,
    teams_of,
    unidentified_report,
    unpaid_buckets,
)
from zhixing.funds.services.receipts import (
    DIRECT_PAYMENT,
    assign_unidentified,
    record_direct_payment,
    record_receipt,
    record_unidentified,
)
from zhixing.funds.services.reconcile import reconcile

__all__ = [
    "CHUNK",
    "DIRECT_PAYMENT",
    "KEY_RE",
    "Conflict",
    "Done",
    "Forbidden",
    "FundCase",
    "FundError",
    "NotFound",
    "account_summary",
    "approve_deferral",
    "approve_payment",
    "assign_unidentified",
    "clock_rows",
    "disburse",
    "end_deferral",
    "entries_of",
    "fund_cases",
    "load_fund_cases",
    "lodge",
    "pending_orders",
    "receipt_items",
    "reconcile",
    "record_direct_payment",
    "record_receipt",
    "record_unidentified",
    "refund",
    "reject_payment",
    "request_payment",
    "set_thresholds",
    "teams_of",
    "thresholds_for",
    "unidentified_report",
    "unpaid_buckets",
]
