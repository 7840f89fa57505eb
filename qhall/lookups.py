"""Finding a hall's rows by what people call them: a hall by its code, a service by its
letter, a window by its number, a ticket by its token. Each raises NotFound with a polite
message."""

from __future__ import annotations

from datetime import datetime

from qhall.clock import queue_days
from qhall.errors import NotFound
from qhall.models import Counter, Service, Ticket, Unit

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


def find_ticket(token: str) -> Ticket:
    """Return the ticket with this token (the secret its QR code carries), or raise NotFound."""
    ticket = Ticket.get_or_none(Ticket.token == token)
    if ticket is None:
        raise NotFound(
            "没有找到这张票，请核对二维码。", "No such ticket. Please check the QR code."
        )
    return ticket


def find_window(unit_code: str, window: int) -> tuple[Unit, Counter]:
    """Return a hall and its window with this number, or raise NotFound."""
    unit = find_unit(unit_code)
    return unit, find_counter(unit, window)


def ticket_in_hand(counter: Counter) -> Ticket | None:
    """Return the ticket a window has called and not yet let go of."""
    return Ticket.get_or_none(Ticket.counter == counter.id, Ticket.status.in_(IN_HAND))


def number_of_the_queue_days(unit: Unit, number: str, now: datetime) -> Ticket | None:
    """Return the ticket with this number among the hall's queue days (the newest day's
    first: in a hall open round the clock a number may stand on two days), or None."""
    return (
        Ticket.select()
        .where(
            Ticket.unit == unit.id,
            Ticket.day.in_(queue_days(unit, now)),
            Ticket.number == number.strip().upper(),
        )
        .order_by(Ticket.day.desc())
        .first()
    )
