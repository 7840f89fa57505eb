"""Booking rules on a frozen clock: Thursday 26 November 2026, 10:00 in Shanghai."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from qhall import appointments
from qhall.appointments import CODE_ALPHABET, Rules
from qhall.booking_models import Booking
from qhall.db import db
from qhall.errors import BadInput, Conflict, Forbidden, NotFound
from qhall.models import CalendarDay
from qhall.retention import erase_personal_data
from tests.factories import gen_unit

THURSDAY, FRIDAY, SATURDAY = date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 28)
MONDAY = date(2026, 11, 30)


@pytest.fixture
def hall(app):
    """Hall T, whose service A takes two bookings per half hour, 09:00-12:00 on weekdays."""
    unit = gen_unit()
    appointments.set_plan(
        "T", "A", slot_minutes=30, capacity=2, hours="09:00-12:00", weekdays="12345"
    )
    return unit


def book(clock, day=FRIDAY, start="09:00", phone="13800000001", service="A", **more):
    return appointments.book(
        "T", service, day, start, name="张三", phone=phone, now=clock.now(), **more
    ).result


def starts(clock, day):
    return [s["start"] for s in appointments.open_slots("T", "A", day, clock.now())]


def test_a_day_has_whole_slots_through_the_plans_hours(hall, clock):
    slots = appointments.open_slots("T", "A", FRIDAY, clock.now())
    assert [s["start"] for s in slots] == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert slots[-1] == {"start": "11:30", "end": "12:00", "free": 2}


def test_slots_that_have_begun_are_past(hall, clock):
    assert starts(clock, THURSDAY) == ["10:30", "11:00", "11:30"]  # 10:00 has begun
    with pytest.raises(Conflict):
        book(clock, day=THURSDAY, start="09:30")


def test_no_slots_on_a_weekend_beyond_the_horizon_or_on_a_blackout_day(hall, clock):
    assert starts(clock, SATURDAY) == []
    assert starts(clock, date(2026, 12, 4)) == []  # 8 days on, the plan opens 7
    assert "2026-11-27" in appointments.bookable_days("T", "A", clock.now())
    CalendarDay.create(day=FRIDAY, workday=False, note="停电检修")
    assert starts(clock, FRIDAY) == []
    assert "2026-11-27" not in appointments.bookable_days("T", "A", clock.now())
    with pytest.raises(Conflict):
        book(clock, day=FRIDAY)


def test_a_plan_that_works_holidays_books_a_rest_day(hall, clock):
    CalendarDay.create(day=FRIDAY, workday=False, note="清明")
    appointments.set_plan("T", "A", hours="09:00-10:00", weekdays="1234567", follows_calendar=False)
    assert starts(clock, FRIDAY) == ["09:00", "09:30"]
    assert starts(clock, SATURDAY) == ["09:00", "09:30"]


def test_a_slot_takes_no_more_than_its_capacity(hall, clock):
    book(clock, phone="13800000001")
    book(clock, phone="13800000002")
    with pytest.raises(Conflict) as refused:
        book(clock, phone="13800000003")
    assert "约满" in refused.value.zh and "fully booked" in refused.value.en
    assert appointments.open_slots("T", "A", FRIDAY, clock.now())[0]["free"] == 0


def test_concurrent_bookings_never_overbook_a_slot(hall, clock):
    def attempt(n):
        try:
            book(clock, phone=f"1390000{n:04d}")
            return True
        except Conflict:
            return False
        finally:
            db.close()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(24)))
    assert results.count(True) == 2
    assert Booking.select().where(Booking.day == FRIDAY, Booking.start == "09:00").count() == 2


def test_a_booking_has_a_short_unguessable_code(hall, clock):
    booked = book(clock)
    assert len(booked["code"]) == 8 and set(booked["code"]) <= set(CODE_ALPHABET)
    assert booked["state"] == "booked" and booked["source"] == "web"
    assert booked["visitor_phone"] == "13800000001"  # the visitor sees their own


def test_one_phone_books_a_service_once_a_day(hall, clock):
    appointments.set_plan("T", "B", hours="09:00-12:00")
    book(clock)
    with pytest.raises(Conflict) as refused:
        book(clock, start="10:00")
    assert refused.value.details["code"] == "already_booked"
    book(clock, service="B")  # another service the same day
    book(clock, day=MONDAY)  # the same service another day


def test_a_name_and_phone_are_needed(hall, clock):
    with pytest.raises(BadInput):
        book(clock, phone="")
    with pytest.raises(BadInput):
        appointments.book("T", "A", FRIDAY, "09:00", name=" ", phone="1380000", now=clock.now())


def test_a_service_without_a_plan_takes_no_bookings(hall, clock):
    with pytest.raises(NotFound) as refused:
        book(clock, service="B")
    assert "现场取号" in refused.value.zh


def test_cancel_needs_the_code_and_its_phone_and_frees_the_place(hall, clock):
    code = book(clock)["code"]
    book(clock, phone="13800000002")
    with pytest.raises(NotFound):
        appointments.cancel("T", code, "13900000000", now=clock.now())
    cancelled = appointments.cancel("T", code.lower(), "138-0000-0001", now=clock.now()).result
    assert cancelled["state"] == "cancelled"
    assert appointments.open_slots("T", "A", FRIDAY, clock.now())[0]["free"] == 1
    with pytest.raises(Conflict):
        appointments.cancel("T", code, "13800000001", now=clock.now())
    book(clock)  # the same phone may book again


def test_move_keeps_the_code_and_respects_the_rules(hall, clock):
    code = book(clock)["code"]
    moved = appointments.move("T", code, "13800000001", MONDAY, "11:00", now=clock.now()).result
    assert (moved["code"], moved["day"], moved["start"]) == (code, "2026-11-30", "11:00")
    assert appointments.open_slots("T", "A", FRIDAY, clock.now())[0]["free"] == 2
    book(clock, day=MONDAY, start="09:00", phone="13800000002")
    book(clock, day=MONDAY, start="09:00", phone="13800000003")
    with pytest.raises(Conflict):  # full
        appointments.move("T", code, "13800000001", MONDAY, "09:00", now=clock.now())
    with pytest.raises(Conflict):  # a weekend
        appointments.move("T", code, "13800000001", SATURDAY, "09:00", now=clock.now())
    with pytest.raises(NotFound):
        appointments.move("T", code, "13800000002", MONDAY, "09:30", now=clock.now())
    # Moving within its own day is no second booking of that day.
    again = appointments.move("T", code, "13800000001", MONDAY, "09:30", now=clock.now())
    assert again.result["start"] == "09:30"


def test_a_slot_gone_by_is_a_no_show_and_cannot_be_changed(hall, clock):
    code = book(clock, day=THURSDAY, start="10:30")["code"]
    clock.advance(minutes=45)  # 10:45: the slot began
    with pytest.raises(Conflict):
        appointments.cancel("T", code, "13800000001", now=clock.now())
    assert appointments.record_no_shows("T", clock.now()).result == {"no_shows": 0}
    clock.advance(minutes=15)  # 11:00: it ended
    assert appointments.record_no_shows("T", clock.now()).result == {"no_shows": 1}
    assert Booking.get(Booking.code == code).state == "no_show"


def test_no_shows_suspend_booking_for_that_phone(hall, clock):
    for day in (date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)):
        Booking.create(
            unit=hall, service=hall.services[0], day=day, start="09:00",
            visitor_name="李四", visitor_phone="13700000000", code=f"NOSHOW{day.day:02d}",
            state="no_show", created_at=clock.now(), changed_at=clock.now(),
        )  # fmt: skip
    rules = Rules(no_show_limit=3, no_show_days=30)
    with pytest.raises(Forbidden) as refused:
        book(clock, phone="13700000000", rules=rules)
    assert refused.value.details["code"] == "booking_suspended" and "暂停" in refused.value.zh
    book(clock, phone="13700000000", rules=Rules(no_show_limit=4))
    clock.advance(days=20)  # 2 November leaves the 30 days
    book(clock, day=date(2026, 12, 17), phone="13700000000", rules=rules)


def test_the_days_list_masks_visitors_and_erasure_blanks_them(hall, clock):
    book(clock)
    (entry,) = appointments.day_bookings("T", FRIDAY)
    assert entry["counts"] == {"booked": 1}
    assert entry["bookings"][0]["visitor_phone"] == "138****0001"
    assert entry["bookings"][0]["visitor_name"] == "张*"
    full = appointments.day_bookings("T", FRIDAY, full=True)
    assert full[0]["bookings"][0]["visitor_phone"] == "13800000001"
    erased = erase_personal_data(now=clock.now(), keep_days=180)
    assert "bookings" not in erased.result.get("T", {})  # too young
    clock.advance(days=182)  # the day itself, and 180 after it
    assert erase_personal_data(now=clock.now(), keep_days=180).result["T"]["bookings"] == 1
    assert (Booking.get().visitor_name, Booking.get().visitor_phone) == ("", "")
