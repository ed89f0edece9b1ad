"""The errors of online inquiry and control: bad input (422) and a user who may not act (403),
members of the one error family (``lib/errors.py``)."""

from __future__ import annotations

from zhixing.lib import errors


class InquiryError(errors.Refused, ValueError):
    """Bad input: ``field`` names the input, ``message`` says the rule (Chinese)."""

    def __init__(self, field: str, message: str, *, rule: str = ""):
        super().__init__(message, field, rule)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class Forbidden(errors.NotAllowed, InquiryError):
    pass
