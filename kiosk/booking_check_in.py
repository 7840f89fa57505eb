"""A booking checks in at the hall's kiosk (qhall.booking_check_in): its code, typed or
scanned from the booking's QR, becomes a ticket that the kiosk prints as any ticket."""

from __future__ import annotations

from flask import current_app
from pydantic import Field

from kiosk import bp
from kiosk.api import CARD_AT_KIOSKS_ONLY, IssuedTicket
from kiosk.booking_api import BookingShape, Code, booking_rules
from kiosk.check_in import at_the_hall
from qhall import identity
from qhall.appointments import CODE_ALPHABET, CODE_LENGTH
from qhall.booking_check_in import check_in_booking
from qhall.errors import BadInput, Forbidden
from qhall.lookups import find_unit
from qhall.web.request import now, publish_result, request_key
from qhall.web.schema import STAFF, Answer, Input, KioskHeaders, answers, spec


class BookingCheckIn(Input):
    code: Code | None = None
    id_number: str | None = Field(
        None,
        max_length=32,
        description="the ID card read at a registered kiosk, instead of the code: today's "
        "booking made with that ID number; hashed under the install's secret, never kept",
    )


class Words(Answer):
    zh: str
    en: str


class BookingCheckedIn(Answer):
    ticket: IssuedTicket
    booking: BookingShape
    already: bool = Field(description="true when the booking was checked in before: no new ticket")
    on_time: bool = Field(description="within the check-in window: an appointment ticket")
    note: Words | None = Field(description="why the ticket is an ordinary one, to show")


def clean_code(code: str) -> str:
    """Return a booking code as it is stored, or refuse what cannot be one (400)."""
    cleaned = code.strip().upper()
    if len(cleaned) != CODE_LENGTH or not set(cleaned) <= set(CODE_ALPHABET):
        raise BadInput(
            "预约码为 8 位字母和数字，请核对后重新输入，谢谢。",
            "A booking code has 8 letters and digits. Please check it and type it again. "
            "Thank you.",
            field="code",
        )
    return cleaned


@bp.post("/api/units/<unit>/bookings/check-in")
@spec.validate(
    resp=answers(BookingCheckedIn, *STAFF, status=201, description="Checked in", replayed=True),
    operation_id="check_in_booking",
)
def check_in_booking_route(unit: str, json: BookingCheckIn, headers: KioskHeaders):
    """Check today's booking in at a kiosk of the hall by its code, or by the ID card read
    at the kiosk when the booking was made with that ID number, and give it a ticket:
    an appointment ticket within the check-in window, else an ordinary one with a word why.

    Only a registered kiosk of the hall (its X-Device-Token) or the hall's staff (401/403
    otherwise, and nothing recorded). A booking checked in before answers its ticket (200).
    """
    hall = find_unit(unit)
    staff_id = at_the_hall(hall, headers.device_token)
    code, person_key = None, None
    if json.id_number is not None:
        if staff_id is not None:  # the card is read by the kiosk's own reader
            raise Forbidden(*CARD_AT_KIOSKS_ONLY)
        person_key = identity.person_key(json.id_number, current_app.config["SECRET_KEY"])
    else:
        code = clean_code(json.code or "")
    outcome = check_in_booking(
        hall.code,
        code=code,
        person_key=person_key,
        now=now(),
        rules=booking_rules(),
        source="kiosk" if staff_id is None else "counter",
        request_key=request_key(),
    )
    fresh = not outcome.replayed and not outcome.result["already"]
    return publish_result(outcome, 201 if fresh else 200)
