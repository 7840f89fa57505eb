"""What waits for a manager's decision in their halls, read from any page with no window
open: extension requests of promised cases (decided through cases.decide_extension) and
overdue cases escalated to the manager (which the manager may act on, qhall.access)."""

from __future__ import annotations

from datetime import datetime

from qhall.clock import iso, local_day
from qhall.models import Case, CaseExtension, Unit
from qhall.workdays import WorkCalendar, unchecked_deadline, work_calendar


def pending_approvals(
    units: list[Unit], *, now: datetime, calendar: WorkCalendar | None = None
) -> dict:
    """Return the units' pending extension requests (oldest first), each with the deadline
    it would move, and their escalated overdue cases (most overdue first)."""
    calendar = calendar or work_calendar()
    today = {unit.id: local_day(now, unit.timezone) for unit in units}
    pending = (
        CaseExtension.select(CaseExtension, Case)
        .join(Case)
        .where(Case.unit.in_(list(today)), CaseExtension.status == "pending")
        .order_by(CaseExtension.requested_at, CaseExtension.id)
    )
    escalated = Case.select().where(
        Case.unit.in_(list(today)), Case.status == "open", Case.escalated_at.is_null(False)
    )
    return {
        "extensions": [_extension(x, today[x.case.unit_id], calendar) for x in pending],
        "escalated": [
            {
                **_case(case),
                "days_late": -calendar.workdays_between(today[case.unit_id], case.due_day),
                "deadline_check": unchecked_deadline(calendar, case.accepted_day, case.due_day),
                "escalated_at": iso(case.escalated_at),
            }
            for case in escalated.order_by(Case.due_day, Case.id)
        ],
    }


def _extension(extension: CaseExtension, today, calendar: WorkCalendar) -> dict:
    case = extension.case
    # What approving does (cases.decide_extension): a running case's deadline moves on from
    # the old one, or from today if it has passed; a stopped case gets the days back later.
    moved = (
        calendar.add_workdays(max(case.due_day, today), extension.days)
        if case.status == "open"
        else None
    )
    return {
        **_case(case),
        "days": extension.days,
        "reason": extension.reason,
        "requested_by": extension.requested_by.name,
        "requested_at": iso(extension.requested_at),
        "new_due_day": moved.isoformat() if moved else None,
        # The deadline approving would set, or the present one, counted through a year
        # with no holidays entered: the manager should know before approving.
        "deadline_check": unchecked_deadline(calendar, case.accepted_day, moved or case.due_day),
    }


def _case(case: Case) -> dict:
    """A case as the approval list shows it; no visitor's name or phone (a list on a
    screen), the case number leads to the rest."""
    return {
        "unit": case.unit.code,
        "unit_name": case.unit.name_zh,
        "number": case.number,
        "service_name": case.service.name_zh,
        "service_name_en": case.service.name_en,
        "matter": case.matter,
        "status": case.status,
        "due_day": case.due_day.isoformat(),
        "staff": {"name": case.staff.name, "employee_no": case.staff.employee_no},
    }
