"""Schema migrations: the files in qhall/migrations/, applied in order on SQLite and
PostgreSQL alike by `qhall init-db` and `qhall migrate`.

A change to the models needs a migration beside it: write one by hand (see peewee's
playhouse.migrations) or draft one with
`python -m playhouse.migrations DATABASE_URL generate -d qhall/migrations qhall.schema:MODELS`
against a database at the current schema; tests/qhall/test_schema.py checks that the
migrations build exactly what the models describe.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from playhouse.migrations import Runner

from qhall.booking_models import Booking, BookingPlan
from qhall.db import db, is_sqlite
from qhall.models import (
    ApiToken,
    CalendarDay,
    Case,
    CaseExtension,
    CaseTask,
    Counter,
    CounterService,
    DayNumber,
    Event,
    IdempotencyRecord,
    Inquiry,
    Lease,
    LoginFailure,
    PauseReason,
    PrinterState,
    PrintJob,
    Rating,
    Rectification,
    Referral,
    ScreenItem,
    Service,
    Staff,
    Ticket,
    Unit,
)  # fmt: skip
from qhall.outbox import OutboxMessage
from qhall.supervision_models import AuditEntry, Finding, Inspection, Notice, Selection
from qhall.text_models import OptedOutPhone, TextCode, TicketPhone

# Every table, in the order they can be created.
MODELS = [
    Unit, Service, Staff, ApiToken, Counter, CounterService, PauseReason, DayNumber, Ticket,
    Event, IdempotencyRecord, Lease, LoginFailure, Inquiry, Referral, Case, CaseTask,
    CaseExtension, Rating, Rectification, ScreenItem, PrintJob, PrinterState, AuditEntry,
    Inspection, Finding, Notice, Selection, CalendarDay, BookingPlan, Booking, OutboxMessage,
    TicketPhone, OptedOutPhone, TextCode,
]  # fmt: skip

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@contextmanager
def _one_migrator_at_a_time():
    # Several server processes of a city may start together; one applies, the others wait.
    if is_sqlite():
        yield
        return
    db.execute_sql("SELECT pg_advisory_lock(hashtext('qhall-migrate'))")
    try:
        yield
    finally:
        db.execute_sql("SELECT pg_advisory_unlock(hashtext('qhall-migrate'))")


def migrate() -> list[str]:
    """Apply the migrations the database has not had yet; return their names."""
    with db.connection_context(), _one_migrator_at_a_time():
        return Runner(db.obj, directory=str(MIGRATIONS)).up()


def status() -> list[tuple[str, bool]]:
    """Return every migration's name and whether the database has it."""
    with db.connection_context():
        return [
            (m.name, bool(m.applied)) for m in Runner(db.obj, directory=str(MIGRATIONS)).status()
        ]
