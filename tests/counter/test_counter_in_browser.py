"""A day at the window in headless Chromium against the real server: a staff member signs in
and opens window 2, calls with the keypad keys (priority first), transfers, finishes; the
window's rating tablet wakes, a bad rating needs a reason and opens its rectification item on
the staff's screen; a first inquiry is registered and a promised case accepted with its
deadline; the visitor's phone rating page.

The demo hall MZJ: window 2 serves A (marriage registration) then D; B is a promised service
(20 working days); staff "mzj-2", manager "mzj-manager", password "qhall-demo".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import screenshot
from tests.factories import take_live_ticket
from tests.servers import open_and_empty_window

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"
WINDOW = 2
PASSWORD = "qhall-demo"


def ticket_state(live_server, token: str) -> dict:
    return requests.get(f"{live_server.base_url}/api/tickets/{token}", timeout=5).json()


def sign_in(page, live_server, login: str, window: int):
    page.goto(f"{live_server.base_url}/counter?unit={UNIT}")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.select_option("select[name=window]", str(window))
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#desk")).to_be_visible()
    expect(page.locator("#window-state")).to_contain_text("服务中")


@pytest.fixture
def tablet(browser, live_server):
    """The rating tablet facing the visitor at window 2 (a touch screen of its own)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    tab = context.new_page()
    # The demo's registered tablet of window 2 (config/demo.toml), given its secret once.
    tab.goto(f"{live_server.base_url}/counter/rate/{UNIT}/{WINDOW}?device=demo-tablet-mzj-2")
    expect(tab.locator("#rate-idle")).to_be_visible()
    yield tab
    context.close()


def test_a_day_at_the_window_call_transfer_finish_and_a_bad_rating(live_server, page, tablet):
    screenshot(tablet, "counter-rate-tablet-idle")
    first = take_live_ticket(live_server.base_url, "A")
    elder = take_live_ticket(live_server.base_url, "A", "elderly")
    page.goto(f"{live_server.base_url}/counter?unit={UNIT}")
    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator("#desk")).to_be_hidden()
    screenshot(page, "counter-sign-in")
    sign_in(page, live_server, "mzj-2", WINDOW)

    # The line in the order the window calls: the elderly visitor first, marked.
    line = page.locator("#line li")
    expect(line.first).to_contain_text(elder["number"])
    expect(line.first.locator(".priority")).to_contain_text("老年人")
    expect(line.nth(1)).to_contain_text(first["number"])

    # The keypad's N calls the next visitor; the priority class is shown for checking.
    page.keyboard.press("n")
    expect(page.locator("#hand-number")).to_have_text(elder["number"])
    expect(page.locator("#hand-priority")).to_contain_text("请核验")
    screenshot(page, "counter-calling-priority")

    # Transfer to window 1, keeping the visitor's place: once it is open, it is offered by name.
    colleague = requests.Session()
    signed = colleague.post(f"{live_server.base_url}/api/session",
                            json={"login": "mzj-1", "password": PASSWORD}, timeout=5)  # fmt: skip
    assert signed.ok and colleague.post(f"{live_server.base_url}/api/units/{UNIT}/counters/1/open", timeout=5).ok  # fmt: skip
    page.click("button[data-action=transfer]")
    expect(page.locator("#ask select[name=to_window] option[value='1']")).to_contain_text(
        "1号窗口 · "
    )
    expect(page.locator("#ask select[name=to_window] option[value='3']")).to_have_count(0)  # closed
    page.select_option("#ask select[name=to_window]", "1")
    screenshot(page, "counter-transfer-dialog")
    page.click("#ask-ok")
    expect(page.locator("#hand-number")).to_have_text("—")
    moved = ticket_state(live_server, elder["token"])
    assert (moved["status"], moved["transfers"]) == ("waiting", 1)
    expect(line.first).to_contain_text(first["number"])  # window 2 no longer calls it

    # Call, start and finish the next visitor with the keys; a double press calls once.
    page.keyboard.press("n")
    page.keyboard.press("n")
    expect(page.locator("#hand-number")).to_have_text(first["number"])
    page.keyboard.press("s")
    expect(page.locator("#hand-status")).to_contain_text("办理中")
    page.keyboard.press("f")
    expect(page.locator("#fig-served")).to_have_text("1")
    assert ticket_state(live_server, first["token"])["status"] == "finished"

    # The tablet wakes for the visit just finished; a bad rating asks its scores, then why.
    expect(tablet.locator("#rate-ask")).to_be_visible()
    expect(tablet.locator("#rate-number")).to_contain_text(first["number"])
    expect(tablet.locator("#rate-idle")).to_be_hidden()
    expect(tablet.locator("#rate-thanks")).to_be_hidden()
    screenshot(tablet, "counter-rate-tablet-ask")
    tablet.click("button[data-level='1']")
    for dimension, score in (("efficiency", 2), ("competence", 3), ("attitude", 1)):
        tablet.click(f"[data-dim={dimension}] button[data-score='{score}']")
    tablet.click("#dims-next")
    expect(tablet.locator("#rate-reason")).to_be_visible()
    tablet.click("#rate-send")
    expect(tablet.locator("#rate-reason-message")).to_contain_text("请至少选择一项原因")
    tablet.click("button[data-reason='attitude']")
    tablet.fill("#rate-words", "说话不耐烦")
    tablet.fill("#rate-phone", "13812345678")  # so that the call-back can be promised
    screenshot(tablet, "counter-rate-tablet-reason")
    tablet.click("#rate-send")
    expect(tablet.locator("#rate-thanks")).to_be_visible()
    expect(tablet.locator("#rate-followup")).to_be_visible()
    screenshot(tablet, "counter-rate-tablet-thanks")

    # The rating counts in the staff's figures and opens a rectification item for them.
    expect(page.locator("#fig-ratings")).to_contain_text("1")
    expect(page.locator("#rectify-alert")).to_have_text("1")
    page.click("[data-tab=rectify]")
    item = page.locator("#rectifications .item").first
    expect(item).to_contain_text("非常不满意")
    expect(item).to_contain_text("说话不耐烦")
    # The rated person explains; verifying is not theirs (test_rectification_in_browser.py).
    expect(item.locator("button", has_text="核实")).to_have_count(0)
    item.locator("button", has_text="填写情况说明").click()
    page.fill("#ask textarea[name=note]", "当时语气急躁，已学习服务规范")
    page.click("#ask-ok")
    expect(item).to_contain_text("待核实")
    screenshot(page, "counter-rectification")

    # The same visit cannot be rated again from the phone; the phone page says thanks.
    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    mobile = phone.new_page()
    mobile.goto(f"{live_server.base_url}/counter/rating/{first['token']}")
    expect(mobile.locator("#rate-thanks")).to_be_visible()
    screenshot(mobile, "counter-rate-phone-rated")
    # A visit still going cannot be rated yet; the phone says so politely.
    mobile.goto(f"{live_server.base_url}/counter/rating/{elder['token']}")
    expect(mobile.locator("#rate-closed")).to_contain_text("业务办结后即可评价")
    phone.close()


def test_a_first_inquiry_and_a_promised_case_with_its_deadline(live_server, page):
    sign_in(page, live_server, "mzj-3", 3)
    page.fill("#inquiry-form input[name=visitor_name]", "张小三")
    page.fill("#inquiry-form input[name=visitor_phone]", "13812341234")
    page.fill("#inquiry-form textarea[name=matter]", "咨询低保申请条件")
    page.fill("#inquiry-form .material input:not([type=number])", "身份证复印件")
    page.fill("#inquiry-form .material input[type=number]", "2")
    page.click("#inquiry-form button[type=submit]")
    mine = page.locator("#my-inquiries .item").first
    expect(mine).to_contain_text("咨询低保申请条件")
    expect(mine).to_contain_text("首问：陈巾帼")
    screenshot(page, "counter-first-inquiry")

    # Accept the matter as a promised case: the number and the promised date show at once.
    mine.locator("button", has_text="受理为承诺件").click()
    expect(page.locator("#tab-case")).to_be_visible()
    page.select_option("#case-form select[name=service]", "B")
    page.fill("#case-form .material input:not([type=number])", "申请书")
    page.fill("#case-form input[name=tasks]", "街道民政所，区残联")
    page.click("#case-form button[type=submit]")
    accepted = page.locator("#case-accepted")
    expect(accepted).to_contain_text(re.compile(r"MZJ-\d{8}-001"))
    expect(accepted).to_contain_text("20 个工作日")
    screenshot(page, "counter-case-accepted")

    page.click("[data-tab=cases]")
    running = page.locator("#case-lists .item.running").first
    expect(running).to_contain_text("街道民政所")
    expect(running).to_contain_text("张小三")  # the acceptor sees the name in full
    screenshot(page, "counter-cases")

    # The manager sees the same case with the visitor's data masked.
    other = page.context.browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="zh-CN"
    )
    manager = other.new_page()
    sign_in(manager, live_server, "mzj-manager", 5)
    manager.click("[data-tab=cases]")
    expect(manager.locator("#case-lists .item").first).to_contain_text(
        "张小三"
    )  # managers may see it
    other.close()


# The window client's sizes: the hall's PCs, a laptop, a manager's phone.
SIZES = {"1366": (1366, 768), "1280": (1280, 800), "390": (390, 844)}
SHOTS = Path("/tmp/shots")


def shoot_sizes(page, stage: str) -> None:
    """Screenshot the window client at each size, for a person to look at; at none may the
    page (keypad, line, and the open first-inquiry form) scroll sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"counter-{stage}-{name}.png"), full_page=True)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{stage} at {name}: the page is {wide} px wide"
    page.set_viewport_size({"width": 1366, "height": 768})


def test_the_natural_button_is_the_big_one_and_a_no_show_is_not_served(live_server, browser):
    staff = requests.Session()
    answer = staff.post(f"{live_server.base_url}/api/session",
                        json={"login": "mzj-1", "password": PASSWORD}, timeout=5)  # fmt: skip
    assert answer.ok, answer.text
    open_and_empty_window(staff, live_server.base_url, 1)
    missed = take_live_ticket(live_server.base_url, "A")
    came = take_live_ticket(live_server.base_url, "A")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server, "mzj-1", 1)
    lead = page.locator("#keypad .lead")
    served = page.locator("#fig-served")
    expect(served).not_to_have_text("")
    before = int(served.inner_text())

    # Nobody in hand: the big button calls the next visitor.
    expect(lead).to_have_attribute("data-action", "call-next")
    expect(lead).to_contain_text("呼叫下一位")
    lead.click()
    expect(page.locator("#hand-number")).to_have_text(missed["number"])

    # Only called: the big button is Start, 过号 and 重呼 beside it, and calling the next
    # visitor says that it records a no-show.
    expect(lead).to_have_attribute("data-action", "start")
    expect(lead).to_contain_text("开始办理")
    beside = page.locator("#keypad .beside")
    expect(beside).to_have_count(3)
    expect(beside.nth(0)).to_contain_text("过号")
    expect(beside.nth(1)).to_contain_text("重呼")
    expect(beside.nth(2)).to_contain_text("过号并呼叫下一位")
    shoot_sizes(page, "called")
    page.click("[data-lang-choice=en]")
    expect(page.locator("#keypad .wide")).to_contain_text("No-show, call next", use_inner_text=True)
    page.screenshot(path=str(SHOTS / "counter-called-en-1366.png"), full_page=True)
    page.click("[data-lang-choice=zh]")
    page.keyboard.press("n")
    expect(page.locator("#desk-message")).to_contain_text(
        f"{missed['number']} 已记为过号；已呼叫 {came['number']}"
    )
    assert ticket_state(live_server, missed["token"])["status"] == "no_show"
    expect(served).to_have_text(str(before))

    # Started: the big button finishes the visit and calls the next.
    expect(page.locator("#hand-number")).to_have_text(came["number"])
    expect(lead).to_have_attribute("data-action", "start")
    lead.click()
    expect(page.locator("#hand-status")).to_contain_text("办理中")
    expect(lead).to_have_attribute("data-action", "call-next")
    expect(lead).to_contain_text("办结并呼叫下一位")
    shoot_sizes(page, "serving")
    expect(page.locator("#keypad [data-action=finish]")).to_be_enabled()
    lead.click()
    expect(page.locator("#desk-message")).to_contain_text(f"{came['number']} 已办结")
    expect(served).to_have_text(str(before + 1))
    assert ticket_state(live_server, came["token"])["status"] == "finished"
    expect(lead).to_contain_text("呼叫下一位")
    shoot_sizes(page, "idle")
    context.close()
