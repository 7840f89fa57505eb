"""The hall's records. Models hold data and small derived facts; the rules live in queue.py."""

from __future__ import annotations

from datetime import datetime

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from qhall.db import db

PRIORITY_CLASSES = ("elderly", "disabled", "military", "pregnant", "appointment")
TICKET_SOURCES = ("kiosk", "mobile", "counter")
ROLES = ("staff", "manager", "admin")


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Unit(BaseModel):
    """A service hall: the bureau's own or one of its units."""

    code = CharField(max_length=16, unique=True)
    name_zh = CharField()
    name_en = CharField()
    timezone = CharField(default="Asia/Shanghai")
    # Priority visitors go first, but never more than this many in a row at one window
    # while ordinary visitors wait.
    priority_streak_limit = IntegerField(default=2)
    # A visitor who missed the call may be put back in line once within this time.
    no_show_grace_s = IntegerField(default=1800)
    # The last event sequence number handed out; every state change takes the next.
    seq = BigIntegerField(default=0)


class Service(BaseModel):
    """A matter a hall handles, with its letter, hours, time limit and guide."""

    unit = ForeignKeyField(Unit, backref="services", on_delete="CASCADE")
    code = CharField(max_length=2)
    name_zh = CharField()
    name_en = CharField()
    # Wall-clock hours in the unit's zone, "HH:MM-HH:MM" ranges separated by commas.
    hours = CharField(default="08:30-12:00,13:30-17:30")
    # ISO weekdays the service is open, 1 = Monday.
    weekdays = CharField(default="12345")
    # 0: handled on the spot (即办); N: promised within N working days (承诺件).
    time_limit_days = IntegerField(default=0)
    guide_zh = TextField(default="")
    guide_en = TextField(default="")
    # Assumed length of one visit until the service has served visitors of its own.
    expected_service_s = IntegerField(default=300)
    # The most tickets a day, or None for no limit.
    daily_limit = IntegerField(null=True)
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("unit", "code"), True),)


class Staff(BaseModel):
    """A person who signs in: window staff, a unit manager or a bureau admin."""

    login = CharField(unique=True)
    name = CharField()
    employee_no = CharField(default="")
    role = CharField(default="staff")
    unit = ForeignKeyField(Unit, null=True, backref="staff", on_delete="SET NULL")
    password_hash = CharField()
    active = BooleanField(default=True)


class ApiToken(BaseModel):
    """A bearer token for a staff member's programs; only its hash is kept."""

    staff = ForeignKeyField(Staff, backref="tokens", on_delete="CASCADE")
    token_hash = CharField(unique=True)
    created_at = DateTimeField()


class Counter(BaseModel):
    """A window in a hall, the services it serves in order, and its state."""

    unit = ForeignKeyField(Unit, backref="counters", on_delete="CASCADE")
    window = IntegerField()
    name_zh = CharField(default="")
    name_en = CharField(default="")
    state = CharField(default="closed")  # open, paused, closed
    pause_reason = CharField(null=True)
    state_since = DateTimeField(null=True)
    staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    # How many priority tickets this window has called in a row.
    priority_streak = IntegerField(default=0)

    class Meta:
        indexes = ((("unit", "window"), True),)


class CounterService(BaseModel):
    """A service a window serves, and where it stands in the window's order."""

    counter = ForeignKeyField(Counter, backref="service_links", on_delete="CASCADE")
    service = ForeignKeyField(Service, on_delete="CASCADE")
    position = IntegerField()

    class Meta:
        indexes = ((("counter", "service"), True),)


class PauseReason(BaseModel):
    """A reason a window may pause for, with the notice its screen shows."""

    code = CharField(unique=True)
    name_zh = CharField()
    name_en = CharField()
    notice_zh = TextField(default="")
    notice_en = TextField(default="")


class DayNumber(BaseModel):
    """The last number handed out for a service on a day; upserted in the issuing transaction."""

    service = ForeignKeyField(Service, on_delete="CASCADE")
    day = DateField()
    last_number = IntegerField(default=0)

    class Meta:
        primary_key = CompositeKey("service", "day")


class Ticket(BaseModel):
    """A visitor's place in a hall, from the kiosk to the end of the visit."""

    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    service = ForeignKeyField(Service, on_delete="CASCADE")
    day = DateField()
    number = CharField(max_length=8)  # "A007"
    priority = CharField(null=True)
    source = CharField(default="kiosk")
    status = CharField(default="waiting")  # waiting called serving finished no_show cancelled
    token = CharField(unique=True)
    issued_at = DateTimeField()
    # The visitor's place in line: the issue time, kept through transfers and a requeue.
    queue_at = DateTimeField()
    first_called_at = DateTimeField(null=True)
    called_at = DateTimeField(null=True)
    started_at = DateTimeField(null=True)
    finished_at = DateTimeField(null=True)
    no_show_at = DateTimeField(null=True)
    counter = ForeignKeyField(Counter, null=True, on_delete="SET NULL")
    staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    # A transfer to one window in particular; the ticket waits for that window alone.
    target_counter = ForeignKeyField(
        Counter, null=True, on_delete="SET NULL", backref="transferred_tickets"
    )
    recall_count = IntegerField(default=0)
    transfer_count = IntegerField(default=0)
    requeued = BooleanField(default=False)
    # Seconds from issue to the first call, and from start to finish; kept for reports.
    wait_s = IntegerField(null=True)
    service_s = IntegerField(null=True)
    closed_reason = CharField(null=True)

    class Meta:
        indexes = (
            (("unit", "day", "status"), False),
            (("service", "day", "status", "queue_at"), False),
            (("service", "finished_at"), False),
            (("counter", "status"), False),
        )

    def waited_since(self, now: datetime) -> int:
        """Return how long the visitor has waited, in whole seconds."""
        return int((now - self.issued_at).total_seconds())


class Event(BaseModel):
    """The append-only log: one row for every state change, numbered per unit."""

    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    seq = BigIntegerField()
    name = CharField()
    at = DateTimeField()
    ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    counter = ForeignKeyField(Counter, null=True, on_delete="SET NULL")
    staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    payload = TextField()

    class Meta:
        indexes = ((("unit", "seq"), True),)


class IdempotencyRecord(BaseModel):
    """The result of a request sent with an idempotency key, replayed if it is sent again."""

    key = CharField(unique=True)
    result = TextField()
    created_at = DateTimeField()


MODELS = [
    Unit,
    Service,
    Staff,
    ApiToken,
    Counter,
    CounterService,
    PauseReason,
    DayNumber,
    Ticket,
    Event,
    IdempotencyRecord,
]


def create_tables() -> None:
    """Create every table and index that does not exist yet."""
    db.create_tables(MODELS, safe=True)
