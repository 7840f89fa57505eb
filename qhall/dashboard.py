"""Live figures for managers (实时监控): per unit and bureau-wide, now and for today, with
alerts when the longest wait passes the unit's target, a printer stops or visitors wait for
a service that no open window serves."""

from __future__ import annotations

from datetime import datetime

from peewee import fn

from qhall.access import check_read, readable_units
from qhall.check_in import callable_ticket
from qhall.clock import hall_day, iso, local_day, queue_days
from qhall.estimates import unstaffed
from qhall.lookups import find_unit
from qhall.models import (
    Case,
    Counter,
    PauseReason,
    PrinterState,
    Rectification,
    Staff,
    Ticket,
    Unit,
)
from qhall.reports import Scope, ledger, target_wait_s
from qhall.transfers import stranded_alerts
from qhall.workdays import WorkCalendar, missing_next_year, unchecked_deadline, work_calendar

# Printer states that stop tickets from coming out.
PRINTER_STOPPED = ("paper_out", "offline")


def unit_figures(
    unit: Unit,
    today_row: dict,
    *,
    now: datetime,
    settings: dict,
    calendar: WorkCalendar | None = None,
) -> dict:
    """Return one unit's live figures; today_row is its ledger row for the hall day."""
    day = local_day(now, unit.timezone)  # for case deadlines, which are calendar days
    target = target_wait_s(settings, unit.code)
    waiting = Ticket.select().where(
        Ticket.unit == unit.id,
        Ticket.day.in_(queue_days(unit, now)),
        Ticket.status == "waiting",
        callable_ticket(),  # a phone's ticket not yet in the hall waits nowhere
    )
    oldest = waiting.select(fn.MIN(Ticket.issued_at)).scalar()
    longest = int((now - _moment(oldest)).total_seconds()) if oldest else 0
    windows = [_window(counter, now) for counter in unit.counters.order_by(Counter.window)]
    printers = [
        {"name": p.name, "status": p.status, "since": iso(p.since)}
        for p in PrinterState.select()
        .where(PrinterState.unit == unit.id)
        .order_by(PrinterState.name)
    ]
    running = Case.select().where(Case.unit == unit.id, Case.status == "open")
    bad = Rectification.select().where(
        Rectification.unit == unit.id, Rectification.closed_at.is_null()
    )
    alerts = []
    if longest > target:
        alerts.append({"kind": "long_wait",
                       "message": f"最长等候已 {longest // 60} 分钟，超过目标 {target // 60} 分钟",
                       "message_en": f"The longest wait is {longest // 60} min, over the {target // 60} min target"})  # fmt: skip
    for printer in printers:
        if printer["status"] in PRINTER_STOPPED:
            alerts.append({"kind": "printer", "printer": printer["name"],
                           "message": f"打印机 {printer['name']} 已停止（{_PRINTER_ZH[printer['status']]}）",
                           "message_en": f"Printer {printer['name']} has stopped ({printer['status'].replace('_', ' ')})"})  # fmt: skip
    alerts += no_window_alerts(unit, now)
    escalated = bad.where(Rectification.escalated_at.is_null(False)).count()
    if escalated:  # qhall.rectification.check_overdue raised them to the manager
        alerts.append({"kind": "rectification_overdue",
                       "message": f"{escalated} 项差评整改已超期，请督办",
                       "message_en": f"{escalated} bad-rating rectification(s) overdue: please follow up"})  # fmt: skip
    alerts += stranded_alerts(unit, now)  # visitors sent to a closed window (qhall.transfers)
    alerts += _unchecked_cases(running, calendar or work_calendar())
    return {
        "unit": unit.code,
        "name": unit.name_zh,
        "name_en": unit.name_en,
        "target_wait_s": target,
        "waiting": waiting.count(),
        "longest_wait_s": longest,
        "windows_open": sum(1 for w in windows if w["state"] == "open"),
        "windows_paused": sum(1 for w in windows if w["state"] == "paused"),
        "windows": windows,
        "issued": today_row["issued"],
        "served": today_row["served"],
        "no_shows": today_row["no_shows"],
        "service_level": today_row["service_level"],
        "satisfaction": today_row["satisfaction"],
        "printers": printers,
        "cases_due_today": running.where(Case.due_day == day).count(),
        "cases_overdue": running.where(Case.due_day < day).count(),
        "bad_ratings_open": bad.count(),
        "alerts": alerts,
    }


_PRINTER_ZH = {"paper_out": "缺纸", "offline": "离线"}


def no_window_alerts(unit: Unit, now: datetime) -> list[dict]:
    """Return an alert for each service with visitors waiting and no open window serving it,
    for the hall's manager (the live page) and its windows (qhall.web.realtime)."""
    return [
        {
            "kind": "no_window",
            "service": service.code,
            "message": f"{service.code} {service.name_zh}：{waiting} 位群众正在等候，但没有开放的窗口办理，请尽快安排窗口接待，谢谢。",
            "message_en": f"{waiting} visitor(s) wait for {service.code} {service.name_en} and no open window serves it: please open a window for them. Thank you.",
        }  # fmt: skip
        for service, waiting in unstaffed(unit, queue_days(unit, now))
    ]


# Cases an alert names at most; the counter's lists show every one.
_CASES_NAMED = 10


def _unchecked_cases(running, calendar: WorkCalendar) -> list[dict]:
    """Alert of running cases whose deadline was counted through a year with no holidays
    entered (qhall.workdays.unchecked_deadline): someone must check each by hand."""
    numbers = [
        case.number
        for case in running.order_by(Case.due_day, Case.id)
        if unchecked_deadline(calendar, case.accepted_day, case.due_day)
    ]
    if not numbers:
        return []
    named = "、".join(numbers[:_CASES_NAMED]) + ("等" if len(numbers) > _CASES_NAMED else "")
    named_en = ", ".join(numbers[:_CASES_NAMED]) + (" …" if len(numbers) > _CASES_NAMED else "")
    return [{"kind": "deadline_unchecked", "cases": numbers,
             "message": f"{len(numbers)} 件承诺件的期限跨入未录入节假日的年份，请人工核对：{named}",
             "message_en": f"{len(numbers)} case(s) have deadlines running into a year whose holidays are not entered; please check them by hand: {named_en}"}]  # fmt: skip


def _calendar_alert(calendar: WorkCalendar, today) -> list[dict]:
    """From 1 November, warn that next year's holidays are not entered (the bureau's)."""
    year = missing_next_year(calendar, today)
    if year is None:
        return []
    return [{"unit": None, "unit_name": "", "kind": "calendar_missing", "year": year,
             "message": f"尚未录入{year}年节假日安排，跨年的办结期限将按周一至周五计算。国务院办公厅公布后，请管理员在“配置 › 工作日历调整”中录入",
             "message_en": f"Next year's public holidays ({year}) are not entered yet: deadlines running into {year} count Monday to Friday only. Once the State Council publishes them, an administrator enters them under Configuration › Working-day calendar"}]  # fmt: skip


def _moment(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _window(counter: Counter, now: datetime) -> dict:
    reason = PauseReason.get_or_none(PauseReason.code == counter.pause_reason)
    staff = Staff.get_or_none(Staff.id == counter.staff_id) if counter.staff_id else None
    return {
        "window": counter.window,
        "name": counter.name_zh,
        "name_en": counter.name_en,
        "state": counter.state,
        "for_s": int((now - counter.state_since).total_seconds()) if counter.state_since else None,
        "pause_reason": reason.name_zh if reason and counter.state == "paused" else None,
        "pause_reason_en": reason.name_en if reason and counter.state == "paused" else None,
        "staff": staff.name if staff else None,
    }


def live_figures(viewer: Staff, unit_code: str | None, *, now: datetime, settings: dict) -> dict:
    """Return the live figures of one unit, or of every unit the viewer may see with the
    bureau's totals."""
    unit = find_unit(unit_code) if unit_code else None
    check_read(viewer, unit)
    units = [unit] if unit else list(readable_units(viewer))
    # The tickets' day: a bureau-wide view takes the first hall's (they normally agree).
    day = hall_day(now, units[0]) if units else now.date()
    today = {}
    if units:
        report = ledger(Scope(unit=unit, start=day, end=day), "unit", settings=settings, now=now)
        today = {row["key"]: row for row in report["rows"]}
    empty = {"issued": 0, "served": 0, "no_shows": 0, "service_level": None, "satisfaction": None}
    calendar = work_calendar()
    figures = [
        unit_figures(u, today.get(u.id, empty), now=now, settings=settings, calendar=calendar)
        for u in units
    ]
    totals = {
        name: sum(f[name] for f in figures)
        for name in ("waiting", "windows_open", "windows_paused", "issued", "served",
                     "no_shows", "cases_due_today", "cases_overdue", "bad_ratings_open")
    }  # fmt: skip
    totals["longest_wait_s"] = max((f["longest_wait_s"] for f in figures), default=0)
    return {
        "at": iso(now),
        "day": day.isoformat(),
        "unit": unit.code if unit else None,
        "units": figures,
        "totals": totals,
        "alerts": _calendar_alert(calendar, day)
        + [{"unit": f["unit"], "unit_name": f["name"], **a} for f in figures for a in f["alerts"]],
    }
