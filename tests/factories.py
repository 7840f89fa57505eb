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
from qhall import queue, rectification
from qhall.auth import add_staff
from qhall.db import unit_of_work
from qhall.devices import Tablet, load_tablets
from qhall.models import Counter, CounterService, Rating, Rectification, Service, Ticket, Unit
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


def gen_id_number(born: str = "19540301", region: str = "110101", serial: str = "001") -> str:
    """Make a valid ID card number (GB 11643-1999) for a birth date written YYYYMMDD."""
    body = region + born + serial
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(digit) * weight for digit, weight in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


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


def gen_visit(clock, window: int, staff, service="A", unit="T", wait_minutes: float = 1):
    """Serve a visitor through the core: a ticket, then after the wait a call, a start and a
    finish at the window (open, with this staff member); return the finished Ticket."""
    token = gen_ticket(clock, service, unit=unit)["token"]
    clock.advance(minutes=wait_minutes)
    queue.call_next(unit, window, staff_id=staff.id, now=clock.now())
    queue.start(unit, window, staff_id=staff.id, now=clock.now())
    clock.advance(minutes=1)
    queue.finish(unit, window, staff_id=staff.id, now=clock.now())
    return Ticket.get(Ticket.token == token)


def gen_rating(ticket, level: int, at=None) -> Rating:
    """Record a visitor's rating of a finished visit as a row (at the visit's end unless
    given), without the channel checks of qhall.ratings."""
    return Rating.create(ticket=ticket, unit=ticket.unit_id, counter=ticket.counter_id,
                         staff=ticket.staff_id, level=level, at=at or ticket.finished_at)  # fmt: skip


def gen_bad_rating(clock, staff, *, level: int = 1, phone: str = "", window: int = 1,
                   unit: str = "T", days: int = 5) -> Rectification:  # fmt: skip
    """A visit finished now at a window by staff (rows, not the queue) and rated badly with
    a reason and an optional call-back number (a row, not the rating channels); open its
    rectification item and return it."""
    token = gen_ticket(clock, unit=unit)["token"]
    counter = Counter.get(Counter.unit == Unit.get(Unit.code == unit).id, Counter.window == window)
    now = clock.now()
    Ticket.update(status="finished", counter=counter, staff=staff, called_at=now,
                  started_at=now, finished_at=now).where(Ticket.token == token).execute()  # fmt: skip
    with unit_of_work() as uow:
        rating = gen_rating(Ticket.get(Ticket.token == token), level)
        rating.reason, rating.callback_phone = "态度生硬", phone
        rating.save()
        item = rectification.open_item(rating, now, days, None)
        uow.finish(None)
    return item


# --- people and machines -------------------------------------------------------------


def post_json(client, url: str, body=None, status: int = 200, **headers) -> dict:
    """POST JSON with the test client; assert the answer's status; return its JSON."""
    response = client.post(url, json=body or {}, headers=headers or None)
    assert response.status_code == status, response.get_json()
    return response.get_json()


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


def use_tablets(app, tablets: Iterable[dict]) -> dict[str, Tablet]:
    """Register the app's rating tablets as the TABLETS setting would; return them by name."""
    app.config["TABLETS"] = list(tablets)
    app.extensions["tablets"] = load_tablets(app.config)
    return app.extensions["tablets"]


def use_printers(app, printers: list[dict], kiosks: Iterable[dict] = ()) -> PrintSetup:
    """Configure the app's printers and kiosks as the PRINTERS and KIOSKS settings would."""
    app.config.update(PRINTERS=printers, KIOSKS=list(kiosks))
    app.extensions["printing"] = PrintSetup.from_settings(app.config, Path(app.instance_path))
    return app.extensions["printing"]
