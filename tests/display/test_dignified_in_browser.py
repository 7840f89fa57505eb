"""The funeral home's hall screen (the demo's BYG, dignified) in headless Chromium against the
real server: subdued colours, no slogan, no ranking, no welcome, and a call that is shown and
spoken without a chime or a closing word."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from qhall.profiles import CAMPAIGN_BANNER, PROFILES
from tests.browser import screenshot
from tests.servers import open_and_empty_window

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "BYG"
KIOSK = {"X-Device-Token": "demo-kiosk-byg"}  # config/demo.toml
QUIET = PROFILES["dignified"]
# Seeded screen content (config/screen_content.toml) that is a slogan, and the campaign red.
SLOGAN_ITEMS = ("core-socialist-values", "civility-queue", "commitment", "standards")
CAMPAIGN_RED = "rgb(183, 28, 28)"


@pytest.fixture(scope="module")
def staff(live_server) -> requests.Session:
    """The funeral home's staff member, signed in, with window 1 open and empty."""
    session = requests.Session()
    signed_in = session.post(
        f"{live_server.base_url}/api/session", json={"login": "byg-1", "password": "qhall-demo"}
    )
    assert signed_in.status_code == 200, signed_in.text
    open_and_empty_window(session, live_server.base_url, 1, UNIT)
    return session


def test_the_funeral_homes_screen_is_quiet_and_calls_without_a_chime(live_server, browser, staff):
    base = live_server.base_url
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    hall = context.new_page()
    # Asked to start at a slogan, the screen has none to show and starts at the rules.
    hall.goto(f"{base}/display/{UNIT}?item=core-socialist-values")
    expect(hall.locator("body")).to_have_class("hall-screen profile-dignified")
    expect(hall.locator("#content-panel")).to_have_attribute("data-item", "rules")
    expect(hall.locator("#idle")).to_contain_text(QUIET.idle[0][0])
    expect(hall.locator(".hall-foot")).to_have_text(f"{QUIET.banner[0]}{QUIET.banner[1]}")
    text = hall.locator("body").inner_text()
    assert "欢迎光临" not in text and CAMPAIGN_BANNER[0] not in text
    head = hall.locator(".hall-head").evaluate("e => getComputedStyle(e).backgroundColor")
    assert head == "rgb(69, 90, 100)" != CAMPAIGN_RED
    shown = requests.get(f"{base}/api/display/{UNIT}/content", timeout=10).json()["items"]
    assert shown and {i["kind"] for i in shown} <= {"rules", "service_items"}
    assert not {i["key"] for i in shown} & set(SLOGAN_ITEMS)

    ticket = requests.post(
        f"{base}/api/units/{UNIT}/tickets", json={"service": "A"}, headers=KIOSK, timeout=10
    )
    assert ticket.status_code == 201, ticket.text
    number = ticket.json()["number"]
    with hall.expect_response(lambda r: "/announcement" in r.url) as announced:
        called = staff.post(f"{base}/api/units/{UNIT}/counters/1/call-next", timeout=10)
        assert called.json()["ticket"]["number"] == number
    said = announced.value.json()
    assert said["clips"][0] == "qing" and "chime" not in said["clips"]
    assert said["clips"][-1] == "hao_chuangkou" and said["text"] == f"请 {number} 号到 1 号窗口"
    expect(hall.locator("#current-number")).to_have_text(number)
    expect(hall.locator("#hall")).to_have_attribute("data-spoken", "1", timeout=30_000)
    screenshot(hall, "display-hall-dignified-landscape")
    context.close()


def test_the_screens_above_the_funeral_homes_windows_are_quiet_too(live_server, browser, staff):
    base = live_server.base_url
    open_and_empty_window(staff, base, 1, UNIT)  # open, with no one called: a welcome
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/display/counter/{UNIT}/1")
    expect(page.locator("body")).to_have_class("counter-screen profile-dignified")
    expect(page.locator("#state-title")).to_contain_text(QUIET.idle[0][0])
    expect(page.locator("#staff-card")).to_be_visible()
    assert page.locator("#staff-badges li").count() == 0  # no model-post honours
    head = page.locator(".counter-head").evaluate("e => getComputedStyle(e).backgroundColor")
    assert head == "rgb(69, 90, 100)" != CAMPAIGN_RED
    screenshot(page, "display-counter-dignified")
    page.goto(f"{base}/display/counter/{UNIT}/2")  # closed: never "come again"
    expect(page.locator("#state-note")).to_contain_text(QUIET.window_closed_note[0])
    text = page.locator("body").inner_text()
    assert "欢迎光临" not in text and "下次光临" not in text
    context.close()
