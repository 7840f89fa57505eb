"""The rating tablet at a window in headless Chromium against the production server, standing
(1080×1920) and lying (1920×1080): it is registered once by its address, wakes for the visit
its window finishes, and takes a bad rating through the overall level, 服务效率, 服务水平 and
服务态度, the reasons, the visitor's words and a call-back number; each screen is whole at
1920×1080, 1280×800, 1080×1920 and 800×1280. Screenshots go to /tmp/shots/tablet-*.png.

The demo hall MZJ: window 3 serves B then C; "mzj-3" works there; its tablet's secret is
"demo-tablet-mzj-3" (config/demo.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.factories import take_live_ticket
from tests.servers import open_and_empty_window

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"
WINDOW = 3
SHOTS = Path("/tmp/shots")
SIZES = [(1920, 1080), (1280, 800), (1080, 1920), (800, 1280)]


@pytest.fixture(scope="module")
def staff(live_server):
    """The clerk of window 3, signed in, the window open and no one left waiting for it."""
    session = requests.Session()
    answer = session.post(
        f"{live_server.base_url}/api/session",
        json={"login": "mzj-3", "password": "qhall-demo"},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    open_and_empty_window(session, live_server.base_url, WINDOW, UNIT)
    return session


def act(staff, live_server, action: str) -> dict:
    answer = staff.post(
        f"{live_server.base_url}/api/units/{UNIT}/counters/{WINDOW}/{action}", json={}, timeout=5
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def shoot(tab, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"tablet-{name}.png"), full_page=True)


def assert_whole_at_every_size(tab, name: str) -> None:
    """The screen shown fits each tablet size, standing and lying, without scrolling."""
    shown = tab.viewport_size
    overflowing = {}
    for width, height in SIZES:
        tab.set_viewport_size({"width": width, "height": height})
        overflow = tab.evaluate(
            "[document.documentElement.scrollWidth - innerWidth,"
            " document.documentElement.scrollHeight - innerHeight]"
        )
        if max(overflow) > 0:
            overflowing[f"{width}×{height}"] = overflow
            shoot(tab, f"{name}-overflowing-{width}x{height}")
    tab.set_viewport_size(shown)
    assert overflowing == {}, f"{name} overflows by [x, y] pixels"


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["standing", "lying"])
def test_the_tablet_takes_a_bad_rating_with_its_scores_reasons_and_call_back(
    live_server, browser, staff, size
):
    name = "standing" if size[0] < size[1] else "lying"
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
    tab = context.new_page()
    base = f"{live_server.base_url}/counter/rate/{UNIT}/{WINDOW}"

    # Not registered: it says so, and rates nothing.
    tab.goto(base)
    expect(tab.locator("#rate-closed")).to_contain_text("尚未登记")
    shoot(tab, f"{name}-0-unregistered")
    # Registered once by its address; the secret leaves the address at once.
    tab.goto(f"{base}?device=demo-tablet-mzj-{WINDOW}")
    expect(tab.locator("#rate-idle")).to_be_visible()
    assert "device" not in tab.url
    tab.reload()
    expect(tab.locator("#rate-idle")).to_be_visible()  # it kept its secret
    assert_whole_at_every_size(tab, f"{name}-1-idle")
    shoot(tab, f"{name}-1-idle")

    # The window serves a visitor and finishes: the tablet wakes for that number.
    ticket = take_live_ticket(live_server.base_url, "B")
    assert act(staff, live_server, "call-next")["ticket"]["number"] == ticket["number"]
    act(staff, live_server, "start")
    act(staff, live_server, "finish")
    expect(tab.locator("#rate-ask")).to_be_visible()
    expect(tab.locator("#rate-number")).to_contain_text(ticket["number"])
    assert_whole_at_every_size(tab, f"{name}-2-level")
    shoot(tab, f"{name}-2-level")

    # 不满意, then the three scores: all three are needed.
    tab.click("button[data-level='2']")
    expect(tab.locator("#rate-dims")).to_be_visible()
    expect(tab.locator("#dims-level")).to_contain_text("不满意")
    tab.click("[data-dim=efficiency] button[data-score='2']")
    tab.click("#dims-next")
    expect(tab.locator("#rate-dims-message")).to_contain_text("服务水平")
    tab.click("[data-dim=competence] button[data-score='3']")
    tab.click("[data-dim=attitude] button[data-score='4']")
    expect(tab.locator("[data-dim=attitude] button[data-score='4']")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_whole_at_every_size(tab, f"{name}-3-scores")
    shoot(tab, f"{name}-3-scores")
    tab.click("#dims-next")

    # Why: at least one reason; "其他" needs a few words; a number for the call-back.
    expect(tab.locator("#rate-reason")).to_be_visible()
    tab.click("#rate-send")
    expect(tab.locator("#rate-reason-message")).to_contain_text("请至少选择一项原因")
    tab.click("button[data-reason='long_wait']")
    tab.click("button[data-reason='other']")
    tab.click("#rate-send")
    expect(tab.locator("#rate-reason-message")).to_contain_text("请简单写几句原因")
    tab.fill("#rate-words", "叫号后等了很久才开始办理")
    tab.fill("#rate-phone", "call me")
    tab.click("#rate-send")
    expect(tab.locator("#rate-reason-message")).to_contain_text("手机号码或固定电话")
    tab.fill("#rate-phone", "138 1234 5678")
    assert_whole_at_every_size(tab, f"{name}-4-reasons")
    shoot(tab, f"{name}-4-reasons")
    tab.click("#rate-send")

    # Thanks, and the call-back promised, since there is a number to call.
    expect(tab.locator("#rate-thanks")).to_be_visible()
    expect(tab.locator("#rate-followup")).to_contain_text("5个工作日内回访您")
    assert_whole_at_every_size(tab, f"{name}-5-thanks")
    shoot(tab, f"{name}-5-thanks")
    rated = requests.get(
        f"{live_server.base_url}/api/tickets/{ticket['token']}/rating", timeout=5
    ).json()["rating"]
    assert (rated["level"], rated["source"], rated["device"]) == (2, "tablet", "mzj-tablet-3")
    assert (rated["efficiency"], rated["competence"], rated["attitude"]) == (2, 3, 4)
    assert [r["code"] for r in rated["reasons"]] == ["long_wait", "other"]
    assert rated["callback_phone"] == "138****5678"
    context.close()
