"""The window client's JSON routes for its matters: first inquiries (首问负责制) and
time-limited cases (限时办结), with their receipts and notices on the window's printer.

The matter a command acts on (an inquiry's id, a case's number) travels in the JSON body,
so every path names only the hall (and the window)."""

from __future__ import annotations

import logging

from flask import current_app, jsonify
from pydantic import Field

from counter import bp
from counter.api import HALL_STAFF, hall_staff
from printer.printouts import FULL_WIDTH, queue_printout
from qhall import cases, inquiries
from qhall.web.printing import case_lookup_url, printing
from qhall.web.request import now, publish_result, request_key
from qhall.web.schema import STAFF, Input, Int32, KeyedHeaders, Name, Record, answers, spec

log = logging.getLogger(__name__)


def settings() -> dict:
    """Return the counter's settings ([COUNTER] in config/default.toml)."""
    return current_app.config["COUNTER"]


# --- what the window sends -------------------------------------------------------------
# Optional text may be absent or null: both read as "". The core checks lengths, phone
# numbers, quantities and the rest, in its own words.


class Material(Input):
    name: Name
    quantity: Int32 = 1


class NewInquiry(Input):
    matter: str
    visitor_name: Name | None = None
    visitor_phone: str | None = None
    organisation: Name | None = None
    materials: list[Material] | None = None
    service: str | None = None
    window: Int32 | None = Field(None, description="the window: its visitor in hand is served")


class InquiryRef(Input):
    inquiry: Int32


class Referral(InquiryRef):
    to_unit: str | None = None
    to_service: str | None = None
    to_window: Int32 | None = None
    to_staff: str | None = Field(None, description="a staff login")
    note: str | None = None


class Resolution(InquiryRef):
    outcome: str


class HandBack(InquiryRef):
    note: str | None = None


class CaseQuery(Input):
    number: str | None = Field(None, description="one case, by its number")


class NewCase(Input):
    service: str
    matter: str
    materials: list[Material] | None = None
    visitor_name: Name | None = None
    visitor_phone: str | None = None
    window: Int32 | None = None
    inquiry: Int32 | None = None
    tasks: list[Name] | None = Field(None, description="departments with a parallel task")


class CaseRef(Input):
    number: str


class Suspension(CaseRef):
    missing: list[Material]
    window: Int32 | None = None


class ExtensionRequest(CaseRef):
    days: Int32
    reason: str


class ExtensionDecision(CaseRef):
    approve: bool
    note: str | None = None


class TaskDone(CaseRef):
    task: Int32
    note: str | None = None


class Completion(CaseRef):
    result: str
    decision: str = Field("granted", description='"granted" or "refused"')
    window: Int32 | None = None


class Decision(CaseRef):
    decision: str = Field(description='"granted" or "refused"')
    reason: str | None = Field(None, description="required for a refusal; else the outcome")
    window: Int32 | None = Field(None, description="the window whose printer prints the notice")


def _materials(items: list[Material] | None) -> list[dict]:
    return [item.model_dump() for item in items or []]


# --- first inquiries -----------------------------------------------------------------


@bp.get("/api/units/<unit>/inquiries")
@spec.validate(resp=answers(Record, *STAFF), operation_id="list_inquiries", **HALL_STAFF)
def open_inquiries(unit: str):
    """List the signed-in staff member's open matters and those referred to them."""
    return jsonify(inquiries.inquiry_lists(unit, hall_staff(unit)))


@bp.post("/api/units/<unit>/inquiries")
@spec.validate(
    resp=answers(Record, *STAFF, status=201, description="Registered", replayed=True),
    operation_id="register_inquiry",
    **HALL_STAFF,
)
def register_inquiry(unit: str, json: NewInquiry, headers: KeyedHeaders):
    """Register a matter received first (首问负责制)."""
    staff = hall_staff(unit)
    outcome = inquiries.register_inquiry(
        unit,
        staff_id=staff.id,
        matter=json.matter,
        visitor_name=json.visitor_name or "",
        visitor_phone=json.visitor_phone or "",
        organisation=json.organisation or "",
        materials=_materials(json.materials),
        service_code=json.service,
        window=json.window,
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome, 200 if outcome.replayed else 201)


@bp.post("/api/units/<unit>/inquiries/refer")
@spec.validate(resp=answers(Record, *STAFF), operation_id="refer_inquiry", **HALL_STAFF)
def refer_inquiry(unit: str, json: Referral, headers: KeyedHeaders):
    """Refer a matter to another service, window, unit or named staff member; its owner
    keeps it, and the visitor in hand goes into the referee's line when it is open."""
    staff = hall_staff(unit)
    outcome = inquiries.refer_inquiry(
        unit,
        json.inquiry,
        staff_id=staff.id,
        to_unit=json.to_unit,
        to_service=json.to_service,
        to_window=json.to_window,
        to_staff=json.to_staff,
        note=json.note or "",
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/inquiries/visit")
@spec.validate(resp=answers(Record, *STAFF), operation_id="inquiry_visit", **HALL_STAFF)
def inquiry_visit(unit: str, json: InquiryRef, headers: KeyedHeaders):
    """Count one more visit the visitor made for a matter."""
    staff = hall_staff(unit)
    outcome = inquiries.record_visit(
        unit, json.inquiry, staff_id=staff.id, now=now(), request_key=request_key()
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/inquiries/hand-back")
@spec.validate(resp=answers(Record, *STAFF), operation_id="hand_back_inquiry", **HALL_STAFF)
def hand_back_inquiry(unit: str, json: HandBack, headers: KeyedHeaders):
    """Hand a matter referred to the signed-in staff member back to its owner."""
    staff = hall_staff(unit)
    outcome = inquiries.hand_back_inquiry(
        unit,
        json.inquiry,
        staff_id=staff.id,
        note=json.note or "",
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/inquiries/resolve")
@spec.validate(resp=answers(Record, *STAFF), operation_id="resolve_inquiry", **HALL_STAFF)
def resolve_inquiry(unit: str, json: Resolution, headers: KeyedHeaders):
    """Record a matter's outcome (its owner, a manager, or whoever it is referred to now)."""
    staff = hall_staff(unit)
    outcome = inquiries.resolve_inquiry(
        unit,
        json.inquiry,
        staff_id=staff.id,
        outcome=json.outcome,
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


# --- cases ---------------------------------------------------------------------------


@bp.get("/api/units/<unit>/cases")
@spec.validate(resp=answers(Record, *STAFF), operation_id="list_cases", **HALL_STAFF)
def case_lists(unit: str, query: CaseQuery):
    """List running cases by urgency (overdue, due today, warning, running, stopped), or
    one case with ?number=."""
    staff = hall_staff(unit)
    if query.number:
        return jsonify(cases.find_case(unit, query.number, staff, now()))
    warn_days = settings()["CASE_WARNING_DAYS"]
    return jsonify(cases.case_lists(unit, staff, now=now(), warn_days=warn_days))


@bp.post("/api/units/<unit>/cases")
@spec.validate(
    resp=answers(Record, *STAFF, status=201, description="Accepted", replayed=True),
    operation_id="accept_case",
    **HALL_STAFF,
)
def accept_case(unit: str, json: NewCase, headers: KeyedHeaders):
    """Accept a promised matter as a case and print its receipt at the window."""
    staff = hall_staff(unit)
    outcome = cases.accept_case(
        unit,
        json.service,
        staff_id=staff.id,
        matter=json.matter,
        materials=_materials(json.materials),
        visitor_name=json.visitor_name or "",
        visitor_phone=json.visitor_phone or "",
        window=json.window,
        inquiry_id=json.inquiry,
        tasks=json.tasks or [],
        now=now(),
        request_key=request_key(),
    )
    outcome.result["print_job"] = _print(outcome.result, "receipt")
    return publish_result(outcome, 200 if outcome.replayed else 201)


@bp.post("/api/units/<unit>/cases/suspend")
@spec.validate(resp=answers(Record, *STAFF), operation_id="suspend_case", **HALL_STAFF)
def suspend_case(unit: str, json: Suspension, headers: KeyedHeaders):
    """Stop a case's clock for missing materials (补正) and print the notice."""
    staff = hall_staff(unit)
    outcome = cases.suspend_case(
        unit,
        json.number,
        staff_id=staff.id,
        missing=_materials(json.missing),
        window=json.window,
        now=now(),
        request_key=request_key(),
    )
    outcome.result["print_job"] = _print(outcome.result, "notice")
    return publish_result(outcome)


def _print(result: dict, what: str) -> int | None:
    """Queue the receipt or notice on the window's printer, after the commit. The case
    stands whether or not the printer's queue takes it: staff can see print_job is null."""
    printer = result.get("printer")
    if not printer:
        return None
    known = printing().printers.get(printer)
    try:
        return queue_printout(
            printer,
            # The paper says where the applicant follows the case (凭回执查询办理进度).
            {**result[what], "lookup_url": case_lookup_url(result[what]["number"])},
            contact_phone=settings()["CASE_CONTACT_PHONE"],
            width=known.width if known else FULL_WIDTH,
            now=now(),
            request_key=request_key(),
        )
    except Exception:  # the commit is done; a print failure must not hide it
        log.exception("could not queue the %s of case %s", what, result[what]["number"])
        return None


@bp.post("/api/units/<unit>/cases/resume")
@spec.validate(resp=answers(Record, *STAFF), operation_id="resume_case", **HALL_STAFF)
def resume_case(unit: str, json: CaseRef, headers: KeyedHeaders):
    """Restart a case's clock: the missing materials have come."""
    staff = hall_staff(unit)
    outcome = cases.resume_case(
        unit, json.number, staff_id=staff.id, now=now(), request_key=request_key()
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/cases/extension")
@spec.validate(resp=answers(Record, *STAFF), operation_id="request_extension", **HALL_STAFF)
def request_extension(unit: str, json: ExtensionRequest, headers: KeyedHeaders):
    """Ask a manager to extend a case by some working days, with a reason."""
    staff = hall_staff(unit)
    outcome = cases.request_extension(
        unit,
        json.number,
        staff_id=staff.id,
        days=json.days,
        reason=json.reason,
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/cases/extension-decision")
@spec.validate(resp=answers(Record, *STAFF), operation_id="decide_extension", **HALL_STAFF)
def decide_extension(unit: str, json: ExtensionDecision, headers: KeyedHeaders):
    """Approve or refuse a case's pending extension (managers only)."""
    staff = hall_staff(unit)
    outcome = cases.decide_extension(
        unit,
        json.number,
        staff_id=staff.id,
        approve=json.approve,
        note=json.note or "",
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/cases/task-done")
@spec.validate(resp=answers(Record, *STAFF), operation_id="finish_case_task", **HALL_STAFF)
def finish_task(unit: str, json: TaskDone, headers: KeyedHeaders):
    """Record one department's parallel task done."""
    staff = hall_staff(unit)
    outcome = cases.finish_task(
        unit,
        json.number,
        json.task,
        staff_id=staff.id,
        note=json.note or "",
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/units/<unit>/cases/complete")
@spec.validate(resp=answers(Record, *STAFF), operation_id="complete_case", **HALL_STAFF)
def complete_case(unit: str, json: Completion, headers: KeyedHeaders):
    """Complete a case (办结) with its result and decision (granted unless refused), and
    print the decision notice at the window."""
    staff = hall_staff(unit)
    outcome = cases.complete_case(
        unit,
        json.number,
        staff_id=staff.id,
        result=json.result,
        decision=json.decision,
        window=json.window,
        now=now(),
        request_key=request_key(),
    )
    outcome.result["print_job"] = _print(outcome.result, "decision_notice")
    return publish_result(outcome)


@bp.post("/api/units/<unit>/cases/decide")
@spec.validate(resp=answers(Record, *STAFF), operation_id="decide_case", **HALL_STAFF)
def decide_case(unit: str, json: Decision, headers: KeyedHeaders):
    """Decide a case whose parallel tasks are all done: granted, or refused with the reason;
    it completes and the decision notice (办理结果告知书) prints at the window."""
    staff = hall_staff(unit)
    outcome = cases.decide_case(
        unit,
        json.number,
        staff_id=staff.id,
        decision=json.decision,
        reason=json.reason or "",
        window=json.window,
        now=now(),
        request_key=request_key(),
    )
    outcome.result["print_job"] = _print(outcome.result, "decision_notice")
    return publish_result(outcome)


@bp.post("/api/units/<unit>/cases/check-deadlines")
@spec.validate(resp=answers(Record, *STAFF), operation_id="check_deadlines", **HALL_STAFF)
def check_deadlines(unit: str, headers: KeyedHeaders):
    """Warn of cases near their deadline and escalate overdue ones (each once)."""
    hall_staff(unit)
    warn_days = settings()["CASE_WARNING_DAYS"]
    return publish_result(
        cases.check_deadlines(unit, now=now(), warn_days=warn_days, request_key=request_key())
    )
