"""A visitor's phone and a window's client survive a server restart on their own: when the
server is back they rejoin and show the hall as it truly is, even what changed while they
were away."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser import screenshot
from tests.factories import take_live_ticket
from tests.servers import free_port, running_server, server_env

pytestmark = [pytest.mark.live, pytest.mark.browser]

RECONNECT_MS = 20_000  # the restart itself and Socket.IO's reconnection back-off

# Run while the server is down: the visitor's ticket is called with no live event.
CALL_WHILE_DOWN = """
from qhall.app import create_app
from qhall.clock import utcnow
from qhall import queue, windows
create_app()
windows.open_counter("MZJ", 1, staff_id=None, now=utcnow())
print(queue.call_next("MZJ", 1, staff_id=None, now=utcnow()).result["ticket"]["number"])
"""


def test_a_phone_reconnects_after_a_restart_and_shows_its_call(tmp_path, browser):
    port = free_port()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = context.new_page()
    try:
        with running_server(tmp_path, "--demo", port=port) as server:
            mine = take_live_ticket(server.base_url)
            phone.goto(f"{server.base_url}/t/{mine['token']}")
            expect(phone.locator(".p-number")).to_have_text(mine["number"])
            expect(phone.locator("#status")).to_contain_text("排队等候中", use_inner_text=True)

        expect(phone.locator("#offline-badge")).to_be_visible()
        called = subprocess.run(
            [sys.executable, "-c", CALL_WHILE_DOWN], env=server_env(tmp_path),
            capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        assert called == mine["number"]

        with running_server(tmp_path, port=port):
            expect(phone.locator("#offline-badge")).to_be_hidden(timeout=RECONNECT_MS)
            expect(phone.locator("#status")).to_contain_text(
                "请到 1 号窗口办理", use_inner_text=True, timeout=RECONNECT_MS
            )
            screenshot(phone, "phone-after-restart-called")
    finally:
        context.close()


ISSUE_WHILE_DOWN = """
from qhall.app import create_app
from qhall.clock import utcnow
from qhall import queue
create_app()
print(queue.issue_ticket("MZJ", "A", now=utcnow()).result["number"])
"""


def test_a_window_client_reconnects_after_a_restart_and_shows_the_line(tmp_path, browser):
    port = free_port()
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    desk = context.new_page()
    try:
        with running_server(tmp_path, "--demo", port=port) as server:
            desk.goto(f"{server.base_url}/counter?unit=MZJ")
            desk.fill("input[name=login]", "mzj-1")
            desk.fill("input[name=password]", "qhall-demo")
            desk.select_option("select[name=window]", "1")
            desk.click("#sign-in-form button[type=submit]")
            expect(desk.locator("#desk")).to_be_visible()
            expect(desk.locator("#line-count")).to_have_text("0")

        expect(desk.locator("#offline-badge")).to_be_visible()
        issued = subprocess.run(
            [sys.executable, "-c", ISSUE_WHILE_DOWN], env=server_env(tmp_path),
            capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip

        with running_server(tmp_path, port=port):
            expect(desk.locator("#offline-badge")).to_be_hidden(timeout=RECONNECT_MS)
            expect(desk.locator("#line li").first).to_contain_text(issued, timeout=RECONNECT_MS)
            expect(desk.locator("#line-count")).to_have_text("1")
            desk.keyboard.press("n")  # and the window works on: the session survived too
            expect(desk.locator("#hand-number")).to_have_text(issued)
    finally:
        context.close()
