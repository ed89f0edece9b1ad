"""What the ``zhixing`` commands share: date and court arguments, JSON output, tables."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhixing.courts.models import Court

USAGE = 2  # spec/cli.md: usage or environment error
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{option} 应为 YYYY-MM-DD 格式的有效日期，实际为 {value!r}", returncode=USAGE
        ) from None


def court_by_code(code: str | None) -> Court | None:
    """The court named by ``--court`` (None: all courts); an unknown code is a usage error."""
    if code is None:
        return None
    court = Court.objects.filter(code=code).first()
    if court is None:
        raise CommandError(f"--court {code!r}：数据库中没有这个法院", returncode=USAGE)
    return court


def in_scope(queryset, court: Court | None):
    """``--court CODE`` selects that court and every court below it (spec/cli.md)."""
    return queryset if court is None else queryset.in_subtree(court)


def _default(value: Any):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def emit_json(command: BaseCommand, document: Any) -> None:
    """Exactly one JSON document on stdout (spec/cli.md)."""
    command.stdout.write(json.dumps(document, ensure_ascii=False, default=_default))


def table(command: BaseCommand, headers: list[str], rows: list[list[Any]]) -> None:
    """A plain aligned text table for people (CJK characters count double)."""

    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)

    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def fmt(row: list[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)).rstrip()

    command.stdout.write(fmt(headers))
    command.stdout.write(fmt(["-" * w for w in widths]))
    for row in cells:
        command.stdout.write(fmt(row))


def progress_printer(label: str):
    """A progress callback writing to stderr (never stdout: --json keeps stdout clean)."""

    def show(done: int) -> None:
        print(f"\r{label}：{done}", end="", file=sys.stderr, flush=True)

    return show
