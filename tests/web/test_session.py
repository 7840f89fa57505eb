"""Signing in and out: the session, a bearer token, and a guesser slowed down."""

from __future__ import annotations

from qhall.auth import issue_api_token
from tests.factories import PASSWORD, assert_error


def test_bearer_token_signs_staff_in(client, two_halls, clock):
    token = issue_api_token("clerk", clock.now())
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/session", headers=headers).get_json()["login"] == "clerk"
    assert client.post("/api/units/T/counters/1/open", headers=headers).status_code == 200
    assert_error(client.get("/api/session", headers={"Authorization": "Bearer wrong"}), 401)


def test_sign_in_refuses_a_wrong_password_and_sign_out_ends_the_session(client, two_halls):
    assert_error(client.post("/api/session", json={"login": "clerk", "password": "nope"}), 401)
    assert_error(client.post("/api/session", json={"login": "nobody", "password": "nope"}), 401)
    client.post("/api/session", json={"login": "clerk", "password": PASSWORD})
    assert client.get("/api/session").status_code == 200
    client.delete("/api/session")
    assert_error(client.get("/api/session"), 401)


def test_guessing_passwords_is_slowed_down(client, two_halls, clock):
    for _ in range(5):
        assert_error(client.post("/api/session", json={"login": "clerk", "password": "guess"}), 401)
    # Now even the right password waits, so that a guesser learns nothing.
    body = assert_error(
        client.post("/api/session", json={"login": "clerk", "password": PASSWORD}), 429
    )
    assert "15" in body["message"]
    clock.advance(minutes=16)
    assert (
        client.post("/api/session", json={"login": "clerk", "password": PASSWORD}).status_code
        == 200
    )
