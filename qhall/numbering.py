"""Queue numbering: each service's numbers of the hall day (A001, A002, …).

Numbers count per service and per hall day (qhall.clock.hall_day) in one DayNumber row,
taken by an insert-or-increment in the issuing transaction, so they never repeat or skip
whatever the concurrency (a rollback takes the number back). They restart at A001 at every
turn of the hall day, at Unit.day_starts_at.

A ticket carried over the turn in a hall open round the clock keeps its number. So that a
carried-over A012 and a new day's A012 never stand in the hall together (on the screen,
or when a window calls a number), there the day's first number comes after the highest
number of the service the previous day still has live: waiting, in a window's hand, or
missed and still allowed back. With A012 still waiting, the new day begins at A013; with
nobody left over, at A001. The first ticket's insert fixes that start; later ones only add
one. A daily limit there counts the day's tickets, as the numbers may not start at 1.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from qhall.errors import SoldOut
from qhall.models import DayNumber, Service, Ticket, Unit

# A ticket not yet let go of: in line, or in a window's hand.
OPEN_STATES = ("waiting", "called", "serving")


def take_number(unit: Unit, service: Service, day: date, now: datetime) -> int:
    """Take the service's next number of the hall day, in the caller's transaction; raise
    SoldOut past its daily limit (the caller's rollback takes the number back)."""
    number = _next_number(service.id, day, after=carried_over_number(unit, service, day, now))
    if _over_daily_limit(unit, service, day, number):
        raise SoldOut()
    return number


def _next_number(service_id: int, day: date, after: int) -> int:
    """Return the day's first number, after + 1 (the insert), or the last plus one."""
    (row,) = (
        DayNumber.insert(service=service_id, day=day, last_number=after + 1)
        .on_conflict(
            conflict_target=[DayNumber.service, DayNumber.day],
            update={DayNumber.last_number: DayNumber.last_number + 1},
        )
        .returning(DayNumber.last_number)
        .execute()
    )
    return row.last_number


def _over_daily_limit(unit: Unit, service: Service, day: date, number: int) -> bool:
    if service.daily_limit is None:
        return False
    if not unit.round_the_clock:
        return number > service.daily_limit
    issued = Ticket.select().where(Ticket.service == service.id, Ticket.day == day).count()
    return issued >= service.daily_limit


def carried_over_number(unit: Unit, service: Service, day: date, now: datetime) -> int:
    """Return the highest number of the service a hall open round the clock still has live
    from the hall day before day, 0 if none (or if the hall is not open round the clock)."""
    if not unit.round_the_clock:
        return 0
    missed_lately = (
        (Ticket.status == "no_show")
        & (Ticket.requeued == False)  # noqa: E712
        & (Ticket.no_show_at >= now - timedelta(seconds=unit.no_show_grace_s))
    )
    numbers = Ticket.select(Ticket.number).where(
        Ticket.unit == unit.id,
        Ticket.day == day - timedelta(days=1),
        Ticket.status.in_(OPEN_STATES) | missed_lately,
    )
    # By the letters, not Ticket.service: a transferred ticket keeps its number.
    tails = [t.number[len(service.code) :] for t in numbers if t.number.startswith(service.code)]
    return max((int(tail) for tail in tails if tail.isdigit()), default=0)
