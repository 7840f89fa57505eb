"""Domain events: their names, how one is recorded, and the outcome a service returns.

Every state change writes one Event row inside its transaction and takes the unit's next
sequence number, so the log and the live feed agree. The payload goes out over Socket.IO
only after the commit (see realtime.publish). Sequence numbers are per unit: a client of
the unit's room that sees a gap has missed an event and takes a fresh snapshot.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from qhall.clock import iso
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
# personal data
PRIVACY_ERASED = "privacy.erased"
# printers
PRINTER_STATUS_CHANGED = "printer.status_changed"
PRINT_FAILED = "print.failed"


@dataclass
class Outcome:
    """What a service function did: its result for the caller and the events to publish."""

    result: Any
    events: list[dict] = field(default_factory=list)
    replayed: bool = False


def record(
    events: list[dict],
    unit: Unit,
    name: str,
    now: datetime,
    *,
    ticket: Ticket | None = None,
    counter: Counter | None = None,
    staff_id: int | None = None,
    **data: Any,
) -> dict:
    """Log an event with the unit's next sequence number and add its payload to events."""
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
    events.append(payload)
    return payload
