"""The hall's day: when it turns (Unit.day_starts_at), what the turn closes, and halls open
round the clock that keep their visitors across it. Clock times are UTC; Shanghai is +8."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from qhall import queue, windows
from qhall.clock import hall_day
from qhall.estimates import people_ahead
from qhall.models import Ticket, Unit
from qhall.routine import run_once
from qhall.shapes import snapshot
from tests.factories import gen_staff, gen_ticket, gen_unit

THURSDAY = date(2026, 11, 26)
FRIDAY = date(2026, 11, 27)


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    """Return the stored (UTC) moment of a wall-clock time in Shanghai in November 2026."""
    return datetime(2026, 11, day, hour, minute) - (datetime(2026, 1, 1, 8) - datetime(2026, 1, 1))


def hall(**fields):
    unit = gen_unit(**fields)
    staff = gen_staff(unit=unit)
    return unit, staff


def routine(app, clock) -> list[str]:
    return run_once(app.config, clock.now(), lambda outcome: None)


def serve_first(clock, staff) -> str:
    """Open window 1, call the next visitor and start their visit; return their number."""
    windows.open_counter("T", 1, staff_id=staff.id, now=clock.now())
    ticket = queue.call_next("T", 1, staff_id=staff.id, now=clock.now()).result["ticket"]
    queue.start("T", 1, staff_id=staff.id, now=clock.now())
    return ticket["number"]


def call_next(clock, staff) -> str | None:
    ticket = queue.call_next("T", 1, staff_id=staff.id, now=clock.now()).result["ticket"]
    return ticket["number"] if ticket else None


def status(number: str, day: date) -> tuple[str, str | None]:
    ticket = Ticket.get(Ticket.number == number, Ticket.day == day)
    return ticket.status, ticket.closed_reason


@pytest.mark.parametrize(
    "starts_at, moment, day",
    [
        ("00:00", shanghai(27, 0, 5), FRIDAY),
        ("00:00", shanghai(26, 23, 59), THURSDAY),
        ("06:00", shanghai(27, 3), THURSDAY),
        ("06:00", shanghai(27, 5, 59), THURSDAY),
        ("06:00", shanghai(27, 6), FRIDAY),
    ],
)
def test_the_hall_day_turns_at_day_starts_at(starts_at, moment, day):
    unit = Unit(timezone="Asia/Shanghai", day_starts_at=starts_at)
    assert hall_day(moment, unit) == day


def test_an_ordinary_hall_closes_its_leftovers_at_the_turn_and_numbers_restart(app, clock):
    unit, staff = hall()
    clock.at = shanghai(26, 23, 40)
    gen_ticket(clock), gen_ticket(clock)
    assert serve_first(clock, staff) == "A001"  # in service at window 1
    clock.at = shanghai(26, 23, 50)
    assert gen_ticket(clock)["number"] == "A003"  # waiting
    clock.at = shanghai(26, 23, 59)
    routine(app, clock)
    assert status("A001", THURSDAY) == ("serving", None)

    clock.at = shanghai(27, 0, 1)
    assert "close-day:T" in routine(app, clock)
    assert status("A001", THURSDAY) == status("A003", THURSDAY) == ("closed", "day_ended")
    assert gen_ticket(clock)["number"] == "A001"
    assert call_next(clock, staff) == "A001"  # the new day's, nothing of the old one left
    assert snapshot("T", clock.now())["waiting"] == {"A": 0, "B": 0}


def test_a_hall_open_round_the_clock_keeps_its_visitors_across_the_turn(app, clock):
    unit, staff = hall(round_the_clock=True)
    clock.at = shanghai(26, 23, 40)
    gen_ticket(clock)
    assert serve_first(clock, staff) == "A001"  # in service across midnight
    clock.at = shanghai(26, 23, 50)
    late = gen_ticket(clock)
    assert late["number"] == "A002"

    clock.at = shanghai(27, 0, 10)
    routine(app, clock)
    assert status("A001", THURSDAY) == ("serving", None)
    assert status("A002", THURSDAY) == ("waiting", None)
    new = gen_ticket(clock)
    # The new day's numbers start after the carried-over A002, so no two A002 meet.
    assert (new["number"], new["ahead"]) == ("A003", 1)
    snap = snapshot("T", clock.now())
    assert (snap["day"], snap["waiting"]["A"]) == (FRIDAY.isoformat(), 2)

    queue.finish("T", 1, staff_id=staff.id, now=clock.advance(minutes=5))
    served = Ticket.get(Ticket.number == "A001")
    assert (served.status, served.service_s) == ("finished", 35 * 60)
    assert queue.staff_figures(staff, unit, THURSDAY)["served"] == 1  # in the day it was taken

    assert call_next(clock, staff) == "A002"  # the visitor of 23:50 first
    assert call_next(clock, staff) == "A003"
    assert snapshot("T", clock.now())["calls"][1]["number"] == "A002"  # shown as called


def test_round_the_clock_numbers_restart_when_nobody_is_carried_over(app, clock):
    hall(round_the_clock=True)
    clock.at = shanghai(26, 23, 50)
    ticket = gen_ticket(clock)
    queue.cancel(ticket["token"], now=clock.now())
    clock.at = shanghai(27, 0, 10)
    assert gen_ticket(clock)["number"] == "A001"


def test_round_the_clock_closes_what_is_still_open_at_the_second_turn(app, clock):
    unit, staff = hall(round_the_clock=True)
    clock.at = shanghai(26, 23, 40)
    gen_ticket(clock), gen_ticket(clock)
    serve_first(clock, staff)  # A001 in service, A002 waiting
    clock.at = shanghai(27, 23, 59)
    routine(app, clock)
    assert status("A002", THURSDAY) == ("waiting", None)

    clock.at = shanghai(28, 0, 1)  # Saturday: Thursday is two turns ago
    routine(app, clock)
    assert status("A001", THURSDAY) == status("A002", THURSDAY) == ("closed", "day_ended")
    assert call_next(clock, staff) is None


def test_a_day_starting_at_six_numbers_the_small_hours_with_the_day_before(app, clock):
    unit, staff = hall(day_starts_at="06:00")
    clock.at = shanghai(26, 22)
    assert gen_ticket(clock)["number"] == "A001"
    clock.at = shanghai(27, 3)
    night = gen_ticket(clock)
    assert night["number"] == "A002"  # Thursday's numbering
    assert people_ahead(Ticket.get(Ticket.token == night["token"])) == 1
    routine(app, clock)
    assert status("A002", THURSDAY) == ("waiting", None)  # midnight closed nothing

    clock.at = shanghai(27, 6, 1)
    routine(app, clock)
    assert status("A001", THURSDAY) == status("A002", THURSDAY) == ("closed", "day_ended")
    morning = gen_ticket(clock)
    assert morning["number"] == "A001"
    assert Ticket.get(Ticket.token == morning["token"]).day == FRIDAY
