"""The print spooler: one queue per printer, kept in the database, printed in order.

A page is queued with enqueue() in its own transaction (no printer I/O there) and the
printer's worker is woken. The worker sends the oldest unprinted job; on failure it keeps
the job at the head of the queue and tries again after 1, 2, 4 … seconds (at most
PRINT_RETRY_MAX_S); after success the job is marked printed and never sent again. While
idle it asks the printer for its status (DLE EOT) every PRINTER_POLL_S seconds, and a
change of status is published to the hall as a `printer.status_changed` event.

With several server processes, a lease per printer (qhall.leases) lets one of them print.
A job whose page went out but whose "printed" mark was lost (the process died between
the two) prints again on restart: a second ticket is better than none.

A ticket is drawn again when it prints, with the figures of that moment (people ahead, the
estimate), from the recipe kept beside its first drawing; and it prints only while its
visitor still waits and within TICKET_PRINT_LATE_S of being asked for, else the job is
dropped with the reason (printer.jobs.why_not_print). Receipts and notices print whenever.
"""

from __future__ import annotations

import atexit
import io
import json
import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from printer import jobs, transport
from printer.config import KioskConfig, PrinterConfig, load_kiosks, load_printers
from printer.layout import png_bytes
from qhall import leases
from qhall.db import db
from qhall.events import Outcome

log = logging.getLogger(__name__)

# How long a printer stays with the process printing on it without word from it: the
# longest a restarted server waits to print if the last one died without letting go.
LEASE_S = 10
# Wakes a printer's worker in this process when a job is queued for it.
_wakeups: dict[str, threading.Event] = {}
# Where a page's recipe is kept in its PNG: the keyword arguments that draw it again.
RECIPE = "qhall-redraw"


def enqueue(
    printer_name: str,
    image: Image.Image,
    *,
    kind: str,
    ref: str,
    unit_code: str,
    now: datetime,
    request_key: str | None = None,
    redraw: dict | None = None,
) -> int:
    """Store a page for a printer (its own transaction, no printer I/O) and return the job's
    id; the printer's worker prints it in turn. A ticket passes `redraw`, the keyword
    arguments of printer.ticket.ticket_image but the width, to be drawn afresh when it prints."""
    job_id = jobs.add_job(
        printer_name,
        _png(image, redraw),
        kind=kind,
        ref=ref,
        unit_code=unit_code,
        now=now,
        request_key=request_key,
    )
    wake(printer_name)
    return job_id


def _png(image: Image.Image, redraw: dict | None) -> bytes:
    """Return the page as PNG bytes, its recipe (if any) in a text chunk of the same PNG:
    the job keeps both in its one image column."""
    if redraw is None:
        return png_bytes(image)
    info = PngInfo()
    info.add_text(RECIPE, json.dumps(redraw, ensure_ascii=False))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True, pnginfo=info)
    return buffer.getvalue()


def page_of(job, width: int) -> Image.Image:
    """Return the page to print for a job: a ticket drawn again as of now from its recipe,
    any other page as it was drawn when queued."""
    image = Image.open(io.BytesIO(job.image))
    recipe = getattr(image, "text", {}).get(RECIPE)
    if recipe is None:
        return image
    from printer.ticket import ticket_image  # printer.ticket queues through this module

    return ticket_image(**json.loads(recipe), width=width)


def wake(printer_name: str) -> None:
    """Tell the printer's worker in this process that there is work."""
    event = _wakeups.get(printer_name)
    if event is not None:
        event.set()


class Spooler:
    """The workers of a set of printers: send jobs, retry, watch the printers' status."""

    def __init__(
        self,
        printers: Mapping[str, PrinterConfig],
        *,
        clock,
        publish: Callable[[Outcome], object],
        poll_s: float = 15,
        retry_max_s: float = 60,
        expire_s: float = 0,
        ticket_late_s: float = 0,
        holder: str = leases.PROCESS_ID,
    ) -> None:
        self.printers = {name: p for name, p in printers.items() if p.prints}
        self.clock = clock
        self.publish = publish
        self.poll_s = poll_s
        self.retry_max_s = retry_max_s
        self.expire_s = expire_s
        self.ticket_late_s = ticket_late_s
        self.holder = holder
        self._known: dict[str, str] = {}  # last status recorded, to write only changes
        self._next_poll: dict[str, datetime] = {}
        self._stopping = threading.Event()
        self._tasks: list = []

    def run_once(self, name: str) -> float:
        """Do the printer's next piece of work; return how many seconds until the next."""
        printer = self.printers[name]
        now = self.clock.now()
        if not leases.hold(f"spooler:{name}", now, seconds=LEASE_S, holder=self.holder):
            return LEASE_S / 2  # another process prints here; look again later
        job = jobs.head_job(name)
        due = job is not None and job.next_try_at <= now
        if not due and now >= self._next_poll.get(name, now):
            status = transport.query_status(printer)
            self._note(printer, status, now)
            self._next_poll[name] = now + timedelta(seconds=self.poll_s)
            # A printer back in order prints what waits at once, not after the backoff.
            due = job is not None and status not in transport.NOT_READY
        if due:
            if self.expire_s and now - job.created_at > timedelta(seconds=self.expire_s):
                jobs.mark_expired(job.id, now)
                return 0
            reason = jobs.why_not_print(job, now, self.ticket_late_s)
            if reason is not None:
                log.info("print job %s on %s dropped: %s", job.id, name, reason)
                jobs.mark_dropped(job.id, reason, now)
                return 0
            return 0 if self._print(printer, job, now) else self._until(job.next_try_at)
        waits = [self._until(self._next_poll[name])]
        if job is not None:
            waits.append(self._until(job.next_try_at))
        return min(waits)

    def _print(self, printer: PrinterConfig, job, now: datetime) -> bool:
        data = transport.page_bytes(page_of(job, printer.width), printer)
        try:
            status = transport.send(printer, data)
        except transport.PrinterUnavailable as error:
            log.warning("print job %s on %s failed: %s", job.id, printer.name, error)
            self._note(printer, error.status, now)
            retry_at = now + jobs.backoff(job.attempts + 1, self.retry_max_s)
            self.publish(jobs.mark_failed(job.id, str(error), now, retry_at))
            return False
        jobs.mark_printed(job.id, self.clock.now())
        self._note(printer, status, now)
        return True

    def _note(self, printer: PrinterConfig, status: str, now: datetime) -> None:
        if self._known.get(printer.name) != status:
            self.publish(jobs.set_status(printer.name, printer.unit, status, now))
            self._known[printer.name] = status

    def _until(self, moment: datetime) -> float:
        return max(0.0, (moment - self.clock.now()).total_seconds())

    def _work(self, name: str, app) -> None:
        wakeup = _wakeups.setdefault(name, threading.Event())
        while not self._stopping.is_set():
            try:
                with app.app_context(), db.connection_context():
                    delay = self.run_once(name)
            except Exception:
                log.exception("print spooler for %s failed; trying again", name)
                delay = 5
            if delay > 0:
                wakeup.wait(min(delay, LEASE_S / 3))  # renew the lease in time
                wakeup.clear()

    def start(self, app, start_task: Callable) -> None:
        """Start one worker per printer with start_task (socketio.start_background_task)."""
        self._stopping.clear()
        for name in self.printers:
            self._tasks.append(start_task(self._work, name, app))
        # A server that stops cleanly hands its printers over at once; one that dies
        # leaves them to the next after LEASE_S.
        atexit.register(self.release)

    def stop(self) -> None:
        """Stop the workers after their current step, and let the printers go."""
        self._stopping.set()
        atexit.unregister(self.release)  # stopped here: nothing is left to hand over at exit
        for name in self.printers:
            wake(name)
        for task in self._tasks:
            task.join(timeout=10)
        self._tasks.clear()
        self.release()

    def release(self) -> None:
        """Give up this process's hold on its printers."""
        try:
            with db.connection_context():
                for name in self.printers:
                    leases.release(f"spooler:{name}", holder=self.holder)
        except Exception:  # shutting down: the leases run out by themselves
            log.exception("could not release the printers' leases")


class PrintSetup:
    """What the application knows about printing: the printers, the kiosks, the spooler."""

    def __init__(self, printers: dict[str, PrinterConfig], kiosks: dict[str, KioskConfig]):
        self.printers = printers
        self.kiosks = kiosks
        self.spooler: Spooler | None = None
        self._lock = threading.Lock()

    def kiosk(self, unit_code: str, name: str | None) -> KioskConfig | None:
        """Return the kiosk called name, or the hall's first kiosk if no name is given."""
        if name:
            kiosk = self.kiosks.get(name)
            return kiosk if kiosk is not None and kiosk.unit == unit_code else None
        return next((k for k in self.kiosks.values() if k.unit == unit_code), None)

    def printer_of(self, kiosk: KioskConfig | None) -> PrinterConfig | None:
        """Return the printer a kiosk prints on, if it has one that prints."""
        printer = self.printers.get(kiosk.printer) if kiosk and kiosk.printer else None
        return printer if printer is not None and printer.prints else None

    @classmethod
    def from_settings(cls, settings, instance_path: Path) -> PrintSetup:
        """Read the printers and kiosks from the application's settings."""
        return cls(load_printers(settings, instance_path), load_kiosks(settings))

    def make_spooler(self, app, publish) -> Spooler:
        """Return a spooler for these printers that publishes through publish."""
        return Spooler(
            self.printers,
            clock=app.extensions["qhall"].clock,
            publish=publish,
            poll_s=app.config["PRINTER_POLL_S"],
            retry_max_s=app.config["PRINT_RETRY_MAX_S"],
            expire_s=app.config["PRINT_JOB_EXPIRE_S"],
            ticket_late_s=app.config["TICKET_PRINT_LATE_S"],
        )

    def start_spooler(self, app, publish, start_task) -> Spooler:
        """Start the spooler once in this process, its loop run by start_task."""
        with self._lock:
            if self.spooler is None:
                self.spooler = self.make_spooler(app, publish)
                self.spooler.start(app, start_task)
            return self.spooler
