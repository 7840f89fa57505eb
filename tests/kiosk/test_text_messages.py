"""A ticket's holder leaves a mobile number for text messages, and says stop, with the
ticket's token; nobody else can, and a refused request records nothing."""

from __future__ import annotations

import pytest

from qhall import texts
from qhall.text_models import OptedOutPhone, TicketPhone
from tests.factories import assert_error, gen_staff, gen_ticket, gen_unit, sign_in

PHONE = "13812345678"


@pytest.fixture
def sms_on(app):
    app.config["OUTBOX"]["CHANNELS"]["sms"] = {"URL": "http://127.0.0.1:9/sms", "SECRET": "s"}
    texts.configure(app.config)


@pytest.fixture
def token(app, clock, sms_on):
    gen_unit()
    return gen_ticket(clock)["token"]


def test_the_holder_leaves_a_number_and_sees_it_masked(client, token):
    answer = client.post(f"/api/tickets/{token}/phone", json={"phone": "138 1234 5678"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"phone": "138****5678", "near_ahead": 3}
    assert TicketPhone.get().phone == PHONE
    page = client.get(f"/t/{token}").get_data(as_text=True)
    assert "138****5678" in page and PHONE not in page


def test_without_the_ticket_s_token_nothing_is_recorded(client, token):
    for wrong in ("not-a-token", token[:-1] + ("x" if token[-1] != "x" else "y")):
        assert_error(client.post(f"/api/tickets/{wrong}/phone", json={"phone": PHONE}), 404)
        assert_error(client.delete(f"/api/tickets/{wrong}/phone"), 404)
    assert TicketPhone.select().count() == 0 and OptedOutPhone.select().count() == 0


def test_a_stranger_cannot_stop_another_s_messages(client, token, clock):
    client.post(f"/api/tickets/{token}/phone", json={"phone": PHONE})
    other = gen_ticket(clock)["token"]
    client.delete(f"/api/tickets/{other}/phone")  # their own ticket: nothing of this one
    assert TicketPhone.get().phone == PHONE and OptedOutPhone.select().count() == 0


def test_a_number_that_is_not_a_mobile_is_refused_politely(client, token):
    for wrong in ("87654321", "1381234567x", "", "2" * 11):
        body = assert_error(client.post(f"/api/tickets/{token}/phone", json={"phone": wrong}), 400)
        assert "手机号码" in body["message"]
    assert_error(client.post(f"/api/tickets/{token}/phone", json={"phone": "1" * 21}), 400)
    assert TicketPhone.select().count() == 0


def test_stop_keeps_the_number_from_every_later_message(client, token):
    client.post(f"/api/tickets/{token}/phone", json={"phone": PHONE})
    answer = client.delete(f"/api/tickets/{token}/phone")
    assert answer.status_code == 200 and answer.get_json()["stopped"] is True
    assert TicketPhone.select().count() == 0 and texts.is_opted_out(PHONE)


def test_a_ticket_out_of_line_or_a_hall_without_a_gateway_takes_no_number(
    app, client, token, clock
):
    client.post(f"/api/tickets/{token}/cancel", headers={"Idempotency-Key": "k" * 16})
    assert_error(client.post(f"/api/tickets/{token}/phone", json={"phone": PHONE}), 409)
    fresh = gen_ticket(clock)["token"]
    app.config["OUTBOX"]["CHANNELS"]["sms"] = {"URL": "", "SECRET": ""}
    texts.configure(app.config)
    body = assert_error(client.post(f"/api/tickets/{fresh}/phone", json={"phone": PHONE}), 409)
    assert "暂未开通短信提醒" in body["message"]
    assert TicketPhone.select().count() == 0
    assert 'id="text-me"' not in client.get(f"/t/{fresh}").get_data(as_text=True)


def test_staff_signed_in_elsewhere_gain_nothing_without_the_token(client, token):
    gen_staff("boss", None, role="admin")
    sign_in(client, "boss")
    assert_error(client.post("/api/tickets/guess/phone", json={"phone": PHONE}), 404)
    assert TicketPhone.select().count() == 0
