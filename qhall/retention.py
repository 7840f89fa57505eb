"""Erasing visitors' personal data once it is no longer needed, and logging each erasure."""

from __future__ import annotations

from datetime import datetime, timedelta

from qhall import events as ev
from qhall.actions import perform
from qhall.events import Outcome
from qhall.models import Case, Inquiry, Unit

PRIVACY_ERASED = "privacy.erased"


def erase_personal_data(*, now: datetime, keep_days: int) -> Outcome:
    """Blank the names and phones of matters resolved (or cases completed) more than
    keep_days ago; log how many per unit, never whose."""
    before = now - timedelta(days=keep_days)
    has_personal = (Inquiry.visitor_name != "") | (Inquiry.visitor_phone != "")
    old_inquiries = Inquiry.status == "resolved", Inquiry.resolved_at < before, has_personal
    case_personal = (Case.visitor_name != "") | (Case.visitor_phone != "")
    old_cases = Case.status == "completed", Case.completed_at < before, case_personal

    def work(events):
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
            if inquiries or cases:
                ev.record(events, unit, PRIVACY_ERASED, now, inquiries=inquiries, cases=cases,
                          keep_days=keep_days)  # fmt: skip
                erased[unit.code] = {"inquiries": inquiries, "cases": cases}
        return erased

    return perform(None, "privacy", now, work)
