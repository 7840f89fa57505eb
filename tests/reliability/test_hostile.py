"""Strangers attack a live hall (issue 13): oversized and malformed input, password
guessing, a Socket.IO client that floods `join`, phones that try to use up a service's
numbers, and anonymous printing. Each attack is bounded in count and time and runs on
127.0.0.1 against the demo served as in production (one gevent worker).

Each test checks what the hall would notice while and after it ran (`watching`): every
answer a 4xx, never a 5xx; /healthz kept answering; the same worker still serving; the
database and the worker's memory within the bounds below; a kiosk still issuing tickets.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import socketio

from tests.servers import DEMO_KIOSK, LiveServer, open_and_empty_window

pytestmark = pytest.mark.live

UNIT, MANAGER, STAFF, PASSWORD = "MZJ", "mzj-manager", "mzj-1", "qhall-demo"
KIOSK_NAME = "mzj-kiosk-1"  # config/demo.toml: its token is DEMO_KIOSK's
# What a hall may lose to one attack, at most.
DB_GROWTH_BOUND = 2 * 1024 * 1024  # bytes: the database file and its WAL together
RSS_BOUND_MB = 300  # the worker's resident memory: about 100 MB at rest, 230 MB hashing passwords
# /healthz is asked every HEALTH_EVERY_S with a generous timeout: liveness, not latency.
HEALTH_EVERY_S, HEALTH_TIMEOUT_S = 0.25, 5
WAIT_S = 10  # the longest any single answer in an attack may take
FLOOD_SETTLE_S = 60  # the longest a server may take to get through 1,000 joins, or cut them
HUGE = 10**30  # past SQLite's 64-bit integers
BIG = 1024 * 1024
ACCESS_LINE = re.compile(r'"(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \S* HTTP/')


# --- what the hall notices -----------------------------------------------------------


def worker_pid(server: LiveServer) -> int:
    """Return the pid of the gunicorn worker (the master's only child)."""
    master = server.process.pid
    for _ in range(50):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    pytest.fail("the server has no worker")


def rss_mb(pid: int) -> float:
    """Return a process's resident memory now (VmRSS), 0 if it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0.0
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def database_bytes(server: LiveServer) -> int:
    """Return the size of the server's SQLite database with its write-ahead log."""
    base = server.log_path.parent / "instance" / "qhall.db"
    return sum(p.stat().st_size for p in (base, Path(f"{base}-wal")) if p.exists())


@dataclass
class Watch:
    """What a hall would notice during an attack: health answers, memory, answers given."""

    server: LiveServer
    pid: int
    database_before: int
    health_failures: list[str] = field(default_factory=list)
    health_answers: int = 0
    peak_rss_mb: float = 0.0
    answers: list[tuple[str, int]] = field(default_factory=list)  # (what was sent, status)

    def note(self, what: str, response: requests.Response) -> requests.Response:
        """Remember the status an attack got for `what`; return the response."""
        self.answers.append((what, response.status_code))
        return response

    def server_errors(self) -> list[tuple[str, int]]:
        return [(what, status) for what, status in self.answers if status >= 500]


def poll_health(watch: Watch, stop: threading.Event) -> None:
    """Ask /healthz until stopped; record every failure and the worker's peak memory."""
    with requests.Session() as http:
        while not stop.is_set():
            started = time.monotonic()
            try:
                response = http.get(f"{watch.server.base_url}/healthz", timeout=HEALTH_TIMEOUT_S)
                if response.status_code == 200:
                    watch.health_answers += 1
                else:
                    watch.health_failures.append(f"HTTP {response.status_code}")
            except requests.RequestException as error:
                took = time.monotonic() - started
                watch.health_failures.append(f"{type(error).__name__} after {took:.1f} s")
            watch.peak_rss_mb = max(watch.peak_rss_mb, rss_mb(watch.pid))
            stop.wait(HEALTH_EVERY_S)


@contextmanager
def watching(server: LiveServer) -> Iterator[Watch]:
    """Watch the hall while the block attacks it, then check that nobody in it noticed."""
    watch = Watch(server, worker_pid(server), database_bytes(server))
    stop = threading.Event()
    poller = threading.Thread(target=poll_health, args=(watch, stop), daemon=True)
    poller.start()
    try:
        yield watch
    finally:
        stop.set()
        poller.join(timeout=HEALTH_TIMEOUT_S + 5)
    assert watch.server_errors() == [], "the attack reached a server error"
    assert watch.health_failures == [], (
        f"/healthz stopped answering within {HEALTH_TIMEOUT_S} s during the attack "
        f"({watch.health_answers} answers, failures: {watch.health_failures[:10]})"
    )
    assert worker_pid(server) == watch.pid, "the worker was restarted (every screen dropped)"
    growth = database_bytes(server) - watch.database_before
    assert growth < DB_GROWTH_BOUND, f"the database grew by {growth / BIG:.1f} MB"
    assert watch.peak_rss_mb < RSS_BOUND_MB, f"the worker reached {watch.peak_rss_mb:.0f} MB"
    ticket = requests.post(
        f"{server.base_url}/api/units/{UNIT}/tickets",
        json={"service": "A"},
        headers=DEMO_KIOSK,
        timeout=WAIT_S,
    )
    assert ticket.status_code == 201, f"the kiosk could not issue a ticket: {ticket.text[:300]}"


def assert_all_refused(watch: Watch) -> None:
    """Every answer the attack got was a 4xx: refused, never accepted, never a crash."""
    wrong = [(what, status) for what, status in watch.answers if not 400 <= status < 500]
    assert wrong == [], f"answers that were not a 4xx: {wrong}"


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(live_server) -> str:
    return live_server.base_url


@pytest.fixture(scope="module")
def manager(base_url) -> Iterator[requests.Session]:
    """MZJ's manager, signed in before any attack."""
    with requests.Session() as session:
        response = session.post(
            f"{base_url}/api/session", json={"login": MANAGER, "password": PASSWORD}, timeout=WAIT_S
        )
        assert response.status_code == 200, response.text
        yield session


@pytest.fixture(scope="module")
def staff(base_url) -> Iterator[requests.Session]:
    """A staff member of MZJ, signed in before any attack."""
    with requests.Session() as session:
        response = session.post(
            f"{base_url}/api/session", json={"login": STAFF, "password": PASSWORD}, timeout=WAIT_S
        )
        assert response.status_code == 200, response.text
        yield session


def config_record(manager: requests.Session, base_url: str, kind: str, label: str, key: str):
    """Return MZJ's configuration record of `kind` whose `key` is `label`."""
    response = manager.get(f"{base_url}/api/admin/config/{kind}?unit={UNIT}", timeout=WAIT_S)
    assert response.status_code == 200, response.text
    records = [r for r in response.json()["records"] if r[key] == label]
    assert records, f"no {kind} record {label}"
    return records[0]


def post_json_bytes(url: str, body: bytes, **headers: str) -> requests.Response:
    """POST raw bytes as JSON (requests sends their Content-Length first)."""
    return requests.post(
        url, data=body, headers={"Content-Type": "application/json", **headers}, timeout=WAIT_S
    )


# --- oversized and malformed input ---------------------------------------------------


def test_sign_ins_with_megabyte_logins_are_refused_and_not_stored(live_server, base_url):
    with watching(live_server) as watch:
        for n in range(6):
            login = f"{n}" + "x" * BIG
            watch.note(
                "1 MB login",
                requests.post(
                    f"{base_url}/api/session",
                    json={"login": login, "password": "wrong"},
                    timeout=WAIT_S,
                ),
            )
        assert_all_refused(watch)


def test_a_ten_megabyte_body_is_refused_as_too_large(live_server, base_url):
    body = json.dumps({"login": "x" * (10 * BIG), "password": "wrong"}).encode()
    with watching(live_server) as watch:
        response = watch.note("10 MB body", post_json_bytes(f"{base_url}/api/session", body))
        assert response.status_code == 413, response.text[:300]
        assert response.json()["message"] and response.json()["message_en"]


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deeply_nested_json_is_refused(live_server, base_url, depth):
    body = b'{"service": ' + b"[" * depth + b"]" * depth + b"}"
    with watching(live_server) as watch:
        watch.note(f"nested {depth}", post_json_bytes(f"{base_url}/api/units/{UNIT}/tickets", body))
        watch.note(f"nested {depth}", post_json_bytes(f"{base_url}/api/session", body))
        assert_all_refused(watch)


def test_huge_integers_are_refused(live_server, base_url, manager, staff):
    digits = b"9" * 5_000  # past Python's limit on converting a number's digits
    # Window 1 with a visitor in hand, to be sent on to a window that cannot exist.
    open_and_empty_window(staff, base_url, 1, UNIT)
    requests.post(
        f"{base_url}/api/units/{UNIT}/tickets",
        json={"service": "A"},
        headers=DEMO_KIOSK,
        timeout=WAIT_S,
    )
    staff.post(f"{base_url}/api/units/{UNIT}/counters/1/call-next", timeout=WAIT_S)
    with watching(live_server) as watch:
        for number in (HUGE, -HUGE, 2**31):
            watch.note(
                f"transfer to {number}",
                staff.post(
                    f"{base_url}/api/units/{UNIT}/counters/1/transfer",
                    json={"to_window": number},
                    timeout=WAIT_S,
                ),
            )
        anonymous = [
            f"/api/print-jobs/{HUGE}",
            f"/display/counter/{UNIT}/{HUGE}",
            f"/counter/rate/{UNIT}/{HUGE}?device=x",
        ]
        for path in anonymous:
            watch.note(path, requests.get(base_url + path, timeout=WAIT_S))
        for path in [
            f"/api/units/{UNIT}/counters/{HUGE}/queue",
            f"/api/admin/ledger?unit={UNIT}&window={HUGE}",
        ]:
            watch.note(path, manager.get(base_url + path, timeout=WAIT_S))
        watch.note(
            "window rating",
            requests.post(
                f"{base_url}/api/units/{UNIT}/counters/{HUGE}/rating",
                json={"level": 5},
                timeout=WAIT_S,
            ),
        )
        watch.note(
            "huge service",
            requests.post(
                f"{base_url}/api/units/{UNIT}/tickets",
                json={"service": HUGE},
                headers=DEMO_KIOSK,
                timeout=WAIT_S,
            ),
        )
        watch.note(
            "5,000 digits",
            post_json_bytes(
                f"{base_url}/api/units/{UNIT}/tickets",
                b'{"service": ' + digits + b"}",
                **DEMO_KIOSK,
            ),
        )
        assert_all_refused(watch)


def test_ledger_years_out_of_range_are_refused(live_server, base_url, manager):
    periods = ["year=9999", "year=1", "year=0", "month=9999-12", "month=0000-01", "month=2026-13"]
    periods += ["from=0001-01-01&to=9999-12-31", "from=9999-12-31&to=0001-01-01"]
    with watching(live_server) as watch:
        for period in periods:
            for path in ("/api/admin/ledger", "/admin/ledger", "/admin/ledger.csv"):
                url = f"{base_url}{path}?unit={UNIT}&{period}"
                watch.note(f"{path}?{period}", manager.get(url, timeout=WAIT_S))
        # A far year may be accepted as an empty report; what matters is that none crashed.
        assert watch.server_errors() == []


def test_control_and_bidi_characters_never_reach_a_staff_name(live_server, base_url, manager):
    record = config_record(manager, base_url, "staff", "mzj-3", "login")
    name = "陈\x00巾\u202e帼\u2066"
    with watching(live_server) as watch:
        response = watch.note(
            "staff name",
            manager.post(
                f"{base_url}/api/admin/config/staff",
                json={"unit": UNIT, "id": record["id"], "fields": {"name": name}},
                timeout=WAIT_S,
            ),
        )
        assert response.status_code < 500, response.text[:300]
        stored = config_record(manager, base_url, "staff", "mzj-3", "login")["name"]
        assert not set(stored) & {"\x00", "\u202e", "\u2066"}, f"stored as {stored!r}"


# --- password guessing ---------------------------------------------------------------


def test_password_guessing_slows_only_sign_in(live_server, base_url, manager, staff):
    clients, guesses = 8, 4  # under the five tries after which a login waits

    def guess(client: int) -> list[requests.Response]:
        with requests.Session() as http:
            return [
                http.post(
                    f"{base_url}/api/session",
                    json={"login": f"intruder-{client}", "password": f"guess-{n}"},
                    timeout=30,
                )
                for n in range(guesses)
            ]

    with watching(live_server) as watch:
        with ThreadPoolExecutor(clients) as pool:
            for answers in pool.map(guess, range(clients)):
                for response in answers:
                    watch.note("bad password", response)
        assert_all_refused(watch)
        # Staff already at work keep working. (Signing in anew from the guessers' own
        # address may wait: every client here is 127.0.0.1.)
        still = manager.get(f"{base_url}/api/admin/live?unit={UNIT}", timeout=WAIT_S)
        assert still.status_code == 200, still.text[:300]
        queue = staff.get(f"{base_url}/api/units/{UNIT}/counters/2/queue", timeout=WAIT_S)
        assert queue.status_code == 200, queue.text[:300]


# --- Socket.IO -----------------------------------------------------------------------


def screen(base_url: str) -> socketio.Client:
    """A connected Socket.IO client, over websocket."""
    client = socketio.Client(reconnection=False)
    client.connect(base_url, transports=["websocket"], wait_timeout=WAIT_S)
    return client


def test_a_thousand_joins_from_one_client_leave_the_hall_served(live_server, base_url):
    with watching(live_server):
        flooder = screen(base_url)
        settled = threading.Event()  # the burst answered to its end, or the flooder cut off
        flooder.on("disconnect", lambda *reason: settled.set())
        try:
            for _ in range(1_000):
                flooder.emit("join", {"unit": UNIT})
            flooder.emit("join", {"unit": UNIT}, callback=lambda *answer: settled.set())
            assert settled.wait(FLOOD_SETTLE_S), (
                f"the flooder was neither answered nor cut off within {FLOOD_SETTLE_S} s"
            )
        finally:
            flooder.disconnect()
        honest = screen(base_url)
        try:
            snapshot = honest.call("join", {"unit": UNIT}, timeout=WAIT_S)
        finally:
            honest.disconnect()
        assert snapshot["unit"]["code"] == UNIT, snapshot


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(None, id="no-payload"),
        pytest.param({"unit": UNIT, "counter": HUGE}, id="huge-window"),
        pytest.param({"unit": UNIT, "counter": 1.5}, id="fractional-window"),
        pytest.param({"unit": {"code": UNIT}}, id="unit-an-object"),
        pytest.param({"unit": "M" * 1_000}, id="long-unit"),
        pytest.param([UNIT, 1], id="a-list"),
    ],
)
def test_a_malformed_join_gets_an_error_answer(live_server, base_url, message):
    with watching(live_server):
        client = screen(base_url)
        try:
            answer = client.call("join", message, timeout=WAIT_S)
        except socketio.exceptions.TimeoutError:
            answer = "no answer"
        finally:
            client.disconnect()
        assert isinstance(answer, dict) and answer.get("error"), answer
        assert answer["message"] and answer["message_en"]


def test_socket_io_answers_carry_the_security_headers(base_url):
    expected = requests.get(f"{base_url}/healthz", timeout=WAIT_S).headers
    names = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")
    polling = requests.get(f"{base_url}/socket.io/?EIO=4&transport=polling", timeout=WAIT_S)
    assert polling.status_code == 200
    assert {n: polling.headers.get(n) for n in names} == {n: expected.get(n) for n in names}


# --- phones --------------------------------------------------------------------------


def test_phones_cannot_use_up_a_capped_service_or_claim_priority(live_server, base_url, manager):
    tickets = f"{base_url}/api/units/{UNIT}/tickets"
    # Service D, capped at 20 more numbers today: as many as one address may take by phone.
    first = requests.post(tickets, json={"service": "D"}, headers=DEMO_KIOSK, timeout=WAIT_S)
    assert first.status_code == 201, first.text
    issued_today = int(first.json()["number"][1:])
    service = config_record(manager, base_url, "services", "D", "code")
    capped = manager.post(
        f"{base_url}/api/admin/config/services",
        json={"unit": UNIT, "id": service["id"], "fields": {"daily_limit": issued_today + 20}},
        timeout=WAIT_S,
    )
    assert capped.status_code == 200, capped.text

    with watching(live_server) as watch:
        claimed = watch.note(
            "phone priority",
            requests.post(
                tickets, json={"service": "D", "priority": "appointment"}, timeout=WAIT_S
            ),
        )
        if claimed.status_code == 201:
            assert claimed.json()["priority"] is None, "a phone gave itself priority"
        # Three phones that say they are elsewhere: from 127.0.0.1 with no proxy configured
        # the server may not believe them, so all three share one address's limit.
        phone_tickets = 1 if claimed.status_code == 201 else 0
        for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
            for _ in range(10):
                response = requests.post(
                    tickets,
                    json={"service": "D"},
                    headers={"X-Forwarded-For": address},
                    timeout=WAIT_S,
                )
                if response.status_code == 201:
                    phone_tickets += 1
                else:
                    watch.note(f"phone from {address}", response)
        assert_all_refused(watch)
        assert phone_tickets <= 20, "the per-address limit let more phone tickets through"
        kiosk = requests.post(tickets, json={"service": "D"}, headers=DEMO_KIOSK, timeout=WAIT_S)
        assert kiosk.status_code == 201, f"phones used up the hall's numbers: {kiosk.text[:300]}"


# --- printing and secrets ------------------------------------------------------------


def test_strangers_cannot_print_tickets_or_read_print_jobs(live_server, base_url):
    ticket = requests.post(
        f"{base_url}/api/units/{UNIT}/tickets",
        json={"service": "A"},
        headers=DEMO_KIOSK,
        timeout=WAIT_S,
    ).json()
    printing = f"{base_url}/api/tickets/{ticket['token']}/print"
    with watching(live_server) as watch:
        watch.note(
            "anonymous print",
            requests.post(printing, json={"kiosk": KIOSK_NAME}, timeout=WAIT_S),
        )
        printed = requests.post(
            printing, json={"kiosk": KIOSK_NAME}, headers=DEMO_KIOSK, timeout=WAIT_S
        )
        assert printed.status_code == 202, printed.text[:300]
        job = printed.json()["job"]["id"]
        for path in (f"/api/print-jobs/{job}", "/api/print-jobs/1"):
            watch.note(f"anonymous {path}", requests.get(base_url + path, timeout=WAIT_S))
        assert_all_refused(watch)


def test_no_secret_or_ticket_token_is_written_to_the_log(live_server, base_url):
    token = DEMO_KIOSK["X-Device-Token"]
    ticket = requests.post(
        f"{base_url}/api/units/{UNIT}/tickets",
        json={"service": "A"},
        headers=DEMO_KIOSK,
        timeout=WAIT_S,
    ).json()
    assert requests.get(
        f"{base_url}/kiosk/{UNIT}?kiosk={KIOSK_NAME}&device={token}", timeout=WAIT_S
    ).ok
    assert requests.get(f"{base_url}/t/{ticket['token']}", timeout=WAIT_S).ok
    assert requests.get(f"{base_url}/healthz", timeout=WAIT_S).ok  # the access log has caught up
    # The access log's lines; the demo's start-up banner lists its devices on purpose.
    log = "\n".join(
        line
        for line in live_server.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        if ACCESS_LINE.search(line)
    )
    assert token not in log, "the kiosk's device secret is in the log"
    assert ticket["token"] not in log, "a ticket's token is in the log"
