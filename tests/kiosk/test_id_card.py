"""A ticket with an ID card at the kiosk (POST /api/units/<unit>/tickets with id_number):
the elderly priority by age, one open ticket per person per service a day, the card taken
from the hall's registered kiosks only, and the number never kept or answered."""

from __future__ import annotations

import pytest

from printer.config import KioskConfig, PrinterConfigError, load_kiosks
from qhall.models import IdempotencyRecord, Ticket
from tests.factories import PASSWORD, ask_for_ticket, gen_id_number, gen_staff, gen_unit

KIOSK = {"X-Device-Token": "kiosk-t-1-secret-0123456789"}
OTHER_HALLS_KIOSK = {"X-Device-Token": "kiosk-u-1-secret-0123456789"}
ELDER = gen_id_number("19540301")  # 72 on the tests' day, 26 November 2026
YOUNGER = gen_id_number("19900615", serial="002")


@pytest.fixture
def app(app):
    app.extensions["printing"].kiosks = {
        "t1": KioskConfig(name="t1", unit="T", token=KIOSK["X-Device-Token"],
                          id_card_bridge="http://127.0.0.1:17321"),
        "u1": KioskConfig(name="u1", unit="U", token=OTHER_HALLS_KIOSK["X-Device-Token"]),
    }  # fmt: skip
    return app


@pytest.fixture
def halls(app):
    return gen_unit("T"), gen_unit("U")


def with_card(client, number, headers=KIOSK, **body):
    return ask_for_ticket(client, headers, id_number=number, **body)


def test_an_elderly_visitors_card_gives_the_elderly_priority(client, halls):
    elder = with_card(client, ELDER)
    assert elder.status_code == 201 and elder.json["priority"] == "elderly"
    assert with_card(client, YOUNGER).json["priority"] is None
    chosen = with_card(client, ELDER, service="B", priority="disabled")
    assert chosen.json["priority"] == "disabled"  # what the visitor chose stands


def test_the_hall_sets_the_elderly_age(client, app, halls):
    app.config["ID_CARD"] = {"ELDERLY_AGE": 80}
    assert with_card(client, ELDER).json["priority"] is None


def test_one_ticket_per_person_per_service_a_day(client, halls, clock):
    first = with_card(client, ELDER)
    assert first.status_code == 201
    again = with_card(client, " " + ELDER.lower() + " ")  # the same card, however written
    assert again.status_code == 409
    assert again.json["message"] == f"您已取得本业务的 {first.json['number']} 号，请留意叫号。"
    assert first.json["number"] in again.json["message_en"]
    assert with_card(client, ELDER, service="B").status_code == 201  # another service
    assert with_card(client, YOUNGER).status_code == 201  # another person
    assert ask_for_ticket(client, KIOSK).status_code == 201  # no card: as before
    clock.advance(days=1)
    assert with_card(client, ELDER).status_code == 201  # the next day
    assert Ticket.select().count() == 5


@pytest.mark.parametrize(
    "who",
    ["a phone", "another hall's kiosk", "staff at the window"],
)
def test_only_the_halls_kiosk_reads_a_card_and_a_refusal_records_nothing(client, halls, who):
    headers = {}
    if who == "another hall's kiosk":
        headers = OTHER_HALLS_KIOSK
    elif who == "staff at the window":
        gen_staff("clerk", halls[0])
        client.post("/api/session", json={"login": "clerk", "password": PASSWORD})
    refused = with_card(client, ELDER, headers=headers)
    assert refused.status_code == 403
    assert "自助取号机" in refused.json["message"] and "kiosk" in refused.json["message_en"]
    assert Ticket.select().count() == 0


def test_a_bad_number_is_a_polite_400_and_records_nothing(client, halls):
    for wrong in ("110105194912310021", "12345", "1" * 40):
        refused = with_card(client, wrong)
        assert refused.status_code == 400
        assert refused.json["message"] and refused.json["message_en"]
        assert wrong not in refused.get_data(as_text=True)
    assert with_card(client, ELDER[:-1] + "0").json["message"] == "身份证号码不正确，请核对。"
    assert Ticket.select().count() == 0


def test_the_number_is_neither_answered_nor_kept_and_a_retry_replays(client, halls, app):
    headers = {**KIOSK, "Idempotency-Key": "kiosk-visit-0001"}
    first = with_card(client, ELDER, headers=headers)
    replay = with_card(client, ELDER, headers=headers)
    assert first.status_code == 201 and replay.status_code == 200
    assert replay.json["number"] == first.json["number"]
    assert ELDER not in first.get_data(as_text=True)
    kept = [(r.key, r.fingerprint, r.result) for r in IdempotencyRecord.select()]
    assert kept and not any(ELDER in text for row in kept for text in row)
    assert Ticket.get().person_key not in first.get_data(as_text=True)


def test_the_kiosk_page_may_reach_its_own_reader_and_nothing_else(client, halls):
    policy = client.get("/kiosk/T?kiosk=t1").headers["Content-Security-Policy"]
    assert "connect-src 'self' http://127.0.0.1:17321;" in policy
    other = client.get("/kiosk/U?kiosk=u1").headers["Content-Security-Policy"]
    assert "connect-src 'self';" in other
    page = client.get("/kiosk/T?kiosk=t1").get_data(as_text=True)
    assert 'data-id-card-bridge="http://127.0.0.1:17321"' in page and "读卡器未连接" in page


def test_a_kiosks_reader_address_is_an_origin():
    kiosk = {"name": "k", "unit": "T", "id_card_bridge": "http://127.0.0.1:17321/"}
    assert load_kiosks({"KIOSKS": [kiosk]})["k"].id_card_bridge == "http://127.0.0.1:17321"
    for wrong in ("127.0.0.1:17321", "file:///dev/reader", "http://127.0.0.1:17321/card"):
        with pytest.raises(PrinterConfigError):
            load_kiosks({"KIOSKS": [{**kiosk, "id_card_bridge": wrong}]})
