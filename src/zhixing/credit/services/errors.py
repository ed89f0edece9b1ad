"""The errors a credit decision raises."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from zhixing.lib import errors


class CreditError(errors.Refused, ValueError):
    """Bad input for a decision: ``field`` names the input, ``message`` the rule (Chinese)."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class Conflict(errors.Conflict, CreditError):
    """The case changed since the caller read it (optimistic concurrency)."""


class NotAllowed(errors.NotAllowed, PermissionDenied):
    """The user's court may see the case but not decide on it (a 403; pages show Django's)."""
