"""Per-case facts: what the rules code derives from a case at write time, so indicators
are plain GROUP BY queries at read time (design.md).

Facts never depend on the date a report is made for: they hold due days, done days and
interval bounds computed from everything known about the case, and each query compares
them with its as-of date (indicators.md §1). ``metrics.facts`` explains why each stored
value gives the as-of answer.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q

from zhixing.cases.models import Case
from zhixing.courts.models import Court

# Fact rows are a projection of the cases, rewritten by ``metrics.facts.refresh_facts`` in the
# transaction that writes their case; they carry no database foreign-key constraints
# (``db_constraint=False``). A constraint would protect nothing the writer does not already
# guarantee, and PostgreSQL checks each one row by row at commit: measured at 6–7 µs a row,
# ~15 such rows a case, a quarter of a large import's commit time. Deleting a case still
# deletes its facts (Django's on_delete), and ``court`` needs no index of its own: every
# fact table's indexes lead with it.
FACT_CASE = {"on_delete": models.CASCADE, "db_constraint": False}
FACT_COURT = {"on_delete": models.CASCADE, "related_name": "+", "db_constraint": False, "db_index": False}


class CaseFact(models.Model):
    case = models.OneToOneField(Case, primary_key=True, related_name="fact", **FACT_CASE)
    court = models.ForeignKey(Court, **FACT_COURT)
    case_type = models.CharField(max_length=20)
    filed_on = models.DateField()
    closed_on = models.DateField(null=True)
    closing_mode = models.CharField(max_length=24, blank=True)
    # Amounts in integer fen (分): sums stay exact on every engine (SQLite would add
    # decimals as floating point).
    claim_cents = models.BigIntegerField(default=0)
    recovered_cents = models.BigIntegerField(default=0)
    #: closed_on − filed_on in days (IND-07), null while open.
    duration_days = models.IntegerField(null=True)
    #: 实际执结: closed by any mode other than 终本 (indicators.md §4).
    actual = models.BooleanField(default=False)
    terminated = models.BooleanField(default=False)
    performed = models.BooleanField(default=False)
    #: §2 with everything known; null when none applies or a counted interval never ends.
    statutory_deadline = models.DateField(null=True)
    deadline_provisional = models.BooleanField(default=False)
    #: closed and closed_on ≤ the deadline as of the closing day (valid for every as-of ≥ closed_on).
    closed_within_deadline = models.BooleanField(default=False)
    #: IND-10: closed_on if actually closed within the deadline, else the statutory deadline.
    resolution_day = models.DateField(null=True)
    #: IND-09 (§7): T1–T13 failures, T14's last day and the registry entry day.
    termination_failed = models.BooleanField(default=False)
    t14_due = models.DateField(null=True)
    registry_entry_on = models.DateField(null=True)
    #: Filing day of the earliest linked 恢复执行 case (§3 K8, §10).
    resumed_on = models.DateField(null=True)
    #: Any party is a 特殊主体 (§10).
    special_party = models.BooleanField(default=False)

    class Meta:
        # The index ranges of metrics.engine.CASE_RANGES: court (an IN list), case type,
        # then the date the range is on. The filing, closing and resolution indexes carry
        # the columns the 3-year cohort (IND-13), the carried count and the IND-10 cohort
        # read, so those are read from the index alone (a 12-month trend reads the 3-year
        # range twelve times). Key columns, not INCLUDE: SQLite has no INCLUDE.
        indexes = [
            models.Index(
                fields=[
                    "court",
                    "case_type",
                    "filed_on",
                    "closed_on",
                    "terminated",
                    "actual",
                    "closed_within_deadline",
                ],
                name="metrics_casefact_filed",
            ),
            models.Index(
                fields=["court", "case_type", "closed_on", "filed_on"], name="metrics_casefact_closed"
            ),
            models.Index(
                fields=[
                    "court",
                    "case_type",
                    "resolution_day",
                    "terminated",
                    "closed_on",
                    "actual",
                    "closed_within_deadline",
                ],
                name="metrics_casefact_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} 事实"


class ObligationQuerySet(models.QuerySet):
    """The words the pages and queues use for key-node obligations (indicators.md §1, §3)."""

    def open_on(self, as_of: date) -> ObligationQuerySet:
        """Obligations running on ``as_of``: triggered on or before it, with a last day, not
        lapsed, and not discharged on or before it."""
        return self.filter(lapsed=False, due_on__isnull=False, trigger_on__lte=as_of).filter(
            Q(done_on__isnull=True) | Q(done_on__gt=as_of)
        )

    def overdue_on(self, as_of: date) -> ObligationQuerySet:
        """Open on ``as_of`` with the last day already past (overdue at the end of as_of − 1,
        indicators.md §1)."""
        return self.open_on(as_of).filter(due_on__lt=as_of)

    def due_by(self, day: date) -> ObligationQuerySet:
        """Those whose last day is on or before ``day``."""
        return self.filter(due_on__lte=day)

    def not_closed_out(
        self, nodes: tuple[str, ...], as_of: date, *, closing: str = "fact"
    ) -> ObligationQuerySet:
        """Leave out the obligations of ``nodes`` whose case closed on or before ``as_of``: they
        lapsed or can no longer be done (events after the closing discharge nothing). The
        closing day is read from the case's facts (``closing="fact"``: a count that reads fact
        tables only, which a cache stamp can watch) or from the case itself (``"case"``);
        both hold the same day."""
        lookup = "case__fact__closed_on__lte" if closing == "fact" else "case__closed_on__lte"
        return self.exclude(key_node__in=nodes, **{lookup: as_of})


class ObligationFact(models.Model):
    """One key-node obligation (§3) with everything known: an obligation is overdue in a
    window when its due day lies in it and on or before as-of and done_on is null or later."""

    # Indexed by Meta's index.
    case = models.ForeignKey(Case, related_name="obligation_facts", db_index=False, **FACT_CASE)
    court = models.ForeignKey(Court, **FACT_COURT)
    key_node = models.CharField(max_length=4)
    ref = models.CharField(max_length=32, blank=True)
    trigger_on = models.DateField()
    due_on = models.DateField(null=True)
    done_on = models.DateField(null=True)
    lapsed = models.BooleanField(default=False)
    provisional = models.BooleanField(default=False)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        # IND-08 reads the due days in a window of the courts in scope, with what decides
        # "overdue", from the index alone; the case id joins the few overdue to their case.
        indexes = [
            models.Index(
                fields=["court", "due_on", "lapsed", "done_on", "case"], name="metrics_obligation_due"
            ),
            models.Index(fields=["case"]),
        ]

    def __str__(self) -> str:
        return f"{self.key_node} {self.ref} {self.due_on}"


class ReceiptFact(models.Model):
    """§9 per receipt, for IND-12 and the fund buckets."""

    case = models.ForeignKey(Case, related_name="receipt_facts", **FACT_CASE)
    court = models.ForeignKey(Court, **FACT_COURT)
    receipt = models.CharField(max_length=32)
    notice_on = models.DateField()
    amount_cents = models.BigIntegerField()
    due_on = models.DateField(null=True)
    fully_disbursed_on = models.DateField(null=True)
    lodged = models.BooleanField(default=False)

    class Meta:
        # IND-12 reads the receipts due on or after a window's start from the index alone.
        indexes = [
            models.Index(
                fields=["court", "due_on", "lodged", "fully_disbursed_on"], name="metrics_receipt_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt} {self.due_on}"


class PetitionFact(models.Model):
    """§8 per petition, counted at ``handled_by``."""

    case = models.ForeignKey(Case, related_name="petition_facts", **FACT_CASE)
    court = models.ForeignKey(Court, **FACT_COURT)
    petition = models.CharField(max_length=32)
    referred_by = models.CharField(max_length=16, blank=True)
    received_on = models.DateField()
    closing_due_on = models.DateField()
    closed_on = models.DateField(null=True)
    replied = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["court", "closing_due_on"])]

    def __str__(self) -> str:
        return f"{self.petition} {self.closing_due_on}"


class TagFact(models.Model):
    """§10 ledger tags: the case's own tags, 特殊主体, and 涉信访 from its first petition."""

    case = models.ForeignKey(Case, related_name="tag_facts", **FACT_CASE)
    tag = models.CharField(max_length=8)
    since = models.DateField()

    def __str__(self) -> str:
        return f"{self.tag} {self.since}"
