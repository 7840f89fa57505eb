"""Checking a phone's ticket in through the app (kiosk/check_in.py): at a kiosk of the hall
by the scanned QR or the number and code, from the phone with the hall's QR code of today,
which only a kiosk or the hall's staff may fetch; strangers are refused and nothing is
recorded; the phone's page says what to do."""

from __future__ import annotations

import re

import pytest

from qhall.check_in import ticket_code, todays_hall_token
from qhall.models import Event, Ticket, Unit
from tests.factories import PASSWORD, ask_for_ticket, assert_error, gen_staff, gen_unit

KIOSK_SECRET = "kiosk-1-secret-0123456789"
AS_KIOSK = {"X-Device-Token": KIOSK_SECRET}
OTHER_KIOSK = {"X-Device-Token": "another-hall-secret-000"}


@pytest.fixture
def app(app):
    from printer.config import KioskConfig

    app.extensions["printing"].kiosks = {
        "k1": KioskConfig(name="k1", unit="T", token=KIOSK_SECRET),
        "u1": KioskConfig(name="u1", unit="U", token="another-hall-secret-000"),
    }
    return app


@pytest.fixture
def halls(app):
    t = gen_unit("T")
    gen_unit("U")
    gen_staff("clerk", t)
    return t


def phone_ticket(client) -> dict:
    issued = ask_for_ticket(client).get_json()
    assert Ticket.get(Ticket.token == issued["token"]).source == "mobile"
    return issued


def nothing_recorded(token: str) -> bool:
    ticket = Ticket.get(Ticket.token == token)
    return (
        ticket.checked_in_at is None
        and not Event.select().where(Event.name == "ticket.checked_in").exists()
    )


def test_a_kiosk_checks_in_the_scanned_ticket(client, halls):
    issued = phone_ticket(client)
    answer = client.post("/api/units/T/check-in", json={"token": issued["token"]}, headers=AS_KIOSK)
    assert answer.status_code == 200
    assert (answer.json["ticket"]["number"], answer.json["ticket"]["checked_in"]) == ("A001", True)
    assert client.get("/api/units/T/services").json[0]["waiting"] == 1


def test_a_kiosk_checks_in_by_number_and_code(client, halls):
    issued = phone_ticket(client)
    body = {"number": issued["number"], "code": ticket_code(issued["token"])}
    assert client.post("/api/units/T/check-in", json=body, headers=AS_KIOSK).status_code == 200
    assert Ticket.get(Ticket.token == issued["token"]).checked_in_at is not None


def test_the_hall_staff_may_check_in_for_a_visitor(client, halls):
    issued = phone_ticket(client)
    client.post("/api/session", json={"login": "clerk", "password": PASSWORD})
    assert client.post("/api/units/T/check-in", json={"token": issued["token"]}).status_code == 200


def test_strangers_cannot_check_in_at_the_kiosk_route(client, halls):
    issued = phone_ticket(client)
    url, body = "/api/units/T/check-in", {"token": issued["token"]}
    assert_error(client.post(url, json=body), 401)  # from a phone, not a kiosk
    assert_error(client.post(url, json=body, headers=OTHER_KIOSK), 401)  # another hall's kiosk
    wrong = {"number": issued["number"], "code": "000000"}
    if ticket_code(issued["token"]) == "000000":
        wrong["code"] = "111111"
    assert "签到码" in assert_error(client.post(url, json=wrong, headers=AS_KIOSK), 403)["message"]
    assert_error(client.post(url, json={}, headers=AS_KIOSK), 400)
    assert nothing_recorded(issued["token"])


def test_the_phone_checks_in_with_the_halls_code_of_today(app, client, halls, clock):
    issued = phone_ticket(client)
    url = f"/api/tickets/{issued['token']}/check-in"
    assert_error(client.post(url, json={"hall": "guessed-from-home"}), 403)
    other = todays_hall_token(app.config["SECRET_KEY"], Unit.get(Unit.code == "U"), clock.now())
    assert_error(client.post(url, json={"hall": other}), 403)  # another hall's code
    assert_error(client.post(url, json={}), 400)
    assert nothing_recorded(issued["token"])
    shown = todays_hall_token(app.config["SECRET_KEY"], halls, clock.now())
    answer = client.post(url, json={"hall": shown})
    assert answer.status_code == 200 and answer.json["ticket"]["checked_in"] is True


def test_only_a_kiosk_or_the_hall_staff_fetch_the_halls_code(client, halls):
    url = "/api/units/T/check-in.svg"
    assert_error(client.get(url), 401)
    assert_error(client.get(url, headers=OTHER_KIOSK), 401)
    answer = client.get(url, headers=AS_KIOSK)
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    assert answer.headers["Cache-Control"] == "no-store"
    client.post("/api/session", json={"login": "clerk", "password": PASSWORD})
    assert client.get(url).status_code == 200


def test_the_halls_code_opens_the_phones_check_in_page(app, client, halls, clock):
    shown = todays_hall_token(app.config["SECRET_KEY"], halls, clock.now())
    page = client.get(f"/check-in/T?h={shown}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert f'data-hall="{shown}"' in page.text and "phone-check-in.js" in page.text
    kiosk = client.get("/kiosk/T/check-in?kiosk=k1")
    assert kiosk.status_code == 200 and "/api/units/T/check-in" in kiosk.text
    assert shown not in kiosk.text  # the public page carries no hall code
    assert "/kiosk/T/check-in" in client.get("/kiosk/T").text


def shown(page: str, element_id: str) -> bool:
    tag = re.search(rf'<[^>]*id="{element_id}"[^>]*>', page).group(0)
    return " hidden" not in tag


def test_the_phone_page_says_check_in_and_then_that_its_turn_came(client, halls):
    issued = phone_ticket(client)
    page = client.get(f"/t/{issued['token']}").text
    assert shown(page, "check-in-box") and not shown(page, "turn-note")
    assert "到达大厅后请签到" in page and "Please check in when you arrive" in page
    assert ticket_code(issued["token"]) in page
    staff = client.application.test_client()
    staff.post("/api/session", json={"login": "clerk", "password": PASSWORD})
    assert staff.post("/api/units/T/tickets", json={"service": "A"}).status_code == 201  # A002
    staff.post("/api/units/T/counters/1/open")
    assert staff.post("/api/units/T/counters/1/call-next").json["ticket"]["number"] == "A002"
    page = client.get(f"/t/{issued['token']}").text
    assert shown(page, "turn-note")
    assert (
        "轮到您了，请尽快到大厅签到" in page
        and "It is your turn: please check in at the hall" in page
    )
    followed = client.get(f"/api/tickets/{issued['token']}").json
    assert (followed["status"], followed["turn_passed"], followed["checked_in"]) == (
        "waiting",
        True,
        False,
    )
    client.post("/api/units/T/check-in", json={"token": issued["token"]}, headers=AS_KIOSK)
    assert not shown(client.get(f"/t/{issued['token']}").text, "check-in-box")
    assert staff.post("/api/units/T/counters/1/call-next").json["ticket"]["number"] == "A001"
