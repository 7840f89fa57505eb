"""Working days as China's official calendar counts them: weekdays, minus public holidays,
plus the weekend days worked in their place (调休). Deadlines (限时办结) count by it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from config import CONFIG_DIR
from qhall.validate import BadConfig, read_toml

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
    """Read a calendar file of [YEAR] tables with `holidays` and `workdays` lists; BadConfig,
    naming the year and the day, for a day that is no date of its year or is listed both
    as a holiday and as a working day."""
    data = read_toml(path)
    holidays: set[date] = set()
    workdays: set[date] = set()
    for year, table in data.items():
        if not (year.isdigit() and isinstance(table, dict)):
            raise BadConfig(
                path, f"[{year}]", "应为年份表，如 [2026]。", "must be a year's table, e.g. [2026]."
            )
        for name, into in (("holidays", holidays), ("workdays", workdays)):
            into.update(_days(path, year, name, table.get(name, [])))
    both = sorted(holidays & workdays)
    if both:
        raise BadConfig(path, f"[{both[0].year}]", f"{both[0]} 既是假日又是工作日。",
                        f"{both[0]} is listed both as a holiday and as a working day.")  # fmt: skip
    return WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(map(int, data)))


def _days(path: Path, year: str, name: str, listed: object) -> list[date]:
    """Return a year's list of days, each a date of that year, or raise BadConfig."""
    entry = f"[{year}] {name}"
    if not isinstance(listed, list):
        raise BadConfig(path, entry, "应为日期列表。", "must be a list of dates.")
    days = []
    for raw in listed:
        try:  # a quoted "2026-10-01", or a TOML date written bare
            day = date.fromisoformat(raw) if isinstance(raw, str) else raw
        except ValueError:
            day = None
        if type(day) is not date:  # a number, or a date with a time of day
            day = None
        if day is None or str(day.year) != year:
            raise BadConfig(path, entry, f"“{raw}”不是 {year} 年的日期（YYYY-MM-DD）。",
                            f"“{raw}” is not a date of {year} (YYYY-MM-DD).")  # fmt: skip
        days.append(day)
    return days


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
