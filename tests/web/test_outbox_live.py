"""A real server reports each rating to the province's platform (a fake one, a real HTTP
server on 127.0.0.1): a report committed while the platform is down, the server then
killed before it could send it, arrives after the restart, once."""

from __future__ import annotations

import os
import signal
import time

import pytest
import requests

from qhall.tools.fake_receiver import FakeReceiver
from tests.servers import DEMO_KIOSK, running_server

pytestmark = pytest.mark.live

SECRET = "platform-secret-for-the-test"
WAIT_S = 40  # a failed send is tried again after 5 s, then 10 s: well within this


def serve_and_rate(base: str) -> None:
    """A visitor takes a ticket, window 1 serves them, they rate the visit on their phone."""
    ticket = requests.post(f"{base}/api/units/MZJ/tickets", json={"service": "A"},
                           headers=DEMO_KIOSK, timeout=10)  # fmt: skip
    assert ticket.status_code == 201, ticket.text
    window = requests.Session()
    signed_in = window.post(
        f"{base}/api/session", json={"login": "mzj-1", "password": "qhall-demo"}
    )
    assert signed_in.status_code == 200, signed_in.text
    for action in ("open", "call-next", "start", "finish"):
        answer = window.post(f"{base}/api/units/MZJ/counters/1/{action}", json={}, timeout=10)
        assert answer.status_code == 200, (action, answer.text)
    rated = requests.post(f"{base}/api/tickets/{ticket.json()['token']}/rating",
                          json={"level": 5}, timeout=10)  # fmt: skip
    assert rated.status_code == 201, rated.text


def test_a_report_committed_before_a_kill_arrives_once_after_the_restart(tmp_path):
    with FakeReceiver(secret=SECRET) as platform:
        settings = {"OUTBOX__CHANNELS__haocha__URL": platform.url,
                    "OUTBOX__CHANNELS__haocha__SECRET": SECRET}  # fmt: skip
        platform.received.failing = True  # the province's platform is down
        with running_server(tmp_path, "--demo", **settings) as server:
            serve_and_rate(server.base_url)
            os.killpg(server.process.pid, signal.SIGKILL)  # the master and its worker
            server.process.wait(timeout=10)
        assert platform.received.messages == []

        platform.received.failing = False  # back up; the hall's server starts again
        with running_server(tmp_path, "--demo", **settings) as server:
            deadline = time.monotonic() + WAIT_S
            while not platform.received.messages and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2)  # anything sent twice would arrive by now
        (report,) = platform.received.messages
        assert report["channel"] == "haocha" and report["payload"]["level"] == 5
        assert report["payload"]["unit"]["code"] == "MZJ" and report["payload"]["window"] == 1
        assert platform.received.repeats == 0 and platform.received.bad_signatures == 0
