"""Working days as China's official calendar counts them: weekdays, minus public holidays,
plus the weekend days worked in their place (调休). Deadlines (限时办结) count by it.

The State Council publishes a year's holidays late in the year before, so the calendar
knows only some years. A count through a year it does not know treats every weekday as
worked (元旦 included): such a deadline is flagged for a person to check (unchecked_deadline),
and from 1 November a missing next year is warned of (missing_next_year)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from config import CONFIG_DIR
from qhall import validate
from qhall.errors import BadInput
from qhall.validate import BadConfig, read_toml

CALENDAR_FILE = CONFIG_DIR / "calendar.toml"
# From this day of the year (month, day), a next year with no holidays entered is warned
# of: the State Council's notice usually comes out in November.
WARN_FROM = (11, 1)


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

    def unknown_years(self, start: date, end: date) -> list[int]:
        """Return the years from start to end (either order) whose holidays the calendar
        does not have: a count through them is only Monday to Friday."""
        low, high = sorted((start, end))
        return [year for year in range(low.year, high.year + 1) if year not in self.years]

    def add_workdays(self, start: date, days: int) -> date:
        """Return the days-th working day after start (start itself does not count); for
        0, start itself. Check unknown_years(start, result): a year it names was counted
        Monday to Friday, its holidays not known."""
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
        # A year with days set on the calendar page is one whose holidays were entered.
        years=base.years | {d.day.year for d in set_days},
    )


def unchecked_deadline(calendar: WorkCalendar, start: date, end: date) -> dict | None:
    """Return the flag for a deadline counted from start to end through a year with no
    holidays entered (its years and what to tell staff), or None if the count is sound."""
    years = calendar.unknown_years(start, end)
    if not years:
        return None
    named = "、".join(f"{year}年" for year in years)
    return {
        "years": years,
        "message": f"期限跨入未录入节假日的年份（{named}），请人工核对",
        "message_en": "The deadline runs into a year whose holidays are not entered "
        f"({', '.join(map(str, years))}); please check it by hand",
    }


def missing_next_year(calendar: WorkCalendar, today: date) -> int | None:
    """Return next year if, from 1 November, its holidays are not entered yet; else None."""
    if (today.month, today.day) < WARN_FROM or today.year + 1 in calendar.years:
        return None
    return today.year + 1


# --- many days at once, as the calendar page takes them ---------------------------------

# What a line says of its days: a day off (休) or a weekend day worked (班).
DAY_KINDS = {"休": False, "off": False, "班": True, "work": True}
# No holiday runs longer than this; a longer range is a typo (2027-01-01..2027-10-01).
LONGEST_RANGE = 31
MOST_LINES = 200


def parse_days(text: str) -> list[tuple[date, bool, str]]:
    """Return (day, worked, note) for each day of lines like "2027-01-01..2027-01-03 休 元旦"
    or "2027-02-07,2027-02-20 班 春节调休": days or ranges (comma-separated), 休 or 班, a
    note; BadInput naming the line for one that does not fit or contradicts another."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines:
        raise BadInput("请至少填写一行日期。", "Enter at least one line of days.")
    if len(lines) > MOST_LINES:
        raise BadInput(f"一次最多 {MOST_LINES} 行。", f"At most {MOST_LINES} lines at once.")
    seen: dict[date, tuple[bool, str]] = {}
    for n, line in enumerate(lines, 1):
        parts = line.split(maxsplit=2)
        worked = DAY_KINDS.get(parts[1].lower()) if len(parts) > 1 else None
        if worked is None:
            raise BadInput(f"第 {n} 行“{line}”应为：日期或日期范围、“休”或“班”、说明。",
                           f"Line {n} “{line}” should be: days or a range, 休 (off) or "
                           "班 (worked), a note.")  # fmt: skip
        note = parts[2] if len(parts) > 2 else ""
        for day in _line_days(n, parts[0]):
            if day in seen and seen[day][0] != worked:
                raise BadInput(f"{day} 既写作休息又写作上班。",
                               f"{day} is given both as a day off and as a day worked.")  # fmt: skip
            seen[day] = (worked, note[:200])
    return [(day, worked, note) for day, (worked, note) in sorted(seen.items())]


def _line_days(n: int, spec: str) -> list[date]:
    """Return the days a line names: "A", "A..B", or several of them comma-separated."""
    days = []
    for item in filter(None, spec.replace("，", ",").split(",")):
        first, _, last = item.partition("..")
        try:
            start = date.fromisoformat(first)
            end = date.fromisoformat(last) if last else start
        except ValueError as error:
            raise BadInput(f"第 {n} 行的“{item}”不是日期（YYYY-MM-DD）或日期范围（A..B）。",
                           f"Line {n}: “{item}” is no date (YYYY-MM-DD) or range (A..B).") from error  # fmt: skip
        validate.day(start)
        validate.day(end)
        if not 0 <= (end - start).days < LONGEST_RANGE:
            raise BadInput(f"第 {n} 行的范围“{item}”应从早到晚，且不超过 {LONGEST_RANGE} 天。",
                           f"Line {n}: the range “{item}” must run forwards, "
                           f"{LONGEST_RANGE} days at most.")  # fmt: skip
        days += [start + timedelta(k) for k in range((end - start).days + 1)]
    return days
