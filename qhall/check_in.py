"""Remote tickets check in on arrival: a phone's ticket holds a virtual place in line and
is called only once its holder is in the hall.

A ticket from outside the hall (source "mobile") is issued with Ticket.checked_in_at
empty; every other source is in the hall already and is checked in as it is issued. The
one rule for "a window may call this ticket" is callable(): window_line (who is next),
people_ahead and the waiting counts (the estimates and the screens) and the report's
visitors not called all read it, so a ticket nobody will call counts nowhere.

The ticket keeps its place (Ticket.queue_at) while it waits to check in: once checked in
it is called in its original place. A ticket passed over because it had not checked in
stays waiting, is no no-show and has no wait figure; its phone says it is its turn
(turn_passed): nobody is ahead of it and someone behind it in its line has been called.

Checking in needs the ticket's own secret and proof of presence, so that nobody checks in
someone else's ticket and nobody checks in from home:
- at a kiosk of the hall (its device token, or staff of the hall): the ticket's QR scanned
  from the phone (its token), or its number and the short code its phone shows
  (ticket_code, derived from the token, so only the ticket's holder sees it);
- from the phone: the ticket's token and the hall's check-in token (hall_token), which
  only the hall shows, as a QR on its kiosks and at its entrance. It is a keyed hash of the
  hall and its hall day under the server's secret: it changes every day and cannot be
  worked out from outside.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta

from qhall import events as ev
from qhall.clock import hall_day, queue_days
from qhall.db import unit_of_work
from qhall.errors import Conflict, Forbidden, NotFound
from qhall.events import Outcome
from qhall.lookups import find_ticket, find_unit, number_of_the_queue_days
from qhall.models import Ticket, Unit

# Digits of the code a phone shows for checking in by hand at the kiosk.
CODE_DIGITS = 6
# Characters of the hall's check-in token (hex): 80 bits, beyond guessing.
HALL_TOKEN_CHARS = 20

NOT_YOURS = (
    "号码或签到码不正确，请核对手机上显示的签到码。",
    "The number or the check-in code is not right. Please check the code on your phone.",
)
NOT_HERE = (
    "签到二维码无效或已过期，请扫描大厅内当天的签到二维码，或到自助机签到。",
    "This check-in code is not valid or has expired. Please scan today's check-in code "
    "in the hall, or check in at a kiosk.",
)


def callable_ticket():
    """The one rule for a ticket a window may call: it is in the hall (checked in)."""
    return Ticket.checked_in_at.is_null(False)


def check_callable(ticket: Ticket) -> None:
    """Refuse to call a ticket by its number while its holder has not checked in."""
    if ticket.checked_in_at is None:
        raise Conflict(
            "该号为手机取号，尚未到大厅签到，暂不能呼叫；如群众已在窗口，请先为其签到。",
            "That phone ticket has not checked in at the hall and cannot be called yet; "
            "if the visitor is at the window, please check them in first.",
        )


def arrived_at(source: str, now: datetime) -> datetime | None:
    """Return when a new ticket counts as in the hall: at once, except a phone's ticket."""
    return None if source == "mobile" else now


def ticket_code(token: str) -> str:
    """Return the short code a ticket's phone shows for checking in by number at a kiosk."""
    digest = hashlib.sha256(f"qhall-check-in-code:{token}".encode()).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def hall_token(secret: str, unit_code: str, day: date) -> str:
    """Return a hall's check-in token for one hall day: a keyed hash under the server's
    secret, so it changes every day and only the hall can show it."""
    message = f"qhall-check-in:{unit_code}:{day.isoformat()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:HALL_TOKEN_CHARS]


def todays_hall_token(secret: str, unit: Unit, now: datetime) -> str:
    """Return the hall's check-in token of the current hall day."""
    return hall_token(secret, unit.code, hall_day(now, unit))


def check_in_view(ticket: Ticket, ahead: int) -> dict:
    """Return what a ticket's holder sees of checking in: whether the ticket is checked in,
    the code to give at a kiosk, and whether its turn has passed while it was away."""
    checked_in = ticket.checked_in_at is not None
    waiting_away = not checked_in and ticket.status == "waiting"
    return {
        "checked_in": checked_in,
        "check_in_code": ticket_code(ticket.token) if waiting_away else None,
        "turn_passed": waiting_away and ahead == 0 and _someone_behind_called(ticket),
    }


def _someone_behind_called(ticket: Ticket) -> bool:
    # Remote tickets carry no priority, so in their line the ordinary visitors behind them
    # are the ones a window would have called after them; the days of the line as in
    # qhall.estimates.people_ahead.
    spread = timedelta(days=1 if ticket.unit.round_the_clock else 0)
    behind = (Ticket.queue_at > ticket.queue_at) | (
        (Ticket.queue_at == ticket.queue_at) & (Ticket.id > ticket.id)
    )
    return (
        Ticket.select()
        .where(
            Ticket.service == ticket.service_id,
            Ticket.day.between(ticket.day - spread, ticket.day + spread),
            Ticket.priority.is_null(),
            Ticket.first_called_at.is_null(False),
            behind,
        )
        .exists()
    )


def check_in_at_kiosk(
    unit_code: str,
    *,
    token: str | None = None,
    number: str | None = None,
    code: str | None = None,
    now: datetime,
    staff_id: int | None = None,
    request_key: str | None = None,
) -> Outcome:
    """Check a remote ticket in at a hall's kiosk (the caller has made sure the request
    comes from one, or from the hall's staff): by its token, scanned from the phone's QR,
    or by its number and the code its phone shows."""
    with unit_of_work(request_key, f"check-in:{unit_code}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit = find_unit(unit_code)
        if token:
            ticket = _hall_ticket(unit, token)
        else:
            ticket = _ticket_by_code(unit, number or "", code or "", now)
        return uow.finish(_check_in(unit, ticket, now, "kiosk", staff_id))


def check_in_by_phone(
    token: str, shown: str, *, secret: str, now: datetime, request_key: str | None = None
) -> Outcome:
    """Check a remote ticket in from its phone, which shows the hall's check-in token of
    today (scanned from the hall's QR) as proof that its holder is in the hall."""
    with unit_of_work(request_key, "check-in", now) as uow:
        if uow.replayed:
            return uow.outcome
        ticket = find_ticket(token)
        unit = ticket.unit
        if not hmac.compare_digest(todays_hall_token(secret, unit, now), (shown or "").strip()):
            raise Forbidden(*NOT_HERE)
        return uow.finish(_check_in(unit, ticket, now, "phone", None))


def _hall_ticket(unit: Unit, token: str) -> Ticket:
    ticket = find_ticket(token)
    if ticket.unit_id != unit.id:
        raise NotFound(
            "这张票不是本大厅的，请到取号的大厅签到。",
            "This ticket belongs to another hall. Please check in at the hall it is for.",
        )
    return ticket


def _ticket_by_code(unit: Unit, number: str, code: str, now: datetime) -> Ticket:
    """Find a waiting ticket of the queue days by its number; the code must be its own."""
    ticket = number_of_the_queue_days(unit, number, now)
    # One answer for an unknown number and a wrong code: the numbers are on the screens.
    if ticket is None or not hmac.compare_digest(ticket_code(ticket.token), code.strip()):
        raise Forbidden(*NOT_YOURS)
    return ticket


def _check_in(unit: Unit, ticket: Ticket, now: datetime, where: str, staff_id) -> dict:
    """Mark a waiting ticket of the queue days as in the hall; one already in is left as it is."""
    # Here, not above: qhall.shapes reads the callable rule from this module.
    from qhall.shapes import ticket_view, visitor_view

    if ticket.day not in queue_days(unit, now):
        raise Conflict(
            "这张票不是今天的，请重新取号，谢谢。",
            "This ticket is not today's. Please take a new ticket. Thank you.",
        )
    if ticket.checked_in_at is not None:
        return {"ticket": visitor_view(ticket.token), "already": True}
    if ticket.status != "waiting":
        raise Conflict(
            "该号已不在等候中，无需签到。",
            "That ticket is no longer waiting; there is nothing to check in.",
            status=ticket.status,
        )
    ticket.checked_in_at = now
    ticket.save()
    ev.record(
        unit,
        ev.TICKET_CHECKED_IN,
        now,
        ticket=ticket,
        staff_id=staff_id,
        ticket_view=ticket_view(ticket),
        where=where,
    )
    return {"ticket": visitor_view(ticket.token), "already": False}
