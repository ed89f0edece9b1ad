"""One "today" for the whole application (lib.clock): the date in China, whatever the
server's clock zone or the active time zone, used by the services and every scheduled job."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.utils import timezone

import zhixing
from zhixing.lib import clock

SRC = Path(zhixing.__file__).parent


@pytest.fixture
def at(monkeypatch):
    """Sets the current instant (UTC) as ``django.utils.timezone.now`` and ``datetime.now`` see it."""

    def set_instant(instant: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: instant)

    return set_instant


@pytest.mark.parametrize(
    ("utc", "china_day"),
    [
        (datetime(2026, 12, 7, 15, 59, tzinfo=UTC), date(2026, 12, 7)),  # 23:59 in China
        (datetime(2026, 12, 7, 16, 0, tzinfo=UTC), date(2026, 12, 8)),  # 00:00 in China
        (datetime(2026, 12, 31, 17, 30, tzinfo=UTC), date(2027, 1, 1)),  # 01:30 on 元旦
    ],
)
def test_today_is_the_china_date(at, utc, china_day):
    at(utc)
    assert clock.today() == china_day


def test_another_active_time_zone_does_not_move_the_day(at):
    """A request that activated UTC (or a server with TIME_ZONE=UTC) still counts in China
    dates: at 16:30 UTC on 12-07 it is already 12-08 in 武陟."""
    at(datetime(2026, 12, 7, 16, 30, tzinfo=UTC))
    with timezone.override("UTC"):
        assert timezone.localdate() == date(2026, 12, 7)
        assert clock.today() == date(2026, 12, 8)
        assert clock.now().utcoffset().total_seconds() == 8 * 3600


@pytest.mark.parametrize("app", ["flow", "termination", "inquiry", "petitions"])
def test_services_today_is_the_one_today(app):
    import importlib

    services = importlib.import_module(f"zhixing.{app}.services")
    assert services.today is clock.today


def _calls_of_another_today(path: Path) -> list[str]:
    """``date.today()``, ``timezone.localdate()`` and ``datetime.now()`` calls in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if (name, node.func.attr) in {("date", "today"), ("timezone", "localdate"), ("datetime", "now")}:
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_every_scheduled_job_uses_the_one_today():
    """The management commands (the jobs a court schedules) ask ``clock.today()`` only."""
    commands = sorted(SRC.glob("*/management/commands/*.py"))
    assert len(commands) > 15
    assert [hit for path in commands for hit in _calls_of_another_today(path)] == []
