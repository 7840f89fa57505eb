"""In headless Chromium against the demo server: the phone page at 390×844 shows its
service's 一次性告知 and lets the visitor leave the line after confirming; the kiosk's guide
shows the same notice. Screenshots for a person to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import PHONE, screenshot
from tests.factories import take_live_ticket

pytestmark = [pytest.mark.live, pytest.mark.browser]


def test_the_phone_shows_the_notice_and_cancels_once_confirmed(live_server, phone):
    ticket = take_live_ticket(live_server.base_url, "A")  # 婚姻登记, whose notice is written
    phone.goto(f"{live_server.base_url}/t/{ticket['token']}")
    expect(phone.locator("#cancel-ask")).to_be_visible()
    phone.click("#notice summary")
    notice = phone.locator("#notice .n-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("近期 2 寸半身免冠双人合影照片", use_inner_text=True)
    expect(notice).to_contain_text("原件 3 份", use_inner_text=True)
    expect(notice).to_contain_text("免费", use_inner_text=True)
    phone.click("#cancel-ask")
    expect(phone.locator("#cancel-confirm")).to_be_visible()
    screenshot(phone, "phone-notice-and-cancel-zh")
    # The page is a phone's: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    phone.click("#cancel-keep")  # a second thought: nothing happens
    expect(phone.locator("#cancel-confirm")).to_be_hidden()
    expect(phone.locator("#status")).to_contain_text("排队等候中", use_inner_text=True)

    phone.click("#cancel-ask")
    phone.click("#cancel-yes")
    expect(phone.locator("#cancel-done")).to_be_visible()
    expect(phone.locator("#status")).to_contain_text("此号已取消", use_inner_text=True)
    expect(phone.locator("#cancel-box")).to_be_hidden()
    phone.click("#lang-switch")
    expect(phone.locator("#cancel-done")).to_contain_text(
        "You have left the line", use_inner_text=True
    )
    screenshot(phone, "phone-cancelled-en")


def test_the_kiosk_guide_shows_the_notice(live_server, page):
    page.goto(f"{live_server.base_url}/kiosk/MZJ")
    page.click('[data-service="B"]')  # 社会救助: a promised case, with five materials
    guide = page.locator("#guide-text .n-notice")
    expect(guide).to_contain_text("家庭经济状况核对授权书", use_inner_text=True)
    expect(guide).to_contain_text("复印件 1 份", use_inner_text=True)
    expect(page.locator("#take-ticket")).to_be_visible()
    screenshot(page, "kiosk-guide-notice-zh")
