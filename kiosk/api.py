"""The kiosk's and the visitor's phone's JSON routes: services and waits, taking and
withdrawing a ticket, following it, rating the visit from the phone, printing the ticket and
its picture as it prints."""

from __future__ import annotations

import io

from flask import current_app, jsonify, request, send_file

from kiosk import bp
from printer.jobs import find_job, job_view
from printer.layout import FULL_WIDTH, png_bytes
from printer.ticket import print_ticket, ticket_image
from qhall import queue, ratings
from qhall.auth import ticket_source
from qhall.errors import BadInput, Conflict, NotFound, RemoteTicketsClosed, TooManyTickets
from qhall.limits import SlidingWindowLimit
from qhall.lookups import find_unit
from qhall.models import TICKET_SOURCES
from qhall.shapes import services_view, visitor_view
from qhall.web.openapi import IDEMPOTENCY_KEY, STAFF_SECURITY, TOKEN, UNIT, WINDOW, _json, _ref
from qhall.web.printing import phone_url, printing
from qhall.web.request import (
    current_staff,
    field,
    json_body,
    now,
    publish_result,
    request_key,
    require_staff,
)

PAPER_WIDTHS = (384, 576)


@bp.get("/api/units/<unit>/services")
def services(unit: str):
    """List a hall's services with their queues and estimated waits."""
    return jsonify(services_view(find_unit(unit), now()))


@bp.post("/api/units/<unit>/tickets")
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


@bp.get("/api/tickets/<token>")
def ticket(token: str):
    """Return a ticket as its holder follows it."""
    return jsonify(visitor_view(token))


@bp.post("/api/tickets/<token>/cancel")
def cancel_ticket(token: str):
    """Withdraw a waiting ticket at its holder's request."""
    return publish_result(queue.cancel(token, now=now(), request_key=request_key()))


@bp.get("/api/tickets/<token>/rating")
def ticket_rating(token: str):
    """Tell the visitor's phone whether the visit can be rated, and its rating if given."""
    return jsonify(ratings.ticket_rating(token))


@bp.post("/api/tickets/<token>/rating")
def rate_by_token(token: str):
    """Record a rating from the visitor's phone for their finished visit."""
    body = json_body()
    outcome = ratings.rate_by_token(
        token,
        level=field(body, "level", int),
        reason=field(body, "reason", str, required=False) or "",
        now=now(),
        rectification_days=current_app.config["COUNTER"]["RECTIFICATION_DAYS"],
        request_key=request_key(),
    )
    return publish_result(outcome, 200 if outcome.replayed else 201)


@bp.post("/api/tickets/<token>/print")
def print_ticket_route(token: str):
    """Print a ticket on a kiosk's printer, or (staff) reprint it on a named printer."""
    body = json_body()
    kiosk_name = field(body, "kiosk", str, required=False)
    printer_name = field(body, "printer", str, required=False)
    setup = printing()
    if printer_name is not None:  # a reprint from a window: staff only
        printer = setup.printers.get(printer_name)
        if printer is None or not printer.prints:
            raise NotFound("没有找到该打印机。", "No such printer.", printer=printer_name)
        require_staff(find_unit(printer.unit))
        key = request_key()
        kind, key = "reprint", f"reprint:{key}" if key else None
    elif kiosk_name is not None:
        kiosk = setup.kiosks.get(kiosk_name)
        printer = setup.printer_of(kiosk)
        if printer is None:
            raise Conflict("本机没有可用的打印机。", "This kiosk has no printer.", kiosk=kiosk_name)
        # A ticket comes out of its kiosk once, however often the kiosk asks; more copies
        # are reprints by the staff.
        kind, key = "ticket", f"kiosk-print:{token}"
    else:
        raise BadInput("请指定自助机或打印机。", "Name the kiosk or the printer.")
    result = print_ticket(
        token,
        printer,
        kind=kind,
        qr_url=phone_url(token),
        civility_lines=current_app.config["CIVILITY_LINES"],
        now=now(),
        request_key=key,
    )
    return jsonify(result), 202


@bp.get("/api/print-jobs/<int:job_id>")
def print_job(job_id: int):
    """Return a print job: pending, printed or expired, and its tries."""
    job = find_job(job_id)
    if job is None:
        raise NotFound("没有找到该打印任务。", "No such print job.")
    return jsonify(job_view(job))


@bp.get("/api/tickets/<token>/ticket.png")
def ticket_png(token: str):
    """Return the ticket's picture exactly as it prints (?width=384 for 58 mm paper)."""
    width = request.args.get("width", FULL_WIDTH, type=int)
    if width not in PAPER_WIDTHS:
        raise BadInput("纸宽应为 384 或 576 点。", "The width must be 384 or 576 dots.")
    image = ticket_image(
        token,
        width=width,
        qr_url=phone_url(token),
        civility_lines=current_app.config["CIVILITY_LINES"],
    )
    response = send_file(io.BytesIO(png_bytes(image)), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"  # people ahead and the wait change
    return response


_ERROR = _json(_ref("Error"), "Error")

_JOB = {
    "type": "object",
    "required": ["id", "printer", "status", "attempts"],
    "properties": {
        "id": {"type": "integer"},
        "printer": {"type": "string"},
        "kind": {"type": "string"},
        "ref": {"type": "string"},
        "status": {"type": "string", "enum": ["pending", "printed", "expired"]},
        "attempts": {"type": "integer"},
        "last_error": {"type": ["string", "null"]},
        "created_at": {"type": "string"},
        "printed_at": {"type": ["string", "null"]},
    },
}

OPENAPI_PATHS = {
    "/api/tickets/{token}/print": {
        "post": {
            "summary": "Print a ticket on a kiosk's printer once, or reprint it (staff) on a printer",
            "operationId": "print_ticket",
            "parameters": [TOKEN, IDEMPOTENCY_KEY],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "kiosk": {"type": "string"},
                                "printer": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "202": {
                    "description": "Queued for the printer",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "job": _JOB,
                                    "printer": {
                                        "type": "object",
                                        "properties": {
                                            "name": {"type": "string"},
                                            "status": {"type": "string"},
                                        },
                                    },
                                },
                            }
                        }
                    },
                },
                "400": _ERROR,
                "401": _ERROR,
                "403": _ERROR,
                "404": _ERROR,
                "409": _ERROR,
            },
        }
    },
    "/api/units/{unit}/counters/{window}/reprint": {
        "post": {
            "summary": "Reprint the ticket in hand on the window's own printer (staff)",
            "operationId": "reprint_at_window",
            "parameters": [UNIT, WINDOW, IDEMPOTENCY_KEY],
            "security": STAFF_SECURITY,
            "responses": {
                "202": {
                    "description": "Queued for the window's printer",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "401": _ERROR,
                "403": _ERROR,
                "404": _ERROR,
                "409": _ERROR,
            },
        }
    },
    "/api/print-jobs/{job_id}": {
        "get": {
            "summary": "A print job and whether it has printed",
            "operationId": "print_job",
            "parameters": [
                {"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": _JOB}},
                },
                "404": _ERROR,
            },
        }
    },
    "/api/tickets/{token}/ticket.png": {
        "get": {
            "summary": "The ticket's picture as it prints",
            "operationId": "ticket_png",
            "parameters": [
                TOKEN,
                {
                    "name": "width",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "enum": list(PAPER_WIDTHS)},
                },
            ],
            "responses": {
                "200": {
                    "description": "A 1-bit PNG",
                    "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
                },
                "400": _ERROR,
                "404": _ERROR,
            },
        }
    },
}
