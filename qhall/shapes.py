"""What the hall knows now, in the public shapes that the API and the live events share.

Nothing here writes. Nothing here carries personal data or a ticket's token, except
issued_ticket() which goes only to the visitor who took the ticket.
"""

from __future__ import annotations

from datetime import datetime

from peewee import JOIN

from qhall.check_in import check_in_view
from qhall.clock import hall_day, iso, queue_days
from qhall.db import db
from qhall.estimates import (
    estimate_wait,
    hall_now,
    people_ahead,
    ticket_estimate,
    waiting_counts,
)
from qhall.hours import service_is_open
from qhall.lookups import IN_HAND, find_ticket, find_unit, ticket_in_hand
from qhall.models import (
    Counter,
    CounterService,
    PauseReason,
    PrinterState,
    Rating,
    Service,
    Staff,
    Ticket,
    Unit,
)


def ticket_view(ticket: Ticket) -> dict:
    """Return what anyone in the hall may see of a ticket."""
    counter = ticket.counter
    return {
        "number": ticket.number,
        "service": ticket.service.code,
        "service_name": ticket.service.name_zh,
        "service_name_en": ticket.service.name_en,
        "priority": ticket.priority,
        "status": ticket.status,
        "window": counter.window if counter and ticket.status in IN_HAND else None,
        "counter_name": counter.name_zh if counter and ticket.status in IN_HAND else None,
        "issued_at": iso(ticket.issued_at),
        "called_at": iso(ticket.called_at),
        "recalls": ticket.recall_count,
        "transfers": ticket.transfer_count,
    }


def counter_view(counter: Counter, ticket: Ticket | None = None) -> dict:
    """Return a window as the hall's screens show it; `ticket`, if given, is one this
    window has just called or let go of, which spares a look for the one in hand."""
    if ticket is not None and ticket.counter_id == counter.id and ticket.status in IN_HAND:
        serving = ticket
    else:
        serving = ticket_in_hand(counter)
    staff = counter.staff
    paused = counter.state == "paused"
    reason = PauseReason.get_or_none(PauseReason.code == counter.pause_reason) if paused else None
    return {
        "window": counter.window,
        "name": counter.name_zh,
        "name_en": counter.name_en,
        "state": counter.state,
        "since": iso(counter.state_since),
        "pause_reason": counter.pause_reason if paused else None,
        "pause_notice": reason.notice_zh if reason else None,
        "pause_notice_en": reason.notice_en if reason else None,
        "serving": serving.number if serving else None,
        "serving_status": serving.status if serving else None,
        "staff": {
            "name": staff.name,
            "employee_no": staff.employee_no,
            # Model-post badge codes (qhall.screens.BADGES) and a photo file, for screens.
            "badges": [code for code in staff.badges.split(",") if code],
            "photo": staff.photo or None,
        }
        if staff
        else None,
        "services": [
            link.service.code for link in counter.service_links.order_by(CounterService.position)
        ],
    }


def issued_ticket(ticket: Ticket) -> dict:
    """Return the kiosk's answer to the visitor who took a ticket, token included."""
    ahead = people_ahead(ticket)
    estimate = ticket_estimate(ticket, ahead, ticket.issued_at)  # told as it is issued
    return {
        **ticket_view(ticket),
        "unit": ticket.unit.code,
        "unit_name": ticket.unit.name_zh,
        "token": ticket.token,
        "ahead": ahead,
        "estimated_wait_s": estimate.wait_s,
        "estimate": estimate.view(),
        "time_limit_days": ticket.service.time_limit_days,
    }


def visitor_view(token: str) -> dict:
    """Return a ticket as its holder follows it on the phone."""
    ticket = find_ticket(token)
    waiting = ticket.status == "waiting"
    ahead = people_ahead(ticket) if waiting else 0
    # Only a waiting visitor has a wait ahead; once called it is over.
    estimate = ticket_estimate(ticket, ahead) if waiting else None
    return {
        **ticket_view(ticket),
        "unit": ticket.unit.code,
        "unit_name": ticket.unit.name_zh,
        "unit_name_en": ticket.unit.name_en,
        "day": ticket.day.isoformat(),
        "ahead": ahead,
        "estimated_wait_s": estimate.wait_s if estimate else 0,
        "estimate": estimate.view() if estimate else {"state": "ok", "low_min": 0, "high_min": 0},
        # Rated at the window's tablet or on the phone: the phone stops asking either way.
        "rated": Rating.select().where(Rating.ticket == ticket.id).exists(),
        **check_in_view(ticket, ahead),  # a phone's ticket: checked in yet, or its turn passed
    }


def unit_view(unit: Unit) -> dict:
    """Return a hall's name and settings as the public sees them."""
    return {
        "code": unit.code,
        "name": unit.name_zh,
        "name_en": unit.name_en,
        "timezone": unit.timezone,
    }


def services_view(unit: Unit, now: datetime) -> list[dict]:
    """Return the hall's services with their hours, queues and estimated waits."""
    hall = hall_now(unit, queue_days(unit, now), now)
    services = unit.services.where(Service.active == True).order_by(Service.code)  # noqa: E712
    return [_service_view(unit, service, hall, now) for service in services]


def _service_view(unit: Unit, service: Service, hall, now: datetime) -> dict:
    waiting = hall.waiting.get(service.code, 0)
    # The wait of a visitor taking a ticket now, behind everyone waiting.
    estimate = estimate_wait(hall, service.code, waiting)
    return {
        "code": service.code,
        "name": service.name_zh,
        "name_en": service.name_en,
        "open": service_is_open(service, unit, now),
        "hours": service.hours,
        "weekdays": service.weekdays,
        "time_limit_days": service.time_limit_days,
        "guide": service.guide_zh,
        "guide_en": service.guide_en,
        "waiting": waiting,
        "open_windows": sum(1 for w in hall.windows if service.code in w.services),
        "estimated_wait_s": estimate.wait_s,
        "estimate": estimate.view(),
    }


def recent_calls(unit: Unit, days, limit: int = 10) -> list[dict]:
    """Return the latest calls of the queue days (qhall.clock.queue_days), newest first."""
    tickets = (
        Ticket.select(Ticket, Service, Counter)
        .join(Service)
        .switch(Ticket)
        .join(Counter, JOIN.LEFT_OUTER, on=(Ticket.counter == Counter.id))
        .where(Ticket.unit == unit.id, Ticket.day.in_(days), Ticket.called_at.is_null(False))
        .order_by(Ticket.called_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    return [
        {
            "number": ticket.number,
            "service": ticket.service.code,
            "window": ticket.counter.window if ticket.counter else None,
            "status": ticket.status,
            "called_at": iso(ticket.called_at),
        }
        for ticket in tickets
    ]


def snapshot(unit_code: str, now: datetime) -> dict:
    """Return everything a screen needs to draw the hall, with the sequence number it is as of."""
    with db.atomic():  # one read transaction: the figures and seq agree
        unit = find_unit(unit_code)
        days = queue_days(unit, now)
        counters = unit.counters.order_by(Counter.window)
        return {
            "seq": unit.seq,
            "unit": unit_view(unit),
            "day": hall_day(now, unit).isoformat(),
            "at": iso(now),
            "calls": recent_calls(unit, days),
            "waiting": waiting_counts(unit, days),
            "services": services_view(unit, now),
            "counters": [counter_view(counter) for counter in counters],
            "printers": [
                printer_view(state)
                for state in PrinterState.select()
                .where(PrinterState.unit == unit.id)
                .order_by(PrinterState.name)
            ],
        }


def printer_view(state: PrinterState) -> dict:
    """Return a printer's name and last known status (online, paper_out, …)."""
    return {"name": state.name, "status": state.status, "since": iso(state.since)}


def staff_view(staff: Staff) -> dict:
    """Return who a signed-in staff member is."""
    return {
        "login": staff.login,
        "name": staff.name,
        "employee_no": staff.employee_no,
        "role": staff.role,
        "unit": staff.unit.code if staff.unit else None,
    }
