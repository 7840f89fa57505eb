"""The visit's 办件编号: the number the bureau's business system gave the matter, entered
or scanned at the window by the staff member serving the visitor (a scanner types like a
keyboard). The 好差评 platform keys the visit's rating by it (qhall.haocha); without it,
by the ticket."""

from __future__ import annotations

from datetime import datetime

from qhall import validate
from qhall.audit import record_action
from qhall.db import unit_of_work
from qhall.errors import BadInput, NoTicketInHand
from qhall.events import Outcome
from qhall.lookups import ticket_in_hand
from qhall.windows import held_window

ZH, EN = "办件编号", "Matter number"


def set_matter_number(
    unit_code: str,
    window: int,
    number: str,
    *,
    staff_id: int,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Record the matter number of the ticket in hand at a window (its holder only; again
    to correct it), in the audit log with who entered it."""
    number = validate.outside_code(number, ZH, EN)
    if not number:
        raise BadInput("请输入或扫描办件编号。", "Please type or scan the matter number.",
                       field="matter_number")  # fmt: skip
    with unit_of_work(request_key, f"matter:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        ticket = _ticket_in_hand(unit_code, window, staff_id)
        before = ticket.matter_number
        ticket.matter_number = number
        ticket.save()
        record_action(staff_id=staff_id, unit_id=ticket.unit_id, action="ticket.matter_number",
                      target=f"{ticket.day.isoformat()}/{ticket.number}",
                      before={"matter_number": before}, after={"matter_number": number},
                      now=now)  # fmt: skip
        return uow.finish(matter_view(ticket))


def matter_of_ticket_in_hand(unit_code: str, window: int, staff_id: int) -> dict:
    """Return the ticket in hand at a window with its matter number (its holder only)."""
    return matter_view(_ticket_in_hand(unit_code, window, staff_id))


def _ticket_in_hand(unit_code: str, window: int, staff_id: int):
    _unit, counter = held_window(unit_code, window, staff_id)
    ticket = ticket_in_hand(counter)
    if ticket is None:
        raise NoTicketInHand()
    return ticket


def matter_view(ticket) -> dict:
    """Return what the window sees: the ticket and the matter number saved for it."""
    return {"ticket": ticket.number, "matter_number": ticket.matter_number}
