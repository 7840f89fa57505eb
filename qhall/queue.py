"""The queue rules: issue, call, recall, no-show, start, finish, transfer, pause, cancel.

Each public function is one unit of work (db.unit_of_work) and returns an Outcome:
its result for the caller and the events to publish once the commit has succeeded. A
request key makes a function idempotent: sent again, it replays the first result and
changes nothing. Times come in as `now` (naive UTC) so that tests can freeze them.

When a visit counts as served. A ticket ends "finished" (served, in the window's figures,
the ledger, the dashboard and the rankings; the only status the rating tablet asks about)
only when the window did something for the visitor in hand:
- it pressed 开始办理 (start), or
- it pressed 办结 (finish) on the ticket in hand, or
- it registered a first inquiry or accepted a promised case while the ticket was in hand,
  which starts the visit (start_in_hand).
"Call next" (or calling a number) over a visitor who was only called, never started, marks
them 过号 (no_show) exactly as mark_no_show does: the same event, no service time (so the
wait estimates never learn from them), put back in line within the grace period by
requeue_no_show, and not served in any figure.

The hall's day. Every ticket belongs to the hall day it was issued in (qhall.clock.hall_day,
turning at Unit.day_starts_at); its numbers are in qhall.numbering. At the turn
close_past_days (run by qhall.routine) closes what is left open as "day_ended": in an
ordinary hall every earlier day's ticket; a hall open round the clock keeps the previous
day's waiting visitors in line (qhall.clock.queue_days; older place, so called first) and
its visits in hand to be finished and counted as served (in their own day's ledger), and
closes whatever is still open at the second turn, visits in progress included: a ticket
open for a whole hall day is a forgotten one, and nobody waits 24 hours.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from peewee import JOIN, Case, fn

from qhall import events as ev
from qhall import identity
from qhall.check_in import arrived_at, callable_ticket, check_callable
from qhall.clock import hall_day, iso, queue_days
from qhall.db import checkpoint, is_sqlite, unit_of_work
from qhall.errors import (
    BadInput,
    Conflict,
    NotFound,
    NoTicketInHand,
    RemoteSoldOut,
    ServiceClosed,
)
from qhall.events import Outcome
from qhall.hours import service_is_open
from qhall.lookups import (
    find_counter,
    find_hall_service,
    find_service,
    find_ticket,
    find_unit,
    find_window,
    number_of_the_queue_days,
    ticket_in_hand,
)
from qhall.models import (
    PRIORITY_CLASSES,
    TICKET_SOURCES,
    Counter,
    CounterService,
    Service,
    Staff,
    Ticket,
    Unit,
)
from qhall.numbering import OPEN_STATES, take_number
from qhall.ratings import today_ratings
from qhall.shapes import counter_view, issued_ticket, ticket_view
from qhall.transfers import check_destination, record_override
from qhall.windows import held_window, open_window

# --- who is next ----------------------------------------------------------------------


def window_line(unit: Unit, counter: Counter, days, *columns):
    """Select the waiting tickets of the queue days a window may call, in the order it calls
    them: priority first within the streak limit, a ticket transferred to this window in
    particular before the window's services, the services in the window's order, then the
    oldest place in line (so a ticket carried over the turn of the day comes first).

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
            Ticket.day.in_(days),
            Ticket.status == "waiting",
            callable_ticket(),
            (Ticket.target_counter == counter.id)
            | (Ticket.target_counter.is_null() & CounterService.id.is_null(False)),
        )
        .order_by(priority_rank, service_rank, Ticket.queue_at, Ticket.id)
    )


LINE_LIMIT = 50


def window_queue(unit_code: str, window: int, staff: Staff, now: datetime) -> dict:
    """Return the window, its ticket in hand, the waiting tickets it would call in order
    (priority marked) and the signed-in staff member's figures of the day."""
    unit, counter = find_window(unit_code, window)
    day, days = hall_day(now, unit), queue_days(unit, now)
    line = window_line(unit, counter, days, Ticket, Service).switch(Ticket).join(Service)
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
        "waiting_total": window_line(unit, counter, days, Ticket.id).count(),
        "figures": staff_figures(staff, unit, day),
    }


def staff_figures(staff: Staff, unit, day) -> dict:
    """Return a staff member's visits of the hall day finished, their mean length and ratings."""
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


# --- issuing -------------------------------------------------------------------------


def issue_ticket(
    unit_code: str,
    service_code: str,
    *,
    now: datetime,
    priority: str | None = None,
    source: str = "kiosk",
    remote_daily_max: int | None = None,
    remote_share: float | None = None,
    request_key: str | None = None,
    person_key: str | None = None,
) -> Outcome:
    """Give a visitor the next number of a service for today. Tickets from outside the
    hall (source "mobile") stop at remote_daily_max a day per service, if given, and at
    remote_share of a service's daily_limit where it has one, so that the kiosk's visitors
    always find numbers left. A person_key (an ID card read at the kiosk) holds one open
    ticket per service a day (qhall.identity)."""
    if priority is not None and priority not in PRIORITY_CLASSES:
        raise BadInput("优先类别无效。", "Unknown priority class.", allowed=list(PRIORITY_CLASSES))
    if source not in TICKET_SOURCES:
        raise BadInput("取号来源无效。", "Unknown ticket source.", allowed=list(TICKET_SOURCES))

    with unit_of_work(request_key, f"issue:{unit_code}", now) as uow:
        if uow.replayed:
            return uow.outcome
        service = find_hall_service(unit_code, service_code)
        unit = service.unit
        if not service_is_open(service, unit, now):
            raise ServiceClosed(hours=service.hours, weekdays=service.weekdays)
        day = hall_day(now, unit)
        if source == "mobile":
            remote_max = remote_cap(service.daily_limit, remote_daily_max, remote_share)
            if remote_max is not None:
                remote_today = Ticket.select().where(
                    Ticket.service == service.id, Ticket.day == day, Ticket.source == "mobile"
                )
                if remote_today.count() >= remote_max:
                    raise RemoteSoldOut()
        identity.check_one_ticket(service, day, person_key)
        ticket = create_ticket(
            service, now, priority=priority, source=source, person_key=person_key
        )
        return uow.finish(issued_ticket(ticket))


def create_ticket(
    service: Service, now: datetime, *, priority: str | None, source: str, person_key=None
) -> Ticket:
    """Create a service's next ticket of the hall day and record its event; the caller holds
    the unit of work (issue_ticket, a booking's check-in at the kiosk)."""
    unit = service.unit
    day = hall_day(now, unit)
    number = take_number(unit, service, day, now)
    ticket = Ticket.create(
        unit=unit,
        service=service,
        day=day,
        number=f"{service.code}{number:03d}",
        priority=priority,
        source=source,
        token=secrets.token_urlsafe(16),
        issued_at=now,
        queue_at=now,
        checked_in_at=arrived_at(source, now),
        person_key=person_key,
    )
    ev.record(unit, ev.TICKET_ISSUED, now, ticket=ticket, ticket_view=ticket_view(ticket))
    return ticket


def remote_cap(
    daily_limit: int | None, remote_daily_max: int | None, remote_share: float | None
) -> int | None:
    """Return how many tickets from outside the hall a service gives a day, or None for no
    limit: remote_daily_max, and no more than remote_share of a capped day (rounded down),
    so that phones never take the numbers of the people standing in the hall."""
    caps = [remote_daily_max] if remote_daily_max is not None else []
    if daily_limit is not None and remote_share is not None:
        caps.append(int(daily_limit * remote_share + 1e-9))  # 0.57 * 100 is 56.99…
    return min(caps) if caps else None


# --- calling -------------------------------------------------------------------------


def call_next(
    unit_code: str,
    window: int,
    *,
    staff_id: int | None,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Call the next visitor to a window, letting go of the one it had in hand: finished if
    their visit had started, a no-show (过号) if they were only called."""
    with unit_of_work(request_key, f"call:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit, counter = open_window(unit_code, window, staff_id)
        let_go = _let_go(unit, counter, now, staff_id)
        ticket = _claim_next(unit, counter, queue_days(unit, now))
        if ticket is None:
            return uow.finish({"ticket": None, "counter": counter_view(counter), "let_go": let_go})
        counter.priority_streak = counter.priority_streak + 1 if ticket.priority else 0
        counter.save()
        return uow.finish({**_mark_called(unit, counter, ticket, now, staff_id), "let_go": let_go})


def call_number(
    unit_code: str,
    window: int,
    number: str,
    *,
    staff_id: int | None,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Call one waiting number to a window, out of turn."""
    with unit_of_work(request_key, f"call:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit, counter = open_window(unit_code, window, staff_id)
        ticket = _todays_ticket(unit, number, now)
        if ticket.status != "waiting":
            raise Conflict(
                "该号当前不在等候中。", "That ticket is not waiting.", status=ticket.status
            )
        check_callable(ticket)
        let_go = _let_go(unit, counter, now, staff_id)
        claimed = _claim(Ticket.id == ticket.id, counter)
        if claimed is None:  # on PostgreSQL another window may have taken it meanwhile
            raise Conflict("该号已被其他窗口呼叫。", "Another window has just called that ticket.")
        return uow.finish({**_mark_called(unit, counter, claimed, now, staff_id), "let_go": let_go})


def _claim_next(unit: Unit, counter: Counter, days) -> Ticket | None:
    """Take the window's next ticket, in the order window_line gives."""
    candidates = window_line(unit, counter, days, Ticket.id).limit(1)
    if not is_sqlite():
        candidates = candidates.for_update(of=Ticket, skip_locked=True)
    # "= (subquery)", not "IN (subquery)": PostgreSQL evaluates a scalar subquery once,
    # while an IN may be rescanned and, skipping locked rows, claim more than one ticket.
    return _claim(Ticket.id == candidates, counter)


def _claim(which, counter: Counter) -> Ticket | None:
    """Mark one waiting ticket called by this window in a single UPDATE … RETURNING, so two
    windows can never both take it."""
    rows = list(
        Ticket.update(status="called", counter=counter.id)
        .where(which, Ticket.status == "waiting")
        .returning(Ticket.id)
        .execute()
    )
    return Ticket.get_by_id(rows[0].id) if rows else None


def _mark_called(unit: Unit, counter: Counter, ticket: Ticket, now: datetime, staff_id) -> dict:
    ticket.staff = staff_id
    ticket.called_at = now
    ticket.target_counter = None
    if ticket.first_called_at is None:
        ticket.first_called_at = now
        ticket.wait_s = ticket.waited_since(now)
    ticket.save()
    return _announce(unit, ev.TICKET_CALLED, now, ticket, counter, staff_id)


def _announce(unit, name, now, ticket, counter, staff_id, **data) -> dict:
    """Record a ticket event at a window; return the same payload as the caller's result."""
    payload = ev.record(
        unit,
        name,
        now,
        ticket=ticket,
        counter=counter,
        staff_id=staff_id,
        ticket_view=ticket_view(ticket),
        counter_view=counter_view(counter, ticket),
        **data,
    )
    return {"ticket": payload["ticket_view"], "counter": payload["counter_view"], **data}


def _let_go(unit: Unit, counter: Counter, now: datetime, staff_id) -> dict | None:
    """Let go of the ticket a window still holds before it calls another: a visit that
    started is finished; a visitor only called never came (过号), since calling the next
    one is no proof that anyone was served. Return the number and how it ended."""
    ticket = ticket_in_hand(counter)
    if ticket is None:
        return None
    if ticket.status == "serving":
        _finish(unit, counter, ticket, now, staff_id)
    else:
        _no_show(unit, counter, ticket, now, staff_id)
    return {"number": ticket.number, "status": ticket.status}


def _finish(unit, counter, ticket: Ticket, now: datetime, staff_id) -> dict:
    # 办结 on a visitor not marked as started: their visit is taken to have begun at the call.
    ticket.started_at = ticket.started_at or ticket.called_at
    ticket.finished_at = now
    ticket.service_s = int((now - ticket.started_at).total_seconds())
    ticket.status = "finished"
    ticket.save()
    return _announce(unit, ev.TICKET_FINISHED, now, ticket, counter, staff_id)


# --- the ticket in hand --------------------------------------------------------------


def recall(unit_code: str, window: int, *, staff_id, now: datetime, request_key=None) -> Outcome:
    """Call the window's ticket again (重呼)."""
    with unit_of_work(request_key, f"recall:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit, counter, ticket = _in_hand(unit_code, window, staff_id, "called")
        ticket.recall_count += 1
        ticket.called_at = now
        ticket.save()
        return uow.finish(_announce(unit, ev.TICKET_RECALLED, now, ticket, counter, staff_id))


def start(unit_code: str, window: int, *, staff_id, now: datetime, request_key=None) -> Outcome:
    """Record that the visitor has arrived at the window and service has begun."""
    with unit_of_work(request_key, f"start:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit, counter, ticket = _in_hand(unit_code, window, staff_id, "called")
        return uow.finish(_start(unit, counter, ticket, now, staff_id))


def start_in_hand(counter: Counter, *, now: datetime, staff_id) -> Ticket | None:
    """Return the window's ticket in hand, its visit started if it was only called, in the
    caller's unit of work: registering a matter for the visitor is serving them."""
    ticket = ticket_in_hand(counter)
    if ticket is not None and ticket.status == "called":
        _start(counter.unit, counter, ticket, now, staff_id)
    return ticket


def _start(unit, counter, ticket: Ticket, now: datetime, staff_id) -> dict:
    ticket.status = "serving"
    ticket.started_at = now
    ticket.save()
    return _announce(unit, ev.TICKET_STARTED, now, ticket, counter, staff_id)


def finish(unit_code: str, window: int, *, staff_id, now: datetime, request_key=None) -> Outcome:
    """Finish the visit at the window."""
    with unit_of_work(request_key, f"finish:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit, counter, ticket = _in_hand(unit_code, window, staff_id, "called", "serving")
        return uow.finish(_finish(unit, counter, ticket, now, staff_id))


def mark_no_show(
    unit_code: str, window: int, *, staff_id, now: datetime, request_key=None
) -> Outcome:
    """Record that the called visitor did not come (过号)."""
    with unit_of_work(request_key, f"no-show:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit, counter, ticket = _in_hand(unit_code, window, staff_id, "called")
        return uow.finish(_no_show(unit, counter, ticket, now, staff_id))


def _no_show(unit, counter, ticket: Ticket, now: datetime, staff_id) -> dict:
    ticket.status = "no_show"
    ticket.no_show_at = now
    ticket.save()
    return _announce(unit, ev.TICKET_NO_SHOW, now, ticket, counter, staff_id)


def transfer(
    unit_code: str,
    window: int,
    *,
    to_service: str | None = None,
    to_window: int | None = None,
    override: bool = False,
    staff_id,
    now: datetime,
    request_key=None,
) -> Outcome:
    """Send the visitor to another service or window, keeping their place in line (一站式):
    only where an open window will call them, unless the hall's manager overrides
    (qhall.transfers)."""
    if to_service is None and to_window is None:
        raise BadInput("请选择转往的业务或窗口。", "Choose the service or window to transfer to.")

    with unit_of_work(request_key, f"transfer:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit, counter, ticket = _in_hand(unit_code, window, staff_id, "called", "serving")
        service = find_service(unit, to_service) if to_service is not None else None
        target = find_counter(unit, to_window) if to_window is not None else None
        if target is not None and target.id == counter.id:
            raise BadInput("不能转给本窗口。", "A ticket cannot be transferred to its own window.")
        overridden = check_destination(unit, service or ticket.service, target, staff_id, override)
        return uow.finish(send_on(counter, ticket, service, target, now, staff_id, overridden))


def send_on(counter, ticket: Ticket, service, target, now: datetime, staff_id, overridden=False):
    """Put the visitor in hand back in line at their place, for another service (if given)
    and a window in particular (if given), in the caller's unit of work; the destination
    is checked by the caller (qhall.transfers.check_destination)."""
    ticket.service = service or ticket.service
    ticket.target_counter = target
    ticket.status = "waiting"
    ticket.counter = None
    ticket.transfer_count += 1
    ticket.save()
    where = {"to_service": ticket.service.code, "to_window": target.window if target else None}
    if overridden:
        record_override(ticket, staff_id, where, now)
        where["override"] = True
    return _announce(counter.unit, ev.TICKET_TRANSFERRED, now, ticket, counter, staff_id, **where)


def requeue_no_show(
    unit_code: str, number: str, *, staff_id, now: datetime, request_key=None
) -> Outcome:
    """Put a visitor who missed the call back in line at their old place, once, within the
    unit's grace period."""
    with unit_of_work(request_key, f"requeue:{unit_code}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit = find_unit(unit_code)
        ticket = _todays_ticket(unit, number, now)
        if ticket.status != "no_show":
            raise Conflict(
                "该号不是过号状态。", "That ticket was not missed.", status=ticket.status
            )
        if ticket.requeued:
            raise Conflict(
                "该号已重新排队过一次，请您重新取号，谢谢。",
                "That ticket was already put back in line once. Please take a new ticket. Thank you.",
            )
        if (now - ticket.no_show_at).total_seconds() > unit.no_show_grace_s:
            raise Conflict(
                "已超过过号保留时间，请您重新取号，谢谢。",
                "The time to return has passed. Please take a new ticket. Thank you.",
            )
        counter = ticket.counter
        ticket.status = "waiting"
        ticket.requeued = True
        ticket.counter = None
        ticket.save()
        payload = ev.record(
            unit,
            ev.TICKET_REQUEUED,
            now,
            ticket=ticket,
            counter=counter,
            staff_id=staff_id,
            ticket_view=ticket_view(ticket),
        )
        return uow.finish({"ticket": payload["ticket_view"]})


def cancel(token: str, *, now: datetime, staff_id=None, request_key=None) -> Outcome:
    """Withdraw a waiting ticket at the visitor's request."""
    with unit_of_work(request_key, "cancel", now) as uow:
        if uow.replayed:
            return uow.outcome
        ticket = find_ticket(token)
        if ticket.status != "waiting":
            raise Conflict("只有等候中的号可以取消。", "Only a waiting ticket can be cancelled.")
        ticket.status = "cancelled"
        ticket.closed_reason = "cancelled"
        ticket.finished_at = now
        ticket.save()
        payload = ev.record(
            ticket.unit,
            ev.TICKET_CANCELLED,
            now,
            ticket=ticket,
            staff_id=staff_id,
            ticket_view=ticket_view(ticket),
        )
        return uow.finish({"ticket": payload["ticket_view"]})


def close_past_days(unit_code: str, *, now: datetime) -> Outcome:
    """Close the tickets of hall days no longer in line that were never finished, with the
    reason kept: every earlier day's in an ordinary hall, the day before yesterday's in a hall
    open round the clock (see the module's docstring).

    Numbers restart at the turn of the hall day on their own (they count per hall day); this
    ends what the day left open, so that no window holds a past day's ticket and reports
    count every ticket once.
    """
    with unit_of_work() as uow:
        unit = find_unit(unit_code)
        today = hall_day(now, unit)
        closed = (
            Ticket.update(status="closed", closed_reason="day_ended", finished_at=now)
            .where(
                Ticket.unit == unit.id,
                Ticket.day < queue_days(unit, now)[0],
                Ticket.status.in_(OPEN_STATES),
            )
            .execute()
        )
        if closed:
            ev.record(unit, ev.DAY_CLOSED, now, closed=closed, day=today.isoformat())
        erased = identity.forget_past_keys(unit, today)
        outcome = uow.finish({"closed": closed})
    if erased:
        checkpoint()  # so that the erased ID card hashes are in no file (qhall.retention)
    return outcome


def _in_hand(unit_code: str, window: int, staff_id, *states: str) -> tuple[Unit, Counter, Ticket]:
    unit, counter = held_window(unit_code, window, staff_id)  # only its holder acts on it
    ticket = ticket_in_hand(counter)
    if ticket is None:
        raise NoTicketInHand()
    if ticket.status not in states:
        raise Conflict(
            "当前号的状态不允许此操作。",
            "The ticket in hand cannot do that now.",
            status=ticket.status,
        )
    return unit, counter, ticket


def _todays_ticket(unit: Unit, number: str, now: datetime) -> Ticket:
    """Find a number among the tickets of the queue days, or raise NotFound."""
    ticket = number_of_the_queue_days(unit, number, now)
    if ticket is None:
        raise NotFound("今天没有这个号。", "No ticket with that number today.", number=number)
    return ticket
