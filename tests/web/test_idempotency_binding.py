"""An Idempotency-Key is the sender's own: the same key from someone else, or with another
request, never replays the first answer; a replay shows no visitor's name or phone in full;
kept answers are forgotten after a day."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from qhall.models import IdempotencyRecord, Inquiry
from qhall.retention import IDEMPOTENCY_KEEP_S
from qhall.routine import run_once
from tests.factories import assert_error, gen_staff, gen_unit, sign_in, use_printers

KIOSK = {"X-Device-Token": "kiosk-k1-secret-0123456789"}
KEY = "same-key-0001"
INQUIRY = {"matter": "咨询低保", "visitor_name": "王小明", "visitor_phone": "13900001111"}


@pytest.fixture
def halls(app):
    """Halls T and U, a clerk at each and a second clerk at T; T's registered kiosk k1."""
    t, u = gen_unit("T"), gen_unit("U")
    use_printers(app, [], [{"name": "k1", "unit": "T", "token": KIOSK["X-Device-Token"]}])
    for login, unit in [("clerk-t", t), ("colleague-t", t), ("clerk-u", u)]:
        gen_staff(login, unit)
    return t, u


def as_staff(app, login: str):
    return sign_in(app.test_client(), login)


def register(client, unit: str = "T", body: dict = INQUIRY, key: str = KEY):
    return client.post(f"/api/units/{unit}/inquiries", json=body, headers={"Idempotency-Key": key})


def test_an_anonymous_client_with_the_kiosks_key_never_gets_the_kiosks_ticket(client, halls):
    headers = {**KIOSK, "Idempotency-Key": KEY}
    kiosk = client.post("/api/units/T/tickets", json={"service": "A"}, headers=headers)
    assert kiosk.status_code == 201, kiosk.get_json()
    token = kiosk.get_json()["token"]

    stranger = client.post(
        "/api/units/T/tickets",
        json={"service": "A"},
        headers={"Idempotency-Key": KEY},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert "Idempotent-Replayed" not in stranger.headers
    assert token not in stranger.get_data(as_text=True)
    if stranger.status_code == 201:  # a ticket of its own, or a polite refusal
        assert stranger.get_json()["token"] != token
    # The kiosk itself, sending its key again, gets its own ticket back.
    again = client.post("/api/units/T/tickets", json={"service": "A"}, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["token"] == token
    # What is kept names neither the kiosk's secret nor the client's key as sent.
    kept = " ".join(r.key for r in IdempotencyRecord.select())
    assert KIOSK["X-Device-Token"] not in kept and KEY not in kept


def test_other_staff_with_the_same_key_get_no_name_or_phone_of_the_first_visitor(app, halls):
    first = register(as_staff(app, "clerk-t"))
    assert first.status_code == 201, first.get_json()

    own = {"matter": "咨询救助", "visitor_name": "李四", "visitor_phone": "13700002222"}
    for login, unit, body in [("colleague-t", "T", own), ("clerk-u", "U", own),
                              ("clerk-u", "T", INQUIRY)]:  # fmt: skip
        answer = register(as_staff(app, login), unit, body)
        text = answer.get_data(as_text=True)
        assert "Idempotent-Replayed" not in answer.headers
        assert "王小明" not in text and "13900001111" not in text and "王*明" not in text
        if unit == "T" and login == "clerk-u":
            assert_error(answer, 403)  # not their hall
        else:
            assert answer.status_code == 201 and answer.get_json()["visitor_name"] == "李四"
    assert Inquiry.select().where(Inquiry.visitor_name == "王小明").count() == 1
    assert Inquiry.select().count() == 3


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(app, halls):
    clerk = as_staff(app, "clerk-t")
    assert register(clerk).status_code == 201
    kept = IdempotencyRecord.select().count()

    other = register(clerk, body={**INQUIRY, "matter": "咨询医保"})
    body = assert_error(other, 422)
    assert body["error"] == "key_reused" and "新的编号" in body["message"]
    assert Inquiry.select().count() == 1 and IdempotencyRecord.select().count() == kept


def test_a_replay_answers_the_first_request_with_the_visitors_data_masked(app, halls):
    clerk = as_staff(app, "clerk-t")
    first = register(clerk)
    assert first.get_json()["visitor_name"] == "王小明"  # the first answer is whole

    again = register(clerk)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    replay = again.get_json()
    assert replay["id"] == first.get_json()["id"] and Inquiry.select().count() == 1
    assert (replay["visitor_name"], replay["visitor_phone"]) == ("王*明", "139****1111")
    (record,) = IdempotencyRecord.select()
    assert "王小明" not in record.result and "13900001111" not in record.result


def test_kept_answers_are_forgotten_after_a_day(app, clock, halls):
    register(as_staff(app, "clerk-t"), key="day-old-key-01")
    clock.advance(seconds=IDEMPOTENCY_KEEP_S - 3600)
    register(as_staff(app, "clerk-t"), key="fresh-key-0001")  # a new shift, a new session
    assert IdempotencyRecord.select().count() == 2

    clock.advance(seconds=3600 + 1)
    assert "kept-answers" in run_once(app.config, clock.now(), lambda outcome: None)
    (left,) = IdempotencyRecord.select()
    assert clock.now() - left.created_at < timedelta(seconds=IDEMPOTENCY_KEEP_S)
    # Forgotten, the old key is a new request again: another matter, not a replay.
    assert register(as_staff(app, "clerk-t"), key="day-old-key-01").status_code == 201
    assert Inquiry.select().count() == 3


def test_what_is_kept_of_a_body_cannot_be_tried_without_the_install_secret(app, halls):
    """The kept fingerprint is keyed: a plain SHA-256 of a body with a phone or an ID
    number in it could be matched by hashing every possible number."""
    clerk = as_staff(app, "clerk-t")
    assert register(clerk).status_code == 201
    sent = app.json.dumps(INQUIRY).encode()
    plain = hashlib.sha256()
    for part in (b"POST", b"/api/units/T/inquiries", sent):
        plain.update(len(part).to_bytes(8, "big") + part)
    (kept,) = IdempotencyRecord.select()
    assert kept.fingerprint and kept.fingerprint != plain.hexdigest()
    # Still the same request for its sender: the same key and body replay the answer.
    assert register(clerk).headers["Idempotent-Replayed"] == "true"
