"""A manager's own work from the admin pages, in headless Chromium against the real server:
releasing a window a colleague left open, and approving an extension without opening a
window of their own. Window 4 of MZJ is this file's: no other live test uses it."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.admin.test_admin_in_browser import PASSWORD, sign_in
from tests.browser import screenshot

pytestmark = [pytest.mark.live, pytest.mark.browser]
WINDOW = 4


def staff_session(live_server, login: str) -> requests.Session:
    session = requests.Session()
    answer = session.post(
        f"{live_server.base_url}/api/session",
        json={"login": login, "password": PASSWORD},
        timeout=5,
    )
    assert answer.ok, answer.text
    return session


def test_a_manager_releases_a_window_a_colleague_left_open(live_server, page):
    base = f"{live_server.base_url}/api/units/MZJ/counters/{WINDOW}"
    holder, colleague = staff_session(live_server, "mzj-2"), staff_session(live_server, "mzj-3")
    assert holder.post(f"{base}/open", timeout=5).ok
    taken = colleague.post(f"{base}/open", timeout=5)
    assert taken.status_code == 409 and "mzj-2" not in taken.json()["message"], taken.text

    sign_in(page, live_server, "mzj-manager")
    card = page.locator(".unit-card li", has_text=f"{WINDOW}号")
    expect(card.locator("button")).to_contain_text("释放窗口")
    screenshot(page, "admin-dashboard-release")
    page.once("dialog", lambda dialog: dialog.accept())
    card.locator("button").click()
    expect(card).to_contain_text("关闭")
    expect(card.locator("button")).to_have_count(0)
    # Now the colleague may open it.
    assert colleague.post(f"{base}/open", timeout=5).ok
    assert colleague.post(f"{base}/close", timeout=5).ok


def test_a_manager_approves_an_extension_with_no_window_open(live_server, page):
    clerk = staff_session(live_server, "mzj-2")
    cases = f"{live_server.base_url}/api/units/MZJ/cases"
    accepted = clerk.post(
        cases, json={"service": "B", "matter": "低保申请（浏览器测试）"}, timeout=5
    )
    assert accepted.status_code == 201, accepted.text
    number = accepted.json()["case"]["number"]
    asked = clerk.post(
        f"{cases}/extension",
        json={"number": number, "days": 5, "reason": "需入户调查"},
        timeout=5,
    )
    assert asked.ok, asked.text

    sign_in(page, live_server, "mzj-manager", "/admin/approvals")
    form = page.locator(f'form.approval[data-number="{number}"]')
    expect(form).to_contain_text("需入户调查")
    for width, height in ((1920, 1080), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, f"admin-approvals-{width}x{height}")
    form.locator("textarea[name=note]").fill("同意延期")
    form.locator("button[value=approve]").click()
    expect(page.locator("#approvals-message")).to_contain_text("已批准延期")
    case = clerk.get(cases, params={"number": number}, timeout=5).json()
    assert case["extended_days"] == 5 or case.get("case", {}).get("extended_days") == 5, case
