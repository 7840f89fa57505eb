"""The JSON API through the real app: answers, sign-in, and a clear 4xx for bad input."""

from __future__ import annotations

import re

import pytest

from qhall.auth import issue_api_token
from qhall.models import Ticket
from tests.conftest import PASSWORD, gen_staff, gen_unit


@pytest.fixture
def hall(app):
    unit = gen_unit()
    gen_unit("U", services={"A": {}}, counters={1: ["A"]})
    return unit, gen_staff("clerk", unit)


@pytest.fixture
def staff_client(client, hall):
    assert (
        client.post("/api/session", json={"login": "clerk", "password": PASSWORD}).status_code
        == 200
    )
    return client


def assert_error(response, status: int):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] and body["message"] and body["message_en"]
    return body


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_units_and_services(client, hall):
    assert [u["code"] for u in client.get("/api/units").get_json()] == ["T", "U"]
    services = client.get("/api/units/T/services").get_json()
    assert [(s["code"], s["waiting"], s["open"]) for s in services] == [
        ("A", 0, True),
        ("B", 0, True),
    ]


def test_take_a_ticket_and_follow_it(client, hall):
    response = client.post("/api/units/T/tickets", json={"service": "A", "priority": None})
    assert response.status_code == 201
    issued = response.get_json()
    assert (issued["number"], issued["service"], issued["ahead"]) == ("A001", "A", 0)
    assert {"token", "estimated_wait_s"} <= issued.keys()
    followed = client.get(f"/api/tickets/{issued['token']}").get_json()
    assert (followed["number"], followed["status"], followed["window"]) == ("A001", "waiting", None)
    second = client.post(
        "/api/units/T/tickets", json={"service": "A", "priority": "elderly"}
    ).get_json()
    assert second["priority"] == "elderly" and second["ahead"] == 0
    assert client.get("/api/units/T/services").get_json()[0]["waiting"] == 2


def test_a_repeated_touch_with_the_same_key_gives_one_ticket(client, hall):
    headers = {"Idempotency-Key": "kiosk-7-000123"}
    first = client.post("/api/units/T/tickets", json={"service": "A"}, headers=headers)
    again = client.post("/api/units/T/tickets", json={"service": "A"}, headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.get_json()["token"] == again.get_json()["token"]
    assert Ticket.select().count() == 1


def test_a_day_at_window_one(staff_client, hall):
    client = staff_client
    token = client.post("/api/units/T/tickets", json={"service": "A"}).get_json()["token"]
    base = "/api/units/T/counters/1"
    assert client.post(f"{base}/open").get_json()["counter"]["state"] == "open"
    called = client.post(f"{base}/call-next").get_json()
    assert called["ticket"]["number"] == "A001" and called["counter"]["serving"] == "A001"
    followed = client.get(f"/api/tickets/{token}").get_json()
    assert (followed["status"], followed["window"]) == ("called", 1)
    assert client.post(f"{base}/recall").get_json()["ticket"]["recalls"] == 1
    assert client.post(f"{base}/start").get_json()["ticket"]["status"] == "serving"
    assert client.post(f"{base}/finish").get_json()["ticket"]["status"] == "finished"
    assert client.post(f"{base}/call-next").get_json()["ticket"] is None
    assert (
        client.post(f"{base}/pause", json={"reason": "break"}).get_json()["counter"]["state"]
        == "paused"
    )
    assert client.post(f"{base}/resume").get_json()["counter"]["state"] == "open"
    assert client.post(f"{base}/close").get_json()["counter"]["state"] == "closed"
    snap = client.get("/api/units/T/snapshot").get_json()
    assert snap["calls"][0]["number"] == "A001" and snap["seq"] >= 8


def test_transfer_no_show_requeue_and_call_by_number(staff_client, hall):
    client = staff_client
    for _ in range(3):
        client.post("/api/units/T/tickets", json={"service": "A"})
    base = "/api/units/T/counters"
    client.post(f"{base}/1/open"), client.post(f"{base}/2/open")
    client.post(f"{base}/1/call-next")
    moved = client.post(f"{base}/1/transfer", json={"to_window": 2}).get_json()
    assert moved["to_window"] == 2
    assert client.post(f"{base}/2/call-next").get_json()["ticket"]["number"] == "A001"
    assert (
        client.post(f"{base}/1/call", json={"number": "A003"}).get_json()["ticket"]["number"]
        == "A003"
    )
    assert client.post(f"{base}/1/no-show").get_json()["ticket"]["status"] == "no_show"
    back = client.post("/api/units/T/requeue", json={"number": "A003"}).get_json()
    assert back["ticket"]["status"] == "waiting"


def test_bearer_token_signs_staff_in(client, hall, clock):
    token = issue_api_token("clerk", clock.now())
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/session", headers=headers).get_json()["login"] == "clerk"
    assert client.post("/api/units/T/counters/1/open", headers=headers).status_code == 200
    assert_error(client.get("/api/session", headers={"Authorization": "Bearer wrong"}), 401)


def test_sign_in_refuses_a_wrong_password_and_sign_out_ends_the_session(client, hall):
    assert_error(client.post("/api/session", json={"login": "clerk", "password": "nope"}), 401)
    assert_error(client.post("/api/session", json={"login": "nobody", "password": "nope"}), 401)
    client.post("/api/session", json={"login": "clerk", "password": PASSWORD})
    assert client.get("/api/session").status_code == 200
    client.delete("/api/session")
    assert_error(client.get("/api/session"), 401)


@pytest.mark.parametrize("action", ["open", "call-next", "recall", "finish", "pause", "close"])
def test_window_actions_need_a_signed_in_staff_member(client, hall, action):
    assert_error(client.post(f"/api/units/T/counters/1/{action}", json={"reason": "break"}), 401)
    assert_error(client.post("/api/units/T/requeue", json={"number": "A001"}), 401)


def test_staff_of_one_hall_cannot_work_at_another(staff_client, hall):
    assert_error(staff_client.post("/api/units/U/counters/1/open"), 403)


def test_an_admin_may_work_at_any_hall(client, hall):
    gen_staff("boss", role="admin")
    client.post("/api/session", json={"login": "boss", "password": PASSWORD})
    assert client.post("/api/units/U/counters/1/open").status_code == 200


@pytest.mark.parametrize(
    "path, body, status",
    [
        ("/api/units/NOPE/tickets", {"service": "A"}, 404),
        ("/api/units/T/tickets", {"service": "Z"}, 404),
        ("/api/units/T/tickets", {}, 400),
        ("/api/units/T/tickets", {"service": 7}, 400),
        ("/api/units/T/tickets", {"service": ["A"]}, 400),
        ("/api/units/T/tickets", {"service": "A", "priority": "vip"}, 400),
        ("/api/units/T/tickets", {"service": "A", "priority": True}, 400),
        ("/api/units/T/tickets", {"service": "A", "source": "fax"}, 400),
        ("/api/units/T/tickets", [1, 2], 400),
        ("/api/units/T/tickets", "A", 400),
        ("/api/tickets/not-a-token/cancel", {}, 404),
    ],
)
def test_bad_input_gets_a_clear_4xx(client, hall, path, body, status):
    assert_error(client.post(path, json=body), status)


def test_malformed_json_and_unknown_routes_are_clear_4xx(client, hall):
    malformed = client.post(
        "/api/units/T/tickets", data="{service: A", content_type="application/json"
    )
    assert_error(malformed, 400)
    assert_error(client.get("/api/units/NOPE/services"), 404)
    assert_error(client.get("/api/units/NOPE/snapshot"), 404)
    assert_error(client.get("/api/tickets/unknown"), 404)
    assert_error(client.get("/api/nowhere"), 404)
    assert_error(client.delete("/api/units"), 405)
    assert_error(
        client.post(
            "/api/units/T/tickets", json={"service": "A"}, headers={"Idempotency-Key": "x"}
        ),
        400,
    )


def test_a_closed_service_is_a_409_with_its_hours(client, app, clock):
    gen_unit("C", services={"A": {"hours": "08:30-09:00"}})
    body = assert_error(client.post("/api/units/C/tickets", json={"service": "A"}), 409)
    assert body["error"] == "service_closed" and body["hours"] == "08:30-09:00"


def test_bad_window_input_gets_a_clear_4xx(staff_client, hall):
    base = "/api/units/T/counters"
    assert_error(staff_client.post(f"{base}/9/open"), 404)
    assert_error(staff_client.post(f"{base}/one/open"), 404)
    assert_error(staff_client.post(f"{base}/1/dance"), 400)
    assert_error(staff_client.post(f"{base}/1/call-next"), 409)  # not open yet
    staff_client.post(f"{base}/1/open")
    assert_error(staff_client.post(f"{base}/1/finish"), 409)  # nothing in hand
    assert_error(staff_client.post(f"{base}/1/pause", json={}), 400)
    assert_error(staff_client.post(f"{base}/1/pause", json={"reason": "nap"}), 400)
    assert_error(staff_client.post(f"{base}/1/call", json={"number": 3}), 400)
    assert_error(staff_client.post(f"{base}/1/transfer", json={}), 400)
    assert_error(staff_client.post(f"{base}/1/transfer", json={"to_window": True}), 400)


def test_openapi_documents_every_api_route(app, client):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }
    from counter.api import COUNTER_ACTIONS

    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/") or rule.rule == "/healthz"):
            continue
        # Flask's <int:window> and <unit> are OpenAPI's {window} and {unit}.
        path = re.sub(r"<(?:\w+:)?(?!action>)(\w+)>", r"{\1}", rule.rule)
        paths = (
            [path.replace("<action>", action) for action in COUNTER_ACTIONS]
            if "<action>" in path
            else [path]
        )
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for documented_path in paths:
                assert (documented_path, method) in documented, (
                    f"{method} {documented_path} is not in the OpenAPI document"
                )


def test_index_page_lists_the_halls(client, hall):
    page = client.get("/").get_data(as_text=True)
    assert "测试大厅T" in page and "/api/units/T/snapshot" in page


def test_guessing_passwords_is_slowed_down(client, hall, clock):
    for _ in range(5):
        assert_error(client.post("/api/session", json={"login": "clerk", "password": "guess"}), 401)
    # Now even the right password waits, so that a guesser learns nothing.
    body = assert_error(
        client.post("/api/session", json={"login": "clerk", "password": PASSWORD}), 429
    )
    assert "15" in body["message"]
    clock.advance(minutes=16)
    assert (
        client.post("/api/session", json={"login": "clerk", "password": PASSWORD}).status_code
        == 200
    )


def test_a_person_gets_a_polite_page_not_json(client, hall):
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "抱歉" in page and "返回首页" in page
    assert client.get("/kiosk/NOPE", headers={"Accept": "text/html"}).mimetype == "text/html"


def test_pages_and_answers_carry_security_headers(client, hall):
    for path in ("/", "/api/units", "/no-such-page"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_another_site_cannot_act_with_a_staff_members_session(staff_client, hall):
    call = "/api/units/T/counters/1/open"
    assert_error(staff_client.post(call, headers={"Origin": "http://evil.example"}), 403)
    assert_error(staff_client.post(call, headers={"Referer": "http://evil.example/page"}), 403)
    assert_error(staff_client.post(call, headers={"Sec-Fetch-Site": "cross-site"}), 403)
    # The hall's own pages, and programs that send no Origin, go through.
    own = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    assert staff_client.post(call, headers=own).status_code == 200
    assert staff_client.post("/api/units/T/counters/1/close").status_code == 200
    # A visitor taking a ticket has no session to abuse: the kiosk may be anywhere.
    assert (
        staff_client.application.test_client()
        .post(
            "/api/units/T/tickets",
            json={"service": "A"},
            headers={"Origin": "http://kiosk.example"},
        )
        .status_code
        == 201
    )


def test_a_full_disk_is_a_polite_503_and_loses_nothing_already_issued(client, hall):
    from qhall.db import db

    first = client.post("/api/units/T/tickets", json={"service": "A"})
    assert first.status_code == 201
    # SQLite's own limit on the file's size stands in for a full disk: the same error.
    pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    for _ in range(200):
        db.execute_sql(f"PRAGMA max_page_count = {pages}")
        response = client.post("/api/units/T/tickets", json={"service": "A"})
        if response.status_code != 201:
            break
    body = assert_error(response, 503)
    assert body["error"] == "storage_full" and "工作人员" in body["message"]
    db.execute_sql("PRAGMA max_page_count = 1073741823")
    assert client.get(f"/api/tickets/{first.get_json()['token']}").status_code == 200
    assert client.post("/api/units/T/tickets", json={"service": "A"}).status_code == 201


def test_a_database_held_by_another_process_is_a_polite_503_then_works_again(
    tmp_path, monkeypatch, clock
):
    import sqlite3

    from qhall.app import create_app
    from qhall.seed import init_db

    monkeypatch.setenv("QHALL_INSTANCE", str(tmp_path / "instance"))
    path = tmp_path / "held.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "CLOCK": clock,
                      "DATABASE_URL": f"sqlite:///{path}", "SQLITE_BUSY_TIMEOUT_S": 0.2})  # fmt: skip
    init_db(app.config["PAUSE_REASONS"])
    gen_unit()
    client = app.test_client()
    from qhall.web import realtime
    from qhall.web.realtime import socketio

    realtime._last_alert.clear()  # alerts are sent once a while; start this test afresh
    staff_page = socketio.test_client(app)  # a window's page, connected live
    other_process = sqlite3.connect(path)
    other_process.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    body = assert_error(client.post("/api/units/T/tickets", json={"service": "A"}), 503)
    assert body["error"] == "busy" and "稍后再试" in body["message"]
    alerts = [m for m in staff_page.get_received() if m["name"] == "system.alert"]
    assert alerts and alerts[0]["args"][0]["error"] == "busy"  # the staff are told at once
    staff_page.disconnect()
    other_process.rollback()
    other_process.close()
    assert client.post("/api/units/T/tickets", json={"service": "A"}).get_json()["number"] == "A001"
