"""Every change to the 失信 list, 限制消费 and agency keys (design.md: one typed service
function per change, owning its transaction).

A decision locks the case row (``select_for_update``; an ``expected_version`` from the
form or API is compared with the case's ``version``), checks the rules on the case *as it
would be* with the new event (``rules.credit_checks`` — the same code ``zhixing check
credit`` runs, so a form can never save what the check would fail), then appends the
``NodeEvent``, the ``CreditDecision`` (document, signer, reason, who), bumps the case's
version, refreshes its facts and its list entries in the same transaction, and pokes the
screening index once the transaction has committed.

Imports do not come through here: ``rebuild_entries`` (``zhixing credit_rebuild``)
derives the list from the event log of any cases — call ``sync_entries(case_ids)`` after
an import batch.

One module per job — :mod:`.locking` (the case under a lock), :mod:`.listing`,
:mod:`.ending` (deletion, revocation, correction), :mod:`.restriction`, :mod:`.derived`
(the derived list), :mod:`.reminders` (K9), :mod:`.keys` (and :mod:`.errors`); the names
are re-exported here.
"""

from zhixing.credit.services.derived import CREDIT_NODES, UPDATE_FIELDS, rebuild_entries, sync_entries
from zhixing.credit.services.ending import (
    NO_TERM_DELETION_GROUNDS,
    TERM_DELETION_GROUNDS,
    correct_listing,
    delete_listing,
    revoke_listing,
)
from zhixing.credit.services.errors import Conflict, CreditError, NotAllowed
from zhixing.credit.services.keys import create_agency, issue_key, revoke_key
from zhixing.credit.services.listing import LISTING_CHECKS, default_term, list_party
from zhixing.credit.services.locking import SYSTEM_SIGNER, Document, Locked
from zhixing.credit.services.reminders import (
    auto_delete,
    claim_reminders,
    create_reminders,
    due_entries,
    refresh_due,
)
from zhixing.credit.services.restriction import lift_restriction, restrict_consumption

# The public names (no test or module reads a private one).
__all__ = [
    "CREDIT_NODES",
    "LISTING_CHECKS",
    "NO_TERM_DELETION_GROUNDS",
    "SYSTEM_SIGNER",
    "TERM_DELETION_GROUNDS",
    "UPDATE_FIELDS",
    "Conflict",
    "CreditError",
    "Document",
    "Locked",
    "NotAllowed",
    "auto_delete",
    "claim_reminders",
    "correct_listing",
    "create_agency",
    "create_reminders",
    "default_term",
    "delete_listing",
    "due_entries",
    "issue_key",
    "lift_restriction",
    "list_party",
    "rebuild_entries",
    "refresh_due",
    "restrict_consumption",
    "revoke_key",
    "revoke_listing",
    "sync_entries",
]
