"""The province's 好差评 platform end to end (a fake one: a real HTTP server on 127.0.0.1)
against a real server (`qhall serve --demo`) in headless Chromium: the window scans the
visit's 办件编号, the tablet's bad rating reaches the platform within seconds with the
service's 事项编码, its rectification and call-back follow in order; while the platform is
down a manager sees why on the outbox page and sends it again with a click."""

from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from qhall.tools.fake_receiver import FakeReceiver
from tests.browser import screenshot
from tests.servers import DEMO_KIOSK, running_server

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"
PASSWORD = "qhall-demo"
SECRET = "platform-secret-for-the-test"
TABLET = {"X-Device-Token": "demo-tablet-mzj-1"}  # window 1 of MZJ (config/demo.toml)
ITEM_CODE = "000120001000-0001"  # the demo's 事项编码 of MZJ's service A
MATTER = "MZ2026-000123"
ARRIVES_S = 10  # "within seconds": an idle sender looks every second
BAD = {"level": 1, "efficiency": 2, "competence": 3, "attitude": 1, "reasons": ["attitude"],
       "words": "态度生硬", "callback_phone": "13812341234"}  # fmt: skip


@pytest.fixture(scope="module")
def platform():
    with FakeReceiver(secret=SECRET) as receiver:
        yield receiver


@pytest.fixture(scope="module")
def server(tmp_path_factory, platform):
    settings = {"OUTBOX__CHANNELS__haocha__URL": platform.url,
                "OUTBOX__CHANNELS__haocha__SECRET": SECRET}  # fmt: skip
    with running_server(tmp_path_factory.mktemp("haocha"), "--demo", **settings) as live:
        yield live


def arrived(platform, count: int) -> list[dict]:
    """Wait until the platform holds `count` messages; return their payloads."""
    deadline = time.monotonic() + ARRIVES_S
    while len(platform.received.messages) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(platform.received.messages) >= count, platform.received.messages
    return [m["payload"] for m in platform.received.messages]


def session(base: str, login: str) -> requests.Session:
    staff = requests.Session()
    answer = staff.post(f"{base}/api/session", json={"login": login, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return staff


def take_ticket(base: str) -> str:
    answer = requests.post(f"{base}/api/units/{UNIT}/tickets", json={"service": "A"},
                           headers=DEMO_KIOSK, timeout=10)  # fmt: skip
    assert answer.status_code == 201, answer.text
    return answer.json()["number"]


def rate_badly(base: str, number: str) -> None:
    """The visitor rates the visit on window 1's tablet."""
    answer = requests.post(f"{base}/api/units/{UNIT}/counters/1/rating", headers=TABLET,
                           json={"number": number, **BAD}, timeout=10)  # fmt: skip
    assert answer.status_code == 201, answer.text


def step(staff: requests.Session, base: str, item: int, name: str) -> None:
    answer = staff.post(f"{base}/api/units/{UNIT}/rectifications/step", timeout=10, json={
        "item": item, "step": name, "note": "已当面致歉，改进服务用语", "answer": "satisfied"})  # fmt: skip
    assert answer.status_code == 200, answer.text


def test_a_scanned_matter_and_a_bad_rating_reach_the_platform_then_the_rectification(
    server, platform, page
):
    base = server.base_url
    number = take_ticket(base)
    page.goto(f"{base}/counter?unit={UNIT}")
    page.fill("input[name=login]", "mzj-1")
    page.fill("input[name=password]", PASSWORD)
    page.select_option("select[name=window]", "1")
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#window-state")).to_contain_text("服务中")
    page.keyboard.press("n")
    expect(page.locator("#hand-number")).to_have_text(number)
    page.keyboard.press("s")
    expect(page.locator("#hand-status")).to_contain_text("办理中")
    expect(page.locator("#matter-saved")).to_contain_text("请输入或扫描")

    # A scanner types like a keyboard and ends with Enter; M puts the cursor in the field.
    page.keyboard.press("m")
    expect(page.locator("#matter-number")).to_be_focused()
    page.keyboard.type(MATTER + "\n", delay=5)
    expect(page.locator("#matter-saved")).to_contain_text("已记录办件编号：" + MATTER)
    expect(page.locator("#hand-number")).to_have_text(number)  # its keys did not act
    screenshot(page, "counter-matter-number-1920x1080")
    page.set_viewport_size({"width": 1366, "height": 768})
    screenshot(page, "counter-matter-number-1366x768")
    page.locator("#matter-number").blur()
    page.keyboard.press("f")
    expect(page.locator("#hand-number")).to_have_text("—")
    expect(page.locator("#matter-form")).to_be_hidden()

    started = time.monotonic()
    rate_badly(base, number)
    (report,) = arrived(platform, 1)
    assert time.monotonic() - started < ARRIVES_S
    assert report["kind"] == "rating" and report["matter"] == {"matter_number": MATTER}
    assert report["service"]["item_code"] == ITEM_CODE and report["channel"] == "hall_tablet"
    assert report["unit"]["code"] == UNIT and report["window"] == 1
    assert report["staff_no"] == "MZJ101" and report["level"] == 1
    assert "13812341234" not in str(report) and "态度生硬" not in str(report)

    clerk, manager = session(base, "mzj-1"), session(base, "mzj-manager")
    items = clerk.get(f"{base}/api/units/{UNIT}/rectifications", timeout=10).json()
    (item,) = [i["id"] for i in items if i["rating"]["number"] == number]
    step(clerk, base, item, "rectify")
    step(manager, base, item, "verify")
    step(manager, base, item, "call-back")
    _rating, result, callback = arrived(platform, 3)
    assert (result["kind"], callback["kind"]) == ("rectification", "callback")
    assert result["rating_id"] == callback["rating_id"] == report["rating_id"]
    assert result["result"] == "已当面致歉，改进服务用语" and callback["answer"] == "satisfied"
    assert platform.received.bad_signatures == 0 and platform.received.repeats == 0


SCREENS = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}


def test_a_manager_sees_why_a_report_failed_and_sends_it_again(server, platform, browser):
    base = server.base_url
    before = len(platform.received.messages)
    platform.received.failing = True  # the province's platform is down
    clerk = session(base, "mzj-1")
    for action in ("open", "call-next"):  # let go whoever waits (the first test's line)
        assert clerk.post(f"{base}/api/units/{UNIT}/counters/1/{action}", json={}).ok
    number = take_ticket(base)
    for action in ("call-next", "start", "finish"):
        answer = clerk.post(f"{base}/api/units/{UNIT}/counters/1/{action}", json={})
        assert answer.status_code == 200, answer.text
    rate_badly(base, number)

    for size, (width, height) in SCREENS.items():
        page = browser.new_context(viewport={"width": width, "height": height},
                                   locale="zh-CN").new_page()  # fmt: skip
        page.goto(f"{base}/admin/outbox")
        page.fill("input[name=login]", "mzj-manager")
        page.fill("input[name=password]", PASSWORD)
        page.click("#sign-in-form button[type=submit]")
        expect(page.locator("#outbox")).to_be_visible()
        row = page.locator("#outbox tbody tr.failing").first
        for _ in range(20):  # the first try fails within a second or two
            if row.count():
                break
            time.sleep(0.5)
            page.reload()
        expect(row).to_contain_text("HTTP 503")
        expect(row).to_contain_text("发送失败，将重试")
        expect(page.locator('.channel[data-channel="haocha"] [data-count="failing"]')).to_have_text(
            "1"
        )
        expect(page.locator(".sections a[aria-current]")).to_contain_text("外发消息")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"the page is {wide}px wide"
        screenshot(page, f"admin-outbox-failed-{size}")
        if size != "1920x1080":
            page.context.close()

    platform.received.failing = False  # back up: the manager need not wait for the next try
    row.locator("button[data-act=retry]").click()
    expect(page.locator("#outbox-message")).to_contain_text("已安排立即重试")
    arrived(platform, before + 1)
    page.reload()
    sent = page.locator("#outbox tbody tr").first
    expect(sent).to_contain_text("已发送")
    expect(sent.locator(".error-cell")).to_contain_text(re.compile("此前.*HTTP 503"))  # why: >1 try
    screenshot(page, "admin-outbox-sent-1920x1080")
    page.context.close()
