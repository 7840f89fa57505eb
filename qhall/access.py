"""Who may see and change what on the admin side: the one place for the role rules.

- staff: nothing here (their window is their work);
- manager: their own unit: figures, configuration, rankings, answering notices;
- admin (the bureau): every unit, and what belongs to the whole bureau;
- inspector: reads every unit's figures and records inspections, but configures nothing.
"""

from __future__ import annotations

from peewee import ModelSelect

from qhall.errors import BadInput, Forbidden, WindowInUse
from qhall.models import ROLES, Staff, Unit

ADMIN_AREA_ROLES = ("manager", "admin", "inspector")
# Who approves extensions, escalations and appeals, and sees visitors' personal data.
MANAGER_ROLES = ("manager", "admin")


# Staff and unit managers belong to a hall; the bureau's admins and inspectors to none,
# so that no hall's manager can change them and no inspector works at a hall's window.
HALL_ROLES = ("staff", "manager")


def check_role_unit(role: str, unit: Unit | None) -> None:
    """Refuse an account whose role and unit do not go together."""
    if role in HALL_ROLES and unit is None:
        raise BadInput("工作人员和负责人须属于一个单位。", "Staff and managers belong to a unit.")
    if role not in HALL_ROLES and unit is not None:
        raise BadInput(
            "管理员和督查人员面向全局，不属于任何单位。",
            "Administrators and inspectors serve the whole bureau and belong to no unit.",
        )


def may_work_at(staff: Staff, unit: Unit) -> bool:
    """Tell whether a staff member may act at a unit's windows (the bureau's admins anywhere)."""
    return staff.role == "admin" or staff.unit_id == unit.id


def may_enter(staff: Staff) -> bool:
    """Tell whether a staff member may use the admin pages at all."""
    return staff.role in ADMIN_AREA_ROLES


def may_read(staff: Staff, unit: Unit | None) -> bool:
    """Tell whether a staff member may see a unit's figures (None: the whole bureau's)."""
    if sees_every_unit(staff):
        return True
    return staff.role == "manager" and unit is not None and staff.unit_id == unit.id


def may_manage(staff: Staff, unit: Unit | None) -> bool:
    """Tell whether a staff member may configure a unit (None: what the bureau shares)."""
    if staff.role == "admin":
        return True
    return staff.role == "manager" and unit is not None and staff.unit_id == unit.id


def may_inspect(staff: Staff) -> bool:
    """Tell whether a staff member may record inspections and publish and close notices."""
    return staff.role in ("admin", "inspector")


def sees_every_unit(staff: Staff) -> bool:
    """Tell whether a staff member reads the whole bureau (admins and inspectors)."""
    return staff.role in ("admin", "inspector")


def grantable_roles(staff: Staff) -> tuple[str, ...]:
    """Return the roles a staff member may give an account: a unit manager hires for their
    own unit, and only staff and managers; the bureau's admins give any role."""
    return ROLES if staff.role == "admin" else ("staff", "manager")


def readable_units(staff: Staff) -> ModelSelect:
    """Select the units whose figures a staff member may see, by code."""
    units = Unit.select().order_by(Unit.code)
    if sees_every_unit(staff):
        return units
    if staff.role == "manager" and staff.unit_id is not None:
        return units.where(Unit.id == staff.unit_id)
    return units.where(Unit.id.is_null())


def check_enter(staff: Staff) -> Staff:
    """Return staff if they may use the admin pages; Forbidden otherwise."""
    if not may_enter(staff):
        raise Forbidden(
            "抱歉，管理后台仅供负责人、管理员和督查人员使用。",
            "Sorry, the admin pages are for managers, administrators and inspectors.",
        )
    return staff


def check_read(staff: Staff, unit: Unit | None) -> Staff:
    """Return staff if they may see the unit's (or the bureau's) figures; Forbidden otherwise."""
    check_enter(staff)
    if not may_read(staff, unit):
        raise Forbidden(
            "抱歉，您只能查看本单位的数据。", "Sorry, you may see only your own unit's figures."
        )
    return staff


def check_manage(staff: Staff, unit: Unit | None) -> Staff:
    """Return staff if they may configure the unit (or the bureau); Forbidden otherwise."""
    check_enter(staff)
    if not may_manage(staff, unit):
        raise Forbidden(
            "抱歉，您没有修改该配置的权限。", "Sorry, you may not change this configuration."
        )
    return staff


def check_inspect(staff: Staff) -> Staff:
    """Return staff if they may record inspections and notices; Forbidden otherwise."""
    if not may_inspect(staff):
        raise Forbidden(
            "抱歉，督查记录仅限督查人员和管理员填写。",
            "Sorry, only inspectors and administrators record inspections.",
        )
    return staff


def home_unit(staff: Staff, unit_code: str | None) -> str | None:
    """Return the unit a page is about: the one asked for, else a manager's own (a manager
    has no bureau-wide view), else None for the whole bureau."""
    if unit_code:
        return unit_code
    if staff.role == "manager" and staff.unit_id is not None:
        return staff.unit.code
    return None


def sees_personal_data(viewer: Staff | None, owner_id: int | None) -> bool:
    """Tell whether a viewer may see a visitor's name and phone unmasked."""
    return viewer is not None and (viewer.id == owner_id or viewer.role in MANAGER_ROLES)


def sees_visitor_contacts(viewer: Staff, unit_id: int) -> bool:
    """Tell whether the registers (台账) and their exports show a viewer visitors' names and
    phones unmasked: only the unit's own manager, who calls visitors back. The bureau and
    inspectors read registers of many halls, and files travel: they see 张* and 138****5678."""
    return viewer.role == "manager" and viewer.unit_id == unit_id


def is_manager(staff: Staff) -> bool:
    """Tell whether a staff member may approve, escalate and decide appeals."""
    return staff.role in MANAGER_ROLES


# --- who holds a window, a case, a matter ------------------------------------------------


def manages_hall(staff: Staff, unit_id: int | None) -> bool:
    """Tell whether a staff member runs a hall's work (None: every hall's): its own manager
    or a bureau admin, who approve extensions, release windows and may act on any of the
    hall's matters."""
    if staff.role == "admin":
        return True
    return staff.role == "manager" and unit_id is not None and staff.unit_id == unit_id


def _who(staff: Staff) -> tuple[str, str]:
    return (
        f"{staff.name}（工号 {staff.employee_no}）",
        f"{staff.name} (staff no. {staff.employee_no})",
    )


def check_window_holder(staff_id: int | None, counter) -> None:
    """Refuse anyone but its holder an action on an open or paused window: whoever opened
    it calls, serves, pauses and closes it, until they close it or a manager releases it."""
    if counter.state == "closed" or counter.staff_id is None or counter.staff_id == staff_id:
        return
    holder = counter.staff
    zh, en = _who(holder)
    raise WindowInUse(
        f"该窗口正由 {zh}使用，请使用您自己的窗口；如需接管，请负责人先释放该窗口。",
        f"This window is in use by {en}. Please use your own window; to take it over, "
        "ask a manager to release it first.",
        holder={"name": holder.name, "employee_no": holder.employee_no},
    )


def check_release(staff: Staff, unit: Unit) -> Staff:
    """Return staff if they may release a hall's window from its holder; Forbidden otherwise."""
    if not manages_hall(staff, unit.id):
        raise Forbidden(
            "只有本大厅的负责人或管理员可以释放窗口。",
            "Only the hall's manager or an administrator may release a window.",
        )
    return staff


def check_approve(staff: Staff, unit: Unit | None) -> Staff:
    """Return staff if they may decide a hall's (None: every hall's) extension requests;
    Forbidden otherwise."""
    if not manages_hall(staff, unit.id if unit else None):
        raise Forbidden(
            "延期须经本单位负责人审批。", "Only the unit's manager may approve an extension."
        )
    return staff


def check_case_hand(staff: Staff, case) -> Staff:
    """Return staff if they may act on a case: whoever accepted it, or the hall's manager
    (an overdue case is escalated to them); a colleague is refused and nothing changes."""
    if staff.id != case.staff_id and not manages_hall(staff, case.unit_id):
        zh, en = _who(case.staff)
        raise Forbidden(
            f"该承诺件由 {zh}受理，只有受理人或本单位负责人可以办理。",
            f"This case was accepted by {en}; only they or the unit's manager may act on it.",
        )
    return staff


def check_inquiry_hand(staff: Staff, inquiry, *, referred_to: bool = False) -> Staff:
    """Return staff if they may act on a first inquiry: its owner, the hall's manager, or
    (referred_to: for what the person it was referred to by name does) that person."""
    if staff.id == inquiry.owner_id or manages_hall(staff, inquiry.unit_id) or referred_to:
        return staff
    zh, en = _who(inquiry.owner)
    raise Forbidden(
        f"该事项的首问责任人是 {zh}，只有责任人或本单位负责人可以办理。",
        f"This matter's first-inquiry owner is {en}; only they or the unit's manager may act on it.",
    )


# --- appointments (qhall.appointments) ----------------------------------------------------


def check_booking_platform(staff: Staff) -> Staff:
    """Return staff if they may push and list bookings as the bureau's online platform does
    (its admins, with a bearer token); Forbidden otherwise."""
    if staff.role != "admin":
        raise Forbidden(
            "抱歉，预约平台接口仅供局管理员使用。",
            "Sorry, the booking platform's routes are for the bureau's administrators.",
        )
    return staff
