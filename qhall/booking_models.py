"""The appointment records (预约, qhall.appointments): a service's booking plan and the
visitors' bookings. Beside qhall.models, which holds the hall's own."""

from __future__ import annotations

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField

from qhall.models import BaseModel, Service, Ticket, Unit

BOOKING_STATES = ("booked", "cancelled", "checked_in", "no_show")
BOOKING_SOURCES = ("web", "platform", "import")


class BookingPlan(BaseModel):
    """A service's bookable slots: their length and capacity, days and hours, how far ahead."""

    service = ForeignKeyField(Service, unique=True, on_delete="CASCADE")
    slot_minutes = IntegerField(default=30)
    capacity = IntegerField(default=4)  # bookings per slot
    # "" for the service's own weekdays and hours.
    weekdays = CharField(default="")
    hours = CharField(default="")
    days_ahead = IntegerField(default=7)  # today and this many days after
    # True: no slots on a day the working-day calendar rests (qhall.workdays); False for a
    # service that works holidays (a cemetery's 祭扫 at 清明).
    follows_calendar = BooleanField(default=True)
    active = BooleanField(default=True)


class Booking(BaseModel):
    """A visitor's appointment for one slot of a service's day."""

    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    service = ForeignKeyField(Service, on_delete="CASCADE")
    day = DateField()
    start = CharField(max_length=5)  # "09:30", the hall's wall clock
    # Personal data, masked for others' eyes and erased as cases' are (qhall.retention).
    visitor_name = CharField(default="")
    visitor_phone = CharField(default="")
    code = CharField(max_length=8, unique=True)  # what the visitor shows; see qhall.appointments
    state = CharField(default="booked")  # one of BOOKING_STATES
    source = CharField(default="web")  # one of BOOKING_SOURCES
    created_at = DateTimeField()
    changed_at = DateTimeField()
    # Checked in at the kiosk: when, and the ticket it was given (qhall.appointments).
    checked_in_at = DateTimeField(null=True)
    ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    # The keyed hash of the ID number given at booking (qhall.identity), so that the card
    # checks the booking in; erased at the end of the booking's day.
    person_key = CharField(null=True)

    class Meta:
        indexes = (
            # A slot's count, under the write lock (qhall.appointments.book).
            (("service", "day", "start"), False),
            # A phone's bookings: the same day twice, and no-shows in the last 30 days.
            (("visitor_phone", "day"), False),
            (("unit", "day"), False),
        )
