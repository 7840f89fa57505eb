"""A booking checks in at the kiosk through the app (kiosk/booking_check_in.py): only a
kiosk of the hall or its staff, the ticket printed as any kiosk ticket, a second scan no
new ticket; a booking made with an ID number keeps no number. The clock stands at
Thursday 26 November 2026, 10:00 in Shanghai."""

from __future__ import annotations

import pytest

from qhall import appointments
from qhall.booking_models import Booking
from qhall.identity import person_key
from qhall.models import Event, Ticket
from tests.factories import PHONE_ADDRESS, assert_error, gen_staff, gen_unit, sign_in, use_printers

K1 = {"X-Device-Token": "kiosk-1-secret-0123456789"}
U1 = {"X-Device-Token": "another-hall-secret-000"}
CHECK_IN = "/api/units/T/bookings/check-in"
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def hall(app, fake_printer):
    """Hall T with kiosk k1 and its printer, whose service A books 09:00-12:00; hall U and
    its kiosk; a clerk of each hall."""
    unit = gen_unit()
    other = gen_unit("U", services={"A": {}}, counters={1: ["A"]})
    use_printers(
        app,
        [{"name": "t-kiosk", "unit": "T", **fake_printer.config}],
        [
            {"name": "k1", "unit": "T", "printer": "t-kiosk", **{"token": K1["X-Device-Token"]}},
            {"name": "u1", "unit": "U", "token": U1["X-Device-Token"]},
        ],
    )
    appointments.set_plan("T", "A", capacity=4, hours="09:00-12:00", weekdays="12345")
    gen_staff("clerk", unit), gen_staff("stranger", other)
    return unit


def booking(client, start="10:30", phone="13800000001", **more):
    body = {"service": "A", "day": "2026-11-26", "start": start, "name": "张三", "phone": phone}
    return client.post(
        "/api/units/T/bookings", json={**body, **more}, environ_base={"REMOTE_ADDR": PHONE_ADDRESS}
    )


def book(client, start="10:30", **more) -> dict:
    answer = booking(client, start, **more)
    assert answer.status_code == 201, answer.json
    return answer.json


def nothing_recorded() -> bool:
    return (
        Ticket.select().count() == 0
        and not Event.select().where(Event.name == "ticket.issued").exists()
        and not Booking.select().where(Booking.state != "booked").exists()
    )


def test_a_kiosk_checks_a_booking_in_and_prints_its_appointment_ticket(client, hall):
    code = book(client)["code"]
    answer = client.post(CHECK_IN, json={"code": code.lower()}, headers=K1)
    assert answer.status_code == 201
    ticket = answer.json["ticket"]
    assert (ticket["number"], ticket["priority"], answer.json["on_time"]) == (
        "A001", "appointment", True,
    )  # fmt: skip
    assert answer.json["note"] is None and answer.json["booking"]["state"] == "checked_in"
    printed = client.post(f"/api/tickets/{ticket['token']}/print", json={"kiosk": "k1"}, headers=K1)
    assert printed.status_code == 202

    again = client.post(CHECK_IN, json={"code": code}, headers=K1)
    assert again.status_code == 200 and again.json["already"] is True
    assert again.json["ticket"]["token"] == ticket["token"] and Ticket.select().count() == 1


def test_early_the_kiosk_gets_an_ordinary_ticket_and_the_word_why(client, hall):
    code = book(client, start="11:30")["code"]
    answer = client.post(CHECK_IN, json={"code": code}, headers=K1)
    assert answer.status_code == 201 and answer.json["ticket"]["priority"] is None
    assert "尚未到签到时间" in answer.json["note"]["zh"] and answer.json["note"]["en"]


def test_the_halls_staff_may_check_a_booking_in(client, hall):
    code = book(client)["code"]
    sign_in(client, "clerk")
    assert client.post(CHECK_IN, json={"code": code}).status_code == 201
    assert Ticket.get().source == "counter"


def test_nobody_else_checks_a_booking_in_and_nothing_is_recorded(client, hall):
    code = book(client)["code"]
    body = {"code": code}
    assert_error(client.post(CHECK_IN, json=body), 401)  # a phone, not a kiosk
    assert_error(client.post(CHECK_IN, json=body, headers=U1), 401)  # another hall's kiosk
    assert_error(client.post("/api/units/U/bookings/check-in", json=body, headers=U1), 404)
    sign_in(client, "stranger")  # staff of another hall
    assert_error(client.post(CHECK_IN, json=body), 403)
    assert nothing_recorded()


def test_a_code_that_cannot_be_one_is_a_polite_400(client, hall):
    for wrong in ("", "ABC", "ABCDEFG0", "ABCDEFGHI"):  # 0 is not in the alphabet
        error = assert_error(client.post(CHECK_IN, json={"code": wrong}, headers=K1), 400)
        assert "预约码" in error["message"] and "booking code" in error["message_en"]
    assert_error(client.post(CHECK_IN, json={}, headers=K1), 400)
    assert nothing_recorded()


def test_a_booking_made_with_an_id_number_keeps_only_its_key(app, client, hall, tmp_path):
    booked = book(client, id_number=ID_NUMBER.lower())
    assert ID_NUMBER not in str(booked) and ID_NUMBER.lower() not in str(booked)
    key = person_key(ID_NUMBER, app.config["SECRET_KEY"])
    assert Booking.get(Booking.code == booked["code"]).person_key == key
    if app.config["DATABASE_URL"].startswith("sqlite"):
        stored = b"".join(path.read_bytes() for path in tmp_path.glob("qhall.db*"))
        assert ID_NUMBER.encode() not in stored and ID_NUMBER.lower().encode() not in stored
    wrong = booking(client, "11:00", phone="13800000002", id_number="110105194912310020")
    error = assert_error(wrong, 400)
    assert "身份证号码" in error["message"] and Booking.select().count() == 1


def test_the_kiosk_check_in_screen_takes_booking_codes(client, hall):
    page = client.get("/kiosk/T/check-in?kiosk=k1").text
    assert CHECK_IN in page and 'id="booking-form"' in page and 'data-printer="t-kiosk"' in page


def test_a_repeated_request_replays_its_answer(client, hall):
    code = book(client)["code"]
    keyed = {**K1, "Idempotency-Key": "booking-check-in-1"}
    first = client.post(CHECK_IN, json={"code": code}, headers=keyed)
    again = client.post(CHECK_IN, json={"code": code}, headers=keyed)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["ticket"]["number"] == first.json["ticket"]["number"]
    assert Ticket.select().count() == 1


def test_the_id_card_read_at_the_kiosk_checks_its_holders_booking_in(client, app, hall):
    book(client, id_number=ID_NUMBER)
    clerk = sign_in(app.test_client(), "clerk")
    # Only the kiosk's own reader: the hall's clerk sending a number is refused.
    assert_error(clerk.post(CHECK_IN, json={"id_number": ID_NUMBER}), 403)
    assert nothing_recorded()
    # A card with no booking today is no booking (the kiosk keeps it for a ticket).
    unbooked = client.post(CHECK_IN, json={"id_number": "110105198001010016"}, headers=K1)
    assert_error(unbooked, 404)
    assert nothing_recorded()

    answer = client.post(CHECK_IN, json={"id_number": ID_NUMBER.lower()}, headers=K1)
    assert answer.status_code == 201, answer.json
    assert answer.json["ticket"]["priority"] == "appointment"
    assert ID_NUMBER not in answer.get_data(as_text=True)
    key = person_key(ID_NUMBER, app.config["SECRET_KEY"])
    assert Ticket.get().person_key == key  # one ticket per person holds for this one too
    again = client.post(CHECK_IN, json={"id_number": ID_NUMBER}, headers=K1)
    assert again.status_code == 200 and again.json["already"] is True
