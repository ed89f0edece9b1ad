"""The funds services' error family and the result of a write."""

from __future__ import annotations

from dataclasses import dataclass

from zhixing.lib import errors


class FundError(errors.Refused):
    """Bad input or a refused action: ``field`` names the input, ``rule`` the rule
    (FUND-1…, or a plain reason); the member of the error family says the HTTP status."""

    utf8_json = True

    def __init__(self, field: str, message: str, *, rule: str = ""):
        super().__init__(message, field, rule)

    def as_json(self) -> dict:
        return {"loc": ["body", self.field], "msg": self.message, "type": "fund_error", "rule": self.rule}

    def body(self) -> dict:
        """The funds API answers every refusal (not only a 422) as a list of problems."""
        return {"detail": [self.as_json()]}


class Forbidden(errors.NotAllowed, FundError):
    """The user may see the case but not do this (another court's case, approval level)."""


class NotFound(errors.NotFound, FundError):
    pass


class Conflict(errors.Conflict, FundError):
    """The key was used for something else, or the thing was already done."""


@dataclass(frozen=True, slots=True)
class Done[T]:
    """A service's result; ``replayed`` when an earlier request with the same key made it."""

    value: T
    replayed: bool = False
