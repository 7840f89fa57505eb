"""The applicant's own look at a case's progress (凭回执查询办理进度): by the case number on
the receipt and the last four digits of the phone given at acceptance.

It shows what the receipt already carries and where the case stands, never a name or a
phone number. A wrong number and wrong digits get the same answer, so that no one learns
which case numbers exist; the web layer limits how often one address may ask.
"""

from __future__ import annotations

import hmac
import json
from datetime import datetime

from qhall.cases import deadline_state
from qhall.clock import local_day
from qhall.errors import BadInput, NotFound
from qhall.models import Case
from qhall.workdays import WorkCalendar, work_calendar

MAX_NUMBER = 40  # "MZJ-20261126-001" and room to spare


class NoSuchCase(NotFound):
    """The one refusal for an unknown number and for digits that do not match."""

    code = "case_not_found"
    zh = (
        "没有找到与该办件编号和手机尾号相符的办件。请核对回执上的办件编号和受理时登记的"
        "手机号码后四位；受理时未登记手机号码的，请拨打回执上的咨询电话，谢谢。"
    )
    en = (
        "No case matches that case number and those phone digits. Please check the number on "
        "your receipt and the last four digits of the phone you gave; if you gave no phone, "
        "please call the number on the receipt. Thank you."
    )


def clean_query(number, digits) -> tuple[str, str]:
    """Return the case number and the four digits as typed, tidied; BadInput otherwise."""
    if not isinstance(number, str) or not number.strip() or len(number.strip()) > MAX_NUMBER:
        raise BadInput(
            "请填写回执上的办件编号。", "Please enter the case number on your receipt.",
            field="number",
        )  # fmt: skip
    if not isinstance(digits, str) or not (digits.strip().isascii() and digits.strip().isdigit()
                                          and len(digits.strip()) == 4):  # fmt: skip
        raise BadInput(
            "请填写受理时登记的手机号码后四位数字。",
            "Please enter the last four digits of the phone you gave.",
            field="digits",
        )
    return number.strip().upper(), digits.strip()


def look_up(number, digits, *, now: datetime, calendar: WorkCalendar | None = None) -> dict:
    """Return a case's progress for its applicant, or raise NoSuchCase."""
    number, digits = clean_query(number, digits)
    case = Case.get_or_none(Case.number == number)
    phone = "".join(ch for ch in (case.visitor_phone if case else "") if ch.isdigit())
    # Compared in constant time, and compared even for an unknown number.
    matches = hmac.compare_digest((phone[-4:] if len(phone) >= 4 else "").encode(), digits.encode())
    if case is None or not matches:
        raise NoSuchCase()
    return progress_view(case, now, calendar or work_calendar())


def progress_view(case: Case, now: datetime, calendar: WorkCalendar) -> dict:
    """Return where a case stands, in the applicant's words: nothing personal."""
    unit = case.unit
    today = local_day(now, unit.timezone)
    state, left = deadline_state(case, today, calendar)
    suspended = case.status == "suspended"
    return {
        "number": case.number,
        "unit_name": unit.name_zh,
        "unit_name_en": unit.name_en,
        "service_name": case.service.name_zh,
        "service_name_en": case.service.name_en,
        "status": case.status,
        "progress": progress_words(case, state),
        "accepted_day": case.accepted_day.isoformat(),
        "time_limit_days": case.time_limit_days,
        "extended_days": case.extended_days,
        "due_day": None if suspended else case.due_day.isoformat(),
        "working_days_left": left if state in ("running", "due_today", "stopped") else None,
        "missing_materials": json.loads(case.missing_materials) if suspended else [],
        "completed_day": (
            local_day(case.completed_at, unit.timezone).isoformat() if case.completed_at else None
        ),
        "decision": case.decision or None,
        # A refusal states its reason: the applicant is owed it, and may appeal against it.
        "reason": case.result if case.decision == "refused" else "",
    }


def progress_words(case: Case, state: str) -> dict:
    """Return the case's state as one sentence, in both languages."""
    if case.status == "completed":
        if case.decision == "granted":
            return {"zh": "已办结：准予办理。请凭回执到窗口领取结果。",
                    "en": "Completed: granted. Please bring your receipt to collect the result."}  # fmt: skip
        if case.decision == "refused":
            return {"zh": "已办结：不予办理。请凭回执到窗口领取决定书。",
                    "en": "Completed: refused. Please bring your receipt to collect the decision."}  # fmt: skip
        return {"zh": "已办结。请凭回执到窗口领取结果。",
                "en": "Completed. Please bring your receipt to collect the result."}  # fmt: skip
    if case.status == "suspended":
        return {"zh": "等待补正材料：办理时限暂停计算，材料补齐后继续计算。",
                "en": "Waiting for missing materials: the time limit is paused until they arrive."}  # fmt: skip
    if state == "overdue":
        return {"zh": "正在办理，已超过承诺办结日期，我们正在加紧办理，深表歉意。",
                "en": "In progress, past the promised date; we are hurrying it. We are sorry."}  # fmt: skip
    return {"zh": "正在办理中。", "en": "In progress."}
