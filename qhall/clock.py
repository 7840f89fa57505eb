"""Time as the hall sees it: UTC in the database, the unit's own zone for days and hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime, the form the database stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def local(moment: datetime, timezone: str) -> datetime:
    """Return a stored (naive UTC) moment as wall-clock time in timezone."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone))


def local_day(moment: datetime, timezone: str) -> date:
    """Return the calendar day of a stored moment in timezone: tickets number by it."""
    return local(moment, timezone).date()


def iso(moment: datetime | None) -> str | None:
    """Return a stored moment as ISO 8601 in UTC, for JSON."""
    return None if moment is None else moment.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return utcnow()


class FrozenClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime) -> None:
        self.at = at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at
