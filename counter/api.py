"""The window client's JSON routes for the queue: the window's actions (open, call next,
recall, no-show, transfer, pause, ...), its line in calling order, putting a missed visitor
back, the pause reasons, and reprinting the ticket in hand on the window's printer.

Everything the window client (counter/static/) and the rating tablet call on the server:
- here: POST /api/units/<unit>/counters/<window>/<action> (open, call-next, call, recall,
  start, finish, no-show, transfer, pause, resume, close, release; the rules in
  qhall/queue.py and qhall/windows.py: only a window's holder acts on it, and the hall's
  manager releases a window its holder left open), GET …/counters/<window>/queue (the line, from queue.window_line),
  POST /api/units/<unit>/requeue, GET /api/pause-reasons, POST …/counters/<window>/reprint,
  GET /api/units/<unit>/transfer-targets (where a visitor may be sent, by name: qhall/transfers.py);
- counter/cases_api.py: /api/units/<unit>/inquiries… (first inquiries, qhall/inquiries.py)
  and /api/units/<unit>/cases… (promised cases, qhall/cases.py);
- counter/ratings_api.py: …/counters/<window>/rating (the tablet, qhall/ratings.py);
- counter/matters_api.py: …/counters/<window>/matter (the visit's 办件编号, qhall/matters.py);
- counter/rectification_api.py: /api/units/<unit>/rectifications… (qhall/rectification.py);
- qhall/web/site.py: /api/session (sign in and out); and the hall's live events over
  Socket.IO (qhall/web/realtime.py, joined by qhall/static/live.js).
"""

from __future__ import annotations

from typing import Literal

from flask import jsonify, request
from pydantic import Field, RootModel

from counter import bp
from printer.ticket import print_ticket
from qhall import queue, transfers, windows
from qhall.errors import BadInput, Conflict, NoTicketInHand
from qhall.lookups import find_unit, ticket_in_hand
from qhall.models import PauseReason
from qhall.queue import window_queue
from qhall.web.printing import printing, reprint_key, ticket_extras
from qhall.web.request import now, publish_result, request_key, require_staff
from qhall.web.schema import (
    STAFF,
    Answer,
    Counter,
    Input,
    Int32,
    KeyedHeaders,
    Record,
    Ticket,
    TicketResult,
    answers,
    spec,
    staff_only,
)


def hall_staff(unit: str, **_path: object):
    """Return the signed-in staff member, who must work at the hall."""
    return require_staff(find_unit(unit))


HALL_STAFF = staff_only(hall_staff)


class NumberRequest(Input):
    number: str


class Transfer(Input):
    to_service: str | None = None
    to_window: Int32 | None = None
    override: bool = Field(
        False, description="the hall's manager sends the visitor where nobody serves now"
    )


class Pause(Input):
    reason: str


class LetGo(Answer):
    number: str
    status: Literal["finished", "no_show"]  # no_show: called, never started (qhall.queue)


class CounterResult(Answer):
    ticket: Ticket | None = None  # window state changes carry none
    counter: Counter
    let_go: LetGo | None = None  # call-next and call: the visitor the window held before
    sent_back: list[str] | None = None  # close, release: those transferred here, back in line
    override: bool | None = None  # transfer: sent where nobody serves, by the manager


class PauseReasonView(Answer):
    code: str
    name: str
    name_en: str
    notice: str
    notice_en: str


class PauseReasons(RootModel[list[PauseReasonView]]):
    pass


@bp.get("/api/units/<unit>/counters/<int:window>/queue")
@spec.validate(resp=answers(Record, *STAFF), operation_id="counter_queue", **HALL_STAFF)
def counter_queue(unit: str, window: int):
    """Return the window's ticket in hand, its line in calling order and today's figures."""
    return jsonify(window_queue(unit, window, require_staff(find_unit(unit)), now()))


@bp.post("/api/units/<unit>/requeue")
@spec.validate(resp=answers(TicketResult, *STAFF), operation_id="requeue", **HALL_STAFF)
def requeue(unit: str, json: NumberRequest, headers: KeyedHeaders):
    """Put a visitor who missed the call back in line, once, within the grace period."""
    staff = hall_staff(unit)
    return publish_result(
        queue.requeue_no_show(
            unit, json.number, staff_id=staff.id, now=now(), request_key=request_key()
        )
    )


# Each window action: the core function, the body it reads its extra arguments from (None:
# no body) and its summary in the document. Each is its own route and operation.
COUNTER_ACTIONS = {
    "open": (windows.open_counter, None, "Open the window with the signed-in staff member on duty"),
    "call-next": (queue.call_next, None, "Call the next visitor (the ticket in hand: finished if started, else a no-show)"),
    "call": (queue.call_number, NumberRequest, "Call one waiting number out of turn"),
    "recall": (queue.recall, None, "Call the ticket in hand again"),
    "start": (queue.start, None, "Start serving the ticket in hand"),
    "finish": (queue.finish, None, "Finish the ticket in hand"),
    "no-show": (queue.mark_no_show, None, "Mark the called visitor as not present"),
    "transfer": (queue.transfer, Transfer, "Send the ticket in hand to another service or window, keeping its place (only where an open window serves, unless the manager overrides)"),
    "pause": (windows.pause_counter, Pause, "Pause the window with a reason"),
    "resume": (windows.resume_counter, None, "Resume a paused window"),
    "close": (windows.close_counter, None, "Close the window"),
    "release": (windows.release_counter, None, "Close a colleague's window, the visitor in hand back in line (the hall's manager only)"),
}  # fmt: skip


def counter_action(action: str):
    """Return the view of one window action (staff of the hall only)."""
    run, body, summary = COUNTER_ACTIONS[action]

    def view(unit: str, window: int):
        staff = hall_staff(unit)
        extra = request.context.json.model_dump() if body is not None else {}
        outcome = run(
            unit, window, **extra, staff_id=staff.id, now=now(), request_key=request_key()
        )
        return publish_result(outcome)

    view.__name__ = view.__qualname__ = "counter_" + action.replace("-", "_")
    view.__doc__ = summary
    return spec.validate(
        json=body,
        headers=KeyedHeaders,
        resp=answers(CounterResult, *STAFF),
        operation_id=view.__name__,
        **HALL_STAFF,
    )(view)


for _action in COUNTER_ACTIONS:
    bp.add_url_rule(
        f"/api/units/<unit>/counters/<int:window>/{_action}",
        view_func=counter_action(_action),
        methods=["POST"],
    )


@bp.get("/api/units/<unit>/transfer-targets")
@spec.validate(resp=answers(Record, *STAFF), operation_id="transfer_targets", **HALL_STAFF)
def transfer_targets(unit: str):
    """List where a visitor may be sent or a matter referred, by name: the open windows,
    the services with how many open windows serve each, colleagues and other halls."""
    return jsonify(transfers.transfer_targets(unit, hall_staff(unit)))


@bp.post("/api/units/<unit>/counters/<int:window>/<action>")
def unknown_counter_action(unit: str, window: int, action: str):
    """Refuse a window action that does not exist (each one has its own route above)."""
    raise BadInput("未知的窗口操作。", "Unknown window action.", allowed=list(COUNTER_ACTIONS))


@bp.get("/api/pause-reasons")
@spec.validate(resp=answers(PauseReasons, 503), operation_id="pause_reasons")
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
@spec.validate(
    resp=answers(Record, *STAFF, status=202, description="Queued for the window's printer"),
    operation_id="reprint_at_window",
    **HALL_STAFF,
)
def reprint_at_window(unit: str, window: int, headers: KeyedHeaders):
    """Reprint the ticket in hand on the window's own printer (staff of the hall only)."""
    staff = hall_staff(unit)
    _, counter = windows.held_window(unit, window, staff.id)
    ticket = ticket_in_hand(counter)
    if ticket is None:
        raise NoTicketInHand()
    printer = printing().printers.get(counter.printer or "")
    if printer is None or not printer.prints:
        raise Conflict("本窗口没有配置打印机。", "This window has no printer.", window=window)
    result = print_ticket(
        ticket.token,
        printer,
        kind="reprint",
        now=now(),
        request_key=reprint_key(request_key()),
        **ticket_extras(ticket.token),
    )
    return jsonify(result), 202
