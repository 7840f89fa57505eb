"""The paper ticket: as wide as the paper, 1-bit, and the same picture every time."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from escpos.printer import Dummy
from PIL import Image, ImageChops

from printer.config import PrinterConfig
from printer.layout import TicketContent, render_ticket, wait_text
from printer.transport import page_bytes, raster

GOLDEN = Path(__file__).parent / "golden"
TICKET = TicketContent(
    unit_name="市民政局政务服务大厅",
    unit_name_en="Civil Affairs Bureau Service Hall",
    service_name="社会救助（低保、特困）",
    service_name_en="Social assistance (subsistence allowance)",
    number="B007",
    ahead=3,
    estimated_wait_s=540,
    issued_local=datetime(2026, 11, 26, 10, 0),
    qr_url="http://127.0.0.1:8000/t/golden-ticket-token-00",
    time_limit_days=20,
    civility=("文明服务 群众满意", "Courteous service, satisfied public"),
    priority=("老年人", "Elderly"),
)


@pytest.mark.parametrize("width", [384, 576])
def test_the_ticket_is_as_wide_as_the_paper_and_one_bit(width):
    image = render_ticket(TICKET, width)
    assert image.mode == "1"
    assert image.width == width
    assert image.height > width  # a ticket, not a stamp


@pytest.mark.parametrize("width", [384, 576])
def test_the_ticket_looks_as_approved(width):
    """Compare with the approved picture; QHALL_UPDATE_GOLDEN=1 approves the current one
    (look at it first)."""
    image = render_ticket(TICKET, width)
    golden = GOLDEN / f"ticket-{width}.png"
    if os.environ.get("QHALL_UPDATE_GOLDEN") == "1":
        image.save(golden)
    approved = Image.open(golden)
    assert approved.size == image.size
    assert ImageChops.difference(approved.convert("1"), image).getbbox() is None


def test_the_priority_class_is_printed():
    without = render_ticket(TICKET.__class__(**{**TICKET.__dict__, "priority": None}))
    assert render_ticket(TICKET).height > without.height


def test_waits_read_as_people_say_them():
    assert wait_text(20) == ("即将办理", "Very soon")
    assert wait_text(540) == ("约 9 分钟", "About 9 min")


def test_a_page_is_a_raster_image_then_a_cut():
    printer = PrinterConfig(name="p", unit="T", host="127.0.0.1")
    image = render_ticket(TICKET, 576)
    data = page_bytes(image, printer)
    assert data.startswith(b"\x1b@")  # ESC @: start clean
    header = b"\x1dv0\x00" + bytes((576 // 8, 0))
    assert header in data
    assert data.rstrip(b"\x00").endswith(b"\x1dV")  # GS V 0: full cut


@pytest.mark.parametrize("size", [(576, 1000), (384, 2000), (300, 30)])
def test_the_raster_is_what_python_escpos_makes(size):
    """page_bytes() packs 1-bit pages itself: the same bytes as python-escpos's image(),
    in GS v 0 images of at most 960 rows, a width not a whole byte padded with white."""
    image = Image.effect_noise(size, 64).convert("1")
    out = Dummy(profile="TM-T20II")
    out.image(image, impl="bitImageRaster", center=False)
    assert raster(image, Dummy(profile="TM-T20II")) == out.output


def test_a_printer_without_a_cutter_only_feeds():
    printer = PrinterConfig(name="p", unit="T", host="127.0.0.1", cut=False)
    assert b"\x1dV" not in page_bytes(Image.new("1", (576, 8), 1), printer)
