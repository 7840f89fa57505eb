"""A city's deployment on one machine: two qhall server processes on one PostgreSQL,
their Socket.IO joined through Redis."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import threading
from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import requests
import socketio

from tests.servers import DEMO_KIOSK, LiveServer, qhall_command, running_server, server_env

pytestmark = [pytest.mark.live, pytest.mark.scale]

UNIT, STAFF, PASSWORD = "MZJ", "mzj-1", "qhall-demo"
WINDOWS = (1, 2, 3, 4)  # between them they serve A, B, C and D
WAIT_S = 10


@pytest.fixture(scope="module")
def city(tmp_path_factory, postgres_url, redis_url) -> Iterator[list[LiveServer]]:
    """Two servers on one PostgreSQL and one Redis, the demo bureau seeded once."""
    tmp = tmp_path_factory.mktemp("city")
    # The hall's kiosk is registered in both processes (its tickets are a kiosk's, not limited).
    kiosks = json.dumps(
        [{"name": "mzj-kiosk", "unit": UNIT, "token": DEMO_KIOSK["X-Device-Token"]}]
    )
    settings = {"DATABASE_URL": postgres_url, "MESSAGE_QUEUE": redis_url, "KIOSKS": kiosks}
    seeded = subprocess.run(
        [qhall_command(), "demo"],
        env=server_env(tmp / "seed", **settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    with ExitStack() as stack:
        yield [stack.enter_context(running_server(tmp / name, **settings)) for name in ("a", "b")]


def signed_in(server: LiveServer) -> requests.Session:
    session = requests.Session()
    response = session.post(
        f"{server.base_url}/api/session", json={"login": STAFF, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return session


def open_and_empty_windows(server: LiveServer) -> None:
    """Open the windows and let them call until no one waits, so a test starts clean."""
    staff = signed_in(server)
    for window in WINDOWS:
        assert staff.post(f"{server.base_url}/api/units/{UNIT}/counters/{window}/open").ok
    for window in WINDOWS:
        while staff.post(f"{server.base_url}/api/units/{UNIT}/counters/{window}/call-next").json()[
            "ticket"
        ]:
            pass


def test_a_call_made_through_one_process_reaches_a_screen_on_the_other(city):
    server_a, server_b = city
    open_and_empty_windows(server_a)
    received, arrived = [], threading.Event()
    screen = socketio.Client(reconnection=False)

    @screen.on("ticket.called")
    def on_called(payload):
        received.append(payload)
        arrived.set()

    screen.connect(server_b.base_url, transports=["websocket"], wait_timeout=WAIT_S)
    try:
        snapshot = screen.call("join", {"unit": UNIT}, timeout=WAIT_S)
        assert "seq" in snapshot, snapshot
        number = requests.post(
            f"{server_a.base_url}/api/units/{UNIT}/tickets",
            json={"service": "A"},
            headers=DEMO_KIOSK,
        ).json()["number"]
        staff = signed_in(server_a)
        called = staff.post(f"{server_a.base_url}/api/units/{UNIT}/counters/1/call-next").json()
        assert called["ticket"]["number"] == number
        assert arrived.wait(WAIT_S), "the screen on server B never heard the call made on server A"
        assert (
            received[0]["ticket_view"]["number"] == number
            and received[0]["counter_view"]["window"] == 1
        )
        assert received[0]["seq"] > snapshot["seq"]
    finally:
        screen.disconnect()


def call_until_empty(base_url: str, window: int, results) -> None:
    staff = signed_in(LiveServer(base_url, None, None))
    mine = []
    while True:
        response = staff.post(
            f"{base_url}/api/units/{UNIT}/counters/{window}/call-next", timeout=30
        )
        assert response.status_code == 200, response.text
        ticket = response.json()["ticket"]
        if ticket is None:
            break
        mine.append(ticket["number"])
    results.put(mine)


def test_four_processes_calling_at_once_never_get_the_same_ticket(city):
    server_a, server_b = city
    open_and_empty_windows(server_a)
    issued: list[str] = []

    def issue(server: LiveServer, services: str) -> None:
        with requests.Session() as kiosk:
            for service in services * 15:
                response = kiosk.post(
                    f"{server.base_url}/api/units/{UNIT}/tickets",
                    json={"service": service},
                    headers=DEMO_KIOSK,
                )
                assert response.status_code == 201, response.text
                issued.append(response.json()["number"])

    kiosks = [
        threading.Thread(target=issue, args=(server, "ABCD")) for server in (server_a, server_b) * 2
    ]
    for kiosk in kiosks:
        kiosk.start()
    for kiosk in kiosks:
        kiosk.join(timeout=120)
    assert len(issued) == 4 * 60 and len(set(issued)) == len(issued), "a number was issued twice"
    per_service = defaultdict(list)
    for number in issued:
        per_service[number[0]].append(int(number[1:]))
    for letter, numbers in per_service.items():
        numbers.sort()
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), (
            f"{letter} numbers have a gap"
        )

    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    callers = [
        spawn.Process(target=call_until_empty, args=(server.base_url, window, results))
        for window, server in zip(WINDOWS, (server_a, server_b) * 2, strict=True)
    ]
    for caller in callers:
        caller.start()
    calls = [results.get(timeout=120) for _ in callers]
    for caller in callers:
        caller.join(timeout=30)

    every_call = [number for window_calls in calls for number in window_calls]
    repeated = [number for number, times in Tally(every_call).items() if times > 1]
    assert repeated == [], f"called twice: {repeated}"
    assert sorted(every_call) == sorted(issued)
