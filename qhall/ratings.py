"""Ratings of visits (好差评).

One rating per ticket, from the tablet at the window or the visitor's phone. A rating of
不满意 or 非常不满意 needs a reason and opens a rectification item (qhall.rectification).
"""

from __future__ import annotations

from datetime import date, datetime

from peewee import IntegrityError, fn

from qhall import events as ev
from qhall import rectification  # a module import: it imports this module too
from qhall.clock import iso, local_day
from qhall.db import unit_of_work
from qhall.errors import BadInput, Conflict, NotFound
from qhall.events import Outcome
from qhall.inputs import clean_text
from qhall.lookups import find_counter, find_ticket, find_unit
from qhall.models import RATING_LEVELS, Rating, Ticket
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


def rate_at_window(
    unit_code: str,
    window: int,
    number: str,
    *,
    level: int,
    reason: str = "",
    now: datetime,
    rating_window_s: int,
    rectification_days: int,
    calendar: WorkCalendar | None = None,
    request_key: str | None = None,
) -> Outcome:
    """Record the rating a visitor gives on the window's tablet for the visit just finished."""
    level, reason = _check(level, reason)

    with unit_of_work(request_key, f"rate:{unit_code}:{window}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit = find_unit(unit_code)
        counter = find_counter(unit, window)
        ticket = Ticket.get_or_none(
            Ticket.unit == unit.id,
            Ticket.day == local_day(now, unit.timezone),
            Ticket.number == number.strip().upper(),
            Ticket.counter == counter.id,
            Ticket.status == "finished",
        )
        if ticket is None or (now - ticket.finished_at).total_seconds() > rating_window_s:
            raise NotFound(
                "没有找到本窗口刚办结的这个号。",
                "No visit with that number was just finished at this window.",
            )
        return uow.finish(
            _record(ticket, level, reason, "tablet", now, rectification_days, calendar)
        )


def rate_by_token(
    token: str,
    *,
    level: int,
    reason: str = "",
    now: datetime,
    rectification_days: int,
    calendar: WorkCalendar | None = None,
    request_key: str | None = None,
) -> Outcome:
    """Record the rating a visitor gives on their phone, for their finished visit."""
    level, reason = _check(level, reason)

    with unit_of_work(request_key, "rate-token", now) as uow:
        if uow.replayed:
            return uow.outcome
        ticket = find_ticket(token)
        if ticket.status != "finished":
            raise Conflict(
                "业务办结后才可以评价，谢谢。",
                "You can rate the service once it is finished. Thank you.",
                status=ticket.status,
            )
        return uow.finish(
            _record(ticket, level, reason, "phone", now, rectification_days, calendar)
        )


def _check(level, reason) -> tuple[int, str]:
    if not isinstance(level, int) or isinstance(level, bool) or level not in RATING_LEVELS:
        raise BadInput(
            "请选择一个评价等级。", "Please choose a rating.", allowed=list(RATING_LEVELS)
        )
    reason = clean_text(reason, "评价理由", limit=500)
    if level <= BAD_LEVEL and not reason:
        raise BadInput(
            "请告诉我们不满意的原因，以便我们改进，谢谢。",
            "Please tell us what went wrong so that we can improve. Thank you.",
            field="reason",
        )
    return level, reason


def _record(ticket: Ticket, level, reason, source, now, days, calendar) -> dict:
    try:
        rating = Rating.create(
            ticket=ticket,
            unit=ticket.unit,
            counter=ticket.counter,
            staff=ticket.staff,
            level=level,
            reason=reason,
            source=source,
            at=now,
        )
    except IntegrityError:
        raise Conflict(
            "这次办理已经评价过了，感谢您的评价！",
            "This visit has already been rated. Thank you for your rating!",
        ) from None
    counter = ticket.counter
    # The payload goes to the hall's screens: the level, never the visitor's words.
    ev.record(
        ticket.unit,
        ev.RATING_RECORDED,
        now,
        ticket=ticket,
        counter=counter,
        staff_id=None,
        rating={"number": ticket.number, "level": level, "source": source},
        counter_view=counter_view(counter) if counter else None,
    )
    item = rectification.open_item(rating, now, days, calendar) if level <= BAD_LEVEL else None
    return {
        "rating": rating_view(rating),
        "rectification": item.id if item else None,
    }


def rating_view(rating: Rating) -> dict:
    """Return a rating without anything that identifies the visitor."""
    zh, en = LEVEL_NAMES[rating.level]
    return {
        "id": rating.id,
        "number": rating.ticket.number,
        "day": rating.ticket.day.isoformat(),
        "level": rating.level,
        "level_name": zh,
        "level_name_en": en,
        "reason": rating.reason,
        "source": rating.source,
        "window": rating.counter.window if rating.counter else None,
        "staff": rating.staff.name if rating.staff else None,
        "at": iso(rating.at),
        "excluded": rating.excluded,
    }


def rating_prompt(unit_code: str, window: int, *, now: datetime, rating_window_s: int) -> dict:
    """Return the visit the window's tablet should ask about: its latest finished ticket of
    the last rating_window_s seconds, if not rated yet."""
    unit = find_unit(unit_code)
    counter = find_counter(unit, window)
    ticket = (
        Ticket.select()
        .where(
            Ticket.counter == counter.id,
            Ticket.status == "finished",
            Ticket.day == local_day(now, unit.timezone),
        )
        .order_by(Ticket.finished_at.desc(), Ticket.id.desc())
        .first()
    )
    recent = ticket and (now - ticket.finished_at).total_seconds() <= rating_window_s
    if not recent or Rating.select().where(Rating.ticket == ticket.id).exists():
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
