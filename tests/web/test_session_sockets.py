"""A signed-out account's open pages stop hearing the hall's staff events at once: its
Socket.IO connections are told and closed, on the production server."""

from __future__ import annotations

import time

import pytest
import requests

from tests.web.test_socket_abuse import (
    DEMO_PASSWORD,
    GRACE_S,
    UNIT,
    WAIT_S,
    base_url,  # noqa: F401 - a fixture
    clients,  # noqa: F401 - a fixture
    cookie_of,
)

pytestmark = pytest.mark.live
LOGIN, PASSWORD = "socket-leaver", "leaving-the-hall-2026"


def signed_in(base: str, login: str, password: str) -> requests.Session:
    session = requests.Session()
    answer = session.post(
        f"{base}/api/session", json={"login": login, "password": password}, timeout=WAIT_S
    )
    assert answer.status_code == 200, answer.text
    return session


@pytest.fixture
def leaver(base_url):  # noqa: F811
    """A staff account of MZJ of its own, so that signing it out ends no other test's."""
    admin = signed_in(base_url, "admin", DEMO_PASSWORD)
    made = admin.post(
        f"{base_url}/api/admin/config/staff",
        json={"unit": UNIT, "fields": {"login": LOGIN, "name": "测试离岗", "password": PASSWORD}},
        headers={"Idempotency-Key": "make-socket-leaver"},
        timeout=WAIT_S,
    )
    assert made.status_code in (200, 409), made.text  # 409: made by an earlier run
    return signed_in(base_url, LOGIN, PASSWORD)


def test_sign_out_closes_the_accounts_staff_connections(clients, leaver, base_url):  # noqa: F811
    desk = clients(cookie_of(leaver))
    assert "error" not in desk.join({"unit": UNIT})
    assert leaver.delete(f"{base_url}/api/session", timeout=WAIT_S).status_code == 200
    assert desk.gone.wait(WAIT_S), "the signed-out page's connection stayed open"
    assert "session_ended" in desk.names()
    # The same cookie, reconnecting, joins only the public room now.
    again = clients(cookie_of(leaver))
    again.join({"unit": UNIT})
    manager = signed_in(base_url, "mzj-manager", DEMO_PASSWORD)
    listener = clients(cookie_of(manager))
    listener.join({"unit": UNIT})
    registered = manager.post(
        f"{base_url}/api/units/{UNIT}/inquiries",
        json={"matter": "咨询", "visitor_name": "王五", "visitor_phone": "13812345678"},
        timeout=WAIT_S,
    )
    assert registered.status_code == 201, registered.text
    deadline = time.monotonic() + WAIT_S
    while "inquiry.registered" not in listener.names() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(GRACE_S)  # what must not come to the other has had its chance
    assert "inquiry.registered" in listener.names()  # a staff event went out ...
    assert "inquiry.registered" not in again.names()  # ... and not to the signed-out cookie
