"""The admin pages in headless Chromium against the real server (`qhall serve --demo`): the
manager's live dashboard follows the hall as tickets are taken, the bureau's ledger draws its
charts and exports, an inspection's notice goes from the inspector to the unit and back to
closure, and the configuration editor writes the audit log.

Demo logins: "mzj-manager" (manager of MZJ), "admin" (the bureau), password "qhall-demo".
"""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import screenshot
from tests.factories import take_live_ticket

pytestmark = [pytest.mark.live, pytest.mark.browser]

PASSWORD = "qhall-demo"


def sign_in(page, live_server, login: str, path: str = "/admin/"):
    page.goto(f"{live_server.base_url}{path}")
    expect(page.locator("#sign-in-form")).to_be_visible()  # sent to sign in first
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator(".admin-bar")).to_be_visible()


def serve_a_visitor(live_server, login: str, window: int, service: str) -> None:
    """Take a ticket, then call and finish it at a window as its staff member (over HTTP)."""
    take_live_ticket(live_server.base_url, service)
    clerk = requests.Session()
    base = f"{live_server.base_url}/api"
    assert clerk.post(f"{base}/session", json={"login": login, "password": PASSWORD}, timeout=5).ok
    for action in ("open", "call-next", "finish"):
        answer = clerk.post(f"{base}/units/MZJ/counters/{window}/{action}", timeout=5)
        assert answer.ok, answer.text


def test_the_managers_dashboard_follows_the_hall_live(live_server, page):
    sign_in(page, live_server, "mzj-manager")
    waiting = page.locator('[data-tile="waiting"] .tile-value')
    expect(waiting).not_to_have_text("—")
    before = int(waiting.inner_text())
    expect(page.locator(".unit-card")).to_have_count(1)  # a manager sees their own hall only
    expect(page.locator(".unit-card h3")).to_contain_text("市民政局政务服务大厅")
    take_live_ticket(live_server.base_url, "A")
    take_live_ticket(live_server.base_url, "B")
    expect(waiting).to_have_text(str(before + 2))
    screenshot(page, "admin-dashboard-unit")


def test_a_clerk_is_turned_away(live_server, page):
    sign_in_page = f"{live_server.base_url}/admin/login"
    page.goto(sign_in_page)
    page.fill("input[name=login]", "mzj-1")
    page.fill("input[name=password]", PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#sign-in-message")).to_contain_text("管理后台仅供")


def test_the_bureaus_ledger_draws_charts_and_exports(live_server, page):
    serve_a_visitor(live_server, "mzj-1", 1, "A")
    serve_a_visitor(live_server, "mzj-3", 3, "B")
    sign_in(page, live_server, "admin", "/admin/ledger")
    expect(page.locator("h2.page-title")).to_contain_text("全局")
    expect(page.locator("#ledger-table tr.total th")).to_have_text("合计 / Total")
    # Chart.js, served by qhall, has drawn on each canvas.
    page.wait_for_function("() => window.Chart && document.querySelectorAll('canvas').length === 3 && "
                           "[...document.querySelectorAll('canvas')].every((c) => Chart.getChart(c))")  # fmt: skip
    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename.startswith("qhall-ledger_ALL_")
    screenshot(page, "admin-ledger-bureau")
    page.select_option(".unit-choice select", "MZJ")
    expect(page.locator("h2.page-title")).to_contain_text("市民政局政务服务大厅")
    page.select_option("select[name=by]", "window")
    page.click(".filters button[type=submit]")
    expect(page.locator("#ledger-table tbody tr").first).to_contain_text("号窗口")
    screenshot(page, "admin-ledger-unit-by-window")
    page.goto(f"{live_server.base_url}/admin/summary?unit=MZJ")
    expect(page.locator(".printable h3")).to_contain_text("总结与表彰报告")
    screenshot(page, "admin-summary")
    page.emulate_media(media="print")
    expect(page.locator(".admin-bar")).to_be_hidden()
    screenshot(page, "admin-summary-print")


def test_an_inspection_notice_goes_to_the_unit_and_is_closed(live_server, page, browser):
    sign_in(page, live_server, "admin", "/admin/supervision?unit=MZJ")
    form = page.locator("#inspection-form")
    form.locator("select[name=kind]").select_option("unannounced")
    form.locator("input[name=window]").fill("2")
    form.locator("select[name=category]").select_option("cold")
    form.locator("textarea[name=description]").fill("工作人员接待群众时态度冷淡")
    form.locator("textarea[name=evidence]").fill("暗访录像一段")
    form.locator("input[name=publish]").check()
    form.locator("input[name=title]").fill("关于窗口服务态度问题的通报")
    form.locator("input[name=deadline]").fill("2099-12-31")
    form.locator("button[type=submit]").click()
    notice = page.locator(".notice").filter(has_text="关于窗口服务态度问题的通报")
    expect(notice).to_contain_text("待整改")
    expect(page.locator("#inspections")).to_contain_text("冷（态度冷漠）")
    screenshot(page, "admin-supervision-published")

    manager = browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="zh-CN"
    ).new_page()
    sign_in(manager, live_server, "mzj-manager", "/admin/supervision")
    answer = manager.locator(".notice").filter(has_text="关于窗口服务态度问题的通报")
    answer.locator("textarea[name=response]").fill("已约谈当事人并组织全员文明礼仪培训。")
    answer.locator("button[type=submit]").click()
    expect(
        manager.locator(".notice").filter(has_text="关于窗口服务态度问题的通报")
    ).to_contain_text("待审核")
    manager.context.close()

    page.reload()
    notice = page.locator(".notice").filter(has_text="关于窗口服务态度问题的通报")
    expect(notice).to_contain_text("已约谈当事人")
    notice.locator("button[data-accept=true]").click()
    expect(page.locator(".notice").filter(has_text="关于窗口服务态度问题的通报")).to_contain_text(
        "已办结"
    )
    screenshot(page, "admin-supervision-closed")


def test_the_configuration_editor_saves_and_audits(live_server, page):
    sign_in(page, live_server, "mzj-manager", "/admin/config/services")
    row = page.locator("#records tr").filter(has_text="咨询代办")
    row.locator("button.edit").click()
    page.fill("#editor-form input[name=expected_service_s]", "420")
    screenshot(page, "admin-config-services")
    page.click("#editor-form button[type=submit]")
    expect(page.locator("#editor-message")).to_contain_text("已保存")
    page.goto(f"{live_server.base_url}/admin/audit")
    expect(page.locator("#audit tbody tr").first).to_contain_text("expected_service_s")
    screenshot(page, "admin-audit")
    page.goto(f"{live_server.base_url}/admin/rankings")
    expect(page.locator(".formula")).to_contain_text("综合得分")
    screenshot(page, "admin-rankings")
