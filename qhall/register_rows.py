"""The rows of the registers (qhall.registers): for each, how it finds its items in a scope
and turns a page of them into cells, with the hall's names, its wall-clock time and the
visitors' contacts masked for whoever may not see them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from peewee import JOIN, ModelSelect, fn

from qhall.access import sees_visitor_contacts
from qhall.clock import local, local_day
from qhall.errors import BadInput
from qhall.models import (
    Case,
    CaseExtension,
    Counter,
    Inquiry,
    Rating,
    Rectification,
    Referral,
    Service,
    Staff,
    Ticket,
    Unit,
)
from qhall.ratings import LEVEL_NAMES
from qhall.rectification import CALLBACK_ANSWERS
from qhall.reports import (  # the ledger's own rules
    case_where,
    rating_where,
    ticket_where,
    utc_bounds,
)
from qhall.retention import mask_name, mask_phone
from qhall.scopes import Scope
from qhall.supervision import CATEGORY_NAMES
from qhall.supervision_models import Finding, Inspection, Notice

YES_NO = {True: "是", False: "否"}
INQUIRY_STATES = {"open": "办理中", "referred": "已转办", "resolved": "已办结"}
CASE_STATES = {"open": "办理中", "suspended": "补正中（停止计时）", "completed": "已办结"}
EXTENSION_STATES = {"pending": "待审批", "approved": "已批准", "refused": "未批准"}
CHANNELS = {"tablet": "窗口评价器", "phone": "手机扫码"}
TICKET_STATES = {"waiting": "等候中", "called": "已呼叫", "serving": "办理中", "finished": "已办结",
                 "no_show": "过号", "cancelled": "已取消", "closed": "日终未办"}  # fmt: skip
SOURCES = {"kiosk": "取号机", "mobile": "手机", "counter": "窗口"}
PRIORITIES = {"elderly": "老年人", "disabled": "残疾人", "military": "军人", "pregnant": "孕妇",
              "appointment": "预约"}  # fmt: skip
# Where an item stands: the rated person explains, then verify, call back, close
# (qhall.rectification).
RECTIFICATION_STATES = {
    "open": "待说明整改",
    "rectified": "待核实",
    "verified": "已核实待回访",
    "called_back": "已回访待结案",
    "closed": "已结案",
    "appeal_accepted": "申诉成立",
}
APPEAL_DECISIONS = {"accepted": "申诉成立", "rejected": "申诉驳回"}
INSPECTION_KINDS = {"scheduled": "定期督查", "unannounced": "暗访"}
NOTICE_STATES = {"published": "待整改", "responded": "待审核", "closed": "已办结"}


# --- what every row needs ---------------------------------------------------------------


@dataclass
class Context:
    """What the rows of one register need besides the items: who looks, the names of the
    halls, windows, services and people, and the labels of rating reasons."""

    viewer: Staff
    now: datetime
    reason_labels: dict[str, str]
    units: dict[int, Unit] = field(default_factory=dict)
    counters: dict[int, Counter] = field(default_factory=dict)
    services: dict[int, Service] = field(default_factory=dict)
    people: dict[int, Staff] = field(default_factory=dict)

    def load(self) -> Context:
        # Whole small tables, once: cheaper than a join per name on every row.
        self.units = {u.id: u for u in Unit.select()}
        self.counters = {c.id: c for c in Counter.select()}
        self.services = {s.id: s for s in Service.select()}
        self.people = {p.id: p for p in Staff.select(Staff.id, Staff.name, Staff.employee_no)}
        return self

    def at(self, moment: datetime | None, unit_id: int) -> str:
        """Return a stored moment as the hall's wall-clock time, "2026-11-26 09:05"."""
        if moment is None:
            return ""
        return local(moment, self.units[unit_id].timezone).strftime("%Y-%m-%d %H:%M")

    def today(self, unit_id: int) -> date:
        return local_day(self.now, self.units[unit_id].timezone)

    def unit(self, unit_id: int) -> str:
        return self.units[unit_id].name_zh

    def window(self, counter_id: int | None) -> str:
        counter = self.counters.get(counter_id) if counter_id else None
        return f"{counter.window}号窗口" if counter else ""

    def service(self, service_id: int | None) -> str:
        service = self.services.get(service_id) if service_id else None
        return f"{service.code} {service.name_zh}" if service else ""

    def person(self, staff_id: int | None) -> str:
        person = self.people.get(staff_id) if staff_id else None
        if person is None:
            return ""
        return f"{person.name}（{person.employee_no}）" if person.employee_no else person.name

    def step(self, staff_id: int | None, moment: datetime | None, unit_id: int) -> str:
        """Return who did a step and when: "张三（MZ01） 2026-11-26 09:05"."""
        return " ".join(part for part in (self.person(staff_id), self.at(moment, unit_id)) if part)

    def visitor(self, unit_id: int, name: str, phone: str) -> tuple[str, str]:
        """Return a visitor's name and phone as this viewer may see them."""
        if sees_visitor_contacts(self.viewer, unit_id):
            return name, phone
        return mask_name(name), mask_phone(phone)


def _between(column, scope: Scope):
    start, end = utc_bounds(scope)
    return (column >= start) & (column < end)


def _on_days(column, scope: Scope):
    return (column >= scope.start) & (column <= scope.end)


def _in_units(column, scope: Scope):
    return column.in_([u.id for u in scope.units])


# --- 取号办理 visits: every ticket, what the ledger's counts are made of --------------------


def select_visits(scope: Scope) -> ModelSelect:
    """Select the tickets of the scope's days as the ledger counts them, in issue order."""
    where = [_in_units(Ticket.unit, scope), *ticket_where(scope)]
    return Ticket.select().where(*where).order_by(Ticket.issued_at, Ticket.id)


def visit_rows(items: list[Ticket], ctx: Context) -> list[list]:
    """Return the cells of tickets: when each was issued, called, started and ended, by
    whom, and whether it counts as served (qhall.queue's rule: status finished)."""
    rows = []
    for t in items:
        unit = t.unit_id
        ended = t.finished_at or t.no_show_at
        rows.append([
            t.day.isoformat(), t.number, ctx.unit(unit), ctx.service(t.service_id),
            PRIORITIES.get(t.priority, t.priority or ""), SOURCES.get(t.source, t.source),
            ctx.at(t.issued_at, unit), ctx.window(t.counter_id), ctx.person(t.staff_id),
            ctx.at(t.first_called_at, unit), ctx.at(t.started_at, unit), ctx.at(ended, unit),
            TICKET_STATES.get(t.status, t.status), YES_NO[t.status == "finished"],
            _minutes(t.wait_s), _minutes(t.service_s), t.transfer_count,
        ])  # fmt: skip
    return rows


def _minutes(seconds: int | None) -> float | str:
    return "" if seconds is None else round(seconds / 60, 1)


# --- 首问登记 first inquiries -------------------------------------------------------------


def select_inquiries(scope: Scope) -> ModelSelect:
    """Select the first inquiries received or resolved in the scope, oldest first."""
    where = [
        _in_units(Inquiry.unit, scope),
        _between(Inquiry.created_at, scope) | _between(Inquiry.resolved_at, scope),
    ]
    if scope.service is not None:
        where.append(Inquiry.service == scope.service.id)
    if scope.counter is not None:
        where.append(Ticket.counter == scope.counter.id)
    if scope.staff is not None:
        where.append(Inquiry.owner == scope.staff.id)
    return (
        Inquiry.select(Inquiry, Ticket)
        .join(Ticket, JOIN.LEFT_OUTER, on=(Inquiry.ticket == Ticket.id), attr="served_ticket")
        .where(*where)
        .order_by(Inquiry.created_at, Inquiry.id)
    )


def inquiry_rows(items: list[Inquiry], ctx: Context) -> list[list]:
    """Return the cells of first inquiries, their referral chains joined in one."""
    chains: dict[int, list[Referral]] = {}
    for link in (
        Referral.select()
        .where(Referral.inquiry.in_([i.id for i in items]))
        .order_by(Referral.at, Referral.id)
    ):
        chains.setdefault(link.inquiry_id, []).append(link)
    rows = []
    for item in items:
        unit = item.unit_id
        name, phone = ctx.visitor(unit, item.visitor_name, item.visitor_phone)
        ticket = getattr(item, "served_ticket", None)
        referrals = "；".join(_referral(link, unit, ctx) for link in chains.get(item.id, []))
        rows.append([
            ctx.at(item.created_at, unit), ctx.unit(unit),
            ctx.window(ticket.counter_id if ticket else None), ctx.service(item.service_id),
            ctx.person(item.owner_id), name, phone, item.organisation, item.matter,
            INQUIRY_STATES.get(item.status, item.status), item.visits, item.outcome,
            ctx.at(item.resolved_at, unit), referrals,
        ])  # fmt: skip
    return rows


def _referral(link: Referral, unit_id: int, ctx: Context) -> str:
    to = [ctx.units[link.to_unit_id].name_zh if link.to_unit_id else "",
          ctx.service(link.to_service_id), ctx.window(link.to_counter_id),
          ctx.person(link.to_staff_id)]  # fmt: skip
    text = f"{ctx.at(link.at, unit_id)} {ctx.person(link.from_staff_id)}→{' '.join(p for p in to if p)}"
    return f"{text}（{link.note}）" if link.note else text


# --- 承诺件 promised cases ----------------------------------------------------------------


def select_cases(scope: Scope) -> ModelSelect:
    """Select the promised cases accepted, completed or due in the scope, oldest first."""
    where = [
        _in_units(Case.unit, scope),
        _between(Case.accepted_at, scope)
        | _between(Case.completed_at, scope)
        | _on_days(Case.due_day, scope),
        *case_where(scope),
    ]
    return Case.select().where(*where).order_by(Case.accepted_at, Case.id)


def timeliness(case: Case, completed_day: date | None, today: date) -> str:
    """Return where a case stands against its due day: 按时办结 or 逾期办结 once done, else
    逾期未办结, 今日到期, 未到期, or 补正中 while the clock stops."""
    if completed_day is not None:
        return "按时办结" if completed_day <= case.due_day else "逾期办结"
    if case.status == "suspended":
        return "补正中"
    if case.due_day < today:
        return "逾期未办结"
    return "今日到期" if case.due_day == today else "未到期"


def case_rows(items: list[Case], ctx: Context) -> list[list]:
    """Return the cells of promised cases, with their extension requests and timeliness."""
    extensions: dict[int, list[CaseExtension]] = {}
    for ext in CaseExtension.select().where(CaseExtension.case.in_([c.id for c in items])):
        extensions.setdefault(ext.case_id, []).append(ext)
    rows = []
    for case in items:
        unit = case.unit_id
        name, phone = ctx.visitor(unit, case.visitor_name, case.visitor_phone)
        asked = "；".join(
            f"+{x.days}天 {EXTENSION_STATES.get(x.status, x.status)}（{x.reason}）"
            for x in sorted(extensions.get(case.id, []), key=lambda x: x.id)
        )
        done = local_day(case.completed_at, ctx.units[unit].timezone) if case.completed_at else None
        rows.append([
            case.number, ctx.at(case.accepted_at, unit), ctx.unit(unit), ctx.window(case.counter_id),
            ctx.service(case.service_id), ctx.person(case.staff_id), name, phone, case.matter,
            case.time_limit_days, case.due_day.isoformat(), case.extended_days, asked,
            CASE_STATES.get(case.status, case.status), ctx.at(case.completed_at, unit),
            timeliness(case, done, ctx.today(unit)),
        ])  # fmt: skip
    return rows


# --- 好差评 ratings and their rectification -------------------------------------------------


def select_ratings(scope: Scope) -> ModelSelect:
    """Select the ratings given in the scope with their tickets, oldest first."""
    where = [_in_units(Rating.unit, scope), _between(Rating.at, scope), *rating_where(scope)]
    return (
        Rating.select(Rating, Ticket)
        .join(Ticket, on=(Rating.ticket == Ticket.id))
        .where(*where)
        .order_by(Rating.at, Rating.id)
    )


def _level(level: int | None) -> str:
    return "" if level is None else LEVEL_NAMES.get(level, (str(level),))[0]


def _reasons(text: str, labels: dict[str, str]) -> str:
    try:
        codes = json.loads(text or "[]")
    except ValueError:
        return text
    if not isinstance(codes, list):
        return str(codes)
    return "、".join(labels.get(str(code), str(code)) for code in codes)


def rating_rows(items: list[Rating], ctx: Context) -> list[list]:
    """Return the cells of ratings, each followed by its rectification's (blank if none)."""
    items_by_rating = {
        r.rating_id: r
        for r in Rectification.select().where(Rectification.rating.in_([i.id for i in items]))
    }
    rows = []
    for rating in items:
        unit = rating.unit_id
        _name, phone = ctx.visitor(unit, "", rating.callback_phone)
        rows.append([
            ctx.at(rating.at, unit), ctx.unit(unit), rating.ticket.number,
            ctx.window(rating.counter_id), ctx.person(rating.staff_id),
            CHANNELS.get(rating.source, rating.source), rating.device, _level(rating.level),
            _level(rating.efficiency), _level(rating.competence), _level(rating.attitude),
            _reasons(rating.reasons, ctx.reason_labels), rating.reason, phone,
            YES_NO[not rating.excluded],
            *_rectification_cells(items_by_rating.get(rating.id), ctx),
        ])  # fmt: skip
    return rows


# One cell for each of qhall.registers.RECTIFICATION_COLUMNS.
RECTIFICATION_CELLS = 14


def _rectification_cells(item: Rectification | None, ctx: Context) -> list:
    if item is None:
        return [""] * RECTIFICATION_CELLS
    unit = item.unit_id
    overdue = item.closed_at is None and item.due_day < ctx.today(unit)
    appeal = f"{ctx.at(item.appealed_at, unit)} {item.appeal_reason}".strip()
    decision = APPEAL_DECISIONS.get(item.appeal_decision, item.appeal_decision)
    if decision:
        decided = ctx.step(item.appeal_decided_by_id, item.appeal_decided_at, unit)
        decision = f"{decision}（{decided}）{item.appeal_note}".strip()
    answer = CALLBACK_ANSWERS.get(item.callback_answer, (item.callback_answer,))[0]
    return [
        RECTIFICATION_STATES.get(item.status, item.status), item.due_day.isoformat(),
        YES_NO[overdue], ctx.person(item.reviewer_id),
        ctx.step(item.rectified_by_id, item.rectified_at, unit), item.rectify_note,
        ctx.step(item.verified_by_id, item.verified_at, unit), item.verify_note,
        ctx.step(item.called_back_by_id, item.called_back_at, unit),
        " ".join(p for p in (answer, item.callback_note) if p),
        ctx.step(item.closed_by_id, item.closed_at, unit), item.close_note, appeal, decision,
    ]  # fmt: skip


# --- 督查 inspections and their findings ----------------------------------------------------


def _no_service(scope: Scope) -> None:
    if scope.service is not None:
        raise BadInput(
            "督查和通报不按业务区分，请去掉业务条件。",
            "Inspections and notices are not about a service: leave the service out.",
        )


def select_inspections(scope: Scope) -> ModelSelect:
    """Select one row per finding of the inspections visited in the scope (one for an
    inspection that found nothing), oldest first."""
    _no_service(scope)
    where = [_in_units(Inspection.unit, scope), _on_days(Inspection.visited_on, scope)]
    # A finding names its own window and person, or else the inspection's: the row's, as shown.
    if scope.counter is not None:
        where.append(fn.COALESCE(Finding.counter, Inspection.counter) == scope.counter.id)
    if scope.staff is not None:
        where.append(fn.COALESCE(Finding.staff, Inspection.staff) == scope.staff.id)
    return (
        Inspection.select(Inspection, Finding)
        .join(Finding, JOIN.LEFT_OUTER, attr="finding")
        .where(*where)
        .order_by(Inspection.visited_on, Inspection.id, Finding.id)
    )


def inspection_rows(items: list[Inspection], ctx: Context) -> list[list]:
    """Return the cells of inspection findings, with the notices each inspection led to."""
    notices: dict[int, list[str]] = {}
    for notice in Notice.select(Notice.inspection, Notice.number).where(
        Notice.inspection.in_([i.id for i in items])
    ):
        notices.setdefault(notice.inspection_id, []).append(notice.number)
    rows = []
    for visit in items:
        finding = visit.finding
        category = CATEGORY_NAMES.get(finding.category, (finding.category,))[0] if finding else ""
        rows.append([
            visit.visited_on.isoformat(), ctx.unit(visit.unit_id),
            INSPECTION_KINDS.get(visit.kind, visit.kind), ctx.person(visit.inspector_id),
            ctx.window((finding and finding.counter_id) or visit.counter_id),
            ctx.person((finding and finding.staff_id) or visit.staff_id), visit.summary,
            category, finding.description if finding else "", finding.evidence if finding else "",
            "、".join(notices.get(visit.id, [])),
        ])  # fmt: skip
    return rows


# --- 通报 notices -------------------------------------------------------------------------


def select_notices(scope: Scope) -> ModelSelect:
    """Select the notices published, due or closed in the scope, oldest first."""
    _no_service(scope)
    where = [
        _in_units(Notice.unit, scope),
        _between(Notice.published_at, scope)
        | _between(Notice.closed_at, scope)
        | _on_days(Notice.deadline, scope),
    ]
    query = Notice.select(Notice, Inspection).join(
        Inspection, JOIN.LEFT_OUTER, on=(Notice.inspection == Inspection.id), attr="visit"
    )
    if scope.counter is not None or scope.staff is not None:
        # Through the inspection or any of its findings.
        named = Finding.select(Finding.inspection)
        if scope.counter is not None:
            where.append(
                (Inspection.counter == scope.counter.id)
                | Inspection.id.in_(named.where(Finding.counter == scope.counter.id))
            )
        if scope.staff is not None:
            where.append(
                (Inspection.staff == scope.staff.id)
                | Inspection.id.in_(named.where(Finding.staff == scope.staff.id))
            )
    return query.where(*where).order_by(Notice.published_at, Notice.id)


def notice_rows(items: list[Notice], ctx: Context) -> list[list]:
    """Return the cells of notices, where each stands and whether it is overdue."""
    rows = []
    for notice in items:
        unit = notice.unit_id
        visit = getattr(notice, "visit", None)
        about = ""
        if visit is not None:
            about = " ".join(p for p in (visit.visited_on.isoformat(), ctx.window(visit.counter_id),
                                         ctx.person(visit.staff_id)) if p)  # fmt: skip
        overdue = notice.status != "closed" and notice.deadline < ctx.today(unit)
        rows.append([
            notice.number, ctx.at(notice.published_at, unit), ctx.unit(unit),
            ctx.person(notice.published_by_id), notice.title, notice.body, about,
            notice.deadline.isoformat(), NOTICE_STATES.get(notice.status, notice.status),
            YES_NO[overdue], notice.response,
            ctx.step(notice.responded_by_id, notice.responded_at, unit),
            ctx.step(notice.closed_by_id, notice.closed_at, unit), notice.close_note,
        ])  # fmt: skip
    return rows
