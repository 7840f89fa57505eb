"""Today's bookings for window staff, in headless Chromium against the production server
with the demo: two bookings of service A at MZJ today, one checked in at the kiosk; a
signed-in clerk sees both with their states and the ticket's number, at a window PC's
1366×768 and on a phone's 390×844."""

from __future__ import annotations

import random

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import screenshot
from tests.servers import DEMO_KIOSK

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"


@pytest.fixture(scope="module")
def booked(live_server) -> str:
    """Book the first slot of today twice and check one booking in; return its number."""
    base = f"{live_server.base_url}/api/units/{UNIT}/bookings"
    slot = requests.get(f"{base}/slots?service=A", timeout=10).json()
    codes = []
    for name in ("张小三", "李四"):
        body = {"service": "A", "day": slot["day"], "start": slot["slots"][0]["start"],
                "name": name, "phone": f"1370000{random.randrange(10000):04d}"}  # fmt: skip
        made = requests.post(base, json=body, timeout=10)
        assert made.status_code == 201, made.text
        codes.append(made.json()["code"])
    checked = requests.post(
        f"{base}/check-in", json={"code": codes[0]}, headers=DEMO_KIOSK, timeout=10
    )
    assert checked.status_code == 201, checked.text
    return checked.json()["ticket"]["number"]


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_a_clerk_sees_todays_bookings(browser, live_server, booked, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    tab = context.new_page()
    signed = context.request.post(
        f"{live_server.base_url}/api/session", data={"login": "mzj-1", "password": "qhall-demo"}
    )
    assert signed.ok
    tab.goto(f"{live_server.base_url}/counter/bookings?unit={UNIT}")
    table = tab.locator(".bk-service").first
    expect(table.locator(".bk-ticket", has_text=booked)).to_be_visible()
    expect(table.locator(".bk-counts")).to_contain_text("已签到 1", use_inner_text=True)
    expect(table).to_contain_text("张*三", use_inner_text=True)  # masked
    expect(table).to_contain_text("待签到", use_inner_text=True)
    screenshot(tab, f"counter-bookings-{width}x{height}")
    context.close()
