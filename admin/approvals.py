"""The approvals page (待审批): what waits for a manager's decision in their hall, with the
buttons that decide it, so that a manager approves from the admin side without opening a
window. The buttons call the counter's own decision route
(POST /api/units/<unit>/cases/extension-decision, qhall.cases.decide_extension)."""

from __future__ import annotations

from flask import render_template, request

from admin import bp
from admin.api import admin_staff
from admin.pages import _common  # the admin frame's own values, as every page has them
from qhall.access import check_approve, home_unit, readable_units
from qhall.approvals import pending_approvals
from qhall.lookups import find_unit
from qhall.web.request import now


@bp.get("/approvals")
def approvals_page():
    """Show a hall's extension requests to decide and its overdue cases escalated (for the
    bureau's admins with no hall chosen: every hall's)."""
    viewer = admin_staff()
    unit_code = home_unit(viewer, request.args.get("unit") or None)
    unit = find_unit(unit_code) if unit_code else None
    check_approve(viewer, unit)
    units = [unit] if unit else list(readable_units(viewer))
    return render_template(
        "admin/approvals.html",
        approvals=pending_approvals(units, now=now()),
        **_common(viewer, unit_code, "approvals"),
    )
