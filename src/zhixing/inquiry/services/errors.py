"""The errors of online inquiry and control: bad input (422) and a user who may not act (403)."""

from __future__ import annotations


class InquiryError(ValueError):
    """Bad input: ``field`` names the input, ``message`` says the rule (Chinese)."""

    status = 422

    def __init__(self, field: str, message: str, *, rule: str = ""):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.rule = rule


class Forbidden(InquiryError):
    status = 403
