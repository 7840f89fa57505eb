"""ESC/POS on the wire: a page as raster bytes, the printer's status (DLE EOT), and sending.

python-escpos speaks to network, USB and serial printers; a "file" printer (a device path
such as /dev/usb/lp0, or a plain file for the demo) is appended to. Nothing here touches
the database: the spooler calls these between its transactions.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from escpos.escpos import Escpos
from escpos.printer import Dummy, Network, Serial, Usb
from PIL import Image

from printer.config import PrinterConfig

log = logging.getLogger(__name__)

# A printer in these states takes no page: the page stays queued until it recovers.
NOT_READY = ("offline", "paper_out")


class PrinterUnavailable(Exception):
    """The printer cannot print now; status says why ("offline", "paper_out")."""

    def __init__(self, status: str, detail: str = "") -> None:
        super().__init__(f"{status}: {detail}" if detail else status)
        self.status = status


def page_bytes(image: Image.Image, printer: PrinterConfig) -> bytes:
    """Return the ESC/POS bytes that print image as a raster (GS v 0) and cut the paper."""
    out = Dummy(profile=printer.profile)
    out.hw("INIT")
    out.image(image, impl="bitImageRaster", center=False)
    if printer.cut:
        out.cut()
    else:
        out.print_and_feed(6)
    return out.output


def _device(printer: PrinterConfig) -> Escpos:
    if printer.kind == "network":
        return Network(
            printer.host, printer.port, timeout=printer.timeout_s, profile=printer.profile
        )
    if printer.kind == "usb":
        return Usb(
            printer.vendor_id,
            printer.product_id,
            timeout=int(printer.timeout_s * 1000),  # pyusb counts milliseconds
            profile=printer.profile,
        )
    if printer.kind == "serial":
        return Serial(
            printer.device, printer.baudrate, timeout=printer.timeout_s, profile=printer.profile
        )
    raise ValueError(f"no ESC/POS device for printer kind {printer.kind!r}")


def _status(device: Escpos) -> str:
    """Ask an open printer for its status: DLE EOT 1 (online?) and DLE EOT 4 (paper)."""
    online = device.is_online()
    paper = device.paper_status()  # a printer out of paper is offline too: paper says why
    if paper == 0:
        return "paper_out"
    if not online:
        return "offline"
    return "paper_near_end" if paper == 1 else "online"


def query_status(printer: PrinterConfig) -> str:
    """Return the printer's status: online, paper_near_end, paper_out or offline."""
    if printer.kind == "file":
        return "online"  # a device file cannot answer; if it cannot be written, send() fails
    device = _device(printer)
    try:
        device.open()
        return _status(device)
    except Exception as error:  # any failure to reach or read it is the same to a visitor
        log.info("printer %s offline: %s", printer.name, error)
        return "offline"
    finally:
        _close(device)


def send(printer: PrinterConfig, data: bytes) -> str:
    """Send one page to the printer if it is ready; return its status, or raise
    PrinterUnavailable (the page was not sent)."""
    if printer.kind == "file":
        try:
            Path(printer.device).parent.mkdir(parents=True, exist_ok=True)  # the demo's folder
            with open(printer.device, "ab") as device_file:
                device_file.write(data)
        except OSError as error:
            raise PrinterUnavailable("offline", str(error)) from error
        return "online"
    device = _device(printer)
    try:
        device.open()
        status = _status(device)
        if status in NOT_READY:
            raise PrinterUnavailable(status)
        device._raw(data)
        return status
    except PrinterUnavailable:
        raise
    except Exception as error:
        raise PrinterUnavailable("offline", str(error) or type(error).__name__) from error
    finally:
        _close(device)


def _close(device: Escpos) -> None:
    # Closing a dead connection may fail; nothing is lost by it.
    with contextlib.suppress(Exception):
        device.close()
