"""Taking a ticket through the real app: the halls and their services, the ticket and its
following, a repeated touch, and a clear 4xx for bad input or a closed service."""

from __future__ import annotations

import pytest

from qhall.models import Ticket
from tests.factories import PASSWORD, assert_error, gen_unit


def test_units_and_services(client, two_halls):
    assert [u["code"] for u in client.get("/api/units").get_json()] == ["T", "U"]
    services = client.get("/api/units/T/services").get_json()
    assert [(s["code"], s["waiting"], s["open"]) for s in services] == [
        ("A", 0, True),
        ("B", 0, True),
    ]


def test_take_a_ticket_and_follow_it(client, two_halls):
    response = client.post("/api/units/T/tickets", json={"service": "A", "priority": None})
    assert response.status_code == 201
    issued = response.get_json()
    assert (issued["number"], issued["service"], issued["ahead"]) == ("A001", "A", 0)
    assert {"token", "estimated_wait_s"} <= issued.keys()
    followed = client.get(f"/api/tickets/{issued['token']}").get_json()
    assert (followed["number"], followed["status"], followed["window"]) == ("A001", "waiting", None)
    # Priority is given where the visitor is seen: here at the window, by its clerk.
    client.post("/api/session", json={"login": "clerk", "password": PASSWORD})
    second = client.post(
        "/api/units/T/tickets", json={"service": "A", "priority": "elderly"}
    ).get_json()
    assert second["priority"] == "elderly" and second["ahead"] == 0
    # The phone's ticket waits to check in at the hall (qhall.check_in): not in the count.
    assert client.get("/api/units/T/services").get_json()[0]["waiting"] == 1


def test_a_repeated_touch_with_the_same_key_gives_one_ticket(client, two_halls):
    headers = {"Idempotency-Key": "kiosk-7-000123"}
    first = client.post("/api/units/T/tickets", json={"service": "A"}, headers=headers)
    again = client.post("/api/units/T/tickets", json={"service": "A"}, headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.get_json()["token"] == again.get_json()["token"]
    assert Ticket.select().count() == 1


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
def test_bad_input_gets_a_clear_4xx(client, two_halls, path, body, status):
    assert_error(client.post(path, json=body), status)


def test_a_closed_service_is_a_409_with_its_hours(client, app, clock):
    gen_unit("C", services={"A": {"hours": "08:30-09:00"}})
    body = assert_error(client.post("/api/units/C/tickets", json={"service": "A"}), 409)
    assert body["error"] == "service_closed" and body["hours"] == "08:30-09:00"
