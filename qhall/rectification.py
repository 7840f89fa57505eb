"""The rectification each bad rating opens (差评整改): verify, rectify, call the visitor
back, each recorded, due within working days; a manager may instead accept an appeal
against a malicious rating, which then no longer counts."""

from __future__ import annotations

from datetime import date, datetime

from qhall import events as ev
from qhall import ratings  # a module import: qhall.ratings imports this module too
from qhall.access import is_manager
from qhall.clock import iso, local_day
from qhall.db import unit_of_work
from qhall.errors import BadInput, Conflict, Forbidden, NotFound
from qhall.events import Outcome
from qhall.inputs import clean_text
from qhall.lookups import find_unit
from qhall.models import Rating, Rectification, Staff
from qhall.workdays import WorkCalendar, work_calendar

# The steps of a rectification in order: the status before and after each, and the
# fields that record when, by whom and what was found or done.
STEPS = {
    "verify": ("open", "verified", "verified", "verify_note"),
    "rectify": ("verified", "rectified", "rectified", "rectify_note"),
    "call-back": ("rectified", "closed", "called_back", "callback_note"),
}


def open_item(rating: Rating, now: datetime, days: int, calendar: WorkCalendar | None):
    """Open the rectification of a bad rating, due within `days` working days."""
    calendar = calendar or work_calendar()
    unit = rating.unit
    item = Rectification.create(
        rating=rating,
        unit=unit,
        staff=rating.staff,
        opened_at=now,
        due_day=calendar.add_workdays(local_day(now, unit.timezone), days),
    )
    _record_item(ev.RECTIFICATION_OPENED, item, now, None)
    return item


def advance_rectification(
    unit_code: str,
    item_id: int,
    step: str,
    *,
    staff_id: int,
    note: str,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Record the next step of a rectification: verify, rectify, then call back (closes it)."""
    if step not in STEPS:
        raise BadInput("未知的整改步骤。", "Unknown rectification step.", allowed=list(STEPS))
    note_text = clean_text(note, "情况说明", required=True)

    with unit_of_work(request_key, f"rectify:{item_id}:{step}", now) as uow:
        if uow.replayed:
            return uow.outcome
        item = _item(unit_code, item_id)
        before, after, stamp, note_field = STEPS[step]
        if item.status != before:
            raise Conflict(
                "请按核实、整改、回访的顺序办理。",
                "Please verify, rectify and call back in that order.",
                status=item.status,
            )
        setattr(item, f"{stamp}_at", now)
        setattr(item, f"{stamp}_by", staff_id)
        setattr(item, note_field, note_text)
        item.status = after
        if after == "closed":
            item.closed_at = now
        item.save()
        _record_item(ev.RECTIFICATION_UPDATED, item, now, staff_id)
        return uow.finish(rectification_view(item, local_day(now, item.unit.timezone)))


def accept_appeal(
    unit_code: str,
    item_id: int,
    *,
    staff_id: int,
    reason: str,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Accept an appeal against a malicious rating (manager only): it no longer counts."""
    reason_text = clean_text(reason, "申诉理由", required=True)

    with unit_of_work(request_key, f"appeal:{item_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        if not is_manager(Staff.get_by_id(staff_id)):
            raise Forbidden("申诉须由负责人审核。", "Only a manager may accept an appeal.")
        item = _item(unit_code, item_id)
        if item.status in ("closed", "appeal_accepted"):
            raise Conflict("该整改事项已结束。", "This rectification is already closed.")
        item.status = "appeal_accepted"
        item.appeal_reason = reason_text
        item.appeal_decided_by = staff_id
        item.closed_at = now
        item.save()
        Rating.update(excluded=True).where(Rating.id == item.rating_id).execute()
        _record_item(ev.RECTIFICATION_UPDATED, item, now, staff_id)
        return uow.finish(rectification_view(item, local_day(now, item.unit.timezone)))


def _item(unit_code: str, item_id: int) -> Rectification:
    unit = find_unit(unit_code)
    item = Rectification.get_or_none(Rectification.id == item_id, Rectification.unit == unit.id)
    if item is None:
        raise NotFound("没有找到该整改事项。", "No such rectification item.", item=item_id)
    return item


def _record_item(name, item: Rectification, now, staff_id) -> None:
    ev.record(
        item.unit,
        name,
        now,
        staff_id=staff_id,
        rectification={"id": item.id, "status": item.status, "due_day": item.due_day.isoformat()},
    )


def rectification_view(item: Rectification, today: date) -> dict:
    """Return a rectification item with its rating, steps and whether it is overdue."""
    return {
        "id": item.id,
        "status": item.status,
        "rating": ratings.rating_view(item.rating),
        "staff": item.staff.name if item.staff else None,
        "opened_at": iso(item.opened_at),
        "due_day": item.due_day.isoformat(),
        "overdue": item.closed_at is None and item.due_day < today,
        "steps": [
            {"step": "verify", "at": iso(item.verified_at), "note": item.verify_note},
            {"step": "rectify", "at": iso(item.rectified_at), "note": item.rectify_note},
            {"step": "call-back", "at": iso(item.called_back_at), "note": item.callback_note},
        ],
        "appeal_reason": item.appeal_reason,
        "closed_at": iso(item.closed_at),
    }


def rectification_list(unit_code: str, viewer: Staff, *, now: datetime, closed: bool = False):
    """Return the unit's rectification items still open (or closed): a manager sees all,
    staff their own."""
    unit = find_unit(unit_code)
    query = Rectification.select().where(
        Rectification.unit == unit.id,
        Rectification.closed_at.is_null(not closed),
    )
    if not is_manager(viewer):
        query = query.where(Rectification.staff == viewer.id)
    today = local_day(now, unit.timezone)
    return [rectification_view(item, today) for item in query.order_by(Rectification.due_day)]
