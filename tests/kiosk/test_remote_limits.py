"""Tickets from outside the hall never starve it: phones take at most a share of a capped
service's day, and no phone gives itself priority."""

from __future__ import annotations

import pytest

from printer.config import KioskConfig
from qhall.models import Ticket
from qhall.queue import remote_cap
from tests.factories import PASSWORD, ask_for_ticket, gen_staff, gen_unit

KIOSK = {"X-Device-Token": "kiosk-1-secret-0123456789"}


@pytest.fixture
def app(app):
    app.config["TICKETS"] = {"REMOTE": True, "REMOTE_PER_CLIENT": 20, "REMOTE_WINDOW_S": 600,
                             "REMOTE_DAILY_MAX": 100, "REMOTE_SHARE": 0.3}  # fmt: skip
    app.extensions["printing"].kiosks = {
        "k1": KioskConfig(name="k1", unit="T", token=KIOSK["X-Device-Token"])
    }
    return app


@pytest.fixture
def hall(app):
    """Hall T: service A gives 60 numbers a day, service B has no cap."""
    return gen_unit("T", services={"A": {"daily_limit": 60}, "B": {}})


def test_three_phones_cannot_take_a_capped_services_numbers(client, hall):
    answers = [
        ask_for_ticket(client, address=f"198.51.100.{phone}").status_code
        for phone in (1, 2, 3)
        for _ in range(20)
    ]
    assert answers.count(201) == 18 and answers.count(409) == 42  # 30 % of 60
    refused = ask_for_ticket(client, address="198.51.100.4").get_json()
    assert refused["error"] == "remote_sold_out"
    # The visitor standing at the kiosk still gets a number.
    taken = ask_for_ticket(client, KIOSK)
    assert taken.status_code == 201 and taken.get_json()["number"] == "A019"


def test_without_a_cap_the_daily_maximum_holds(client, app, hall):
    app.config["TICKETS"]["REMOTE_DAILY_MAX"] = 4
    answers = [
        ask_for_ticket(client, address=f"198.51.100.{n}", service="B").status_code
        for n in range(1, 7)
    ]
    assert answers == [201] * 4 + [409] * 2
    assert ask_for_ticket(client, KIOSK, service="B").status_code == 201


@pytest.mark.parametrize(
    "daily_limit, daily_max, share, cap",
    [
        (60, 100, 0.3, 18),
        (60, 10, 0.3, 10),  # the smaller of the two
        (None, 100, 0.3, 100),
        (None, None, 0.3, None),
        (60, None, None, None),
        (100, None, 0.57, 57),  # 0.57 * 100 is 56.99… in floating point
        (3, 100, 0.3, 0),  # a service this small gives phones nothing
    ],
)
def test_the_remote_cap(daily_limit, daily_max, share, cap):
    assert remote_cap(daily_limit, daily_max, share) == cap


def test_a_phone_cannot_claim_priority(client, hall):
    for priority in ("elderly", "appointment"):
        answer = ask_for_ticket(client, priority=priority)
        body = answer.get_json()
        assert answer.status_code == 400
        assert body["message"] == "优先服务请在大厅取号机或窗口办理。"
        assert body["message_en"] and body["priority"] == priority
    assert Ticket.select().count() == 0
    assert ask_for_ticket(client, priority=None).status_code == 201


def test_priority_is_given_at_the_kiosk_or_the_window(client, hall):
    assert ask_for_ticket(client, KIOSK, priority="elderly").get_json()["priority"] == "elderly"
    gen_staff("clerk", hall)
    client.post("/api/session", json={"login": "clerk", "password": PASSWORD})
    assert ask_for_ticket(client, priority="appointment").get_json()["priority"] == "appointment"
    assert {(t.source, t.priority) for t in Ticket.select()} == {
        ("kiosk", "elderly"),
        ("counter", "appointment"),
    }
