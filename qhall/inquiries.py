"""First inquiries (首问负责制): whoever is asked first registers the matter and stays
responsible until it is resolved, even when the visitor is referred elsewhere; referrals,
repeat visits and the one-visit rate.

Each public write function is one transaction and returns an Outcome whose events are
published after the commit. Personal data (a visitor's name and phone) is optional, and
masked for anyone but the matter's owner and managers; event payloads, which reach the
hall's public screens, never carry it.
"""

from __future__ import annotations

import json
from datetime import datetime

from qhall import events as ev
from qhall.access import check_inquiry_hand, sees_personal_data
from qhall.clock import iso
from qhall.db import unit_of_work
from qhall.errors import BadInput, Conflict, Forbidden, NotFound
from qhall.events import Outcome
from qhall.inputs import clean_materials, clean_name, clean_phone, clean_text
from qhall.lookups import IN_HAND, find_counter, find_service, find_unit
from qhall.models import (
    Case,
    Counter,
    Inquiry,
    Referral,
    Staff,
)
from qhall.queue import send_on, start_in_hand
from qhall.retention import mask_name, mask_phone
from qhall.transfers import reachable
from qhall.windows import window_at

# --- first inquiries -----------------------------------------------------------------


def register_inquiry(
    unit_code: str,
    *,
    staff_id: int,
    matter: str,
    visitor_name: str = "",
    visitor_phone: str = "",
    organisation: str = "",
    materials=(),
    service_code: str | None = None,
    window: int | None = None,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Register a matter received first; the staff member who receives it owns it. Given
    the window it is registered at, the matter belongs to the visitor in hand there, whose
    visit this starts (registering is serving them)."""
    fields = inquiry_fields(matter, visitor_name, visitor_phone, organisation, materials)

    with unit_of_work(request_key, f"inquiry:{unit_code}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit = find_unit(unit_code)
        service = find_service(unit, service_code) if service_code else None
        ticket = None
        if window is not None:
            counter = window_at(unit, window, staff_id)  # not at a colleague's window
            ticket = start_in_hand(counter, now=now, staff_id=staff_id)
        inquiry = Inquiry.create(
            unit=unit, owner=staff_id, service=service, ticket=ticket, created_at=now, **fields
        )
        _record_inquiry(ev.INQUIRY_REGISTERED, inquiry, now, staff_id)
        return uow.finish(inquiry_view(inquiry, Staff.get_by_id(staff_id)))


def inquiry_fields(matter, visitor_name, visitor_phone, organisation, materials) -> dict:
    return {
        "matter": clean_text(matter, "事项", required=True),
        "visitor_name": clean_name(visitor_name, "姓名", limit=50),
        "visitor_phone": clean_phone(visitor_phone),
        "organisation": clean_name(organisation, "单位"),
        "materials": json.dumps(clean_materials(materials), ensure_ascii=False),
    }


def refer_inquiry(
    unit_code: str,
    inquiry_id: int,
    *,
    staff_id: int,
    to_unit: str | None = None,
    to_service: str | None = None,
    to_window: int | None = None,
    to_staff: str | None = None,
    note: str = "",
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Refer a matter elsewhere (a service, window, unit or named staff member); its owner
    stays responsible and keeps seeing it until it is resolved. The colleague at an open
    window it is referred to is named as its referee (who may record the outcome or hand it
    back), and the visitor, if in hand at the referrer's window, goes into that window's
    line (or the service's, if an open window serves it) at their place; a referral to
    where nobody serves now is only recorded, and the visitor stays in hand."""
    if not any(x is not None for x in (to_unit, to_service, to_window, to_staff)):
        raise BadInput(
            "请选择转交的业务、窗口、单位或人员。",
            "Choose the service, window, unit or person to refer the matter to.",
        )
    note = clean_text(note, "说明")

    with unit_of_work(request_key, f"inquiry-refer:{inquiry_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        inquiry = _inquiry_in_hand(unit_code, inquiry_id, staff_id)
        target_unit = find_unit(to_unit) if to_unit else inquiry.unit
        staff = None
        if to_staff:
            staff = Staff.get_or_none(Staff.login == to_staff, Staff.active == True)  # noqa: E712
            if staff is None:
                raise NotFound("没有找到该工作人员。", "No such staff member.", staff=to_staff)
        counter = find_counter(target_unit, to_window) if to_window is not None else None
        if counter is None and staff is not None:  # the colleague's own open window
            counter = Counter.get_or_none(
                Counter.unit == target_unit.id, Counter.staff == staff.id, Counter.state == "open"
            )
        if staff is None and counter is not None and counter.state == "open":
            staff = counter.staff  # whoever calls at that window takes the matter
        service = find_service(target_unit, to_service) if to_service else None
        Referral.create(
            inquiry=inquiry,
            from_staff=staff_id,
            to_unit=target_unit if to_unit else None,
            to_service=service,
            to_counter=counter,
            to_staff=staff,
            note=note,
            at=now,
        )
        inquiry.status = "referred"
        inquiry.save()
        _record_inquiry(ev.INQUIRY_REFERRED, inquiry, now, staff_id)
        moved = _move_visitor(inquiry, staff_id, service, counter, now)
        return uow.finish({**inquiry_view(inquiry, Staff.get_by_id(staff_id)), "moved": moved})


def hand_back_inquiry(
    unit_code: str,
    inquiry_id: int,
    *,
    staff_id: int,
    note: str = "",
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Hand a matter referred to the signed-in staff member back to its owner, with a note:
    recorded as a link of its chain; the visitor, if in hand at the referee's window, goes
    into the owner's line when the owner's window is open."""
    note = clean_text(note, "说明")

    with unit_of_work(request_key, f"inquiry-hand-back:{inquiry_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        inquiry = find_inquiry(unit_code, inquiry_id)
        if inquiry.status == "resolved":
            raise Conflict("该事项已办结。", "The matter is already resolved.")
        if referee_id(inquiry) != staff_id or inquiry.owner_id == staff_id:
            raise Forbidden(
                "只有该事项当前转交的承办人可以交回。",
                "Only the person the matter is now referred to may hand it back.",
            )
        counter = Counter.get_or_none(
            Counter.unit == inquiry.unit_id,
            Counter.staff == inquiry.owner_id,
            Counter.state == "open",
        )
        Referral.create(
            inquiry=inquiry,
            from_staff=staff_id,
            to_counter=counter,
            to_staff=inquiry.owner_id,
            note=note,
            at=now,
        )
        inquiry.status = "open"  # back with its owner
        inquiry.save()
        _record_inquiry(ev.INQUIRY_REFERRED, inquiry, now, staff_id)
        moved = _move_visitor(inquiry, staff_id, None, counter, now)
        return uow.finish({**inquiry_view(inquiry, Staff.get_by_id(staff_id)), "moved": moved})


def _move_visitor(inquiry: Inquiry, staff_id: int, service, counter, now) -> dict | None:
    """Send the matter's visitor, if in hand at staff_id's window, on to a window (if
    given) or a service where an open window will call them; None if they stay."""
    ticket = inquiry.ticket
    if ticket is None or ticket.status not in IN_HAND or ticket.counter is None:
        return None
    at = ticket.counter
    if at.staff_id != staff_id or (counter is not None and counter.id == at.id):
        return None
    if counter is not None and counter.unit_id != at.unit_id:
        return None  # another hall: the visitor takes a ticket there
    if service is not None and service.unit_id != at.unit_id:
        return None
    if counter is None and service is None:
        return None
    if not reachable(at.unit, service, counter):
        return None  # nobody would call them: they stay, and the referral is a record
    sent = send_on(at, ticket, service, counter, now, staff_id)
    return {
        "number": ticket.number,
        "to_window": sent["to_window"],
        "to_service": sent["to_service"],
    }


def referee_id(inquiry: Inquiry) -> int | None:
    """Return who the matter is referred to now: the staff member named in its last link."""
    last = inquiry.referrals.order_by(Referral.at.desc(), Referral.id.desc()).first()
    return last.to_staff_id if last else None


def record_visit(
    unit_code: str, inquiry_id: int, *, staff_id: int, now: datetime, request_key=None
) -> Outcome:
    """Count another visit the visitor had to make for the matter."""
    with unit_of_work(request_key, f"inquiry-visit:{inquiry_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        inquiry = find_inquiry(unit_code, inquiry_id)
        staff = Staff.get_by_id(staff_id)
        # Whoever it was referred to by name sees it in their list, and counts the visit.
        referred = inquiry.referrals.where(Referral.to_staff == staff_id).exists()
        check_inquiry_hand(staff, inquiry, referred_to=referred)
        if inquiry.status == "resolved":
            raise Conflict("该事项已办结。", "The matter is already resolved.")
        inquiry.visits += 1
        inquiry.save()
        _record_inquiry(ev.INQUIRY_VISITED, inquiry, now, staff_id)
        return uow.finish(inquiry_view(inquiry, Staff.get_by_id(staff_id)))


def resolve_inquiry(
    unit_code: str,
    inquiry_id: int,
    *,
    staff_id: int,
    outcome: str,
    now: datetime,
    request_key=None,
) -> Outcome:
    """Record how the matter ended: its owner, a manager, or whoever it is referred to now."""
    outcome_text = clean_text(outcome, "办理结果", required=True)

    with unit_of_work(request_key, f"inquiry-resolve:{inquiry_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        inquiry = find_inquiry(unit_code, inquiry_id)
        referee = referee_id(inquiry) == staff_id
        check_inquiry_hand(Staff.get_by_id(staff_id), inquiry, referred_to=referee)
        resolve_matter(inquiry, outcome_text, now, staff_id)
        return uow.finish(inquiry_view(inquiry, Staff.get_by_id(staff_id)))


def resolve_matter(inquiry: Inquiry, outcome: str, now: datetime, staff_id) -> None:
    if inquiry.status == "resolved":
        raise Conflict("该事项已办结。", "The matter is already resolved.")
    inquiry.status = "resolved"
    inquiry.outcome = outcome
    inquiry.resolved_at = now
    inquiry.save()
    _record_inquiry(ev.INQUIRY_RESOLVED, inquiry, now, staff_id)


def find_inquiry(unit_code: str, inquiry_id: int) -> Inquiry:
    unit = find_unit(unit_code)
    inquiry = Inquiry.get_or_none(Inquiry.id == inquiry_id, Inquiry.unit == unit.id)
    if inquiry is None:
        raise NotFound("没有找到该事项。", "No such matter.", inquiry=inquiry_id)
    return inquiry


def _inquiry_in_hand(unit_code: str, inquiry_id: int, staff_id: int) -> Inquiry:
    inquiry = find_inquiry(unit_code, inquiry_id)
    check_inquiry_hand(Staff.get_by_id(staff_id), inquiry)
    return inquiry


def _record_inquiry(name, inquiry: Inquiry, now, staff_id) -> None:
    """Log a matter's event; what a person does keeps its visitor data (qhall.retention)."""
    if staff_id is not None:
        Inquiry.update(last_activity_at=now).where(Inquiry.id == inquiry.id).execute()
    ev.record(
        inquiry.unit,
        name,
        now,
        staff_id=staff_id,
        inquiry={"id": inquiry.id, "status": inquiry.status, "visits": inquiry.visits},
    )


def inquiry_view(inquiry: Inquiry, viewer: Staff | None) -> dict:
    """Return a matter with its referral chain; personal data masked unless the viewer may
    see it."""
    full = sees_personal_data(viewer, inquiry.owner_id)
    chain = inquiry.referrals.order_by(Referral.at, Referral.id)
    return {
        "id": inquiry.id,
        "unit": inquiry.unit.code,
        "owner": {"name": inquiry.owner.name, "employee_no": inquiry.owner.employee_no},
        "mine": viewer is not None and viewer.id == inquiry.owner_id,
        # The viewer is who it is referred to now: they may record the outcome or hand it back.
        "referee": viewer is not None
        and viewer.id != inquiry.owner_id
        and referee_id(inquiry) == viewer.id,
        "service": inquiry.service.code if inquiry.service else None,
        "visitor_name": inquiry.visitor_name if full else mask_name(inquiry.visitor_name),
        "visitor_phone": inquiry.visitor_phone if full else mask_phone(inquiry.visitor_phone),
        "organisation": inquiry.organisation,
        "matter": inquiry.matter,
        "materials": json.loads(inquiry.materials),
        "status": inquiry.status,
        "visits": inquiry.visits,
        "outcome": inquiry.outcome,
        "created_at": iso(inquiry.created_at),
        "resolved_at": iso(inquiry.resolved_at),
        "referrals": [_referral_view(link) for link in chain],
        "cases": [
            {"number": case.number, "status": case.status, "due_day": case.due_day.isoformat()}
            for case in inquiry.cases.order_by(Case.id)
        ],
    }


def _referral_view(link: Referral) -> dict:
    return {
        "from": link.from_staff.name,
        "to_unit": link.to_unit.code if link.to_unit else None,
        "to_service": link.to_service.code if link.to_service else None,
        "to_window": link.to_counter.window if link.to_counter else None,
        "to_staff": link.to_staff.name if link.to_staff else None,
        "to_window_name": link.to_counter.name_zh if link.to_counter else None,
        "note": link.note,
        "at": iso(link.at),
    }


def inquiry_lists(unit_code: str, viewer: Staff) -> dict:
    """Return the viewer's unresolved matters and those referred to them by name."""
    unit = find_unit(unit_code)
    open_ = Inquiry.status != "resolved"
    mine = Inquiry.select().where(Inquiry.unit == unit.id, Inquiry.owner == viewer.id, open_)
    to_me = (
        Inquiry.select()
        .join(Referral)
        .where(open_, Referral.to_staff == viewer.id, Inquiry.owner != viewer.id)
        .distinct()
    )
    return {
        "mine": [inquiry_view(i, viewer) for i in mine.order_by(Inquiry.created_at.desc())],
        "referred_to_me": [inquiry_view(i, viewer) for i in to_me.order_by(Inquiry.id.desc())],
    }


def one_visit_rate(unit_code: str, start: datetime, end: datetime) -> dict:
    """Return how many matters resolved between start and end took a single visit."""
    unit = find_unit(unit_code)
    resolved = Inquiry.select().where(
        Inquiry.unit == unit.id, Inquiry.resolved_at >= start, Inquiry.resolved_at < end
    )
    total = resolved.count()
    once = resolved.where(Inquiry.visits == 1).count()
    return {"resolved": total, "one_visit": once, "rate": round(once / total, 4) if total else None}
