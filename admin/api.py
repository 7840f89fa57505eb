"""The admin API: live figures, the ledger, rankings and the month's selection, supervision,
configuration and its audit log. Managers see their own unit; the bureau's admins and
inspectors every unit (qhall.access holds the rules)."""

from __future__ import annotations

from datetime import date

from flask import current_app, jsonify, request

from admin import api_bp
from qhall import configure, rankings, supervision
from qhall.access import check_enter, check_read, home_unit
from qhall.audit import audit_entries
from qhall.clock import local_day
from qhall.dashboard import live_figures
from qhall.errors import BadInput
from qhall.lookups import find_unit
from qhall.reports import ledger
from qhall.scopes import GROUPINGS, Scope, make_scope, month_bounds
from qhall.web.openapi import STAFF_ERRORS, STAFF_SECURITY, _body, _json
from qhall.web.request import field, json_body, now, publish_result, require_staff


def admin_staff():
    """Return the signed-in staff member, who must be allowed on the admin side."""
    return check_enter(require_staff())


def config_section(name: str) -> dict:
    """Return a table of the configuration ([SERVICE_LEVEL], [RANKING])."""
    return current_app.config[name]


def _day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise BadInput(f"{name} 应为日期，如 2026-11-01。", f"'{name}' must be a date like 2026-11-01.") from error  # fmt: skip


def period_from(args, unit_code: str | None) -> tuple[date, date]:
    """Return the period a request names: ?from=&to=, or ?month=2026-11, or ?year=2026;
    by default this month up to today."""
    if args.get("month"):
        return month_bounds(args["month"])
    if args.get("year"):
        if not args["year"].isdigit():
            raise BadInput("年份应为数字。", "The year must be a number.")
        year = int(args["year"])
        return date(year, 1, 1), date(year, 12, 31)
    start, end = _day(args.get("from"), "from"), _day(args.get("to"), "to")
    if start and end:
        return start, end
    zone = find_unit(unit_code).timezone if unit_code else "Asia/Shanghai"
    today = local_day(now(), zone)
    return start or today.replace(day=1), end or today


def scope_from(args, viewer) -> Scope:
    """Return the report scope a request names, if the viewer may see it."""
    unit_code = home_unit(viewer, args.get("unit") or None)
    start, end = period_from(args, unit_code)
    window = args.get("window") or None
    if window is not None and not window.isdigit():
        raise BadInput("窗口号应为数字。", "The window must be a number.")
    scope = make_scope(
        unit_code,
        start,
        end,
        service=args.get("service") or None,
        window=int(window) if window else None,
        staff_login=args.get("staff") or None,
    )
    check_read(viewer, scope.unit)
    return scope


def grouping_from(args, scope: Scope) -> str:
    """Return how the ledger is grouped: ?by=, by default units for the bureau and
    services for a unit."""
    return args.get("by") or ("unit" if scope.unit is None else "service")


def ledger_from(args, viewer) -> dict:
    """Return the ledger a request asks for (the API, the page and the exports share it)."""
    scope = scope_from(args, viewer)
    return ledger(
        scope, grouping_from(args, scope), settings=config_section("SERVICE_LEVEL"), now=now()
    )


@api_bp.get("/admin/live")
def admin_live():
    """Return the live figures of a unit (?unit=) or of every unit the viewer may see."""
    viewer = admin_staff()
    unit = home_unit(viewer, request.args.get("unit") or None)
    return jsonify(live_figures(viewer, unit, now=now(), settings=config_section("SERVICE_LEVEL")))


@api_bp.get("/admin/ledger")
def admin_ledger():
    """Return the ledger of a unit or the bureau over a period, grouped."""
    return jsonify(ledger_from(request.args, admin_staff()))


@api_bp.get("/admin/rankings")
def admin_rankings():
    """Return a unit's windows and staff ranked on a month's figures."""
    viewer = admin_staff()
    unit = home_unit(viewer, request.args.get("unit") or None)
    if not unit:
        raise BadInput("请选择单位。", "Choose a unit.")
    check_read(viewer, find_unit(unit))
    month = request.args.get("month") or local_day(now(), find_unit(unit).timezone).strftime(
        "%Y-%m"
    )
    return jsonify(
        rankings.rankings(
            unit,
            month,
            settings=config_section("SERVICE_LEVEL"),
            weights=config_section("RANKING"),
            now=now(),
        )  # fmt: skip
    )


@api_bp.post("/admin/selections")
def admin_select():
    """Confirm a month's model window and service star (the unit's manager or the bureau)."""
    viewer, body = admin_staff(), json_body()
    outcome = rankings.confirm_selection(
        field(body, "unit", str),
        field(body, "month", str),
        window=field(body, "window", int, required=False),
        staff_login=field(body, "staff", str, required=False),
        staff_id=viewer.id,
        settings=config_section("SERVICE_LEVEL"),
        weights=config_section("RANKING"),
        now=now(),
    )
    return publish_result(outcome)


@api_bp.get("/admin/supervision")
def admin_supervision():
    """Return inspections, notices and the data's own flags for a unit or all units."""
    viewer = admin_staff()
    unit = home_unit(viewer, request.args.get("unit") or None)
    return jsonify(
        supervision.supervision_view(
            viewer, unit, now=now(), settings=config_section("SERVICE_LEVEL")
        )
    )


@api_bp.post("/admin/inspections")
def admin_inspect():
    """Record an inspection or unannounced visit with its findings (inspectors, the bureau)."""
    viewer, body = admin_staff(), json_body()
    outcome = supervision.record_inspection(
        field(body, "unit", str),
        inspector_id=viewer.id,
        kind=field(body, "kind", str),
        visited_on=_day(field(body, "visited_on", str), "visited_on"),
        window=field(body, "window", int, required=False),
        staff_login=field(body, "staff", str, required=False),
        summary=field(body, "summary", str, required=False) or "",
        findings=field(body, "findings", list, required=False) or [],
        now=now(),
    )
    return publish_result(outcome, 201)


@api_bp.post("/admin/notices")
def admin_publish_notice():
    """Publish a notice with a rectification deadline (inspectors, the bureau)."""
    viewer, body = admin_staff(), json_body()
    outcome = supervision.publish_notice(
        field(body, "unit", str),
        publisher_id=viewer.id,
        title=field(body, "title", str),
        body=field(body, "body", str),
        deadline=_day(field(body, "deadline", str), "deadline"),
        inspection_id=field(body, "inspection", int, required=False),
        now=now(),
    )
    return publish_result(outcome, 201)


@api_bp.post("/admin/notices/<int:notice>/respond")
def admin_respond_notice(notice: int):
    """Record what the unit rectified in answer to a notice (its manager)."""
    viewer, body = admin_staff(), json_body()
    return publish_result(
        supervision.respond_notice(
            notice, staff_id=viewer.id, response=field(body, "response", str), now=now()
        )  # fmt: skip
    )


@api_bp.post("/admin/notices/<int:notice>/close")
def admin_close_notice(notice: int):
    """Accept a notice's response and close it, or send it back with a note (inspectors)."""
    viewer, body = admin_staff(), json_body()
    return publish_result(
        supervision.close_notice(
            notice,
            staff_id=viewer.id,
            accept=field(body, "accept", bool),
            note=field(body, "note", str, required=False) or "",
            now=now(),
        )
    )


@api_bp.get("/admin/config/<kind>")
def admin_config(kind: str):
    """List a kind of configuration record of a unit (?unit=) or of the bureau."""
    viewer = admin_staff()
    unit = home_unit(viewer, request.args.get("unit") or None)
    return jsonify({**configure.describe(kind), "records": configure.records(kind, unit, viewer)})


@api_bp.post("/admin/config/<kind>")
def admin_config_save(kind: str):
    """Create (no id) or change a configuration record; the change goes into the audit log."""
    viewer, body = admin_staff(), json_body()
    outcome = configure.save(
        kind,
        home_unit(viewer, field(body, "unit", str, required=False)),
        field(body, "id", int, required=False),
        field(body, "fields", dict),
        staff_id=viewer.id,
        now=now(),
    )
    return publish_result(outcome)


@api_bp.get("/admin/audit")
def admin_audit():
    """List the latest configuration changes the viewer may see."""
    viewer = admin_staff()
    unit = request.args.get("unit") or None
    unit_id = find_unit(unit).id if unit else None
    if unit:
        check_read(viewer, find_unit(unit))
    return jsonify(audit_entries(viewer, unit_id=unit_id))


_OBJECT = {"type": "object"}
_Q = {"in": "query", "required": False, "schema": {"type": "string"}}
_REPORT_PARAMS = [
    {"name": "unit", **_Q, "description": "a unit's code; absent: the bureau (admins, inspectors)"},
    {"name": "from", **_Q, "description": "first day, 2026-11-01"},
    {"name": "to", **_Q, "description": "last day, 2026-11-30"},
    {"name": "month", **_Q, "description": "instead of from/to: 2026-11"},
    {"name": "year", **_Q, "description": "instead of from/to: 2026"},
    {"name": "by", **_Q, "description": "group by: " + ", ".join(GROUPINGS)},
    {"name": "service", **_Q},
    {"name": "window", **_Q},
    {"name": "staff", **_Q, "description": "a staff member's login"},
]
_UNIT_Q = [{"name": "unit", **_Q}]
_KIND = {"name": "kind", "in": "path", "required": True,
         "schema": {"type": "string", "enum": list(configure.KINDS)}}  # fmt: skip
_NOTICE = {"name": "notice", "in": "path", "required": True, "schema": {"type": "integer"}}


def _staff_get(summary: str, operation: str, parameters: list) -> dict:
    return {"get": {"summary": summary, "operationId": operation, "parameters": parameters,
                    "security": STAFF_SECURITY,
                    "responses": {"200": _json(_OBJECT), **STAFF_ERRORS}}}  # fmt: skip


def _staff_post(summary: str, operation: str, body: dict, parameters=(), status="200") -> dict:
    return {"post": {"summary": summary, "operationId": operation, "parameters": list(parameters),
                     "security": STAFF_SECURITY, "requestBody": body,
                     "responses": {status: _json(_OBJECT), **STAFF_ERRORS}}}  # fmt: skip


_S = {"type": "string"}
OPENAPI_PATHS = {
    "/api/admin/live": _staff_get("Live figures of a unit or every unit, with alerts", "admin_live", _UNIT_Q),
    "/api/admin/ledger": _staff_get("The ledger (台账) of a unit or the bureau over a period", "admin_ledger", _REPORT_PARAMS),
    "/api/admin/rankings": _staff_get("A unit's windows and staff ranked on a month", "admin_rankings",
                                      [*_UNIT_Q, {"name": "month", **_Q}]),
    "/api/admin/selections": _staff_post(
        "Confirm a month's model window and service star", "admin_select",
        _body({"unit": _S, "month": _S, "window": {"type": "integer"}, "staff": _S}, ["unit", "month"])),
    "/api/admin/supervision": _staff_get("Inspections, notices and flags", "admin_supervision", _UNIT_Q),
    "/api/admin/inspections": _staff_post(
        "Record an inspection and its findings (冷硬拖卡)", "admin_inspect",
        _body({"unit": _S, "kind": {"enum": ["scheduled", "unannounced"]}, "visited_on": _S,
               "window": {"type": "integer"}, "staff": _S, "summary": _S,
               "findings": {"type": "array", "items": {"type": "object", "properties": {
                   "category": {"enum": ["cold", "rigid", "delaying", "obstructing", "other"]},
                   "description": _S, "evidence": _S}}}},
              ["unit", "kind", "visited_on"]), status="201"),
    "/api/admin/notices": _staff_post(
        "Publish a notice (通报) with a rectification deadline", "admin_publish_notice",
        _body({"unit": _S, "title": _S, "body": _S, "deadline": _S, "inspection": {"type": "integer"}},
              ["unit", "title", "body", "deadline"]), status="201"),
    "/api/admin/notices/{notice}/respond": _staff_post(
        "Answer a notice with what was rectified", "admin_respond_notice",
        _body({"response": _S}, ["response"]), [_NOTICE]),
    "/api/admin/notices/{notice}/close": _staff_post(
        "Close a notice, or send it back with a note", "admin_close_notice",
        _body({"accept": {"type": "boolean"}, "note": _S}, ["accept"]), [_NOTICE]),
    "/api/admin/config/{kind}": {
        **_staff_get("List configuration records of a kind", "admin_config", [_KIND, *_UNIT_Q]),
        **_staff_post("Create or change a configuration record (audited)", "admin_config_save",
                      _body({"unit": _S, "id": {"type": "integer"}, "fields": _OBJECT}, ["fields"]),
                      [_KIND]),
    },
    "/api/admin/audit": _staff_get("The latest configuration changes", "admin_audit", _UNIT_Q),
}  # fmt: skip
