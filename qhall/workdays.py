"""Working days as China's official calendar counts them: weekdays, minus public holidays,
plus the weekend days worked in their place (调休). Deadlines (限时办结) count by it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from config import CONFIG_DIR

CALENDAR_FILE = CONFIG_DIR / "calendar.toml"


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are worked: Monday to Friday unless the official calendar says otherwise."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    years: frozenset[int] = field(default_factory=frozenset)

    def is_workday(self, day: date) -> bool:
        """Tell whether day is a working day."""
        if day in self.workdays:
            return True
        return day.isoweekday() <= 5 and day not in self.holidays

    def add_workdays(self, start: date, days: int) -> date:
        """Return the days-th working day after start (start itself does not count); for
        0, start itself."""
        day = start
        for _ in range(days):
            day += timedelta(days=1)
            while not self.is_workday(day):
                day += timedelta(days=1)
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Count the working days after start up to and including end (negative if end is
        before start: the working days end is late by)."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(
            1 for n in range(1, (end - start).days + 1) if self.is_workday(start + timedelta(n))
        )


def load_calendar(path: Path = CALENDAR_FILE) -> WorkCalendar:
    """Read a calendar file of [YEAR] tables with `holidays` and `workdays` lists."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    holidays: set[date] = set()
    workdays: set[date] = set()
    for table in data.values():
        holidays.update(date.fromisoformat(day) for day in table.get("holidays", []))
        workdays.update(date.fromisoformat(day) for day in table.get("workdays", []))
    return WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(map(int, data)))


@cache
def official_calendar() -> WorkCalendar:
    """Return the calendar shipped in config/calendar.toml (read once)."""
    return load_calendar()


def work_calendar() -> WorkCalendar:
    """Return the calendar deadlines count by: the official one, with the days a manager
    has set on the calendar page (CalendarDay) taking precedence."""
    from qhall.models import CalendarDay

    base = official_calendar()
    set_days = list(CalendarDay.select())
    if not set_days:
        return base
    worked = {d.day for d in set_days if d.workday}
    rested = {d.day for d in set_days if not d.workday}
    return WorkCalendar(
        holidays=(base.holidays - worked) | rested,
        workdays=(base.workdays - rested) | worked,
        years=base.years,
    )
