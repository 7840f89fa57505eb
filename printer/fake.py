"""A fake network receipt printer: a real TCP server on 127.0.0.1 (port 9100's protocol)
that records the pages it is sent and answers DLE EOT status queries as it is told.

It reads the ESC/POS stream the way a printer does: GS v 0 raster images, GS V cuts,
DLE EOT real-time status requests; other bytes are kept as they come.

It lives here rather than in tests/ because the printing benchmark
(qhall.tools.bench_printer) runs outside pytest and must not import from tests/; the
pytest fixture that starts one is in tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field

DLE_EOT = b"\x10\x04"
GS_V0 = b"\x1dv0"
GS_CUT = b"\x1dV"
ESC = 0x1B

# Replies to DLE EOT 1 (printer status: bit 3 is "offline") and DLE EOT 4 (roll paper
# sensor: bits 2-3 "near end", bits 5-6 "paper out"), with the fixed bits 1 and 4 set.
REPLIES = {
    "online": {1: 0x12, 4: 0x12},
    "paper_near_end": {1: 0x12, 4: 0x1E},
    "paper_out": {1: 0x1A, 4: 0x72},  # a printer out of paper also goes offline
    "cover_open": {1: 0x1A, 4: 0x12},
}


@dataclass
class RasterImage:
    """One GS v 0 raster image as the printer received it."""

    width: int  # dots
    height: int
    data: bytes


@dataclass
class PrintedPage:
    """What came before one cut: the raster images printed on it."""

    images: list[RasterImage] = field(default_factory=list)
    cut: bool = False


class FakePrinter:
    """Listen on 127.0.0.1; `mode` is what DLE EOT answers ("online", "paper_near_end",
    "paper_out", "cover_open", or "silent": never answer). stop() and start() take the
    printer off the network and back, on the same port."""

    def __init__(self, mode: str = "online") -> None:
        self.mode = mode
        self.port = 0
        self.pages: list[PrintedPage] = []  # cut pages, in the order they were printed
        self.status_queries = 0
        self._current = PrintedPage()
        self._changed = threading.Condition()
        self._listener: socket.socket | None = None
        self._connections: list[socket.socket] = []

    # --- life -------------------------------------------------------------------------

    def start(self) -> FakePrinter:
        """Go on the network (on a free port the first time, the same port after)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Go off the network: refuse new connections and drop open ones."""
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone does not.
            _shut(listener)
        for connection in self._connections:
            _shut(connection)
        self._connections.clear()

    @property
    def config(self) -> dict:
        """Return a PRINTERS entry that reaches this printer (the caller adds name and unit)."""
        return {"kind": "network", "host": "127.0.0.1", "port": self.port, "timeout_s": 1.0}

    # --- what a test reads ------------------------------------------------------------

    def wait_for_pages(self, count: int, timeout: float = 10) -> list[PrintedPage]:
        """Wait until at least count pages were cut; return all pages so far."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.pages) >= count, timeout=timeout)
            return list(self.pages)

    def wait_for_status_queries(self, count: int, timeout: float = 10) -> int:
        """Wait until at least count status queries came; return how many so far."""
        with self._changed:
            self._changed.wait_for(lambda: self.status_queries >= count, timeout=timeout)
            return self.status_queries

    # --- the printer ------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return  # stopped
            self._connections.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        buffer = b""
        with connection:
            while True:
                try:
                    chunk = connection.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                buffer = self._read(buffer + chunk, connection)

    def _read(self, buffer: bytes, connection: socket.socket) -> bytes:
        """Act on every complete command in buffer; return the incomplete rest."""
        i = 0
        while i < len(buffer):
            rest = buffer[i:]
            if rest.startswith(DLE_EOT[:1]) and len(rest) < 3:
                break
            if rest.startswith(DLE_EOT):
                self._answer(rest[2], connection)
                i += 3
            elif rest.startswith(GS_V0[:1]) and len(rest) < 3:
                break
            elif rest.startswith(GS_V0):
                if len(rest) < 8:
                    break
                width_bytes = rest[4] + 256 * rest[5]
                height = rest[6] + 256 * rest[7]
                end = 8 + width_bytes * height
                if len(rest) < end:
                    break
                with self._changed:
                    self._current.images.append(RasterImage(width_bytes * 8, height, rest[8:end]))
                i += end
            elif rest.startswith(GS_CUT):
                if len(rest) < 3:
                    break
                size = 4 if rest[2] in (65, 66, 97, 98, 103, 104) else 3
                if len(rest) < size:
                    break
                with self._changed:
                    self._current.cut = True
                    self.pages.append(self._current)
                    self._current = PrintedPage()
                    self._changed.notify_all()
                i += size
            elif rest[0] == ESC and len(rest) >= 2 and rest[1] in (ord("d"), ord("a"), ord("J")):
                i += 3  # feed n lines, justification, feed n dots
            else:
                i += 1  # ESC @ and the rest: nothing to record
        return buffer[i:]

    def _answer(self, request: int, connection: socket.socket) -> None:
        with self._changed:
            self.status_queries += 1
            self._changed.notify_all()
        if self.mode == "silent":
            return
        reply = REPLIES[self.mode].get(request, 0x12)
        with contextlib.suppress(OSError):
            connection.sendall(bytes((reply,)))


def _shut(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()
