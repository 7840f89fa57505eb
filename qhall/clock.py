"""Time as the hall sees it: UTC in the database, the unit's own zone for days and hours."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

FALLBACK_ZONE = "Asia/Shanghai"


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime, the form the database stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def local(moment: datetime, timezone: str) -> datetime:
    """Return a stored (naive UTC) moment as wall-clock time in timezone."""
    return moment.replace(tzinfo=UTC).astimezone(zone(timezone))


@cache  # one warning per bad name, and each zone read from disk once
def zone(timezone: str) -> ZoneInfo:
    """Return the time zone of that name; Asia/Shanghai, with a warning, for a name that is
    no zone. The editor refuses such names (qhall.validate), but one stored before it
    checked must not stop the kiosk or the dashboard."""
    try:
        return ZoneInfo(timezone)
    except (ValueError, OSError, LookupError):  # unknown, a directory ("Asia"), a path
        log.warning("Unknown time zone %r; using %s instead.", timezone, FALLBACK_ZONE)
        return ZoneInfo(FALLBACK_ZONE)


def local_day(moment: datetime, timezone: str) -> date:
    """Return the calendar day of a stored moment in timezone: deadlines and months go by it."""
    return local(moment, timezone).date()


def hall_day(moment: datetime, unit) -> date:
    """Return the hall's business day of a stored moment: the local date of the moment less
    unit.day_starts_at, so a hall whose day starts at 06:00 counts 03:00 on the 2nd as the
    1st. Tickets belong to it, number by it, and the queue and its figures go by it."""
    hours, _, minutes = (unit.day_starts_at or "00:00").partition(":")
    turn = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return (local(moment, unit.timezone) - turn).date()


def queue_days(unit, now: datetime) -> tuple[date, ...]:
    """Return the hall days whose waiting tickets stand in line now, oldest first: today's,
    and in a hall open round the clock also the day before, whose visitors the turn of the
    day kept waiting (qhall.queue.close_past_days closes anything older)."""
    today = hall_day(now, unit)
    return (today - timedelta(days=1), today) if unit.round_the_clock else (today,)


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
