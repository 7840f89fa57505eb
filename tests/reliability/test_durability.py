"""Power cut in the middle of a busy morning: kill -9 the server while kiosks issue and
windows call, start it again on the same SQLite file, and check that nothing was lost."""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter as Tally

import pytest
import requests

from qhall.db import connect_database, db, sqlite_url
from qhall.models import Counter, Ticket
from tests.servers import DEMO_KIOSK, running_server

pytestmark = pytest.mark.live

UNIT, STAFF, PASSWORD = "MZJ", "mzj-1", "qhall-demo"
KIOSKS, WINDOWS = 8, (1, 2, 3, 4)


def test_kill_9_loses_no_issued_ticket_and_leaves_no_half_call(tmp_path):
    issued: list[str] = []  # numbers the server confirmed (a visitor may hold them on paper)
    called: list[str] = []
    stop = threading.Event()

    def kiosk(base: str, services: str) -> None:
        with requests.Session() as http:
            http.headers.update(DEMO_KIOSK)
            while not stop.is_set():
                try:
                    response = http.post(
                        f"{base}/api/units/{UNIT}/tickets",
                        json={"service": services[len(issued) % len(services)]},
                        timeout=5,
                    )
                except requests.RequestException:
                    return  # the server is gone
                if response.status_code == 201:
                    issued.append(response.json()["number"])

    def window(base: str, number: int) -> None:
        with requests.Session() as http:
            try:
                http.post(
                    f"{base}/api/session", json={"login": STAFF, "password": PASSWORD}, timeout=5
                )
                http.post(f"{base}/api/units/{UNIT}/counters/{number}/open", timeout=5)
                while not stop.is_set():
                    response = http.post(
                        f"{base}/api/units/{UNIT}/counters/{number}/call-next", timeout=5
                    )
                    if response.ok and response.json()["ticket"]:
                        called.append(response.json()["ticket"]["number"])
            except requests.RequestException:
                return

    with running_server(tmp_path, "--demo") as server:
        workers = [
            threading.Thread(target=kiosk, args=(server.base_url, "ABCD")) for _ in range(KIOSKS)
        ]
        workers += [threading.Thread(target=window, args=(server.base_url, n)) for n in WINDOWS]
        for worker in workers:
            worker.start()
        # Let the morning get busy, then cut the power: the master and its worker at once.
        deadline = threading.Event()
        while len(issued) < 150 and not deadline.wait(0.05):
            pass
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
        stop.set()
        for worker in workers:
            worker.join(timeout=10)
    assert len(issued) >= 150 and called, "the load never got going"

    with running_server(tmp_path) as server:
        assert requests.get(f"{server.base_url}/api/units/{UNIT}/snapshot", timeout=5).ok
        connect_database(sqlite_url(tmp_path / "instance" / "qhall.db"))
        try:
            # Numbers count per day: a run across the hall's midnight starts again at 001.
            stored = [(t.day, t.number) for t in Ticket.select(Ticket.day, Ticket.number)]
            numbers = {number for _, number in stored}
            assert set(issued) <= numbers, f"lost: {sorted(set(issued) - numbers)[:10]}"
            assert [n for n, times in Tally(stored).items() if times > 1] == [], "a number repeats"
            assert set(called) <= numbers
            half_called = Ticket.select().where(
                Ticket.status.in_(("called", "serving"))
                & (Ticket.counter.is_null() | Ticket.called_at.is_null())
            )
            assert list(half_called) == []
            for counter in Counter.select():
                in_hand = Ticket.select().where(
                    Ticket.counter == counter, Ticket.status.in_(("called", "serving"))
                )
                assert in_hand.count() <= 1, f"window {counter.window} holds two tickets"
            # Every number of each service and day, from 1 to the last, exists: none skipped.
            for day in {day for day, _ in stored}:
                for letter in "ABCD":
                    mine = sorted(int(n[1:]) for d, n in stored if d == day and n[0] == letter)
                    assert mine == list(range(1, len(mine) + 1)), f"{letter} numbers skip"
        finally:
            db.close()
