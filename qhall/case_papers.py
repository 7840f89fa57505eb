"""What the window's printer prints for a case (printer.printouts draws it): the receipt
(受理回执), the missing-materials notice (补正告知书) and the decision notice (办理结果告知书).
Plain values only; the visitor's name is masked, as on every paper that leaves the hall."""

from __future__ import annotations

import json
from datetime import datetime

from qhall.clock import local_day
from qhall.models import Case
from qhall.retention import mask_name


def receipt_data(case: Case) -> dict:
    """Return what a case's receipt (受理回执) prints: the visitor's copy of the promise."""
    return {
        "kind": "case_receipt",
        "unit": case.unit.code,
        "unit_name": case.unit.name_zh,
        "unit_name_en": case.unit.name_en,
        "number": case.number,
        "service_name": case.service.name_zh,
        "service_name_en": case.service.name_en,
        "matter": case.matter,
        "materials": json.loads(case.materials),
        "visitor_name": mask_name(case.visitor_name),
        "accepted_day": case.accepted_day.isoformat(),
        "time_limit_days": case.time_limit_days,
        "due_day": case.due_day.isoformat(),
        "staff_name": case.staff.name,
        "employee_no": case.staff.employee_no,
        "window": case.counter.window if case.counter else None,
    }


def notice_data(case: Case, now: datetime) -> dict:
    """Return what a missing-materials notice (补正告知书) prints."""
    return {
        **receipt_data(case),
        "kind": "missing_materials",
        "missing": json.loads(case.missing_materials),
        "days_left": case.days_left,
        "notice_day": local_day(now, case.unit.timezone).isoformat(),
    }


def decision_data(case: Case, now: datetime) -> dict:
    """Return what a decision notice (办理结果告知书) prints: granted, or refused and why."""
    return {
        **receipt_data(case),
        "kind": "case_decision",
        "decision": case.decision,
        "reason": case.result,
        "decision_day": local_day(now, case.unit.timezone).isoformat(),
    }
