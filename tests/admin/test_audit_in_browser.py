"""The audit log in headless Chromium against the real server (`qhall serve --demo`), on a
phone and on a wide screen: filtered by action, a page at a time, the page never wider than
the screen. Screenshots go to test-artifacts/screenshots/ for a person to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import screenshot

pytestmark = [pytest.mark.live, pytest.mark.browser]

PASSWORD = "qhall-demo"
SCREENS = {"390x844": (390, 844), "1920x1080": (1920, 1080)}


@pytest.mark.parametrize("size", SCREENS)
def test_the_audit_log_pages_and_filters_on_each_screen(live_server, browser, size):
    width, height = SCREENS[size]
    page = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN"
    ).new_page()
    page.goto(f"{live_server.base_url}/admin/audit?size=1")
    page.fill("input[name=login]", "mzj-manager")
    page.fill("input[name=password]", "not the password")
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#sign-in-form")).to_contain_text("不正确")
    page.fill("input[name=password]", PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#audit")).to_be_visible()

    page.fill("#audit-filters input[name=action]", "session.")
    page.click("#audit-filters button[type=submit]")
    rows = page.locator("#audit tbody tr")
    expect(rows.first).to_contain_text("登录")  # session.sign_in, in words
    expect(page.locator("#audit-count")).to_contain_text("第 1 页")
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"the page is {wide}px wide"
    screenshot(page, f"admin-audit-{size}")
    page.click(".pager a[rel=next]")
    expect(page.locator(".pager")).to_contain_text("第 2 页")
    expect(page.locator("#audit-filters input[name=action]")).to_have_value("session.")
    expect(rows.first).to_contain_text("登录")
