"""Erasing visitors' personal data once it is no longer needed, and logging each erasure."""

from __future__ import annotations

from datetime import datetime, timedelta

from qhall import events as ev
from qhall.db import unit_of_work
from qhall.events import Outcome
from qhall.models import Case, Inquiry, Rating, Rectification, Unit


def erase_personal_data(*, now: datetime, keep_days: int) -> Outcome:
    """Blank the names and phones of matters resolved (or cases completed) more than
    keep_days ago, and the call-back numbers of ratings whose rectification closed that long
    ago (or, with none opened, given that long ago); log how many per unit, never whose."""
    before = now - timedelta(days=keep_days)
    has_personal = (Inquiry.visitor_name != "") | (Inquiry.visitor_phone != "")
    old_inquiries = Inquiry.status == "resolved", Inquiry.resolved_at < before, has_personal
    case_personal = (Case.visitor_name != "") | (Case.visitor_phone != "")
    old_cases = Case.status == "completed", Case.completed_at < before, case_personal
    # A call-back number is needed until the call-back is done and the item closed.
    still_open = Rectification.select(Rectification.rating).where(
        Rectification.closed_at.is_null() | (Rectification.closed_at >= before)
    )
    old_numbers = Rating.callback_phone != "", Rating.at < before, Rating.id.not_in(still_open)

    with unit_of_work() as uow:
        erased = {}
        for unit in Unit.select():
            inquiries = (
                Inquiry.update(visitor_name="", visitor_phone="")
                .where(Inquiry.unit == unit.id, *old_inquiries)
                .execute()
            )
            cases = (
                Case.update(visitor_name="", visitor_phone="")
                .where(Case.unit == unit.id, *old_cases)
                .execute()
            )
            numbers = (
                Rating.update(callback_phone="")
                .where(Rating.unit == unit.id, *old_numbers)
                .execute()
            )
            if inquiries or cases or numbers:
                ev.record(unit, ev.PRIVACY_ERASED, now, inquiries=inquiries, cases=cases,
                          ratings=numbers, keep_days=keep_days)  # fmt: skip
                erased[unit.code] = {"inquiries": inquiries, "cases": cases, "ratings": numbers}
        return uow.finish(erased)


def mask_name(name: str) -> str:
    """Mask a person's name for others' eyes: 张三 → 张*, 张小三 → 张*三."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """Mask a phone number for others' eyes: 13812341234 → 138****1234, 87654321 → ****4321."""
    phone = (phone or "").strip()
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    keep = min(4, len(phone) // 2)
    return "*" * (len(phone) - keep) + phone[len(phone) - keep :]
