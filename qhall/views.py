"""What the hall knows now, in the public shapes that the API and the live events share.

Nothing here writes. Nothing here carries personal data or a ticket's token, except
issued_ticket() which goes only to the visitor who took the ticket.
"""

from __future__ import annotations

import math
from datetime import datetime

from peewee import JOIN, Case, fn

from qhall.clock import iso, local, local_day
from qhall.db import db
from qhall.errors import NotFound
from qhall.models import (
    Counter,
    CounterService,
    PauseReason,
    PrinterState,
    Service,
    Staff,
    Ticket,
    Unit,
)

# How many of a service's most recent visits the service-time estimate averages.
SERVICE_TIME_SAMPLE = 20
IN_HAND = ("called", "serving")


def find_unit(code: str) -> Unit:
    """Return the unit with this code, or raise NotFound."""
    unit = Unit.get_or_none(Unit.code == code)
    if unit is None:
        raise NotFound("没有找到该服务大厅。", "No such service hall.", unit=code)
    return unit


def find_service(unit: Unit, code: str) -> Service:
    """Return the unit's service with this letter, or raise NotFound."""
    service = Service.get_or_none(Service.unit == unit.id, Service.code == code)
    if service is None or not service.active:
        raise NotFound("没有找到该业务。", "No such service in this hall.", service=code)
    return service


def find_hall_service(unit_code: str, service_code: str) -> Service:
    """Return a hall's service, its unit loaded in the same query, or raise NotFound."""
    service = (
        Service.select(Service, Unit)
        .join(Unit)
        .where(Unit.code == unit_code, Service.code == service_code)
        .first()
    )
    if service is None or not service.active:
        return find_service(find_unit(unit_code), service_code)  # raises the right NotFound
    return service


def find_counter(unit: Unit, window: int) -> Counter:
    """Return the unit's window with this number, or raise NotFound."""
    counter = Counter.get_or_none(Counter.unit == unit.id, Counter.window == window)
    if counter is None:
        raise NotFound("没有找到该窗口。", "No such window in this hall.", window=window)
    return counter


def ticket_in_hand(counter: Counter) -> Ticket | None:
    """Return the ticket a window has called and not yet let go of."""
    return Ticket.get_or_none(Ticket.counter == counter.id, Ticket.status.in_(IN_HAND))


def window_line(unit: Unit, counter: Counter, day, *columns):
    """Select the waiting tickets a window may call, in the order it calls them: priority
    first within the streak limit, a ticket transferred to this window in particular before
    the window's services, the services in the window's order, then the oldest place in line.

    The queue rules claim the first row; the counter client lists them all."""
    has_priority = Ticket.priority.is_null(False)
    if counter.priority_streak < unit.priority_streak_limit:
        priority_rank = Case(None, [(has_priority, 0)], 1)
    else:  # enough priority calls in a row: ordinary visitors first while any wait
        priority_rank = Case(None, [(has_priority, 1)], 0)
    service_rank = Case(None, [(Ticket.target_counter == counter.id, -1)], CounterService.position)
    return (
        Ticket.select(*(columns or (Ticket,)))
        .join(
            CounterService,
            JOIN.LEFT_OUTER,
            on=(CounterService.service == Ticket.service) & (CounterService.counter == counter.id),
        )
        .where(
            Ticket.unit == unit.id,
            Ticket.day == day,
            Ticket.status == "waiting",
            (Ticket.target_counter == counter.id)
            | (Ticket.target_counter.is_null() & CounterService.id.is_null(False)),
        )
        .order_by(priority_rank, service_rank, Ticket.queue_at, Ticket.id)
    )


def service_is_open(service: Service, unit: Unit, now: datetime) -> bool:
    """Tell whether the service takes tickets at this moment, by its weekdays and hours."""
    wall = local(now, unit.timezone)
    if str(wall.isoweekday()) not in service.weekdays:
        return False
    minute = wall.strftime("%H:%M")
    return any(start <= minute < end for start, end in parse_hours(service.hours))


def parse_hours(hours: str) -> list[tuple[str, str]]:
    """Split "08:30-12:00,13:30-17:30" into (start, end) pairs of "HH:MM" strings."""
    pairs = []
    for part in hours.split(","):
        if part.strip():
            start, _, end = part.strip().partition("-")
            pairs.append((start.strip().zfill(5), end.strip().zfill(5)))
    return pairs


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


def counter_view(counter: Counter) -> dict:
    """Return a window as the hall's screens show it."""
    serving = ticket_in_hand(counter)
    staff = counter.staff
    reason = PauseReason.get_or_none(PauseReason.code == counter.pause_reason)
    return {
        "window": counter.window,
        "name": counter.name_zh,
        "name_en": counter.name_en,
        "state": counter.state,
        "since": iso(counter.state_since),
        "pause_reason": counter.pause_reason if counter.state == "paused" else None,
        "pause_notice": reason.notice_zh if reason and counter.state == "paused" else None,
        "pause_notice_en": reason.notice_en if reason and counter.state == "paused" else None,
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


def waiting_counts(unit: Unit, day) -> dict[str, int]:
    """Return how many tickets wait per service letter today (0 for an empty line)."""
    rows = (
        Service.select(Service.code, fn.COUNT(Ticket.id))
        .join(
            Ticket,
            JOIN.LEFT_OUTER,
            on=(Ticket.service == Service.id) & (Ticket.day == day) & (Ticket.status == "waiting"),
        )
        .where(Service.unit == unit.id, Service.active == True)  # noqa: E712
        .group_by(Service.code)
        .tuples()
    )
    return dict(rows)


# One round trip for both figures an estimate needs; this runs for every ticket issued.
_PACE_SQL = """
SELECT (SELECT AVG(recent.service_s) FROM
          (SELECT service_s FROM ticket WHERE service_id = {p} AND service_s IS NOT NULL
           ORDER BY finished_at DESC LIMIT {sample}) AS recent),
       (SELECT COUNT(*) FROM counter JOIN counter_service ON counter_service.counter_id = counter.id
        WHERE counter_service.service_id = {p} AND counter.state = 'open')
"""


def service_pace(service: Service) -> tuple[float, int]:
    """Return the mean length of the service's recent visits (its expected length until it
    has some) and how many open windows serve it."""
    sql = _PACE_SQL.format(p=db.obj.param, sample=SERVICE_TIME_SAMPLE)
    mean, windows = db.execute_sql(sql, (service.id, service.id)).fetchone()
    return (float(mean) if mean is not None else float(service.expected_service_s)), windows


def estimated_wait_s(service: Service, ahead: int) -> int:
    """Estimate the wait behind `ahead` visitors from recent visits and open windows."""
    if ahead <= 0:
        return 0
    mean_s, windows = service_pace(service)
    return math.ceil(ahead * mean_s / max(1, windows))


def people_ahead(ticket: Ticket) -> int:
    """Return how many waiting visitors of the same service will be called before this one."""
    same_line = Ticket.select().where(
        Ticket.service == ticket.service_id,
        Ticket.day == ticket.day,
        Ticket.status == "waiting",
        Ticket.id != ticket.id,
    )
    earlier = (Ticket.queue_at < ticket.queue_at) | (
        (Ticket.queue_at == ticket.queue_at) & (Ticket.id < ticket.id)
    )
    if ticket.priority:
        return same_line.where(Ticket.priority.is_null(False), earlier).count()
    return same_line.where(Ticket.priority.is_null(False) | earlier).count()


def issued_ticket(ticket: Ticket) -> dict:
    """Return the kiosk's answer to the visitor who took a ticket, token included."""
    ahead = people_ahead(ticket)
    return {
        **ticket_view(ticket),
        "unit": ticket.unit.code,
        "unit_name": ticket.unit.name_zh,
        "token": ticket.token,
        "ahead": ahead,
        "estimated_wait_s": estimated_wait_s(ticket.service, ahead),
        "time_limit_days": ticket.service.time_limit_days,
    }


def visitor_view(token: str) -> dict:
    """Return a ticket as its holder follows it on the phone."""
    ticket = Ticket.get_or_none(Ticket.token == token)
    if ticket is None:
        raise NotFound(
            "没有找到这张票，请核对二维码。", "No such ticket. Please check the QR code."
        )
    waiting = ticket.status == "waiting"
    ahead = people_ahead(ticket) if waiting else 0
    return {
        **ticket_view(ticket),
        "unit": ticket.unit.code,
        "unit_name": ticket.unit.name_zh,
        "unit_name_en": ticket.unit.name_en,
        "day": ticket.day.isoformat(),
        "ahead": ahead,
        "estimated_wait_s": estimated_wait_s(ticket.service, ahead) if waiting else 0,
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
    waiting = waiting_counts(unit, local_day(now, unit.timezone))
    services = unit.services.where(Service.active == True).order_by(Service.code)  # noqa: E712
    return [_service_view(unit, service, waiting.get(service.code, 0), now) for service in services]


def _service_view(unit: Unit, service: Service, waiting: int, now: datetime) -> dict:
    mean_s, windows = service_pace(service)
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
        "open_windows": windows,
        "estimated_wait_s": math.ceil(waiting * mean_s / max(1, windows)),
    }


def recent_calls(unit: Unit, day, limit: int = 10) -> list[dict]:
    """Return the latest calls of the day, newest first."""
    tickets = (
        Ticket.select(Ticket, Service, Counter)
        .join(Service)
        .switch(Ticket)
        .join(Counter, JOIN.LEFT_OUTER, on=(Ticket.counter == Counter.id))
        .where(Ticket.unit == unit.id, Ticket.day == day, Ticket.called_at.is_null(False))
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
        day = local_day(now, unit.timezone)
        counters = unit.counters.order_by(Counter.window)
        return {
            "seq": unit.seq,
            "unit": unit_view(unit),
            "day": day.isoformat(),
            "at": iso(now),
            "calls": recent_calls(unit, day),
            "waiting": waiting_counts(unit, day),
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
