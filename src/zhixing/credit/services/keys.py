"""Screening agencies and their API keys."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from zhixing.credit.models import (
    Agency,
    ApiKey,
    Scope,
)
from zhixing.credit.services.errors import CreditError


def create_agency(code: str, name: str, *, rate_per_minute: int | None = None) -> Agency:
    agency = Agency(code=code, name=name)
    if rate_per_minute is not None:
        agency.rate_per_minute = rate_per_minute
    agency.full_clean()
    agency.save()
    return agency


def issue_key(agency: Agency, scopes: Iterable[str], *, label: str = "", user=None) -> tuple[ApiKey, str]:
    """A new key for ``agency`` with ``scopes``; the key itself is returned once and never
    stored (only its SHA-256)."""
    from zhixing.credit import screening

    scopes = sorted(set(scopes))
    bad = set(scopes) - set(Scope.values)
    if bad or not scopes:
        raise CreditError("scopes", f"权限应为 {', '.join(Scope.values)} 中的一项或多项")
    plain, prefix = screening.new_key()
    key = ApiKey.objects.create(
        agency=agency,
        prefix=prefix,
        digest=screening.digest(plain),
        scopes=scopes,
        label=label,
        created_by=user,
    )
    screening.keys.invalidate()
    return key, plain


def revoke_key(key: ApiKey) -> ApiKey:
    from zhixing.credit import screening

    if key.revoked_at is None:
        ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        key.refresh_from_db()
    screening.keys.invalidate()
    transaction.on_commit(screening.keys.invalidate)
    return key
