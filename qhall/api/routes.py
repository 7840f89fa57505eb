"""The API's views: parse and check the input, call one core function, answer in JSON."""

from __future__ import annotations

from flask import current_app, jsonify, request, session

from qhall import queue
from qhall.api import bp
from qhall.api.openapi import openapi_document
from qhall.auth import sign_in, ticket_source
from qhall.errors import BadInput, RemoteTicketsClosed, TooManyTickets
from qhall.limits import SlidingWindowLimit
from qhall.models import TICKET_SOURCES, PauseReason, Unit
from qhall.views import find_unit, services_view, snapshot, staff_view, unit_view, visitor_view
from qhall.web import (
    current_staff,
    field,
    json_body,
    now,
    publish_result,
    request_key,
    require_staff,
)


@bp.get("/openapi.json")
def openapi():
    """Serve the OpenAPI document of the whole API."""
    return jsonify(openapi_document())


@bp.get("/units")
def units():
    """List the service halls."""
    return jsonify([unit_view(unit) for unit in Unit.select().order_by(Unit.code)])


@bp.get("/units/<unit>/services")
def services(unit: str):
    """List a hall's services with their queues and estimated waits."""
    return jsonify(services_view(find_unit(unit), now()))


@bp.get("/units/<unit>/snapshot")
def unit_snapshot(unit: str):
    """Return everything a screen needs to draw the hall."""
    return jsonify(snapshot(unit, now()))


@bp.post("/units/<unit>/tickets")
def issue_ticket(unit: str):
    """Take a ticket for a service."""
    body = json_body()
    service = field(body, "service", str)
    priority = field(body, "priority", str, required=False)
    claimed = field(body, "source", str, required=False)  # checked, never trusted
    if claimed is not None and claimed not in TICKET_SOURCES:
        raise BadInput("取号来源无效。", "Unknown ticket source.", allowed=list(TICKET_SOURCES))
    hall = find_unit(unit)
    kiosks = current_app.extensions["printing"].kiosks.values()
    source = ticket_source(
        hall,
        device_token=request.headers.get("X-Device-Token", ""),
        kiosk_tokens=[k.token for k in kiosks if k.unit == hall.code],
        staff=current_staff(),
    )
    limits = current_app.config["TICKETS"]
    if source == "mobile":
        if not limits["REMOTE"]:
            raise RemoteTicketsClosed()
        if not remote_limit().allow(request.remote_addr or "", now()):
            raise TooManyTickets()
    outcome = queue.issue_ticket(
        unit,
        service,
        priority=priority,
        source=source,
        remote_daily_max=limits["REMOTE_DAILY_MAX"],
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome, 200 if outcome.replayed else 201)


def remote_limit() -> SlidingWindowLimit:
    """Return this process's limit on tickets from outside the hall, per client address."""
    state = current_app.extensions["qhall"]
    if state.remote_limit is None:
        limits = current_app.config["TICKETS"]
        state.remote_limit = SlidingWindowLimit(
            limits["REMOTE_PER_CLIENT"], limits["REMOTE_WINDOW_S"]
        )
    return state.remote_limit


@bp.get("/tickets/<token>")
def ticket(token: str):
    """Return a ticket as its holder follows it."""
    return jsonify(visitor_view(token))


@bp.post("/tickets/<token>/cancel")
def cancel_ticket(token: str):
    """Withdraw a waiting ticket at its holder's request."""
    return publish_result(queue.cancel(token, now=now(), request_key=request_key()))


@bp.post("/units/<unit>/requeue")
def requeue(unit: str):
    """Put a visitor who missed the call back in line (staff only)."""
    staff = require_staff(find_unit(unit))
    number = field(json_body(), "number", str)
    return publish_result(
        queue.requeue_no_show(unit, number, staff_id=staff.id, now=now(), request_key=request_key())
    )


# Each window action: the core function and how it reads its extra fields from the body.
COUNTER_ACTIONS = {
    "open": (queue.open_counter, lambda body: {}),
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
    "pause": (queue.pause_counter, lambda body: {"reason": field(body, "reason", str)}),
    "resume": (queue.resume_counter, lambda body: {}),
    "close": (queue.close_counter, lambda body: {}),
}


@bp.post("/units/<unit>/counters/<int:window>/<action>")
def counter_action(unit: str, window: int, action: str):
    """Carry out a window action (staff of the hall only)."""
    if action not in COUNTER_ACTIONS:
        raise BadInput("未知的窗口操作。", "Unknown window action.", allowed=list(COUNTER_ACTIONS))
    staff = require_staff(find_unit(unit))
    run, read_fields = COUNTER_ACTIONS[action]
    extra = read_fields(json_body())
    outcome = run(unit, window, **extra, staff_id=staff.id, now=now(), request_key=request_key())
    return publish_result(outcome)


@bp.get("/pause-reasons")
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


@bp.post("/session")
def start_session():
    """Sign a staff member in with a login and password (sets the session cookie)."""
    body = json_body()
    staff = sign_in(
        field(body, "login", str),
        field(body, "password", str),
        client=request.remote_addr or "",
        now=now(),
    )
    session.clear()
    session["staff_id"] = staff.id
    return jsonify(staff_view(staff))


@bp.get("/session")
def who_am_i():
    """Return the signed-in staff member."""
    return jsonify(staff_view(require_staff()))


@bp.delete("/session")
def sign_out():
    """Sign out."""
    session.clear()
    return jsonify({"signed_in": False})
