"""Printers and kiosks from the settings, and the demo's file printers."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from PIL import Image

from printer.config import DEMO_FILE, PrinterConfigError, load_kiosks, load_printers
from printer.transport import page_bytes, query_status, send


def test_printers_are_read_and_checked(tmp_path):
    settings = {"PRINTERS": [{"name": "p", "unit": "T", "host": "10.0.0.5"}]}
    (printer,) = load_printers(settings, tmp_path).values()
    assert (printer.kind, printer.port, printer.width) == ("network", 9100, 576)
    with pytest.raises(PrinterConfigError):
        load_printers({"PRINTERS": [{"name": "p", "unit": "T", "kind": "network"}]}, tmp_path)
    with pytest.raises(PrinterConfigError):
        load_printers({"PRINTERS": [{"name": "p", "unit": "T", "kind": "fax"}]}, tmp_path)


def test_the_demo_printers_are_files_in_the_instance_folder(tmp_path):
    assert load_printers({"PRINTERS": []}, tmp_path) == {}
    printers = load_printers({"PRINTERS": [], "DEMO_PRINTERS": True}, tmp_path)
    # Each hall's kiosk printer, and the printer at MZJ's window 3 for case receipts.
    assert {"mzj-kiosk-1", "jzz-kiosk-1", "byg-kiosk-1", "mzj-window-3"} <= set(printers)
    units = {unit["code"] for unit in tomllib.loads(DEMO_FILE.read_text("utf-8"))["unit"]}
    assert {p.unit for p in printers.values() if p.name.endswith("-kiosk-1")} == units
    assert all(p.kind == "file" for p in printers.values())
    demo = printers["mzj-kiosk-1"]
    assert demo.kind == "file" and demo.unit == "MZJ"
    assert Path(demo.device) == tmp_path / "prints" / "mzj-kiosk-1.bin"
    kiosks = load_kiosks({"KIOSKS": [], "DEMO_PRINTERS": True})
    assert kiosks["mzj-kiosk-1"].printer == "mzj-kiosk-1" and kiosks["mzj-kiosk-1"].unit == "MZJ"


def test_a_file_printer_gets_each_page_appended(tmp_path):
    printer = load_printers({"PRINTERS": [], "DEMO_PRINTERS": True}, tmp_path)["jzz-kiosk-1"]
    page = page_bytes(Image.new("1", (576, 16), 1), printer)
    assert query_status(printer) == "online"
    send(printer, page)
    send(printer, page)
    assert Path(printer.device).read_bytes() == page + page
