"""The hall's records. Models hold data and small derived facts; the rules live in queue.py."""

from __future__ import annotations

from datetime import datetime

from peewee import (
    BigIntegerField,
    BlobField,
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
ROLES = ("staff", "manager", "admin", "inspector")


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
    # When the hall's day turns over ("HH:MM", local): numbers restart then. A hall open
    # round the clock keeps its waiting visitors and the visit in progress across the turn;
    # any other hall closes them as "day ended". See qhall.clock.hall_day.
    day_starts_at = CharField(default="00:00")
    round_the_clock = BooleanField(default=False)
    # How the unit's screens, calls and tickets address people (qhall.profiles): "standard",
    # or "dignified" for the funeral home and the cemeteries.
    profile = CharField(default="standard")


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
    # 一次性告知, the structured notice a visitor is given once and whole (JSON, see
    # qhall.notices): legal basis, materials with originals and copies, fee, place, time
    # limit and how to appeal, in both languages.
    told_once = TextField(default="{}")
    # Assumed length of one visit until the service has served visitors of its own.
    expected_service_s = IntegerField(default=300)
    # The most tickets a day, or None for no limit.
    daily_limit = IntegerField(null=True)
    active = BooleanField(default=True)
    # 事项编码: the matter's code in the province's catalogue, sent with each rating to the
    # 好差评 platform (qhall.haocha); "" until the hall enters it.
    item_code = CharField(default="")

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
    # Model-post badges shown on the window's screen, comma-separated codes from
    # qhall.screens.BADGES (party_member, lei_feng, women).
    badges = CharField(default="")
    # A photo file name in the instance folder's photos/, shown on the window's screen.
    photo = CharField(default="")
    # Signed into every session cookie; raised by sign-out, a password change or a
    # deactivation, which ends every session of the account at once.
    session_version = IntegerField(default=0)


class ApiToken(BaseModel):
    """A bearer token for a staff member's programs; only its hash is kept."""

    staff = ForeignKeyField(Staff, backref="tokens", on_delete="CASCADE")
    token_hash = CharField(unique=True)
    created_at = DateTimeField()
    name = CharField(default="")  # what the token is for, e.g. "hall-report-script"
    expires_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)  # revoked, or its account's password reset


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
    # The name of the window's thermal printer (receipts, notices), if it has one.
    printer = CharField(null=True)

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
    status = CharField(
        default="waiting"
    )  # waiting called serving finished no_show cancelled closed
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
    # When the visitor was known to be in the hall (qhall.check_in): at issue for every
    # source but a phone, whose ticket waits unseen by the windows until it checks in.
    checked_in_at = DateTimeField(null=True)
    # A keyed hash of the ID card read at the kiosk (qhall.identity), never the number: one
    # active ticket per person per service per day. Erased at the end of the hall day.
    person_key = CharField(null=True)
    # 办件编号: the matter's number in the bureau's business system, entered or scanned at
    # the window; the 好差评 platform keys the visit's rating by it (qhall.haocha).
    matter_number = CharField(null=True)

    class Meta:
        indexes = (
            (("unit", "day", "status"), False),
            (("service", "day", "person_key"), False),
            (("service", "day", "status", "queue_at"), False),
            (("service", "finished_at"), False),
            (("counter", "status"), False),
            # The ledger (qhall.reports): one covering pass for the counts and sums, and
            # the 90th percentiles read from the top of an index per unit or bureau-wide.
            (("unit", "day", "status", "wait_s", "service_s", "transfer_count"), False),
            (("unit", "wait_s", "day"), False),
            (("unit", "service_s", "day"), False),
            (("wait_s", "day"), False),
            (("service_s", "day"), False),
        )

    def waited_since(self, now: datetime) -> int:
        """Return how long the visitor has waited in the hall, in whole seconds: from the
        issue, or for a phone's ticket from its check-in (the time before is not the hall's)."""
        return int((now - (self.checked_in_at or self.issued_at)).total_seconds())


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

    key = CharField(unique=True)  # the caller, the route and the client's key
    # A hash of the request's body: the same key with another body is refused (422).
    fingerprint = CharField(default="")
    result = TextField()  # with visitors' names and phones masked
    created_at = DateTimeField(index=True)


# --- background work ---


class Lease(BaseModel):
    """Who runs a piece of background work (a unit's print spooler, deadline checks) until
    when: with several server processes, each piece runs in one of them at a time."""

    name = CharField(primary_key=True)
    holder = CharField()
    expires_at = DateTimeField()


class LoginFailure(BaseModel):
    """A failed sign-in, kept for a while so that guessing passwords is slowed down."""

    login = CharField()
    client = CharField()
    at = DateTimeField()

    class Meta:
        indexes = ((("login", "client", "at"), False),)


# --- cases and ratings ---

INQUIRY_STATES = ("open", "referred", "resolved")
CASE_STATES = ("open", "suspended", "completed")
RATING_LEVELS = (5, 4, 3, 2, 1)  # 非常满意 … 非常不满意
# In this order (qhall.rectification); an accepted appeal closes an item from any state.
RECTIFICATION_STATES = ("open", "rectified", "verified", "called_back", "closed", "appeal_accepted")


class Inquiry(BaseModel):
    """A visitor's matter as first received (首问负责制): its receiver owns it until resolved."""

    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    owner = ForeignKeyField(Staff, backref="inquiries")
    ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    service = ForeignKeyField(Service, null=True, on_delete="SET NULL")
    # Personal data, optional; shown masked to anyone but the owner and managers.
    visitor_name = CharField(default="")
    visitor_phone = CharField(default="")
    organisation = CharField(default="")
    matter = TextField()
    materials = TextField(default="[]")  # JSON: [{"name": ..., "quantity": n}]
    status = CharField(default="open")
    # How many times the visitor came for this matter; the goal is one (最多跑一次).
    visits = IntegerField(default=1)
    outcome = TextField(default="")
    created_at = DateTimeField()
    resolved_at = DateTimeField(null=True)
    # When a person last did anything with the matter: a matter never resolved keeps its
    # visitor's name and phone KEEP_PERSONAL_DAYS after this (qhall.retention).
    last_activity_at = DateTimeField(null=True)

    class Meta:
        indexes = (
            (("unit", "status"), False),
            # The ledger's inquiries resolved in a period, per unit (qhall.reports).
            (("unit", "resolved_at", "visits"), False),
        )


class Referral(BaseModel):
    """One link of an inquiry's referral chain: where its owner sent the matter."""

    inquiry = ForeignKeyField(Inquiry, backref="referrals", on_delete="CASCADE")
    from_staff = ForeignKeyField(Staff, backref="+")
    to_unit = ForeignKeyField(Unit, null=True, backref="+")
    to_service = ForeignKeyField(Service, null=True, backref="+")
    to_counter = ForeignKeyField(Counter, null=True, backref="+")
    to_staff = ForeignKeyField(Staff, null=True, backref="+")
    note = TextField(default="")
    at = DateTimeField()


class Case(BaseModel):
    """A promised matter (承诺件): accepted with a receipt, due within working days."""

    number = CharField(unique=True)  # "MZJ-20261126-001"
    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    service = ForeignKeyField(Service)
    inquiry = ForeignKeyField(Inquiry, null=True, backref="cases", on_delete="SET NULL")
    ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    counter = ForeignKeyField(Counter, null=True, on_delete="SET NULL")
    staff = ForeignKeyField(Staff, backref="cases")
    visitor_name = CharField(default="")
    visitor_phone = CharField(default="")
    matter = TextField()
    materials = TextField(default="[]")
    status = CharField(default="open")
    accepted_at = DateTimeField()
    accepted_day = DateField()
    time_limit_days = IntegerField()
    extended_days = IntegerField(default=0)
    # Recomputed when the clock restarts after 补正 and when an extension is approved.
    due_day = DateField()
    # 补正: the clock stops with this many working days left until the materials come.
    suspended_at = DateTimeField(null=True)
    days_left = IntegerField(null=True)
    missing_materials = TextField(default="[]")
    warned_at = DateTimeField(null=True)
    escalated_at = DateTimeField(null=True)
    escalated_to = ForeignKeyField(Staff, null=True, backref="+")
    completed_at = DateTimeField(null=True)
    result = TextField(default="")
    decision = CharField(default="")  # "granted" or "refused" (with result as the reason)
    last_activity_at = DateTimeField(null=True)  # as Inquiry's

    class Meta:
        indexes = (
            (("unit", "status", "due_day"), False),
            # The ledger's cases completed in a period, per unit (qhall.reports).
            (("unit", "completed_at", "due_day"), False),
        )


class CaseTask(BaseModel):
    """A part of a case another department handles at the same time (并联审批)."""

    case = ForeignKeyField(Case, backref="tasks", on_delete="CASCADE")
    department = CharField()
    status = CharField(default="pending")  # pending, done
    note = TextField(default="")
    done_at = DateTimeField(null=True)
    done_by = ForeignKeyField(Staff, null=True, backref="+")


class CaseExtension(BaseModel):
    """A request for more working days, granted only by a manager, with its reason."""

    case = ForeignKeyField(Case, backref="extensions", on_delete="CASCADE")
    days = IntegerField()
    reason = TextField()
    requested_by = ForeignKeyField(Staff, backref="+")
    requested_at = DateTimeField()
    status = CharField(default="pending")  # pending, approved, refused
    decided_by = ForeignKeyField(Staff, null=True, backref="+")
    decided_at = DateTimeField(null=True)
    decision_note = TextField(default="")


class Rating(BaseModel):
    """A visitor's rating of one visit (好差评): one per ticket."""

    ticket = ForeignKeyField(Ticket, unique=True, on_delete="CASCADE")
    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    counter = ForeignKeyField(Counter, null=True, on_delete="SET NULL")
    staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    level = IntegerField()  # 5 非常满意 … 1 非常不满意
    reason = TextField(default="")
    source = CharField(default="tablet")  # the channel: tablet, phone
    # The registered tablet that gave it (its name in the settings), "" from a phone.
    device = CharField(default="")
    # The hall channel's three dimensions (GB/T 39735-2020), 1 to 5, or None from a phone.
    efficiency = IntegerField(null=True)  # 服务效率
    competence = IntegerField(null=True)  # 服务水平
    attitude = IntegerField(null=True)  # 服务态度
    # JSON list of reason codes from the configured question set (needed for 2 and 1).
    reasons = TextField(default="[]")
    question_set = CharField(default="")  # the question set's version, e.g. "2020-1"
    # A number to call the visitor back on (optional; erased with other personal data).
    callback_phone = CharField(default="")
    at = DateTimeField()
    # A manager accepted an appeal: the rating was malicious and no longer counts.
    excluded = BooleanField(default=False)

    class Meta:
        # The ledger counts ratings by level over a period from this index alone.
        indexes = ((("unit", "at"), False), (("unit", "excluded", "level", "at"), False))


class Rectification(BaseModel):
    """What a bad rating opens: verify, rectify, call the visitor back, by a deadline."""

    rating = ForeignKeyField(Rating, unique=True, backref="rectification", on_delete="CASCADE")
    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    staff = ForeignKeyField(Staff, null=True, backref="+")  # who was rated
    status = CharField(default="open")
    opened_at = DateTimeField()
    due_day = DateField()
    verified_at = DateTimeField(null=True)
    verified_by = ForeignKeyField(Staff, null=True, backref="+")
    verify_note = TextField(default="")
    rectified_at = DateTimeField(null=True)
    rectified_by = ForeignKeyField(Staff, null=True, backref="+")
    rectify_note = TextField(default="")
    called_back_at = DateTimeField(null=True)
    called_back_by = ForeignKeyField(Staff, null=True, backref="+")
    callback_note = TextField(default="")
    # The rated person writes the explanation and what changed (rectified_*); verifying,
    # the call-back and closing are the manager's or the reviewer's they assign.
    reviewer = ForeignKeyField(Staff, null=True, backref="+")
    callback_answer = CharField(default="")  # the visitor's answer on the call-back
    closed_at = DateTimeField(null=True)
    closed_by = ForeignKeyField(Staff, null=True, backref="+")
    close_note = TextField(default="")
    # An appeal (申诉复核) by the rated person, decided by someone else.
    appealed_at = DateTimeField(null=True)
    appeal_reason = TextField(default="")
    appeal_decision = CharField(default="")  # "", "accepted", "rejected"
    appeal_decided_at = DateTimeField(null=True)
    appeal_decided_by = ForeignKeyField(Staff, null=True, backref="+")
    appeal_note = TextField(default="")
    escalated_at = DateTimeField(null=True)  # overdue: raised to the manager

    class Meta:
        # The ledger's bad ratings of a period, per unit (qhall.reports).
        indexes = ((("unit", "opened_at"), False),)


# --- screens ---


class ScreenItem(BaseModel):
    """One piece of the hall screen's rotating content: a commitment, a rule, a slogan, a
    model window, ... as text and an optional image, shown within its schedule."""

    # Stable name from config/screen_content.toml, so seeding again adds only new items.
    key = CharField(unique=True)
    # A hall's code, or None for every hall.
    unit_code = CharField(null=True)
    kind = CharField()  # see qhall.screens.KINDS
    title_zh = CharField(default="")
    title_en = CharField(default="")
    body_zh = TextField(default="")
    body_en = TextField(default="")
    # A picture's address on the server, e.g. "/static/display/content/values.svg".
    image = CharField(default="")
    position = IntegerField(default=0)
    seconds = IntegerField(default=15)  # how long it stays on screen
    # The schedule: first and last local day, "HH:MM-HH:MM" hours and ISO weekdays;
    # empty means no limit.
    starts_on = DateField(null=True)
    ends_on = DateField(null=True)
    hours = CharField(default="")
    weekdays = CharField(default="1234567")
    active = BooleanField(default=True)


# --- printing ---

PRINTER_STATES = ("unknown", "online", "paper_near_end", "paper_out", "offline")


class PrintJob(BaseModel):
    """A page for a printer, kept until it has printed so that none is lost on a restart."""

    printer = CharField()  # a name from the PRINTERS setting
    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    kind = CharField()  # "ticket", "reprint", "receipt", ...
    ref = CharField()  # what it is, for people: "2026-11-26/A001"
    image = BlobField()  # the 1-bit PNG, rendered when the job was queued
    status = CharField(default="pending")  # pending, printed, expired, dropped
    attempts = IntegerField(default=0)
    next_try_at = DateTimeField()
    last_error = CharField(null=True)
    created_at = DateTimeField()
    printed_at = DateTimeField(null=True)
    # The Idempotency-Key of the request that queued it: a retried request queues nothing.
    request_key = CharField(null=True, unique=True)

    class Meta:
        indexes = ((("printer", "status", "id"), False),)


class PrinterState(BaseModel):
    """A printer's last known status (DLE EOT), for the staff and the hall's screens."""

    name = CharField(unique=True)
    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    status = CharField(default="unknown")  # one of PRINTER_STATES
    since = DateTimeField(null=True)


class CalendarDay(BaseModel):
    """A day the bureau works or rests against the usual week, beside config/calendar.toml."""

    day = DateField(unique=True)
    workday = BooleanField()
    note = CharField(default="")
