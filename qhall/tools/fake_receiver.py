"""A fake receiver of qhall's outbox (the province's 好差评 platform, an SMS gateway) that is
a real HTTP server on 127.0.0.1: it keeps what it receives, once per idempotency key, checks
each signature, and fails or answers slowly when told to. Tests start it; so may a demo.

    .venv/bin/python -m qhall.tools.fake_receiver [--port 8601] [--secret S]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from qhall.retention import mask_phone

MAX_BODY = 65536


@dataclass
class Received:
    """What the receiver took, in the order it took it, and how it is told to behave."""

    secret: str = ""
    messages: list[dict] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    repeats: int = 0  # messages sent again with a key already taken
    bad_signatures: int = 0
    failing: bool = False  # answer 503 to everything
    latency_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeReceiver:
    """Run the receiver in a thread; `received` shows what came."""

    def __init__(self, port: int = 0, secret: str = "") -> None:
        self.received = Received(secret=secret)
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
                body = self.rfile.read(length)
                if received.latency_s:
                    time.sleep(received.latency_s)
                if received.failing:
                    return self._answer(503, {"error": "down for the test"})
                expected = hmac.new(received.secret.encode(), body, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(expected, self.headers.get("X-Qhall-Signature", "")):
                    with received.lock:
                        received.bad_signatures += 1
                    return self._answer(401, {"error": "bad signature"})
                key = self.headers.get("Idempotency-Key", "")
                with received.lock:
                    if key in received.keys:
                        received.repeats += 1
                    else:
                        received.keys.add(key)
                        received.messages.append(
                            {
                                "key": key,
                                "channel": self.headers.get("X-Qhall-Channel"),
                                "payload": json.loads(body),
                                "arrived": time.time(),
                            }  # fmt: skip
                        )
                self._answer(200, {"ok": True})

            def do_GET(self) -> None:  # noqa: N802
                """Show what came, newest first, phones masked: what a gateway would text."""
                if self.path.split("?")[0] != "/":
                    return self._answer(404, {"error": "only / is a page"})
                with received.lock:
                    shown = list(reversed(received.messages))
                data = received_page(shown).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:  # quiet: tests read `received`
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/messages"
        self.page_url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()


def received_page(messages: list[dict]) -> str:
    """Return the page of received messages: each one's channel, recipient (a phone
    masked), and text (an SMS gateway's body) or its whole payload."""
    rows = []
    for message in messages:
        payload = message["payload"]
        phone = payload.get("phone") if isinstance(payload, dict) else None
        text = payload.get("text") if isinstance(payload, dict) else None
        when = time.strftime("%H:%M:%S", time.localtime(message["arrived"]))
        rows.append(
            f"<li><b>{escape(str(message['channel']))}</b> {when} "
            f"{escape(mask_phone(phone)) if phone else ''}"
            f"<pre>{escape(text or json.dumps(payload, ensure_ascii=False, indent=1))}</pre></li>"
        )
    return (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>收到的消息 Received</title>'
        "<style>body{font:18px sans-serif;margin:2rem}pre{font-size:20px;white-space:pre-wrap}</style>"
        f"<h1>收到的消息 Received ({len(messages)})</h1><ol reversed>{''.join(rows)}</ol></html>"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8601)
    parser.add_argument("--secret", default="")
    parser.add_argument("--quiet", action="store_true", help="no count every 5 s (the demo)")
    args = parser.parse_args()
    with FakeReceiver(args.port, args.secret) as receiver:
        print(f"fake receiver on {receiver.url}; Ctrl-C stops it")
        try:
            while True:
                time.sleep(5)
                if not args.quiet:
                    print(f"{len(receiver.received.messages)} received, "
                          f"{receiver.received.repeats} repeats")  # fmt: skip
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
