"""What the window's page tells its staff, in headless Chromium against the real server: a
key pressed while an action is in flight waits its turn, or is let go with a word if it no
longer means what it meant; each action says what it did; a printer of the hall that stops
puts a banner on the page until it is back.

The demo hall MZJ, whose kiosk printer is here the fake network printer (a real TCP server
the test takes off the network and back); window 1 serves A; staff "mzj-1".
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import expect

from printer.fake import FakePrinter
from tests.browser import screenshot
from tests.factories import take_live_ticket
from tests.servers import LiveServer, open_and_empty_window, running_server

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"
PASSWORD = "qhall-demo"


@pytest.fixture(scope="module")
def kiosk_printer() -> Iterator[FakePrinter]:
    printer = FakePrinter().start()
    yield printer
    printer.stop()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, kiosk_printer) -> Iterator[LiveServer]:
    """`qhall serve --demo`, the demo kiosk printing on the fake printer, asked often."""
    printers = [{"name": "mzj-kiosk-1", "unit": UNIT, **kiosk_printer.config}]
    with running_server(
        tmp_path_factory.mktemp("qhall-live"),
        "--demo",
        PRINTERS=json.dumps(printers),
        PRINTER_POLL_S="1",
        PRINT_RETRY_MAX_S="1",
    ) as server:
        yield server


def ticket_state(live_server, token: str) -> dict:
    return requests.get(f"{live_server.base_url}/api/tickets/{token}", timeout=5).json()


def press_together(page, *keys: str) -> None:
    """Press keys in one go, each before the page can hear back from the server."""
    page.evaluate(
        """(keys) => { for (const key of keys) document.body.dispatchEvent(
             new KeyboardEvent("keydown", { key, code: "Key" + key.toUpperCase(), bubbles: true })); }""",
        list(keys),
    )


@pytest.fixture
def desk(live_server, page):
    """Window 1 open with nobody in its line, and its page signed in as mzj-1."""
    staff = requests.Session()
    answer = staff.post(f"{live_server.base_url}/api/session",
                        json={"login": "mzj-1", "password": PASSWORD}, timeout=5)  # fmt: skip
    assert answer.ok, answer.text
    open_and_empty_window(staff, live_server.base_url, 1, UNIT)
    page.goto(f"{live_server.base_url}/counter?unit={UNIT}")
    page.fill("input[name=login]", "mzj-1")
    page.fill("input[name=password]", PASSWORD)
    page.select_option("select[name=window]", "1")
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#window-state")).to_contain_text("服务中")
    return page


def test_keys_pressed_during_an_action_run_in_turn_or_are_let_go_with_a_word(live_server, desk):
    first = take_live_ticket(live_server.base_url, "A")
    second = take_live_ticket(live_server.base_url, "A")
    expect(desk.locator("#line li")).to_have_count(2)
    message, queued = desk.locator("#desk-message"), desk.locator("#desk-queued")

    # N twice at once: the first calls; the second would now let the visitor just called
    # go as a no-show, which is not what was pressed for, so it is let go, visibly.
    press_together(desk, "n", "n")
    expect(message).to_contain_text(f"已呼叫 {first['number']}，请到 1 号窗口")
    expect(queued).to_contain_text("「呼叫下一位」未执行")
    expect(desk.locator("#hand-number")).to_have_text(first["number"])
    assert ticket_state(live_server, first["token"])["status"] == "called"
    assert ticket_state(live_server, second["token"])["status"] == "waiting"
    screenshot(desk, "counter-key-let-go")

    # S then N at once: the visit starts, then is finished by calling the next, in order.
    press_together(desk, "s", "n")
    expect(message).to_contain_text(
        f"{first['number']} 已办结；已呼叫 {second['number']}，请到 1 号窗口"
    )
    expect(queued).to_be_hidden()
    expect(desk.locator("#hand-number")).to_have_text(second["number"])
    assert ticket_state(live_server, first["token"])["status"] == "finished"

    # Each action says what it did, in both languages.
    desk.keyboard.press("x")
    expect(message).to_contain_text(f"{second['number']} 已记为过号")
    desk.click("[data-lang-choice=en]")
    expect(message).to_contain_text(f"{second['number']} marked as missed", use_inner_text=True)
    desk.click("[data-lang-choice=zh]")


def test_a_stopped_printer_of_the_hall_shows_on_the_window_until_it_is_back(
    live_server, desk, kiosk_printer
):
    banner = desk.locator("#printer-alert")
    expect(banner).to_be_hidden()
    kiosk_printer.stop()
    expect(banner).to_be_visible(timeout=10_000)
    expect(banner).to_contain_text("mzj-kiosk-1（离线）")
    screenshot(desk, "counter-printer-offline")
    kiosk_printer.start()
    expect(banner).to_be_hidden(timeout=10_000)
