"""The visit's 办件编号 at the window (qhall.matters): GET and POST
/api/units/<unit>/counters/<window>/matter, for the staff member who holds the window and
has the ticket in hand; a colleague, another hall and a stranger are refused."""

from __future__ import annotations

from flask import jsonify
from pydantic import Field

from counter import bp
from counter.api import HALL_STAFF, hall_staff
from qhall import matters
from qhall.web.request import now, publish_result, request_key
from qhall.web.schema import STAFF, Input, KeyedHeaders, Record, answers, spec


class MatterNumber(Input):
    invalid = (
        "办件编号只能由字母、数字和“-”组成，最多 40 位。",
        "A matter number may hold only letters, digits and '-', at most 40.",
    )
    matter_number: str = Field(max_length=40, description="as the business system shows it")


@bp.get("/api/units/<unit>/counters/<int:window>/matter")
@spec.validate(resp=answers(Record, *STAFF), operation_id="counter_matter", **HALL_STAFF)
def counter_matter(unit: str, window: int):
    """Return the ticket in hand at the window and its matter number (its holder only)."""
    staff = hall_staff(unit)
    return jsonify(matters.matter_of_ticket_in_hand(unit, window, staff.id))


@bp.post("/api/units/<unit>/counters/<int:window>/matter")
@spec.validate(json=MatterNumber, headers=KeyedHeaders, resp=answers(Record, *STAFF),
               operation_id="counter_set_matter", **HALL_STAFF)  # fmt: skip
def counter_set_matter(unit: str, window: int, json: MatterNumber):
    """Record the business system's 办件编号 for the ticket in hand (typed or scanned)."""
    staff = hall_staff(unit)
    outcome = matters.set_matter_number(unit, window, json.matter_number, staff_id=staff.id,
                                        now=now(), request_key=request_key())  # fmt: skip
    return publish_result(outcome)
