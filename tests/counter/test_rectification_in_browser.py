"""A bad rating's rectification in headless Chromium against the real server, with the
duties separated: the rated staff member (mzj-2, 张雷锋) writes the explanation and sees
no button to verify; the manager (mzj-manager, 王主任) verifies, calls the visitor back
with their answer and closes. An overdue item shows red, escalated. At a laptop's
1366×768 and a phone's 390×844; screenshots in /tmp/shots/rectify-*.png.

The bad ratings are rows written into the live server's database (tests.factories.
gen_bad_rating), not given through a tablet, so this test follows the rectification only.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from qhall import rectification
from qhall.clock import SystemClock, local_day
from qhall.db import connect_database, db, sqlite_url
from qhall.models import Rectification, Staff
from tests.factories import gen_bad_rating

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"
PASSWORD = "qhall-demo"
SHOTS = Path("/tmp/shots")
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def hall_db(live_server):
    """The live server's own database, for writing the ratings as rows."""
    connect_database(sqlite_url(live_server.log_path.parent / "instance" / "qhall.db"))
    yield
    db.close()


def bad_rating(phone: str = "") -> tuple[int, str]:
    """A visit of 张雷锋's at window 2 rated 非常不满意 just now; return its item's id and
    the ticket's number."""
    with db.connection_context():
        item = gen_bad_rating(SystemClock(), Staff.get(Staff.login == "mzj-2"), phone=phone,
                              window=2, unit=UNIT)  # fmt: skip
        return item.id, item.rating.ticket.number


def desk(browser, live_server, login: str, window: int, viewport: dict):
    """A counter page signed in as login at a window, on the 差评整改 tab."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.base_url}/counter?unit={UNIT}")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.select_option("select[name=window]", str(window))
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#desk")).to_be_visible()
    page.click("[data-tab=rectify]")
    return page


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"rectify-{name}.png"), full_page=True)


def answer(page, note: str, **selects: str) -> None:
    """Fill the dialog an action opened and confirm it."""
    for name, value in selects.items():
        page.select_option(f"#ask select[name={name}]", value)
    page.fill("#ask textarea[name=note]", note)
    page.click("#ask-ok")


def test_the_rated_person_explains_and_the_manager_verifies_calls_back_and_closes(
    browser, live_server, hall_db
):
    item_id, number = bad_rating(phone="13812345678")

    staff = desk(browser, live_server, "mzj-2", 2, LAPTOP)
    mine = staff.locator("#rectifications .item", has_text=number)
    expect(mine).to_contain_text("非常不满意")
    expect(mine).to_contain_text("态度生硬")
    expect(mine).to_contain_text("待被评价人说明整改")
    # The rated person never sees the visitor's number, nor a button to check themselves.
    expect(mine).not_to_contain_text("1381")
    for theirs in ("核实", "回访群众", "结案", "指定复核人"):
        expect(mine.locator("button", has_text=theirs)).to_have_count(0)
    shot(staff, "1366-rated-person")
    mine.locator("button", has_text="填写情况说明").click()
    answer(staff, "当时系统卡顿，我语气急躁；已向群众致歉并学习服务规范")
    expect(mine).to_contain_text("待核实")
    expect(mine).to_contain_text("张雷锋 · ")
    expect(mine.locator("button", has_text="申诉")).to_be_visible()

    boss = desk(browser, live_server, "mzj-manager", 1, LAPTOP)
    theirs = boss.locator("#rectifications .item", has_text=number)
    expect(theirs).to_contain_text("当时系统卡顿")
    expect(theirs).to_contain_text("回访电话 138****5678")
    expect(theirs.locator("button", has_text="填写情况说明")).to_have_count(0)
    shot(boss, "1366-manager")
    boss.click("[data-lang-choice=en]")
    expect(theirs).to_contain_text("Waiting for verification")
    shot(boss, "1366-manager-english")
    boss.click("[data-lang-choice=zh]")
    theirs.locator("button", has_text="核实").click()
    answer(boss, "调看录像，情况属实；整改措施到位")
    theirs.locator("button", has_text="回访群众").click()
    expect(boss.locator("#ask-title")).to_contain_text("13812345678")
    shot(boss, "1366-call-back-dialog")
    answer(boss, "已致电群众，对整改表示认可", answer="satisfied")
    expect(theirs).to_contain_text("（满意）")
    expect(theirs).to_contain_text("待结案")
    shot(boss, "1366-called-back")
    theirs.locator("button", has_text="结案").click()
    answer(boss, "整改完成")
    expect(theirs).to_have_count(0)  # closed: off the list of open items
    expect(boss.locator("#desk-message")).to_contain_text("已结案")
    with db.connection_context():
        done = Rectification.get_by_id(item_id)
        assert done.status == "closed" and done.callback_answer == "satisfied"
        assert done.rectified_by.login == "mzj-2" and done.closed_by.login == "mzj-manager"
    staff.context.close()
    boss.context.close()


def test_on_a_phone_an_overdue_item_shows_red_and_escalated(browser, live_server, hall_db):
    item_id, number = bad_rating()
    with db.connection_context():
        today = local_day(SystemClock().now(), "Asia/Shanghai")
        Rectification.update(due_day=today - timedelta(days=3)).where(
            Rectification.id == item_id
        ).execute()
        rectification.check_overdue(UNIT, now=SystemClock().now())

    boss = desk(browser, live_server, "mzj-manager", 1, PHONE)
    late = boss.locator("#rectifications .item", has_text=number)
    expect(late).to_have_class("item rectification overdue")
    expect(late.locator(".escalated")).to_contain_text("已上报负责人")
    expect(late).to_contain_text("群众未留回访电话")
    expect(boss.locator("#rectify-alert")).to_have_class("badge late")
    late.scroll_into_view_if_needed()
    shot(boss, "390-manager-overdue")
    late.locator("button", has_text="指定复核人").click()
    shot(boss, "390-assign-dialog")
    boss.select_option("#ask select[name=reviewer]", label="李文明")
    boss.click("#ask-ok")
    expect(late).to_contain_text("复核人：李文明")

    staff = desk(browser, live_server, "mzj-2", 2, PHONE)
    mine = staff.locator("#rectifications .item", has_text=number)
    expect(mine.locator(".escalated")).to_be_visible()
    shot(staff, "390-rated-person")
    staff.context.close()
    boss.context.close()
