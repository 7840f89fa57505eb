"""A server on PostgreSQL whose connection pool is smaller than the crowd at its door:
requests wait their turn for a connection instead of failing."""

from __future__ import annotations

import asyncio
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest
import socketio

from qhall import db as database
from qhall.app import create_app
from qhall.db import db
from tests.conftest import fresh_postgres_database
from tests.servers import DEMO_KIOSK, LiveServer, qhall_command, running_server, server_env

pytestmark = [pytest.mark.live, pytest.mark.scale]

UNIT = "MZJ"
POOL_SIZE = 4
CROWD = 50
WAIT_S = 60


@pytest.fixture(scope="module")
def small_pool_server(tmp_path_factory, postgres_url, redis_url) -> Iterator[LiveServer]:
    """One server with a pool of 4 connections, on a database of its own, seeded once."""
    tmp = tmp_path_factory.mktemp("pool")
    # A database of its own, so that the other scale tests' halls do not matter here.
    with fresh_postgres_database(postgres_url) as url:
        settings = {
            "DATABASE_URL": url,
            "MESSAGE_QUEUE": redis_url,
            "DATABASE_POOL_SIZE": str(POOL_SIZE),
        }
        seeded = subprocess.run(
            [qhall_command(), "demo"],
            env=server_env(tmp / "seed", **settings),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        # The demo's kiosk is registered (DEMO_PRINTERS): its tickets are not limited.
        with running_server(tmp / "server", DEMO_PRINTERS="true", **settings) as server:
            yield server


async def join_all_at_once(base_url: str, screens: int) -> list[dict]:
    """Connect the screens, then have every one of them join the hall at the same moment."""
    clients = [socketio.AsyncClient(reconnection=False) for _ in range(screens)]
    try:
        await asyncio.gather(
            *(c.connect(base_url, transports=["websocket"], wait_timeout=WAIT_S) for c in clients)
        )
        return await asyncio.gather(
            *(c.call("join", {"unit": UNIT}, timeout=WAIT_S) for c in clients)
        )
    finally:
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


async def issue_all_at_once(base_url: str, tickets: int) -> list[int]:
    """Take tickets at the hall's kiosk, all at the same moment, each on its own connection."""
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def issue(index: int) -> int:
            async with http.post(
                f"{base_url}/api/units/{UNIT}/tickets",
                json={"service": "ABCD"[index % 4]},
                headers=DEMO_KIOSK,
            ) as response:
                await response.read()
                return response.status

        return await asyncio.gather(*(issue(index) for index in range(tickets)))


def run_on_a_loop_of_its_own(coroutine):
    """asyncio.run in a thread of its own: in the whole suite, the browser tests' Playwright
    leaves an event loop running in the main thread, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_fifty_screens_joining_at_once_all_get_their_snapshot(small_pool_server):
    answers = run_on_a_loop_of_its_own(join_all_at_once(small_pool_server.base_url, CROWD))
    refused = [answer for answer in answers if "seq" not in answer]
    assert refused == [], f"{len(refused)} of {CROWD} screens got no snapshot: {refused[:3]}"
    assert "Traceback" not in small_pool_server.output(lines=2000)


def test_fifty_tickets_taken_at_once_are_all_issued(small_pool_server):
    statuses = run_on_a_loop_of_its_own(issue_all_at_once(small_pool_server.base_url, CROWD))
    assert statuses == [201] * CROWD
    assert "Traceback" not in small_pool_server.output(lines=2000)


def test_a_request_that_waits_too_long_for_a_connection_is_told_politely(
    postgres_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("QHALL_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setattr(database, "POOL_WAIT_S", 1)
    with fresh_postgres_database(postgres_url) as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": url,
                          "DATABASE_POOL_SIZE": 1})  # fmt: skip
        held, done = threading.Event(), threading.Event()

        def hold_the_only_connection() -> None:
            db.connect()
            held.set()
            done.wait(WAIT_S)
            db.close()

        holder = threading.Thread(target=hold_the_only_connection)
        holder.start()
        try:
            assert held.wait(WAIT_S)
            response = app.test_client().get("/healthz", headers={"Accept": "application/json"})
        finally:
            done.set()
            holder.join(WAIT_S)
        assert response.status_code == 503
        assert response.json["error"] == "busy"
        assert response.json["message"] and response.json["message_en"]
        db.close_all()  # the database is dropped next
