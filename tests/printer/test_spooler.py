"""The print spooler against a fake network printer (a real TCP server on 127.0.0.1):
every page arrives as a raster and a cut, in order, once; a printer out of paper or off
the network is noticed and published, and nothing queued meanwhile is lost."""

from __future__ import annotations

import pytest
from PIL import Image

from printer import spooler
from printer.spooler import Spooler
from qhall.models import PrintJob
from qhall.web.realtime import publish, socketio
from tests.factories import gen_staff, gen_unit, make_spooler, sign_in, use_printers

PRINTER = "hall-kiosk"


@pytest.fixture
def hall(app):
    return gen_unit("T")


@pytest.fixture
def printers(app, hall, fake_printer):
    return use_printers(app, [{"name": PRINTER, "unit": "T", **fake_printer.config}])


@pytest.fixture
def listener(app, hall):
    """A Socket.IO client of the hall's staff (print failures are for the staff alone)."""
    gen_staff("clerk", hall)
    client = socketio.test_client(app, flask_test_client=sign_in(app.test_client()))
    client.emit("join", {"unit": "T"}, callback=True)
    yield client
    client.disconnect()


def page(rows: int) -> Image.Image:
    """A blank page `rows` dots tall: its height tells the pages apart at the printer."""
    return Image.new("1", (576, rows), 1)


def queue(clock, *heights: int) -> list[int]:
    return [
        spooler.enqueue(
            PRINTER, page(h), kind="test", ref=f"page-{h}", unit_code="T", now=clock.now()
        )
        for h in heights
    ]


def run_until_idle(spool: Spooler, limit: int = 20) -> None:
    """Run the printer's worker until it has nothing to do now."""
    for _ in range(limit):
        if spool.run_once(PRINTER) > 0:
            return
    raise AssertionError("the spooler never went idle")


def heights(pages) -> list[int]:
    return [p.images[0].height for p in pages]


def status_events(client) -> list[str]:
    received = client.get_received()
    return [
        e["args"][0]["printer"]["status"] for e in received if e["name"] == "printer.status_changed"
    ]


def test_a_queued_page_reaches_the_printer_as_a_raster_and_a_cut(printers, clock, fake_printer):
    (job_id,) = queue(clock, 40)
    run_until_idle(make_spooler(printers, clock))
    (printed,) = fake_printer.wait_for_pages(1)
    assert printed.cut
    assert (printed.images[0].width, printed.images[0].height) == (576, 40)
    assert PrintJob.get_by_id(job_id).status == "printed"


def test_paper_out_is_noticed_published_and_the_page_waits(printers, clock, fake_printer, listener):
    fake_printer.mode = "paper_out"
    (job_id,) = queue(clock, 40)
    spool = make_spooler(printers, clock)
    run_until_idle(spool)
    assert status_events(listener) == ["paper_out"]
    assert fake_printer.pages == []
    job = PrintJob.get_by_id(job_id)
    assert (job.status, job.attempts) == ("pending", 1)

    fake_printer.mode = "online"  # the paper is changed
    clock.advance(seconds=16)
    run_until_idle(spool)
    assert heights(fake_printer.wait_for_pages(1)) == [40]
    assert status_events(listener) == ["online"]


def test_a_printer_near_the_end_of_its_paper_still_prints_and_says_so(
    printers, clock, fake_printer, listener
):
    fake_printer.mode = "paper_near_end"
    queue(clock, 40)
    run_until_idle(make_spooler(printers, clock))
    assert heights(fake_printer.wait_for_pages(1)) == [40]
    assert status_events(listener) == ["paper_near_end"]


def test_pages_queued_while_the_printer_is_off_print_in_order_once_when_it_returns(
    printers, clock, fake_printer, listener
):
    fake_printer.stop()
    queue(clock, 10, 20, 30)
    spool = make_spooler(printers, clock)
    run_until_idle(spool)
    assert status_events(listener) == ["offline"]
    clock.advance(seconds=2)
    run_until_idle(spool)  # still off: tried again, nothing lost
    assert PrintJob.select().where(PrintJob.status == "pending").count() == 3

    fake_printer.start()
    clock.advance(seconds=60)
    run_until_idle(spool)
    assert heights(fake_printer.wait_for_pages(3)) == [10, 20, 30]
    clock.advance(seconds=60)
    run_until_idle(spool)
    assert heights(fake_printer.pages) == [10, 20, 30]  # never twice
    assert status_events(listener) == ["online"]


def test_the_first_failure_of_a_page_alerts_the_staff_once(printers, clock, fake_printer, listener):
    fake_printer.stop()
    queue(clock, 10)
    spool = make_spooler(printers, clock)
    for _ in range(3):
        run_until_idle(spool)
        clock.advance(seconds=60)
    failures = [e for e in listener.get_received() if e["name"] == "print.failed"]
    assert [f["args"][0]["print_job"]["ref"] for f in failures] == ["page-10"]
    assert PrintJob.get().attempts == 3


def test_a_restarted_spooler_prints_what_the_last_one_left(printers, clock, fake_printer):
    fake_printer.stop()
    queue(clock, 10, 20)
    run_until_idle(make_spooler(printers, clock))
    fake_printer.start()
    clock.advance(seconds=5)
    run_until_idle(make_spooler(printers, clock))  # a new process: nothing but the database
    assert heights(fake_printer.wait_for_pages(2)) == [10, 20]


def test_a_page_left_too_long_is_dropped_not_printed(printers, app, clock, fake_printer):
    fake_printer.stop()
    queue(clock, 10)
    spool = Spooler(printers.printers, clock=clock, publish=publish, expire_s=3600)
    run_until_idle(spool)
    fake_printer.start()
    clock.advance(hours=2)
    run_until_idle(spool)
    queue(clock, 20)
    run_until_idle(spool)
    assert heights(fake_printer.wait_for_pages(1)) == [20]
    assert [j.status for j in PrintJob.select().order_by(PrintJob.id)] == ["expired", "printed"]


def test_the_same_request_queues_one_page(printers, clock):
    first = spooler.enqueue(
        PRINTER, page(10), kind="t", ref="r", unit_code="T", now=clock.now(), request_key="k1"
    )
    again = spooler.enqueue(
        PRINTER, page(10), kind="t", ref="r", unit_code="T", now=clock.now(), request_key="k1"
    )
    assert first == again
    assert PrintJob.select().count() == 1


def test_the_background_worker_prints_when_woken(app, printers, clock, fake_printer):
    spool = make_spooler(printers, clock)
    spool.start(app, socketio.start_background_task)
    try:
        queue(clock, 30)
        assert heights(fake_printer.wait_for_pages(1)) == [30]
    finally:
        spool.stop()
