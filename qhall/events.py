"""Domain events: every name, how one is recorded, and the outcome a service returns.

Every state change writes one Event row inside its unit of work (qhall.db.unit_of_work)
and takes the unit's next sequence number, so the log and the live feed agree. The unit of
work collects the payloads; they go out over Socket.IO only after the commit (see
realtime.publish). Sequence numbers are per unit: a client of
the unit's room that sees a gap has missed an event and takes a fresh snapshot.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from qhall.clock import iso
from qhall.db import current_unit_of_work
from qhall.models import Counter, Event, Ticket, Unit

TICKET_ISSUED = "ticket.issued"
TICKET_CALLED = "ticket.called"
TICKET_RECALLED = "ticket.recalled"
TICKET_STARTED = "ticket.started"
TICKET_FINISHED = "ticket.finished"
TICKET_NO_SHOW = "ticket.no_show"
TICKET_REQUEUED = "ticket.requeued"
TICKET_TRANSFERRED = "ticket.transferred"
TICKET_CANCELLED = "ticket.cancelled"
TICKET_CHECKED_IN = "ticket.checked_in"
DAY_CLOSED = "day.closed"
COUNTER_OPENED = "counter.opened"
COUNTER_PAUSED = "counter.paused"
COUNTER_RESUMED = "counter.resumed"
COUNTER_CLOSED = "counter.closed"
# first inquiries and cases
INQUIRY_REGISTERED = "inquiry.registered"
INQUIRY_REFERRED = "inquiry.referred"
INQUIRY_VISITED = "inquiry.visited"
INQUIRY_RESOLVED = "inquiry.resolved"
CASE_ACCEPTED = "case.accepted"
CASE_SUSPENDED = "case.suspended"
CASE_RESUMED = "case.resumed"
CASE_EXTENSION_REQUESTED = "case.extension_requested"
CASE_EXTENDED = "case.extended"
CASE_EXTENSION_REFUSED = "case.extension_refused"
CASE_TASK_DONE = "case.task_done"
CASE_COMPLETED = "case.completed"
CASE_WARNING = "case.warning"
CASE_OVERDUE = "case.overdue"
# ratings and rectification
RATING_RECORDED = "rating.recorded"
RECTIFICATION_OPENED = "rectification.opened"
RECTIFICATION_UPDATED = "rectification.updated"
RECTIFICATION_ESCALATED = "rectification.escalated"
# personal data
PRIVACY_ERASED = "privacy.erased"
# printers
PRINTER_STATUS_CHANGED = "printer.status_changed"
PRINT_FAILED = "print.failed"

# What the hall shows in public: the queue, the windows (with the staff card each window
# shows), the day's close and the printers' state (a kiosk says when it cannot print).
# These alone reach the public hall and window rooms; every other event, and any new one
# until it is added here, goes only to the hall's signed-in staff (qhall.web.realtime).
PUBLIC_NAMES = frozenset(
    {
        TICKET_ISSUED,
        TICKET_CALLED,
        TICKET_RECALLED,
        TICKET_STARTED,
        TICKET_FINISHED,
        TICKET_NO_SHOW,
        TICKET_REQUEUED,
        TICKET_TRANSFERRED,
        TICKET_CANCELLED,
        TICKET_CHECKED_IN,
        DAY_CLOSED,
        COUNTER_OPENED,
        COUNTER_PAUSED,
        COUNTER_RESUMED,
        COUNTER_CLOSED,
        PRINTER_STATUS_CHANGED,
    }
)

# Every domain event's name, in one list (README.md's "Live events" names them all too):
# the public ones above, and those for staff only.
ALL_NAMES = (
    *sorted(PUBLIC_NAMES),
    INQUIRY_REGISTERED,
    INQUIRY_REFERRED,
    INQUIRY_VISITED,
    INQUIRY_RESOLVED,
    CASE_ACCEPTED,
    CASE_SUSPENDED,
    CASE_RESUMED,
    CASE_EXTENSION_REQUESTED,
    CASE_EXTENDED,
    CASE_EXTENSION_REFUSED,
    CASE_TASK_DONE,
    CASE_COMPLETED,
    CASE_WARNING,
    CASE_OVERDUE,
    RATING_RECORDED,
    RECTIFICATION_OPENED,
    RECTIFICATION_UPDATED,
    RECTIFICATION_ESCALATED,
    PRIVACY_ERASED,
    PRINT_FAILED,
)

# Not a domain event: what the public hall room gets instead of a staff-only event, the
# seq alone ({seq, unit}), so that its clients see no gap and take no needless snapshot.
EVENT_WITHHELD = "event.withheld"

# Not a domain event: sent straight to every staff page when the database or its disk
# fails (qhall.web.realtime.alert_staff), so never recorded, without a seq.
SYSTEM_ALERT = "system.alert"


@dataclass
class Outcome:
    """What a service function did: its result for the caller and the events to publish."""

    result: Any
    events: list[dict] = field(default_factory=list)
    replayed: bool = False


def record(
    unit: Unit,
    name: str,
    now: datetime,
    *,
    ticket: Ticket | None = None,
    counter: Counter | None = None,
    staff_id: int | None = None,
    **data: Any,
) -> dict:
    """Log an event with the unit's next sequence number, in the unit of work in progress,
    which publishes its payload after the commit."""
    uow = current_unit_of_work()
    (row,) = Unit.update(seq=Unit.seq + 1).where(Unit.id == unit.id).returning(Unit.seq).execute()
    payload = {"name": name, "seq": row.seq, "unit": unit.code, "at": iso(now), **data}
    Event.create(
        unit=unit.id,
        seq=row.seq,
        name=name,
        at=now,
        ticket=ticket,
        counter=counter,
        staff=staff_id,
        payload=json.dumps(payload, ensure_ascii=False),
    )
    uow.events.append(payload)
    return payload
