"""A ticket that could not print when it was taken prints later only for a visitor still
waiting, with the figures of that moment, and never long after it was asked for; otherwise
the job is dropped with the reason. Receipts print whenever the printer comes back. The
printer is the fake network printer, a real TCP server, off the network and back."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from printer import spooler, transport
from printer.ticket import print_ticket, ticket_content, ticket_image
from qhall import queue, windows
from qhall.models import PrintJob
from qhall.web.realtime import publish
from tests.factories import gen_staff, gen_ticket, gen_unit, use_printers

PRINTER = "hall-kiosk"
QR_URL = "https://hall.example.gov.cn/p/"
CIVILITY = [["文明服务 群众满意", "Courteous service, satisfied public"]]


@pytest.fixture
def hall(app, clock):
    """Hall T with window 1 open for service A, its printer off the network."""
    unit = gen_unit("T")
    clerk = gen_staff("clerk", unit)
    windows.open_counter("T", 1, staff_id=clerk.id, now=clock.now())
    return clerk


@pytest.fixture
def setup(app, hall, fake_printer):
    setup = use_printers(app, [{"name": PRINTER, "unit": "T", **fake_printer.config}])
    fake_printer.stop()
    return setup


@pytest.fixture
def spool(app, setup):
    """The spooler as the application makes it (TICKET_PRINT_LATE_S = 600 by default)."""
    return setup.make_spooler(app, publish)


def print_at_kiosk(clock, setup, token: str) -> PrintJob:
    answer = print_ticket(
        token,
        setup.printers[PRINTER],
        kind="ticket",
        qr_url=QR_URL + token,
        civility_lines=CIVILITY,
        now=clock.now(),
        request_key=f"kiosk-print:{token}",
    )
    return PrintJob.get_by_id(answer["job"]["id"])


def run_until_idle(spool) -> None:
    for _ in range(20):
        if spool.run_once(PRINTER) > 0:
            return
    raise AssertionError("the spooler never went idle")


def back_online(fake_printer, clock, spool, minutes: float = 1) -> None:
    """Put the printer back on the network after a while and let the spooler catch up."""
    fake_printer.start()
    clock.advance(minutes=minutes)
    run_until_idle(spool)


def raster(image: Image.Image, setup) -> bytes:
    """The bytes the printer receives for a page, to tell pages apart by what they show."""
    return transport.page_bytes(image, setup.printers[PRINTER])


def test_a_ticket_whose_visitor_was_called_meanwhile_is_dropped_not_printed(
    hall, setup, spool, clock, fake_printer
):
    ticket = gen_ticket(clock)
    job = print_at_kiosk(clock, setup, ticket["token"])
    run_until_idle(spool)  # the printer is off: the page waits
    assert PrintJob.get_by_id(job.id).status == "pending"

    queue.call_next("T", 1, staff_id=hall.id, now=clock.now())  # the visitor went up anyway
    back_online(fake_printer, clock, spool)

    dropped = PrintJob.get_by_id(job.id)
    assert dropped.status == "dropped"
    assert "no longer waits" in dropped.last_error and "已呼叫" in dropped.last_error
    # The printer works: a ticket of a visitor still waiting comes out, the dropped one never.
    waiting = gen_ticket(clock)
    print_at_kiosk(clock, setup, waiting["token"])
    run_until_idle(spool)
    (page,) = fake_printer.wait_for_pages(1)
    assert page.images[0].data in raster(
        ticket_image(
            waiting["token"], width=576, qr_url=QR_URL + waiting["token"], civility_lines=CIVILITY
        ),
        setup,
    )


def test_a_ticket_printed_late_shows_how_many_are_ahead_when_it_prints(
    hall, setup, spool, clock, fake_printer
):
    first = gen_ticket(clock)
    second = gen_ticket(clock)
    job = print_at_kiosk(clock, setup, second["token"])
    queued_page = Image.open(io.BytesIO(job.image))
    run_until_idle(spool)
    queue.call_next("T", 1, staff_id=hall.id, now=clock.now())  # the one ahead is called
    assert first["number"] != second["number"]

    back_online(fake_printer, clock, spool, minutes=2)

    (page,) = fake_printer.wait_for_pages(1)
    token = second["token"]
    now_says = ticket_content(token, qr_url=QR_URL + token, civility_lines=CIVILITY)
    assert now_says.ahead == 0  # when it was queued, one was ahead
    fresh = ticket_image(token, width=576, qr_url=QR_URL + token, civility_lines=CIVILITY)
    assert page.images[0].data in raster(fresh, setup)
    assert page.images[0].data not in raster(queued_page, setup)
    assert PrintJob.get_by_id(job.id).status == "printed"


def test_a_ticket_not_printed_within_ten_minutes_is_dropped(
    hall, setup, spool, clock, fake_printer
):
    ticket = gen_ticket(clock)
    job = print_at_kiosk(clock, setup, ticket["token"])
    run_until_idle(spool)
    back_online(fake_printer, clock, spool, minutes=11)  # the visitor still waits

    dropped = PrintJob.get_by_id(job.id)
    assert (dropped.status, dropped.last_error.split(" / ")[1]) == (
        "dropped",
        "Too late to print: asked for 11 min ago",
    )
    assert fake_printer.pages == []


def test_a_case_receipt_prints_however_late_the_printer_comes_back(
    hall, setup, spool, clock, fake_printer
):
    receipt = Image.new("1", (576, 40), 1)
    job_id = spooler.enqueue(
        PRINTER, receipt, kind="case_receipt", ref="BJ-1", unit_code="T", now=clock.now()
    )
    run_until_idle(spool)
    back_online(fake_printer, clock, spool, minutes=30)
    (page,) = fake_printer.wait_for_pages(1)
    assert page.images[0].height == 40
    assert PrintJob.get_by_id(job_id).status == "printed"
