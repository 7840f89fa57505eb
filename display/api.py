"""The hall screens' JSON routes: the rotating content, and what to say for a call."""

from __future__ import annotations

from typing import Annotated, Any

from flask import current_app, jsonify
from pydantic import Field

from display import bp
from qhall.screens import content_view
from qhall.shapes import snapshot
from qhall.voice import announcement
from qhall.web.request import now
from qhall.web.schema import (
    READ,
    Answer,
    Counter,
    Input,
    QueryInt,
    Service,
    Unit,
    answers,
    spec,
)

# How often a screen asks again for its content, so schedules take effect without a reload.
CONTENT_REFRESH_S = 60


class Snapshot(Answer):
    seq: int
    unit: Unit
    day: str = ""
    at: str = ""
    calls: list[dict[str, Any]]
    waiting: dict[str, int]
    services: list[Service] = []
    counters: list[Counter]


class ScreenContent(Answer):
    items: list[dict[str, Any]]
    refresh_s: int


class AnnouncementQuery(Input):
    invalid = ("请提供号码和窗口号。", "Give the ticket number and the window number.")
    number: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{1,8}$")]
    window: Annotated[QueryInt, Field(ge=1)]


class Announcement(Answer):
    clips: list[str]
    text: str
    text_en: str
    english: bool = False


@bp.get("/api/units/<unit>/snapshot")
@spec.validate(resp=answers(Snapshot, *READ), operation_id="snapshot")
def unit_snapshot(unit: str):
    """Return everything a screen needs to draw the hall."""
    return jsonify(snapshot(unit, now()))


@bp.get("/api/display/<unit>/content")
@spec.validate(resp=answers(ScreenContent, *READ), operation_id="display_content")
def content(unit: str):
    """Return the campaign content a hall screen rotates through now, by schedule."""
    return jsonify({"items": content_view(unit, now()), "refresh_s": CONTENT_REFRESH_S})


@bp.get("/api/display/<unit>/announcement")
@spec.validate(
    resp=answers(Announcement, *READ, description="OK; each clip is at /display/voice/{clip}"),
    operation_id="display_announcement",
)
def announce(unit: str, query: AnnouncementQuery):
    """Return the clips (in order) and captions that announce a call to a window: a chime,
    Mandarin once (twice if the hall asks), English if enabled."""
    return jsonify(announcement(unit, query.number, query.window, current_app.config["VOICE"]))
