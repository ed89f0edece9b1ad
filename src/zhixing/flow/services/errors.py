"""The errors of the flow services: bad input, a stale version, an act not allowed."""

from __future__ import annotations

from zhixing.lib import errors


class FlowError(errors.Refused, ValueError):
    """Bad input: ``field`` names the input, ``message`` says the rule (Chinese)."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class Conflict(errors.Conflict, FlowError):
    """Someone else changed the case (or the request) since the caller read it."""


class Forbidden(errors.NotAllowed, FlowError):
    """The user may see the case but not do this to it."""
