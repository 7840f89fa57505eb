"""Who may take tickets: registered kiosks freely, staff at their own hall, and anyone
else (a phone's remote ticket) a few at a time and never the whole day's numbers."""

from __future__ import annotations

import pytest

from qhall.models import Service, Ticket
from tests.factories import PASSWORD, ask_for_ticket, gen_staff, gen_unit

KIOSK_SECRET = "kiosk-1-secret-0123456789"


@pytest.fixture
def app(app):
    app.config["TICKETS"] = {"REMOTE": True, "REMOTE_PER_CLIENT": 3, "REMOTE_WINDOW_S": 600,
                             "REMOTE_DAILY_MAX": 5}  # fmt: skip
    from printer.config import KioskConfig

    app.extensions["printing"].kiosks = {
        "k1": KioskConfig(name="k1", unit="T", token=KIOSK_SECRET),
        "u1": KioskConfig(name="u1", unit="U", token="another-hall-secret-000"),
    }
    return app


@pytest.fixture
def halls(app):
    return gen_unit("T"), gen_unit("U")


def test_a_registered_kiosk_takes_tickets_freely_and_they_say_so(client, halls):
    for _ in range(8):
        assert ask_for_ticket(client, {"X-Device-Token": KIOSK_SECRET}).status_code == 201
    assert {t.source for t in Ticket.select()} == {"kiosk"}


def test_a_phone_takes_a_few_then_waits_and_cannot_pretend_to_be_a_kiosk(client, halls, clock):
    assert [ask_for_ticket(client, source="kiosk").status_code for _ in range(3)] == [201, 201, 201]
    refused = ask_for_ticket(client)
    assert refused.status_code == 429 and refused.get_json()["error"] == "too_many_tickets"
    assert ask_for_ticket(client, {"X-Device-Token": "another-hall-secret-000"}).status_code == 429
    assert ask_for_ticket(client, address="198.51.100.2").status_code == 201  # another phone
    clock.advance(minutes=11)
    assert ask_for_ticket(client).status_code == 201
    assert {t.source for t in Ticket.select()} == {"mobile"}


def test_a_flood_from_many_addresses_cannot_use_up_the_days_numbers(client, halls):
    answers = [ask_for_ticket(client, address=f"198.51.100.{n}").status_code for n in range(1, 9)]
    assert answers == [201] * 5 + [409] * 3
    assert ask_for_ticket(client, address="198.51.100.99").get_json()["error"] == "remote_sold_out"
    # The hall's own kiosk still has numbers for the visitors standing in front of it.
    assert ask_for_ticket(client, {"X-Device-Token": KIOSK_SECRET}).get_json()["number"] == "A006"


def test_staff_of_the_hall_issue_at_the_window(client, halls):
    gen_staff("clerk", halls[0])
    client.post("/api/session", json={"login": "clerk", "password": PASSWORD})
    for _ in range(5):
        assert ask_for_ticket(client).status_code == 201
    assert {t.source for t in Ticket.select()} == {"counter"}


def test_a_hall_may_take_no_tickets_from_outside(client, app, halls):
    app.config["TICKETS"]["REMOTE"] = False
    body = ask_for_ticket(client).get_json()
    assert body["error"] == "remote_tickets_closed" and "自助取号机" in body["message"]
    assert ask_for_ticket(client, {"X-Device-Token": KIOSK_SECRET}).status_code == 201


def test_a_phone_claiming_to_be_a_kiosk_gets_no_priority(client, halls):
    claimed = ask_for_ticket(client, source="kiosk", priority="appointment")
    assert claimed.status_code == 400 and "优先服务" in claimed.get_json()["message"]
    other_hall = ask_for_ticket(
        client, {"X-Device-Token": "another-hall-secret-000"}, priority="elderly"
    )
    assert other_hall.status_code == 400
    kiosk = ask_for_ticket(client, {"X-Device-Token": KIOSK_SECRET}, priority="elderly")
    assert kiosk.status_code == 201
    assert [(t.source, t.priority) for t in Ticket.select()] == [("kiosk", "elderly")]


def test_phones_take_at_most_a_share_of_a_capped_day(client, app, halls):
    Service.update(daily_limit=10).where(Service.code == "A").execute()
    app.config["TICKETS"]["REMOTE_SHARE"] = 0.3
    answers = [ask_for_ticket(client, address=f"198.51.100.{n}").status_code for n in range(1, 6)]
    assert answers == [201] * 3 + [409] * 2
    assert ask_for_ticket(client, {"X-Device-Token": KIOSK_SECRET}).get_json()["number"] == "A004"


def test_a_device_token_beyond_ascii_is_no_kiosks_and_no_error(client, halls):
    answer = ask_for_ticket(client, {"X-Device-Token": "kiosk-1-secret-é"})
    assert answer.status_code == 201 and Ticket.get().source == "mobile"
