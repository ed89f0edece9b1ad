"""Every change in online inquiry and control (网络查控), and the read side (coverage).

- :func:`request_inquiry`: an officer's (or a job's) inquiry or control request for one
  debtor (QRY-2) with its electronic assistance notice (QRY-1), saved with its outbox
  row in one transaction.
- :func:`work_once`: one pass of the delivery worker — claim due outbox rows with a
  conditional UPDATE (a lease), send pending ones in batches, poll sent ones, apply the
  answers, retry failures with exponential backoff, mark rows stuck after too many
  failures or too long a wait. Safe to run in several processes and to kill at any point:
  an expired lease makes a row claimable again, a re-sent request is deduplicated by the
  far side (request id) and a re-delivered answer by ours (one result per request and
  category; the deduction's receipt keyed by the request id).
- :func:`apply_answers`: the answers of one request land in the case as node events
  through ``flow.services.record_event`` — ``online_inquiry`` (party, system, categories,
  found) for an inquiry, ``restraint`` / ``restraint_renewed`` / ``restraint_released`` /
  ``deduction`` for control acts — and a deduction's money as a receipt in the fund
  ledger (``funds.services.record_receipt``, idempotency key = request id), all in one
  transaction with the result rows. :func:`apply_answers_many`: the same for a whole poll
  batch or callback in one transaction (``flow.services.record_events_bulk``: the same
  rules per event, one facts refresh per batch) — the worker's and the callback's path;
  deductions stay one by one.
- :func:`run_daily`: inquiries for new cases, the 6-monthly re-query after 终本 (TERM-12,
  the K8 obligations), and renewals of restraints before expiry (DL-20). Idempotent.
- :func:`case_coverage`, :func:`court_coverage`: which categories were queried when,
  which are missing (the T5 view, TERM-4), open and stuck requests, restraint expiry.

One module per job — :mod:`.requests`, :mod:`.wire`, :mod:`.answers`, :mod:`.delivery`,
:mod:`.daily`, :mod:`.coverage` (and :mod:`.errors`); the names are re-exported here.
"""

from zhixing.inquiry.services.answers import RESULT_COLUMNS, apply_answers, apply_answers_many
from zhixing.inquiry.services.coverage import case_coverage, court_coverage, request_json
from zhixing.inquiry.services.daily import QUEUE_CHUNK, _ensure_many, run_daily
from zhixing.inquiry.services.delivery import Policy, _mark_sent, claim, receive_callback, work_once
from zhixing.inquiry.services.errors import Forbidden, InquiryError
from zhixing.inquiry.services.requests import (
    MAX_AMOUNT,
    _clean_amount,
    _notice,
    known_assets,
    request_inquiry,
    retry,
)
from zhixing.inquiry.services.wire import Answer, parse_answer, payload
from zhixing.lib.clock import today  # the one clock every module of the package reads

# The public names, and the private ones the tests read.
__all__ = [
    "MAX_AMOUNT",
    "QUEUE_CHUNK",
    "RESULT_COLUMNS",
    "Answer",
    "Forbidden",
    "InquiryError",
    "Policy",
    "_clean_amount",
    "_ensure_many",
    "_mark_sent",
    "_notice",
    "apply_answers",
    "apply_answers_many",
    "case_coverage",
    "claim",
    "court_coverage",
    "known_assets",
    "parse_answer",
    "payload",
    "receive_callback",
    "request_inquiry",
    "request_json",
    "retry",
    "run_daily",
    "today",
    "work_once",
]
