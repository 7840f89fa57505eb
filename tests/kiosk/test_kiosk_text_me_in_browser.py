"""At a hall that sends texts, the kiosk's ticket screen offers 短信提醒: the visitor types a
mobile number on a keypad over the screen and is told, masked, where the texts will go;
the fake gateway (a real HTTP server) then gets the call to the window. In headless
Chromium against the production server, at the kiosk's portrait and landscape sizes."""

from __future__ import annotations

import time

import pytest
import requests
from playwright.sync_api import expect

from qhall.tools.fake_receiver import FakeReceiver
from tests.browser import screenshot
from tests.servers import open_and_empty_window, running_server

pytestmark = [pytest.mark.live, pytest.mark.browser]

SECRET = "gateway-secret-for-the-kiosk-test"
KIOSK = "/kiosk/MZJ?kiosk=mzj-kiosk-1&device=demo-kiosk-mzj"


def test_a_number_typed_at_the_kiosk_hears_its_call(browser, tmp_path):
    with FakeReceiver(secret=SECRET) as gateway:
        settings = {"OUTBOX__CHANNELS__sms__URL": gateway.url,
                    "OUTBOX__CHANNELS__sms__SECRET": SECRET}  # fmt: skip
        with running_server(tmp_path, "--demo", **settings) as server:
            staff = requests.Session()
            signed_in = staff.post(f"{server.base_url}/api/session",
                                   json={"login": "mzj-1", "password": "qhall-demo"})  # fmt: skip
            assert signed_in.status_code == 200, signed_in.text
            open_and_empty_window(staff, server.base_url, 1, "MZJ")
            for size, name in (({"width": 1080, "height": 1920}, "portrait"),
                               ({"width": 1920, "height": 1080}, "landscape")):  # fmt: skip
                context = browser.new_context(viewport=size, locale="zh-CN", has_touch=True)
                kiosk = context.new_page()
                kiosk.goto(server.base_url + KIOSK)
                kiosk.click('.k-service[data-service="A"]')
                kiosk.click("#take-ticket")
                expect(kiosk.locator("#ticket-number")).to_have_text(
                    "A001" if name == "portrait" else "A002"
                )
                kiosk.click("#text-me-open")
                for key in "1380013800":
                    kiosk.click(f'#text-me-panel [data-key="{key}"]')
                expect(kiosk.locator("#text-me-send")).to_be_disabled()  # ten digits: not yet
                kiosk.click('#text-me-panel [data-key="0"]')
                expect(kiosk.locator("#text-me-number")).to_have_text("138 0013 8000")
                screenshot(kiosk, f"kiosk-text-me-keypad-{name}")
                kiosk.click("#text-me-send")
                said = kiosk.locator("#text-me-said")
                expect(said).to_contain_text("将发短信至 138****8000")
                expect(kiosk.locator("#text-me-open")).to_be_hidden()
                assert "13800138000" not in kiosk.content()
                screenshot(kiosk, f"kiosk-text-me-said-{name}")
                context.close()

            called = staff.post(f"{server.base_url}/api/units/MZJ/counters/1/call-next", timeout=10)
            assert called.json()["ticket"]["number"] == "A001"
            deadline, page = time.monotonic() + 30, ""
            while time.monotonic() < deadline and "1 号窗口" not in page:
                page = requests.get(gateway.page_url, timeout=5).text
                time.sleep(0.3)
            assert "1 号窗口" in page and "138****8000" in page
