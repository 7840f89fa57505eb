"""Appointments (预约) over JSON: a hall's bookable services, days and slots; booking,
finding, cancelling and moving a booking (the visitor's page, /book/<unit>); a day's
bookings for the hall's staff; a service's plan for its manager; and the bureau's online
platform pushing and listing bookings with a bearer token."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from flask import current_app, jsonify
from pydantic import Field

from kiosk import bp
from qhall import appointments, texts
from qhall.access import check_booking_platform, check_manage, sees_visitor_contacts
from qhall.booking_check_in import book_with_id, day_bookings_with_tickets
from qhall.clock import local
from qhall.errors import HallError
from qhall.limits import SlidingWindowLimit
from qhall.lookups import find_unit
from qhall.web.request import client_address, now, publish_result, request_key, require_staff
from qhall.web.schema import (
    READ,
    STAFF,
    WRITE,
    Answer,
    Input,
    KeyedHeaders,
    Name,
    Query,
    answers,
    spec,
    staff_only,
)

# A day sent as text ("2026-11-27"), in a query string or a JSON body.
TextDate = Annotated[date, Field(strict=False)]
Phone = Annotated[str, Field(max_length=20, description="the visitor's mobile number")]
Code = Annotated[str, Field(max_length=16, description="the booking code, e.g. K7QM2XPA")]
Start = Annotated[str, Field(max_length=5, description="the slot's start, 09:30")]


class TooManyBookings(HallError):
    status = 429
    code = "too_many_bookings"
    zh = "操作过于频繁，请稍后再试；如需帮助，请致电或咨询大厅工作人员，谢谢。"
    en = "Too many requests from here. Please try again later, or ask the hall staff. Thank you."


# --- shapes --------------------------------------------------------------------------


class BookingPlanShape(Answer):
    service: str
    name: str
    name_en: str
    slot_minutes: int
    capacity: int
    weekdays: str
    hours: str
    days_ahead: int
    follows_calendar: bool
    active: bool


class BookableServices(Answer):
    services: list[BookingPlanShape]


class Slot(Answer):
    start: str
    end: str
    free: int = Field(description="places left; 0 when full")


class DaySlots(Answer):
    service: str
    day: str
    days: list[str] = Field(description="the days from today to the horizon that have slots")
    slots: list[Slot]


class BookingShape(Answer):
    code: str
    unit: str
    unit_name: str
    unit_name_en: str
    service: str
    service_name: str
    service_name_en: str
    day: str
    start: str
    end: str
    visitor_name: str = Field(
        description="masked for anyone but the visitor and the hall's manager"
    )
    visitor_phone: str
    state: str = Field(description="booked, cancelled, checked_in or no_show")
    ticket_number: str | None = Field(None, description="its ticket once checked in (staff)")
    source: str = Field(description="web, platform or import")
    created_at: str
    changed_at: str


class ServiceBookings(Answer):
    service: str
    name: str
    name_en: str
    counts: dict[str, int]
    bookings: list[BookingShape]


class DayBookings(Answer):
    day: str
    services: list[ServiceBookings]


class SlotQuery(Query):
    service: str
    day: TextDate | None = Field(None, description="absent: the first day with slots")


class DayQuery(Query):
    day: TextDate | None = Field(None, description="absent: today")


class BookingRequest(Input):
    service: str = Field(max_length=2)
    day: TextDate
    start: Start
    name: Name
    phone: Phone
    id_number: str | None = Field(
        None,
        max_length=32,
        description="optional: lets the ID card check the booking in at the kiosk; kept only "
        "as its keyed hash (qhall.identity), never the number",
    )
    phone_code: str | None = Field(
        None,
        max_length=8,
        description="the code texted to the phone (POST …/bookings/phone-code); required "
        "when the hall sends text messages, so that a booking is made with one's own phone",
    )


class PhoneCodeRequest(Input):
    phone: Phone


class PhoneCodeSent(Answer):
    minutes: int = Field(description="how long the code is good for")


class PlatformBooking(BookingRequest):
    pass


class OwnBooking(Input):
    code: Code
    phone: Phone


class MoveRequest(OwnBooking):
    day: TextDate
    start: Start


class ImportRequest(Input):
    csv: str = Field(
        max_length=200_000,
        description="CSV text with the header service,day,start,name,phone (UTF-8)",
    )


class ImportRefusal(Answer):
    line: int
    message: str
    message_en: str


class Imported(Answer):
    imported: int
    codes: list[str]


class PlanRequest(Input):
    service: str = Field(max_length=2, description="the service's letter")
    slot_minutes: int = Field(30, ge=5, le=480)
    capacity: int = Field(4, ge=1, le=1000)
    weekdays: str = Field("", max_length=7, description='"" for the service\'s own')
    hours: str = Field("", max_length=200, description='"" for the service\'s own')
    days_ahead: int = Field(7, ge=0, le=90)
    follows_calendar: bool = True
    active: bool = True


# --- who may ---------------------------------------------------------------------------


def _hall_staff(unit: str, **_path):
    return require_staff(find_unit(unit))


def _hall_manager(unit: str, **_path):
    return check_manage(require_staff(), find_unit(unit))


def _platform(unit: str, **_path):
    staff = check_booking_platform(require_staff())
    find_unit(unit)
    return staff


def booking_limit() -> SlidingWindowLimit:
    """Return this process's limit on a stranger's bookings, cancellations and moves."""
    state = current_app.extensions.setdefault("booking", {})
    if "limit" not in state:
        section = current_app.config.get("BOOKING", {})
        state["limit"] = SlidingWindowLimit(
            section.get("PER_CLIENT", 10), section.get("WINDOW_S", 600)
        )
    return state["limit"]


def _limited() -> None:
    # Each attempt counts, a refused one too: a code and a phone are not to be guessed.
    if not booking_limit().allow(client_address(), now()):
        raise TooManyBookings()


PHONE_CODE = "booking"  # the purpose of a texted code (qhall.texts.send_code)


def _book(unit: str, json, source: str):
    """Book for the visitor's page or the platform, under the same rules."""
    slot = unit, json.service, json.day, json.start
    person = dict(name=json.name, phone=json.phone, now=now(), source=source,
                  rules=booking_rules(), request_key=request_key())  # fmt: skip
    if json.id_number:
        secret = current_app.config["SECRET_KEY"]
        outcome = book_with_id(*slot, id_number=json.id_number, secret=secret, **person)
    else:
        outcome = appointments.book(*slot, **person)
    return publish_result(outcome, 200 if outcome.replayed else 201)


def booking_rules() -> appointments.Rules:
    return appointments.Rules.from_config(current_app.config.get("BOOKING", {}))


# --- a visitor's -------------------------------------------------------------------------


@bp.get("/api/units/<unit>/bookings/services")
@spec.validate(resp=answers(BookableServices, *READ), operation_id="bookable_services")
def bookable_services(unit: str):
    """List a hall's services that take bookings, with their plans."""
    return jsonify({"services": appointments.bookable_services(unit)})


@bp.get("/api/units/<unit>/bookings/slots")
@spec.validate(resp=answers(DaySlots, *READ), operation_id="booking_slots")
def booking_slots(unit: str, query: SlotQuery):
    """List a service's bookable days and one day's slots with their free places."""
    days = appointments.bookable_days(unit, query.service, now())
    day = query.day or (date.fromisoformat(days[0]) if days else None)
    slots = appointments.open_slots(unit, query.service, day, now()) if day else []
    return jsonify(
        {
            "service": query.service,
            "day": day.isoformat() if day else "",
            "days": days,
            "slots": slots,
        }
    )


@bp.post("/api/units/<unit>/bookings")
@spec.validate(
    resp=answers(BookingShape, *WRITE, 429, status=201, description="Booked", replayed=True),
    operation_id="book",
)
def book(unit: str, json: BookingRequest, headers: KeyedHeaders):
    """Book a slot: the answer carries the booking code the visitor shows at the hall.

    No account: a name and a phone. Limited per client (429); a phone with too many
    no-shows lately is refused (403); a full slot or a second booking of the service that
    day is 409.
    """
    _limited()
    texts.confirm_phone(json.phone, PHONE_CODE, json.phone_code, now())
    return _book(unit, json, "web")


@bp.post("/api/units/<unit>/bookings/phone-code")
@spec.validate(
    resp=answers(PhoneCodeSent, *WRITE, 429, status=202, description="Texted"),
    operation_id="booking_phone_code",
)
def booking_phone_code(unit: str, json: PhoneCodeRequest):
    """Text a one-time code to the phone a visitor books with, where the hall sends text
    messages (409 where it does not: the booking needs no code there). Limited per client
    with the other booking requests, and per phone by [SMS] PER_PHONE_PER_HOUR (429)."""
    hall = find_unit(unit)
    _limited()
    minutes = texts.send_code(json.phone, PHONE_CODE, now(), unit=hall)
    return jsonify({"minutes": minutes}), 202


@bp.post("/api/units/<unit>/bookings/find")
@spec.validate(resp=answers(BookingShape, *WRITE, 429), operation_id="find_booking")
def find_booking(unit: str, json: OwnBooking):
    """Return a booking to whoever shows its code and the phone it was made with.

    A POST, so that neither the code nor the phone is in an address or a log line.
    """
    _limited()
    return jsonify(appointments.find_booking(unit, json.code, json.phone))


@bp.post("/api/units/<unit>/bookings/cancel")
@spec.validate(resp=answers(BookingShape, *WRITE, 429), operation_id="cancel_booking")
def cancel_booking(unit: str, json: OwnBooking, headers: KeyedHeaders):
    """Cancel a booking, by its code and phone, before its slot begins."""
    _limited()
    return publish_result(
        appointments.cancel(unit, json.code, json.phone, now=now(), request_key=request_key())
    )


@bp.post("/api/units/<unit>/bookings/move")
@spec.validate(resp=answers(BookingShape, *WRITE, 429), operation_id="move_booking")
def move_booking(unit: str, json: MoveRequest, headers: KeyedHeaders):
    """Move a booking, by its code and phone, to another slot of its service."""
    _limited()
    return publish_result(
        appointments.move(
            unit,
            json.code,
            json.phone,
            json.day,
            json.start,
            now=now(),
            request_key=request_key(),
        )  # fmt: skip
    )


# --- the hall's ----------------------------------------------------------------------------


@bp.get("/api/units/<unit>/bookings/day")
@spec.validate(
    resp=answers(DayBookings, *STAFF), operation_id="day_bookings", **staff_only(_hall_staff)
)
def day_bookings(unit: str, query: DayQuery):
    """List a day's bookings (today's by default) per service with their states.

    For the hall's staff and the bureau's admins; names and phones are shown whole to the
    hall's own manager only, masked to everyone else.
    """
    staff = _hall_staff(unit)
    hall = find_unit(unit)
    day = query.day or local(now(), hall.timezone).date()
    full = sees_visitor_contacts(staff, hall.id)
    services = day_bookings_with_tickets(unit, day, full=full)
    return jsonify({"day": day.isoformat(), "services": services})


@bp.put("/api/units/<unit>/bookings/plan")
@spec.validate(
    resp=answers(BookingPlanShape, *STAFF),
    operation_id="set_booking_plan",
    **staff_only(_hall_manager),
)
def set_booking_plan(unit: str, json: PlanRequest, headers: KeyedHeaders):
    """Set a service's booking plan: slot length, places per slot, days, hours, horizon."""
    _hall_manager(unit)
    return publish_result(appointments.set_plan(unit, **json.model_dump()))


@bp.post("/api/units/<unit>/bookings/import")
@spec.validate(
    resp=answers(Imported, *STAFF, status=201, description="Imported", replayed=True),
    operation_id="import_bookings",
    **staff_only(_hall_manager),
)
def import_bookings(unit: str, json: ImportRequest, headers: KeyedHeaders):
    """Import a day's bookings from CSV (the hall's manager), all or none.

    Each row is booked under the visitor's rules (capacity, one booking of a service a day
    per phone, no-show suspension); if any row cannot be, the 409 lists each such row's
    line and reason, and nothing is imported.
    """
    _hall_manager(unit)
    outcome = appointments.import_bookings(
        unit, json.csv, now=now(), rules=booking_rules(), request_key=request_key()
    )
    return publish_result(outcome, 200 if outcome.replayed else 201)


# --- the bureau's online platform -----------------------------------------------------------


@bp.post("/api/units/<unit>/bookings/platform")
@spec.validate(
    resp=answers(BookingShape, *STAFF, status=201, description="Booked", replayed=True),
    operation_id="platform_book",
    **staff_only(_platform),
)
def platform_book(unit: str, json: PlatformBooking, headers: KeyedHeaders):
    """Push a booking made on the bureau's online platform (a bureau admin's bearer token).

    The same rules as the visitor's page: capacity, one booking of a service a day per
    phone, no-show suspension; no per-client limit.
    """
    _platform(unit)
    return _book(unit, json, "platform")


@bp.get("/api/units/<unit>/bookings/platform")
@spec.validate(
    resp=answers(DayBookings, *STAFF), operation_id="platform_bookings", **staff_only(_platform)
)
def platform_bookings(unit: str, query: DayQuery):
    """List a day's bookings of a hall for the bureau's platform, names and phones whole."""
    _platform(unit)
    hall = find_unit(unit)
    day = query.day or local(now(), hall.timezone).date()
    return jsonify(
        {"day": day.isoformat(), "services": appointments.day_bookings(unit, day, full=True)}
    )
