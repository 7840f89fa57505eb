"""The rating routes at the window (好差评): the tablet facing the visitor, and the bad
ratings' rectification (verify, rectify, call back, appeal)."""

from __future__ import annotations

from flask import jsonify, request

from counter import bp
from counter.cases_api import _OBJECT, _staff, _staff_get, _staff_post, _text, settings
from qhall import ratings
from qhall.web.openapi import ERRORS, IDEMPOTENCY_KEY, TOKEN, UNIT, WINDOW, _body, _json
from qhall.web.request import field, json_body, now, publish_result, request_key


@bp.get("/api/units/<unit>/counters/<int:window>/rating")
def rating_prompt(unit: str, window: int):
    """Tell the window's tablet which finished visit it may ask about, if any."""
    return jsonify(
        ratings.rating_prompt(
            unit, window, now=now(), rating_window_s=settings()["RATING_WINDOW_S"]
        )
    )


@bp.post("/api/units/<unit>/counters/<int:window>/rating")
def rate_at_window(unit: str, window: int):
    """Record a rating from the window's tablet for the visit just finished there."""
    body = json_body()
    outcome = ratings.rate_at_window(
        unit,
        window,
        field(body, "number", str),
        level=field(body, "level", int),
        reason=_text(body, "reason"),
        now=now(),
        rating_window_s=settings()["RATING_WINDOW_S"],
        rectification_days=settings()["RECTIFICATION_DAYS"],
        request_key=request_key(),
    )
    return publish_result(outcome, 200 if outcome.replayed else 201)


@bp.get("/api/units/<unit>/rectifications")
def rectifications(unit: str):
    """List open rectification items (?closed=1 for closed ones): all for a manager."""
    staff = _staff(unit)
    closed = request.args.get("closed") in ("1", "true")
    return jsonify(ratings.rectification_list(unit, staff, now=now(), closed=closed))


@bp.post("/api/units/<unit>/rectifications/step")
def rectification_step(unit: str):
    """Record a rectification's next step: verify, rectify, call-back."""
    staff, body = _staff(unit), json_body()
    outcome = ratings.advance_rectification(
        unit,
        field(body, "item", int),
        field(body, "step", str),
        staff_id=staff.id,
        note=_text(body, "note", True),
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/rectifications/appeal")
def rectification_appeal(unit: str):
    """Accept an appeal against a malicious rating, with the reason (managers only)."""
    staff, body = _staff(unit), json_body()
    outcome = ratings.accept_appeal(
        unit,
        field(body, "item", int),
        staff_id=staff.id,
        reason=_text(body, "reason", True),
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


_RATING_BODY = {
    "level": {
        "type": "integer",
        "enum": list(ratings.RATING_LEVELS),
        "description": "5 非常满意 … 1 非常不满意",
    },
    "reason": {"type": "string", "description": "required for 2 and 1"},
}
_PROMPT = {
    "type": "object",
    "properties": {"number": {"type": ["string", "null"]}, "counter": {"type": "object"}},
}
OPENAPI_PATHS = {
    "/api/units/{unit}/counters/{window}/rating": {
        "get": {
            "summary": "The finished visit the window's tablet may ask about",
            "operationId": "rating_prompt",
            "parameters": [UNIT, WINDOW],
            "responses": {"200": _json(_PROMPT), **ERRORS},
        },
        "post": {
            "summary": "Rate the visit just finished at the window (tablet)",
            "operationId": "rate_at_window",
            "parameters": [UNIT, WINDOW, IDEMPOTENCY_KEY],
            "requestBody": _body(
                {"number": {"type": "string"}, **_RATING_BODY}, ["number", "level"]
            ),
            "responses": {"201": _json(_OBJECT, "Rated"), **ERRORS},
        },
    },
    "/api/tickets/{token}/rating": {
        "get": {
            "summary": "Whether the visit can be rated, and its rating",
            "operationId": "ticket_rating",
            "parameters": [TOKEN],
            "responses": {"200": _json(_OBJECT), **ERRORS},
        },
        "post": {
            "summary": "Rate a finished visit from the visitor's phone",
            "operationId": "rate_by_token",
            "parameters": [TOKEN, IDEMPOTENCY_KEY],
            "requestBody": _body(_RATING_BODY, ["level"]),
            "responses": {"201": _json(_OBJECT, "Rated"), **ERRORS},
        },
    },
    "/api/units/{unit}/rectifications": _staff_get(
        "Open (or ?closed=1 closed) rectification items", "list_rectifications"
    ),
    "/api/units/{unit}/rectifications/step": _staff_post(
        "Record a rectification step (verify, rectify, call-back)",
        "rectification_step",
        {
            "item": {"type": "integer"},
            "step": {"type": "string", "enum": list(ratings.STEPS)},
            "note": {"type": "string"},
        },
        ["item", "step", "note"],
    ),
    "/api/units/{unit}/rectifications/appeal": _staff_post(
        "Accept an appeal against a malicious rating (manager)",
        "rectification_appeal",
        {"item": {"type": "integer"}, "reason": {"type": "string"}},
        ["item", "reason"],
    ),
}
