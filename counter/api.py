"""The window client's JSON routes for the queue: the window's actions (open, call next,
recall, no-show, transfer, pause, ...), its line in calling order, putting a missed visitor
back, the pause reasons, and reprinting the ticket in hand on the window's printer."""

from __future__ import annotations

from flask import current_app, jsonify

from counter import bp
from printer.ticket import print_ticket
from qhall import queue, windows
from qhall.errors import BadInput, Conflict, NoTicketInHand
from qhall.lookups import find_counter, find_unit, ticket_in_hand
from qhall.models import PauseReason
from qhall.queue import window_queue
from qhall.web.printing import phone_url, printing
from qhall.web.request import field, json_body, now, publish_result, request_key, require_staff


@bp.get("/api/units/<unit>/counters/<int:window>/queue")
def counter_queue(unit: str, window: int):
    """Return the window's ticket in hand, its line in calling order and today's figures."""
    return jsonify(window_queue(unit, window, require_staff(find_unit(unit)), now()))


@bp.post("/api/units/<unit>/requeue")
def requeue(unit: str):
    """Put a visitor who missed the call back in line (staff only)."""
    staff = require_staff(find_unit(unit))
    number = field(json_body(), "number", str)
    return publish_result(
        queue.requeue_no_show(unit, number, staff_id=staff.id, now=now(), request_key=request_key())
    )


# Each window action: the core function and how it reads its extra fields from the body.
COUNTER_ACTIONS = {
    "open": (windows.open_counter, lambda body: {}),
    "call-next": (queue.call_next, lambda body: {}),
    "call": (queue.call_number, lambda body: {"number": field(body, "number", str)}),
    "recall": (queue.recall, lambda body: {}),
    "start": (queue.start, lambda body: {}),
    "finish": (queue.finish, lambda body: {}),
    "no-show": (queue.mark_no_show, lambda body: {}),
    "transfer": (
        queue.transfer,
        lambda body: {
            "to_service": field(body, "to_service", str, required=False),
            "to_window": field(body, "to_window", int, required=False),
        },
    ),
    "pause": (windows.pause_counter, lambda body: {"reason": field(body, "reason", str)}),
    "resume": (windows.resume_counter, lambda body: {}),
    "close": (windows.close_counter, lambda body: {}),
}


@bp.post("/api/units/<unit>/counters/<int:window>/<action>")
def counter_action(unit: str, window: int, action: str):
    """Carry out a window action (staff of the hall only)."""
    if action not in COUNTER_ACTIONS:
        raise BadInput("未知的窗口操作。", "Unknown window action.", allowed=list(COUNTER_ACTIONS))
    staff = require_staff(find_unit(unit))
    run, read_fields = COUNTER_ACTIONS[action]
    extra = read_fields(json_body())
    outcome = run(unit, window, **extra, staff_id=staff.id, now=now(), request_key=request_key())
    return publish_result(outcome)


@bp.get("/api/pause-reasons")
def pause_reasons():
    """List the reasons a window may pause for."""
    reasons = PauseReason.select().order_by(PauseReason.id)
    return jsonify(
        [
            {
                "code": r.code,
                "name": r.name_zh,
                "name_en": r.name_en,
                "notice": r.notice_zh,
                "notice_en": r.notice_en,
            }
            for r in reasons
        ]
    )


@bp.post("/api/units/<unit>/counters/<int:window>/reprint")
def reprint_at_window(unit: str, window: int):
    """Reprint the ticket in hand on the window's own printer (staff of the hall only)."""
    hall = find_unit(unit)
    require_staff(hall)
    counter = find_counter(hall, window)
    ticket = ticket_in_hand(counter)
    if ticket is None:
        raise NoTicketInHand()
    printer = printing().printers.get(counter.printer or "")
    if printer is None or not printer.prints:
        raise Conflict("本窗口没有配置打印机。", "This window has no printer.", window=window)
    key = request_key()
    result = print_ticket(
        ticket.token,
        printer,
        kind="reprint",
        qr_url=phone_url(ticket.token),
        civility_lines=current_app.config["CIVILITY_LINES"],
        now=now(),
        request_key=f"reprint:{key}" if key else None,
    )
    return jsonify(result), 202
