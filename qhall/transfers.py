"""Where a visitor may be sent, and who has been left with nobody to call them.

The rule, for a transfer (qhall.queue.transfer) and for a referral that moves the visitor
in hand (qhall.inquiries.refer_inquiry): a visitor goes only to a window that is open (its
holder is calling), or to a service that at least one open window serves. A paused or
closed window, or a service no open window serves, would leave them waiting for nobody
while their phone says "0 ahead". The hall's manager may still send them there (a window
about to open, say): the transfer is then recorded as overridden (event and audit), and
the ticket is counted among the stranded ones below until a window can call it.

Stranded: a waiting ticket whose target window is closed, or (with no target window)
whose service no open window serves. Closing or releasing a window sends the tickets
transferred to it back to their service's line at their own place (qhall.windows), so a
closed target window is left only by an override. A paused window keeps the tickets sent
to it: its holder comes back to them, first in its line.
"""

from __future__ import annotations

from datetime import datetime

from peewee import fn

from qhall.access import HALL_ROLES, manages_hall
from qhall.audit import record_action
from qhall.clock import queue_days
from qhall.errors import Conflict, Forbidden
from qhall.lookups import find_unit
from qhall.models import Counter, CounterService, Service, Staff, Ticket, Unit


class NoOpenWindow(Conflict):
    """A transfer or referral to a window or service nobody is serving now."""

    code = "no_open_window"


def serving_counts(unit: Unit) -> dict[int, int]:
    """Return, per service id, how many open windows of the hall serve it."""
    rows = (
        CounterService.select(CounterService.service, fn.COUNT(Counter.id))
        .join(Counter)
        .where(Counter.unit == unit.id, Counter.state == "open")
        .group_by(CounterService.service)
        .tuples()
    )
    return dict(rows)


def reachable(unit: Unit, service: Service | None, target: Counter | None) -> bool:
    """Tell whether a visitor sent to a window (if given) or else a service would be called."""
    if target is not None:
        return target.state == "open"
    return service is not None and serving_counts(unit).get(service.id, 0) > 0


def check_destination(
    unit: Unit, service: Service | None, target: Counter | None, staff_id, override: bool
) -> bool:
    """Refuse a destination nobody serves now, unless the hall's manager overrides; return
    whether the transfer goes ahead on an override."""
    if reachable(unit, service, target):
        return False
    if override:
        if not manages_hall(Staff.get_by_id(staff_id), unit.id):
            raise Forbidden(
                "只有本大厅的负责人可以强制转往无人办理的窗口或业务。",
                "Only the hall's manager may send a visitor where nobody is serving.",
            )
        return True
    if target is not None:
        raise NoOpenWindow(
            f"{target.window}号窗口当前未开放，转过去的来访人将无人呼叫。请选择一个开放的窗口，"
            "或转往有窗口办理的业务；确需转移请由负责人确认。",
            f"Window {target.window} is not open: a visitor sent there would not be called. "
            "Please choose an open window, or a service an open window serves; a manager "
            "may confirm the transfer if it must be made.",
            window=target.window,
            state=target.state,
        )
    raise NoOpenWindow(
        f"目前没有开放的窗口办理「{service.name_zh}」，转过去的来访人将无人呼叫。"
        "请选择其他业务或开放的窗口；确需转移请由负责人确认。",
        f"No open window serves {service.name_en} now: a visitor sent there would not be "
        "called. Please choose another service or an open window; a manager may confirm the "
        "transfer if it must be made.",
        service=service.code,
    )


def record_override(ticket: Ticket, staff_id, where: dict, now: datetime) -> None:
    """Keep in the audit who sent a visitor where nobody serves, and where."""
    record_action(
        staff_id=staff_id,
        unit_id=ticket.unit_id,
        action="ticket.transfer_override",
        target=f"{ticket.unit.code}/{ticket.number}",
        after=where,
        now=now,
    )


def stranded(unit: Unit, now: datetime) -> list[dict]:
    """Return the hall's waiting tickets sent to a window that is closed, by window: only a
    manager's override sends anyone there (a closing window sends those sent to it back
    in line). A service nobody serves is qhall.estimates.unstaffed's to tell."""
    closed = dict(
        Counter.select(Counter.id, Counter.window)
        .where(Counter.unit == unit.id, Counter.state == "closed")
        .tuples()
    )
    waiting = (
        Ticket.select(Ticket.number, Ticket.target_counter)
        .where(
            Ticket.unit == unit.id,
            Ticket.day.in_(queue_days(unit, now)),
            Ticket.status == "waiting",
            Ticket.target_counter.in_(list(closed)),
        )
        .order_by(Ticket.queue_at, Ticket.id)
    )
    groups: dict[int, list[str]] = {}
    for ticket in waiting:
        groups.setdefault(closed[ticket.target_counter_id], []).append(ticket.number)
    return [{"window": window, "numbers": numbers} for window, numbers in groups.items()]


def stranded_alerts(unit: Unit, now: datetime) -> list[dict]:
    """Return an alert per closed window with visitors sent to it, in the dashboard's shape."""
    alerts = []
    for group in stranded(unit, now):
        numbers, count = group["numbers"], len(group["numbers"])
        more = "等" if count > 5 else ""
        zh = f"{count} 位来访人（{'、'.join(numbers[:5])}{more}）被转往 {group['window']}号窗口，但该窗口已关闭，无人呼叫"
        en = f"{count} visitor(s) ({', '.join(numbers[:5])}) were sent to window {group['window']}, which is closed: nobody will call them"
        alerts.append({"kind": "stranded", "reason": "window_closed", **group,
                       "message": zh, "message_en": en})  # fmt: skip
    return alerts


# --- what the window's dialogs offer -------------------------------------------------


def transfer_targets(unit_code: str, viewer: Staff) -> dict:
    """Return where the hall's staff may send a visitor or refer a matter, by name: the
    open windows (with who holds them and what they serve), the services with how many
    open windows serve each, the hall's colleagues and the other halls."""
    unit = find_unit(unit_code)
    served = serving_counts(unit)
    services = list(
        Service.select()
        .where(Service.unit == unit.id, Service.active == True)  # noqa: E712
        .order_by(Service.code)
    )
    names = {s.id: s for s in services}
    windows = []
    held = {}
    for counter in Counter.select().where(Counter.unit == unit.id).order_by(Counter.window):
        if counter.state != "closed" and counter.staff_id:
            held[counter.staff_id] = counter.window
        if counter.state != "open":
            continue
        links = counter.service_links.order_by(CounterService.position)
        offered = [names[link.service_id] for link in links if link.service_id in names]
        windows.append(
            {
                "window": counter.window,
                "name": counter.name_zh,
                "name_en": counter.name_en,
                "staff": counter.staff.name if counter.staff_id else None,
                "services": [s.code for s in offered],
                "service_names": [s.name_zh for s in offered],
                "service_names_en": [s.name_en for s in offered],
            }
        )
    active = Staff.active == True  # noqa: E712
    colleagues = Staff.select().where(Staff.unit == unit.id, active, Staff.role.in_(HALL_ROLES))
    return {
        "windows": windows,
        "services": [
            {
                "code": s.code,
                "name": s.name_zh,
                "name_en": s.name_en,
                "open_windows": served.get(s.id, 0),
            }
            for s in services
        ],
        "colleagues": [
            {
                "login": s.login,
                "name": s.name,
                "employee_no": s.employee_no,
                "window": held.get(s.id),
            }
            for s in colleagues.order_by(Staff.name)
            if s.id != viewer.id
        ],
        "units": [
            {"code": u.code, "name": u.name_zh, "name_en": u.name_en}
            for u in Unit.select().where(Unit.id != unit.id).order_by(Unit.code)
        ],
        "may_override": manages_hall(viewer, unit.id),
    }
