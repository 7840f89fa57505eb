"""The kiosk's and the printer's JSON routes: print a ticket, follow the print job, and the
ticket's picture as it prints."""

from __future__ import annotations

import io

from flask import current_app, jsonify, request, send_file, url_for

from kiosk import bp
from printer.jobs import find_job, job_view
from printer.layout import FULL_WIDTH, png_bytes
from printer.ticket import print_ticket, ticket_image
from qhall.api.openapi import (
    IDEMPOTENCY_KEY,
    STAFF_SECURITY,
    TOKEN,
    UNIT,
    WINDOW,
    _json,
    _ref,
)
from qhall.errors import BadInput, Conflict, NotFound, NoTicketInHand
from qhall.views import find_counter, find_unit, ticket_in_hand
from qhall.web import field, json_body, now, request_key, require_staff

PAPER_WIDTHS = (384, 576)


def printing():
    """Return the application's printers and kiosks (printer.spooler.PrintSetup)."""
    return current_app.extensions["printing"]


def phone_url(token: str) -> str:
    """Return the address of the ticket's phone page, as the QR code carries it."""
    base = current_app.config["PUBLIC_URL"].rstrip("/") or request.url_root.rstrip("/")
    return base + url_for("kiosk.phone", token=token)


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
