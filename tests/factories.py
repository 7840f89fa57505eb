"""Every generator the tests use, in one place: halls and staff as rows, tickets through the
core, through the app's API and from a live server, signed-in test clients, a spooler; and
the one check of an error answer the API tests share.

Fixtures live in tests/conftest.py; this module has no fixtures and no state of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import requests

from printer.spooler import PrintSetup, Spooler
from qhall import queue
from qhall.auth import add_staff
from qhall.models import Counter, CounterService, Service, Unit
from qhall.web.realtime import publish
from tests.servers import DEMO_KIOSK

PASSWORD = "correct horse battery"
# A phone somewhere on the internet (TEST-NET-3): what a remote ticket comes from.
PHONE_ADDRESS = "203.0.113.7"


# --- rows ----------------------------------------------------------------------------


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


# --- tickets -------------------------------------------------------------------------


def gen_ticket(clock, service="A", priority=None, unit="T", **fields) -> dict:
    """Issue a ticket through the core at the clock's time; return what the visitor gets."""
    return queue.issue_ticket(unit, service, priority=priority, now=clock.now(), **fields).result


def ask_for_ticket(client, headers=None, address=PHONE_ADDRESS, unit="T", **body):
    """Ask the app for a ticket of service A (or body's) from an address; return the answer,
    whatever it is."""
    return client.post(
        f"/api/units/{unit}/tickets", json={"service": "A", **body}, headers=headers or {},
        environ_base={"REMOTE_ADDR": address},
    )  # fmt: skip


def take_ticket(client, service="A", unit="T", **body) -> dict:
    """Take a ticket through the app's API; return the issued ticket."""
    response = client.post(f"/api/units/{unit}/tickets", json={"service": service, **body})
    assert response.status_code == 201, response.json
    return response.json


def take_live_ticket(
    base_url: str, service: str = "A", priority: str | None = None, headers: dict = DEMO_KIOSK
) -> dict:
    """Take a ticket at a live server's demo hall MZJ, from its registered kiosk by default,
    as a visitor would."""
    response = requests.post(
        f"{base_url}/api/units/MZJ/tickets",
        json={"service": service, "priority": priority},
        headers=headers,
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


# --- people and machines -------------------------------------------------------------


def sign_in(client, login: str = "clerk"):
    """Sign a test client in through the real session API; return it."""
    answer = client.post("/api/session", json={"login": login, "password": PASSWORD})
    assert answer.status_code == 200, answer.get_json()
    return client


def make_spooler(printers, clock) -> Spooler:
    """A spooler for the configured printers, on the test clock, publishing to Socket.IO."""
    return Spooler(printers.printers, clock=clock, publish=publish, poll_s=15, retry_max_s=60)


# --- answers -------------------------------------------------------------------------


def assert_error(response, status: int) -> dict:
    """Check that an answer is the error status with a message in both languages; return it."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] and body["message"] and body["message_en"]
    return body


def use_printers(app, printers: list[dict], kiosks: Iterable[dict] = ()) -> PrintSetup:
    """Configure the app's printers and kiosks as the PRINTERS and KIOSKS settings would."""
    app.config.update(PRINTERS=printers, KIOSKS=list(kiosks))
    app.extensions["printing"] = PrintSetup.from_settings(app.config, Path(app.instance_path))
    return app.extensions["printing"]
