"""Ratings of visits (好差评), as 国办发〔2019〕51号 and GB/T 39734/39735-2020 have them.

Who may rate: the registered tablet facing the visitor at a window (qhall.devices), only the
visit that window finished last, within the rating window, once; or the visitor's phone,
with the ticket's own token, only a visit that was served (finished). Nobody else.

What a rating holds: one of five levels, 非常满意 … 非常不满意. From the hall's tablet also
服务效率, 服务水平 and 服务态度, each 1 to 5; the phone asks the overall level only, so that
rating from a phone takes one touch. A rating of 不满意 or below names at least one reason
from the configured question set ([RATING] in config/default.toml, versioned and stored on
each rating), may add the visitor's words and a number to call them back on, and opens a
rectification item (qhall.rectification). The words and the number never reach the hall's
screens; the number is shown masked and erased with other personal data (qhall.retention).
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from peewee import IntegrityError, fn

from config import CONFIG_DIR
from qhall import events as ev
from qhall import (
    haocha,
    rectification,  # a module import: it imports this module too
)
from qhall.clock import iso, queue_days
from qhall.db import unit_of_work
from qhall.devices import Tablet
from qhall.errors import BadInput, Conflict, NotFound
from qhall.events import Outcome
from qhall.inputs import clean_text
from qhall.lookups import find_counter, find_ticket, find_unit
from qhall.models import RATING_LEVELS, Counter, Rating, Ticket
from qhall.retention import mask_phone
from qhall.shapes import counter_view
from qhall.workdays import WorkCalendar

LEVEL_NAMES = {
    5: ("非常满意", "Very satisfied"),
    4: ("满意", "Satisfied"),
    3: ("基本满意", "Fairly satisfied"),
    2: ("不满意", "Dissatisfied"),
    1: ("非常不满意", "Very dissatisfied"),
}
# Ratings at or below this are bad: they need a reason and open a rectification item.
BAD_LEVEL = 2
# The hall channel's three dimensions (GB/T 39735-2020), each scored 1 to 5.
DIMENSIONS = {
    "efficiency": ("服务效率", "Efficiency"),
    "competence": ("服务水平", "Competence"),
    "attitude": ("服务态度", "Attitude"),
}
SCORES = (1, 2, 3, 4, 5)
MAX_WORDS = 500

# A number to call the visitor back on, once spaces, dashes and brackets are gone: a mobile
# (with or without +86), a landline with its area code, or a local one without it.
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_LANDLINE = re.compile(r"0\d{9,11}|[2-9]\d{6,7}")


@dataclass(frozen=True)
class Reason:
    """A reason a visitor may give for a bad rating; `explain`: it needs their words too."""

    code: str
    zh: str
    en: str
    explain: bool = False


@dataclass(frozen=True)
class QuestionSet:
    """What the rating asks, as the province publishes it; its version is kept on each rating."""

    version: str
    reasons: tuple[Reason, ...]

    def reason(self, code: str) -> Reason | None:
        """Return the reason with this code, or None."""
        return next((reason for reason in self.reasons if reason.code == code), None)


def question_set(settings: Mapping) -> QuestionSet:
    """Return the question set of the settings' [RATING] table."""
    rating = settings["RATING"]
    reasons = tuple(
        Reason(code=r["code"], zh=r["zh"], en=r["en"], explain=bool(r.get("explain", False)))
        for r in rating["REASONS"]
    )
    if not reasons or len({r.code for r in reasons}) != len(reasons):
        raise ValueError("[RATING] REASONS needs at least one reason, each with its own code")
    return QuestionSet(version=rating["QUESTION_SET"], reasons=reasons)


@functools.cache
def default_questions() -> QuestionSet:
    """Return the question set of config/default.toml, for callers that name none."""
    return question_set(tomllib.loads((CONFIG_DIR / "default.toml").read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Content:
    """A rating's content, checked: the level, the dimensions (hall channel), the reasons'
    codes, the visitor's words and the number to call them back on."""

    level: int
    dimensions: dict[str, int | None]
    reasons: tuple[str, ...]
    words: str
    callback_phone: str


def rate_at_window(
    tablet: Tablet,
    number: str,
    *,
    level: int,
    efficiency: int | None,
    competence: int | None,
    attitude: int | None,
    reasons: Iterable[str] = (),
    words: str = "",
    callback_phone: str = "",
    now: datetime,
    rating_window_s: int,
    rectification_days: int,
    questions: QuestionSet | None = None,
    calendar: WorkCalendar | None = None,
    request_key: str | None = None,
) -> Outcome:
    """Record the rating a visitor gives on a window's registered tablet, for the visit that
    window finished last (the number the tablet shows), within rating_window_s, once."""
    questions = questions or default_questions()
    content = _check(
        questions, level, reasons, words, callback_phone,
        dimensions={"efficiency": efficiency, "competence": competence, "attitude": attitude},
    )  # fmt: skip

    with unit_of_work(request_key, f"rate:{tablet.unit}:{tablet.window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit = find_unit(tablet.unit)
        counter = find_counter(unit, tablet.window)
        ticket = _last_finished(counter, now, rating_window_s)
        if ticket is None or ticket.number != number.strip().upper():
            raise NotFound(
                "没有找到本窗口刚办结的这个号。",
                "No visit with that number was just finished at this window.",
            )
        return uow.finish(
            _record(ticket, content, "tablet", tablet.name, questions, now,
                    rectification_days, calendar)
        )  # fmt: skip


def rate_by_token(
    token: str,
    *,
    level: int,
    reasons: Iterable[str] = (),
    words: str = "",
    callback_phone: str = "",
    now: datetime,
    rectification_days: int,
    questions: QuestionSet | None = None,
    calendar: WorkCalendar | None = None,
    request_key: str | None = None,
) -> Outcome:
    """Record the rating a visitor gives on their phone, with their ticket's token, for a
    visit that was served (finished); the overall level only, no dimensions."""
    questions = questions or default_questions()
    content = _check(questions, level, reasons, words, callback_phone, dimensions=None)

    with unit_of_work(request_key, f"rate-token:{token}", now) as uow:
        if uow.replayed:
            return uow.outcome
        ticket = find_ticket(token)
        if ticket.status != "finished":
            # A ticket still waiting, called but never come (no_show), cancelled or closed
            # at the end of the day was not served: there is nothing to rate.
            raise Conflict(
                "业务办结后才可以评价，谢谢。",
                "You can rate the service once it is finished. Thank you.",
                status=ticket.status,
            )
        return uow.finish(
            _record(ticket, content, "phone", "", questions, now, rectification_days, calendar)
        )


def _check(
    questions: QuestionSet,
    level,
    reasons: Iterable[str],
    words: str | None,
    callback_phone: str | None,
    *,
    dimensions: dict[str, int | None] | None,
) -> Content:
    """Return a rating's content checked, or raise a polite BadInput naming the field."""
    if not _is_one_of(level, RATING_LEVELS):
        raise BadInput(
            "请选择一个评价等级。", "Please choose a rating.", field="level",
            allowed=list(RATING_LEVELS),
        )  # fmt: skip
    if dimensions is None:  # the phone: the overall level only
        dimensions = dict.fromkeys(DIMENSIONS)
    else:
        for name, score in dimensions.items():
            if not _is_one_of(score, SCORES):
                zh, en = DIMENSIONS[name]
                raise BadInput(
                    f"请为“{zh}”选择 1 到 5 分，谢谢。",
                    f"Please score {en.lower()} from 1 to 5. Thank you.",
                    field=name,
                )
    codes = _reason_codes(questions, reasons)
    words = clean_text(words, "您的意见", limit=MAX_WORDS)
    bad = level <= BAD_LEVEL
    if bad and not codes:
        raise BadInput(
            "请至少选择一项不满意的原因，以便我们改进，谢谢。",
            "Please choose at least one reason, so that we can improve. Thank you.",
            field="reasons",
        )
    if not bad and codes:
        raise BadInput(
            "满意的评价无需选择不满意的原因。",
            "A satisfied rating needs no reason for dissatisfaction.",
            field="reasons",
        )
    if any(questions.reason(code).explain for code in codes) and not words:
        raise BadInput(
            "选择“其他”时，请简单写几句原因，谢谢。",
            "Please add a few words to say what went wrong. Thank you.",
            field="words",
        )
    phone = clean_callback_phone(callback_phone)
    if phone and not bad:
        raise BadInput(
            "只有不满意的评价需要留回访电话。",
            "A call-back number is asked only with a dissatisfied rating.",
            field="callback_phone",
        )
    return Content(level, dimensions, codes, words, phone)


def _is_one_of(value, allowed: tuple[int, ...]) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in allowed


def _reason_codes(questions: QuestionSet, reasons: Iterable[str]) -> tuple[str, ...]:
    if isinstance(reasons, str):
        reasons = [reasons]
    codes = tuple(dict.fromkeys(reasons or ()))  # each once, in the order given
    if any(not isinstance(code, str) or questions.reason(code) is None for code in codes):
        raise BadInput(
            "抱歉，所选原因不在评价选项中，请重新选择。",
            "Sorry, a reason given is not one of the choices. Please choose again.",
            field="reasons",
            allowed=[reason.code for reason in questions.reasons],
        )
    return codes


def clean_callback_phone(value: str | None) -> str:
    """Return a call-back number as digits (a mobile without +86), "" if none given, or
    raise BadInput for what is not a Chinese mobile or landline number."""
    phone = re.sub(r"[\s\-()（）]", "", value or "")
    if not phone:
        return ""
    mobile = _MOBILE.fullmatch(phone)
    if mobile:
        return mobile.group(1)
    if _LANDLINE.fullmatch(phone):
        return phone
    raise BadInput(
        "请填写正确的手机号码或固定电话（如 13812345678 或 010-12345678），也可以不填。",
        "Please give a valid mobile or landline number (such as 13812345678 or "
        "010-12345678), or leave it empty.",
        field="callback_phone",
    )


def _last_finished(counter: Counter, now: datetime, rating_window_s: int) -> Ticket | None:
    """Return the visit a window finished last, if within rating_window_s of now: of the
    queue days, so that a visit carried over the turn of the day may be rated too."""
    ticket = (
        Ticket.select()
        .where(
            Ticket.counter == counter.id,
            Ticket.status == "finished",
            Ticket.day.in_(queue_days(counter.unit, now)),
        )
        .order_by(Ticket.finished_at.desc(), Ticket.id.desc())
        .first()
    )
    if ticket is None or (now - ticket.finished_at).total_seconds() > rating_window_s:
        return None
    return ticket


def _record(
    ticket: Ticket, content: Content, source, device, questions, now, days, calendar
) -> dict:
    try:
        rating = Rating.create(
            ticket=ticket,
            unit=ticket.unit,
            counter=ticket.counter,
            staff=ticket.staff,
            level=content.level,
            reason=content.words,
            reasons=json.dumps(list(content.reasons)),
            source=source,
            device=device,
            question_set=questions.version,
            callback_phone=content.callback_phone,
            at=now,
            **content.dimensions,
        )
    except IntegrityError:
        raise Conflict(
            "这次办理已经评价过了，感谢您的评价！",
            "This visit has already been rated. Thank you for your rating!",
        ) from None
    haocha.report_rating(rating, now)  # the province hears of it once this commits
    counter = ticket.counter
    # The payload goes to the hall's screens: the level, never the visitor's words or number.
    ev.record(
        ticket.unit,
        ev.RATING_RECORDED,
        now,
        ticket=ticket,
        counter=counter,
        staff_id=None,
        rating={"number": ticket.number, "level": content.level, "source": source},
        counter_view=counter_view(counter) if counter else None,
    )
    bad = content.level <= BAD_LEVEL
    item = rectification.open_item(rating, now, days, calendar) if bad else None
    return {
        "rating": rating_view(rating, questions),
        "rectification": item.id if item else None,
    }


def rating_view(
    rating: Rating, questions: QuestionSet | None = None, *, full_phone: bool = False
) -> dict:
    """Return a rating without anything that identifies the visitor: the call-back number
    masked (138****5678) unless full_phone, for whoever calls the visitor back."""
    zh, en = LEVEL_NAMES[rating.level]
    questions = questions or default_questions()
    reasons = []
    for code in json.loads(rating.reasons or "[]"):
        # A reason of an older question set keeps its code when its label is gone.
        reason = questions.reason(code) or Reason(code, code, code)
        reasons.append({"code": code, "name": reason.zh, "name_en": reason.en})
    phone = rating.callback_phone
    return {
        "id": rating.id,
        "number": rating.ticket.number,
        "day": rating.ticket.day.isoformat(),
        "level": rating.level,
        "level_name": zh,
        "level_name_en": en,
        "efficiency": rating.efficiency,
        "competence": rating.competence,
        "attitude": rating.attitude,
        "reasons": reasons,
        # The visitor's own words, and the reasons and words together as one line to read.
        "reason": rating.reason,
        "reason_text": "；".join(
            [r["name"] for r in reasons] + [rating.reason] * bool(rating.reason)
        ),
        "callback_phone": phone if full_phone else mask_phone(phone),
        "question_set": rating.question_set,
        "source": rating.source,
        "device": rating.device,
        "window": rating.counter.window if rating.counter else None,
        "staff": rating.staff.name if rating.staff else None,
        "at": iso(rating.at),
        "excluded": rating.excluded,
    }


def rating_prompt(tablet: Tablet, *, now: datetime, rating_window_s: int) -> dict:
    """Return the visit a window's registered tablet should ask about: the visit the window
    finished last, within rating_window_s, if it is not rated yet."""
    counter = find_counter(find_unit(tablet.unit), tablet.window)
    ticket = _last_finished(counter, now, rating_window_s)
    if ticket is None or Rating.select().where(Rating.ticket == ticket.id).exists():
        return {"number": None, "counter": counter_view(counter)}
    return {"number": ticket.number, "counter": counter_view(counter)}


def ticket_rating(token: str) -> dict:
    """Return whether a ticket can be rated and its rating if it has one (the phone page)."""
    ticket = find_ticket(token)
    rating = Rating.get_or_none(Rating.ticket == ticket.id)
    return {
        "number": ticket.number,
        "status": ticket.status,
        "can_rate": ticket.status == "finished" and rating is None,
        "rating": rating_view(rating) if rating else None,
    }


def today_ratings(staff_id: int, unit_id: int, day: date) -> dict:
    """Return a staff member's ratings of the day: count, mean level and satisfied share."""
    rows = (
        Rating.select(Rating.level)
        .join(Ticket)
        .where(
            Rating.staff == staff_id,
            Rating.unit == unit_id,
            Ticket.day == day,
            Rating.excluded == False,  # noqa: E712
        )
    )
    levels = [row.level for row in rows]
    satisfied = sum(1 for level in levels if level > BAD_LEVEL)
    return {
        "count": len(levels),
        "average": round(sum(levels) / len(levels), 2) if levels else None,
        "satisfied_rate": round(satisfied / len(levels), 4) if levels else None,
    }


def unit_rating_counts(unit_code: str, day: date) -> dict[int, int]:
    """Return how many counted ratings of each level a unit had on a day."""
    unit = find_unit(unit_code)
    rows = (
        Rating.select(Rating.level, fn.COUNT(Rating.id))
        .join(Ticket)
        .where(Rating.unit == unit.id, Ticket.day == day, Rating.excluded == False)  # noqa: E712
        .group_by(Rating.level)
        .tuples()
    )
    return {level: 0 for level in RATING_LEVELS} | dict(rows)
