"""The registers (台账) in headless Chromium against the real server (`qhall serve --demo`):
the hall's manager reads visitors' contacts in full, the bureau reads them masked, and on
every screen, a phone's included, the wide tables scroll inside their card instead of being
cut or pushing the page sideways.

Screenshots go to test-artifacts/screenshots/ and /tmp/shots/ for a person to look at.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import screenshot

pytestmark = [pytest.mark.live, pytest.mark.browser]

PASSWORD = "qhall-demo"
SHOTS = Path("/tmp/shots")
SCREENS = {"1366x768": (1366, 768), "1920x1080": (1920, 1080), "390x844": (390, 844)}
MATTER = (
    "咨询困难群众临时救助的申请条件、所需材料和办理时限，并询问能否由社区代为提交申请，"
    "群众表示家中老人行动不便，希望一次性告知全部材料"
)


def signed_in(base_url: str, login: str) -> requests.Session:
    session = requests.Session()
    answer = session.post(f"{base_url}/api/session", json={"login": login, "password": PASSWORD})
    assert answer.ok, answer.text
    return session


@pytest.fixture(scope="module")
def recorded(live_server):
    """A first inquiry and a promised case at MZJ window 1, and an unannounced visit with a
    finding and its notice, all recorded through the API today."""
    base = live_server.base_url
    clerk = signed_in(base, "mzj-1")
    inquiry = {"matter": MATTER, "visitor_name": "张小三", "visitor_phone": "13812345678",
               "organisation": "和平社区居委会", "service": "A"}  # fmt: skip
    answer = clerk.post(f"{base}/api/units/MZJ/inquiries", json=inquiry)
    assert answer.status_code == 201, answer.text
    case = {"service": "B", "matter": "临时救助申请", "visitor_name": "李四",
            "visitor_phone": "13987654321", "window": 1}  # fmt: skip
    answer = clerk.post(f"{base}/api/units/MZJ/cases", json=case)
    assert answer.status_code == 201, answer.text
    admin = signed_in(base, "admin")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    visit = {"unit": "MZJ", "kind": "unannounced", "visited_on": today, "window": 2,
             "summary": "午间暗访", "findings": [{"category": "cold",
                                              "description": "接待群众时态度冷淡"}]}  # fmt: skip
    answer = admin.post(f"{base}/api/admin/inspections", json=visit)
    assert answer.status_code == 201, answer.text
    notice = {"unit": "MZJ", "title": "关于窗口服务态度问题的通报", "body": "限期整改",
              "deadline": "2099-12-31", "inspection": answer.json()["id"]}  # fmt: skip
    assert admin.post(f"{base}/api/admin/notices", json=notice).status_code == 201


def sign_in(page, base_url: str, login: str, path: str) -> None:
    page.goto(f"{base_url}{path}")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#register-table")).to_be_visible()


def open_register(page, kind: str) -> None:
    """Follow the link to another register and wait until its table is there."""
    page.click(f".register-kinds a[href*='/{kind}']")
    expect(page.locator(f"#register-table[data-register={kind}]")).to_be_visible()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(screenshot(page, name), SHOTS / f"{name}.png")


def fits_the_screen(page) -> None:
    """The page itself never scrolls sideways; the table scrolls inside its card to its
    last column."""
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= page.viewport_size["width"], f"the page is {wide}px wide"
    box = page.locator(".register-wrap")
    last = page.locator("#register-table thead th").last
    box.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    expect(last).to_be_in_viewport()
    box.evaluate("(el) => { el.scrollLeft = 0; }")


def test_the_managers_registers_on_each_screen(live_server, recorded, browser):
    for size, (width, height) in SCREENS.items():
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        sign_in(page, live_server.base_url, "mzj-manager", "/admin/registers/inquiries")
        table = page.locator("#register-table")
        expect(table).to_contain_text("张小三")  # the hall's own manager calls visitors back
        expect(table).to_contain_text("13812345678")
        expect(page.locator("#register-count")).to_contain_text("共")
        fits_the_screen(page)
        shot(page, f"registers-inquiries-manager-{size}")
        open_register(page, "cases")
        expect(table).to_contain_text("临时救助申请")
        fits_the_screen(page)
        shot(page, f"registers-cases-manager-{size}")
        context.close()


def test_the_bureau_reads_contacts_masked_and_exports(live_server, recorded, page):
    sign_in(page, live_server.base_url, "admin", "/admin/registers/inquiries?unit=MZJ")
    table = page.locator("#register-table")
    expect(table).to_contain_text("张*三")
    expect(table).to_contain_text("138****5678")
    expect(table).not_to_contain_text("13812345678")
    expect(page.locator("#register-count")).to_contain_text("已隐去")
    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename.startswith("qhall-inquiries_MZJ_")
    open_register(page, "inspections")
    expect(table).to_contain_text("冷（态度冷漠）")
    shot(page, "registers-inspections-bureau-1920x1080")
    open_register(page, "notices")
    expect(table).to_contain_text("关于窗口服务态度问题的通报")
    page.set_viewport_size({"width": 390, "height": 844})
    fits_the_screen(page)
    shot(page, "registers-notices-bureau-390x844")
