"""The ID card reader's bridge: a small HTTP service on the kiosk machine that hands the
second-generation ID card (居民身份证) placed on the reader to the kiosk's page.

It runs beside the kiosk's browser (`qhall id-card-bridge`, or `python3 id_card_bridge.py`:
it needs only Python's standard library) and listens on 127.0.0.1 only. The protocol:

    GET /card                 -> {"seq": 7, "card": null, "reader": "ready"}  at once
    GET /card?after=7         -> waits up to WAIT_S for a card placed after read 7:
                                 {"seq": 8, "card": {...}, "reader": "ready"}, or card null
    card: {"name", "sex", "birth_date" (YYYY-MM-DD), "id_number", "authority",
           "valid_from", "valid_until"}
    OPTIONS /card             -> CORS preflight, with Access-Control-Allow-Private-Network
    POST /simulate {card}     -> --simulate only, from 127.0.0.1 without an Origin: a card
                                 is "placed" (tests and the demo)

Only the qhall pages named by --origin may read it (CORS); a request naming another host
(DNS rebinding) or another origin is refused with 403. The bridge keeps the last card only
CARD_KEEP_S seconds and writes no card to any log. Chromium's Private Network Access lets a
page on the hall's LAN reach 127.0.0.1 once the preflight says so (newer Chromium may also
ask the kiosk's policy: LocalNetworkAccessAllowedForUrls).

A real reader plugs in as a Reader: a class whose `wait_for_card()` blocks until a card is
placed and returns its fields (for example through the vendor's SDK, such as the
termb/CVR_Read_Content library many readers ship); `run()` reads it in a thread.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DEFAULT_PORT = 17321
WAIT_S = 25  # a long poll answers within this, card or not
CARD_KEEP_S = 60  # a card the page did not take in time is forgotten
CARD_FIELDS = ("name", "sex", "birth_date", "id_number", "authority", "valid_from", "valid_until")
MAX_BODY = 4096


class Reader:
    """A card reader: wait_for_card() blocks until a card is placed and returns its fields."""

    def wait_for_card(self) -> dict:
        raise NotImplementedError


class SimulatedReader(Reader):
    """A reader whose cards come from POST /simulate (tests and the demo)."""

    def __init__(self) -> None:
        self.placed: queue.Queue[dict] = queue.Queue()

    def wait_for_card(self) -> dict:
        return self.placed.get()


class Cards:
    """The last card read and its sequence number, for the long polls waiting on it."""

    def __init__(self) -> None:
        self.seq = 0
        self.card: dict | None = None
        self.read_at = 0.0
        self.changed = threading.Condition()

    def put(self, fields: dict) -> None:
        card = {name: str(fields.get(name, "")) for name in CARD_FIELDS}
        with self.changed:
            self.seq += 1
            self.card, self.read_at = card, time.monotonic()
            self.changed.notify_all()

    def after(self, seq: int, wait_s: float) -> tuple[int, dict | None]:
        """Return the card read after seq, waiting up to wait_s for one; or (seq, None)."""
        with self.changed:
            self.changed.wait_for(lambda: self.seq > seq, timeout=wait_s)
            fresh = time.monotonic() - self.read_at < CARD_KEEP_S
            if self.seq > seq and fresh:
                return self.seq, self.card
            return self.seq, None


def run(reader: Reader, cards: Cards) -> threading.Thread:
    """Read the reader's cards into cards, in a thread of their own."""

    def loop() -> None:
        while True:
            try:
                cards.put(reader.wait_for_card())
            except Exception:  # a reader's hiccup (the card pulled too soon): read on
                time.sleep(0.5)

    thread = threading.Thread(target=loop, name="id-card-reader", daemon=True)
    thread.start()
    return thread


class BridgeHandler(BaseHTTPRequestHandler):
    server: Bridge
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass  # a query string or a body could hold a card: nothing is logged

    def do_OPTIONS(self) -> None:
        if not self._allowed():
            return
        headers = {
            "Access-Control-Allow-Methods": "GET",
            "Access-Control-Max-Age": "600",
        }
        if self.headers.get("Access-Control-Request-Private-Network") == "true":
            headers["Access-Control-Allow-Private-Network"] = "true"
        self._answer(204, None, headers)

    def do_GET(self) -> None:
        if not self._allowed():
            return
        url = urlsplit(self.path)
        if url.path != "/card":
            self._answer(404, {"error": "not_found"})
            return
        after = parse_qs(url.query).get("after", [""])[0]
        if not after:
            seq, card = self.server.cards.after(self.server.cards.seq, 0)
        elif after.isdigit():
            seq, card = self.server.cards.after(int(after), self.server.wait_s)
        else:
            self._answer(400, {"error": "bad_input"})
            return
        self._answer(200, {"seq": seq, "card": card, "reader": "ready"})

    def do_POST(self) -> None:
        # A simulated card comes from a program on this machine, never from a page.
        local = self.client_address[0] == "127.0.0.1" and "Origin" not in self.headers
        if not self.server.simulate or urlsplit(self.path).path != "/simulate" or not local:
            self._answer(403, {"error": "forbidden"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            fields = json.loads(self.rfile.read(length)) if 0 < length <= MAX_BODY else None
        except ValueError:
            fields = None
        if not isinstance(fields, dict):
            self._answer(400, {"error": "bad_input"})
            return
        self.server.reader.placed.put(fields)
        self._answer(202, {"placed": True})

    def _allowed(self) -> bool:
        # Reached by its own address only (a page whose name was rebound to 127.0.0.1 says
        # another Host), and read only by the hall's own pages.
        host_ok = self.headers.get("Host") in self.server.hosts
        origin = self.headers.get("Origin")
        if host_ok and (origin is None or origin in self.server.origins):
            return True
        self._answer(403, {"error": "forbidden"})
        return False

    def _answer(self, status: int, body: dict | None, headers: dict | None = None) -> None:
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        origin = self.headers.get("Origin")
        if origin in self.server.origins:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-store")
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Bridge(ThreadingHTTPServer):
    """The bridge's HTTP server on 127.0.0.1, with its reader and the cards it read."""

    daemon_threads = True

    def __init__(self, port: int, origins, reader: Reader, wait_s: float = WAIT_S) -> None:
        super().__init__(("127.0.0.1", port), BridgeHandler)
        self.port = self.server_address[1]
        self.origins = {origin.rstrip("/") for origin in origins}
        self.hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self.reader, self.cards, self.wait_s = reader, Cards(), wait_s
        self.simulate = isinstance(reader, SimulatedReader)
        run(reader, self.cards)


def main(argv: list[str] | None = None) -> None:
    """Run the bridge until stopped."""
    parser = argparse.ArgumentParser(description="The kiosk's ID card reader bridge.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--origin",
        action="append",
        help="a qhall address whose kiosk page may read the cards (repeat for more); "
        "default http://127.0.0.1:8000, the demo's",
    )
    parser.add_argument("--simulate", action="store_true", help="no reader: POST /simulate")
    args = parser.parse_args(argv)
    if not args.simulate:
        parser.error("no reader driver is installed here: plug one in as a Reader, or --simulate")
    bridge = Bridge(args.port, args.origin or ["http://127.0.0.1:8000"], SimulatedReader())
    print(f"ID card bridge on http://127.0.0.1:{bridge.port} (simulated reader)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        bridge.serve_forever()


if __name__ == "__main__":
    main()
