"""The hall screens' JSON routes: the rotating content, and what to say for a call."""

from __future__ import annotations

import re

from flask import jsonify, request

from display import bp
from qhall.errors import BadInput
from qhall.screens import content_view
from qhall.shapes import snapshot
from qhall.voice import announcement
from qhall.web.request import now

# How often a screen asks again for its content, so schedules take effect without a reload.
CONTENT_REFRESH_S = 60
TICKET_NUMBER = re.compile(r"^[A-Za-z0-9]{1,8}$")


@bp.get("/api/units/<unit>/snapshot")
def unit_snapshot(unit: str):
    """Return everything a screen needs to draw the hall."""
    return jsonify(snapshot(unit, now()))


@bp.get("/api/display/<unit>/content")
def content(unit: str):
    """Return the content a hall screen rotates through now."""
    return jsonify({"items": content_view(unit, now()), "refresh_s": CONTENT_REFRESH_S})


@bp.get("/api/display/<unit>/announcement")
def announce(unit: str):
    """Return the clips (in order) and captions that announce a call to a window."""
    number = request.args.get("number", "")
    window = request.args.get("window", type=int)
    if not TICKET_NUMBER.match(number) or window is None or window < 1:
        raise BadInput(
            "请提供号码和窗口号。",
            "Give the ticket number and the window number.",
        )
    return jsonify(announcement(unit, number, window))


def _unit_param() -> dict:
    return {"name": "unit", "in": "path", "required": True, "schema": {"type": "string"}}


_ERROR = {"$ref": "#/components/schemas/Error"}
OPENAPI_PATHS = {
    "/api/display/{unit}/content": {
        "get": {
            "summary": "The campaign content a hall screen rotates through now, by schedule",
            "operationId": "display_content",
            "parameters": [_unit_param()],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["items", "refresh_s"],
                                "properties": {
                                    "items": {"type": "array", "items": {"type": "object"}},
                                    "refresh_s": {"type": "integer"},
                                },
                            }
                        }
                    },
                },
                "404": {
                    "description": "No such hall",
                    "content": {"application/json": {"schema": _ERROR}},
                },
            },
        }
    },
    "/api/display/{unit}/announcement": {
        "get": {
            "summary": "The voice clips, in order, that announce a call (chime, Mandarin twice, English if enabled)",
            "operationId": "display_announcement",
            "parameters": [
                _unit_param(),
                {"name": "number", "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "window", "in": "query", "required": True, "schema": {"type": "integer"}},
            ],
            "responses": {
                "200": {
                    "description": "OK; each clip is served at /display/voice/{clip}",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["clips", "text", "text_en"],
                                "properties": {
                                    "clips": {"type": "array", "items": {"type": "string"}},
                                    "text": {"type": "string"},
                                    "text_en": {"type": "string"},
                                    "english": {"type": "boolean"},
                                },
                            }
                        }
                    },
                },
                "400": {
                    "description": "Bad input",
                    "content": {"application/json": {"schema": _ERROR}},
                },
                "404": {
                    "description": "No such hall",
                    "content": {"application/json": {"schema": _ERROR}},
                },
            },
        }
    },
}
