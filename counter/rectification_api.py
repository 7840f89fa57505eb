"""The bad ratings' rectification routes (差评整改): list, the steps (rectify, verify,
call-back, close), assigning a reviewer, an appeal and its decision. Who may do what, and
in which order, is the core's rule (qhall/rectification.py); each item says what its
viewer may do next ("can")."""

from __future__ import annotations

from typing import Any, Literal

from flask import jsonify
from pydantic import Field, RootModel

from counter import bp
from counter.api import HALL_STAFF, hall_staff
from qhall import rectification
from qhall.web.request import now, publish_result, request_key
from qhall.web.schema import STAFF, Answer, Input, Int32, KeyedHeaders, answers, spec


class RectificationQuery(Input):
    closed: str | None = Field(None, description="1 or true: the closed items instead")


class RectificationRef(Input):
    item: Int32


class RectificationStep(RectificationRef):
    step: Literal[tuple(rectification.STEPS)]  # type: ignore[valid-type]
    note: str | None = Field(None, description="required except when closing")
    answer: Literal[tuple(rectification.CALLBACK_ANSWERS)] | None = Field(  # type: ignore[valid-type]
        None, description="call-back only: what the visitor said"
    )


class Appeal(RectificationRef):
    reason: str


class AppealDecision(RectificationRef):
    accept: bool
    note: str


class ReviewerAssignment(RectificationRef):
    reviewer: Int32 = Field(description="the staff member's id, from reviewer_choices")


class RectificationItem(Answer):
    id: int
    status: str = Field(
        description="open → rectified → verified → called_back → closed, or appeal_accepted"
    )
    rating: dict[str, Any]
    staff: dict[str, Any] | None = None
    reviewer: dict[str, Any] | None = None
    due_day: str
    overdue: bool
    steps: list[dict[str, Any]]
    appeal: dict[str, Any] | None = None
    can: list[str] = Field(description="what the viewer may do next")


class RectificationItems(RootModel[list[RectificationItem]]):
    pass


@bp.get("/api/units/<unit>/rectifications")
@spec.validate(
    resp=answers(RectificationItems, *STAFF), operation_id="list_rectifications", **HALL_STAFF
)
def rectifications(unit: str, query: RectificationQuery):
    """List the open rectification items the viewer has a part in (?closed=1: closed ones)."""
    staff = hall_staff(unit)
    closed = query.closed in ("1", "true")
    return jsonify(rectification.rectification_list(unit, staff, now=now(), closed=closed))


@bp.post("/api/units/<unit>/rectifications/step")
@spec.validate(
    resp=answers(RectificationItem, *STAFF), operation_id="rectification_step", **HALL_STAFF
)
def rectification_step(unit: str, json: RectificationStep, headers: KeyedHeaders):
    """Record a rectification's next step: rectify, verify, call-back, close."""
    staff = hall_staff(unit)
    outcome = rectification.advance_rectification(
        unit,
        json.item,
        json.step,
        staff_id=staff.id,
        note=json.note or "",
        answer=json.answer,
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/rectifications/assign")
@spec.validate(
    resp=answers(RectificationItem, *STAFF), operation_id="rectification_assign", **HALL_STAFF
)
def rectification_assign(unit: str, json: ReviewerAssignment, headers: KeyedHeaders):
    """Assign the colleague who verifies, calls back and closes an item (managers only)."""
    staff = hall_staff(unit)
    outcome = rectification.assign_reviewer(
        unit,
        json.item,
        staff_id=staff.id,
        reviewer_id=json.reviewer,
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/rectifications/appeal")
@spec.validate(
    resp=answers(RectificationItem, *STAFF), operation_id="rectification_appeal", **HALL_STAFF
)
def rectification_appeal(unit: str, json: Appeal, headers: KeyedHeaders):
    """Appeal against a rating, with the reason (the rated staff member only)."""
    staff = hall_staff(unit)
    outcome = rectification.appeal(
        unit,
        json.item,
        staff_id=staff.id,
        reason=json.reason,
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/rectifications/appeal-decision")
@spec.validate(
    resp=answers(RectificationItem, *STAFF),
    operation_id="rectification_appeal_decision",
    **HALL_STAFF,
)
def rectification_appeal_decision(unit: str, json: AppealDecision, headers: KeyedHeaders):
    """Accept or reject an appeal (the manager or the reviewer, never the rated person)."""
    staff = hall_staff(unit)
    outcome = rectification.decide_appeal(
        unit,
        json.item,
        staff_id=staff.id,
        accept=json.accept,
        note=json.note,
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)
