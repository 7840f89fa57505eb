"""The admin pages: thin views over the hall core. Each page checks who may see it
(qhall.access), reads one core function and renders it; changes go through the JSON API
from the page's script."""

from __future__ import annotations

import json
from datetime import datetime

from flask import Response, redirect, render_template, request, url_for

from admin import bp
from admin.api import (
    AuditQuery,
    admin_staff,
    audit_for,
    config_section,
    ledger_for,
    report_query,
    report_scope,
)
from admin.exports import csv_bytes, xlsx_bytes
from admin.outbox_api import OutboxQuery, outbox_for
from qhall import configure, rankings, supervision
from qhall.access import (
    check_manage,
    check_read,
    home_unit,
    manages_hall,
    may_inspect,
    may_manage,
    readable_units,
    sees_every_unit,
)
from qhall.audit import record_export
from qhall.clock import local_day
from qhall.errors import BadInput, HallError, NotSignedIn
from qhall.ledger_table import COLUMNS, ledger_table
from qhall.lookups import find_unit
from qhall.models import Unit
from qhall.ratings import LEVEL_NAMES
from qhall.reports import ledger
from qhall.scopes import GROUPINGS
from qhall.supervision import CATEGORY_NAMES, finding_counts
from qhall.supervision_models import FINDING_CATEGORIES
from qhall.web.request import now
from qhall.web.schema import validated
from qhall.words import stamp, unit_timezone, word

GROUPING_NAMES = {
    "unit": ("按单位", "By unit"),
    "service": ("按业务", "By service"),
    "window": ("按窗口", "By window"),
    "staff": ("按人员", "By staff"),
}


@bp.errorhandler(HallError)
def hall_error(error: HallError):
    """Send a visitor who is not signed in to the sign-in page; explain anything else."""
    if isinstance(error, NotSignedIn):
        return redirect(url_for("admin.login", next=request.full_path))
    return render_template("admin/error.html", error=error), error.status


def _common(viewer, unit_code: str | None, section: str) -> dict:
    """Return what every admin page's frame shows: who, where, the units to choose from."""
    return {
        "viewer": viewer,
        "unit_code": unit_code,
        "units": list(readable_units(viewer)),
        "bureau_view": sees_every_unit(viewer),
        "section": section,
        "may_inspect": may_inspect(viewer),
    }


@bp.context_processor
def words():
    """Give the admin templates the words for codes: word("role", "manager")."""
    return {"word": word}


@bp.get("/login")
def login():
    """Show the sign-in form for managers, the bureau and inspectors."""
    return render_template(
        "admin/login.html", next=request.args.get("next") or url_for("admin.dashboard")
    )


@bp.get("/")
def dashboard():
    """Show the live figures of a unit, or of every unit for the bureau."""
    viewer = admin_staff()
    unit_code = home_unit(viewer, request.args.get("unit") or None)
    unit = find_unit(unit_code) if unit_code else None
    check_read(viewer, unit)
    # The release button shows to who may release (the server checks it again).
    releases = manages_hall(viewer, unit.id if unit else None)
    return render_template(
        "admin/dashboard.html", releases=releases, **_common(viewer, unit_code, "dashboard")
    )


@bp.get("/ledger")
def ledger_page():
    """Show the ledger (台账) with its charts and export links."""
    viewer = admin_staff()
    report = ledger_for(report_query(request.args), viewer)
    query = {k: v for k, v in request.args.items() if v}
    return render_template(
        "admin/ledger.html",
        report=report,
        columns=COLUMNS,
        table=ledger_table(report),
        groupings=[(g, *GROUPING_NAMES[g]) for g in GROUPINGS],
        chart_data=json.dumps(_chart_data(report), ensure_ascii=False),
        query=query,
        **_common(viewer, report["unit"], "ledger"),
    )


def _chart_data(report: dict) -> dict:
    return {
        "series": report["series"],
        "levels": [
            {"level": level, "zh": names[0], "en": names[1], "count": report["total"]["levels"][str(level)]}
            for level, names in LEVEL_NAMES.items()
        ],
        "groups": [
            {"label": row["label"], "label_en": row["label_en"], "wait_avg_s": row["wait_avg_s"],
             "wait_p90_s": row["wait_p90_s"]}
            for row in report["rows"]
        ],
    }  # fmt: skip


@bp.get("/ledger.<kind>")
def ledger_export(kind: str):
    """Download the ledger as CSV or XLSX, its unit and period in the file's name and in it."""
    if kind not in ("csv", "xlsx"):
        raise BadInput("仅支持 CSV 和 XLSX。", "Only CSV and XLSX are offered.")
    viewer = admin_staff()
    report = ledger_for(report_query(request.args), viewer)
    record_export(viewer, "ledger", report, kind, now())
    scope_slug = "_".join([report["unit"] or "ALL", report["start"], report["end"], report["by"]])
    name = f"qhall-ledger_{scope_slug}.{kind}"
    if kind == "csv":
        body, mime = csv_bytes(report), "text/csv; charset=utf-8"
    else:
        body, mime = (
            xlsx_bytes(report),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return Response(
        body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/rankings")
def rankings_page():
    """Show a unit's windows and staff ranked on a month, and the month's selection."""
    viewer = admin_staff()
    unit_code = home_unit(viewer, request.args.get("unit") or None)
    board = None
    if unit_code:
        check_read(viewer, find_unit(unit_code))
        board = rankings.rankings(
            unit_code,
            request.args.get("month"),
            settings=config_section("SERVICE_LEVEL"),
            weights=config_section("RANKING"),
            now=now(),
        )
    return render_template(
        "admin/rankings.html",
        board=board,
        deduction_names=rankings.DEDUCTION_NAMES,
        may_confirm=bool(unit_code) and may_manage(viewer, find_unit(unit_code)),
        **_common(viewer, unit_code, "rankings"),
    )


@bp.get("/summary")
def summary_page():
    """Show the printable period summary and commendation report (总结表彰)."""
    viewer = admin_staff()
    scope = report_scope(report_query(request.args), viewer)
    unit_code, start, end = scope.unit.code if scope.unit else None, scope.start, scope.end
    settings, weights = config_section("SERVICE_LEVEL"), config_section("RANKING")
    report = ledger(
        scope, "unit" if scope.unit is None else "service", settings=settings, now=now()
    )
    windows = rankings.ranked(scope, "window", settings=settings, weights=weights, now=now())
    staff = rankings.ranked(scope, "staff", settings=settings, weights=weights, now=now())
    ids = [scope.unit.id] if scope.unit else [u.id for u in Unit.select()]
    return render_template(
        "admin/summary.html",
        report=report,
        columns=COLUMNS,
        table=ledger_table(report),
        windows=[w for w in windows["rows"] if w["rank"]][:5],
        staff=[s for s in staff["rows"] if s["rank"]][:5],
        findings=finding_counts(ids, start, end),
        category_names=CATEGORY_NAMES,
        weights=weights,
        **_common(viewer, unit_code, "summary"),
    )


@bp.get("/supervision")
def supervision_page():
    """Show the data's flags, inspections and notices; inspectors record, managers answer."""
    viewer = admin_staff()
    unit_code = home_unit(viewer, request.args.get("unit") or None)
    view = supervision.supervision_view(viewer, unit_code, now=now(),
                                        settings=config_section("SERVICE_LEVEL"))  # fmt: skip
    return render_template(
        "admin/supervision.html",
        view=view,
        categories=[(c, *CATEGORY_NAMES[c]) for c in FINDING_CATEGORIES],
        manages={u.code for u in readable_units(viewer) if may_manage(viewer, u)},
        today=local_day(
            now(), unit_timezone(find_unit(unit_code) if unit_code else None)
        ).isoformat(),
        **_common(viewer, unit_code, "supervision"),
    )


@bp.get("/config/<kind>")
def config_page(kind: str):
    """Show a kind of configuration records with an editor."""
    viewer = admin_staff()
    unit_code = home_unit(viewer, request.args.get("unit") or None)
    description = configure.describe(kind)
    if description["belongs"] == "bureau":
        check_manage(viewer, None)
        unit_code = None
    records = None
    # Without a unit, the staff editor lists the bureau's admins and inspectors (its own).
    bureau_accounts = kind == "staff" and not unit_code and may_manage(viewer, None)
    if unit_code or bureau_accounts or description["belongs"] in ("bureau", "screen", "hall"):
        records = configure.records(kind, unit_code, viewer)
    return render_template(
        "admin/config.html",
        description=description,
        records=records,
        kinds=[
            (name, *k.title)
            for name, k in configure.KINDS.items()
            if k.belongs != "bureau" or may_manage(viewer, None)
        ],
        editor=json.dumps(description, ensure_ascii=False),
        **_common(viewer, unit_code, "config"),
    )


@bp.get("/outbox")
def outbox_page():
    """Show each channel's messages to the outside (the 好差评 platform, texts) waiting, sent
    and cancelled, a page of them with why one failed, and retry and cancel buttons."""
    viewer = admin_staff()
    query = validated(OutboxQuery, request.args.to_dict())
    query.unit = home_unit(viewer, query.unit)
    unit = find_unit(query.unit) if query.unit else None
    view = outbox_for(query, viewer)
    zone = unit_timezone(unit)
    for message in view["messages"]:
        for name in ("created_at", "next_attempt_at", "sent_at"):
            moment = message[name] and datetime.fromisoformat(message[name]).replace(tzinfo=None)
            message[name + "_local"] = stamp(moment, zone)
    filters = {k: v for k, v in request.args.items() if v and k != "page"}
    return render_template(
        "admin/outbox.html",
        view=view,
        filters=filters,
        timezone=zone,
        manages={u.code for u in readable_units(viewer) if may_manage(viewer, u)},
        query=filters,  # what the unit choice keeps
        **_common(viewer, query.unit, "outbox"),
    )


@bp.get("/audit")
def audit_page():
    """Show a page of the audit log, filtered: who did what, when, before and after."""
    viewer = admin_staff()
    log = audit_for(validated(AuditQuery, request.args.to_dict()), viewer)
    filters = {k: v for k, v in request.args.items() if v and k != "page"}
    return render_template(
        "admin/audit.html",
        log=log,
        filters=filters,
        actions=AUDIT_ACTIONS,
        query=filters,  # what the unit choice keeps
        **_common(viewer, filters.get("unit"), "audit"),
    )


# The actions the log's filter offers (any start of an action may be typed as well).
AUDIT_ACTIONS = [
    ("session.", "登录", "Sign-ins"),
    ("session.sign_in_failed", "登录失败", "Failed sign-ins"),
    ("staff.", "人员账号", "Staff accounts"),
    ("staff.role", "角色变更", "Role changes"),
    ("staff.password", "密码重设", "Password resets"),
    ("token.", "接口令牌", "API tokens"),
    ("export", "导出", "Exports"),
    ("privacy.", "个人信息清除", "Personal data erased"),
]
