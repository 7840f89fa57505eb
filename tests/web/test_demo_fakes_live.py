"""`qhall serve --demo` starts the outside world beside the hall: a fake 好差评 platform, a
fake SMS gateway and a simulated ID card reader, each a real server on 127.0.0.1, with the
outbox pointed at them. A visitor who left a phone hears "请到 1 号窗口" on the fake
gateway's page, masked; the fakes end with the server."""

from __future__ import annotations

import time

import pytest
import requests

from tests.servers import free_port, open_and_empty_window, running_server

pytestmark = pytest.mark.live

KIOSK = {"X-Device-Token": "demo-kiosk-mzj"}


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.RequestException:
        return False


def test_the_demos_fakes_show_the_whole_loop_and_end_with_the_server(tmp_path):
    ports = {"haocha": free_port(), "sms": free_port(), "id_card": free_port()}
    settings = {f"DEMO_FAKE_PORTS__{name}": str(port) for name, port in ports.items()}
    with running_server(tmp_path, "--demo", **settings) as server:
        fakes = {name: f"http://127.0.0.1:{port}/" for name, port in ports.items()}
        assert "模拟短信网关 fake SMS gateway: " + fakes["sms"] in server.log_path.read_text()
        staff = requests.Session()
        signed_in = staff.post(
            f"{server.base_url}/api/session",
            json={"login": "mzj-1", "password": "qhall-demo"},
            timeout=10,
        )
        assert signed_in.status_code == 200, signed_in.text
        open_and_empty_window(staff, server.base_url, 1, "MZJ")

        issued = requests.post(
            f"{server.base_url}/api/units/MZJ/tickets", json={"service": "A"}, headers=KIOSK,
            timeout=10,
        )  # fmt: skip
        assert issued.status_code == 201, issued.text
        token = issued.json()["token"]
        left = requests.post(
            f"{server.base_url}/api/tickets/{token}/phone", json={"phone": "13800138000"},
            timeout=10,
        )  # fmt: skip
        assert left.status_code == 200, left.text  # the hall texts: it has a gateway
        called = staff.post(f"{server.base_url}/api/units/MZJ/counters/1/call-next", timeout=10)
        assert called.json()["ticket"]["number"] == issued.json()["number"]

        page = ""
        for _ in range(60):  # the sender looks every second
            page = requests.get(fakes["sms"], timeout=5).text
            if "1 号窗口" in page:
                break
            time.sleep(0.5)
        assert "1 号窗口" in page and "138****8000" in page and "13800138000" not in page
        assert answers(fakes["haocha"]) and answers(fakes["id_card"] + "card")
    deadline = time.monotonic() + 20
    while any(answers(url) for url in fakes.values()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(answers(url) for url in fakes.values())  # none outlives the demo
