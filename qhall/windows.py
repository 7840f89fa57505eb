"""A window's state: open with a staff member on duty, paused for a reason the screens
explain politely, resumed, closed at the end of the shift, or released by a manager.

A window belongs to whoever opened it (Counter.staff): while it is open or paused only
they act on it (qhall.access.check_window_holder), here and in qhall.queue, which finds its
windows through held_window and open_window. A colleague who must take over asks the
hall's manager to release it (release_counter).

Each public function is one transaction and returns an Outcome, as in qhall.queue."""

from __future__ import annotations

from datetime import datetime

from qhall import events as ev
from qhall.access import check_release, check_window_holder
from qhall.audit import record_action
from qhall.db import unit_of_work
from qhall.errors import BadInput, Conflict, CounterNotOpen
from qhall.events import Outcome
from qhall.lookups import find_counter, find_window, ticket_in_hand
from qhall.models import Counter, PauseReason, Staff, Ticket, Unit
from qhall.shapes import counter_view, ticket_view


def held_window(unit_code: str, window: int, staff_id: int | None) -> tuple[Unit, Counter]:
    """Return a hall and its window, which must not be held by anyone but staff_id."""
    unit, counter = find_window(unit_code, window)
    check_window_holder(staff_id, counter)
    return unit, counter


def window_at(unit: Unit, window: int, staff_id: int | None) -> Counter:
    """Return the window a matter is registered at, which must not be a colleague's."""
    counter = find_counter(unit, window)
    check_window_holder(staff_id, counter)
    return counter


def open_window(unit_code: str, window: int, staff_id: int | None) -> tuple[Unit, Counter]:
    """Return a hall and its window, which must be open for service and held by staff_id."""
    unit, counter = held_window(unit_code, window, staff_id)
    if counter.state != "open":
        raise CounterNotOpen(state=counter.state)
    return unit, counter


def open_counter(
    unit_code: str, window: int, *, staff_id, now: datetime, request_key=None
) -> Outcome:
    """Open a window for service with a staff member on duty (again, for its holder)."""
    with unit_of_work(request_key, f"open:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit, counter = held_window(unit_code, window, staff_id)
        return uow.finish(
            _set_state(unit, counter, ev.COUNTER_OPENED, "open", now, staff_id, staff=staff_id)
        )


def pause_counter(
    unit_code: str, window: int, reason: str, *, staff_id, now: datetime, request_key=None
) -> Outcome:
    """Pause a window for a reason its screen explains politely."""
    with unit_of_work(request_key, f"pause:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit, counter = open_window(unit_code, window, staff_id)
        if PauseReason.get_or_none(PauseReason.code == reason) is None:
            codes = [r.code for r in PauseReason.select().order_by(PauseReason.id)]
            raise BadInput("暂停原因无效。", "Unknown pause reason.", allowed=codes)
        counter.pause_reason = reason
        return uow.finish(_set_state(unit, counter, ev.COUNTER_PAUSED, "paused", now, staff_id))


def resume_counter(
    unit_code: str, window: int, *, staff_id, now: datetime, request_key=None
) -> Outcome:
    """Resume a paused window."""
    with unit_of_work(request_key, f"resume:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit, counter = held_window(unit_code, window, staff_id)
        if counter.state != "paused":
            raise Conflict("窗口未处于暂停状态。", "The window is not paused.", state=counter.state)
        counter.pause_reason = None
        return uow.finish(_set_state(unit, counter, ev.COUNTER_RESUMED, "open", now, staff_id))


def close_counter(
    unit_code: str, window: int, *, staff_id, now: datetime, request_key=None
) -> Outcome:
    """Close a window at the end of the shift."""
    with unit_of_work(request_key, f"close:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit, counter = held_window(unit_code, window, staff_id)
        if ticket_in_hand(counter) is not None:
            raise Conflict(
                "请先办结或转出当前的号，再关闭窗口。",
                "Please finish or transfer the ticket in hand before closing the window.",
            )
        counter.pause_reason = None
        result = _set_state(unit, counter, ev.COUNTER_CLOSED, "closed", now, staff_id, staff=None)
        return uow.finish(
            {**result, "sent_back": _send_back_targeted(unit, counter, now, staff_id)}
        )


def release_counter(
    unit_code: str, window: int, *, staff_id, now: datetime, request_key=None
) -> Outcome:
    """Close a window its holder left open, so that a colleague may open it (the hall's
    manager only). The visitor in hand, if any, goes back in line as a transfer sends
    them: at their own place (their queue time is kept, so they are at or near the front)
    for any window serving their service; their visit is not counted as served."""
    with unit_of_work(request_key, f"release:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit, counter = find_window(unit_code, window)
        check_release(Staff.get_by_id(staff_id), unit)
        if counter.state == "closed":
            raise Conflict("该窗口已关闭，无需释放。", "The window is already closed.")
        before = {"state": counter.state, "staff": counter.staff_id}
        ticket = ticket_in_hand(counter)
        if ticket is not None:
            before["ticket"] = ticket.number
            ticket.status, ticket.counter = "waiting", None
            _back_in_line(unit, ticket, counter, now, staff_id, reason="window_released")
        counter.pause_reason = None
        result = _set_state(unit, counter, ev.COUNTER_CLOSED, "closed", now, staff_id,
                            staff=None, released_from=before["staff"])  # fmt: skip
        result["sent_back"] = _send_back_targeted(unit, counter, now, staff_id)
        record_action(
            staff_id=staff_id,
            unit_id=unit.id,
            action="window.release",
            target=f"{unit.code}/{window}",
            before=before,
            after={"state": "closed", "staff": None},
            now=now,
        )
        return uow.finish(result)


def _send_back_targeted(unit, counter: Counter, now, staff_id) -> list[str]:
    """Put the visitors transferred to a window that closes back in their service's line,
    at their own place (their queue time is kept): a closed window calls nobody, and
    waiting for it would strand them (qhall.transfers). Return their numbers."""
    waiting = list(counter.transferred_tickets.where(Ticket.status == "waiting"))
    for ticket in waiting:
        _back_in_line(unit, ticket, counter, now, staff_id, reason="window_closed")
    return [ticket.number for ticket in waiting]


def _back_in_line(unit, ticket: Ticket, counter: Counter, now, staff_id, *, reason: str) -> None:
    """Send a ticket from a window that closes to its service's line, at its own place (its
    queue time is kept), as a transfer to no window in particular."""
    ticket.target_counter = None
    ticket.save()
    ev.record(unit, ev.TICKET_TRANSFERRED, now, ticket=ticket, counter=counter,
              staff_id=staff_id, ticket_view=ticket_view(ticket), counter_view=counter_view(counter),
              to_service=ticket.service.code, to_window=None, reason=reason)  # fmt: skip


_UNCHANGED = object()


def _set_state(
    unit, counter: Counter, name, state, now, staff_id, staff=_UNCHANGED, **data
) -> dict:
    counter.state = state
    counter.state_since = now
    if staff is not _UNCHANGED:
        counter.staff = staff
    counter.save()
    payload = ev.record(
        unit,
        name,
        now,
        counter=counter,
        staff_id=staff_id,
        counter_view=counter_view(counter),
        **data,
    )
    return {"counter": payload["counter_view"]}
