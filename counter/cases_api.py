"""The window client's JSON routes for its matters: first inquiries (首问负责制) and
time-limited cases (限时办结), with their receipts and notices on the window's printer.

The matter a command acts on (an inquiry's id, a case's number) travels in the JSON body,
so every path names only the hall (and the window)."""

from __future__ import annotations

import logging

from flask import current_app, jsonify, request

from counter import bp
from printer.printouts import FULL_WIDTH, queue_printout
from qhall import cases, inquiries
from qhall.lookups import find_unit
from qhall.web.openapi import (
    IDEMPOTENCY_KEY,
    STAFF_ERRORS,
    STAFF_SECURITY,
    UNIT,
    WINDOW,
    _body,
    _json,
)
from qhall.web.request import field, json_body, now, publish_result, request_key, require_staff

log = logging.getLogger(__name__)


def settings() -> dict:
    """Return the counter's settings ([COUNTER] in config/default.toml)."""
    return current_app.config["COUNTER"]


def _staff(unit: str):
    return require_staff(find_unit(unit))


def _text(body: dict, name: str, required: bool = False) -> str:
    return field(body, name, str, required=required) or ""


def _list(body: dict, name: str) -> list:
    return field(body, name, list, required=False) or []


# --- first inquiries -----------------------------------------------------------------


@bp.get("/api/units/<unit>/inquiries")
def open_inquiries(unit: str):
    """List the signed-in staff member's open matters and those referred to them."""
    return jsonify(inquiries.inquiry_lists(unit, _staff(unit)))


@bp.post("/api/units/<unit>/inquiries")
def register_inquiry(unit: str):
    """Register a matter received first (首问负责制)."""
    staff, body = _staff(unit), json_body()
    outcome = inquiries.register_inquiry(
        unit,
        staff_id=staff.id,
        matter=_text(body, "matter", True),
        visitor_name=_text(body, "visitor_name"),
        visitor_phone=_text(body, "visitor_phone"),
        organisation=_text(body, "organisation"),
        materials=_list(body, "materials"),
        service_code=field(body, "service", str, required=False),
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome, 200 if outcome.replayed else 201)


@bp.post("/api/units/<unit>/inquiries/refer")
def refer_inquiry(unit: str):
    """Refer a matter to another service, window, unit or named staff member."""
    staff, body = _staff(unit), json_body()
    outcome = inquiries.refer_inquiry(
        unit,
        field(body, "inquiry", int),
        staff_id=staff.id,
        to_unit=field(body, "to_unit", str, required=False),
        to_service=field(body, "to_service", str, required=False),
        to_window=field(body, "to_window", int, required=False),
        to_staff=field(body, "to_staff", str, required=False),
        note=_text(body, "note"),
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/inquiries/visit")
def inquiry_visit(unit: str):
    """Count one more visit the visitor made for a matter."""
    staff, body = _staff(unit), json_body()
    outcome = inquiries.record_visit(
        unit, field(body, "inquiry", int), staff_id=staff.id, now=now(), request_key=request_key()
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/inquiries/resolve")
def resolve_inquiry(unit: str):
    """Record a matter's outcome (its owner only)."""
    staff, body = _staff(unit), json_body()
    outcome = inquiries.resolve_inquiry(
        unit,
        field(body, "inquiry", int),
        staff_id=staff.id,
        outcome=_text(body, "outcome", True),
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


# --- cases ---------------------------------------------------------------------------


@bp.get("/api/units/<unit>/cases")
def case_lists(unit: str):
    """List running cases by urgency (one case with ?number=)."""
    staff = _staff(unit)
    number = request.args.get("number")
    if number:
        return jsonify(cases.find_case(unit, number, staff, now()))
    warn_days = settings()["CASE_WARNING_DAYS"]
    return jsonify(cases.case_lists(unit, staff, now=now(), warn_days=warn_days))


@bp.post("/api/units/<unit>/cases")
def accept_case(unit: str):
    """Accept a promised matter as a case and print its receipt at the window."""
    staff, body = _staff(unit), json_body()
    outcome = cases.accept_case(
        unit,
        field(body, "service", str),
        staff_id=staff.id,
        matter=_text(body, "matter", True),
        materials=_list(body, "materials"),
        visitor_name=_text(body, "visitor_name"),
        visitor_phone=_text(body, "visitor_phone"),
        window=field(body, "window", int, required=False),
        inquiry_id=field(body, "inquiry", int, required=False),
        tasks=_list(body, "tasks"),
        now=now(),
        request_key=request_key(),
    )
    outcome.result["print_job"] = _print(outcome.result, "receipt")
    return publish_result(outcome, 200 if outcome.replayed else 201)


@bp.post("/api/units/<unit>/cases/suspend")
def suspend_case(unit: str):
    """Stop a case's clock for missing materials (补正) and print the notice."""
    staff, body = _staff(unit), json_body()
    outcome = cases.suspend_case(
        unit,
        field(body, "number", str),
        staff_id=staff.id,
        missing=_list(body, "missing"),
        window=field(body, "window", int, required=False),
        now=now(),
        request_key=request_key(),
    )
    outcome.result["print_job"] = _print(outcome.result, "notice")
    return publish_result(outcome)


def _print(result: dict, what: str) -> int | None:
    """Queue the receipt or notice on the window's printer, after the commit. The case
    stands whether or not the printer's queue takes it: staff can see print_job is null."""
    printer = result.get("printer")
    if not printer:
        return None
    printing = current_app.extensions.get("printing")
    known = printing.printers.get(printer) if printing else None
    try:
        return queue_printout(
            printer,
            result[what],
            contact_phone=settings()["CASE_CONTACT_PHONE"],
            width=known.width if known else FULL_WIDTH,
            now=now(),
            request_key=request_key(),
        )
    except Exception:  # the commit is done; a print failure must not hide it
        log.exception("could not queue the %s of case %s", what, result[what]["number"])
        return None


@bp.post("/api/units/<unit>/cases/resume")
def resume_case(unit: str):
    """Restart a case's clock: the missing materials have come."""
    staff, body = _staff(unit), json_body()
    outcome = cases.resume_case(
        unit, field(body, "number", str), staff_id=staff.id, now=now(), request_key=request_key()
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/cases/extension")
def request_extension(unit: str):
    """Ask a manager to extend a case by some working days, with a reason."""
    staff, body = _staff(unit), json_body()
    outcome = cases.request_extension(
        unit,
        field(body, "number", str),
        staff_id=staff.id,
        days=field(body, "days", int),
        reason=_text(body, "reason", True),
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/cases/extension-decision")
def decide_extension(unit: str):
    """Approve or refuse a case's pending extension (managers only)."""
    staff, body = _staff(unit), json_body()
    outcome = cases.decide_extension(
        unit,
        field(body, "number", str),
        staff_id=staff.id,
        approve=field(body, "approve", bool),
        note=_text(body, "note"),
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/cases/task-done")
def finish_task(unit: str):
    """Record one department's parallel task done."""
    staff, body = _staff(unit), json_body()
    outcome = cases.finish_task(
        unit,
        field(body, "number", str),
        field(body, "task", int),
        staff_id=staff.id,
        note=_text(body, "note"),
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/cases/complete")
def complete_case(unit: str):
    """Complete a case (办结) with its result."""
    staff, body = _staff(unit), json_body()
    outcome = cases.complete_case(
        unit,
        field(body, "number", str),
        staff_id=staff.id,
        result=_text(body, "result", True),
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/cases/check-deadlines")
def check_deadlines(unit: str):
    """Warn of cases near their deadline and escalate overdue ones (each once)."""
    _staff(unit)
    warn_days = settings()["CASE_WARNING_DAYS"]
    return publish_result(cases.check_deadlines(unit, now=now(), warn_days=warn_days))


# --- the OpenAPI document ------------------------------------------------------------

_OBJECT = {"type": "object"}
_MATERIALS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "quantity": {"type": "integer"}},
    },
}
_INQUIRY = {"inquiry": {"type": "integer"}}
_NUMBER = {"number": {"type": "string"}}


def _staff_post(summary: str, op: str, properties: dict, required: list[str], code="200"):
    return {
        "post": {
            "summary": summary,
            "operationId": op,
            "parameters": [UNIT, IDEMPOTENCY_KEY],
            "security": STAFF_SECURITY,
            "requestBody": _body(properties, required),
            "responses": {code: _json(_OBJECT), **STAFF_ERRORS},
        }
    }


def _staff_get(summary: str, op: str, parameters: list | None = None) -> dict:
    return {
        "get": {
            "summary": summary,
            "operationId": op,
            "parameters": [UNIT, *(parameters or [])],
            "security": STAFF_SECURITY,
            "responses": {"200": _json(_OBJECT), **STAFF_ERRORS},
        }
    }


_U = "/api/units/{unit}"
OPENAPI_PATHS = {
    f"{_U}/counters/{{window}}/queue": {
        "get": {
            **_staff_get("The window's ticket in hand, line and figures", "counter_queue")["get"],
            "parameters": [UNIT, WINDOW],
        }
    },
    f"{_U}/inquiries": {
        **_staff_get("My open matters and those referred to me", "list_inquiries"),
        **_staff_post(
            "Register a matter received first (首问负责制)",
            "register_inquiry",
            {
                "matter": {"type": "string"},
                "visitor_name": {"type": "string"},
                "visitor_phone": {"type": "string"},
                "organisation": {"type": "string"},
                "materials": _MATERIALS,
                "service": {"type": "string"},
            },
            ["matter"],
            "201",
        ),
    },
    f"{_U}/inquiries/refer": _staff_post(
        "Refer a matter elsewhere; its owner keeps it",
        "refer_inquiry",
        {
            **_INQUIRY,
            "to_unit": {"type": "string"},
            "to_service": {"type": "string"},
            "to_window": {"type": "integer"},
            "to_staff": {"type": "string", "description": "a staff login"},
            "note": {"type": "string"},
        },
        ["inquiry"],
    ),
    f"{_U}/inquiries/visit": _staff_post(
        "Count another visit for a matter", "inquiry_visit", _INQUIRY, ["inquiry"]
    ),
    f"{_U}/inquiries/resolve": _staff_post(
        "Record a matter's outcome (its owner)",
        "resolve_inquiry",
        {**_INQUIRY, "outcome": {"type": "string"}},
        ["inquiry", "outcome"],
    ),
    f"{_U}/cases": {
        **_staff_get(
            "Running cases by urgency (overdue, due today, warning, running, stopped), or one case",
            "list_cases",
            [{"name": "number", "in": "query", "required": False, "schema": {"type": "string"}}],
        ),
        **_staff_post(
            "Accept a promised matter as a case; its receipt prints at the window",
            "accept_case",
            {
                "service": {"type": "string"},
                "matter": {"type": "string"},
                "materials": _MATERIALS,
                "visitor_name": {"type": "string"},
                "visitor_phone": {"type": "string"},
                "window": {"type": "integer"},
                "inquiry": {"type": "integer"},
                "tasks": {"type": "array", "items": {"type": "string"}},
            },
            ["service", "matter"],
            "201",
        ),
    },
    f"{_U}/cases/suspend": _staff_post(
        "Stop the clock for missing materials (补正); the notice prints",
        "suspend_case",
        {**_NUMBER, "missing": _MATERIALS, "window": {"type": "integer"}},
        ["number", "missing"],
    ),
    f"{_U}/cases/resume": _staff_post(
        "Restart the clock: the materials have come", "resume_case", _NUMBER, ["number"]
    ),
    f"{_U}/cases/extension": _staff_post(
        "Ask for an extension with a reason",
        "request_extension",
        {**_NUMBER, "days": {"type": "integer"}, "reason": {"type": "string"}},
        ["number", "days", "reason"],
    ),
    f"{_U}/cases/extension-decision": _staff_post(
        "Approve or refuse the pending extension (manager)",
        "decide_extension",
        {**_NUMBER, "approve": {"type": "boolean"}, "note": {"type": "string"}},
        ["number", "approve"],
    ),
    f"{_U}/cases/task-done": _staff_post(
        "Record a department's parallel task done",
        "finish_case_task",
        {**_NUMBER, "task": {"type": "integer"}, "note": {"type": "string"}},
        ["number", "task"],
    ),
    f"{_U}/cases/complete": _staff_post(
        "Complete a case with its result",
        "complete_case",
        {**_NUMBER, "result": {"type": "string"}},
        ["number", "result"],
    ),
    f"{_U}/cases/check-deadlines": _staff_post(
        "Warn of cases near their deadline and escalate overdue ones", "check_deadlines", {}, []
    ),
}
