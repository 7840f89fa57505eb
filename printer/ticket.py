"""A visitor's ticket as it is printed: what the hall knows of it, laid out on paper."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PIL import Image

from printer.config import PrinterConfig
from printer.jobs import find_job, job_view
from printer.layout import TicketContent, render_ticket
from printer.spooler import enqueue
from qhall.clock import local
from qhall.errors import Conflict
from qhall.lookups import find_ticket
from qhall.models import PrinterState, Ticket
from qhall.profiles import profile_of
from qhall.shapes import visitor_view

# The priority classes (qhall.models.PRIORITY_CLASSES) as the kiosk and the ticket name them.
PRIORITY_LABELS = {
    "elderly": ("老年人", "Elderly"),
    "disabled": ("残疾人", "People with disabilities"),
    "military": ("军人及军属", "Military personnel and families"),
    "pregnant": ("孕妇及携婴幼儿家长", "Pregnant, or with an infant"),
    "appointment": ("预约", "Appointment"),
}
DEFAULT_CIVILITY = ("文明服务 群众满意", "Courteous service, satisfied public")


def ticket_ref(ticket: Ticket) -> str:
    """Return how a print job names a ticket: its day and number, never its token."""
    return f"{ticket.day.isoformat()}/{ticket.number}"


def ticket_content(
    token: str, *, qr_url: str, civility_lines: Sequence[Sequence[str]] = ()
) -> TicketContent:
    """Return what the ticket with this token says on paper, as of now."""
    ticket = find_ticket(token)
    view = visitor_view(token)
    lines = [tuple(line) for line in civility_lines] or [DEFAULT_CIVILITY]
    profile = profile_of(ticket.unit)
    return TicketContent(
        unit_name=ticket.unit.name_zh,
        unit_name_en=ticket.unit.name_en,
        service_name=ticket.service.name_zh,
        service_name_en=ticket.service.name_en,
        number=ticket.number,
        ahead=view["ahead"],
        estimated_wait_s=view["estimated_wait_s"],
        issued_local=local(ticket.issued_at, ticket.unit.timezone),
        qr_url=qr_url,
        time_limit_days=ticket.service.time_limit_days,
        # The campaign lines take turns, one per ticket, where the unit's profile has them.
        civility=lines[ticket.id % len(lines)] if profile.campaign_lines else None,
        priority=PRIORITY_LABELS.get(ticket.priority) if ticket.priority else None,
        closing=profile.ticket_closing,
    )


def ticket_image(
    token: str, *, width: int, qr_url: str, civility_lines: Sequence[Sequence[str]] = ()
) -> Image.Image:
    """Return the ticket with this token drawn for paper `width` dots wide."""
    return render_ticket(ticket_content(token, qr_url=qr_url, civility_lines=civility_lines), width)


def print_ticket(
    token: str,
    printer: PrinterConfig,
    *,
    kind: str,
    qr_url: str,
    civility_lines: Sequence[Sequence[str]],
    now: datetime,
    request_key: str,
) -> dict:
    """Draw the ticket and queue it on one of its hall's printers; return the job and the
    printer's last known status. Call only after the ticket's own transaction."""
    ticket = find_ticket(token)
    if ticket.unit.code != printer.unit:
        raise Conflict(
            "该号票不属于本服务大厅，无法在此打印。",
            "This ticket belongs to another hall and cannot be printed here.",
        )
    image = ticket_image(token, width=printer.width, qr_url=qr_url, civility_lines=civility_lines)
    job_id = enqueue(
        printer.name,
        image,
        kind=kind,
        ref=ticket_ref(ticket),
        unit_code=printer.unit,
        now=now,
        request_key=request_key,
        # Drawn again when it prints, with the figures of that moment (printer.spooler).
        redraw={
            "token": token,
            "qr_url": qr_url,
            "civility_lines": [list(c) for c in civility_lines],
        },
    )
    state = PrinterState.get_or_none(PrinterState.name == printer.name)
    return {
        "job": job_view(find_job(job_id)),
        "printer": {"name": printer.name, "status": state.status if state else "unknown"},
    }
