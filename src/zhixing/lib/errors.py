"""The one family of errors an act can end with, and the HTTP answer each one gets.

Every service says why it will not do something by raising a member of this family: the
message is Chinese and says the rule, ``field`` names the input it is about, ``rule`` the rule
ID where there is one. The JSON API maps the family to HTTP in one place (``zhixing.api``):

- :class:`Refused` (422): the input is bad or a rule refuses the act;
- :class:`Conflict` (409): the thing changed since the caller read it (a stale version);
- :class:`NotAllowed` (403): the user may see the thing but not do this to it;
- :class:`NotFound` (404): there is no such thing (or the user may not see it).

An app's own error classes are members of the family, so ``except`` clauses that name them
keep working and pages keep showing the same messages.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ActError(Exception):
    """An act refused, with the HTTP status and body the API answers with."""

    status: ClassVar[int] = 422
    #: Answer in unescaped UTF-8 (as the funds API always has) rather than ninja's escaped JSON.
    utf8_json: ClassVar[bool] = False

    def __init__(self, message: str, field: str | None = None, rule: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.rule = rule
        #: Every ``(field, message)`` the error is about (most errors: one).
        self.problems: list[tuple[str | None, str]] = [(field, message)]

    def body(self) -> dict[str, Any]:
        """The JSON answer: a 422 lists its problems in the shape of ninja's own validation
        errors (``loc`` names the field in the body); any other status says the message."""
        if self.status != 422:
            return {"detail": self.message}
        return {"detail": [self.problem_json(field, message) for field, message in self.problems]}

    def problem_json(self, field: str | None, message: str) -> dict[str, Any]:
        loc = ["body", field] if field else ["body"]
        out: dict[str, Any] = {"loc": loc, "msg": message, "type": "value_error"}
        if self.rule is not None:
            out["rule"] = self.rule
        return out


class Refused(ActError):
    """Bad input, or a rule refuses the act (422)."""

    status = 422


class Conflict(ActError):
    """The thing changed since the caller read it (409)."""

    status = 409


class NotAllowed(ActError):
    """The user may see the thing but may not do this to it (403)."""

    status = 403


class NotFound(ActError):
    """There is no such thing, or not one the user may see (404)."""

    status = 404
