"""Issue 18's test of done, in headless Chromium against a real server and a fake SMS
gateway (a real HTTP server on 127.0.0.1): the fifth visitor in line leaves a mobile number
on the ticket's page, sees it masked, and the gateway's page then shows "前面还有 3 位" and
"请到 2 号窗口", sent by the server's own sender; "不再接收" stops the messages."""

from __future__ import annotations

import time

import pytest
import requests
from playwright.sync_api import expect

from qhall.tools.fake_receiver import FakeReceiver
from tests.browser import screenshot
from tests.factories import take_live_ticket
from tests.servers import running_server

pytestmark = [pytest.mark.live, pytest.mark.browser]

SECRET = "gateway-secret-for-the-test"
PHONE = "13812345678"
WAIT_S = 30


def window(base: str, login: str, number: int):
    """A window's staff signed in, its window open; return a function that calls next."""
    session = requests.Session()
    signed_in = session.post(f"{base}/api/session", json={"login": login, "password": "qhall-demo"})
    assert signed_in.status_code == 200, signed_in.text
    address = f"{base}/api/units/MZJ/counters/{number}"
    assert session.post(f"{address}/open", json={}, timeout=10).status_code == 200
    return lambda: session.post(f"{address}/call-next", json={}, timeout=10).json()


def gateway_page_once_it_shows(gateway: FakeReceiver, words: str) -> str:
    deadline, page = time.monotonic() + WAIT_S, ""
    while time.monotonic() < deadline:
        page = requests.get(gateway.page_url, timeout=5).text
        if words in page:
            return page
        time.sleep(0.2)
    pytest.fail(f"the gateway never got {words!r}: {page}")


def test_the_fifth_in_line_leaves_a_number_and_hears_near_then_window_2(tmp_path, phone, page):
    with FakeReceiver(secret=SECRET) as gateway:
        settings = {"OUTBOX__CHANNELS__sms__URL": gateway.url,
                    "OUTBOX__CHANNELS__sms__SECRET": SECRET}  # fmt: skip
        with running_server(tmp_path, "--demo", **settings) as server:
            base = server.base_url
            *_, fifth = [take_live_ticket(base, "A") for _ in range(5)]
            phone.goto(f"{base}/t/{fifth['token']}")
            box = phone.locator("#text-me")
            expect(box).to_be_visible()
            phone.fill("#text-me-phone", "12345")
            phone.click("#text-me-save")
            expect(phone.locator("#text-me-error")).to_contain_text("请填写 11 位手机号码")
            phone.fill("#text-me-phone", PHONE)
            phone.click("#text-me-save")
            expect(phone.locator("#text-me-number")).to_have_text("138****5678")
            expect(phone.locator("#text-me-form")).to_be_hidden()
            box.scroll_into_view_if_needed()
            screenshot(phone, "phone-text-me-saved-zh")

            first, second = window(base, "mzj-1", 1), window(base, "mzj-2", 2)
            first()  # four waited ahead of the fifth; now three
            near = gateway_page_once_it_shows(gateway, "前面还有 3 位")
            assert f"{fifth['number']} 号前面还有 3 位" in near
            for call in (first, first, first):
                call()
            assert second()["ticket"]["number"] == fifth["number"]
            called = gateway_page_once_it_shows(gateway, "请到 2 号窗口")
            assert f"请到 2 号窗口办理（{fifth['number']}）" in called
            assert "138****5678" in called and PHONE not in called
            page.goto(gateway.page_url)
            screenshot(page, "fake-sms-gateway")

            phone.click("#text-me-stop")
            expect(phone.locator("#text-me-stopped")).to_be_visible()
            expect(phone.locator("#text-me-form")).to_be_visible()
            screenshot(phone, "phone-text-me-stopped-zh")
            log = server.log_path.read_text(encoding="utf-8", errors="replace")
        assert [m["payload"]["template_id"] for m in gateway.received.messages] == [
            "QHALL_NEAR", "QHALL_CALLED"]  # fmt: skip
        assert gateway.received.bad_signatures == 0 and gateway.received.repeats == 0
        assert PHONE not in log
