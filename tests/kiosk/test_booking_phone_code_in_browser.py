"""Where the hall texts, the phone booking page asks for the code texted to the phone: the
visitor taps 获取验证码, reads the code in the text (the fake gateway, a real HTTP server),
types it and is booked; a wrong code is told politely and books nothing, and the code still serves (five tries). Headless Chromium
against the production server with the demo, at a phone's size."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from qhall.tools.fake_receiver import FakeReceiver
from tests.browser import screenshot
from tests.servers import running_server

pytestmark = [pytest.mark.live, pytest.mark.browser]

SECRET = "gateway-secret-for-the-booking-test"
PHONE = "13800138001"


def test_a_booking_is_made_with_the_code_texted_to_its_phone(tmp_path, phone):
    with FakeReceiver(secret=SECRET) as gateway:
        settings = {"OUTBOX__CHANNELS__sms__URL": gateway.url,
                    "OUTBOX__CHANNELS__sms__SECRET": SECRET}  # fmt: skip
        with running_server(tmp_path, "--demo", **settings) as server:
            phone.goto(f"{server.base_url}/book/MZJ")
            phone.locator("#services .b-choice").first.click()
            phone.locator("#days .b-choice").first.click()
            phone.locator("#slots .b-choice:not([disabled])").first.click()
            phone.fill("#name", "张三")
            phone.fill("#phone", PHONE)
            phone.click("#send-code")
            expect(phone.locator("#code-sent")).to_contain_text("验证码已发送，10 分钟内有效")
            screenshot(phone, "book-phone-code-zh")

            phone.fill("#phone-code", "000000")
            phone.click("#submit")
            expect(phone.locator("#error")).to_contain_text("短信验证码不正确或已过期")
            expect(phone.locator("#done")).to_be_hidden()

            deadline, texted = time.monotonic() + 30, ""
            while not texted and time.monotonic() < deadline:  # the sender looks every second
                texted = "".join(m["payload"].get("text", "") for m in gateway.received.messages)
                time.sleep(0.2)
            code = re.search(r"验证码为 (\d{6})", texted).group(1)
            phone.fill("#phone-code", code)
            phone.click("#submit")
            expect(phone.locator("#done")).to_be_visible()
            expect(phone.locator("#code")).not_to_be_empty()
