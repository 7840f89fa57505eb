"""Supervision (督查): inspections and unannounced visits with their findings (冷、硬、拖、卡),
notices (通报) with a rectification deadline (限期整改) tracked to closure, and the flags the
data raises by itself (waits over target, overdue cases, open bad ratings, long pauses).

A notice goes: published (by an inspector or the bureau) → responded (by the unit's
manager, saying what was rectified) → closed (the inspector accepts the response) or back
to published (the inspector asks for more, with a note). Each step is one transaction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from peewee import fn

from qhall.access import check_inspect, check_manage, check_read, readable_units
from qhall.check_in import callable_ticket
from qhall.clock import hall_day, iso, local_day
from qhall.db import unit_of_work
from qhall.errors import BadInput, Conflict, NotFound
from qhall.events import Outcome
from qhall.inputs import clean_text
from qhall.lookups import find_counter, find_unit
from qhall.models import Case, Counter, PauseReason, Rectification, Staff, Ticket, Unit
from qhall.reports import target_wait_s
from qhall.supervision_models import (
    FINDING_CATEGORIES,
    INSPECTION_KINDS,
    Finding,
    Inspection,
    Notice,
)

CATEGORY_NAMES = {
    "cold": ("冷（态度冷漠）", "Cold (indifferent manner)"),
    "rigid": ("硬（作风生硬）", "Rigid (harsh, inflexible)"),
    "delaying": ("拖（推诿拖延）", "Delaying (stalling, passing the buck)"),
    "obstructing": ("卡（故意刁难）", "Obstructing (making things difficult)"),
    "other": ("其他", "Other"),
}


def _staff(staff_id: int) -> Staff:
    return Staff.get_by_id(staff_id)


def _unit_staff(unit: Unit, login: str | None) -> Staff | None:
    if not login:
        return None
    person = Staff.get_or_none(Staff.login == login, Staff.unit == unit.id)
    if person is None:
        raise NotFound("没有找到该单位的这名工作人员。", "No such staff member in this unit.")
    return person


def record_inspection(
    unit_code: str,
    *,
    inspector_id: int,
    kind: str,
    visited_on: date,
    window: int | None = None,
    staff_login: str | None = None,
    summary: str = "",
    findings: list[dict] = (),
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Record an inspection or unannounced visit and what it found."""
    if kind not in INSPECTION_KINDS:
        raise BadInput(
            "检查方式无效。", "Unknown kind of inspection.", allowed=list(INSPECTION_KINDS)
        )
    cleaned = []
    for item in findings or []:
        if not isinstance(item, dict) or item.get("category") not in FINDING_CATEGORIES:
            raise BadInput(
                "问题类别应为冷、硬、拖、卡或其他。",
                "A finding is cold, rigid, delaying, obstructing or other.",
                allowed=list(FINDING_CATEGORIES),
            )
        cleaned.append(
            {
                "category": item["category"],
                "description": clean_text(item.get("description"), "问题描述", required=True),
                "evidence": clean_text(item.get("evidence"), "佐证材料"),
            }
        )
    summary = clean_text(summary, "检查情况")
    with unit_of_work(request_key, f"inspection:{unit_code}:{inspector_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        check_inspect(_staff(inspector_id))
        unit = find_unit(unit_code)
        counter = find_counter(unit, window) if window is not None else None
        person = _unit_staff(unit, staff_login)
        inspection = Inspection.create(unit=unit, counter=counter, staff=person,
                                       inspector=inspector_id, kind=kind, visited_on=visited_on,
                                       summary=summary, created_at=now)  # fmt: skip
        for item in cleaned:
            Finding.create(inspection=inspection, counter=counter, staff=person, **item)
        return uow.finish(inspection_view(inspection))


def publish_notice(
    unit_code: str,
    *,
    publisher_id: int,
    title: str,
    body: str,
    deadline: date,
    inspection_id: int | None = None,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Publish a notice (通报) with a rectification deadline for a unit."""
    title = clean_text(title, "标题", required=True, limit=200)
    body = clean_text(body, "通报内容", required=True)
    with unit_of_work(request_key, f"notice:{unit_code}:{publisher_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        check_inspect(_staff(publisher_id))
        unit = find_unit(unit_code)
        if deadline < local_day(now, unit.timezone):
            raise BadInput("整改期限不能早于今天。", "The deadline cannot be in the past.")
        inspection = None
        if inspection_id is not None:
            inspection = Inspection.get_or_none(
                Inspection.id == inspection_id, Inspection.unit == unit.id
            )
            if inspection is None:
                raise NotFound("没有找到该检查记录。", "No such inspection.")
        year = local_day(now, unit.timezone).year
        count = Notice.select().where(Notice.number.startswith(f"TB-{year}-")).count()
        notice = Notice.create(number=f"TB-{year}-{count + 1:03d}", unit=unit,
                               inspection=inspection, title=title, body=body, deadline=deadline,
                               published_at=now, published_by=publisher_id)  # fmt: skip
        return uow.finish(notice_view(notice, local_day(now, unit.timezone)))


def respond_notice(
    notice_id: int, *, staff_id: int, response: str, now: datetime, request_key: str | None = None
) -> Outcome:
    """Record the unit's rectification response to a notice (its manager or the bureau)."""
    response = clean_text(response, "整改情况", required=True)
    with unit_of_work(request_key, f"notice-respond:{notice_id}:{staff_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        notice = _notice(notice_id)
        check_manage(_staff(staff_id), notice.unit)
        if notice.status != "published":
            raise Conflict("该通报当前不需要答复。", "This notice is not awaiting a response.")
        notice.status, notice.response = "responded", response
        notice.responded_at, notice.responded_by = now, staff_id
        notice.save()
        return uow.finish(notice_view(notice, local_day(now, notice.unit.timezone)))


def close_notice(
    notice_id: int,
    *,
    staff_id: int,
    accept: bool,
    note: str,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Close a notice whose response the inspector accepts, or send it back for more."""
    note = clean_text(note, "审核意见", required=not accept)
    with unit_of_work(request_key, f"notice-close:{notice_id}:{staff_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        check_inspect(_staff(staff_id))
        notice = _notice(notice_id)
        if notice.status != "responded":
            raise Conflict("请等待被通报单位答复整改情况。", "The unit has not responded yet.")
        notice.close_note = note
        if accept:
            notice.status, notice.closed_at, notice.closed_by = "closed", now, staff_id
        else:
            notice.status = "published"
        notice.save()
        return uow.finish(notice_view(notice, local_day(now, notice.unit.timezone)))


def _notice(notice_id: int) -> Notice:
    notice = Notice.get_or_none(Notice.id == notice_id)
    if notice is None:
        raise NotFound("没有找到该通报。", "No such notice.")
    return notice


# --- reading -------------------------------------------------------------------------


def inspection_view(inspection: Inspection) -> dict:
    """Return an inspection with its findings."""
    return {
        "id": inspection.id,
        "unit": inspection.unit.code,
        "unit_name": inspection.unit.name_zh,
        "kind": inspection.kind,
        "visited_on": inspection.visited_on.isoformat(),
        "window": inspection.counter.window if inspection.counter else None,
        "staff": inspection.staff.name if inspection.staff else None,
        "inspector": inspection.inspector.name,
        "summary": inspection.summary,
        "findings": [
            {
                "category": f.category,
                "category_name": CATEGORY_NAMES[f.category][0],
                "category_name_en": CATEGORY_NAMES[f.category][1],
                "description": f.description,
                "evidence": f.evidence,
            }
            for f in inspection.findings.order_by(Finding.id)
        ],
    }


def notice_view(notice: Notice, today: date) -> dict:
    """Return a notice, where it stands, and whether its deadline has passed unclosed."""
    return {
        "id": notice.id,
        "number": notice.number,
        "unit": notice.unit.code,
        "unit_name": notice.unit.name_zh,
        "inspection": notice.inspection_id,
        "title": notice.title,
        "body": notice.body,
        "deadline": notice.deadline.isoformat(),
        "status": notice.status,
        "overdue": notice.status != "closed" and notice.deadline < today,
        "published_at": iso(notice.published_at),
        "published_by": notice.published_by.name,
        "response": notice.response,
        "responded_at": iso(notice.responded_at),
        "responded_by": notice.responded_by.name if notice.responded_by else None,
        "close_note": notice.close_note,
        "closed_at": iso(notice.closed_at),
    }


def supervision_view(
    viewer: Staff, unit_code: str | None, *, now: datetime, settings: dict
) -> dict:
    """Return what the viewer may see of supervision: inspections, notices and flags, of
    one unit or of every unit they may read."""
    unit = find_unit(unit_code) if unit_code else None
    check_read(viewer, unit)
    units = [unit] if unit else list(readable_units(viewer))
    ids = [u.id for u in units]
    today = local_day(now, units[0].timezone) if units else now.date()
    inspections = (
        Inspection.select()
        .where(Inspection.unit.in_(ids))
        .order_by(Inspection.visited_on.desc(), Inspection.id.desc())
        .limit(100)
    )
    notices = (
        Notice.select()
        .where(Notice.unit.in_(ids))
        .order_by(Notice.status == "closed", Notice.deadline, Notice.id)
        .limit(200)
    )
    return {
        "inspections": [inspection_view(i) for i in inspections],
        "notices": [notice_view(n, today) for n in notices],
        "flags": automatic_flags(units, now=now, settings=settings),
    }


def automatic_flags(units: list[Unit], *, now: datetime, settings: dict) -> list[dict]:
    """Return what the data flags by itself today in each unit: visitors who waited past the
    target, promised cases past their deadline, bad ratings not yet closed, and windows
    paused longer than LONG_PAUSE_S."""
    flags = []
    for unit in units:
        today = local_day(now, unit.timezone)
        target = target_wait_s(settings, unit.code)
        tickets = Ticket.select().where(Ticket.unit == unit.id, Ticket.day == hall_day(now, unit))
        late = tickets.where(Ticket.wait_s > target).count()
        still = tickets.where(
            Ticket.status == "waiting",
            callable_ticket(),  # a phone's ticket not yet in the hall waits nowhere
            Ticket.issued_at < _seconds_before(now, target),
        ).count()
        if late or still:
            flags.append(_flag(unit, "long_wait", late + still,
                               f"今日 {late + still} 位群众等候超过 {target // 60} 分钟",
                               f"{late + still} visitors waited over {target // 60} min today"))  # fmt: skip
        overdue = Case.select().where(
            Case.unit == unit.id, Case.status == "open", Case.due_day < today
        )
        if count := overdue.count():
            numbers = ", ".join(c.number for c in overdue.order_by(Case.due_day).limit(5))
            flags.append(_flag(unit, "overdue_case", count, f"{count} 件承诺件已逾期：{numbers}",
                               f"{count} promised cases overdue: {numbers}"))  # fmt: skip
        open_bad = Rectification.select().where(
            Rectification.unit == unit.id, Rectification.closed_at.is_null()
        )
        if count := open_bad.count():
            late_items = open_bad.where(Rectification.due_day < today).count()
            flags.append(_flag(unit, "bad_rating", count,
                               f"{count} 条差评尚未整改完毕（{late_items} 条已超期）",
                               f"{count} bad ratings not yet closed ({late_items} past deadline)"))  # fmt: skip
        limit = int(settings["LONG_PAUSE_S"])
        for counter in Counter.select().where(
            Counter.unit == unit.id,
            Counter.state == "paused",
            Counter.state_since < _seconds_before(now, limit),
        ):
            reason = PauseReason.get_or_none(PauseReason.code == counter.pause_reason)
            minutes = int((now - counter.state_since).total_seconds() // 60)
            flags.append(_flag(unit, "long_pause", 1,
                               f"{counter.window}号窗口暂停已 {minutes} 分钟（{reason.name_zh if reason else counter.pause_reason}）",
                               f"Window {counter.window} paused for {minutes} min ({reason.name_en if reason else counter.pause_reason})"))  # fmt: skip
    return flags


def _seconds_before(now: datetime, seconds: int) -> datetime:
    return now - timedelta(seconds=seconds)


def _flag(unit: Unit, kind: str, count: int, zh: str, en: str) -> dict:
    return {"unit": unit.code, "unit_name": unit.name_zh, "kind": kind, "count": count,
            "message": zh, "message_en": en}  # fmt: skip


def finding_counts(unit_ids: list[int], start: date, end: date) -> dict[str, int]:
    """Return how many findings of each category inspections in a period recorded."""
    rows = (
        Finding.select(Finding.category, fn.COUNT(Finding.id))
        .join(Inspection)
        .where(
            Inspection.unit.in_(unit_ids),
            Inspection.visited_on >= start,
            Inspection.visited_on <= end,
        )
        .group_by(Finding.category)
        .tuples()
    )
    return dict.fromkeys(FINDING_CATEGORIES, 0) | dict(rows)
