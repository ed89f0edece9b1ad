"""Every state change of 终本 management: one typed function per act.

Each function owns its transaction: it locks the case row first (``select_for_update``),
rejects a stale ``expected_version``, validates the act against the case as it is now
(``validation``: a clear Chinese error naming the field and the rule, nothing saved),
appends the node events (append-only ``NodeEvent`` rows with who and when) and its own
history row, bumps ``Case.version`` with a conditional UPDATE, stores the new fingerprint,
and derives the case's facts again in the same transaction (``refresh_facts`` and the
stored 终本 verdict parts). Nothing here ever lifts a measure (TERM-14).

One module per job — :mod:`.writes` (the common write path), :mod:`.closing` (the gate and
the closing), :mod:`.ruling` (interview, ruling, service), :mod:`.after_closing` (registry,
re-query notices, reminders), :mod:`.resumption`, :mod:`.review` (cross-review); the names
are re-exported here.
"""

from zhixing.lib.clock import today  # the one clock every module of the package reads
from zhixing.termination import rules, validation
from zhixing.termination.services.after_closing import (
    AMOUNT_RE,
    CLAIM_TIMEOUT,
    case_followups,
    create_reminders,
    deliver_notices,
    followup_candidates,
    notice_text,
    record_hiding_ground,
    record_post_closing_inquiry,
    record_registry_entry,
    record_registry_hidden,
    send_reminders,
)
from zhixing.termination.services.closing import (
    OVERRIDE_ROLES,
    Gate,
    close_by_termination,
    may_override,
    preview_closing,
)
from zhixing.termination.services.resumption import next_case_number, resume
from zhixing.termination.services.review import (
    REVIEW_ROLES,
    assign_reviewer_courts,
    create_campaign,
    record_review,
    reviewable_items,
    sample_closings,
)
from zhixing.termination.services.ruling import record_interview, record_ruling, record_service
from zhixing.termination.services.writes import (
    SYSTEM,
    NotAllowed,
    _append,
    _commit,
    _lock,
    _may_act,
    _refresh,
    who,
)
from zhixing.termination.validation import InputError, StaleVersion

# The public names, and the ones other modules and the tests read here (``rules`` for the
# check ids, ``today`` for the one clock).
__all__ = [
    "AMOUNT_RE",
    "CLAIM_TIMEOUT",
    "OVERRIDE_ROLES",
    "REVIEW_ROLES",
    "SYSTEM",
    "Gate",
    "InputError",
    "NotAllowed",
    "StaleVersion",
    "_append",
    "_commit",
    "_lock",
    "_may_act",
    "_refresh",
    "assign_reviewer_courts",
    "case_followups",
    "close_by_termination",
    "create_campaign",
    "create_reminders",
    "deliver_notices",
    "followup_candidates",
    "may_override",
    "next_case_number",
    "notice_text",
    "preview_closing",
    "record_hiding_ground",
    "record_interview",
    "record_post_closing_inquiry",
    "record_registry_entry",
    "record_registry_hidden",
    "record_review",
    "record_ruling",
    "record_service",
    "resume",
    "reviewable_items",
    "rules",
    "sample_closings",
    "send_reminders",
    "today",
    "validation",
    "who",
]
