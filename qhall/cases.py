"""Time-limited cases (限时办结) and their deadlines, parallel tasks (并联审批), extensions.

Each public write function is one unit of work (qhall.db.unit_of_work) and
returns an Outcome whose events are published after the commit. Times come in as `now`
(naive UTC); days are the unit's local days; deadlines count working days of the official
calendar (qhall.workdays), starting the day after acceptance.

Personal data (a visitor's name and phone) is optional, and masked (mask_name,
mask_phone) for anyone but the matter's owner and managers; event payloads, which reach
the hall's public screens, never carry it.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from qhall import events as ev
from qhall.access import check_approve, check_case_hand, is_manager, sees_personal_data
from qhall.case_papers import decision_data, notice_data, receipt_data
from qhall.clock import iso, local_day
from qhall.db import lock_key, unit_of_work
from qhall.errors import BadInput, Conflict, NotFound
from qhall.events import Outcome
from qhall.inputs import clean_materials, clean_text
from qhall.inquiries import find_inquiry, inquiry_fields, resolve_matter
from qhall.lookups import find_service, find_unit
from qhall.models import (
    Case,
    CaseExtension,
    CaseTask,
    Inquiry,
    Staff,
    Unit,
)
from qhall.queue import start_in_hand
from qhall.retention import mask_name, mask_phone
from qhall.windows import window_at
from qhall.workdays import WorkCalendar, unchecked_deadline, work_calendar

# What the window decides once a case's work is done (Case.decision).
DECISIONS = ("granted", "refused")

# --- time-limited cases --------------------------------------------------------------


def accept_case(
    unit_code: str,
    service_code: str,
    *,
    staff_id: int,
    matter: str,
    materials=(),
    visitor_name: str = "",
    visitor_phone: str = "",
    window: int | None = None,
    inquiry_id: int | None = None,
    tasks=(),
    now: datetime,
    calendar: WorkCalendar | None = None,
    request_key: str | None = None,
) -> Outcome:
    """Accept a promised matter (承诺件): a case number, a deadline in working days from the
    next day, and what its receipt prints. Tasks are departments working in parallel. Given
    the window, the case belongs to the visitor in hand there, whose visit this starts."""
    calendar = calendar or work_calendar()
    fields = inquiry_fields(matter, visitor_name, visitor_phone, "", materials)
    departments = [clean_text(t, "部门", required=True, limit=100) for t in tasks or []]

    with unit_of_work(request_key, f"case:{unit_code}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit = find_unit(unit_code)
        service = find_service(unit, service_code)
        if service.time_limit_days <= 0:
            raise BadInput(
                "该业务为即办件，请当场办结，无需受理为承诺件。",
                "This service is handled on the spot, not as a promised case.",
            )
        counter = window_at(unit, window, staff_id) if window is not None else None
        ticket = start_in_hand(counter, now=now, staff_id=staff_id) if counter else None
        if inquiry_id is not None:
            inquiry = find_inquiry(unit_code, inquiry_id)
        else:  # whoever accepts the case received the matter first
            inquiry = Inquiry.create(
                unit=unit,
                owner=staff_id,
                service=service,
                ticket=ticket,
                created_at=now,
                **fields,
            )
        day = local_day(now, unit.timezone)
        case = Case.create(
            number=_next_case_number(unit, day),
            unit=unit,
            service=service,
            inquiry=inquiry,
            ticket=ticket,
            counter=counter,
            staff=staff_id,
            status="open",
            accepted_at=now,
            accepted_day=day,
            time_limit_days=service.time_limit_days,
            due_day=calendar.add_workdays(day, service.time_limit_days),
            **{k: v for k, v in fields.items() if k != "organisation"},
        )
        for department in departments:
            CaseTask.create(case=case, department=department)
        _record_case(ev.CASE_ACCEPTED, case, now, staff_id)
        return uow.finish(
            {
                "case": case_view(case, Staff.get_by_id(staff_id), day, calendar),
                "receipt": receipt_data(case),
                "printer": counter.printer if counter else None,
            }
        )


def _next_case_number(unit: Unit, day: date) -> str:
    """Return the unit's next case number of the day; the caller's transaction holds it."""
    lock_key(f"case-number:{unit.code}:{day}")
    prefix = f"{unit.code}-{day:%Y%m%d}-"
    count = Case.select().where(Case.unit == unit.id, Case.number.startswith(prefix)).count()
    return f"{prefix}{count + 1:03d}"


def suspend_case(
    unit_code: str,
    number: str,
    *,
    staff_id: int,
    missing,
    window: int | None = None,
    now: datetime,
    calendar: WorkCalendar | None = None,
    request_key=None,
) -> Outcome:
    """Stop the clock until the visitor supplies missing materials (补正), with the notice
    to print."""
    calendar = calendar or work_calendar()
    missing_items = clean_materials(missing)
    if not missing_items:
        raise BadInput("请列出需补正的材料。", "List the materials that are missing.")

    with unit_of_work(request_key, f"case-suspend:{number}", now) as uow:
        if uow.replayed:
            return uow.outcome
        case = _case(unit_code, number, "open", staff_id=staff_id)
        day = local_day(now, case.unit.timezone)
        left = calendar.workdays_between(day, case.due_day)
        if left < 0:
            raise Conflict(
                "该件已超期，不能再要求补正，请申请延期。",
                "The case is overdue; ask for an extension instead of missing materials.",
            )
        case.status = "suspended"
        case.suspended_at = now
        case.days_left = left
        case.missing_materials = json.dumps(missing_items, ensure_ascii=False)
        case.save()
        _record_case(ev.CASE_SUSPENDED, case, now, staff_id)
        counter = window_at(case.unit, window, staff_id) if window is not None else case.counter
        return uow.finish(
            {
                "case": case_view(case, Staff.get_by_id(staff_id), day, calendar),
                "notice": notice_data(case, now),
                "printer": counter.printer if counter else None,
            }
        )


def resume_case(
    unit_code: str,
    number: str,
    *,
    staff_id: int,
    now: datetime,
    calendar: WorkCalendar | None = None,
    request_key=None,
) -> Outcome:
    """Restart the clock now that the missing materials are supplied (one more visit)."""
    calendar = calendar or work_calendar()

    with unit_of_work(request_key, f"case-resume:{number}", now) as uow:
        if uow.replayed:
            return uow.outcome
        case = _case(unit_code, number, "suspended", staff_id=staff_id)
        day = local_day(now, case.unit.timezone)
        # The stopped days do not count: the days left run again from the next day.
        case.due_day = calendar.add_workdays(day, case.days_left or 0)
        case.status = "open"
        case.suspended_at = None
        case.days_left = None
        case.warned_at = None
        case.save()
        if case.inquiry is not None:
            case.inquiry.visits += 1
            case.inquiry.save()
        _record_case(ev.CASE_RESUMED, case, now, staff_id)
        return uow.finish({"case": case_view(case, Staff.get_by_id(staff_id), day, calendar)})


def request_extension(
    unit_code: str,
    number: str,
    *,
    staff_id: int,
    days: int,
    reason: str,
    now: datetime,
    request_key=None,
) -> Outcome:
    """Ask a manager for more working days, with the reason."""
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
        raise BadInput("延期天数应为 1 到 60 个工作日。", "Extend by 1 to 60 working days.")
    reason_text = clean_text(reason, "延期理由", required=True)

    with unit_of_work(request_key, f"case-extend:{number}", now) as uow:
        if uow.replayed:
            return uow.outcome
        case = _case(unit_code, number, "open", "suspended", staff_id=staff_id)
        if case.extensions.where(CaseExtension.status == "pending").exists():
            raise Conflict("已有待审批的延期申请。", "An extension request is already pending.")
        extension = CaseExtension.create(
            case=case, days=days, reason=reason_text, requested_by=staff_id, requested_at=now
        )
        _record_case(ev.CASE_EXTENSION_REQUESTED, case, now, staff_id, days=days)
        return uow.finish({"extension": extension_view(extension)})


def decide_extension(
    unit_code: str,
    number: str,
    *,
    staff_id: int,
    approve: bool,
    note: str = "",
    now: datetime,
    calendar: WorkCalendar | None = None,
    request_key=None,
) -> Outcome:
    """Approve or refuse the case's pending extension; only a manager may."""
    calendar = calendar or work_calendar()
    note_text = clean_text(note, "审批意见")

    with unit_of_work(request_key, f"case-decide:{number}", now) as uow:
        if uow.replayed:
            return uow.outcome
        manager = Staff.get_by_id(staff_id)
        check_approve(manager, find_unit(unit_code))  # from any page: no window needed
        case = _case(unit_code, number, "open", "suspended")
        extension = case.extensions.where(CaseExtension.status == "pending").first()
        if extension is None:
            raise Conflict("没有待审批的延期申请。", "There is no pending extension request.")
        extension.status = "approved" if approve else "refused"
        extension.decided_by = staff_id
        extension.decided_at = now
        extension.decision_note = note_text
        extension.save()
        day = local_day(now, case.unit.timezone)
        if approve:
            case.extended_days += extension.days
            if case.status == "suspended":
                case.days_left = (case.days_left or 0) + extension.days
            else:
                # Counted from the old deadline, or from today if it has already passed.
                case.due_day = calendar.add_workdays(max(case.due_day, day), extension.days)
            case.warned_at = None
            case.escalated_at = None
            case.save()
        name = ev.CASE_EXTENDED if approve else ev.CASE_EXTENSION_REFUSED
        _record_case(name, case, now, staff_id, days=extension.days)
        return uow.finish(
            {
                "extension": extension_view(extension),
                "case": case_view(case, manager, day, calendar),
            }
        )


def finish_task(
    unit_code: str,
    number: str,
    task_id: int,
    *,
    staff_id: int,
    note: str = "",
    now: datetime,
    calendar: WorkCalendar | None = None,
    request_key=None,
) -> Outcome:
    """Record one department's part done. When every part is done the case waits for the
    window's decision (decide_case): it is never closed without one."""
    calendar = calendar or work_calendar()
    note_text = clean_text(note, "办理意见")

    with unit_of_work(request_key, f"case-task:{number}:{task_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        case = _case(unit_code, number, "open", staff_id=staff_id)
        task = CaseTask.get_or_none(CaseTask.id == task_id, CaseTask.case == case.id)
        if task is None:
            raise NotFound("没有找到该并联事项。", "No such parallel task.", task=task_id)
        if task.status == "done":
            raise Conflict("该部门事项已办结。", "That department's part is already done.")
        task.status = "done"
        task.note = note_text
        task.done_at = now
        task.done_by = staff_id
        task.save()
        _record_case(ev.CASE_TASK_DONE, case, now, staff_id, task=task.department)
        day = local_day(now, case.unit.timezone)
        return uow.finish({"case": case_view(case, Staff.get_by_id(staff_id), day, calendar)})


def complete_case(
    unit_code: str,
    number: str,
    *,
    staff_id: int,
    result: str,
    decision: str = "granted",
    window: int | None = None,
    now: datetime,
    calendar: WorkCalendar | None = None,
    request_key=None,
) -> Outcome:
    """Complete a case (办结) with its result: decide_case, the result text required and
    the decision granted unless refused."""
    clean_text(result, "办理结果", required=True)
    return decide_case(unit_code, number, staff_id=staff_id, decision=decision, reason=result,
                       window=window, now=now, calendar=calendar, request_key=request_key)  # fmt: skip


def decide_case(
    unit_code: str,
    number: str,
    *,
    staff_id: int,
    decision: str,
    reason: str = "",
    window: int | None = None,
    now: datetime,
    calendar: WorkCalendar | None = None,
    request_key=None,
) -> Outcome:
    """Decide a case whose every parallel task is done: granted (with the outcome, if any),
    or refused with the reason. The case completes, and the decision notice (办理结果告知书)
    goes to the window's printer, so that the applicant is told."""
    calendar = calendar or work_calendar()
    if decision not in DECISIONS:
        raise BadInput(
            "决定应为准予或不予。", "Decide granted or refused.", allowed=list(DECISIONS)
        )
    reason_text = clean_text(reason, "理由")
    if decision == "refused" and not reason_text:
        raise BadInput("不予办理须写明理由。", "A refusal needs its reason.", field="reason")

    with unit_of_work(request_key, f"case-decision:{number}", now) as uow:
        if uow.replayed:
            return uow.outcome
        case = _case(unit_code, number, "open", staff_id=staff_id)
        if case.tasks.where(CaseTask.status != "done").exists():
            raise Conflict(
                "还有部门的并联事项未办结。", "Some departments' parallel tasks are not done."
            )
        case.status = "completed"
        case.completed_at = now
        case.decision = decision
        case.result = reason_text
        case.save()
        _record_case(ev.CASE_COMPLETED, case, now, staff_id, decision=decision)
        inquiry = case.inquiry
        # A matter the case's own acceptor received first ends with the case; one referred
        # here by someone else stays with its owner, who records the outcome.
        if inquiry is not None and inquiry.status != "resolved" and inquiry.owner_id == case.staff_id:  # fmt: skip
            words = "准予 Granted" if decision == "granted" else "不予 Refused"
            resolve_matter(inquiry, f"{words}：{reason_text}" if reason_text else words, now, staff_id)  # fmt: skip
        counter = window_at(case.unit, window, staff_id) if window is not None else case.counter
        day = local_day(now, case.unit.timezone)
        return uow.finish(
            {
                "case": case_view(case, Staff.get_by_id(staff_id), day, calendar),
                "decision_notice": decision_data(case, now),
                "printer": counter.printer if counter else None,
            }
        )


def check_deadlines(
    unit_code: str,
    *,
    now: datetime,
    warn_days: int,
    calendar: WorkCalendar | None = None,
    request_key: str | None = None,
) -> Outcome:
    """Warn of cases due within warn_days working days, and escalate overdue cases to the
    unit's manager; each once (safe to run as often as wanted)."""
    calendar = calendar or work_calendar()

    with unit_of_work(request_key, f"deadlines:{unit_code}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit = find_unit(unit_code)
        day = local_day(now, unit.timezone)
        running = Case.select().where(Case.unit == unit.id, Case.status == "open")
        warned, escalated = [], []
        for case in running.where(Case.warned_at.is_null(), Case.due_day >= day):
            if calendar.workdays_between(day, case.due_day) <= warn_days:
                case.warned_at = now
                case.save()
                _record_case(ev.CASE_WARNING, case, now, None)
                warned.append(case.number)
        manager = unit_manager(unit)
        for case in running.where(Case.escalated_at.is_null(), Case.due_day < day):
            case.escalated_at = now
            case.escalated_to = manager
            case.save()
            _record_case(ev.CASE_OVERDUE, case, now, None)
            escalated.append(case.number)
        return uow.finish({"warned": warned, "escalated": escalated})


def _case(unit_code: str, number: str, *states: str, staff_id: int | None = None) -> Case:
    """Return a hall's case in one of states; given staff_id, one they may act on."""
    unit = find_unit(unit_code)
    case = Case.get_or_none(Case.number == number.strip().upper(), Case.unit == unit.id)
    if case is None:
        raise NotFound("没有找到该办件。", "No such case.", case=number)
    if staff_id is not None:
        check_case_hand(Staff.get_by_id(staff_id), case)
    if states and case.status not in states:
        raise Conflict(
            "该办件当前的状态不允许此操作。",
            "The case cannot do that in its current state.",
            status=case.status,
        )
    return case


def _record_case(name, case: Case, now, staff_id, **data) -> None:
    """Log a case event; the payload carries no personal data (it reaches hall screens).
    What a person does keeps the case's visitor data (last_activity_at; qhall.retention)."""
    if staff_id is not None:
        Case.update(last_activity_at=now).where(Case.id == case.id).execute()
    ev.record(
        case.unit,
        name,
        now,
        staff_id=staff_id,
        case={
            "number": case.number,
            "service": case.service.code,
            "status": case.status,
            "due_day": case.due_day.isoformat(),
            "staff": case.staff_id,
            "escalated_to": case.escalated_to_id,
        },
        **data,
    )


# --- reading cases -------------------------------------------------------------------


def deadline_state(case: Case, today: date, calendar: WorkCalendar) -> tuple[str, int | None]:
    """Return where a case stands against its deadline and the working days left:
    done, stopped (补正), overdue, due_today, warning-free "running"."""
    if case.status == "completed":
        return "done", None
    if case.status == "suspended":
        return "stopped", case.days_left
    left = calendar.workdays_between(today, case.due_day)
    if case.due_day < today:
        return "overdue", left
    if case.due_day == today:
        return "due_today", 0
    return "running", left


def case_view(case: Case, viewer: Staff | None, today: date, calendar: WorkCalendar) -> dict:
    """Return a case with its deadline state, tasks and extensions; personal data masked
    unless the viewer may see it."""
    full = sees_personal_data(viewer, case.staff_id)
    state, left = deadline_state(case, today, calendar)
    tasks = [
        {"id": t.id, "department": t.department, "status": t.status, "note": t.note}
        for t in case.tasks.order_by(CaseTask.id)
    ]
    return {
        "number": case.number,
        "unit": case.unit.code,
        "service": case.service.code,
        "service_name": case.service.name_zh,
        "service_name_en": case.service.name_en,
        "matter": case.matter,
        "materials": json.loads(case.materials),
        "missing_materials": json.loads(case.missing_materials),
        "visitor_name": case.visitor_name if full else mask_name(case.visitor_name),
        "visitor_phone": case.visitor_phone if full else mask_phone(case.visitor_phone),
        "status": case.status,
        "deadline": state,
        "working_days_left": left,
        "accepted_at": iso(case.accepted_at),
        "time_limit_days": case.time_limit_days,
        "extended_days": case.extended_days,
        "due_day": case.due_day.isoformat(),
        "staff": {"name": case.staff.name, "employee_no": case.staff.employee_no},
        "mine": viewer is not None and viewer.id == case.staff_id,
        "window": case.counter.window if case.counter else None,
        "inquiry": case.inquiry_id,
        "visits": case.inquiry.visits if case.inquiry else 1,
        "warned": case.warned_at is not None,
        "escalated_to": case.escalated_to.name if case.escalated_to else None,
        "completed_at": iso(case.completed_at),
        "decision": case.decision,
        "result": case.result,
        "tasks": tasks,
        # Every department's part is done: the window decides (decide_case).
        "awaiting_decision": case.status == "open"
        and bool(tasks)
        and all(t["status"] == "done" for t in tasks),
        "deadline_check": None
        if case.status == "completed"
        else unchecked_deadline(calendar, case.accepted_day, case.due_day),
        "extensions": [extension_view(x) for x in case.extensions.order_by(CaseExtension.id)],
    }


def extension_view(extension: CaseExtension) -> dict:
    """Return an extension request and its decision."""
    return {
        "id": extension.id,
        "days": extension.days,
        "reason": extension.reason,
        "requested_by": extension.requested_by.name,
        "status": extension.status,
        "decided_by": extension.decided_by.name if extension.decided_by else None,
        "decision_note": extension.decision_note,
    }


def find_case(unit_code: str, number: str, viewer: Staff, now: datetime) -> dict:
    """Return one case as the viewer may see it."""
    case = _case(unit_code, number)
    calendar = work_calendar()
    return case_view(case, viewer, local_day(now, case.unit.timezone), calendar)


def case_lists(
    unit_code: str,
    viewer: Staff,
    *,
    now: datetime,
    warn_days: int,
    calendar: WorkCalendar | None = None,
) -> dict:
    """Return the running cases by urgency: overdue, due today, due soon, stopped (补正),
    and extensions awaiting approval. Staff see their own cases; managers the unit's."""
    calendar = calendar or work_calendar()
    unit = find_unit(unit_code)
    today = local_day(now, unit.timezone)
    running = Case.select().where(Case.unit == unit.id, Case.status.in_(("open", "suspended")))
    if not is_manager(viewer):
        running = running.where(Case.staff == viewer.id)
    lists: dict[str, list] = {"overdue": [], "due_today": [], "warning": [], "running": []}
    lists["stopped"] = []
    for case in running.order_by(Case.due_day, Case.id):
        view = case_view(case, viewer, today, calendar)
        state = view["deadline"]
        if state == "running" and view["working_days_left"] <= warn_days:
            state = "warning"
        lists[state].append(view)
    pending = (
        CaseExtension.select()
        .join(Case)
        .where(Case.unit == unit.id, CaseExtension.status == "pending")
    )
    lists["pending_extensions"] = (
        [{"case": x.case.number, **extension_view(x)} for x in pending]
        if is_manager(viewer)
        else []
    )
    return lists


def unit_manager(unit: Unit) -> Staff | None:
    """Return the unit's first active manager, who overdue cases escalate to."""
    return (
        Staff.select()
        .where(Staff.unit == unit.id, Staff.role == "manager", Staff.active == True)  # noqa: E712
        .order_by(Staff.id)
        .first()
    )
