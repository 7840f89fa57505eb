"""The rating routes at the window (好差评): only the registered tablet facing the visitor
there (qhall.devices), showing its secret as X-Device-Token; a staff session is not one."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

from flask import current_app, jsonify, request
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from counter import bp
from counter.cases_api import settings
from qhall import ratings
from qhall.devices import Tablet, tablet_at
from qhall.models import RATING_LEVELS
from qhall.web.request import now, publish_result, request_key
from qhall.web.schema import (
    NOT_A_BOOL,
    READ,
    WRITE,
    Answer,
    Input,
    KeyedHeaders,
    OptionalHeader,
    Record,
    answers,
    check_input,
    spec,
)

TABLET_TOKEN = Field(
    alias="X-Device-Token",
    description="The secret of the window's registered rating tablet (TABLETS in the settings).",
)
Score = Annotated[Literal[ratings.SCORES], NOT_A_BOOL]  # type: ignore[valid-type]


class TabletHeaders(Input):
    """The headers of the tablet's read: its secret."""

    device_token: Annotated[OptionalHeader, TABLET_TOKEN] = None


class TabletWriteHeaders(KeyedHeaders):
    """The headers of the tablet's rating: its key, and its secret."""

    device_token: Annotated[OptionalHeader, TABLET_TOKEN] = None


class RatingPrompt(Answer):
    number: str | None = None
    counter: dict[str, Any] = {}


class RatingAtWindow(Input):
    number: str = Field(description="the number the tablet shows: the visit finished last")
    level: Annotated[Literal[RATING_LEVELS], NOT_A_BOOL] = Field(  # type: ignore[valid-type]
        description="5 非常满意 … 1 非常不满意"
    )
    efficiency: Score = Field(description="服务效率, 1 to 5")
    competence: Score = Field(description="服务水平, 1 to 5")
    attitude: Score = Field(description="服务态度, 1 to 5")
    reasons: list[str] | SkipJsonSchema[None] = Field(
        None, description="codes of [RATING] REASONS: at least one for 2 and 1, none otherwise"
    )
    words: str | None = Field(None, description="the visitor's own words, optional")
    callback_phone: str | None = Field(
        None, description="a number to call the visitor back on, optional, for 2 and 1 only"
    )


def tablets() -> list[Tablet]:
    """Return the registered tablets (loaded when the app was made)."""
    return list(current_app.extensions["tablets"].values())


def the_tablet(unit: str, window: int) -> Tablet:
    """Return the tablet of this window that the request's X-Device-Token names, or raise
    401 (no or an unknown secret) or 403 (another window's or hall's tablet)."""
    return tablet_at(unit, window, request.headers.get("X-Device-Token", ""), tablets())


def questions() -> ratings.QuestionSet:
    """Return the hall's question set ([RATING] in the settings)."""
    return ratings.question_set(current_app.config)


# A stranger learns 401 or 403 before anything about what the body lacks.
TABLET_ONLY = {"before": partial(check_input, access=the_tablet)}


@bp.get("/api/units/<unit>/counters/<int:window>/rating")
@spec.validate(
    resp=answers(RatingPrompt, 401, 403, *READ), operation_id="rating_prompt", **TABLET_ONLY
)
def rating_prompt(unit: str, window: int, headers: TabletHeaders):
    """Tell the window's registered tablet which finished visit it may ask about, if any."""
    tablet = the_tablet(unit, window)
    return jsonify(
        ratings.rating_prompt(tablet, now=now(), rating_window_s=settings()["RATING_WINDOW_S"])
    )


@bp.post("/api/units/<unit>/counters/<int:window>/rating")
@spec.validate(
    resp=answers(Record, 401, *WRITE, status=201, description="Rated", replayed=True),
    operation_id="rate_at_window",
    **TABLET_ONLY,
)
def rate_at_window(unit: str, window: int, json: RatingAtWindow, headers: TabletWriteHeaders):
    """Record a rating from the window's registered tablet for the visit it finished last."""
    outcome = ratings.rate_at_window(
        the_tablet(unit, window),
        json.number,
        level=json.level,
        efficiency=json.efficiency,
        competence=json.competence,
        attitude=json.attitude,
        reasons=json.reasons or [],
        words=json.words or "",
        callback_phone=json.callback_phone or "",
        now=now(),
        rating_window_s=settings()["RATING_WINDOW_S"],
        rectification_days=settings()["RECTIFICATION_DAYS"],
        questions=questions(),
        request_key=request_key(),
    )
    return publish_result(outcome, 200 if outcome.replayed else 201)
