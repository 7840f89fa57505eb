"""Socket.IO against a live server, tried as a stranger would: every malformed join is
answered, a flood of messages gets its connection cut while /healthz keeps answering,
the public hall room hears nothing meant for the staff, and /socket.io/'s answers carry
the security headers.

Every client here comes from 127.0.0.1, so the tests also share that address's budget
(qhall.web.realtime.MESSAGES_PER_ADDRESS); the one that spends it all runs last.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests
import socketio

from qhall.web.realtime import MESSAGES_PER_ADDRESS, MESSAGES_PER_CONNECTION
from tests.factories import take_live_ticket

pytestmark = pytest.mark.live

UNIT = "MZJ"
STAFF_LOGIN = "mzj-1"
DEMO_PASSWORD = "qhall-demo"
WAIT_S = 10  # generous: the server may be busy with a flood
GRACE_S = 1.0  # how long an event that must not come is given to show up anyway
HEALTHZ_TIMEOUT_S = 5  # a liveness check, not a timing target


class Client:
    """A real Socket.IO client that records the events it receives and its disconnection."""

    def __init__(self, base_url: str, cookie: str | None = None) -> None:
        self.base_url = base_url
        self.cookie = cookie
        self.io = socketio.Client(reconnection=False)
        self.events: list[tuple[str, dict]] = []
        self.gone = threading.Event()
        self.io.on("*", lambda name, payload=None: self.events.append((name, payload)))
        self.io.on("disconnect", lambda *_: self.gone.set())

    def connect(self) -> Client:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.io.connect(
            self.base_url, transports=["websocket"], headers=headers, wait_timeout=WAIT_S
        )
        return self

    def join(self, *args) -> dict:
        """Emit "join" with exactly these arguments and return its ack."""
        return self.io.call("join", args, timeout=WAIT_S)

    def names(self) -> list[str]:
        return [name for name, _ in self.events]


@pytest.fixture(scope="module")
def base_url(live_server) -> str:
    return live_server.base_url


@pytest.fixture
def clients(base_url):
    """Make connected Socket.IO clients; disconnect them all after the test."""
    made: list[Client] = []

    def make(cookie: str | None = None) -> Client:
        made.append(Client(base_url, cookie).connect())
        return made[-1]

    yield make
    for one in made:
        if one.io.connected:
            one.io.disconnect()


@pytest.fixture(scope="module")
def staff(base_url) -> requests.Session:
    """A browser session of a staff member of MZJ."""
    session = requests.Session()
    response = session.post(
        f"{base_url}/api/session",
        json={"login": STAFF_LOGIN, "password": DEMO_PASSWORD},
        timeout=WAIT_S,
    )
    assert response.status_code == 200, response.text
    yield session
    session.close()


def cookie_of(session: requests.Session) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)


# --- malformed joins -----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        pytest.param((), id="no-payload"),
        pytest.param(({"unit": UNIT}, "more"), id="two-payloads"),
        pytest.param((None,), id="null"),
        pytest.param(([UNIT],), id="a-list"),
        pytest.param((7,), id="a-number"),
        pytest.param(({},), id="no-unit"),
        pytest.param(({"unit": 7},), id="unit-not-a-string"),
        pytest.param(({"unit": ""},), id="unit-empty"),
        pytest.param(({"unit": "M" * 5000},), id="unit-too-long"),
        pytest.param(({"unit": UNIT, "counter": True},), id="window-true"),
        pytest.param(({"unit": UNIT, "counter": 1.5},), id="window-a-fraction"),
        pytest.param(({"unit": UNIT, "counter": 2**70},), id="window-huge"),
        pytest.param(({"unit": UNIT, "counter": -1},), id="window-negative"),
    ],
)
def test_a_malformed_join_is_answered_with_an_error(clients, args):
    screen = clients()
    refused = screen.join(*args)
    assert refused["error"] == "bad_input", refused
    assert refused["message"] and refused["message_en"]
    assert "seq" not in refused
    assert len(str(refused)) < 500  # the input is not echoed back
    # The connection stays usable.
    assert screen.join({"unit": UNIT})["unit"]["code"] == UNIT


def test_a_message_over_the_size_limit_closes_only_its_connection(clients, base_url):
    screen = clients()
    screen.io.emit("join", {"unit": "M" * 100_000})
    assert screen.gone.wait(WAIT_S), "a 100 kB message was taken"
    assert clients().join({"unit": UNIT})["unit"]["code"] == UNIT


# --- floods --------------------------------------------------------------------------


def test_a_burst_of_joins_is_cut_off_and_healthz_keeps_answering(clients, base_url):
    health: list[int | str] = []
    flooding = threading.Event()

    def watch_health() -> None:
        while flooding.is_set():
            try:
                answer = requests.get(f"{base_url}/healthz", timeout=HEALTHZ_TIMEOUT_S)
                health.append(answer.status_code)
            except requests.RequestException as error:
                health.append(repr(error))
            time.sleep(0.05)

    flooder = clients()
    answers: list[dict] = []
    flooding.set()
    watcher = threading.Thread(target=watch_health)
    watcher.start()
    try:
        for _ in range(1000):
            if not flooder.io.connected:
                break
            try:
                flooder.io.emit(
                    "join", {"unit": UNIT}, callback=lambda ack=None: answers.append(ack)
                )
            except socketio.exceptions.SocketIOError:
                break
        assert flooder.gone.wait(WAIT_S), "the flooding client was never disconnected"
    finally:
        flooding.clear()
        watcher.join()

    assert health and all(status == 200 for status in health), health
    snapshots = [a for a in answers if a and "seq" in a]
    assert len(snapshots) <= MESSAGES_PER_CONNECTION
    assert any(a and a.get("error") == "too_many_messages" for a in answers), answers[-3:]
    # Everyone else is served as before.
    assert clients().join({"unit": UNIT})["unit"]["code"] == UNIT


# --- who hears what ------------------------------------------------------------------


def test_the_public_hall_room_never_hears_a_staff_only_event(clients, staff, base_url):
    public = clients()
    snapshot = public.join({"unit": UNIT})
    desk = clients(cookie_of(staff))
    desk.join({"unit": UNIT})

    registered = staff.post(
        f"{base_url}/api/units/{UNIT}/inquiries",
        json={"matter": "咨询社保转移", "visitor_name": "张三", "visitor_phone": "13812341234"},
        timeout=WAIT_S,
    )
    assert registered.status_code == 201, registered.text
    take_live_ticket(base_url)  # a public event after it

    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline and not (
        "inquiry.registered" in desk.names() and "ticket.issued" in public.names()
    ):
        time.sleep(0.05)
    time.sleep(GRACE_S)  # anything that must not come has had its chance

    assert "inquiry.registered" in desk.names(), desk.events
    assert "ticket.issued" in public.names(), public.events
    assert public.names() == ["event.withheld", "ticket.issued"], public.events
    withheld = public.events[0][1]
    assert withheld == {"seq": snapshot["seq"] + 1, "unit": UNIT}
    # No gap in seq for the public client, so no needless snapshot.
    assert public.events[1][1]["seq"] == snapshot["seq"] + 2


# --- headers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("EIO=4&transport=polling", id="handshake"),
        pytest.param("EIO=4&transport=nonsense", id="refused"),
    ],
)
def test_socket_io_answers_carry_the_security_headers(base_url, query):
    answer = requests.get(f"{base_url}/socket.io/?{query}", timeout=WAIT_S)
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Referrer-Policy"] == "same-origin"


# --- last: spends the address's budget ----------------------------------------------


def test_many_connections_from_one_address_share_one_limit(clients, base_url):
    """Runs last: it spends 127.0.0.1's budget for the period."""
    per_connection = MESSAGES_PER_CONNECTION - 2  # each stays under its own limit
    many = [clients() for _ in range(MESSAGES_PER_ADDRESS // per_connection + 2)]
    refused = 0
    for screen in many:
        for _ in range(per_connection):
            if not screen.io.connected:
                break
            try:
                ack = screen.join({"unit": UNIT})
            except socketio.exceptions.SocketIOError:
                break
            refused += ack.get("error") == "too_many_messages"
    assert refused >= 1
    assert any(screen.gone.wait(WAIT_S) for screen in many[-2:])
    assert requests.get(f"{base_url}/healthz", timeout=HEALTHZ_TIMEOUT_S).status_code == 200
