"""Print jobs and printer status in the database: the rules of the print queue.

Each public function that writes is one unit of work (db.unit_of_work) and takes
`now`; those that change what the staff must see return an Outcome whose events are
published after the commit. No printer I/O happens here: the spooler talks to the
printer between these transactions.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from qhall import events as ev
from qhall.clock import iso
from qhall.db import unit_of_work
from qhall.events import Outcome
from qhall.lookups import find_unit
from qhall.models import PRINTER_STATES, PrinterState, PrintJob
from qhall.shapes import printer_view


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
