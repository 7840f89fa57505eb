"""A window's state: open with a staff member on duty, paused for a reason the screens
explain politely, resumed, closed at the end of the shift.

Each public function is one transaction and returns an Outcome, as in qhall.queue."""

from __future__ import annotations

from datetime import datetime

from qhall import events as ev
from qhall.db import unit_of_work
from qhall.errors import BadInput, Conflict, CounterNotOpen
from qhall.events import Outcome
from qhall.lookups import find_window, ticket_in_hand
from qhall.models import Counter, PauseReason, Unit
from qhall.shapes import counter_view


def open_window(unit_code: str, window: int) -> tuple[Unit, Counter]:
    """Return a hall and its window, which must be open for service."""
    unit, counter = find_window(unit_code, window)
    if counter.state != "open":
        raise CounterNotOpen(state=counter.state)
    return unit, counter


def open_counter(
    unit_code: str, window: int, *, staff_id, now: datetime, request_key=None
) -> Outcome:
    """Open a window for service with a staff member on duty."""
    with unit_of_work(request_key, f"open:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit, counter = find_window(unit_code, window)
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
        unit, counter = open_window(unit_code, window)
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
        unit, counter = find_window(unit_code, window)
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
        unit, counter = find_window(unit_code, window)
        if ticket_in_hand(counter) is not None:
            raise Conflict(
                "请先办结或转出当前的号，再关闭窗口。",
                "Please finish or transfer the ticket in hand before closing the window.",
            )
        counter.pause_reason = None
        return uow.finish(
            _set_state(unit, counter, ev.COUNTER_CLOSED, "closed", now, staff_id, staff=None)
        )


_UNCHANGED = object()


def _set_state(unit, counter: Counter, name, state, now, staff_id, staff=_UNCHANGED) -> dict:
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
    )
    return {"counter": payload["counter_view"]}
