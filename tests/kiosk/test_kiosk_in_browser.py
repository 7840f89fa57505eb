"""The kiosk in headless Chromium against the production server, printing on a fake
network printer: a visitor touches a service, reads its guide, takes a ticket, sees its
number and QR code, and the printer receives it; the language switch, the elderly mode,
the priority path, a dead printer and a network drop.

The demo hall MZJ has services A-D; its kiosk "mzj-1" prints on the fake printer. The tests
share one server and may run in any order: each checks the numbers it was given itself.
"""

from __future__ import annotations

import json

import pytest
import requests
from playwright.sync_api import expect

from printer.fake import FakePrinter
from tests.browser import screenshot
from tests.factories import take_live_ticket
from tests.servers import running_server

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"
KIOSK_SECRET = "kiosk-mzj-1-secret-00000"
KIOSK_URL = f"/kiosk/MZJ?kiosk=mzj-1&device={KIOSK_SECRET}"
TICKETS = "**/api/units/MZJ/tickets"  # what the kiosk posts to take a ticket
PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
IDLE_S = 4


@pytest.fixture(scope="module")
def printer():
    fake = FakePrinter().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, printer):
    settings = {
        "PRINTERS": json.dumps([{"name": "mzj-kiosk", "unit": UNIT, **printer.config}]),
        "KIOSKS": json.dumps(
            [{"name": "mzj-1", "unit": UNIT, "printer": "mzj-kiosk", "token": KIOSK_SECRET}]
        ),
        "PRINTER_POLL_S": "1",
        "PRINT_RETRY_MAX_S": "1",
        "KIOSK_IDLE_S": str(IDLE_S),
    }
    with running_server(tmp_path_factory.mktemp("kiosk"), "--demo", **settings) as live:
        yield live


def open_kiosk(browser, server, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", has_touch=True)
    tab = context.new_page()
    tab.goto(server.base_url + KIOSK_URL)
    expect(tab.locator(".k-service")).to_have_count(4)
    return context, tab


@pytest.fixture
def kiosk(browser, server):
    """The kiosk's screen, standing (1080×1920)."""
    context, tab = open_kiosk(browser, server, PORTRAIT)
    yield tab
    context.close()


@pytest.fixture
def kiosk_landscape(browser, server):
    """The kiosk's screen, lying (1920×1080)."""
    context, tab = open_kiosk(browser, server, LANDSCAPE)
    yield tab
    context.close()


def shown_text(locator, text: str) -> None:
    """Expect the text a person sees (the other language is in the page, hidden)."""
    expect(locator).to_have_text(text, use_inner_text=True)


def waiting(server, service: str) -> int:
    return requests.get(f"{server.base_url}/api/units/{UNIT}/snapshot", timeout=5).json()[
        "waiting"
    ][service]


def printer_status(server) -> str:
    snapshot = requests.get(f"{server.base_url}/api/units/{UNIT}/snapshot", timeout=5).json()
    return {p["name"]: p["status"] for p in snapshot["printers"]}.get("mzj-kiosk", "unknown")


def test_a_visitor_takes_a_ticket_and_it_prints(kiosk, printer, server):
    screenshot(kiosk, "kiosk-home-portrait-zh")
    button = kiosk.locator('.k-service[data-service="A"]')
    box = button.bounding_box()
    assert box["width"] >= 60 and box["height"] >= 60
    expect(button).to_contain_text("婚姻登记")
    expect(button).to_contain_text(f"等候 {waiting(server, 'A')} 人")

    printed_before = len(printer.pages)
    button.click()
    guide = kiosk.locator('[data-screen="guide"]')
    expect(guide).to_be_visible()
    expect(guide).to_contain_text("需要携带的材料")  # the structured 一次性告知
    expect(guide).to_contain_text("本人有效居民身份证")
    expect(guide).to_contain_text("当场办结")
    screenshot(kiosk, "kiosk-guide-portrait-zh")

    with kiosk.expect_response(TICKETS) as taking:
        kiosk.click("#take-ticket")
    issued = taking.value.json()["number"]
    assert issued.startswith("A")
    expect(kiosk.locator("#ticket-number")).to_have_text(issued)
    expect(kiosk.locator("#print-state")).to_have_attribute("data-state", "printed")
    qr_width = kiosk.eval_on_selector("#ticket-qr", "img => img.complete && img.naturalWidth")
    assert qr_width > 0
    screenshot(kiosk, "kiosk-ticket-portrait-zh")
    pages = printer.wait_for_pages(printed_before + 1)
    assert len(pages) == printed_before + 1
    assert pages[-1].cut and pages[-1].images[0].width == 576


def test_the_kiosk_keeps_its_secret_out_of_sight_and_shows_it_with_each_ticket(kiosk):
    assert "device=" not in kiosk.url  # taken out of the address a visitor could read
    kiosk.click('.k-service[data-service="C"]')
    with kiosk.expect_request(TICKETS) as taking:
        kiosk.click("#take-ticket")
    assert taking.value.headers.get("x-device-token") == KIOSK_SECRET
    issued = taking.value.response().json()["number"]
    assert issued.startswith("C")
    expect(kiosk.locator("#ticket-number")).to_have_text(issued)


def test_a_double_touch_takes_one_ticket(kiosk, server):
    before = waiting(server, "D")
    kiosk.click('.k-service[data-service="D"]')
    with kiosk.expect_response(TICKETS) as taking:
        kiosk.eval_on_selector("#take-ticket", "b => { b.click(); b.click(); }")
    issued = taking.value.json()["number"]
    assert issued.startswith("D")
    expect(kiosk.locator("#ticket-number")).to_have_text(issued)
    assert waiting(server, "D") == before + 1


def test_english_and_the_elderly_mode(kiosk_landscape):
    kiosk = kiosk_landscape
    kiosk.click("#lang-switch")
    shown_text(kiosk.locator(".k-welcome"), "Welcome! Please choose your service")
    expect(kiosk.locator('.k-service[data-service="B"]')).to_contain_text("Social assistance")
    screenshot(kiosk, "kiosk-home-landscape-en")

    normal_size = kiosk.eval_on_selector(
        ".k-service-name", "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    kiosk.click("#elderly-switch")
    expect(kiosk.locator("#elderly-switch")).to_have_attribute("aria-pressed", "true")
    expect(kiosk.locator(".k-service")).to_have_count(4)  # up to four, without paging
    expect(kiosk.locator("#pager")).to_be_hidden()
    # The page re-renders after the switch: wait (bounded) for the larger type to show. On
    # a loaded CI machine (two cores, the server and Chromium on them) 5 s was once too short.
    kiosk.wait_for_function(
        "min => parseFloat(getComputedStyle(document.querySelector('.k-service-name')).fontSize) >= min",
        arg=normal_size * 1.25,
        timeout=15000,
    )
    screenshot(kiosk, "kiosk-home-landscape-en-elderly")
    kiosk.click("#lang-switch")
    shown_text(kiosk.locator(".k-welcome"), "欢迎光临！请选择您要办理的业务")
    screenshot(kiosk, "kiosk-home-landscape-zh-elderly")


def test_idle_goes_back_to_the_start_in_chinese(kiosk):
    kiosk.click("#lang-switch")
    kiosk.click('.k-service[data-service="C"]')
    expect(kiosk.locator('[data-screen="guide"]')).to_be_visible()
    # Nobody touches the screen: it starts over for the next visitor.
    expect(kiosk.locator('[data-screen="home"]')).to_be_visible(timeout=(IDLE_S + 5) * 1000)
    shown_text(kiosk.locator(".k-welcome"), "欢迎光临！请选择您要办理的业务")


def test_the_priority_path(kiosk, server):
    kiosk.click("#priority-path")
    screenshot(kiosk, "kiosk-priority-portrait-zh")
    kiosk.click('[data-priority="elderly"]')
    expect(kiosk.locator("#priority-banner")).to_contain_text("优先通道：老年人")
    kiosk.click('.k-service[data-service="C"]')
    kiosk.click("#take-ticket")
    expect(kiosk.locator("#ticket-priority")).to_contain_text("优先：老年人")
    number = kiosk.inner_text("#ticket-number")
    calls = requests.get(f"{server.base_url}/api/units/{UNIT}/services", timeout=5).json()
    assert number.startswith("C") and any(s["code"] == "C" and s["waiting"] >= 1 for s in calls)


def test_a_dead_printer_is_told_kept_and_noticed(kiosk_landscape, printer, server):
    kiosk = kiosk_landscape
    printed_before = len(printer.pages)
    printer.stop()
    kiosk.click('.k-service[data-service="B"]')
    kiosk.click("#take-ticket")
    expect(kiosk.locator("#print-state")).to_have_attribute("data-state", "failed")
    expect(kiosk.locator("#print-state")).to_contain_text("号票未能打印，我们已通知工作人员")
    expect(kiosk.locator("#printer-notice")).to_be_visible()
    screenshot(kiosk, "kiosk-print-failed-landscape-zh")
    assert printer_status(server) == "offline"

    printer.start()  # the printer comes back: the ticket prints, once
    pages = printer.wait_for_pages(printed_before + 1)
    assert len(pages) == printed_before + 1
    expect(kiosk.locator("#printer-notice")).to_be_hidden()


def test_a_network_drop_is_said_plainly_and_the_retry_issues_once(kiosk, server):
    # The hall's last A number just before: the retry must get the very next one.
    last = take_live_ticket(server.base_url, "A", headers={"X-Device-Token": KIOSK_SECRET})
    next_number = f"A{int(last['number'][1:]) + 1:03d}"
    before = waiting(server, "A")
    kiosk.route("**/api/units/MZJ/tickets", lambda route: route.abort())
    kiosk.click('.k-service[data-service="A"]')
    kiosk.click("#take-ticket")
    expect(kiosk.locator("#error-title")).to_contain_text("暂时无法连接服务器", timeout=15000)
    screenshot(kiosk, "kiosk-offline-portrait-zh")
    kiosk.unroute("**/api/units/MZJ/tickets")
    kiosk.click("#error-retry")
    expect(kiosk.locator("#ticket-number")).to_have_text(next_number)
    assert waiting(server, "A") == before + 1
