"""A booking checks in at the kiosk, in headless Chromium against the production server
with the demo: a visitor books service A of MZJ today on the phone page (its slots are half
hours round the clock, so the first one starts within 30 minutes: inside the check-in
window), then types the code at the kiosk's check-in screen and gets an appointment ticket,
printed; scanning the booking's QR (a scanner types the code and Enter) again answers the
same number and prints nothing new."""

from __future__ import annotations

import random

import pytest
from playwright.sync_api import expect

from tests.browser import screenshot

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"
KIOSK = "kiosk=mzj-kiosk-1&device=demo-kiosk-mzj"  # the demo's registered kiosk


@pytest.fixture
def kiosk(browser):
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
    yield context.new_page()
    context.close()


def shown(locator, text: str) -> None:
    expect(locator).to_contain_text(text, use_inner_text=True)


def book_today(phone, base_url: str) -> str:
    phone.goto(f"{base_url}/book/{UNIT}")
    phone.locator("#services .b-choice").first.click()
    phone.locator("#days .b-choice").first.click()  # today
    phone.locator("#slots .b-choice:not([disabled])").first.click()
    phone.fill("#name", "张三")
    phone.fill("#phone", f"1390000{random.randrange(10000):04d}")
    phone.fill("#id-number", "11010519491231002X")
    screenshot(phone, "book-form-with-id-zh")
    phone.click("#submit")
    expect(phone.locator("#done")).to_be_visible()
    return phone.locator("#code").inner_text()


def test_a_booking_typed_at_the_kiosk_gets_a_printed_appointment_ticket(live_server, phone, kiosk):
    code = book_today(phone, live_server.base_url)

    kiosk.goto(f"{live_server.base_url}/kiosk/{UNIT}?{KIOSK}")
    shown(kiosk.locator("#check-in-link"), "到厅签到")
    screenshot(kiosk, "kiosk-home-with-booking-check-in-zh")
    kiosk.locator("#check-in-link").click()
    expect(kiosk.locator("#booking-form")).to_be_visible()
    screenshot(kiosk, "kiosk-check-in-booking-zh")
    kiosk.fill("#booking-code", code.lower())
    kiosk.locator("#booking-form button[type=submit]").click()
    result = kiosk.locator("#result")
    shown(result, "预约签到成功")
    shown(result, "预约优先")
    number = result.locator(".c-number").inner_text()
    assert number.startswith("A")
    shown(result, "请取走号票")  # the demo kiosk's printer writes to a file
    screenshot(kiosk, "kiosk-booking-checked-in-zh")

    kiosk.locator("#scan").focus()
    kiosk.keyboard.type(code)  # as a scanner types the booking's QR
    kiosk.keyboard.press("Enter")
    shown(result, "您已签到过")
    expect(result.locator(".c-number")).to_have_text(number)
    kiosk.click("#lang-switch")
    shown(result, "You have checked in already")
    screenshot(kiosk, "kiosk-booking-again-en")


def test_a_mistyped_code_is_told_politely_and_issues_nothing(live_server, kiosk):
    kiosk.goto(f"{live_server.base_url}/kiosk/{UNIT}?{KIOSK}")  # keeps the kiosk's token
    kiosk.locator("#check-in-link").click()
    kiosk.fill("#booking-code", "ABC")
    kiosk.locator("#booking-form button[type=submit]").click()
    shown(kiosk.locator("#result"), "预约码为 8 位字母和数字")
    kiosk.fill("#booking-code", "ABCDEFGH")
    kiosk.locator("#booking-form button[type=submit]").click()
    shown(kiosk.locator("#result"), "没有找到该预约")
