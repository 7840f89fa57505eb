"""When storage fails: a full disk or a database held by another process is a polite 503 that
loses nothing and tells the staff at once."""

from __future__ import annotations

import pytest

from qhall.db import sqlite_url
from tests.factories import assert_error, gen_staff, gen_unit, sign_in


@pytest.fixture
def database_url(tmp_path):
    """SQLite, whatever QHALL_TEST_DATABASE_URL says: these tests fill and lock its file."""
    return sqlite_url(tmp_path / "qhall.db")


def test_a_full_disk_is_a_polite_503_and_loses_nothing_already_issued(client, two_halls):
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
    gen_staff("clerk", gen_unit())
    client = app.test_client()
    from qhall.web import realtime
    from qhall.web.realtime import socketio

    realtime._last_alert.clear()  # alerts are sent once a while; start this test afresh
    # A window's page, signed in and following its hall live.
    staff_page = socketio.test_client(app, flask_test_client=sign_in(app.test_client()))
    staff_page.emit("join", {"unit": "T"}, callback=True)
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
