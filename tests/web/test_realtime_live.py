"""End to end against the production server: staff act over HTTP while Socket.IO clients
in the hall's and the windows' rooms receive the live events.

The demo bureau's hall MZJ: window 1 serves only service A, window 2 serves A and D;
staff "mzj-1" works there. Tests share one server and may run in any order: each starts
from window 1 open with nothing in hand and no A ticket waiting (see `window_1`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import requests
import socketio

from tests.factories import take_live_ticket
from tests.servers import open_and_empty_window

pytestmark = pytest.mark.live

UNIT = "MZJ"
STAFF_LOGIN = "mzj-1"
DEMO_PASSWORD = "qhall-demo"
WAIT_S = 5  # the longest any expected event or answer may take
GRACE_S = 0.5  # how long an event that must not come is given to show up anyway

# Socket.IO client transports: (label, argument to connect(), transport once connected).
TRANSPORTS = [
    pytest.param(["websocket"], "websocket", id="websocket"),
    pytest.param(["polling"], "polling", id="long-polling"),
    pytest.param(None, "websocket", id="polling-upgraded-to-websocket"),
]


class HallListener:
    """A real Socket.IO client that records every event it receives, in order."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client = socketio.Client(reconnection=False)
        self.events: list[tuple[str, dict]] = []
        self._arrived = threading.Condition()
        self.client.on("*", self._record)

    def _record(self, name: str, payload: dict) -> None:
        with self._arrived:
            self.events.append((name, payload))
            self._arrived.notify_all()

    def connect(self, transports: list[str] | None = None) -> None:
        extra = {"transports": transports} if transports else {}
        self.client.connect(self.base_url, wait_timeout=WAIT_S, **extra)

    def disconnect(self) -> None:
        self.client.disconnect()

    def join(self, message) -> dict:
        """Emit "join" and return its ack: the hall's snapshot, or an error object."""
        return self.client.call("join", message, timeout=WAIT_S)

    def wait_until(self, condition: Callable[[], object], timeout: float = WAIT_S):
        """Wait until condition() is true (it may read self.events); return its last value."""
        with self._arrived:
            return self._arrived.wait_for(condition, timeout=timeout)

    def wait_for(
        self,
        name: str,
        where: Callable[[dict], bool] = lambda payload: True,
        timeout: float = WAIT_S,
    ) -> dict | None:
        """Return the first received event called name that matches, waiting up to timeout."""
        matches = self.wait_until(lambda: self.received(name, where), timeout=timeout)
        return matches[0] if matches else None

    def received(
        self, name: str, where: Callable[[dict], bool] = lambda payload: True
    ) -> list[dict]:
        with self._arrived:
            return [p for n, p in self.events if n == name and where(p)]

    def seqs(self) -> list[int]:
        with self._arrived:
            return [payload["seq"] for _, payload in self.events]


def calls_of(number: str, window: int) -> Callable[[dict], bool]:
    """Match the event that calls ticket `number` to `window`."""
    return lambda payload: (
        payload["ticket_view"]["number"] == number
        and payload["ticket_view"]["window"] == window
        and payload["counter_view"]["window"] == window
    )


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(live_server) -> str:
    return live_server.base_url


@pytest.fixture(scope="module")
def staff(base_url) -> requests.Session:
    """A browser session of a staff member of MZJ, signed in with the demo password."""
    session = requests.Session()
    response = session.post(
        f"{base_url}/api/session",
        json={"login": STAFF_LOGIN, "password": DEMO_PASSWORD},
        timeout=WAIT_S,
    )
    assert response.status_code == 200, response.text
    assert response.json()["unit"] == UNIT
    yield session
    session.close()


@pytest.fixture
def window_1(base_url, staff) -> None:
    """Window 1 open, its last visitor let go and no A ticket waiting, so that the next
    ticket taken is the next one called."""
    open_and_empty_window(staff, base_url, 1, UNIT)
    snapshot = requests.get(f"{base_url}/api/units/{UNIT}/snapshot", timeout=WAIT_S).json()
    assert snapshot["waiting"]["A"] == 0


@pytest.fixture
def listener(base_url):
    """Make connected-later Socket.IO clients; disconnect them all after the test."""
    made: list[HallListener] = []

    def make() -> HallListener:
        made.append(HallListener(base_url))
        return made[-1]

    yield make
    for one in made:
        one.disconnect()


def call_next(base_url: str, staff: requests.Session, window: int) -> dict:
    response = staff.post(
        f"{base_url}/api/units/{UNIT}/counters/{window}/call-next", timeout=WAIT_S
    )
    assert response.status_code == 200, response.text
    return response.json()


def assert_is_snapshot(ack: dict) -> None:
    assert "error" not in ack, ack
    assert isinstance(ack["seq"], int)
    assert ack["unit"]["code"] == UNIT
    assert [counter["window"] for counter in ack["counters"]] == [1, 2, 3, 4, 5]
    assert set(ack["waiting"]) == {"A", "B", "C", "D"}


# --- the hall's room -----------------------------------------------------------------


@pytest.mark.parametrize(("transports", "expected_transport"), TRANSPORTS)
def test_hall_client_sees_the_call_it_follows_with_consecutive_seqs(
    base_url, staff, window_1, listener, transports, expected_transport
):
    screen = listener()
    screen.connect(transports)
    assert screen.client.transport() == expected_transport

    snapshot = screen.join({"unit": UNIT})
    assert_is_snapshot(snapshot)
    assert snapshot["counters"][0]["state"] == "open"

    number = take_live_ticket(base_url)["number"]
    answer = call_next(base_url, staff, window=1)
    assert answer["ticket"]["number"] == number

    called = screen.wait_for("ticket.called", calls_of(number, window=1))
    assert called is not None, f"no ticket.called for {number} at window 1; got {screen.events}"
    assert called["unit"] == UNIT
    assert called["ticket_view"]["status"] == "called"
    # Every event since the snapshot, each once, numbered on from the snapshot's seq.
    assert [name for name, _ in screen.events] == ["ticket.issued", "ticket.called"]
    assert screen.seqs() == list(
        range(snapshot["seq"] + 1, snapshot["seq"] + 1 + len(screen.events))
    )


# --- the windows' rooms --------------------------------------------------------------


def test_window_client_hears_the_call_to_its_window(base_url, staff, window_1, listener):
    window_screen = listener()
    window_screen.connect(["websocket"])
    assert_is_snapshot(window_screen.join({"unit": UNIT, "counter": 1}))

    number = take_live_ticket(base_url)["number"]
    call_next(base_url, staff, window=1)

    called = window_screen.wait_for("ticket.called", calls_of(number, window=1))
    assert called is not None, (
        f"window 1's screen missed the call of {number}; got {window_screen.events}"
    )


def test_window_client_does_not_hear_another_windows_call(base_url, staff, window_1, listener):
    window_1_screen, window_2_screen = listener(), listener()
    for screen, window in ((window_1_screen, 1), (window_2_screen, 2)):
        screen.connect(["websocket"])
        assert_is_snapshot(screen.join({"unit": UNIT, "counter": window}))

    number = take_live_ticket(base_url)["number"]
    call_next(base_url, staff, window=1)

    assert window_1_screen.wait_for("ticket.called", calls_of(number, window=1)) is not None
    stray = window_2_screen.wait_for("ticket.called", timeout=GRACE_S)
    assert stray is None, f"window 2's screen received window 1's call: {stray}"


def test_a_client_in_the_hall_and_a_window_room_hears_each_event_once(
    base_url, staff, window_1, listener
):
    window_screen = listener()
    window_screen.connect(["websocket"])
    window_screen.join({"unit": UNIT})
    snapshot = window_screen.join({"unit": UNIT, "counter": 1})

    number = take_live_ticket(base_url)["number"]
    call_next(base_url, staff, window=1)
    assert window_screen.wait_for("ticket.called", calls_of(number, window=1)) is not None
    # A duplicate, if one is coming, is sent right after the first copy.
    window_screen.wait_until(
        lambda: len(window_screen.received("ticket.called")) > 1, timeout=GRACE_S
    )

    seqs = window_screen.seqs()
    assert len(seqs) == len(set(seqs)), f"events received more than once: {window_screen.events}"
    assert all(seq > snapshot["seq"] for seq in seqs)


# --- joining again -------------------------------------------------------------------


def test_client_that_reconnects_gets_a_snapshot_with_the_call_it_missed(
    base_url, staff, window_1, listener
):
    screen = listener()
    screen.connect(["websocket"])
    before = screen.join({"unit": UNIT})
    assert_is_snapshot(before)
    first_sid = screen.client.sid
    screen.disconnect()

    number = take_live_ticket(base_url)["number"]  # ticket.issued
    call_next(base_url, staff, window=1)  # ticket.called

    screen.connect(["websocket"])
    assert screen.client.sid != first_sid
    after = screen.join({"unit": UNIT})
    assert_is_snapshot(after)
    assert after["seq"] == before["seq"] + 2
    assert after["calls"][0]["number"] == number
    assert after["calls"][0]["window"] == 1
    assert after["calls"][0]["status"] == "called"
    assert after["counters"][0]["serving"] == number
    assert screen.received("ticket.called") == [], "missed events are not replayed"

    # Joined again, it follows the hall live from the new snapshot on.
    take_live_ticket(base_url)
    issued = screen.wait_for("ticket.issued")
    assert issued is not None, f"no live event after joining again; got {screen.events}"
    assert issued["seq"] == after["seq"] + 1


# --- refused joins -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "error"),
    [
        pytest.param({"unit": "NOPE"}, "not_found", id="unknown-unit"),
        pytest.param({"unit": UNIT, "counter": 99}, "not_found", id="unknown-window"),
        pytest.param({"unit": UNIT, "counter": "1"}, "bad_input", id="window-not-a-number"),
        pytest.param(UNIT, "bad_input", id="not-an-object"),
    ],
)
def test_refused_join_answers_an_error_and_the_connection_stays_usable(
    base_url, listener, message, error
):
    screen = listener()
    screen.connect(["websocket"])

    refused = screen.join(message)
    assert refused["error"] == error
    assert refused["message"] and refused["message_en"]
    assert "seq" not in refused

    assert screen.client.connected
    snapshot = screen.join({"unit": UNIT})
    assert_is_snapshot(snapshot)
    take_live_ticket(base_url)
    issued = screen.wait_for("ticket.issued")
    assert issued is not None, f"no live event after a refused join; got {screen.events}"
    assert issued["seq"] == snapshot["seq"] + 1
