"""Which characters no text the application takes in may hold, and how to show them.

NUL (PostgreSQL cannot store it in text), lone surrogates (no encoder can write them as
UTF-8; a JSON ``\\ud800`` escape puts one into a Python string), C0 control characters but
tab, line feed and carriage return, DEL and C1 controls have no place in a court's
records. They are refused where text comes in — requests (``security.InputTextMiddleware``),
bundle lines (``cases.bundle``), screening items — instead of failing somewhere inside.
"""

from __future__ import annotations

import re

#: Refused in any text (multi-line text may hold tabs and line breaks).
BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: Refused in one-line values (a URL's path and query parameters): tab, LF and CR too.
BAD_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
#: What is wrong, in the users' words.
REFUSED = "含有不允许的字符（空字符、控制字符或无效的 Unicode 代理项）"


def bad_text(value: str, *, multiline: bool = True) -> bool:
    """Whether ``value`` holds a refused character."""
    return (BAD_TEXT if multiline else BAD_LINE).search(value) is not None


def printable(value: str) -> str:
    """``value`` with every refused character (and tab and line breaks) written as
    ``\\uXXXX``: safe to show, log, encode and store, and still telling what was sent."""
    return BAD_LINE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
