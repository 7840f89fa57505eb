"""What keeps staff sessions and visitors' data to the server: a session cookie that is
Secure whenever the request came over HTTPS (believed from the proxy only when PROXY_HOPS
says there is one), and an instance folder and SQLite database that no other account on the
machine can read."""

from __future__ import annotations

import logging
import os
import stat

import pytest

from qhall.app import create_app
from qhall.db import db, sqlite_url
from tests.factories import PASSWORD


def sign_in_cookie(client, **headers) -> str:
    """Sign the clerk in; return the Set-Cookie header of the session."""
    answer = client.post(
        "/api/session", json={"login": "clerk", "password": PASSWORD}, headers=headers
    )
    assert answer.status_code == 200, answer.get_json()
    (cookie,) = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def flags(cookie: str) -> set[str]:
    return {part.strip().lower() for part in cookie.split(";")[1:]}


@pytest.fixture
def one_proxy(monkeypatch):
    """Run the app as behind the shipped nginx (PROXY_HOPS = 1); ask for it before `app`."""
    monkeypatch.setenv("QHALL_PROXY_HOPS", "1")


@pytest.mark.usefixtures("one_proxy")
def test_behind_the_proxy_https_makes_the_session_cookie_secure(client, two_halls):
    cookie = flags(sign_in_cookie(client, **{"X-Forwarded-Proto": "https"}))
    assert {"secure", "httponly", "samesite=lax"} <= cookie


@pytest.mark.usefixtures("one_proxy")
def test_behind_the_proxy_plain_http_leaves_the_cookie_usable_on_the_hall_lan(client, two_halls):
    cookie = flags(sign_in_cookie(client, **{"X-Forwarded-Proto": "http"}))
    assert "secure" not in cookie and {"httponly", "samesite=lax"} <= cookie


def test_without_a_proxy_a_clients_own_forwarded_proto_is_not_believed(client, two_halls):
    cookie = flags(sign_in_cookie(client, **{"X-Forwarded-Proto": "https"}))
    assert "secure" not in cookie and {"httponly", "samesite=lax"} <= cookie


def test_a_direct_https_request_gets_a_secure_cookie(client, two_halls):
    client.environ_base["wsgi.url_scheme"] = "https"
    answer = client.post(
        "https://localhost/api/session", json={"login": "clerk", "password": PASSWORD}
    )
    assert answer.status_code == 200
    assert "secure" in flags(answer.headers["Set-Cookie"])


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask():
    """The umask of most servers (022), under which new files are readable by everyone."""
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.mark.usefixtures("usual_umask")
def test_a_new_instance_folder_and_database_are_the_servers_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("QHALL_INSTANCE", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "test"})
    with app.app_context():
        db.connect(reuse_if_open=True)
        db.execute_sql("CREATE TABLE t (x)")  # a write: SQLite makes the -wal and -shm
        folder = tmp_path / "instance"
        assert mode(folder) == 0o700
        database = folder / "qhall.db"
        for path in (database, folder / "qhall.db-wal", folder / "qhall.db-shm"):
            assert path.exists() and mode(path) == 0o600, path
    db.close()


def test_a_looser_folder_and_database_are_tightened_at_start(tmp_path, monkeypatch, caplog):
    folder, database = tmp_path / "instance", tmp_path / "instance" / "hall.db"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    for path in (database, database.with_name("hall.db-wal")):
        path.touch()
        path.chmod(0o644)
    monkeypatch.setenv("QHALL_INSTANCE", str(folder))
    with caplog.at_level(logging.WARNING, logger="qhall.instance_files"):
        create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": sqlite_url(database)})
    db.close()
    assert (mode(folder), mode(database), mode(database.with_name("hall.db-wal"))) == (
        0o700,
        0o600,
        0o600,
    )
    assert str(database) in caplog.text and "Tightened" in caplog.text
