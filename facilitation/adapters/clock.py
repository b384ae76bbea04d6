"""The time of the application: stored in UTC, shown in CAFE_TIMEZONE."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


def local_time(moment: datetime, timezone: str) -> datetime:
    """A stored UTC moment in the display time zone (CAFE_TIMEZONE)."""
    return moment.astimezone(ZoneInfo(timezone))
