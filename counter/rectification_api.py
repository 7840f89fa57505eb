"""The bad ratings' rectification routes (差评整改): list, verify, rectify, call back,
appeal; the rules in qhall/rectification.py."""

from __future__ import annotations

from typing import Literal

from flask import jsonify
from pydantic import Field

from counter import bp
from counter.api import HALL_STAFF, hall_staff
from qhall import rectification
from qhall.web.request import now, publish_result, request_key
from qhall.web.schema import STAFF, Input, Int32, KeyedHeaders, Record, answers, spec


class RectificationQuery(Input):
    closed: str | None = Field(None, description="1 or true: the closed items instead")


class RectificationStep(Input):
    item: Int32
    step: Literal[tuple(rectification.STEPS)]  # type: ignore[valid-type]
    note: str


class Appeal(Input):
    item: Int32
    reason: str


@bp.get("/api/units/<unit>/rectifications")
@spec.validate(resp=answers(Record, *STAFF), operation_id="list_rectifications", **HALL_STAFF)
def rectifications(unit: str, query: RectificationQuery):
    """List open rectification items (?closed=1 for closed ones): all for a manager."""
    staff = hall_staff(unit)
    closed = query.closed in ("1", "true")
    return jsonify(rectification.rectification_list(unit, staff, now=now(), closed=closed))


@bp.post("/api/units/<unit>/rectifications/step")
@spec.validate(resp=answers(Record, *STAFF), operation_id="rectification_step", **HALL_STAFF)
def rectification_step(unit: str, json: RectificationStep, headers: KeyedHeaders):
    """Record a rectification's next step: verify, rectify, call-back."""
    staff = hall_staff(unit)
    outcome = rectification.advance_rectification(
        unit,
        json.item,
        json.step,
        staff_id=staff.id,
        note=json.note,
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/rectifications/appeal")
@spec.validate(resp=answers(Record, *STAFF), operation_id="rectification_appeal", **HALL_STAFF)
def rectification_appeal(unit: str, json: Appeal, headers: KeyedHeaders):
    """Accept an appeal against a malicious rating, with the reason (managers only)."""
    staff = hall_staff(unit)
    outcome = rectification.accept_appeal(
        unit,
        json.item,
        staff_id=staff.id,
        reason=json.reason,
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)
