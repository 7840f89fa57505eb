"""Every page whole at every screen size, in headless Chromium against the real server: the
kiosk (normal and elderly mode), the phone page of a live ticket, the hall screen, the
window screen, the rating tablet, the counter page and the admin dashboard, each at
1920×1080, 1080×1920, 1366×768, 1280×800, 800×1280 and 390×844. A page fails when it
scrolls sideways, when a visible element lies partly outside the screen's width (or, on a
screen that never scrolls, below its bottom), when an element cuts its own text off, or when
buttons, headings or tiles cover each other. The hall screen at 1920×1080 also has no text
under 18 px and shows at least six recent calls. Screenshots: layout-<page>-<w>x<h>.png.

The demo hall MZJ: windows 1 and 2 serve A, window 3 serves B and C; logins "mzj-1" … "mzj-3"
and "mzj-manager", password "qhall-demo"; window 3's tablet secret "demo-tablet-mzj-3"."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import screenshot
from tests.factories import take_live_ticket
from tests.servers import open_and_empty_window

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"
PASSWORD = "qhall-demo"
SIZES = [(1920, 1080), (1080, 1920), (1366, 768), (1280, 800), (800, 1280), (390, 844)]
CALLS = 8  # more than the six recent calls the hall screen must keep
MIN_HALL_TEXT_PX = 18
MIN_STANDING_WAIT_PX = 21  # a service's name in the waits, on a 1080×1920 hall screen
PHONE_WIDTH = 600

# What a person would call a broken page, measured in the page. `fixed` pages are screens
# that never scroll (kiosk, hall, window screen, tablet): there an element below the bottom
# edge is as lost as one beside it.
FAULTS_JS = """
({fixed, extra}) => {
  const W = document.documentElement.clientWidth, H = document.documentElement.clientHeight;
  const faults = [];
  const name = (el) => {
    let text = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
    if (el.classList.length) text += "." + [...el.classList].join(".");
    const words = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 30);
    return words ? text + " '" + words + "'" : text;
  };
  const shown = (el) => {
    if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: false })) return null;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 ? box : null;
  };
  if (document.documentElement.scrollWidth > window.innerWidth) {
    faults.push("the page scrolls sideways by "
                + (document.documentElement.scrollWidth - window.innerWidth) + " px");
  }
  for (const el of document.body.querySelectorAll("*")) {
    const box = shown(el);
    if (!box) continue;
    if (box.left < -1 || box.right > W + 1) {
      faults.push(name(el) + " runs off the side: " + Math.round(box.left) + ".." + Math.round(box.right));
    } else if (fixed && (box.top < -1 || box.bottom > H + 1)) {
      faults.push(name(el) + " runs off the bottom: " + Math.round(box.top) + ".." + Math.round(box.bottom));
    }
    const style = getComputedStyle(el);
    const cutX = ["hidden", "clip"].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    const cutY = ["hidden", "clip"].includes(style.overflowY) && el.scrollHeight > el.clientHeight + 1;
    if ((cutX || cutY) && el !== document.documentElement) {
      faults.push(name(el) + " cuts its content off (" + el.scrollWidth + "×" + el.scrollHeight
                  + " in " + el.clientWidth + "×" + el.clientHeight + ")");
    }
  }
  for (const el of document.querySelectorAll("button, .tile, .k-service, .window-card")) {
    if (shown(el) && (el.scrollHeight > el.clientHeight + 2 || el.scrollWidth > el.clientWidth + 2)) {
      faults.push(name(el) + " spills its text out of its box");
    }
  }
  const selector = "button, a[href], input, select, textarea, h1, h2, h3, .tile, .k-service,"
                   + " .window-card, [data-overlap-check]" + (extra ? ", " + extra : "");
  const boxes = [...document.querySelectorAll(selector)].map((el) => [el, shown(el)]).filter(([, b]) => b);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, boxA] = boxes[i], [b, boxB] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      const across = Math.min(boxA.right, boxB.right) - Math.max(boxA.left, boxB.left);
      const down = Math.min(boxA.bottom, boxB.bottom) - Math.max(boxA.top, boxB.top);
      if (across > 1 && down > 1) faults.push(name(a) + " covers " + name(b));
    }
  }
  return faults;
}
"""

SMALL_TEXT_JS = """
(least) => {
  const small = [];
  for (const el of document.body.querySelectorAll("*")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.checkVisibility({ visibilityProperty: true })) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < least) small.push(el.tagName.toLowerCase() + "." + el.className + " '"
                              + el.textContent.trim().slice(0, 20) + "' " + px.toFixed(1) + " px");
  }
  return small;
}
"""


def faults_at_every_size(
    tab, name: str, fixed: bool, ready, extra: str = "", phone_scrolls: bool = False
) -> str:
    """Load the page at each size, screenshot it, and return its faults, one a line; a
    fixed screen that a phone may also open (the kiosk) may scroll on the phone."""
    found = {}
    for width, height in SIZES:
        tab.set_viewport_size({"width": width, "height": height})
        tab.reload()
        ready(tab)
        tab.evaluate("document.fonts.ready")
        tab.wait_for_timeout(300)  # hall.js fits its panels after the fonts arrive
        screenshot(tab, f"layout-{name}-{width}x{height}")
        still = fixed and not (phone_scrolls and width < PHONE_WIDTH)
        faults = tab.evaluate(FAULTS_JS, {"fixed": still, "extra": extra})
        found.update({f"{width}x{height} {fault}": None for fault in faults})
    return "\n".join(found)


def assert_whole(faults: str) -> None:
    """Fail with every fault found, one a line."""
    if faults:
        pytest.fail("the page is not whole:\n" + faults, pytrace=False)


def staff_session(live_server, login: str) -> requests.Session:
    session = requests.Session()
    answer = session.post(
        f"{live_server.base_url}/api/session",
        json={"login": login, "password": PASSWORD},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    return session


@pytest.fixture(scope="module")
def hall(live_server):
    """A morning in progress: windows 1–3 open, CALLS calls made among them, a visitor at
    window 3 just finished (its tablet asks for a rating), and a D ticket still waiting."""
    clerks = {window: staff_session(live_server, f"mzj-{window}") for window in (1, 2, 3)}
    for window, clerk in clerks.items():
        open_and_empty_window(clerk, live_server.base_url, window, UNIT)
    for index in range(CALLS):
        take_live_ticket(live_server.base_url, "B" if index % 3 == 2 else "A")
    base = f"{live_server.base_url}/api/units/{UNIT}/counters"
    called = []
    for index in range(CALLS):
        window = index % 3 + 1
        answer = clerks[window].post(f"{base}/{window}/call-next", timeout=5)
        assert answer.status_code == 200, answer.text
        called.append(answer.json()["ticket"]["number"])
    for action in ("start", "finish"):
        assert clerks[3].post(f"{base}/3/{action}", timeout=5).ok
    return {"called": called, "waiting": take_live_ticket(live_server.base_url, "D")}


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    yield context.new_page()
    context.close()


def kiosk_ready(tab):
    expect(tab.locator(".k-service")).to_have_count(4)


def test_the_kiosk_is_whole_at_every_size(live_server, hall, tab):
    tab.goto(f"{live_server.base_url}/kiosk/{UNIT}")
    assert_whole(faults_at_every_size(tab, "kiosk", True, kiosk_ready, phone_scrolls=True))


def test_the_kiosk_in_elderly_mode_shows_four_services_whole_at_every_size(live_server, hall, tab):
    def elderly(tab):
        kiosk_ready(tab)
        tab.click("#elderly-switch")
        expect(tab.locator("body")).to_have_class("kiosk elderly")
        expect(tab.locator(".k-service")).to_have_count(4)  # all four, on one page
        expect(tab.locator("#pager")).to_be_hidden()

    tab.goto(f"{live_server.base_url}/kiosk/{UNIT}")
    assert_whole(faults_at_every_size(tab, "kiosk-elderly", True, elderly, phone_scrolls=True))


def test_the_phone_page_is_whole_at_every_size(live_server, hall, tab):
    tab.goto(f"{live_server.base_url}/t/{hall['waiting']['token']}")

    def ready(tab):
        expect(tab.locator("#status")).not_to_be_empty()

    assert_whole(faults_at_every_size(tab, "phone", False, ready))


def test_the_hall_screen_is_whole_readable_and_keeps_six_recent_calls(live_server, hall, tab):
    tab.goto(f"{live_server.base_url}/display/{UNIT}")

    def ready(tab):
        expect(tab.locator("#current-number")).to_have_text(hall["called"][-1])
        expect(tab.locator(".window-card")).to_have_count(5)

    faults = faults_at_every_size(tab, "hall", True, ready, extra="#recent-calls li")
    assert_whole(faults)
    tab.set_viewport_size({"width": 1920, "height": 1080})
    tab.reload()
    ready(tab)
    tab.evaluate("document.fonts.ready")
    tab.wait_for_timeout(300)
    assert tab.evaluate(SMALL_TEXT_JS, MIN_HALL_TEXT_PX) == []
    recent = tab.locator("#recent-calls li:visible")
    shown = [recent.nth(i).locator(".num").inner_text() for i in range(recent.count())]
    assert shown[:6] == list(reversed(hall["called"]))[1:7]
    # Each window's name shows whole, never cut to an ellipsis.
    for card in tab.locator(".window-card .name").all():
        assert card.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), card.inner_text()
    # Standing, the waits are not shrunk to make room for the campaign content.
    tab.set_viewport_size({"width": 1080, "height": 1920})
    tab.reload()
    ready(tab)
    tab.evaluate("document.fonts.ready")
    tab.wait_for_timeout(300)
    names = tab.locator("#waiting-rows .zh").evaluate_all(
        "els => els.map((el) => parseFloat(getComputedStyle(el).fontSize))"
    )
    assert names and min(names) >= MIN_STANDING_WAIT_PX, names


def test_the_window_screen_is_whole_at_every_size(live_server, hall, tab):
    tab.goto(f"{live_server.base_url}/display/counter/{UNIT}/1")

    def ready(tab):
        expect(tab.locator("#serving-number")).to_have_text(hall["called"][-2])

    assert_whole(faults_at_every_size(tab, "window-screen", True, ready))


def test_the_rating_tablet_is_whole_at_every_size(live_server, hall, tab):
    tab.goto(f"{live_server.base_url}/counter/rate/{UNIT}/3?device=demo-tablet-mzj-3")

    def asking(tab):
        expect(tab.locator("#rate-ask")).to_be_visible()

    def scoring(tab):
        asking(tab)
        tab.click("button[data-level='2']")
        expect(tab.locator("#rate-dims")).to_be_visible()

    assert_whole(faults_at_every_size(tab, "tablet-level", True, asking))
    assert_whole(faults_at_every_size(tab, "tablet-scores", True, scoring))


def test_the_counter_page_is_whole_at_every_size(live_server, hall, tab):
    tab.goto(f"{live_server.base_url}/counter?unit={UNIT}")
    tab.fill("input[name=login]", "mzj-2")
    tab.fill("input[name=password]", PASSWORD)
    tab.select_option("select[name=window]", "2")
    tab.click("#sign-in-form button[type=submit]")
    expect(tab.locator("#desk")).to_be_visible()

    def ready(tab):
        expect(tab.locator("#desk")).to_be_visible()
        expect(tab.locator("#hand-number")).to_have_text(hall["called"][-1])

    assert_whole(faults_at_every_size(tab, "counter", False, ready))


def test_the_admin_dashboard_is_whole_at_every_size(live_server, hall, tab):
    tab.goto(f"{live_server.base_url}/admin/")
    tab.fill("input[name=login]", "mzj-manager")
    tab.fill("input[name=password]", PASSWORD)
    tab.click("#sign-in-form button[type=submit]")
    expect(tab.locator(".admin-bar")).to_be_visible()

    def ready(tab):
        expect(tab.locator(".admin-bar")).to_be_visible()
        expect(tab.locator('[data-tile="waiting"] .tile-value')).not_to_have_text("—")

    assert_whole(faults_at_every_size(tab, "admin", False, ready))
