"""Checking a phone's ticket in, in headless Chromium against the production server: the
phone page says to check in; at the kiosk's check-in screen a scanner types the ticket's
QR code and Enter, and the phone page follows; a phone that opens the hall's check-in
address checks in the tickets it follows. Window 1 of the demo hall MZJ serves A."""

from __future__ import annotations

from datetime import date

import pytest
import requests
from playwright.sync_api import expect

from qhall.check_in import hall_token
from tests.factories import take_live_ticket
from tests.servers import running_server

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"
SECRET = "check-in-browser-secret-0123456789"
KIOSK = "kiosk=mzj-kiosk-1&device=demo-kiosk-mzj"  # the demo's registered kiosk


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The demo with a server secret the test knows, to make the hall's code of today."""
    with running_server(tmp_path_factory.mktemp("check-in"), "--demo", SECRET_KEY=SECRET) as s:
        yield s


@pytest.fixture
def kiosk(browser):
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
    yield context.new_page()
    context.close()


def shown(locator, text: str) -> None:
    expect(locator).to_contain_text(text, use_inner_text=True)


def from_phone(server) -> dict:
    return take_live_ticket(server.base_url, headers={})  # no kiosk: a remote ticket


def test_a_scanner_at_the_kiosk_checks_in_the_phones_ticket(server, phone, kiosk):
    mine = from_phone(server)
    phone.goto(f"{server.base_url}/t/{mine['token']}")
    shown(phone.locator("#status"), "到达大厅后请签到")
    expect(phone.locator("#check-in-box")).to_be_visible()
    code = phone.locator("#check-in-code").inner_text()
    assert len(code) == 6 and code.isdigit()

    kiosk.goto(f"{server.base_url}/kiosk/{UNIT}?{KIOSK}")
    kiosk.locator("#check-in-link").click()
    expect(kiosk.locator("#hall-qr-box")).to_be_visible()  # fetched with the kiosk's token
    kiosk.locator("#scan").focus()
    kiosk.keyboard.type(f"{server.base_url}/t/{mine['token']}")  # as a scanner types
    kiosk.keyboard.press("Enter")
    shown(kiosk.locator("#result"), "签到成功")
    expect(phone.locator("#check-in-box")).to_be_hidden()  # the phone follows live
    shown(phone.locator("#status"), "排队等候中")


def test_a_phone_opening_the_halls_code_checks_in_its_tickets(server, phone):
    mine = from_phone(server)
    phone.goto(f"{server.base_url}/t/{mine['token']}")  # the page keeps its token
    expect(phone.locator("#check-in-box")).to_be_visible()
    day = requests.get(f"{server.base_url}/api/tickets/{mine['token']}", timeout=5).json()["day"]
    shown_code = hall_token(SECRET, UNIT, date.fromisoformat(day))
    phone.goto(f"{server.base_url}/check-in/{UNIT}?h={shown_code}")
    shown(phone.locator("#checked"), f"{mine['number']} 已签到")
    followed = requests.get(f"{server.base_url}/api/tickets/{mine['token']}", timeout=5).json()
    assert followed["checked_in"] is True


def test_a_wrong_code_at_the_hall_checks_in_nothing(server, phone):
    mine = from_phone(server)
    phone.goto(f"{server.base_url}/t/{mine['token']}")
    phone.goto(f"{server.base_url}/check-in/{UNIT}?h=guessed-at-home")
    shown(phone.locator("#checked"), "签到二维码无效")
    followed = requests.get(f"{server.base_url}/api/tickets/{mine['token']}", timeout=5).json()
    assert followed["checked_in"] is False
