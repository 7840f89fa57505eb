"""The screens survive a server restart on their own: while the server is down they say so,
and when it is back they rejoin and show the hall as it truly is, including a call made
while no screen could hear of it."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import screenshot
from tests.servers import DEMO_KIOSK, free_port, running_server, server_env

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"
RECONNECT_MS = 20_000  # the restart itself and Socket.IO's reconnection back-off

# Run with the server stopped: the same database moves on without any live event. The
# window's holder calls (no one else may at a window someone opened).
CALL_WHILE_DOWN = """
from qhall.app import create_app
from qhall.clock import utcnow
from qhall import queue
from qhall.models import Staff
create_app()
holder = Staff.get(Staff.login == "mzj-1").id
queue.issue_ticket("MZJ", "A", now=utcnow())
print(queue.call_next("MZJ", 1, staff_id=holder, now=utcnow()).result["ticket"]["number"])
"""


def ok(response: requests.Response) -> dict:
    """Return a successful answer's JSON; fail with the server's own words otherwise."""
    assert response.ok, (
        f"{response.request.method} {response.url}: {response.status_code} {response.text}"
    )
    return response.json()


def test_screens_reconnect_after_a_restart_and_show_the_true_state(tmp_path, browser):
    port = free_port()
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    hall, counter = context.new_page(), context.new_page()
    try:
        with running_server(tmp_path, "--demo", port=port) as server:
            staff = requests.Session()
            base = f"{server.base_url}/api/units/{UNIT}"
            ok(
                staff.post(
                    f"{server.base_url}/api/session",
                    json={"login": "mzj-1", "password": "qhall-demo"},
                )
            )
            ok(staff.post(f"{base}/counters/1/open"))
            ok(requests.post(f"{base}/tickets", json={"service": "A"}, headers=DEMO_KIOSK))
            first = ok(staff.post(f"{base}/counters/1/call-next"))["ticket"]["number"]
            hall.goto(f"{server.base_url}/display/{UNIT}")
            counter.goto(f"{server.base_url}/display/counter/{UNIT}/1")
            expect(hall.locator("#current-number")).to_have_text(first)
            expect(counter.locator("#serving-number")).to_have_text(first)
            expect(hall.locator("#offline-badge")).to_be_hidden()

        expect(hall.locator("#offline-badge")).to_be_visible()
        expect(counter.locator("#offline-badge")).to_be_visible()
        expect(hall.locator("#hall")).to_have_attribute("data-online", "false")
        screenshot(hall, "display-hall-offline")
        moved_on = subprocess.run(
            [sys.executable, "-c", CALL_WHILE_DOWN],
            env=server_env(tmp_path),
            capture_output=True,
            text=True,
            check=True,
        )
        second = moved_on.stdout.strip().splitlines()[-1]
        assert second != first

        with running_server(tmp_path, port=port):
            expect(hall.locator("#offline-badge")).to_be_hidden(timeout=RECONNECT_MS)
            expect(hall.locator("#current-number")).to_have_text(second, timeout=RECONNECT_MS)
            expect(hall.locator("#recent-calls")).to_contain_text(first)
            expect(hall.locator("#hall")).to_have_attribute("data-online", "true")
            expect(counter.locator("#serving-number")).to_have_text(second, timeout=RECONNECT_MS)
            expect(counter.locator("#offline-badge")).to_be_hidden()
            screenshot(hall, "display-hall-after-restart")
    finally:
        context.close()
