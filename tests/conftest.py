"""Fixtures: a fresh app and database per test through the real factory, and generators
that make units, services, windows and staff."""

from __future__ import annotations

from datetime import datetime

import pytest

from qhall.app import create_app
from qhall.auth import add_staff
from qhall.clock import FrozenClock
from qhall.db import db, sqlite_url
from qhall.models import Counter, CounterService, Service, Unit
from qhall.seed import init_db

# Thursday 26 November 2026, 10:00 in Shanghai: a working morning.
MORNING = datetime(2026, 11, 26, 2, 0, 0)
PASSWORD = "correct horse battery"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(MORNING)


@pytest.fixture
def app(tmp_path, monkeypatch, clock):
    monkeypatch.setenv("QHALL_INSTANCE", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": sqlite_url(tmp_path / "qhall.db"),
            "CLOCK": clock,
        }
    )
    init_db(app.config["PAUSE_REASONS"])
    yield app
    db.close()


@pytest.fixture
def client(app):
    return app.test_client()


def gen_unit(
    code: str = "T",
    services: dict[str, dict] | None = None,
    counters: dict[int, list[str]] | None = None,
    **fields,
) -> Unit:
    """Make a hall: by default services A and B open all day, window 1 serving A then B and
    window 2 serving B then A."""
    unit = Unit.create(code=code, name_zh=f"测试大厅{code}", name_en=f"Test hall {code}", **fields)
    services = services if services is not None else {"A": {}, "B": {}}
    made = {}
    for letter, extra in services.items():
        spec = {"hours": "00:00-24:00", "weekdays": "1234567", **extra}
        made[letter] = Service.create(
            unit=unit, code=letter, name_zh=f"业务{letter}", name_en=f"Service {letter}", **spec
        )
    counters = counters if counters is not None else {1: ["A", "B"], 2: ["B", "A"]}
    for window, letters in counters.items():
        counter = Counter.create(
            unit=unit, window=window, name_zh=f"{window}号窗口", name_en=f"Window {window}"
        )
        for position, letter in enumerate(letter for letter in letters if letter in made):
            CounterService.create(counter=counter, service=made[letter], position=position)
    return unit


def gen_staff(login: str = "clerk", unit: Unit | None = None, role: str = "staff"):
    """Make a staff account with the test password."""
    return add_staff(
        login,
        PASSWORD,
        role=role,
        name=f"员工{login}",
        employee_no=login.upper(),
        unit_code=unit.code if unit else None,
    )
