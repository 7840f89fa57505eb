"""Where the hall texts visitors, a booking from the visitor's page needs the code texted to
its phone, so that nobody books with a phone not their own; where it does not, the code is
shown on screen as before. The clock stands at Thursday 26 November 2026, 10:00."""

from __future__ import annotations

import json
import re

import pytest

from qhall import appointments, texts
from qhall.booking_models import Booking
from qhall.outbox import OutboxMessage
from tests.factories import PHONE_ADDRESS, assert_error, gen_unit

BOOKINGS = "/api/units/T/bookings"
PHONE = "13812345678"
SLOT = {"service": "A", "day": "2026-11-26", "start": "10:30", "name": "张三", "phone": PHONE}


@pytest.fixture
def hall(app):
    gen_unit()
    appointments.set_plan("T", "A", capacity=4, hours="09:00-12:00", weekdays="12345")


@pytest.fixture
def texting(app, hall):
    app.config["OUTBOX"]["CHANNELS"]["sms"] = {"URL": "http://127.0.0.1:9/", "SECRET": "s"}
    texts.configure(app.config)


def post(client, url, body, address=PHONE_ADDRESS):
    return client.post(url, json=body, environ_base={"REMOTE_ADDR": address})


def texted_code() -> str:
    """The code as the visitor reads it in the text message."""
    (message,) = OutboxMessage.select().where(OutboxMessage.channel == "sms")
    return re.search(r"\b(\d{6})\b", json.dumps(json.loads(message.payload)["params"])).group(1)


def test_a_booking_needs_the_code_texted_to_its_phone(client, texting):
    page = client.get("/book/T").get_data(as_text=True)
    assert 'id="send-code"' in page and "短信验证码" in page

    assert_error(post(client, BOOKINGS, SLOT), 400)  # no code yet
    sent = post(client, f"{BOOKINGS}/phone-code", {"phone": PHONE})
    assert sent.status_code == 202 and sent.get_json()["minutes"] == 10
    code = texted_code()
    wrong = "000000" if code != "000000" else "111111"
    assert_error(post(client, BOOKINGS, {**SLOT, "phone_code": wrong}), 400)
    assert Booking.select().count() == 0

    booked = post(client, BOOKINGS, {**SLOT, "phone_code": code})
    assert booked.status_code == 201, booked.get_json()
    # A code is used once: another booking needs another code.
    again = {**SLOT, "phone": PHONE, "start": "11:00", "phone_code": code}
    assert_error(post(client, BOOKINGS, again), 400)
    assert Booking.select().count() == 1


def test_without_a_gateway_no_code_is_asked_nor_sent(client, hall):
    assert 'id="send-code"' not in client.get("/book/T").get_data(as_text=True)
    assert_error(post(client, f"{BOOKINGS}/phone-code", {"phone": PHONE}), 409)
    assert post(client, BOOKINGS, SLOT).status_code == 201
    assert OutboxMessage.select().count() == 0


def test_codes_to_one_phone_stop_at_its_hourly_limit(client, texting):
    answers = [
        post(client, f"{BOOKINGS}/phone-code", {"phone": PHONE}, address=f"10.0.0.{n}").status_code
        for n in range(1, 9)
    ]
    assert answers[:6] == [202] * 6 and answers[6:] == [429, 429]  # [SMS] PER_PHONE_PER_HOUR
