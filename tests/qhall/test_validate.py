"""The configuration rules (qhall.validate) that the admin editor and the start-up files share,
and the clock's fallback for a zone stored before they were checked."""

from __future__ import annotations

import logging
from datetime import date, datetime

import pytest

from qhall import validate
from qhall.clock import local
from qhall.errors import BadInput


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def refused(rule, *args) -> BadInput:
    """Return the refusal a rule gives, checking that it speaks both languages."""
    with pytest.raises(BadInput) as caught:
        rule(*args)
    assert has_chinese(caught.value.zh)
    assert caught.value.en and not has_chinese(caught.value.en)
    return caught.value


def test_a_time_zone_must_be_a_real_one_and_empty_means_shanghai():
    assert validate.timezone("Europe/Berlin") == "Europe/Berlin"
    assert validate.timezone("") == "Asia/Shanghai"
    for wrong in ("Mars/Base", "Asia", "asia/shanghai", "../../etc/passwd", "Asia/Shanghai "):
        assert "Asia/Shanghai" in refused(validate.timezone, wrong).en


def test_a_hall_code_is_plain_capitals_and_digits():
    assert validate.hall_code("MZJ") == "MZJ"
    assert validate.hall_code("HALL2026") == "HALL2026"
    assert validate.hall_code("T") == "T"
    for wrong in ('=HYPERLINK("http://x")', "mzj", "m", "", "2MZJ", "MZ-J", "A" * 17, "MZJ "):
        refused(validate.hall_code, wrong)


def test_a_service_code_is_one_capital_letter():
    assert validate.service_code("A") == "A"
    for wrong in ("AB", "a", "1", "", "Ä"):
        refused(validate.service_code, wrong)


@pytest.mark.parametrize(
    "hours, cleaned",
    [
        ("08:30-12:00,13:30-17:30", "08:30-12:00,13:30-17:30"),
        ("8:30-12:00, 13:30-17:30", "08:30-12:00,13:30-17:30"),
        ("00:00-24:00", "00:00-24:00"),
        ("08:00-12:00,12:00-13:00", "08:00-12:00,12:00-13:00"),  # touching, not overlapping
        ("", ""),
    ],
)
def test_good_hours_are_kept_in_one_spelling(hours, cleaned):
    assert validate.hours(hours) == cleaned


@pytest.mark.parametrize(
    "hours",
    [
        "25:00-26:00",
        "08:30-08:30",
        "17:00-08:00",
        "08:00-12:00,11:00-13:00",  # overlapping
        "13:30-17:30,08:30-12:00",  # out of order
        "24:00-24:30",
        "08:00-12:60",
        "9 to 5",
        "08:00",
        "08:00-12:00-13:00",
    ],
)
def test_bad_hours_are_refused(hours):
    assert "08:30-12:00,13:30-17:30" in refused(validate.hours, hours).zh


def test_weekdays_are_digits_one_to_seven_each_once():
    assert validate.weekdays("12345") == "12345"
    assert validate.weekdays("71") == "17"
    for wrong in ("", "0", "8", "112", "1,2", "mon"):
        refused(validate.weekdays, wrong)


def test_a_clock_time_is_from_midnight_to_one_minute_before():
    assert validate.clock_time("00:00") == "00:00"
    assert validate.clock_time("6:30") == "06:30"
    assert validate.clock_time("23:59") == "23:59"
    for wrong in ("24:00", "12:60", "7am", "", "-1:00"):
        refused(validate.clock_time, wrong)


def test_numbers_stay_within_their_bounds_and_none_means_no_limit():
    rule = validate.between(0, 100)
    assert rule(0, "上限", "Limit") == 0 and rule(None, "上限", "Limit") is None
    assert "0 到 100" in refused(rule, -1, "上限", "Limit").zh
    assert "from 0 to 100" in refused(rule, 101, "上限", "Limit").en


def test_a_calendar_day_is_within_the_century():
    assert validate.day(date(2026, 10, 1)) == date(2026, 10, 1)
    refused(validate.day, date(1999, 12, 31))
    refused(validate.day, date(2100, 1, 1))


def test_a_stored_zone_that_is_no_zone_falls_back_to_shanghai_with_one_warning(caplog):
    moment = datetime(2026, 11, 26, 2, 0)  # 10:00 in Shanghai
    with caplog.at_level(logging.WARNING, logger="qhall.clock"):
        first = local(moment, "Nowhere/Clock_Test")
        again = local(moment, "Nowhere/Clock_Test")
    assert first.hour == again.hour == 10
    assert [r.getMessage() for r in caplog.records].count(
        "Unknown time zone 'Nowhere/Clock_Test'; using Asia/Shanghai instead."
    ) == 1
    assert local(moment, "Europe/Berlin").hour == 3
