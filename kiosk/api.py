"""The kiosk's and the visitor's phone's JSON routes: services and waits, taking and
withdrawing a ticket, following it, rating the visit from the phone, printing the ticket and
its picture as it prints."""

from __future__ import annotations

import io
from typing import Annotated, Literal

from flask import current_app, jsonify, request, send_file
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from kiosk import bp
from printer.config import KioskConfig
from printer.jobs import find_job, job_view
from printer.layout import FULL_WIDTH, png_bytes
from printer.ticket import print_ticket, ticket_image
from qhall import identity, queue, ratings
from qhall.auth import ticket_source
from qhall.clock import hall_day
from qhall.devices import shows_secret
from qhall.errors import (
    BadInput,
    Conflict,
    Forbidden,
    NotFound,
    RemoteTicketsClosed,
    TooManyTickets,
)
from qhall.limits import SlidingWindowLimit
from qhall.lookups import find_ticket, find_unit
from qhall.models import PRIORITY_CLASSES, RATING_LEVELS, TICKET_SOURCES
from qhall.shapes import services_view, visitor_view
from qhall.web.printing import printing, reprint_key, ticket_extras
from qhall.web.request import current_staff, now, publish_result, request_key, require_staff
from qhall.web.schema import (
    FROM_QUERY,
    NOT_A_BOOL,
    READ,
    STAFF,
    WRITE,
    Answer,
    Input,
    KeyedHeaders,
    KioskHeaders,
    Record,
    Services,
    Ticket,
    TicketResult,
    WaitEstimate,
    answers,
    spec,
)

PAPER_WIDTHS = (384, 576)


CARD_AT_KIOSKS_ONLY = (
    "身份证请在大厅的自助取号机上读取，谢谢。",
    "An ID card is read only at the hall's own kiosks. Thank you.",
)


class TicketRequest(Input):
    service: str
    priority: Literal[PRIORITY_CLASSES] | None = None  # type: ignore[valid-type]
    source: Literal[TICKET_SOURCES] | None = Field(  # type: ignore[valid-type]
        None, description="Checked, never trusted: the kiosk's token or the staff's session says where a ticket comes from."
    )  # fmt: skip
    id_number: str | None = Field(
        None,
        max_length=32,
        description="the ID card read at a registered kiosk (kiosk/id_card_bridge.py): "
        "hashed under the install's secret, never kept; one open ticket per person per "
        "service a day, and the elderly priority by age ([ID_CARD] ELDERLY_AGE)",
    )


class IssuedTicket(Ticket):
    token: str
    ahead: int
    estimated_wait_s: int | None = Field(description="null when no open window serves it")
    estimate: WaitEstimate | None = None
    unit: str = ""
    unit_name: str = ""
    time_limit_days: int = 0


class VisitorTicket(Ticket):
    ahead: int
    estimated_wait_s: int | None = Field(description="null when no open window serves it")
    estimate: WaitEstimate | None = None
    unit: str
    unit_name: str = ""
    unit_name_en: str = ""
    day: str = ""
    rated: bool = False
    # A phone's ticket is called once checked in at the hall (qhall.check_in).
    checked_in: bool = True
    check_in_code: str | None = Field(None, description="for checking in by number at a kiosk")
    turn_passed: bool = Field(False, description="its turn came while not checked in")


class RatingByPhone(Input):
    level: Annotated[Literal[RATING_LEVELS], NOT_A_BOOL] = Field(  # type: ignore[valid-type]
        description="5 非常满意 … 1 非常不满意 (the phone asks the overall level only)"
    )
    reasons: list[str] | SkipJsonSchema[None] = Field(
        None, description="codes of [RATING] REASONS: at least one for 2 and 1, none otherwise"
    )
    words: str | None = Field(None, description="the visitor's own words, optional")
    callback_phone: str | None = Field(
        None, description="a number to call the visitor back on, optional, for 2 and 1 only"
    )


class PrintRequest(Input):
    kiosk: str | None = Field(
        None, description="the kiosk asking: the ticket prints on its printer, once"
    )
    printer: str | None = Field(None, description="a reprint on this printer, by the staff")


class PrintJob(Answer):
    id: int
    printer: str
    kind: str = ""
    ref: str = ""
    status: Literal["pending", "printed", "expired", "dropped"]  # dropped: see last_error
    attempts: int
    last_error: str | None = None
    created_at: str = ""
    printed_at: str | None = None


class PrinterStatus(Answer):
    name: str
    status: str


class PrintQueued(Answer):
    job: PrintJob
    printer: PrinterStatus


class TicketPicture(Input):
    invalid = ("纸宽应为 384 或 576 点。", "The width must be 384 or 576 dots.")
    width: Annotated[Literal[PAPER_WIDTHS], FROM_QUERY] = Field(  # type: ignore[valid-type]
        FULL_WIDTH, description="dots across: 576 for 80 mm paper, 384 for 58 mm"
    )


@bp.get("/api/units/<unit>/services")
@spec.validate(resp=answers(Services, *READ), operation_id="list_services")
def services(unit: str):
    """List a hall's services with their queues and estimated waits."""
    return jsonify(services_view(find_unit(unit), now()))


@bp.post("/api/units/<unit>/tickets")
@spec.validate(
    resp=answers(IssuedTicket, *WRITE, 429, status=201, description="Issued", replayed=True),
    operation_id="issue_ticket",
)
def issue_ticket(unit: str, json: TicketRequest, headers: KioskHeaders):
    """Take a ticket for a service.

    A registered kiosk sends its X-Device-Token; staff of the hall their session. Any other
    request is a ticket from outside the hall: limited per client and per service and day
    (403 where the hall gives none online, 429 past the limit). An ID card's number comes
    from a registered kiosk only (403 from anyone else): see qhall.identity.
    """
    hall = find_unit(unit)
    kiosks = current_app.extensions["printing"].kiosks.values()
    source = ticket_source(
        hall,
        device_token=headers.device_token or "",
        kiosk_tokens=[k.token for k in kiosks if k.unit == hall.code],
        staff=current_staff(),
    )
    limits = current_app.config["TICKETS"]
    priority, person_key = json.priority, None
    if json.id_number is not None:
        if source != "kiosk":
            raise Forbidden(*CARD_AT_KIOSKS_ONLY)
        person_key, priority = identity.card_ticket(
            json.id_number,
            secret=current_app.config["SECRET_KEY"],
            day=hall_day(now(), hall),
            elderly_age=current_app.config["ID_CARD"]["ELDERLY_AGE"],
            priority=priority,
        )
    if source == "mobile":
        if not limits["REMOTE"]:
            raise RemoteTicketsClosed()
        # Priority goes ahead of everyone standing in the hall: it is given where someone
        # can see the visitor, at a kiosk or a window, and never claimed from a phone.
        if json.priority is not None:
            raise BadInput(
                "优先服务请在大厅取号机或窗口办理。",
                "Priority service is given at the hall's kiosk or at a window.",
                priority=json.priority,
            )
        if not remote_limit().allow(request.remote_addr or "", now()):
            raise TooManyTickets()
    outcome = queue.issue_ticket(
        unit,
        json.service,
        priority=priority,
        source=source,
        remote_daily_max=limits["REMOTE_DAILY_MAX"],
        remote_share=limits.get("REMOTE_SHARE"),
        now=now(),
        request_key=request_key(),
        person_key=person_key,
    )
    return publish_result(outcome, 200 if outcome.replayed else 201)


def remote_limit() -> SlidingWindowLimit:
    """Return this process's limit on tickets from outside the hall, per client address."""
    state = current_app.extensions["qhall"]
    if state.remote_limit is None:
        limits = current_app.config["TICKETS"]
        state.remote_limit = SlidingWindowLimit(
            limits["REMOTE_PER_CLIENT"], limits["REMOTE_WINDOW_S"]
        )
    return state.remote_limit


@bp.get("/api/tickets/<token>")
@spec.validate(resp=answers(VisitorTicket, *READ), operation_id="ticket_status")
def ticket(token: str):
    """Return a ticket as its holder follows it."""
    return jsonify(visitor_view(token))


@bp.post("/api/tickets/<token>/cancel")
@spec.validate(resp=answers(TicketResult, *WRITE), operation_id="cancel_ticket")
def cancel_ticket(token: str, headers: KeyedHeaders):
    """Withdraw a waiting ticket at its holder's request."""
    return publish_result(queue.cancel(token, now=now(), request_key=request_key()))


@bp.get("/api/tickets/<token>/rating")
@spec.validate(resp=answers(Record, *READ), operation_id="ticket_rating")
def ticket_rating(token: str):
    """Tell the visitor's phone whether the visit can be rated, and its rating if given."""
    return jsonify(ratings.ticket_rating(token))


@bp.post("/api/tickets/<token>/rating")
@spec.validate(
    resp=answers(Record, *WRITE, status=201, description="Rated", replayed=True),
    operation_id="rate_by_token",
)
def rate_by_token(token: str, json: RatingByPhone, headers: KeyedHeaders):
    """Record a rating from the visitor's phone for their visit, once it was served.

    The ticket's token is the visitor's; staff see it when they issue a ticket at the
    window, so a request with a staff session is refused: staff do not rate for visitors.
    """
    if current_staff() is not None:
        raise Forbidden(
            "工作人员不能代替群众评价，请由办事群众本人评价，谢谢。",
            "Staff may not rate on a visitor's behalf; the visitor rates for themselves.",
        )
    outcome = ratings.rate_by_token(
        token,
        level=json.level,
        reasons=json.reasons or [],
        words=json.words or "",
        callback_phone=json.callback_phone or "",
        now=now(),
        rectification_days=current_app.config["COUNTER"]["RECTIFICATION_DAYS"],
        questions=ratings.question_set(current_app.config),
        request_key=request_key(),
    )
    return publish_result(outcome, 200 if outcome.replayed else 201)


@bp.post("/api/tickets/<token>/print")
@spec.validate(
    resp=answers(PrintQueued, *STAFF, status=202, description="Queued for the printer"),
    operation_id="print_ticket",
)
def print_ticket_route(token: str, json: PrintRequest, headers: KioskHeaders):
    """Print a ticket on a kiosk's printer once, or (staff) reprint it on a named printer.

    A kiosk prints the tickets it issued: it sends its X-Device-Token, and the ticket must
    be a kiosk's ticket of its hall. Staff of the hall may print on its kiosks too. Anyone
    else prints nothing.
    """
    kiosk_name, printer_name = json.kiosk, json.printer
    setup = printing()
    if printer_name is not None:  # a reprint from a window: staff only
        printer = setup.printers.get(printer_name)
        if printer is None or not printer.prints:
            raise NotFound("没有找到该打印机。", "No such printer.", printer=printer_name)
        require_staff(find_unit(printer.unit))
        kind, key = "reprint", reprint_key(request_key())
    elif kiosk_name is not None:
        kiosk = setup.kiosks.get(kiosk_name)
        if kiosk is None:
            raise NotFound("没有找到该自助机。", "No such kiosk.", kiosk=kiosk_name)
        if not is_kiosk(kiosk, headers.device_token):
            require_staff(find_unit(kiosk.unit))
        elif find_ticket(token).source != "kiosk":
            raise Forbidden(
                "自助机只打印本机取的号票。", "A kiosk prints only the tickets it issued."
            )
        printer = setup.printer_of(kiosk)
        if printer is None:
            raise Conflict("本机没有可用的打印机。", "This kiosk has no printer.", kiosk=kiosk_name)
        # A ticket comes out of its kiosk once, however often the kiosk asks; more copies
        # are reprints by the staff.
        kind, key = "ticket", f"kiosk-print:{token}"
    else:
        raise BadInput("请指定自助机或打印机。", "Name the kiosk or the printer.")
    result = print_ticket(
        token, printer, kind=kind, now=now(), request_key=key, **ticket_extras(token)
    )
    return jsonify(result), 202


def is_kiosk(kiosk: KioskConfig, device_token: str | None) -> bool:
    """Tell whether a request shows this registered kiosk's secret."""
    return shows_secret(kiosk.token, device_token)


@bp.get("/api/print-jobs/<int:job_id>")
@spec.validate(resp=answers(PrintJob, *STAFF), operation_id="print_job")
def print_job(job_id: int, headers: KioskHeaders):
    """Return a print job: pending, printed or expired, and its tries.

    For the kiosk whose printer it is on (its X-Device-Token) and for staff of the hall.
    """
    kiosk = next((k for k in printing().kiosks.values() if is_kiosk(k, headers.device_token)), None)
    if kiosk is None:
        require_staff()  # a stranger learns nothing, not even which jobs there are
    job = find_job(job_id)
    if job is None:
        raise NotFound("没有找到该打印任务。", "No such print job.")
    if kiosk is None or kiosk.printer != job.printer:
        require_staff(job.unit)
    return jsonify(job_view(job))


@bp.get("/api/tickets/<token>/ticket.png")
@spec.validate(
    resp=answers(None, *READ, description="A 1-bit PNG", file="image/png"),
    operation_id="ticket_png",
)
def ticket_png(token: str, query: TicketPicture):
    """Return the ticket's picture exactly as it prints (?width=384 for 58 mm paper)."""
    image = ticket_image(token, width=query.width, **ticket_extras(token))
    response = send_file(io.BytesIO(png_bytes(image)), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"  # people ahead and the wait change
    return response
