"""Working-day arithmetic against the State Council's published calendars for 2025 and 2026:
public holidays are skipped and the weekend make-up days (调休) are worked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from qhall.workdays import WorkCalendar, official_calendar


@pytest.fixture
def calendar() -> WorkCalendar:
    return official_calendar()


def working_days_in(calendar: WorkCalendar, year: int) -> int:
    return calendar.workdays_between(date(year - 1, 12, 31), date(year, 12, 31))


def test_both_years_are_in_the_calendar_in_full(calendar):
    assert {2025, 2026} <= calendar.years
    in_year = lambda days, year: sorted(d for d in days if d.year == year)  # noqa: E731
    # 2025: 元旦 1, 春节 8, 清明 3, 劳动节 5, 端午 3, 国庆中秋 8 days off; five make-up days.
    assert len(in_year(calendar.holidays, 2025)) == 28
    assert in_year(calendar.workdays, 2025) == [
        date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)
    ]  # fmt: skip
    # 2026: 元旦 3, 春节 9, 清明 3, 劳动节 5, 端午 3, 中秋 3, 国庆 7 days off; six make-up days.
    assert len(in_year(calendar.holidays, 2026)) == 33
    assert in_year(calendar.workdays, 2026) == [
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28),
        date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10),
    ]  # fmt: skip
    # Every make-up day is a weekend day, and no day is both.
    assert all(d.isoweekday() >= 6 for d in calendar.workdays)
    assert not calendar.workdays & calendar.holidays


def test_each_year_has_248_working_days(calendar):
    assert working_days_in(calendar, 2025) == 248
    assert working_days_in(calendar, 2026) == 248


@pytest.mark.parametrize(
    ("day", "worked"),
    [
        (date(2025, 1, 1), False),  # 元旦, a Wednesday
        (date(2025, 1, 26), True),  # a Sunday worked before 春节
        (date(2025, 2, 4), False),  # 正月初七, a Tuesday
        (date(2025, 10, 8), False),  # the eighth day of 国庆中秋
        (date(2025, 10, 11), True),  # a Saturday worked after it
        (date(2026, 1, 4), True),  # a Sunday worked after 元旦
        (date(2026, 2, 23), False),  # the last day of 春节, a Monday
        (date(2026, 9, 25), False),  # 中秋, a Friday
        (date(2026, 11, 28), False),  # an ordinary Saturday
        (date(2026, 11, 26), True),  # an ordinary Thursday
    ],
)
def test_a_day_is_worked_as_the_official_calendar_says(calendar, day, worked):
    assert calendar.is_workday(day) is worked


@pytest.mark.parametrize(
    ("accepted", "days", "due"),
    [
        # Friday before 国庆中秋 2025: the Sunday make-up day counts, eight days off do not.
        (date(2025, 9, 26), 5, date(2025, 10, 10)),
        # Before 春节 2026: Saturday the 14th is worked, then nine days off.
        (date(2026, 2, 13), 3, date(2026, 2, 25)),
        # Across 元旦 2026 into the Sunday make-up day.
        (date(2025, 12, 31), 1, date(2026, 1, 4)),
        # Across 劳动节 2025: Sunday 27 April is worked, 1–5 May are not.
        (date(2025, 4, 25), 1, date(2025, 4, 27)),
        (date(2025, 4, 28), 4, date(2025, 5, 7)),
        # An ordinary week: counted from the next day, weekends skipped.
        (date(2026, 11, 26), 5, date(2026, 12, 3)),
        (date(2026, 11, 26), 0, date(2026, 11, 26)),
    ],
)
def test_deadlines_count_working_days_from_the_next_day(calendar, accepted, days, due):
    assert calendar.add_workdays(accepted, days) == due
    assert calendar.workdays_between(accepted, due) == days


def test_days_between_run_backwards_for_a_late_case(calendar):
    assert calendar.workdays_between(date(2026, 12, 3), date(2026, 12, 1)) == -2


def test_a_year_not_in_the_calendar_counts_monday_to_friday(calendar):
    start = date(2030, 1, 1)  # a Tuesday
    assert all(
        calendar.is_workday(start + timedelta(n)) == ((start + timedelta(n)).isoweekday() <= 5)
        for n in range(14)
    )


def test_a_day_set_by_a_manager_overrides_the_official_calendar(app):
    from datetime import date

    from qhall.models import CalendarDay
    from qhall.workdays import work_calendar

    flood_day, makeup_saturday = date(2026, 7, 15), date(2026, 7, 18)  # a Wednesday, a Saturday
    assert work_calendar().is_workday(flood_day) and not work_calendar().is_workday(makeup_saturday)
    CalendarDay.create(day=flood_day, workday=False, note="防汛停工")
    CalendarDay.create(day=makeup_saturday, workday=True, note="补班")
    calendar = work_calendar()
    assert not calendar.is_workday(flood_day) and calendar.is_workday(makeup_saturday)
    assert calendar.add_workdays(date(2026, 7, 14), 1) == date(2026, 7, 16)
