"""A booking (预约, qhall.appointments) checks in at the hall's kiosk and becomes a ticket.

The visitor shows the booking code (typed, or its QR scanned: the QR holds just the code)
or, where the booking was made with an ID number, the ID card (its keyed hash,
qhall.identity). Within the check-in window around the slot (appointments.Rules:
check_in_early_minutes before the slot starts to check_in_late_minutes after) the ticket is an "appointment"
priority ticket, called first within the window's streak limit (qhall.queue.window_line);
earlier or later it is an ordinary ticket and the answer says why, politely. Either way
the booking is checked in and keeps its ticket, so a second scan answers the same ticket.

The end of a booking's day is closed by close_booking_days (qhall.routine, every minute):
bookings whose slot ended without a check-in become no-shows, which count towards the
phone's suspension (appointments.check_not_suspended), and the ID keys of past days'
bookings are erased.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from qhall import appointments, identity, texts
from qhall.booking_models import Booking
from qhall.clock import local
from qhall.db import unit_of_work
from qhall.errors import Conflict, NotFound, ServiceClosed
from qhall.events import Outcome
from qhall.hours import service_is_open
from qhall.lookups import find_unit
from qhall.models import Ticket, Unit
from qhall.queue import create_ticket
from qhall.shapes import issued_ticket

NO_SUCH_BOOKING = (
    "没有找到该预约，请核对预约码；如需帮助，请咨询大厅工作人员。",
    "No booking was found. Please check the booking code, or ask the hall staff for help.",
)


def check_in_booking(
    unit_code: str,
    *,
    code: str | None = None,
    person_key: str | None = None,
    now: datetime,
    rules: appointments.Rules,
    source: str = "kiosk",
    request_key=None,
) -> Outcome:
    """Check today's booking of this hall in, by its code or its ID card's key, and give
    it a ticket: an appointment ticket within the window, else an ordinary one with a word
    why. A booking checked in before answers the ticket it has (already: true)."""
    with unit_of_work(request_key, f"booking-check-in:{unit_code}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit = find_unit(unit_code)
        booking = _by_code(unit, code, now) if code else _by_person(unit, person_key or "", now)
        if booking.state == "checked_in" and booking.ticket_id is not None:
            return uow.finish(_answer(booking, already=True, note=None))
        if booking.state not in ("booked", "no_show"):  # a late visitor is still welcome
            raise Conflict(
                "该预约已取消，请到取号机取号，谢谢。",
                "This booking was cancelled. Please take a ticket at the kiosk. Thank you.",
                state=booking.state,
            )
        service = booking.service
        if not service_is_open(service, unit, now):
            raise ServiceClosed(hours=service.hours, weekdays=service.weekdays)
        note = timing_note(booking, unit, now, rules)
        booking.ticket = create_ticket(
            service,
            now,
            priority="appointment" if note is None else None,
            source=source,
            person_key=person_key or booking.person_key,
        )
        booking.state, booking.checked_in_at, booking.changed_at = "checked_in", now, now
        booking.save()
        texts.text_booked_ticket(booking.ticket, booking.visitor_phone, now)
        return uow.finish(_answer(booking, already=False, note=note))


def timing_note(
    booking: Booking, unit: Unit, now: datetime, rules: appointments.Rules
) -> dict | None:
    """Return None when now is within the booking's check-in window (its edges included);
    else the polite word, Chinese and English, on why the ticket is an ordinary one."""
    wall = local(now, unit.timezone).replace(tzinfo=None)
    hours, _, minutes = booking.start.partition(":")
    starts = datetime.combine(booking.day, datetime.min.time()) + timedelta(
        hours=int(hours), minutes=int(minutes)
    )
    shown = appointments.booking_view(booking, full=False)
    slot = f"{shown['start']}–{shown['end']}"
    if wall < starts - timedelta(minutes=rules.check_in_early_minutes):
        return {
            "zh": f"您的预约时段为 {slot}，现在尚未到签到时间（可提前 {rules.check_in_early_minutes} "
            "分钟签到），已为您取普通号，请留意叫号。",
            "en": f"Your booking is for {slot}. Check-in opens {rules.check_in_early_minutes} minutes "
            "before it, so we have given you an ordinary ticket. Please listen for your number.",
        }
    if wall > starts + timedelta(minutes=rules.check_in_late_minutes):
        return {
            "zh": f"您的预约时段为 {slot}，已超过签到时间（时段开始后 {rules.check_in_late_minutes} "
            "分钟内），已为您取普通号，请耐心等候。",
            "en": f"Your booking was for {slot}. Check-in closed {rules.check_in_late_minutes} minutes "
            "after it began, so we have given you an ordinary ticket. Thank you for waiting.",
        }
    return None


def _today(unit: Unit, now: datetime) -> date:
    return local(now, unit.timezone).date()


def _by_code(unit: Unit, code: str, now: datetime) -> Booking:
    booking = Booking.get_or_none(Booking.code == code.strip().upper())
    if booking is None:
        raise NotFound(*NO_SUCH_BOOKING)
    if booking.unit_id != unit.id:
        raise NotFound(
            f"这是{booking.unit.name_zh}的预约，请到该大厅签到，谢谢。",
            f"This booking is for {booking.unit.name_en}. Please check in at that hall. Thank you.",
        )
    if booking.day != _today(unit, now):
        raise Conflict(
            f"您的预约日期为 {booking.day.isoformat()}，不是今天；请在预约当天来签到，"
            "或到取号机取号，谢谢。",
            f"Your booking is for {booking.day.isoformat()}, not today. Please come that day, "
            "or take a ticket at the kiosk. Thank you.",
            day=booking.day.isoformat(),
        )
    return booking


def _by_person(unit: Unit, person_key: str, now: datetime) -> Booking:
    """Return the card holder's booking of today at this hall: the earliest still to check
    in, else one checked in already (answered as it is)."""
    todays = Booking.select().where(
        Booking.unit == unit.id,
        Booking.day == _today(unit, now),
        Booking.person_key == person_key,
        Booking.state.in_(("booked", "no_show", "checked_in")),
    )
    bookings = sorted(todays, key=lambda b: (b.state == "checked_in", b.start, b.id))
    if not person_key or not bookings:
        raise NotFound(
            "没有找到您今天在本大厅的预约，请到取号机取号，谢谢。",
            "No booking of yours at this hall today was found. Please take a ticket at the "
            "kiosk. Thank you.",
        )
    return bookings[0]


def _answer(booking: Booking, *, already: bool, note: dict | None) -> dict:
    return {
        "ticket": issued_ticket(booking.ticket),
        "booking": appointments.booking_view(booking, full=False),
        "already": already,
        "on_time": booking.ticket.priority == "appointment",
        "note": note,
    }


def close_booking_days(unit_code: str, now: datetime) -> Outcome:
    """Record the no-shows of slots that have ended and erase the ID keys of bookings whose
    day is over (the key serves the check-in of that day only); say how many of each."""
    unit = find_unit(unit_code)
    with unit_of_work() as uow:
        no_shows = appointments.record_no_shows(unit_code, now).result["no_shows"]
        erased = (
            Booking.update(person_key=None)
            .where(
                Booking.unit == unit.id,
                Booking.day < _today(unit, now),
                Booking.person_key.is_null(False),
            )
            .execute()
        )
        return uow.finish({"no_shows": no_shows, "keys_erased": erased})


def book_with_id(unit_code: str, *args, id_number: str, secret: str, **booking) -> Outcome:
    """Book as appointments.book does, keeping the ID number's keyed hash, never the number,
    so that the ID card checks the booking in at the kiosk."""
    key = identity.person_key(id_number, secret)  # a wrong number is a 400 before anything
    with unit_of_work() as uow:
        outcome = appointments.book(unit_code, *args, **booking)
        Booking.update(person_key=key).where(Booking.code == outcome.result["code"]).execute()
        return Outcome(outcome.result, uow.finish(outcome.result).events, outcome.replayed)


def day_bookings_with_tickets(unit_code: str, day: date, *, full: bool = False) -> list[dict]:
    """Return appointments.day_bookings with each booking's ticket number once checked in
    (None before), for the staff who call it."""
    services = appointments.day_bookings(unit_code, day, full=full)
    numbers = dict(
        Booking.select(Booking.code, Ticket.number)
        .join(Ticket)
        .where(Booking.unit == find_unit(unit_code).id, Booking.day == day)
        .tuples()
    )
    for service in services:
        for booking in service["bookings"]:
            booking["ticket_number"] = numbers.get(booking["code"])
    return services
