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
