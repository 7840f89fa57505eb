"""ESC/POS on the wire: a page as raster bytes, the printer's status (DLE EOT), and sending.

python-escpos speaks to network, USB and serial printers; a "file" printer (a device path
such as /dev/usb/lp0, or a plain file for the demo) is appended to. Nothing here touches
the database: the spooler calls these between its transactions.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from pathlib import Path

from escpos.constants import (
    RT_MASK_LOWPAPER,
    RT_MASK_NOPAPER,
    RT_MASK_ONLINE,
    RT_MASK_PAPER,
    RT_STATUS_ONLINE,
    RT_STATUS_PAPER,
)
from escpos.escpos import Escpos
from escpos.exceptions import ImageWidthError
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


# The rows one GS v 0 image carries at most, as python-escpos splits them: printers
# buffer a raster image whole before printing it.
RASTER_ROWS = 960


def page_bytes(image: Image.Image, printer: PrinterConfig) -> bytes:
    """Return the ESC/POS bytes that print image as a raster (GS v 0) and cut the paper."""
    out = Dummy(profile=printer.profile)
    out.hw("INIT")
    if image.mode == "1":
        out._raw(raster(image, out))
    else:
        out.image(image, impl="bitImageRaster", center=False)
    if printer.cut:
        out.cut()
    else:
        out.print_and_feed(6)
    return out.output


def raster(image: Image.Image, out: Escpos) -> bytes:
    """Return a 1-bit image as GS v 0 raster images, the bytes python-escpos's
    image(impl="bitImageRaster") gives, without its conversions through RGBA and grey."""
    with contextlib.suppress(KeyError, ValueError):  # a profile without a width: print
        widest = int(out.profile.profile_data["media"]["width"]["pixels"])
        if image.width > widest:
            raise ImageWidthError(f"{image.width} > {widest}")
    width_bytes = (image.width + 7) // 8
    if image.width % 8:  # white up to a whole byte, as python-escpos pads with no dot
        padded = Image.new("1", (width_bytes * 8, image.height), 255)
        padded.paste(image, (0, 0))
        image = padded
    dots = image.tobytes("raw", "1;I")  # 1 for a black dot, as ESC/POS wants
    parts = []
    for top in range(0, image.height, RASTER_ROWS):
        rows = min(RASTER_ROWS, image.height - top)
        header = b"\x1dv0\x00" + width_bytes.to_bytes(2, "little") + rows.to_bytes(2, "little")
        parts += (header, dots[top * width_bytes : (top + rows) * width_bytes])
    return b"".join(parts)


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
    if isinstance(device, Network):
        online, paper = _network_status(device)
    else:
        online = device.is_online()
        paper = device.paper_status()
    # A printer out of paper is offline too: paper says why.
    if paper == 0:
        return "paper_out"
    if not online:
        return "offline"
    return "paper_near_end" if paper == 1 else "online"


def _network_status(device: Network) -> tuple[bool, int]:
    """Return what is_online() and paper_status() would, asking both questions at once:
    one round trip to the printer instead of two (a printer answers them in order)."""
    socket_ = device.device
    # Nagle's algorithm would hold back the end of a page until the printer acknowledges
    # its start; each write here is a whole request.
    socket_.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    device._raw(RT_STATUS_ONLINE + RT_STATUS_PAPER)
    replies = b""
    while len(replies) < 2:
        chunk = device._read()  # a printer that does not answer times out
        if not chunk:
            break  # the printer hung up
        replies += chunk
    online = bool(replies) and not replies[0] & RT_MASK_ONLINE
    if len(replies) < 2:
        return online, 2  # no paper sensor reading: python-escpos takes it as paper
    paper = replies[1]
    if paper & RT_MASK_NOPAPER == RT_MASK_NOPAPER:
        return online, 0
    if paper & RT_MASK_LOWPAPER == RT_MASK_LOWPAPER:
        return online, 1
    return online, 2 if paper & RT_MASK_PAPER == RT_MASK_PAPER else 0


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
