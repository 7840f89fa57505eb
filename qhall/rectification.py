"""The rectification each bad rating opens (差评整改), with separation of duties: the person
rated answers for the rating (谁办理、谁负责) but does not check their own answer (不自查).

An item goes through these states, in this order:

    open ─rectify─▶ rectified ─verify─▶ verified ─call-back─▶ called_back ─close─▶ closed
                                           └──────── close (no call-back number) ────────┘

- rectify (说明整改): the rated staff member writes their explanation and what they changed.
- verify (核实), call-back (回访, with the visitor's answer) and close (结案): the unit's
  manager, or the reviewer the manager assigned; never the rated person, never a colleague
  who is not the reviewer, never another hall's staff. A rating left without a call-back
  number has nobody to call: its item closes straight after verification.
- assign (指定复核人): a manager of the unit (not the rated person) names the reviewer,
  a colleague of the unit other than the rated person; again to change them.
- appeal (申诉复核): the rated person, once, while the item is not closed; until it is
  decided the other steps wait. decide-appeal: the manager or the reviewer (never the
  rated person). Accepted: the rating no longer counts and the item closes as
  appeal_accepted. Rejected: the item goes on from where it was.

Who may act is checked before the order (403 before 409), and a refused step records
nothing. An item is due within RECTIFICATION_DAYS working days of the rating; one still
open after its due day is escalated to the manager once (check_overdue, run by the
routine). Event payloads reach the hall's screens: ids and states only, never the
visitor's words or number.
"""

from __future__ import annotations

from datetime import datetime

from qhall import events as ev
from qhall import haocha, ratings  # modules: qhall.ratings imports this module too
from qhall.access import is_manager, may_work_at
from qhall.clock import iso, local, local_day
from qhall.db import unit_of_work
from qhall.errors import BadInput, Conflict, Forbidden, NotFound
from qhall.events import Outcome
from qhall.inputs import clean_text
from qhall.lookups import find_unit
from qhall.models import Rating, Rectification, Staff
from qhall.retention import mask_phone
from qhall.workdays import WorkCalendar, work_calendar

# The steps in their order: the status each needs, the status it leaves, the columns that
# record when and by whom (<stamp>_at, <stamp>_by), and its note's column and label.
STEPS = {
    "rectify": ("open", "rectified", "rectified", "rectify_note", "情况说明和整改措施"),
    "verify": ("rectified", "verified", "verified", "verify_note", "核实情况"),
    "call-back": ("verified", "called_back", "called_back", "callback_note", "回访记录"),
    "close": ("called_back", "closed", "closed", "close_note", "结案意见"),
}
# What the visitor answered on the call-back: code, 中文, English.
CALLBACK_ANSWERS = {
    "satisfied": ("满意", "Satisfied"),
    "fairly_satisfied": ("基本满意", "Fairly satisfied"),
    "dissatisfied": ("不满意", "Dissatisfied"),
    "unreachable": ("联系不上", "Could not be reached"),
}
FINISHED = ("closed", "appeal_accepted")
# Everything a viewer may be offered, in the order the client shows the buttons.
ACTIONS = ("rectify", "verify", "call-back", "close", "appeal", "decide-appeal", "assign")
# The actions only the rated person takes, and those only someone else may take.
RATED_PERSONS_ACTIONS = ("rectify", "appeal")
REVIEWERS_ACTIONS = ("verify", "call-back", "close", "decide-appeal")


# --- who may do what ---------------------------------------------------------------------


def may_act(action: str, item: Rectification, staff: Staff) -> bool:
    """Tell whether a staff member's role lets them take an action on an item, whatever
    its state: the rated person explains and appeals; the unit's manager or the assigned
    reviewer verifies, calls back, closes and decides appeals; a manager assigns."""
    if not staff.active or not may_work_at(staff, item.unit):
        return False
    rated = staff.id == item.staff_id
    if action in RATED_PERSONS_ACTIONS:
        return rated
    if rated:
        return False
    if action == "assign":
        return is_manager(staff)
    return action in REVIEWERS_ACTIONS and (is_manager(staff) or staff.id == item.reviewer_id)


def _ready(action: str, item: Rectification) -> bool:
    """Tell whether an item's state lets an action happen now (the order of the steps)."""
    if item.status in FINISHED:
        return False
    appeal_pending = item.appealed_at is not None and not item.appeal_decision
    if action == "decide-appeal":
        return appeal_pending
    if action == "assign":
        return True
    if action == "appeal":
        return item.appealed_at is None
    if appeal_pending:
        return False
    if action == "close" and item.status == "verified":
        return not _has_callback_phone(item)  # nobody to call back
    if action == "call-back" and not _has_callback_phone(item):
        return False
    return item.status == STEPS[action][0]


def next_actions(item: Rectification, viewer: Staff) -> list[str]:
    """Return what a viewer may do with an item now, in the order the buttons are shown."""
    return [a for a in ACTIONS if may_act(a, item, viewer) and _ready(a, item)]


def _check(action: str, item: Rectification, staff: Staff) -> None:
    """Forbidden if the staff member may not take the action; Conflict if not now."""
    if not may_act(action, item, staff):
        raise _refusal(action, item, staff)
    if not _ready(action, item):
        raise _out_of_order(action, item)


def _refusal(action: str, item: Rectification, staff: Staff) -> Forbidden:
    if not may_work_at(staff, item.unit):
        return Forbidden(
            "抱歉，您只能办理本单位的整改事项。",
            "Sorry, you may handle only your own hall's rectification items.",
        )
    if action in RATED_PERSONS_ACTIONS:
        return Forbidden(
            "抱歉，情况说明和申诉只能由被评价的工作人员本人填写。",
            "Sorry, only the staff member who was rated writes the explanation or appeals.",
        )
    if action == "assign":
        return Forbidden(
            "抱歉，复核人由本单位负责人指定，被评价人不能为自己指定。",
            "Sorry, the unit's manager assigns the reviewer; the person rated cannot.",
        )
    return Forbidden(
        "抱歉，核实、回访、结案和申诉复核须由负责人或其指定的复核人办理，被评价人不能自查自结。",
        "Sorry, verifying, the call-back, closing and deciding an appeal are for the manager or "
        "the reviewer they assign, never for the person rated.",
    )


def _out_of_order(action: str, item: Rectification) -> Conflict:
    if item.status in FINISHED:
        return Conflict(
            "该整改事项已结束。", "This rectification item is closed.", status=item.status
        )
    if action == "appeal":
        return Conflict(
            "该事项已申诉过一次，不能重复申诉。",
            "This item has already been appealed once.",
            status=item.status,
        )
    if action == "decide-appeal":
        return Conflict(
            "该事项没有待复核的申诉。", "This item has no appeal to decide.", status=item.status
        )
    if item.appealed_at is not None and not item.appeal_decision:
        return Conflict(
            "申诉正在复核中，请待复核决定后再继续办理。",
            "An appeal is being reviewed: please wait for the decision before going on.",
            status=item.status,
        )
    if action == "call-back":
        return Conflict(
            "请在核实之后回访；群众未留回访电话的，核实后即可结案。",
            "Please call back after verifying; with no call-back number, close after verifying.",
            status=item.status,
        )
    return Conflict(
        "请按说明整改、核实、回访、结案的顺序办理。",
        "Please go in order: explanation, verification, call-back, closing.",
        status=item.status,
    )


def _has_callback_phone(item: Rectification) -> bool:
    return bool(item.rating.callback_phone)


# --- opening and the steps -----------------------------------------------------------------


def open_item(rating: Rating, now: datetime, days: int, calendar: WorkCalendar | None):
    """Open the rectification of a bad rating, due within `days` working days (in the unit
    of work that records the rating)."""
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
    answer: str | None = None,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Record the next step of an item: rectify (the rated person), verify, call-back with
    the visitor's answer, close (the manager or the reviewer)."""
    if step not in STEPS:
        raise BadInput("未知的整改步骤。", "Unknown rectification step.", allowed=list(STEPS))
    _before, after, stamp, note_field, label = STEPS[step]
    note_text = clean_text(note, label, required=step != "close")
    if step == "call-back" and answer not in CALLBACK_ANSWERS:
        raise BadInput(
            "请选择群众的回访意见。",
            "Please choose what the visitor said on the call-back.",
            field="answer",
            allowed=list(CALLBACK_ANSWERS),
        )

    with unit_of_work(request_key, f"rectify:{item_id}:{step}:{staff_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        item, staff = _item(unit_code, item_id), Staff.get_by_id(staff_id)
        _check(step, item, staff)
        setattr(item, f"{stamp}_at", now)
        setattr(item, f"{stamp}_by", staff_id)
        setattr(item, note_field, note_text)
        if step == "call-back":
            item.callback_answer = answer
        item.status = after
        item.save()
        # The province's platform hears the result once someone else has verified it, then
        # the visitor's answer on the call-back; in this transaction, so never one without
        # the other (qhall.haocha).
        if step == "verify":
            haocha.report_rectification(item, now)
        elif step == "call-back":
            haocha.report_callback(item, now)
        _record_item(ev.RECTIFICATION_UPDATED, item, now, staff_id, action=step)
        return uow.finish(rectification_view(item, staff, now))


def assign_reviewer(
    unit_code: str,
    item_id: int,
    *,
    staff_id: int,
    reviewer_id: int,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Name the colleague who verifies, calls back and closes an item (its manager only)."""
    with unit_of_work(request_key, f"rectify-assign:{item_id}:{staff_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        item, staff = _item(unit_code, item_id), Staff.get_by_id(staff_id)
        _check("assign", item, staff)
        if reviewer_id not in {s.id for s in _reviewer_choices(item)}:
            raise BadInput(
                "复核人须为本单位在岗工作人员，且不能是被评价人本人。",
                "The reviewer must be an active colleague of the unit, not the person rated.",
                field="reviewer",
            )
        item.reviewer = reviewer_id
        item.save()
        _record_item(ev.RECTIFICATION_UPDATED, item, now, staff_id, action="assign")
        return uow.finish(rectification_view(item, staff, now))


def appeal(
    unit_code: str,
    item_id: int,
    *,
    staff_id: int,
    reason: str,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Record the rated person's appeal (申诉复核) against a rating, with the reason."""
    reason_text = clean_text(reason, "申诉理由", required=True)

    with unit_of_work(request_key, f"rectify-appeal:{item_id}:{staff_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        item, staff = _item(unit_code, item_id), Staff.get_by_id(staff_id)
        _check("appeal", item, staff)
        item.appealed_at = now
        item.appeal_reason = reason_text
        item.save()
        _record_item(ev.RECTIFICATION_UPDATED, item, now, staff_id, action="appeal")
        return uow.finish(rectification_view(item, staff, now))


def decide_appeal(
    unit_code: str,
    item_id: int,
    *,
    staff_id: int,
    accept: bool,
    note: str,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Decide an appeal (the manager or the reviewer): accepted, the rating no longer counts
    and the item closes; rejected, the item goes on from where it was."""
    note_text = clean_text(note, "复核意见", required=True)

    with unit_of_work(request_key, f"rectify-decide:{item_id}:{staff_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        item, staff = _item(unit_code, item_id), Staff.get_by_id(staff_id)
        _check("decide-appeal", item, staff)
        item.appeal_decision = "accepted" if accept else "rejected"
        item.appeal_decided_at = now
        item.appeal_decided_by = staff_id
        item.appeal_note = note_text
        if accept:
            item.status = "appeal_accepted"
            item.closed_at = now
            item.closed_by = staff_id
            Rating.update(excluded=True).where(Rating.id == item.rating_id).execute()
        item.save()
        _record_item(ev.RECTIFICATION_UPDATED, item, now, staff_id, action="decide-appeal")
        return uow.finish(rectification_view(item, staff, now))


def check_overdue(unit_code: str, *, now: datetime, request_key: str | None = None) -> Outcome:
    """Escalate to the manager each item still open after its due day, once (safe to run
    as often as wanted)."""
    with unit_of_work(request_key, f"rectify-overdue:{unit_code}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit = find_unit(unit_code)
        overdue = Rectification.select().where(
            Rectification.unit == unit.id,
            Rectification.closed_at.is_null(),
            Rectification.escalated_at.is_null(),
            Rectification.due_day < local_day(now, unit.timezone),
        )
        # Imported here: qhall.cases leads back through qhall.queue to qhall.ratings.
        from qhall.cases import unit_manager

        manager = unit_manager(unit)
        escalated = []
        for item in overdue.order_by(Rectification.id):
            item.escalated_at = now
            item.save()
            _record_item(ev.RECTIFICATION_ESCALATED, item, now, None,
                         escalated_to=manager.id if manager else None)  # fmt: skip
            escalated.append(item.id)
        return uow.finish({"escalated": escalated})


def _item(unit_code: str, item_id: int) -> Rectification:
    unit = find_unit(unit_code)
    item = Rectification.get_or_none(Rectification.id == item_id, Rectification.unit == unit.id)
    if item is None:
        raise NotFound("没有找到该整改事项。", "No such rectification item.", item=item_id)
    return item


def _record_item(name, item: Rectification, now, staff_id, **data) -> None:
    """Log an item's event: ids and states only (the payload reaches the hall's screens)."""
    ev.record(
        item.unit,
        name,
        now,
        staff_id=staff_id,
        rectification={
            "id": item.id,
            "status": item.status,
            "due_day": item.due_day.isoformat(),
            "staff": item.staff_id,
            "reviewer": item.reviewer_id,
            "appeal": item.appeal_decision or ("pending" if item.appealed_at else None),
        },
        **data,
    )


# --- what a viewer sees ------------------------------------------------------------------


def _reviewer_choices(item: Rectification) -> list[Staff]:
    """The colleagues a manager may assign: the unit's active staff, not the rated person."""
    return list(
        Staff.select()
        .where(
            Staff.unit == item.unit_id,
            Staff.active == True,  # noqa: E712
            Staff.role.in_(("staff", "manager")),
            Staff.id != (item.staff_id or 0),
        )
        .order_by(Staff.name, Staff.id)
    )


def _person(staff: Staff | None) -> dict | None:
    return {"id": staff.id, "name": staff.name} if staff else None


def rectification_view(
    item: Rectification, viewer: Staff, now: datetime, calendar: WorkCalendar | None = None
) -> dict:
    """Return an item as a viewer sees it: the rating, the steps done (who and when, in the
    hall's time), the due day, and what the viewer may do next ("can").

    The visitor's call-back number goes only to those who verify and call back: masked,
    and whole only while the call-back is theirs to make; the rated person never sees it."""
    zone = item.unit.timezone
    today = local_day(now, zone)
    can = next_actions(item, viewer)

    def when(moment: datetime | None) -> str | None:
        return local(moment, zone).strftime("%Y-%m-%d %H:%M") if moment else None

    def step(name: str, at, by, note: str, **extra) -> dict:
        return {"step": name, "at": iso(at), "at_local": when(at), "by": _person(by),
                "note": note, **extra}  # fmt: skip

    steps = [
        step("rectify", item.rectified_at, item.rectified_by, item.rectify_note),
        step("verify", item.verified_at, item.verified_by, item.verify_note),
    ]
    if _has_callback_phone(item) or item.called_back_at:
        zh, en = CALLBACK_ANSWERS.get(item.callback_answer, ("", ""))
        steps.append(step("call-back", item.called_back_at, item.called_back_by,
                          item.callback_note, answer=item.callback_answer or None,
                          answer_name=zh or None, answer_name_en=en or None))  # fmt: skip
    steps.append(step("close", item.closed_at if item.status == "closed" else None,
                      item.closed_by if item.status == "closed" else None, item.close_note))  # fmt: skip
    phone = item.rating.callback_phone
    reviews = may_act("verify", item, viewer)
    rating = ratings.rating_view(item.rating)
    rating.pop("callback_phone", None)  # given below, to those who call back only
    view = {
        "id": item.id,
        "status": item.status,
        "rating": rating,
        "staff": _person(item.staff),
        "reviewer": _person(item.reviewer),
        "opened_at": iso(item.opened_at),
        "opened_local": when(item.opened_at),
        "due_day": item.due_day.isoformat(),
        # Negative once overdue: the working days it is late by.
        "working_days_left": (calendar or work_calendar()).workdays_between(today, item.due_day),
        "overdue": item.closed_at is None and item.due_day < today,
        "escalated_at": iso(item.escalated_at),
        "steps": steps,
        "appeal": {
            "at": iso(item.appealed_at),
            "at_local": when(item.appealed_at),
            "reason": item.appeal_reason,
            "decision": item.appeal_decision or None,
            "decided_at": iso(item.appeal_decided_at),
            "decided_local": when(item.appeal_decided_at),
            "decided_by": _person(item.appeal_decided_by),
            "note": item.appeal_note,
        }
        if item.appealed_at
        else None,
        "closed_at": iso(item.closed_at),
        "has_callback_phone": bool(phone),
        "callback_phone": mask_phone(phone) if phone and reviews else None,
        "can": can,
    }
    if "call-back" in can:
        view["callback_phone_full"] = phone
        view["callback_answers"] = [
            {"code": code, "name": zh, "name_en": en} for code, (zh, en) in CALLBACK_ANSWERS.items()
        ]
    if "assign" in can:
        view["reviewer_choices"] = [_person(s) for s in _reviewer_choices(item)]
    return view


def rectification_list(unit_code: str, viewer: Staff, *, now: datetime, closed: bool = False):
    """Return the unit's items still open (or closed) that the viewer has a part in: all of
    them for a manager, their own for the rated person, those assigned to a reviewer."""
    unit = find_unit(unit_code)
    if not may_work_at(viewer, unit):
        raise Forbidden(
            "抱歉，您只能查看本单位的整改事项。",
            "Sorry, you may see only your own hall's rectification items.",
        )
    query = Rectification.select().where(
        Rectification.unit == unit.id,
        Rectification.closed_at.is_null(not closed),
    )
    if not is_manager(viewer):
        query = query.where(
            (Rectification.staff == viewer.id) | (Rectification.reviewer == viewer.id)
        )
    items = query.order_by(Rectification.due_day, Rectification.id)
    calendar = work_calendar()
    return [rectification_view(item, viewer, now, calendar) for item in items]
