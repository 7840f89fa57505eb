"""Appointments (预约): a service's bookable slots, booking one, cancelling and moving it.

A service that takes bookings has a BookingPlan: slots of slot_minutes through its hours
(the plan's, else the service's) on its weekdays, each for at most `capacity` visitors,
from today up to days_ahead days on. A day the working-day calendar rests has no slots
unless the plan says it works holidays (follows_calendar false); a slot that has begun is
past and has none either.

Booking counts the slot and inserts in one write transaction that holds the write lock
(SQLite) or an advisory lock on the service's day (PostgreSQL), so that two visitors can
never both take a slot's last place, nor one phone book the same service twice a day.
A visitor cancels or moves a booking with its code and the phone it was made with.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# The module, not its names: qhall.retention calls erase_personal here in turn.
from qhall import retention, validate
from qhall.booking_models import Booking, BookingPlan
from qhall.clock import iso, local
from qhall.db import lock_key, unit_of_work
from qhall.errors import BadInput, Conflict, Forbidden, HallError, NotFound
from qhall.events import Outcome
from qhall.hours import parse_hours
from qhall.inputs import clean_name, clean_phone
from qhall.lookups import find_service, find_unit
from qhall.models import Service, Unit
from qhall.workdays import WorkCalendar, work_calendar

# No 0/O, 1/I/L: a code read aloud or typed from paper is not mistaken. 31**8 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# A booking that holds its place in the slot.
HOLDING = ("booked", "checked_in")


@dataclass(frozen=True)
class Rules:
    """The hall's booking settings ([BOOKING] in the settings): the no-shows that suspend a
    phone, and the check-in window around a slot (qhall.booking_check_in)."""

    no_show_limit: int = 3
    no_show_days: int = 30
    check_in_early_minutes: int = 30
    check_in_late_minutes: int = 15

    @classmethod
    def from_config(cls, section: dict) -> Rules:
        """Return the rules of a [BOOKING] section."""
        names = {"NO_SHOW_LIMIT", "NO_SHOW_DAYS", "CHECK_IN_EARLY_MINUTES", "CHECK_IN_LATE_MINUTES"}
        return cls(**{name.lower(): section[name] for name in names if name in section})


# --- the plan ------------------------------------------------------------------------


def set_plan(
    unit_code: str,
    service: str,
    *,
    slot_minutes: int = 30,
    capacity: int = 4,
    weekdays: str = "",
    hours: str = "",
    days_ahead: int = 7,
    follows_calendar: bool = True,
    active: bool = True,
) -> Outcome:
    """Create or change a service's booking plan; return it."""
    if not 5 <= slot_minutes <= 480:
        raise BadInput("时段长度应为 5 到 480 分钟。", "A slot must be 5 to 480 minutes long.")
    if not 1 <= capacity <= 1000:
        raise BadInput("每个时段可约人数应为 1 到 1000。", "A slot takes 1 to 1000 bookings.")
    if not 0 <= days_ahead <= 90:
        raise BadInput("可提前预约天数应为 0 到 90。", "Bookings open 0 to 90 days ahead.")
    if hours:
        hours = validate.hours(hours)
    if weekdays:
        weekdays = validate.weekdays(weekdays)
    service_row = find_service(find_unit(unit_code), service)
    fields = {
        "slot_minutes": slot_minutes,
        "capacity": capacity,
        "weekdays": weekdays,
        "hours": hours,
        "days_ahead": days_ahead,
        "follows_calendar": follows_calendar,
        "active": active,
    }
    with unit_of_work() as uow:
        plan = BookingPlan.get_or_none(BookingPlan.service == service_row.id)
        if plan is None:
            plan = BookingPlan.create(service=service_row, **fields)
        else:
            BookingPlan.update(**fields).where(BookingPlan.id == plan.id).execute()
            plan = BookingPlan.get_by_id(plan.id)
        return uow.finish(plan_view(plan, service_row))


def plan_view(plan: BookingPlan, service: Service) -> dict:
    """Return a plan as the API shows it."""
    return {
        "service": service.code,
        "name": service.name_zh,
        "name_en": service.name_en,
        "slot_minutes": plan.slot_minutes,
        "capacity": plan.capacity,
        "weekdays": plan.weekdays or service.weekdays,
        "hours": plan.hours or service.hours,
        "days_ahead": plan.days_ahead,
        "follows_calendar": plan.follows_calendar,
        "active": plan.active,
    }


def bookable_services(unit_code: str) -> list[dict]:
    """Return the hall's services a visitor may book, with their plans."""
    unit = find_unit(unit_code)
    plans = (
        BookingPlan.select(BookingPlan, Service)
        .join(Service)
        .where(Service.unit == unit.id, Service.active == True, BookingPlan.active == True)  # noqa: E712
        .order_by(Service.code)
    )
    return [plan_view(plan, plan.service) for plan in plans]


def _plan(unit: Unit, service_code: str) -> tuple[Service, BookingPlan]:
    service = find_service(unit, service_code)
    plan = BookingPlan.get_or_none(BookingPlan.service == service.id)
    if plan is None or not plan.active or not service.active:
        raise NotFound(
            "抱歉，该业务暂不接受预约，请到大厅现场取号，谢谢。",
            "Sorry, this service does not take bookings. Please take a ticket at the hall. Thank you.",
            service=service.code,
        )
    return service, plan


# --- days and slots ------------------------------------------------------------------


def _minutes(hhmm: str) -> int:
    hours, _, minutes = hhmm.partition(":")
    return int(hours) * 60 + int(minutes)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def slot_starts(service: Service, plan: BookingPlan) -> list[str]:
    """Return the starts of a day's slots: whole slots within each span of the hours."""
    starts = []
    for begin, end in parse_hours(plan.hours or service.hours):
        at, close = _minutes(begin), _minutes(end)
        while at + plan.slot_minutes <= close:
            starts.append(_hhmm(at))
            at += plan.slot_minutes
    return starts


def _today(unit: Unit, now: datetime) -> date:
    return local(now, unit.timezone).date()


def books_on(service: Service, plan: BookingPlan, day: date, calendar: WorkCalendar | None) -> bool:
    """Tell whether a day has slots at all: the plan's weekday, and a working day unless
    the plan works holidays. A weekend the calendar works (调休) is worked. The calendar is
    read only for a plan that follows it (None: read it here)."""
    if plan.follows_calendar:
        calendar = calendar or work_calendar()
        if not calendar.is_workday(day):
            return False
        if day in calendar.workdays:
            return True
    return str(day.isoweekday()) in (plan.weekdays or service.weekdays)


def bookable_days(
    unit_code: str, service_code: str, now: datetime, calendar: WorkCalendar | None = None
) -> list[str]:
    """Return the days from today up to the plan's horizon that have slots."""
    unit = find_unit(unit_code)
    service, plan = _plan(unit, service_code)
    calendar = calendar or work_calendar()
    today = _today(unit, now)
    days = (today + timedelta(days=n) for n in range(plan.days_ahead + 1))
    return [d.isoformat() for d in days if books_on(service, plan, d, calendar)]


def _taken(service_id: int, day: date) -> dict[str, int]:
    rows = (
        Booking.select(Booking.start)
        .where(Booking.service == service_id, Booking.day == day, Booking.state.in_(HOLDING))
        .tuples()
    )
    counts: dict[str, int] = {}
    for (start,) in rows:
        counts[start] = counts.get(start, 0) + 1
    return counts


def _books_day(unit, service, plan, day, now, calendar) -> bool:
    """Tell whether a day has slots open to booking now: within the horizon, and a day
    the plan books."""
    today = _today(unit, now)
    within = today <= day <= today + timedelta(days=plan.days_ahead)
    return within and books_on(service, plan, day, calendar)


def _not_begun(unit, day: date, start: str, now: datetime) -> bool:
    """Tell whether a slot is still to come: a slot that has begun is past."""
    wall = local(now, unit.timezone)
    return day > wall.date() or start > wall.strftime("%H:%M")


def _day_slots(unit, service, plan, day, now, calendar) -> list[dict]:
    if not _books_day(unit, service, plan, day, now, calendar):
        return []
    taken = _taken(service.id, day)
    return [
        {
            "start": start,
            "end": _hhmm(_minutes(start) + plan.slot_minutes),
            "free": max(plan.capacity - taken.get(start, 0), 0),
        }
        for start in slot_starts(service, plan)
        if _not_begun(unit, day, start, now)
    ]


def open_slots(
    unit_code: str,
    service_code: str,
    day: date,
    now: datetime,
    calendar: WorkCalendar | None = None,
) -> list[dict]:
    """Return a day's slots of a service that have not begun, each with its free places
    (0 when full); none on a day without slots or beyond the horizon."""
    unit = find_unit(unit_code)
    service, plan = _plan(unit, service_code)
    return _day_slots(unit, service, plan, day, now, calendar)


# --- booking -------------------------------------------------------------------------


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Booking.select().where(Booking.code == code).exists():
            return code


def booking_view(booking: Booking, *, full: bool = True) -> dict:
    """Return a booking as its visitor (full) or anyone else (masked) sees it."""
    service = booking.service
    name, phone = booking.visitor_name, booking.visitor_phone
    plan = BookingPlan.get_or_none(BookingPlan.service == service.id)
    minutes = plan.slot_minutes if plan else 0
    return {
        "code": booking.code,
        "unit": booking.unit.code,
        "unit_name": booking.unit.name_zh,
        "unit_name_en": booking.unit.name_en,
        "service": service.code,
        "service_name": service.name_zh,
        "service_name_en": service.name_en,
        "day": booking.day.isoformat(),
        "start": booking.start,
        "end": _hhmm(_minutes(booking.start) + minutes),
        "visitor_name": name if full else retention.mask_name(name),
        "visitor_phone": phone if full else retention.mask_phone(phone),
        "state": booking.state,
        "source": booking.source,
        "created_at": iso(booking.created_at),
        "changed_at": iso(booking.changed_at),
    }


def _check_slot(unit, service, plan, day, start, now, calendar, *, moving: Booking | None = None):
    """Refuse a slot that is not open, is full, or that the phone already holds that day.
    Runs under the lock of the service's day; counts the one slot asked for, not the day
    (in a rush every refused request passes here)."""
    lock_key(f"booking:{service.id}:{day.isoformat()}")
    open_ = start in slot_starts(service, plan) and _not_begun(unit, day, start, now)
    if not (open_ and _books_day(unit, service, plan, day, now, calendar)):
        raise Conflict(
            "抱歉，该时段不可预约，请选择其他时段。",
            "Sorry, this slot cannot be booked. Please choose another.",
            day=day.isoformat(),
            start=start,
        )
    if moving and moving.day == day and moving.start == start:
        return  # its own place
    taken = (
        Booking.select()
        .where(
            Booking.service == service.id,
            Booking.day == day,
            Booking.start == start,
            Booking.state.in_(HOLDING),
        )
        .count()
    )
    if taken >= plan.capacity:
        raise Conflict(
            "抱歉，该时段已约满，请选择其他时段。",
            "Sorry, this slot is fully booked. Please choose another.",
            day=day.isoformat(),
            start=start,
        )


def _check_phone(service: Service, day: date, phone: str, exclude: int | None = None) -> None:
    twice = Booking.select().where(
        Booking.service == service.id,
        Booking.day == day,
        Booking.visitor_phone == phone,
        Booking.state.in_(HOLDING),
    )
    if exclude is not None:
        twice = twice.where(Booking.id != exclude)
    if twice.exists():
        raise Conflict(
            "您当天已预约过该业务，无需重复预约；如需更改时间，请改约。",
            "You have already booked this service that day. To change the time, please move "
            "that booking.",
            code="already_booked",
        )


def check_not_suspended(phone: str, now: datetime, rules: Rules) -> None:
    """Refuse a phone that missed rules.no_show_limit bookings in rules.no_show_days."""
    if rules.no_show_limit <= 0:
        return
    since = now.date() - timedelta(days=rules.no_show_days)
    missed = (
        Booking.select()
        .where(Booking.visitor_phone == phone, Booking.state == "no_show", Booking.day >= since)
        .count()
    )
    if missed >= rules.no_show_limit:
        raise Forbidden(
            f"抱歉，该号码近{rules.no_show_days}天内已有{missed}次预约未到，暂停网上预约；"
            "请到大厅现场取号，谢谢您的理解。",
            f"Sorry, this number missed {missed} bookings in the last {rules.no_show_days} "
            "days, so booking is paused for it. Please take a ticket at the hall. Thank you "
            "for your understanding.",
            code="booking_suspended",
        )


def book(
    unit_code: str,
    service_code: str,
    day: date,
    start: str,
    *,
    name: str,
    phone: str,
    now: datetime,
    source: str = "web",
    rules: Rules | None = None,
    calendar: WorkCalendar | None = None,
    request_key=None,
) -> Outcome:
    """Book a slot for a visitor; return the booking with its code."""
    unit = find_unit(unit_code)
    with unit_of_work(request_key, f"book:{unit.code}", now) as uow:
        if uow.replayed:
            return uow.outcome
        booking = _book_one(unit, service_code, day, start, name, phone, now, source,
                            rules or Rules(), calendar)  # fmt: skip
        return uow.finish(booking_view(booking))


def _book_one(unit, service_code, day, start, name, phone, now, source, rules, calendar):
    """Check and insert one booking, in the caller's write transaction."""
    name = clean_name(name, "姓名", required=True)
    phone = clean_phone(phone)
    if not phone:
        raise BadInput("请填写手机号码。", "Please fill in your phone number.", field="phone")
    service, plan = _plan(unit, service_code)
    check_not_suspended(phone, now, rules)
    _check_slot(unit, service, plan, day, start, now, calendar)
    _check_phone(service, day, phone)
    return Booking.create(
        unit=unit, service=service, day=day, start=start, visitor_name=name,
        visitor_phone=phone, code=_new_code(), source=source, created_at=now, changed_at=now,
    )  # fmt: skip


IMPORT_COLUMNS = ("service", "day", "start", "name", "phone")
IMPORT_MAX_ROWS = 2000


def import_bookings(
    unit_code: str,
    text: str,
    *,
    now: datetime,
    rules: Rules | None = None,
    calendar: WorkCalendar | None = None,
    request_key=None,
) -> Outcome:
    """Book every row of a CSV (header: service,day,start,name,phone) under the same rules
    as a visitor's booking, all or none: a row that cannot be booked is named with its
    reason, and nothing is booked until every row can be."""
    unit = find_unit(unit_code)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))  # Excel's BOM
    header = tuple(rows[0].keys()) if rows else ()
    if not rows or not set(IMPORT_COLUMNS) <= set(header) or len(rows) > IMPORT_MAX_ROWS:
        raise BadInput(
            f"请上传带表头 {','.join(IMPORT_COLUMNS)} 的 CSV 文件，最多 {IMPORT_MAX_ROWS} 行。",
            f"Please send a CSV with the header {','.join(IMPORT_COLUMNS)}, at most "
            f"{IMPORT_MAX_ROWS} rows.",
        )
    calendar = calendar or work_calendar()
    with unit_of_work(request_key, f"import-bookings:{unit.code}", now) as uow:
        if uow.replayed:
            return uow.outcome
        codes, refused = [], []
        for line, row in enumerate(rows, start=2):  # line 1 is the header
            try:
                day = date.fromisoformat((row["day"] or "").strip())
                booking = _book_one(unit, (row["service"] or "").strip(), day,
                                    (row["start"] or "").strip().zfill(5), row["name"],
                                    row["phone"], now, "import", rules or Rules(), calendar)  # fmt: skip
                codes.append(booking.code)
            except ValueError:
                refused.append({"line": line, "message": "日期格式应为 2026-11-27。",
                                "message_en": "The day must look like 2026-11-27."})  # fmt: skip
            except HallError as error:
                refused.append({"line": line, "message": error.zh, "message_en": error.en})
        if refused:
            # Raised inside the unit of work: the rows booked so far are rolled back.
            raise Conflict(
                f"有 {len(refused)} 行无法预约，均未导入；请修改后重新导入。",
                f"{len(refused)} rows cannot be booked, so none was imported. Please correct "
                "them and import again.",
                rows=refused,
            )
        return uow.finish({"imported": len(codes), "codes": codes})


def _own_booking(unit: Unit, code: str, phone: str) -> Booking:
    """Return the booking of that code made with that phone; NotFound otherwise (the same
    answer for a wrong code and a wrong phone: a code tells nothing without its phone)."""
    code = (code or "").strip().upper()
    booking = Booking.get_or_none(Booking.code == code, Booking.unit == unit.id)
    if booking is None or not phone or booking.visitor_phone != clean_phone(phone):
        raise NotFound(
            "没有找到该预约，请核对预约码和手机号码。",
            "No booking was found. Please check the booking code and the phone number.",
        )
    return booking


def find_booking(unit_code: str, code: str, phone: str) -> dict:
    """Return a booking to the visitor who shows its code and phone."""
    return booking_view(_own_booking(find_unit(unit_code), code, phone))


def _still_booked(booking: Booking, unit: Unit, now: datetime) -> None:
    today, wall = _today(unit, now), local(now, unit.timezone).strftime("%H:%M")
    past = booking.day < today or (booking.day == today and booking.start <= wall)
    if booking.state != "booked" or past:
        raise Conflict(
            "该预约已取消、已签到或已过时段，无法更改。",
            "This booking was cancelled, checked in or its time has passed: it cannot be changed.",
            state=booking.state,
        )


def cancel(unit_code: str, code: str, phone: str, *, now: datetime, request_key=None) -> Outcome:
    """Cancel a booking at its visitor's request; its place is free again."""
    unit = find_unit(unit_code)
    with unit_of_work(request_key, f"unbook:{unit.code}", now) as uow:
        if uow.replayed:
            return uow.outcome
        booking = _own_booking(unit, code, phone)
        _still_booked(booking, unit, now)
        booking.state, booking.changed_at = "cancelled", now
        booking.save()
        return uow.finish(booking_view(booking))


def move(
    unit_code: str,
    code: str,
    phone: str,
    day: date,
    start: str,
    *,
    now: datetime,
    calendar: WorkCalendar | None = None,
    request_key=None,
) -> Outcome:
    """Move a booking to another slot of its service; it keeps its code."""
    unit = find_unit(unit_code)
    calendar = calendar or work_calendar()
    with unit_of_work(request_key, f"rebook:{unit.code}", now) as uow:
        if uow.replayed:
            return uow.outcome
        booking = _own_booking(unit, code, phone)
        _still_booked(booking, unit, now)
        service, plan = _plan(unit, booking.service.code)
        _check_slot(unit, service, plan, day, start, now, calendar, moving=booking)
        _check_phone(service, day, booking.visitor_phone, exclude=booking.id)
        booking.day, booking.start, booking.changed_at = day, start, now
        booking.save()
        return uow.finish(booking_view(booking))


# --- the hall's side -----------------------------------------------------------------


def day_bookings(unit_code: str, day: date, *, full: bool = False) -> list[dict]:
    """Return a day's bookings per service, in slot order, with their states; names and
    phones masked unless full."""
    unit = find_unit(unit_code)
    rows = (
        Booking.select(Booking, Service)
        .join(Service)
        .where(Booking.unit == unit.id, Booking.day == day)
        .order_by(Service.code, Booking.start, Booking.id)
    )
    services: dict[str, dict] = {}
    for booking in rows:
        service = booking.service
        entry = services.setdefault(
            service.code,
            {
                "service": service.code,
                "name": service.name_zh,
                "name_en": service.name_en,
                "counts": {},
                "bookings": [],
            },
        )
        entry["counts"][booking.state] = entry["counts"].get(booking.state, 0) + 1
        entry["bookings"].append(booking_view(booking, full=full))
    return list(services.values())


def record_no_shows(unit_code: str, now: datetime) -> Outcome:
    """Mark the bookings whose slot has ended without a check-in as no-shows; say how many."""
    unit = find_unit(unit_code)
    today, wall = _today(unit, now), local(now, unit.timezone)
    with unit_of_work() as uow:
        missed = 0
        waiting = Booking.select().where(
            Booking.unit == unit.id, Booking.state == "booked", Booking.day <= today
        )
        for booking in waiting:
            plan = BookingPlan.get_or_none(BookingPlan.service == booking.service_id)
            end = _minutes(booking.start) + (plan.slot_minutes if plan else 0)
            if booking.day < today or end <= wall.hour * 60 + wall.minute:
                booking.state, booking.changed_at = "no_show", now
                booking.save()
                missed += 1
        return uow.finish({"no_shows": missed})


def erase_personal(unit: Unit, before: datetime) -> int:
    """Blank the names and phones of a hall's bookings whose day ended before `before`
    (qhall.retention runs it with the other personal data); return how many."""
    return (
        Booking.update(visitor_name="", visitor_phone="")
        .where(
            Booking.unit == unit.id,
            Booking.day < before.date(),
            (Booking.visitor_name != "") | (Booking.visitor_phone != ""),
        )
        .execute()
    )
