"""What a window's own screen shows: its line of waiting visitors and today's figures."""

from __future__ import annotations

from datetime import datetime

from peewee import fn

from qhall.clock import iso, local_day
from qhall.models import Service, Staff, Ticket
from qhall.ratings import today_ratings
from qhall.views import (
    counter_view,
    find_counter,
    find_unit,
    ticket_in_hand,
    ticket_view,
    window_line,
)

LINE_LIMIT = 50


def window_queue(unit_code: str, window: int, staff: Staff, now: datetime) -> dict:
    """Return the window, its ticket in hand, the waiting tickets it would call in order
    (priority marked) and the signed-in staff member's figures of the day."""
    unit = find_unit(unit_code)
    counter = find_counter(unit, window)
    day = local_day(now, unit.timezone)
    line = window_line(unit, counter, day, Ticket, Service).switch(Ticket).join(Service)
    waiting = [
        {
            **ticket_view(ticket),
            "waited_s": ticket.waited_since(now),
            "transferred_here": ticket.target_counter_id == counter.id,
        }
        for ticket in line.limit(LINE_LIMIT)
    ]
    in_hand = ticket_in_hand(counter)
    return {
        "counter": counter_view(counter),
        "in_hand": {**ticket_view(in_hand), "since": iso(in_hand.called_at)} if in_hand else None,
        "waiting": waiting,
        "waiting_total": window_line(unit, counter, day, Ticket.id).count(),
        "figures": staff_figures(staff, unit, day),
    }


def staff_figures(staff: Staff, unit, day) -> dict:
    """Return a staff member's visits finished today, their mean length and ratings."""
    served = Ticket.select(fn.COUNT(Ticket.id), fn.AVG(Ticket.service_s)).where(
        Ticket.staff == staff.id,
        Ticket.unit == unit.id,
        Ticket.day == day,
        Ticket.status == "finished",
    )
    count, average = served.scalar(as_tuple=True)
    return {
        "served": count or 0,
        "average_service_s": round(average) if average is not None else None,
        "ratings": today_ratings(staff.id, unit.id, day),
    }
