"""Who may see and change what on the admin side: the one place for the role rules.

- staff: nothing here (their window is their work);
- manager: their own unit: figures, configuration, rankings, answering notices;
- admin (the bureau): every unit, and what belongs to the whole bureau;
- inspector: reads every unit's figures and records inspections, but configures nothing.
"""

from __future__ import annotations

from peewee import ModelSelect

from qhall.errors import Forbidden
from qhall.models import Staff, Unit

ADMIN_AREA_ROLES = ("manager", "admin", "inspector")


def may_enter(staff: Staff) -> bool:
    """Tell whether a staff member may use the admin pages at all."""
    return staff.role in ADMIN_AREA_ROLES


def may_read(staff: Staff, unit: Unit | None) -> bool:
    """Tell whether a staff member may see a unit's figures (None: the whole bureau's)."""
    if staff.role in ("admin", "inspector"):
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


def readable_units(staff: Staff) -> ModelSelect:
    """Select the units whose figures a staff member may see, by code."""
    units = Unit.select().order_by(Unit.code)
    if staff.role in ("admin", "inspector"):
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
