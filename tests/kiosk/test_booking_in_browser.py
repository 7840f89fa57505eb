"""The booking page (/book/<unit>) in headless Chromium at a phone's 390×844, against the
production server with the demo: a visitor books service A of hall MZJ, keeps the code and
its QR, then finds the booking by code and phone and cancels it."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import screenshot

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"


@pytest.fixture(scope="module")
def bookable(live_server):
    """Service A of MZJ takes bookings every day, round the clock, a week ahead (set by
    the hall's manager through the API), so the test does not depend on the day it runs."""
    session = requests.Session()
    signed = session.post(
        f"{live_server.base_url}/api/session",
        json={"login": "mzj-manager", "password": "qhall-demo"},
        timeout=5,
    )
    assert signed.status_code == 200
    plan = session.put(
        f"{live_server.base_url}/api/units/{UNIT}/bookings/plan",
        json={"service": "A", "slot_minutes": 60, "capacity": 3, "hours": "00:00-24:00",
              "weekdays": "1234567", "follows_calendar": False, "days_ahead": 7},
        timeout=5,
    )  # fmt: skip
    assert plan.status_code == 200, plan.text
    return live_server


def test_a_visitor_books_on_a_phone_and_cancels_by_code_and_phone(bookable, phone):
    phone.goto(f"{bookable.base_url}/book/{UNIT}")
    screenshot(phone, "book-services-zh")
    phone.locator("#services .b-choice").first.click()
    phone.locator("#days .b-choice").nth(1).click()  # tomorrow: every slot is ahead
    phone.locator("#slots .b-choice:not([disabled])").first.click()
    phone.fill("#name", "张三")
    phone.fill("#phone", "13800001234")
    screenshot(phone, "book-form-zh")
    phone.click("#submit")
    expect(phone.locator("#done")).to_be_visible()
    code = phone.locator("#code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{8}", code)
    phone.wait_for_function("document.getElementById('qr').naturalWidth > 0")
    screenshot(phone, "book-done-zh")
    phone.click("#lang-switch")
    expect(phone.locator("#done-lead")).to_contain_text("Booked. Thank you!", use_inner_text=True)
    screenshot(phone, "book-done-en")
    phone.click("#lang-switch")

    phone.goto(f"{bookable.base_url}/book/{UNIT}")
    phone.click("#tab-mine")
    phone.fill("#find-code", code.lower())
    phone.fill("#find-phone", "13800001234")
    phone.locator("#find-form button[type=submit]").click()
    expect(phone.locator("#found")).to_be_visible()
    phone.click("#cancel-ask")
    phone.click("#cancel-yes")
    expect(phone.locator("#found-what")).to_contain_text("预约已取消", use_inner_text=True)
    expect(phone.locator("#found-actions")).to_be_hidden()  # nothing left to cancel or move
    screenshot(phone, "book-cancelled-zh")
