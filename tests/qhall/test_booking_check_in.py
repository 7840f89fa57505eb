"""A booking checks in at the kiosk and is called in its slot; no-shows are recorded by the
routine. The clock starts at Thursday 26 November 2026, 10:00 in Shanghai (02:00 UTC)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from qhall import appointments, queue, texts, windows
from qhall.appointments import Rules
from qhall.booking_check_in import book_with_id, check_in_booking
from qhall.booking_models import Booking
from qhall.db import unit_of_work
from qhall.errors import BadInput, Conflict, Forbidden, NotFound, ServiceClosed
from qhall.identity import person_key
from qhall.models import Ticket
from qhall.routine import run_once
from qhall.text_models import TicketPhone
from tests.factories import gen_staff, gen_unit

TODAY, FRIDAY, MONDAY = date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30)
WINDOW = Rules(check_in_early_minutes=30, check_in_late_minutes=15)
ID_NUMBER = "11010519491231002X"
OTHER_ID_NUMBER = "110105198001010016"


@pytest.fixture
def hall(app):
    """Hall T whose service A books half hours 09:00-12:00 on weekdays; hall U books too."""
    unit = gen_unit()
    gen_unit("U", services={"A": {}}, counters={1: ["A"]})
    for code in ("T", "U"):
        appointments.set_plan(code, "A", capacity=4, hours="09:00-12:00", weekdays="12345")
    return unit


def book(clock, day=TODAY, start="11:00", phone="13800000001", unit="T") -> str:
    made = appointments.book(unit, "A", day, start, name="张三", phone=phone, now=clock.now())
    return made.result["code"]


def at(clock, hhmm: str, day: date = TODAY) -> datetime:
    """Move the clock to that wall-clock time in Shanghai (UTC+8)."""
    hours, minutes = map(int, hhmm.split(":"))
    clock.at = datetime(day.year, day.month, day.day, hours, minutes) - timedelta(hours=8)
    return clock.at


def check_in(clock, code=None, **more):
    return check_in_booking("T", code=code, now=clock.now(), rules=WINDOW, **more).result


@pytest.mark.parametrize(
    ("wall", "on_time", "word"),
    [
        ("10:29", False, "尚未到签到时间"),
        ("10:30", True, None),  # exactly 30 minutes before the 11:00 slot
        ("11:00", True, None),
        ("11:15", True, None),  # exactly 15 minutes after it began
        ("11:16", False, "已超过签到时间"),
    ],
)
def test_the_check_in_window_decides_the_priority(hall, clock, wall, on_time, word):
    code = book(clock)
    at(clock, wall)
    answer = check_in(clock, code)
    assert answer["on_time"] is on_time and answer["already"] is False
    assert answer["ticket"]["priority"] == ("appointment" if on_time else None)
    if word:
        assert word in answer["note"]["zh"] and "11:00–11:30" in answer["note"]["zh"]
        assert "ordinary ticket" in answer["note"]["en"]
    else:
        assert answer["note"] is None
    booking = Booking.get(Booking.code == code)
    assert booking.state == "checked_in" and booking.checked_in_at == clock.now()
    assert booking.ticket.number == answer["ticket"]["number"]


def test_a_code_is_found_typed_in_lower_case_with_spaces(hall, clock):
    code = book(clock)
    at(clock, "10:50")
    assert check_in(clock, f"  {code.lower()} ")["on_time"] is True


def test_a_second_scan_answers_the_same_ticket_and_issues_none(hall, clock):
    code = book(clock)
    at(clock, "10:50")
    first = check_in(clock, code)
    clock.advance(minutes=2)
    again = check_in(clock, code)
    assert again["already"] is True and again["ticket"]["token"] == first["ticket"]["token"]
    assert Ticket.select().count() == 1


def test_a_cancelled_booking_another_days_and_another_halls_are_refused(hall, clock):
    cancelled = book(clock, phone="13800000002")
    appointments.cancel("T", cancelled, "13800000002", now=clock.now())
    friday = book(clock, day=FRIDAY)
    elsewhere = book(clock, unit="U")
    at(clock, "10:50")
    with pytest.raises(Conflict) as refused:
        check_in(clock, cancelled)
    assert "已取消" in refused.value.zh and "cancelled" in refused.value.en
    with pytest.raises(Conflict) as refused:
        check_in(clock, friday)
    assert "2026-11-27" in refused.value.zh and "not today" in refused.value.en
    with pytest.raises(NotFound) as refused:
        check_in(clock, elsewhere)
    assert "测试大厅U" in refused.value.zh and "Test hall U" in refused.value.en
    with pytest.raises(NotFound):
        check_in(clock, "ABCDEFGH")
    assert Ticket.select().count() == 0
    assert Booking.select().where(Booking.state == "checked_in").count() == 0


def test_a_closed_service_gives_no_ticket(app, clock):
    gen_unit(services={"A": {"hours": "09:00-10:45"}}, counters={1: ["A"]})
    appointments.set_plan("T", "A", hours="09:00-12:00", weekdays="12345")
    code = book(clock)
    at(clock, "10:50")
    with pytest.raises(ServiceClosed):
        check_in(clock, code)
    assert Booking.get().state == "booked" and Ticket.select().count() == 0


def test_the_id_card_checks_in_a_booking_made_with_its_number(hall, clock):
    made = book_with_id(
        "T", "A", TODAY, "11:00", name="张三", phone="13800000001", now=clock.now(),
        id_number=ID_NUMBER, secret="test",
    )  # fmt: skip
    key = person_key(ID_NUMBER, "test")
    assert Booking.get(Booking.code == made.result["code"]).person_key == key
    at(clock, "10:45")
    answer = check_in(clock, person_key=key)
    assert answer["on_time"] and answer["booking"]["code"] == made.result["code"]
    assert Ticket.get().person_key == key
    with pytest.raises(NotFound):
        check_in(clock, person_key=person_key(OTHER_ID_NUMBER, "test"))
    with pytest.raises(BadInput):
        book_with_id("T", "A", TODAY, "11:30", name="李四", phone="13800000009",
                     now=clock.now(), id_number="110105194912310020", secret="test")  # fmt: skip


def test_appointments_are_called_first_within_the_streak_limit(hall, clock):
    """Priority of every class goes first, but never more than the hall's streak limit (2)
    in a row while ordinary visitors wait."""
    staff = gen_staff(unit=hall)
    codes = [book(clock, start="11:00", phone=f"1380000000{n}") for n in range(3)]
    at(clock, "10:40")
    queue.issue_ticket("T", "A", now=clock.now())
    queue.issue_ticket("T", "A", now=clock.now(), priority="elderly")
    queue.issue_ticket("T", "A", now=clock.now())
    for code in codes:
        check_in(clock, code)
    queue.issue_ticket("T", "A", now=clock.now())
    windows.open_counter("T", 1, staff_id=staff.id, now=clock.now())
    called = []
    for _ in range(7):
        ticket = queue.call_next("T", 1, staff_id=staff.id, now=clock.now()).result["ticket"]
        called.append(ticket["priority"])
    assert called == [
        "elderly", "appointment", None, "appointment", "appointment", None, None,
    ]  # fmt: skip


def routine(app, clock):
    return run_once(app.config, clock.now(), lambda outcome: None)


def test_the_routine_records_no_shows_and_a_phone_that_misses_three_is_suspended(app, hall, clock):
    missed = [book(clock, day=d) for d in (TODAY, FRIDAY, MONDAY)]
    came = book(clock, phone="13900000000")
    at(clock, "11:10")
    check_in(clock, came)
    at(clock, "11:29")
    assert "bookings:T" in routine(app, clock)
    assert Booking.get(Booking.code == missed[0]).state == "booked"  # its slot is not over
    at(clock, "11:30")
    routine(app, clock)
    assert Booking.get(Booking.code == missed[0]).state == "no_show"
    assert Booking.get(Booking.code == came).state == "checked_in"

    at(clock, "12:00", day=date(2026, 12, 1))
    routine(app, clock)
    assert [Booking.get(Booking.code == c).state for c in missed] == ["no_show"] * 3
    with pytest.raises(Forbidden) as suspended:
        book(clock, day=date(2026, 12, 2), start="09:00")
    assert (
        suspended.value.details["code"] == "booking_suspended"
        and "3次预约未到" in suspended.value.zh
    )
    book(clock, day=date(2026, 12, 2), start="09:00", phone="13900000000")  # who came may


def test_a_late_visitor_recorded_as_a_no_show_still_checks_in_that_day(app, hall, clock):
    code = book(clock)
    at(clock, "11:40")
    routine(app, clock)
    answer = check_in(clock, code)
    assert answer["on_time"] is False and Booking.get().state == "checked_in"


def test_the_id_key_is_erased_once_the_bookings_day_is_over(app, hall, clock):
    book_with_id(
        "T", "A", TODAY, "11:00", name="张三", phone="13800000001", now=clock.now(),
        id_number=ID_NUMBER, secret="test",
    )  # fmt: skip
    at(clock, "23:59")
    routine(app, clock)
    assert Booking.get().person_key is not None  # the day is not over yet
    at(clock, "00:01", day=FRIDAY)
    routine(app, clock)
    assert Booking.get().person_key is None and Booking.get().state == "no_show"


def test_a_checked_in_booking_is_texted_at_its_phone_unless_it_said_stop(app, hall, clock):
    app.config["OUTBOX"]["CHANNELS"]["sms"] = {"URL": "http://127.0.0.1:9/", "SECRET": "s"}
    texts.configure(app.config)  # a gateway: the hall texts visitors
    heard, stopped = book(clock, phone="13800000001"), book(clock, phone="13800000002")
    with unit_of_work():
        texts.opt_out("13800000002", now=clock.now())
    at(clock, "10:50")
    first, second = check_in(clock, heard), check_in(clock, stopped)
    phones = {row.ticket.number: row.phone for row in TicketPhone.select()}
    assert phones == {first["ticket"]["number"]: "13800000001"}
    assert second["ticket"]["number"] not in phones
