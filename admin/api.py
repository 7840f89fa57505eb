"""The admin API: live figures, the ledger, rankings and the month's selection, supervision,
configuration and its audit log. Managers see their own unit; the bureau's admins and
inspectors every unit (qhall.access holds the rules)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from flask import current_app, jsonify
from pydantic import Field

from admin import api_bp
from qhall import configure, rankings, supervision
from qhall.access import check_enter, check_read, home_unit
from qhall.audit import PAGE_MAX as AUDIT_PAGE_MAX
from qhall.audit import PAGE_SIZE as AUDIT_PAGE_SIZE
from qhall.audit import audit_log, record_export
from qhall.clock import local_day
from qhall.dashboard import live_figures
from qhall.errors import BadInput
from qhall.lookups import find_unit
from qhall.reports import ledger
from qhall.scopes import GROUPINGS, Scope, make_scope, report_period
from qhall.supervision_models import FINDING_CATEGORIES, INSPECTION_KINDS
from qhall.web.realtime import end_connections_of
from qhall.web.request import now, publish_result, request_key, require_staff
from qhall.web.schema import (
    FROM_QUERY,
    STAFF,
    Input,
    Int32,
    KeyedHeaders,
    Name,
    Query,
    Record,
    answers,
    spec,
    staff_only,
    validated,
)

# Where a bureau-wide report counts its days.
BUREAU_TIMEZONE = "Asia/Shanghai"


def admin_staff():
    """Return the signed-in staff member, who must be allowed on the admin side."""
    return check_enter(require_staff())


ADMIN = staff_only(lambda **_path: admin_staff())


def _text(description: str | None = None) -> Any:
    return Field(None, description=description)


class UnitQuery(Query):
    unit: str | None = _text("a unit's code; absent: every unit the viewer may see")


# A date sent as text ("2026-11-01"), in a query string or a JSON body: read from its
# text, which the strict types would refuse.
TextDate = Annotated[date, Field(strict=False)]


class ReportQuery(UnitQuery):
    start: TextDate | None = Field(None, alias="from", description="first day, 2026-11-01")
    end: TextDate | None = Field(None, alias="to", description="last day, 2026-11-30")
    month: str | None = Field(
        None, pattern=r"^\d{4}-\d{2}$", description="instead of from/to: 2026-11"
    )
    year: Annotated[int, FROM_QUERY, Field(ge=1, le=9999)] | None = _text(
        "instead of from/to: 2026"
    )
    by: Literal[GROUPINGS] | None = _text(
        "group by; absent: units for the bureau, services for a unit"
    )  # type: ignore[valid-type]
    service: str | None = None
    window: Annotated[Int32, FROM_QUERY] | None = None
    staff: str | None = _text("a staff member's login")


class RankingQuery(UnitQuery):
    month: str | None = _text("2026-11; absent: this month")


class Selection(Input):
    unit: str
    month: str
    window: Int32 | None = None
    staff: str | None = _text("a staff member's login")


class Finding(Input):
    category: Literal[FINDING_CATEGORIES]  # type: ignore[valid-type]
    description: str | None = None
    evidence: str | None = None


class Inspection(Input):
    unit: str
    kind: Literal[INSPECTION_KINDS]  # type: ignore[valid-type]
    visited_on: TextDate = Field(description="2026-11-26")
    window: Int32 | None = None
    staff: str | None = _text("a staff member's login")
    summary: str | None = None
    findings: list[Finding] | None = None


class Notice(Input):
    unit: str
    title: str
    body: str
    deadline: TextDate = Field(description="the day to rectify by, 2026-12-31")
    inspection: Int32 | None = None


class NoticeResponse(Input):
    response: str


class NoticeClosing(Input):
    accept: bool
    note: str | None = None


class ConfigChange(Input):
    unit: str | None = None
    id: Int32 | None = _text("the record to change; absent: a new one")
    fields: dict[str, Any]


# The kinds of configuration record, for the document's {kind}.
KIND = {"kind": "one of: " + ", ".join(configure.KINDS)}


def config_section(name: str) -> dict:
    """Return a table of the configuration ([SERVICE_LEVEL], [RANKING])."""
    return current_app.config[name]


def report_query(args) -> ReportQuery:
    """Return a page's query string read as the ledger API reads its own."""
    return validated(ReportQuery, args.to_dict())


def report_scope(query: ReportQuery, viewer) -> Scope:
    """Return the report scope a query names, if the viewer may see it."""
    unit_code = home_unit(viewer, query.unit)
    zone = find_unit(unit_code).timezone if unit_code else BUREAU_TIMEZONE
    start, end = report_period(
        local_day(now(), zone), month=query.month, year=query.year, start=query.start, end=query.end
    )
    scope = make_scope(
        unit_code, start, end, service=query.service, window=query.window, staff_login=query.staff
    )
    check_read(viewer, scope.unit)
    return scope


def ledger_for(query: ReportQuery, viewer) -> dict:
    """Return the ledger a query asks for (the API, the page and the exports share it), by
    default grouped by unit for the bureau and by service for a unit."""
    scope = report_scope(query, viewer)
    by = query.by or ("unit" if scope.unit is None else "service")
    return ledger(scope, by, settings=config_section("SERVICE_LEVEL"), now=now())


@api_bp.get("/admin/live")
@spec.validate(resp=answers(Record, *STAFF), operation_id="admin_live", **ADMIN)
def admin_live(query: UnitQuery):
    """Return the live figures of a unit (?unit=) or of every unit the viewer may see, with
    alerts."""
    viewer = admin_staff()
    unit = home_unit(viewer, query.unit or None)
    return jsonify(live_figures(viewer, unit, now=now(), settings=config_section("SERVICE_LEVEL")))


@api_bp.get("/admin/ledger")
@spec.validate(resp=answers(Record, *STAFF), operation_id="admin_ledger", **ADMIN)
def admin_ledger(query: ReportQuery):
    """Return the ledger (台账) of a unit or the bureau over a period, grouped."""
    viewer = admin_staff()
    report = ledger_for(query, viewer)
    record_export(viewer, "ledger", report, "json", now())  # no page reads it: a program does
    return jsonify(report)


@api_bp.get("/admin/rankings")
@spec.validate(resp=answers(Record, *STAFF), operation_id="admin_rankings", **ADMIN)
def admin_rankings(query: RankingQuery):
    """Return a unit's windows and staff ranked on a month's figures."""
    viewer = admin_staff()
    unit = home_unit(viewer, query.unit or None)
    if not unit:
        raise BadInput("请选择单位。", "Choose a unit.")
    check_read(viewer, find_unit(unit))
    return jsonify(
        rankings.rankings(
            unit,
            query.month,
            settings=config_section("SERVICE_LEVEL"),
            weights=config_section("RANKING"),
            now=now(),
        )  # fmt: skip
    )


@api_bp.post("/admin/selections")
@spec.validate(resp=answers(Record, *STAFF), operation_id="admin_select", **ADMIN)
def admin_select(json: Selection, headers: KeyedHeaders):
    """Confirm a month's model window and service star (the unit's manager or the bureau)."""
    viewer = admin_staff()
    outcome = rankings.confirm_selection(
        json.unit,
        json.month,
        window=json.window,
        staff_login=json.staff,
        staff_id=viewer.id,
        settings=config_section("SERVICE_LEVEL"),
        weights=config_section("RANKING"),
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@api_bp.get("/admin/supervision")
@spec.validate(resp=answers(Record, *STAFF), operation_id="admin_supervision", **ADMIN)
def admin_supervision(query: UnitQuery):
    """Return inspections, notices and the data's own flags for a unit or all units."""
    viewer = admin_staff()
    unit = home_unit(viewer, query.unit or None)
    return jsonify(
        supervision.supervision_view(
            viewer, unit, now=now(), settings=config_section("SERVICE_LEVEL")
        )
    )


@api_bp.post("/admin/inspections")
@spec.validate(
    resp=answers(Record, *STAFF, status=201, description="Recorded"),
    operation_id="admin_inspect",
    **ADMIN,
)
def admin_inspect(json: Inspection, headers: KeyedHeaders):
    """Record an inspection or unannounced visit with its findings (冷硬拖卡; inspectors,
    the bureau)."""
    viewer = admin_staff()
    outcome = supervision.record_inspection(
        json.unit,
        inspector_id=viewer.id,
        kind=json.kind,
        visited_on=json.visited_on,
        window=json.window,
        staff_login=json.staff,
        summary=json.summary or "",
        findings=[finding.model_dump() for finding in json.findings or []],
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome, 201)


@api_bp.post("/admin/notices")
@spec.validate(
    resp=answers(Record, *STAFF, status=201, description="Published"),
    operation_id="admin_publish_notice",
    **ADMIN,
)
def admin_publish_notice(json: Notice, headers: KeyedHeaders):
    """Publish a notice (通报) with a rectification deadline (inspectors, the bureau)."""
    viewer = admin_staff()
    outcome = supervision.publish_notice(
        json.unit,
        publisher_id=viewer.id,
        title=json.title,
        body=json.body,
        deadline=json.deadline,
        inspection_id=json.inspection,
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome, 201)


@api_bp.post("/admin/notices/<int:notice>/respond")
@spec.validate(resp=answers(Record, *STAFF), operation_id="admin_respond_notice", **ADMIN)
def admin_respond_notice(notice: int, json: NoticeResponse, headers: KeyedHeaders):
    """Record what the unit rectified in answer to a notice (its manager)."""
    viewer = admin_staff()
    return publish_result(
        supervision.respond_notice(
            notice,
            staff_id=viewer.id,
            response=json.response,
            now=now(),
            request_key=request_key(),
        )
    )


@api_bp.post("/admin/notices/<int:notice>/close")
@spec.validate(resp=answers(Record, *STAFF), operation_id="admin_close_notice", **ADMIN)
def admin_close_notice(notice: int, json: NoticeClosing, headers: KeyedHeaders):
    """Accept a notice's response and close it, or send it back with a note (inspectors)."""
    viewer = admin_staff()
    return publish_result(
        supervision.close_notice(
            notice,
            staff_id=viewer.id,
            accept=json.accept,
            note=json.note or "",
            now=now(),
            request_key=request_key(),
        )
    )


@api_bp.get("/admin/config/<kind>")
@spec.validate(
    resp=answers(Record, *STAFF),
    operation_id="admin_config",
    path_parameter_descriptions=KIND,
    **ADMIN,
)
def admin_config(kind: str, query: UnitQuery):
    """List a kind of configuration record of a unit (?unit=) or of the bureau."""
    viewer = admin_staff()
    unit = home_unit(viewer, query.unit or None)
    return jsonify({**configure.describe(kind), "records": configure.records(kind, unit, viewer)})


@api_bp.post("/admin/config/<kind>")
@spec.validate(
    resp=answers(Record, *STAFF),
    operation_id="admin_config_save",
    path_parameter_descriptions=KIND,
    **ADMIN,
)
def admin_config_save(kind: str, json: ConfigChange, headers: KeyedHeaders):
    """Create (no id) or change a configuration record; the change goes into the audit log."""
    viewer = admin_staff()
    outcome = configure.save(
        kind,
        home_unit(viewer, json.unit),
        json.id,
        json.fields,
        staff_id=viewer.id,
        now=now(),
        request_key=request_key(),
    )
    ended = json.fields.get("password") or json.fields.get("active") is False
    if kind == "staff" and json.id and ended:
        end_connections_of(json.id)  # its sessions ended with the commit: so do its sockets
    return publish_result(outcome)


class AuditQuery(UnitQuery):
    action: str | None = Field(
        None, max_length=60, pattern=r"^[a-z_.-]+$",
        description='an action or its start: "staff." finds staff.update, staff.role, ...',
    )  # fmt: skip
    who: Name | None = _text("the login of who acted")
    start: TextDate | None = Field(None, alias="from", description="first day (local), 2026-11-01")
    end: TextDate | None = Field(None, alias="to", description="last day (local), 2026-11-30")
    page: Annotated[int, FROM_QUERY, Field(ge=1, le=100000)] | None = _text("absent: the first")
    size: Annotated[int, FROM_QUERY, Field(ge=1, le=AUDIT_PAGE_MAX)] | None = _text(
        f"entries a page, at most {AUDIT_PAGE_MAX}; absent: {AUDIT_PAGE_SIZE}"
    )


def audit_for(query: AuditQuery, viewer) -> dict:
    """Return the page of the audit log a query asks for (the API and the page share it), if
    the viewer may read the unit it names."""
    unit = find_unit(query.unit) if query.unit else None
    if unit:
        check_read(viewer, unit)
    return audit_log(
        viewer,
        unit_id=unit.id if unit else None,
        action=query.action,
        login=query.who,
        start=query.start,
        end=query.end,
        page=query.page or 1,
        size=query.size or AUDIT_PAGE_SIZE,
    )


@api_bp.get("/admin/audit")
@spec.validate(resp=answers(Record, *STAFF), operation_id="admin_audit", **ADMIN)
def admin_audit(query: AuditQuery):
    """Return a page of the audit log the viewer may see, newest first: sign-ins,
    configuration changes, roles and passwords set, tokens, exports and erasures. `total`
    counts the entries that match the filters, `pages` the pages of `size`."""
    return jsonify(audit_for(query, admin_staff()))
