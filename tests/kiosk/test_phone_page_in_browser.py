"""The visitor's phone page in headless Chromium against the production server: it follows
the ticket live, says which window to go to when called, and asks for a rating when the
visit is done. Window 1 of the demo hall MZJ serves service A; "mzj-1" works there."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import screenshot
from tests.factories import take_live_ticket
from tests.servers import open_and_empty_window

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"


@pytest.fixture(scope="module")
def staff(live_server):
    """A signed-in window clerk with window 1 open."""
    session = requests.Session()
    response = session.post(
        f"{live_server.base_url}/api/session",
        json={"login": "mzj-1", "password": "qhall-demo"},
        timeout=5,
    )
    assert response.status_code == 200
    act(session, live_server, "open")
    return session


def act(session, server, action: str) -> dict:
    response = session.post(
        f"{server.base_url}/api/units/{UNIT}/counters/1/{action}", json={}, timeout=5
    )
    assert response.status_code == 200, response.text
    return response.json()


def shown(locator, text: str) -> None:
    expect(locator).to_contain_text(text, use_inner_text=True)


def test_the_phone_page_follows_the_ticket_from_the_line_to_the_rating(live_server, staff, phone):
    open_and_empty_window(staff, live_server.base_url, 1, UNIT)  # no one else ahead
    first = take_live_ticket(live_server.base_url)
    mine = take_live_ticket(live_server.base_url)
    phone.goto(f"{live_server.base_url}/t/{mine['token']}")
    expect(phone.locator(".p-number")).to_have_text(mine["number"])
    shown(phone.locator("#status"), "排队等候中")
    expect(phone.locator("#ahead")).to_have_text("1")
    screenshot(phone, "phone-waiting-zh")

    called = act(staff, live_server, "call-next")  # the visitor before me
    assert called["ticket"]["number"] == first["number"]
    expect(phone.locator("#ahead")).to_have_text("0")

    phone.click("#alerts")  # the visitor allows sound
    act(staff, live_server, "call-next")  # me
    shown(phone.locator("#status"), "请到 1 号窗口办理")
    expect(phone.locator("#figures")).to_be_hidden()
    screenshot(phone, "phone-called-zh")

    act(staff, live_server, "finish")
    shown(phone.locator("#status"), "办理完毕，感谢您的光临")
    expect(phone.locator("#rating")).to_be_visible()
    screenshot(phone, "phone-finished-zh")
    phone.click('[data-level="2"]')
    expect(phone.locator("#reason-box")).to_be_visible()  # a bad rating says why
    screenshot(phone, "phone-rating-bad-zh")
    phone.click('[data-level="4"]')
    expect(phone.locator("#reason-box")).to_be_hidden()
    phone.click("#rate-submit")
    expect(phone.locator("#rated")).to_be_visible()
    rating = requests.get(
        f"{live_server.base_url}/api/tickets/{mine['token']}/rating", timeout=5
    ).json()
    assert rating["rating"]["level"] == 4 and rating["can_rate"] is False


def test_the_phone_page_speaks_english_too(live_server, phone):
    ticket = take_live_ticket(live_server.base_url, "D")
    phone.goto(f"{live_server.base_url}/t/{ticket['token']}")
    shown(phone.locator("#status"), "排队等候中")
    phone.click("#lang-switch")
    shown(phone.locator("#status"), "Waiting")
    shown(phone.locator(".p-service"), "Consultation and agency")
    screenshot(phone, "phone-waiting-en")


def test_a_wrong_link_is_said_politely(live_server, phone):
    response = phone.goto(f"{live_server.base_url}/t/not-a-real-ticket")
    assert response.status == 404
    shown(phone.locator("h1"), "没有找到这张票，请核对二维码。")
