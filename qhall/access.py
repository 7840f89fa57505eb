"""Who may see and change what on the admin side: the one place for the role rules.

- staff: nothing here (their window is their work);
- manager: their own unit: figures, configuration, rankings, answering notices;
- admin (the bureau): every unit, and what belongs to the whole bureau;
- inspector: reads every unit's figures and records inspections, but configures nothing.
"""

from __future__ import annotations

from peewee import ModelSelect

from qhall.errors import Forbidden
from qhall.models import ROLES, Staff, Unit

ADMIN_AREA_ROLES = ("manager", "admin", "inspector")
# Who approves extensions, escalations and appeals, and sees visitors' personal data.
MANAGER_ROLES = ("manager", "admin")


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
