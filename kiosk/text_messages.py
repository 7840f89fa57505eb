"""Text messages a ticket's holder asks for (qhall.texts): leaving a mobile number for the
ticket, and saying stop. The ticket's token is the proof of holding it (its page, or a
kiosk right after issuing it); without it nothing is read or written."""

from __future__ import annotations

from flask import jsonify
from pydantic import Field

from kiosk import bp
from qhall import texts
from qhall.web.request import now
from qhall.web.schema import WRITE, Answer, Input, answers, spec


@bp.record
def _configure_texts(state) -> None:
    # The core reads no Flask config: each app hands texts its settings as it is made.
    texts.configure(state.app.config)


class TextMe(Input):
    phone: str = Field(max_length=20, description="a mainland mobile number, 11 digits")


class TextsState(Answer):
    phone: str | None = Field(description="the number messages go to, masked; null: none")
    near_ahead: int | None = Field(None, description="told once when this many or fewer wait ahead")
    stopped: bool | None = None


@bp.post("/api/tickets/<token>/phone")
@spec.validate(resp=answers(TextsState, *WRITE), operation_id="ticket_phone")
def leave_phone(token: str, json: TextMe):
    """Text this ticket's holder when near and when called, at the number given (masked in
    the answer). Only with the ticket's token (404 otherwise); 409 when the hall sends no
    messages or the ticket is no longer in line."""
    return jsonify(texts.leave_phone(token, json.phone, now=now()))


@bp.delete("/api/tickets/<token>/phone")
@spec.validate(resp=answers(TextsState, *WRITE), operation_id="ticket_phone_stop")
def stop_texts(token: str):
    """Stop this ticket's messages, and every later one to its number (退订)."""
    return jsonify(texts.stop_texts(token, now=now()))
