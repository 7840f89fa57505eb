"""Print jobs and printer status in the database: the rules of the print queue.

A job ends printed, expired (left too long), or dropped: a ticket whose visitor no longer
waits, or asked for too long ago (why_not_print); the reason is kept in last_error.

Each public function that writes is one unit of work (db.unit_of_work) and takes
`now`; those that change what the staff must see return an Outcome whose events are
published after the commit. No printer I/O happens here: the spooler talks to the
printer between these transactions.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from qhall import events as ev
from qhall.clock import iso
from qhall.db import unit_of_work
from qhall.events import Outcome
from qhall.lookups import find_unit
from qhall.models import PRINTER_STATES, PrinterState, PrintJob, Ticket
from qhall.shapes import printer_view
from qhall.words import word

# The pages that stand for a visitor's place in line, and the ticket states in which the
# visitor can still use one: a kiosk ticket only while they wait (once called, a slip saying
# "2 ahead" misleads whoever picks it up); a reprint asked for at a window while the visit
# goes on. Case receipts and notices matter whenever they come out: no rule for them.
TICKET_PAGES = {"ticket": ("waiting",), "reprint": ("waiting", "called", "serving")}


def add_job(
    printer: str,
    png: bytes,
    *,
    kind: str,
    ref: str,
    unit_code: str,
    now: datetime,
    request_key: str | None = None,
) -> int:
    """Queue a page for a printer and return the job's id; a repeated key queues nothing."""
    # The key is kept on the job itself, so the job's id answers a repeat.
    with unit_of_work():
        if request_key is not None:
            done = PrintJob.get_or_none(PrintJob.request_key == request_key)
            if done is not None:
                return done.id
        job = PrintJob.create(
            printer=printer,
            unit=find_unit(unit_code),
            kind=kind,
            ref=ref,
            image=png,
            next_try_at=now,
            created_at=now,
            request_key=request_key,
        )
        return job.id


def head_job(printer: str) -> PrintJob | None:
    """Return the printer's oldest unprinted job: jobs print in the order they came."""
    return (
        PrintJob.select()
        .where(PrintJob.printer == printer, PrintJob.status == "pending")
        .order_by(PrintJob.id)
        .first()
    )


def mark_printed(job_id: int, now: datetime) -> None:
    """Record that a job has printed, so that it is never sent again."""
    with unit_of_work():
        PrintJob.update(status="printed", printed_at=now).where(PrintJob.id == job_id).execute()


def mark_expired(job_id: int, now: datetime) -> None:
    """Give up on a job that waited so long its page would only confuse whoever finds it."""
    with unit_of_work():
        PrintJob.update(status="expired", last_error="expired").where(
            PrintJob.id == job_id
        ).execute()


def mark_dropped(job_id: int, reason: str, now: datetime) -> None:
    """Give up on a ticket nobody can use any more; the reason stays on the job."""
    with unit_of_work():
        PrintJob.update(status="dropped", last_error=reason[:250]).where(
            PrintJob.id == job_id
        ).execute()


def job_ticket(job: PrintJob) -> Ticket | None:
    """Return the ticket a ticket page is of (its ref: "2026-11-26/A001"), or None."""
    day, _, number = job.ref.partition("/")
    try:
        return Ticket.get_or_none(
            Ticket.unit == job.unit_id,
            Ticket.day == date.fromisoformat(day),
            Ticket.number == number,
        )
    except ValueError:
        return None


def why_not_print(job: PrintJob, now: datetime, longest_s: float) -> str | None:
    """Return why a ticket page must not print now (in both languages, as the staff read
    it on the job), or None if it may; any other page may.

    A ticket is worth its paper only to a visitor still in line, and only soon after it was
    asked for: one who left with the QR code must not find a stale slip in the tray.
    """
    wanted = TICKET_PAGES.get(job.kind)
    if wanted is None:
        return None
    late = int((now - job.created_at).total_seconds())
    if longest_s and late > longest_s:
        return f"号票已过时效（{late // 60} 分钟前取号），未打印 / Too late to print: asked for {late // 60} min ago"
    ticket = job_ticket(job)
    if ticket is None:
        return "号票已不存在，未打印 / The ticket no longer exists"
    if ticket.status not in wanted:
        zh, en = word("ticket", ticket.status)
        return f"来访人已不在等候（{zh}），未打印 / The visitor no longer waits ({en})"
    return None


def mark_failed(job_id: int, error: str, now: datetime, retry_at: datetime) -> Outcome:
    """Record a failed attempt and when to try again; the first failure alerts the staff."""
    with unit_of_work() as uow:
        job = PrintJob.get_by_id(job_id)
        job.attempts += 1
        job.last_error = error[:250]
        job.next_try_at = retry_at
        job.save()
        if job.attempts == 1:
            ev.record(job.unit, ev.PRINT_FAILED, now, print_job=job_view(job))
        return uow.finish(job_view(job))


def set_status(printer: str, unit_code: str, status: str, now: datetime) -> Outcome:
    """Record the printer's status; a change is an event for the staff and the screens."""
    if status not in PRINTER_STATES:
        raise ValueError(f"unknown printer status {status!r}")
    with unit_of_work() as uow:
        unit = find_unit(unit_code)
        state = PrinterState.get_or_none(PrinterState.name == printer)
        if state is None:
            state = PrinterState.create(name=printer, unit=unit, status="unknown", since=now)
        previous = state.status
        if previous != status or state.unit_id != unit.id:
            state.status, state.since, state.unit = status, now, unit
            state.save()
            ev.record(
                unit,
                ev.PRINTER_STATUS_CHANGED,
                now,
                printer=printer_view(state),
                previous=previous,
            )
        return uow.finish(printer_view(state))


def backoff(attempts: int, longest_s: float) -> timedelta:
    """Return the pause before the next try: 1, 2, 4 … seconds, at most longest_s."""
    return timedelta(seconds=min(longest_s, 2 ** max(0, attempts - 1)))


def job_view(job: PrintJob) -> dict:
    """Return a job as the kiosk and the staff see it (never the image)."""
    return {
        "id": job.id,
        "printer": job.printer,
        "kind": job.kind,
        "ref": job.ref,
        "status": job.status,
        "attempts": job.attempts,
        "last_error": job.last_error,
        "created_at": iso(job.created_at),
        "printed_at": iso(job.printed_at),
    }


def find_job(job_id: int) -> PrintJob | None:
    """Return the job with this id, or None."""
    return PrintJob.get_or_none(PrintJob.id == job_id)
