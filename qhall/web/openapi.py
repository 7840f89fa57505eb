"""The OpenAPI 3.1 document of the API, served at /api/openapi.json."""

from __future__ import annotations

import importlib

from qhall import __version__
from qhall.models import PRIORITY_CLASSES, TICKET_SOURCES


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(properties: dict, required: list[str] | None = None) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"required": bool(required), "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _json(_ref("Error"), "Bad input"),
    "404": _json(_ref("Error"), "Not found"),
    "409": _json(_ref("Error"), "Not allowed in the current state"),
    "503": _json(_ref("Error"), "Busy"),
}
STAFF_ERRORS = {
    **ERRORS,
    "401": _json(_ref("Error"), "Not signed in"),
    "403": _json(_ref("Error"), "Not staff of this hall"),
}
UNIT = {"name": "unit", "in": "path", "required": True, "schema": {"type": "string"}}
WINDOW = {"name": "window", "in": "path", "required": True, "schema": {"type": "integer"}}
TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Sent again with the same key, the request changes nothing and returns the first answer.",
    "schema": {"type": "string", "minLength": 8, "maxLength": 100},
}
DEVICE_TOKEN = {
    "name": "X-Device-Token",
    "in": "header",
    "required": False,
    "description": "A registered kiosk's secret (KIOSKS in the settings).",
    "schema": {"type": "string"},
}
STAFF_SECURITY = [{"session": []}, {"bearer": []}]

COUNTER_ACTION_BODIES = {
    "call": _body({"number": {"type": "string"}}, ["number"]),
    "transfer": _body(
        {"to_service": {"type": ["string", "null"]}, "to_window": {"type": ["integer", "null"]}}
    ),
    "pause": _body({"reason": {"type": "string"}}, ["reason"]),
}
COUNTER_ACTION_SUMMARIES = {
    "open": "Open the window with the signed-in staff member on duty",
    "call-next": "Call the next visitor (finishes the ticket in hand)",
    "call": "Call one waiting number out of turn",
    "recall": "Call the ticket in hand again",
    "start": "Start serving the ticket in hand",
    "finish": "Finish the ticket in hand",
    "no-show": "Mark the called visitor as not present",
    "transfer": "Send the ticket in hand to another service or window, keeping its place",
    "pause": "Pause the window with a reason",
    "resume": "Resume a paused window",
    "close": "Close the window",
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "message", "message_en"],
        "properties": {
            "error": {"type": "string"},
            "message": {"type": "string"},
            "message_en": {"type": "string"},
        },
    },
    "Unit": {
        "type": "object",
        "required": ["code", "name", "name_en", "timezone"],
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "name_en": {"type": "string"},
            "timezone": {"type": "string"},
        },
    },
    "Service": {
        "type": "object",
        "required": ["code", "name", "open", "waiting", "estimated_wait_s"],
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "name_en": {"type": "string"},
            "open": {"type": "boolean"},
            "hours": {"type": "string"},
            "weekdays": {"type": "string"},
            "time_limit_days": {"type": "integer"},
            "guide": {"type": "string"},
            "guide_en": {"type": "string"},
            "waiting": {"type": "integer"},
            "open_windows": {"type": "integer"},
            "estimated_wait_s": {"type": "integer"},
        },
    },
    "Ticket": {
        "type": "object",
        "required": ["number", "service", "status"],
        "properties": {
            "number": {"type": "string"},
            "service": {"type": "string"},
            "service_name": {"type": "string"},
            "service_name_en": {"type": "string"},
            "priority": {"type": ["string", "null"], "enum": [*PRIORITY_CLASSES, None]},
            "status": {
                "type": "string",
                "enum": [
                    "waiting",
                    "called",
                    "serving",
                    "finished",
                    "no_show",
                    "cancelled",
                    "closed",
                ],
            },
            "window": {"type": ["integer", "null"]},
            "counter_name": {"type": ["string", "null"]},
            "issued_at": {"type": "string"},
            "called_at": {"type": ["string", "null"]},
            "recalls": {"type": "integer"},
            "transfers": {"type": "integer"},
        },
    },
    "IssuedTicket": {
        "allOf": [
            _ref("Ticket"),
            {
                "type": "object",
                "required": ["token", "ahead", "estimated_wait_s"],
                "properties": {
                    "token": {"type": "string"},
                    "ahead": {"type": "integer"},
                    "estimated_wait_s": {"type": "integer"},
                    "unit": {"type": "string"},
                    "unit_name": {"type": "string"},
                    "time_limit_days": {"type": "integer"},
                },
            },
        ]
    },
    "VisitorTicket": {
        "allOf": [
            _ref("Ticket"),
            {
                "type": "object",
                "required": ["ahead", "estimated_wait_s", "unit"],
                "properties": {
                    "ahead": {"type": "integer"},
                    "estimated_wait_s": {"type": "integer"},
                    "unit": {"type": "string"},
                    "day": {"type": "string"},
                },
            },
        ]
    },
    "Counter": {
        "type": "object",
        "required": ["window", "name", "state", "serving"],
        "properties": {
            "window": {"type": "integer"},
            "name": {"type": "string"},
            "name_en": {"type": "string"},
            "state": {"type": "string", "enum": ["open", "paused", "closed"]},
            "since": {"type": ["string", "null"]},
            "pause_reason": {"type": ["string", "null"]},
            "pause_notice": {"type": ["string", "null"]},
            "pause_notice_en": {"type": ["string", "null"]},
            "serving": {"type": ["string", "null"]},
            "serving_status": {"type": ["string", "null"]},
            "staff": {"type": ["object", "null"]},
            "services": {"type": "array", "items": {"type": "string"}},
        },
    },
    "CounterResult": {
        "type": "object",
        "properties": {
            "ticket": {"oneOf": [_ref("Ticket"), {"type": "null"}]},
            "counter": _ref("Counter"),
        },
    },
    "Snapshot": {
        "type": "object",
        "required": ["seq", "unit", "calls", "waiting", "counters"],
        "properties": {
            "seq": {"type": "integer"},
            "unit": _ref("Unit"),
            "day": {"type": "string"},
            "at": {"type": "string"},
            "calls": {"type": "array", "items": {"type": "object"}},
            "waiting": {"type": "object", "additionalProperties": {"type": "integer"}},
            "services": {"type": "array", "items": _ref("Service")},
            "counters": {"type": "array", "items": _ref("Counter")},
        },
    },
    "Staff": {
        "type": "object",
        "required": ["login", "name", "role"],
        "properties": {
            "login": {"type": "string"},
            "name": {"type": "string"},
            "employee_no": {"type": "string"},
            "role": {"type": "string"},
            "unit": {"type": ["string", "null"]},
        },
    },
}


def _counter_action(action: str) -> dict:
    operation = {
        "summary": COUNTER_ACTION_SUMMARIES[action],
        "operationId": "counter_" + action.replace("-", "_"),
        "parameters": [UNIT, WINDOW, IDEMPOTENCY_KEY],
        "security": STAFF_SECURITY,
        "responses": {"200": _json(_ref("CounterResult")), **STAFF_ERRORS},
    }
    if action in COUNTER_ACTION_BODIES:
        operation["requestBody"] = COUNTER_ACTION_BODIES[action]
    return {"post": operation}


# Modules of other parts (kiosk, display, counter, ...) whose OPENAPI_PATHS dict documents
# the routes they add under /api; merged into the document below.
AREA_MODULES: list[str] = []
AREA_MODULES.append("display.api")
AREA_MODULES.append("counter.cases_api")
AREA_MODULES.append("counter.ratings_api")
AREA_MODULES.append("kiosk.api")
AREA_MODULES.append("admin.api")


def openapi_document() -> dict:
    """Return the OpenAPI document of every API route."""
    paths = {
        "/healthz": {
            "get": {
                "summary": "Health check",
                "operationId": "healthz",
                "responses": {
                    "200": _json({"type": "object", "properties": {"status": {"const": "ok"}}})
                },
            }
        },
        "/api/units": {
            "get": {
                "summary": "List the halls",
                "operationId": "list_units",
                "responses": {"200": _json({"type": "array", "items": _ref("Unit")})},
            }
        },
        "/api/units/{unit}/services": {
            "get": {
                "summary": "List a hall's services with waits",
                "operationId": "list_services",
                "parameters": [UNIT],
                "responses": {"200": _json({"type": "array", "items": _ref("Service")}), **ERRORS},
            }
        },
        "/api/units/{unit}/snapshot": {
            "get": {
                "summary": "Everything a screen needs to draw the hall",
                "operationId": "snapshot",
                "parameters": [UNIT],
                "responses": {"200": _json(_ref("Snapshot")), **ERRORS},
            }
        },
        "/api/units/{unit}/tickets": {
            "post": {
                "summary": "Take a ticket",
                "description": "A registered kiosk sends its X-Device-Token; staff of the hall "
                "their session. Any other request is a ticket from outside the hall: limited "
                "per client and per service and day. `source` is checked but never trusted.",
                "operationId": "issue_ticket",
                "parameters": [UNIT, IDEMPOTENCY_KEY, DEVICE_TOKEN],
                "requestBody": _body(
                    {
                        "service": {"type": "string"},
                        "priority": {"type": ["string", "null"], "enum": [*PRIORITY_CLASSES, None]},
                        "source": {"type": "string", "enum": list(TICKET_SOURCES)},
                    },
                    ["service"],
                ),
                "responses": {
                    "201": _json(_ref("IssuedTicket"), "Issued"),
                    "200": _json(_ref("IssuedTicket"), "Replayed"),
                    **ERRORS,
                    "403": _json(_ref("Error"), "No tickets from outside the hall here"),
                    "429": _json(_ref("Error"), "Too many tickets from this client"),
                },
            }
        },
        "/api/tickets/{token}": {
            "get": {
                "summary": "A ticket as its holder follows it",
                "operationId": "ticket_status",
                "parameters": [TOKEN],
                "responses": {"200": _json(_ref("VisitorTicket")), **ERRORS},
            }
        },
        "/api/tickets/{token}/cancel": {
            "post": {
                "summary": "Withdraw a waiting ticket",
                "operationId": "cancel_ticket",
                "parameters": [TOKEN, IDEMPOTENCY_KEY],
                "responses": {
                    "200": _json({"type": "object", "properties": {"ticket": _ref("Ticket")}}),
                    **ERRORS,
                },
            }
        },
        "/api/units/{unit}/requeue": {
            "post": {
                "summary": "Put a missed visitor back in line, once, within the grace period",
                "operationId": "requeue",
                "parameters": [UNIT, IDEMPOTENCY_KEY],
                "security": STAFF_SECURITY,
                "requestBody": _body({"number": {"type": "string"}}, ["number"]),
                "responses": {
                    "200": _json({"type": "object", "properties": {"ticket": _ref("Ticket")}}),
                    **STAFF_ERRORS,
                },
            }
        },
        "/api/pause-reasons": {
            "get": {
                "summary": "Reasons a window may pause for",
                "operationId": "pause_reasons",
                "responses": {"200": _json({"type": "array", "items": {"type": "object"}})},
            }
        },
        "/api/session": {
            "post": {
                "summary": "Sign in",
                "operationId": "sign_in",
                "requestBody": _body(
                    {"login": {"type": "string"}, "password": {"type": "string"}},
                    ["login", "password"],
                ),
                "responses": {
                    "200": _json(_ref("Staff")),
                    "401": _json(_ref("Error")),
                    "400": _json(_ref("Error")),
                    "429": _json(_ref("Error"), "Too many wrong passwords"),
                },
            },
            "get": {
                "summary": "Who is signed in",
                "operationId": "who_am_i",
                "security": STAFF_SECURITY,
                "responses": {"200": _json(_ref("Staff")), "401": _json(_ref("Error"))},
            },
            "delete": {
                "summary": "Sign out",
                "operationId": "sign_out",
                "responses": {"200": _json({"type": "object"})},
            },
        },
        "/api/openapi.json": {
            "get": {
                "summary": "This document",
                "operationId": "openapi",
                "responses": {"200": _json({"type": "object"})},
            }
        },
    }
    for action in COUNTER_ACTION_SUMMARIES:
        paths[f"/api/units/{{unit}}/counters/{{window}}/{action}"] = _counter_action(action)
    for module in AREA_MODULES:
        paths.update(importlib.import_module(module).OPENAPI_PATHS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "qhall",
            "version": __version__,
            "description": "Queue and self-service API of a civil-affairs service hall. "
            "Errors are JSON with a Chinese `message` and an English `message_en`.",
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }
