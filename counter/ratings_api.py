"""The rating routes at the window (好差评): the tablet facing the visitor."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import jsonify
from pydantic import Field

from counter import bp
from counter.cases_api import settings
from qhall import ratings
from qhall.models import RATING_LEVELS
from qhall.web.request import now, publish_result, request_key
from qhall.web.schema import (
    NOT_A_BOOL,
    READ,
    WRITE,
    Answer,
    Input,
    KeyedHeaders,
    Record,
    answers,
    spec,
)


class RatingPrompt(Answer):
    number: str | None = None
    counter: dict[str, Any] = {}


class RatingAtWindow(Input):
    number: str
    level: Annotated[Literal[RATING_LEVELS], NOT_A_BOOL] = Field(  # type: ignore[valid-type]
        description="5 非常满意 … 1 非常不满意"
    )
    reason: str | None = Field(None, description="required for 2 and 1")


@bp.get("/api/units/<unit>/counters/<int:window>/rating")
@spec.validate(resp=answers(RatingPrompt, *READ), operation_id="rating_prompt")
def rating_prompt(unit: str, window: int):
    """Tell the window's tablet which finished visit it may ask about, if any."""
    return jsonify(
        ratings.rating_prompt(
            unit, window, now=now(), rating_window_s=settings()["RATING_WINDOW_S"]
        )
    )


@bp.post("/api/units/<unit>/counters/<int:window>/rating")
@spec.validate(
    resp=answers(Record, *WRITE, status=201, description="Rated", replayed=True),
    operation_id="rate_at_window",
)
def rate_at_window(unit: str, window: int, json: RatingAtWindow, headers: KeyedHeaders):
    """Record a rating from the window's tablet for the visit just finished there."""
    outcome = ratings.rate_at_window(
        unit,
        window,
        json.number,
        level=json.level,
        reason=json.reason or "",
        now=now(),
        rating_window_s=settings()["RATING_WINDOW_S"],
        rectification_days=settings()["RECTIFICATION_DAYS"],
        request_key=request_key(),
    )
    return publish_result(outcome, 200 if outcome.replayed else 201)
