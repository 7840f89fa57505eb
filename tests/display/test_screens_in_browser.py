"""The hall screen and the counter-top screen in headless Chromium against the real server:
a call made over the API shows (and is spoken) on both without a reload; each window state
reads right; both screens fit landscape and portrait panels.

The demo hall MZJ: window 1 serves only service A; staff "mzj-1" (党员示范岗) works there.
Tests share one server and may run in any order: each starts from window 1 open with nothing
in hand and no A ticket waiting (see `window_1`).
"""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import CHROMIUM, CHROMIUM_ARGS, screenshot
from tests.factories import take_live_ticket
from tests.servers import open_and_empty_window

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"
LANDSCAPE = {"width": 1920, "height": 1080}
PORTRAIT = {"width": 1080, "height": 1920}


@pytest.fixture(scope="module")
def staff(live_server) -> requests.Session:
    """A signed-in staff member of the hall, with window 1 open."""
    session = requests.Session()
    signed_in = session.post(
        f"{live_server.base_url}/api/session", json={"login": "mzj-1", "password": "qhall-demo"}
    )
    assert signed_in.status_code == 200, signed_in.text
    act(live_server, session, 1, "open")
    return session


@pytest.fixture
def window_1(live_server, staff) -> None:
    """Window 1 open, its last visitor let go and no A ticket waiting."""
    open_and_empty_window(staff, live_server.base_url, 1, UNIT)


def act(live_server, session: requests.Session, window: int, action: str, **body) -> dict:
    """Carry out a window action over the API and return its answer."""
    url = f"{live_server.base_url}/api/units/{UNIT}/counters/{window}/{action}"
    answer = session.post(url, json=body, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def open_screen(browser, url: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    tab = context.new_page()
    tab.goto(url)
    return tab


def test_a_call_next_shows_on_both_screens_and_is_spoken(live_server, browser, staff, window_1):
    hall = open_screen(browser, f"{live_server.base_url}/display/{UNIT}", LANDSCAPE)
    counter = open_screen(browser, f"{live_server.base_url}/display/counter/{UNIT}/1", LANDSCAPE)
    expect(hall.locator("#idle")).to_contain_text("欢迎光临")
    expect(counter.locator("#state-title")).to_contain_text("欢迎光临")
    expect(counter.locator("#staff-name")).to_have_text("李文明")
    expect(counter.locator("#staff-badges")).to_contain_text("党员示范岗")
    expect(hall.locator("#hall")).to_have_attribute("data-voice", "idle")

    number = take_live_ticket(live_server.base_url)["number"]
    expect(hall.locator("#waiting-rows tr[data-service=A] .count")).to_have_text("1")
    called = act(live_server, staff, 1, "call-next")
    assert called["ticket"]["number"] == number

    expect(hall.locator("#current-number")).to_have_text(number)
    expect(hall.locator("#current-window-no")).to_have_text("1")
    expect(hall.locator("#current-call")).to_have_class("current-call flash")
    expect(hall.locator("#windows [data-window='1'] .what")).to_have_text(number)
    expect(hall.locator("#waiting-rows tr[data-service=A] .count")).to_have_text("0")
    expect(counter.locator("#serving-number")).to_have_text(number)
    expect(counter.locator("#state-title")).to_contain_text("请到本窗口办理")
    screenshot(hall, "display-hall-calling-landscape")
    # The announcement was fetched, decoded and played to the end.
    expect(hall.locator("#hall")).to_have_attribute("data-spoken", "1", timeout=30_000)
    said = requests.get(
        f"{live_server.base_url}/api/display/{UNIT}/announcement",
        params={"number": number, "window": 1},
    ).json()["clips"]
    expect(hall.locator("#hall")).to_have_attribute("data-played", f"{len(said)}/{len(said)}")
    expect(hall.locator("#sound-off")).to_be_hidden()

    act(live_server, staff, 1, "start")
    expect(counter.locator("#state-title")).to_contain_text("正在办理")
    act(live_server, staff, 1, "finish")
    expect(hall.locator("#idle")).to_be_visible()
    expect(hall.locator("#recent-calls")).to_contain_text(number)
    expect(counter.locator("#state-title")).to_contain_text("欢迎光临")
    hall.context.close()
    counter.context.close()


def test_the_counter_screen_reads_paused_and_closed_politely(live_server, browser, staff, window_1):
    counter = open_screen(browser, f"{live_server.base_url}/display/counter/{UNIT}/1", LANDSCAPE)
    expect(counter.locator("#staff-name")).to_have_text("李文明")

    act(live_server, staff, 1, "pause", reason="meeting")
    expect(counter.locator("#state-title")).to_contain_text("暂停服务")
    expect(counter.locator("#state-note")).to_contain_text("参加会议")
    screenshot(counter, "display-counter-paused-landscape")

    act(live_server, staff, 1, "resume")
    act(live_server, staff, 1, "close")
    expect(counter.locator("#state-title")).to_contain_text("已下班")
    expect(counter.locator("#staff-card")).to_be_hidden()
    screenshot(counter, "display-counter-closed-landscape")
    act(live_server, staff, 1, "open")
    expect(counter.locator("#state-title")).to_contain_text("欢迎光临")
    counter.context.close()


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_both_screens_fit_the_panel_with_a_number_readable_from_afar(
    live_server, browser, staff, window_1, orientation
):
    viewport = LANDSCAPE if orientation == "landscape" else PORTRAIT
    number = take_live_ticket(live_server.base_url)["number"]
    take_live_ticket(live_server.base_url, "B")
    act(live_server, staff, 1, "call", number=number)
    # Portrait starts its rotation at the picture of the core socialist values.
    item = "commitment" if orientation == "landscape" else "core-socialist-values"
    hall = open_screen(browser, f"{live_server.base_url}/display/{UNIT}?item={item}", viewport)
    counter = open_screen(browser, f"{live_server.base_url}/display/counter/{UNIT}/1", viewport)

    expect(hall.locator("#current-number")).to_have_text(number)
    expect(hall.locator("#content-panel")).to_have_attribute("data-item", item)
    box = hall.locator("#current-number").bounding_box()
    assert box["height"] >= viewport["height"] / 6, box
    expect(counter.locator("#serving-number")).to_have_text(number)
    for tab in (hall, counter):
        fits = tab.evaluate(
            "() => document.documentElement.scrollWidth <= innerWidth"
            " && document.documentElement.scrollHeight <= innerHeight"
        )
        assert fits, f"{tab.url} overflows the {orientation} screen"
    screenshot(hall, f"display-hall-{orientation}")
    screenshot(counter, f"display-counter-{orientation}")
    act(live_server, staff, 1, "finish")
    hall.context.close()
    counter.context.close()


def test_without_the_autoplay_flag_the_screen_says_sound_is_off_until_tapped(live_server, browser):
    strict = [arg for arg in CHROMIUM_ARGS if not arg.startswith("--autoplay-policy")]
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*strict, "--autoplay-policy=document-user-activation-required"],
    )
    try:
        tab = chromium.new_page(viewport=LANDSCAPE, locale="zh-CN")
        tab.goto(f"{live_server.base_url}/display/{UNIT}")
        sound_off = tab.locator("#sound-off")
        expect(sound_off).to_be_visible()
        expect(sound_off).to_contain_text("声音已关闭")
        screenshot(tab, "display-hall-sound-off")
        sound_off.click()
        expect(sound_off).to_be_hidden()
        expect(tab.locator("#hall")).to_have_attribute("data-voice", "idle")
    finally:
        chromium.close()
