"""What a report is about: a unit (or the whole bureau), optionally one of its services,
windows or staff members, over a period of the unit's local days."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from qhall.errors import BadInput
from qhall.lookups import find_counter, find_service, find_unit
from qhall.models import Counter, Service, Staff, Unit

GROUPINGS = ("unit", "service", "window", "staff")
# Longest period a report covers.
MAX_DAYS = 400


@dataclass(frozen=True)
class Scope:
    """What a report covers: a unit (None: the bureau), optionally one service, window or
    staff member of it, over the local days start to end inclusive."""

    unit: Unit | None
    start: date
    end: date
    service: Service | None = None
    counter: Counter | None = None
    staff: Staff | None = None

    @cached_property
    def units(self) -> list[Unit]:
        if self.unit is not None:
            return [self.unit]
        return list(Unit.select().order_by(Unit.code))

    def unit_seek(self, column) -> list:
        """Return, for the bureau, the condition "any of its units" on a unit column: true of
        every row, but it lets the database seek each unit's stretch of an index led by the
        unit rather than scan the whole index and test every row's period."""
        if self.unit is not None:
            return []
        return [column.in_([unit.id for unit in self.units])]

    def label(self) -> tuple[str, str]:
        """Return the scope's name in Chinese and English, for titles and file contents."""
        zh = self.unit.name_zh if self.unit else "全局（各单位）"
        en = self.unit.name_en if self.unit else "Bureau (all units)"
        if self.service:
            zh, en = f"{zh} · {self.service.name_zh}", f"{en} · {self.service.name_en}"
        if self.counter:
            zh, en = f"{zh} · {self.counter.window}号窗口", f"{en} · window {self.counter.window}"
        if self.staff:
            zh, en = f"{zh} · {self.staff.name}", f"{en} · {self.staff.name}"
        return zh, en

    def slug(self) -> str:
        """Return the scope and period for a file name: MZJ_2026-11-01_2026-11-30."""
        parts = [self.unit.code if self.unit else "ALL"]
        if self.service:
            parts.append(self.service.code)
        if self.counter:
            parts.append(f"W{self.counter.window}")
        if self.staff:
            parts.append(self.staff.login)
        return "_".join([*parts, self.start.isoformat(), self.end.isoformat()])


# The days a report may name: far from Python's first and last dates (years 1 and 9999),
# which the day before a period or a time zone's offset would step beyond (a 500).
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(9998, 12, 31)
OUT_OF_YEARS = (
    "统计期间应在 1970 年至 9998 年之间。",
    "A report's days must be between 1970 and 9998.",
)


def make_scope(
    unit_code: str | None,
    start: date,
    end: date,
    *,
    service: str | None = None,
    window: int | None = None,
    staff_login: str | None = None,
) -> Scope:
    """Return the scope a report's parameters name; BadInput or NotFound if they do not fit."""
    if end < start:
        raise BadInput(
            "结束日期不能早于开始日期。", "The end date cannot be before the start date."
        )
    if start < FIRST_DAY or end > LAST_DAY:
        raise BadInput(*OUT_OF_YEARS)
    if (end - start).days + 1 > MAX_DAYS:
        raise BadInput(f"统计期间最长 {MAX_DAYS} 天。", f"A report covers at most {MAX_DAYS} days.")
    unit = find_unit(unit_code) if unit_code else None
    if unit is None and (service or window is not None):
        raise BadInput(
            "按业务或窗口统计须先选择单位。", "Choose a unit to report on a service or window."
        )
    staff = None
    if staff_login:
        staff = Staff.get_or_none(Staff.login == staff_login)
        if staff is None or (unit is not None and staff.unit_id not in (None, unit.id)):
            raise BadInput("没有找到该工作人员。", "No such staff member.", staff=staff_login)
    return Scope(
        unit=unit,
        start=start,
        end=end,
        service=find_service(unit, service) if service else None,
        counter=find_counter(unit, window) if window is not None else None,
        staff=staff,
    )


def month_bounds(month: str) -> tuple[date, date]:
    """Return the first and last day of a month given as "2026-11"."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError as error:
        raise BadInput("月份格式应为 2026-11。", "A month looks like 2026-11.") from error
    if not FIRST_DAY <= first <= LAST_DAY:
        raise BadInput(*OUT_OF_YEARS)
    # The month's own length, not "the day before next month's 1st": December 9999 has no
    # next month in Python's dates.
    return first, first.replace(day=monthrange(first.year, first.month)[1])


def report_period(
    today: date,
    *,
    month: str | None = None,
    year: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> tuple[date, date]:
    """Return the days a report covers: a month ("2026-11"), a year, or from start to end;
    by default this month up to today (a missing end is today, a missing start the 1st)."""
    if month:
        return month_bounds(month)
    if year is not None:
        return date(year, 1, 1), date(year, 12, 31)
    return start or today.replace(day=1), end or today
