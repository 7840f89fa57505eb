"""Fixtures: a fresh app and database per test through the real factory, a frozen clock, and
a few halls everyone uses. The generators that fill the database are in tests/factories.py;
the live server and the browser are plugins (tests/servers.py, tests/browser.py).

Each test's database is a new SQLite file. With QHALL_TEST_DATABASE_URL set to a PostgreSQL
server instead (postgresql://USER@HOST:PORT/DB, where USER may create databases), each test
gets a database of its own on that server: created empty, built by the same init_db, and
dropped when the test ends. So the core's tests run on PostgreSQL with one variable:

    QHALL_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/pytest tests/qhall

Tests about SQLite itself ask for it by overriding the `database_url` fixture.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import pytest

# Helpers and plugins assert too; let pytest explain their failures like a test's.
pytest.register_assert_rewrite("tests.factories", "tests.servers", "tests.browser")

from printer.fake import FakePrinter  # noqa: E402
from qhall import demo_fakes  # noqa: E402
from qhall.app import create_app  # noqa: E402
from qhall.clock import FrozenClock  # noqa: E402
from qhall.db import db, sqlite_url  # noqa: E402
from qhall.seed import init_db  # noqa: E402
from tests.factories import gen_staff, gen_unit, sign_in  # noqa: E402

pytest_plugins = ["tests.servers", "tests.browser"]

# Thursday 26 November 2026, 10:00 in Shanghai: a working morning.
MORNING = datetime(2026, 11, 26, 2, 0, 0)
# Modules mark their slow tests (pytestmark); these marks follow from the fixtures too, so
# that a new test using one never slips into the fast selection unmarked.
MARKS_BY_FIXTURE = {
    "live_server": "live",
    "browser": "browser",
    "postgres_url": "scale",
    "redis_url": "scale",
}


@pytest.hookimpl(tryfirst=True)  # before -m selects by mark
def pytest_collection_modifyitems(items) -> None:
    for item in items:
        for fixture, mark in MARKS_BY_FIXTURE.items():
            if fixture in item.fixturenames:
                item.add_marker(mark)


@pytest.fixture(autouse=True)
def no_demo_fakes(monkeypatch):
    """`qhall serve --demo` run in a test process starts no fakes (qhall/demo_fakes.py): they
    would take fixed ports and point every later app's outbox at themselves through the
    environment. tests/web/test_demo_fakes_live.py asks for them on ports of its own."""
    for name, value in demo_fakes.OFF.items():
        monkeypatch.setenv(f"QHALL_{name}", value)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(MORNING)


@pytest.fixture
def database_url(tmp_path) -> Iterator[str]:
    """The test's own empty database: SQLite, or PostgreSQL with QHALL_TEST_DATABASE_URL."""
    server = os.environ.get("QHALL_TEST_DATABASE_URL")
    if not server:
        yield sqlite_url(tmp_path / "qhall.db")
        return
    with fresh_postgres_database(server) as url:
        yield url
        # The pool would keep connections to the database open; let them go before the drop.
        if hasattr(db.obj, "close_all"):
            db.obj.close_all()


@pytest.fixture
def app(tmp_path, monkeypatch, clock, database_url):
    monkeypatch.setenv("QHALL_INSTANCE", str(tmp_path / "instance"))
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url, "CLOCK": clock}
    )
    init_db(app.config["PAUSE_REASONS"])
    yield app
    db.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def two_halls(app):
    """Hall T (services A and B, windows 1 and 2) with its clerk, and hall U (A at window 1)."""
    unit = gen_unit()
    gen_unit("U", services={"A": {}}, counters={1: ["A"]})
    return unit, gen_staff("clerk", unit)


@pytest.fixture
def staff_client(client, two_halls):
    """The test client, signed in as hall T's clerk."""
    return sign_in(client, "clerk")


@pytest.fixture
def window_printer(app) -> Iterator[FakePrinter]:
    """Window 1's printer of hall T: a real TCP printer on 127.0.0.1 the app's spooler
    can reach."""
    from printer.config import PrinterConfig
    from printer.spooler import PrintSetup
    from qhall.models import Counter

    device = FakePrinter().start()
    config = PrinterConfig(name="t-window-1", unit="T", **device.config)
    app.extensions["printing"] = PrintSetup({config.name: config}, {})
    Counter.update(printer=config.name).where(Counter.window == 1).execute()
    yield device
    device.stop()


@pytest.fixture
def fake_printer() -> Iterator[FakePrinter]:
    """A fake network printer, online, on a free port of 127.0.0.1."""
    printer = FakePrinter().start()
    yield printer
    printer.stop()


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """Create an empty database on the PostgreSQL server of server_url; yield its URL; drop
    it (and any connection still in it) afterwards."""
    import psycopg2

    name = f"qhall_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = psycopg2.connect(server_url)
    admin.autocommit = True  # CREATE and DROP DATABASE run outside a transaction
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()
