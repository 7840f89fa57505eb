"""No secret in a log line: a kiosk's device secret and tickets' tokens are redacted from
gunicorn's access log, in the request line and the referrer alike."""

from __future__ import annotations

import logging

import pytest
import requests

from qhall.redact import RedactingFilter, redact
from tests.factories import take_live_ticket
from tests.servers import running_server

DEMO_SECRET = "demo-kiosk-mzj"  # config/demo.toml


@pytest.mark.parametrize(
    "line, expected",
    [
        ('"GET /t/abcDEF_123-x HTTP/1.1"', '"GET /t/… HTTP/1.1"'),
        ("GET /t/abc/qr.svg", "GET /t/…/qr.svg"),
        ("POST /api/tickets/abc/print", "POST /api/tickets/…/print"),
        ("GET /counter/rating/abc?x=1", "GET /counter/rating/…?x=…"),
        ("GET /kiosk/MZJ?kiosk=mzj-1&device=s3cret", "GET /kiosk/MZJ?kiosk=…&device=…"),
        ("http://h/kiosk/MZJ?device=s3cret#top", "http://h/kiosk/MZJ?device=…#top"),
        ("GET /api/units/T/tickets", "GET /api/units/T/tickets"),
        ("GET /static/kiosk.js", "GET /static/kiosk.js"),
    ],
)
def test_tokens_and_query_values_are_redacted(line, expected):
    assert redact(line) == expected


def test_the_applications_log_lines_are_redacted_too(caplog):
    log = logging.getLogger("qhall.test_redaction")
    caplog.handler.addFilter(RedactingFilter())
    with caplog.at_level(logging.ERROR):
        log.error("unexpected error on %s %s", "GET", "/t/s3cret-token/qr.svg?device=k3y")
    assert caplog.messages == ["unexpected error on GET /t/…/qr.svg?device=…"]


@pytest.mark.live
def test_the_access_log_holds_no_device_secret_and_no_ticket_token(tmp_path):
    with running_server(tmp_path, "--demo") as server:
        base = server.base_url
        page = requests.get(f"{base}/kiosk/MZJ?kiosk=mzj-kiosk-1&device={DEMO_SECRET}", timeout=10)
        assert page.status_code == 200
        kiosk_referrer = {"Referer": page.url}
        token = take_live_ticket(base, headers={"X-Device-Token": DEMO_SECRET, **kiosk_referrer})[
            "token"
        ]
        for path in (f"/t/{token}", f"/api/tickets/{token}", f"/counter/rating/{token}"):
            requests.get(f"{base}{path}?token={token}", headers=kiosk_referrer, timeout=10)
        requests.get(f"{base}/healthz", timeout=10)  # the last line written before the stop
    output = server.log_path.read_text(encoding="utf-8", errors="replace")
    # What the server logged, after `qhall serve --demo` showed the demo's kiosk addresses
    # (its published demo secrets) to whoever started it.
    log = output.split("Starting gunicorn", 1)[1]
    assert '"GET /t/…?token=… HTTP' in log and "/kiosk/MZJ?kiosk=…&device=…" in log  # it did log
    assert DEMO_SECRET not in log
    assert token not in log
