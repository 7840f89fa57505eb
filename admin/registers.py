"""The item-by-item registers (台账): first inquiries, promised cases, ratings with their
rectification, inspections and notices, as a page, as JSON and as CSV and XLSX files, all
read through the ledger's own query (unit, window, staff, period) and its access rules."""

from __future__ import annotations

from typing import Annotated

from flask import Response, current_app, jsonify, render_template, request
from pydantic import Field

from admin import api_bp, bp
from admin.api import ADMIN, ReportQuery, admin_staff, report_scope
from admin.exports import register_csv, register_xlsx
from admin.pages import _common  # the admin frame's own values, as every page has them
from qhall.audit import record_export
from qhall.lookups import find_unit
from qhall.ratings import question_set
from qhall.registers import EXPORT_LIMIT, PAGE_SIZE, REGISTERS, reason_labels, register_table
from qhall.web.request import now
from qhall.web.schema import FROM_QUERY, STAFF, Record, answers, spec, validated

# The registers, for the document's {kind}.
KIND = {"kind": "one of: " + ", ".join(REGISTERS)}
# Columns of free text, which wrap on the page rather than stretch the table.
LONG_COLUMNS = {
    "matter", "outcome", "referrals", "extensions", "reasons", "words", "verify_note",
    "rectify_note", "callback_answer", "appeal", "appeal_decision", "summary", "description",
    "evidence", "title", "body", "response", "close_note",
}  # fmt: skip
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RegisterQuery(ReportQuery):
    page: Annotated[int, FROM_QUERY, Field(ge=1, le=100000)] | None = Field(
        None, description=f"which page of {PAGE_SIZE} rows; absent: the first"
    )


def _register(kind: str, query: RegisterQuery, *, export: bool = False) -> dict:
    """Return the register a query asks for: a page of it, or (for a file) every row up to
    the export limit."""
    viewer = admin_staff()
    scope = report_scope(query, viewer)
    offset = 0 if export else ((query.page or 1) - 1) * PAGE_SIZE
    return register_table(
        kind,
        scope,
        viewer=viewer,
        now=now(),
        reasons=reason_labels(question_set(current_app.config)),
        offset=offset,
        limit=EXPORT_LIMIT if export else PAGE_SIZE,
    )


@bp.get("/registers/<kind>")
def registers_page(kind: str):
    """Show a register, one row per item, filtered by unit, window, person and period."""
    viewer = admin_staff()
    table = _register(kind, validated(RegisterQuery, request.args.to_dict()))
    filters = {k: v for k, v in request.args.items() if v and k != "page"}
    pages = max(1, -(-table["total"] // PAGE_SIZE))
    unit = table["unit"]
    return render_template(
        "admin/registers.html",
        table=table,
        kinds=[(name, *register.title) for name, register in REGISTERS.items()],
        kind=kind,
        filters=filters,
        # What the layout's unit choice keeps: the period; another hall has other windows.
        query={k: v for k, v in filters.items() if k in ("from", "to", "month", "year")},
        long_columns=LONG_COLUMNS,
        page=table["offset"] // PAGE_SIZE + 1,
        pages=pages,
        windows=_windows(unit),
        people=_people(unit),
        **_common(viewer, unit, "registers"),
    )


def _windows(unit_code: str | None) -> list[int]:
    if not unit_code:
        return []
    return sorted(c.window for c in find_unit(unit_code).counters)


def _people(unit_code: str | None) -> list[tuple[str, str]]:
    if not unit_code:
        return []
    return sorted((s.login, s.name) for s in find_unit(unit_code).staff)


@bp.get("/registers/<kind>.<any(csv,xlsx):fmt>")
def registers_export(kind: str, fmt: str):
    """Download a register as CSV or XLSX: the same rows and columns as the page."""
    viewer = admin_staff()  # a stranger is sent to sign in before their query is read
    table = _register(kind, validated(RegisterQuery, request.args.to_dict()), export=True)
    record_export(viewer, kind, table, fmt, now())
    name = f"qhall-{kind}_{table['slug']}.{fmt}"
    if fmt == "csv":
        body, mime = register_csv(table), "text/csv; charset=utf-8"
    else:
        body, mime = register_xlsx(table), XLSX
    return Response(
        body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@api_bp.get("/admin/registers/<kind>")
@spec.validate(
    resp=answers(Record, *STAFF),
    operation_id="admin_register",
    path_parameter_descriptions=KIND,
    **ADMIN,
)
def admin_register(kind: str, query: RegisterQuery):
    """Return a page of a register (台账), one row per item: `columns` name the cells of
    each row in `rows`; `total` counts every row of the scope, `offset` and `shown` say which
    are here. Times are the hall's wall-clock time; visitors' names and phones are masked
    except for the unit's own manager."""
    table = _register(kind, query)
    record_export(admin_staff(), kind, table, "json", now())  # no page reads it: a program does
    return jsonify(table)
