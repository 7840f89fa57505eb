"""Signing in and out: the session, a bearer token, a guesser slowed down per login and per\naddress, failed sign-ins kept small and briefly, and hashing that says busy when full."""

from __future__ import annotations

import threading

import pytest

from qhall import auth
from qhall.auth import MAX_FAILURES_PER_CLIENT, HashPool, issue_api_token, login_key, sign_in
from qhall.errors import NotSignedIn
from qhall.models import LoginFailure
from qhall.routine import run_once
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


def sign_in_from(client, address: str, login: str = "clerk", password: str = "guess"):
    """Try to sign in from a client address; return the answer."""
    return client.post(
        "/api/session",
        json={"login": login, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_wrong_passwords_from_one_address_do_not_lock_out_another(client, two_halls):
    for _ in range(5):
        assert_error(sign_in_from(client, "198.51.100.1"), 401)
    assert_error(sign_in_from(client, "198.51.100.1", password=PASSWORD), 429)
    assert sign_in_from(client, "198.51.100.2", password=PASSWORD).status_code == 200


def test_a_guesser_who_changes_the_login_each_time_is_slowed_by_address(client, two_halls):
    for n in range(MAX_FAILURES_PER_CLIENT):
        assert_error(sign_in_from(client, "198.51.100.1", login=f"guess-{n}"), 401)
    assert_error(sign_in_from(client, "198.51.100.1", login="another"), 429)
    assert_error(sign_in_from(client, "198.51.100.1", password=PASSWORD), 429)
    assert sign_in_from(client, "198.51.100.2", password=PASSWORD).status_code == 200


def test_guesses_sent_all_at_once_are_counted_before_they_are_checked(app, two_halls):
    answers = []

    def guess():
        answers.append(sign_in_from(app.test_client(), "198.51.100.1").status_code)

    guessers = [threading.Thread(target=guess) for _ in range(8)]
    for guesser in guessers:
        guesser.start()
    for guesser in guessers:
        guesser.join(60)
    assert sorted(answers) == [401] * 5 + [429] * 3


def test_a_failed_sign_in_keeps_no_login_only_a_short_keyed_hash(client, two_halls):
    # People type their password into the login box by mistake.
    assert_error(sign_in_from(client, "198.51.100.1", login=PASSWORD), 401)
    (failure,) = LoginFailure.select()
    assert failure.login == login_key(PASSWORD, "test") != login_key(PASSWORD, "other secret")
    assert len(failure.login) == 32 and PASSWORD not in failure.login
    assert failure.client == "198.51.100.1"


def test_a_huge_login_does_not_grow_the_database(app, two_halls, clock, tmp_path):
    def size() -> int:  # with the write-ahead log, where new rows go first
        return sum(path.stat().st_size for path in tmp_path.glob("qhall.db*"))

    before = size()
    for _ in range(3):
        with pytest.raises(NotSignedIn):
            sign_in("x" * 5_000_000, "guess", client="y" * 1000, now=clock.now(), secret="s")
    assert {(len(f.login), len(f.client)) for f in LoginFailure.select()} == {(32, 64)}
    assert LoginFailure.select().count() == 3
    assert size() - before < 100_000


def test_the_routine_forgets_failed_sign_ins_once_the_throttle_is_over(
    app, client, two_halls, clock
):
    for _ in range(3):
        assert_error(sign_in_from(client, "198.51.100.1"), 401)
    clock.advance(minutes=10)
    assert_error(sign_in_from(client, "198.51.100.2"), 401)
    clock.advance(minutes=6)
    assert "login-failures" in run_once(app.config, clock.now(), lambda outcome: None)
    assert [f.client for f in LoginFailure.select()] == ["198.51.100.2"]


def test_sign_in_answers_busy_rather_than_queueing_without_end(client, two_halls, monkeypatch):
    pool = HashPool(threads=1, waiting=0)
    monkeypatch.setattr(auth, "hash_pool", pool)
    started, release = threading.Event(), threading.Event()

    def hold_the_only_thread():
        pool.run(lambda: started.set() or release.wait(10))

    holder = threading.Thread(target=hold_the_only_thread)
    holder.start()
    try:
        assert started.wait(10)
        body = assert_error(sign_in_from(client, "198.51.100.1", password=PASSWORD), 503)
        assert body["error"] == "busy"
    finally:
        release.set()
        holder.join(10)
    assert sign_in_from(client, "198.51.100.1", password=PASSWORD).status_code == 200
    assert LoginFailure.select().count() == 0  # a busy answer is not a wrong password
