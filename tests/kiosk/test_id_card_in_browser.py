"""The ID card at the kiosk, end to end in headless Chromium: the production server, the
reference bridge run as `qhall id-card-bridge --simulate` on a free port of 127.0.0.1, and
the kiosk's page between them. A 72-year-old's card gives an elderly priority ticket; the
same card again is refused politely; without the bridge the kiosk still gives tickets."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import screenshot
from tests.factories import gen_id_number
from tests.servers import PROJECT_ROOT, free_port, qhall_command, running_server, stop

pytestmark = [pytest.mark.live, pytest.mark.browser]

SECRET = "kiosk-mzj-id-secret-000000"
KIOSK_URL = f"/kiosk/MZJ?kiosk=mzj-id&device={SECRET}"
TICKETS = "**/api/units/MZJ/tickets"
PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
BRIDGE_PORT = free_port()
BRIDGE = f"http://127.0.0.1:{BRIDGE_PORT}"
# 72 years old today, whatever day the test runs (born on 1 January).
ELDER = {"name": "张三", "sex": "男", "birth_date": f"{date.today().year - 72}-01-01",
         "id_number": gen_id_number(f"{date.today().year - 72}0101"),
         "authority": "北京市公安局东城分局", "valid_from": "2020-01-01", "valid_until": "长期"}  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    kiosks = [{"name": "mzj-id", "unit": "MZJ", "token": SECRET, "id_card_bridge": BRIDGE}]
    with running_server(
        tmp_path_factory.mktemp("id-card"), "--demo", KIOSKS=json.dumps(kiosks)
    ) as live:
        yield live


@pytest.fixture(scope="module")
def bridge(server, tmp_path_factory) -> Iterator[subprocess.Popen]:
    log = (tmp_path_factory.mktemp("bridge") / "bridge.log").open("wb")
    process = subprocess.Popen(
        [qhall_command(), "id-card-bridge", "--simulate", "--port", str(BRIDGE_PORT),
         "--origin", server.base_url],
        cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60  # the qhall command's start-up, on a loaded machine
    while not answers(f"{BRIDGE}/card"):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            pytest.fail(f"the bridge did not start:\n{Path(log.name).read_text()}")
        time.sleep(0.2)
    yield process
    stop(process)
    log.close()


def hall_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).ok
    except requests.RequestException:
        return False


def place(card: dict) -> None:
    assert requests.post(f"{BRIDGE}/simulate", json=card, timeout=5).status_code == 202


def open_kiosk(browser, server, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", has_touch=True)
    tab = context.new_page()
    tab.goto(server.base_url + KIOSK_URL)
    expect(tab.locator(".k-service")).to_have_count(4)
    return context, tab


def take(tab, service: str):
    tab.click(f'.k-service[data-service="{service}"]')
    with tab.expect_response(TICKETS) as taking:
        tab.click("#take-ticket")
    return taking.value


def test_an_elders_card_gives_priority_once_per_service(browser, server, bridge):
    context, kiosk = open_kiosk(browser, server, PORTRAIT)
    status = kiosk.locator("#id-card")
    expect(status).to_have_attribute("data-state", "ready")
    place(ELDER)
    expect(status).to_have_attribute("data-state", "read")
    expect(status).to_contain_text("已读取身份证：张*（72 岁），老年人优先")
    assert ELDER["id_number"] not in kiosk.content()  # never shown
    screenshot(kiosk, "kiosk-id-card-read-portrait")

    issued = take(kiosk, "B")
    assert issued.status == 201 and issued.json()["priority"] == "elderly"
    expect(kiosk.locator("#ticket-priority")).to_contain_text("优先：老年人")
    expect(status).to_have_attribute("data-state", "ready")  # the card forgotten
    kiosk.click('[data-screen="ticket"] [data-action="home"]')

    place(ELDER)
    expect(status).to_have_attribute("data-state", "read")
    refused = take(kiosk, "B")
    assert refused.status == 409
    number = issued.json()["number"]
    expect(kiosk.locator("#error-title")).to_contain_text(
        f"您已取得本业务的 {number} 号，请留意叫号。"
    )
    expect(kiosk.locator("#error-retry")).to_be_hidden()
    screenshot(kiosk, "kiosk-id-card-refused-portrait")
    context.close()


def test_the_card_read_in_landscape_and_cleared_by_the_visitor(browser, server, bridge):
    context, kiosk = open_kiosk(browser, server, LANDSCAPE)
    status = kiosk.locator("#id-card")
    expect(status).to_have_attribute("data-state", "ready")
    place({**ELDER, "name": "李四", "id_number": gen_id_number("19900615", serial="002"),
           "birth_date": "1990-06-15"})  # fmt: skip
    expect(status).to_contain_text("已读取身份证：李*")
    screenshot(kiosk, "kiosk-id-card-read-landscape")
    status.locator('[data-action="card-forget"]').click()
    expect(status).to_have_attribute("data-state", "ready")
    context.close()


def test_a_booking_made_with_the_card_checks_in_when_the_card_is_placed(browser, server, bridge):
    holder = {**ELDER, "name": "王五", "birth_date": "1986-03-08",
              "id_number": gen_id_number("19860308", serial="003")}  # fmt: skip
    slots = requests.get(
        f"{server.base_url}/api/units/MZJ/bookings/slots", params={"service": "A"}, timeout=10
    ).json()
    today = hall_today()
    if slots["day"] != today.isoformat():  # 23:30 to midnight: the next slot is tomorrow's
        pytest.skip("no slot left today in the hall's time zone")
    start = next(slot["start"] for slot in slots["slots"] if slot["free"])
    booked = requests.post(
        f"{server.base_url}/api/units/MZJ/bookings",
        json={"service": "A", "day": slots["day"], "start": start, "name": "王五",
              "phone": "13900002222", "id_number": holder["id_number"]},
        timeout=10,
    )  # fmt: skip
    assert booked.status_code == 201, booked.text
    context, kiosk = open_kiosk(browser, server, PORTRAIT)
    expect(kiosk.locator("#id-card")).to_have_attribute("data-state", "ready")
    with kiosk.expect_response("**/bookings/check-in") as checking:
        place(holder)
    assert checking.value.status == 201
    ticket = checking.value.json()["ticket"]
    assert ticket["priority"] == "appointment"  # the slot starts within the half hour
    expect(kiosk.locator("#ticket-number")).to_have_text(ticket["number"])
    expect(kiosk.locator("#ticket-note")).to_contain_text("预约签到成功")
    assert holder["id_number"] not in kiosk.content()
    screenshot(kiosk, "kiosk-id-card-booking-checked-in-portrait")
    context.close()


def test_without_the_bridge_the_kiosk_says_so_and_still_gives_tickets(browser, server, bridge):
    stop(bridge)
    context, kiosk = open_kiosk(browser, server, PORTRAIT)
    expect(kiosk.locator("#id-card")).to_have_attribute("data-state", "offline")
    expect(kiosk.locator("#id-card")).to_contain_text("读卡器未连接，请直接取号。")
    issued = take(kiosk, "C")
    assert issued.status == 201 and "id_number" not in issued.request.post_data_json
    context.close()
