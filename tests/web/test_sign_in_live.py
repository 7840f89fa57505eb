"""Sign-in abuse against a live server (gunicorn, one gevent worker): every guess is
answered and the health check keeps answering throughout. How fast it answers meanwhile is
a benchmark's figure, not a test's (`qhall bench --abuse`, attack a)."""

from __future__ import annotations

import threading
import time

import requests
from requests.adapters import HTTPAdapter

CLIENTS = 8
TRIES = 3


class FromAddress(HTTPAdapter):
    """Send from a given loopback address, as another machine would."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def test_guessers_signing_in_do_not_stall_the_health_check(live_server):
    answers: list[int] = []

    def guess(n: int) -> None:
        session = requests.Session()
        session.mount("http://", FromAddress(f"127.0.0.{10 + n}"))
        for attempt in range(TRIES):
            login = {"login": f"guesser-{n}-{attempt}", "password": "guess"}
            answers.append(
                session.post(f"{live_server.base_url}/api/session", json=login).status_code
            )

    guessers = [threading.Thread(target=guess, args=(n,)) for n in range(CLIENTS)]
    for guesser in guessers:
        guesser.start()
    checks = 0
    while any(guesser.is_alive() for guesser in guessers):
        assert requests.get(f"{live_server.base_url}/healthz", timeout=10).status_code == 200
        checks += 1
        time.sleep(0.02)
    for guesser in guessers:
        guesser.join()
    assert answers == [401] * (CLIENTS * TRIES)
    assert checks >= 1  # the health check was asked while the guessers were at it
