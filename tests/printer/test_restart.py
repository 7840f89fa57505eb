"""A real server restart with tickets waiting for a dead printer: none is lost, each
prints once when both are back."""

from __future__ import annotations

import json
import time

import pytest
import requests

from printer.fake import FakePrinter
from tests.servers import running_server

pytestmark = pytest.mark.live

UNIT = "MZJ"
KIOSK_SECRET = "restart-kiosk-secret-0123"
AS_KIOSK = {"X-Device-Token": KIOSK_SECRET}


def job_states(server, jobs: list[int], until, timeout: float = 10) -> list[dict]:
    """Return the jobs as the server tells them, once until(job) holds for all (or time is up)."""
    deadline = time.monotonic() + timeout
    while True:
        states = [
            requests.get(
                f"{server.base_url}/api/print-jobs/{job}", headers=AS_KIOSK, timeout=5
            ).json()
            for job in jobs
        ]
        if all(until(s) for s in states) or time.monotonic() > deadline:
            return states


def test_a_restart_with_pending_tickets_loses_none(tmp_path):
    printer = FakePrinter().start()
    printer.stop()  # it has its port, and is off the network
    settings = {
        "PRINTERS": json.dumps([{"name": "mzj-kiosk", "unit": UNIT, **printer.config}]),
        "KIOSKS": json.dumps(
            [{"name": "mzj-1", "unit": UNIT, "printer": "mzj-kiosk", "token": KIOSK_SECRET}]
        ),
        "PRINTER_POLL_S": "1",
        "PRINT_RETRY_MAX_S": "1",
    }
    jobs, numbers = [], []
    with running_server(tmp_path, "--demo", **settings) as server:
        for _ in range(3):
            ticket = requests.post(
                f"{server.base_url}/api/units/{UNIT}/tickets",
                json={"service": "A"},
                headers=AS_KIOSK,
                timeout=5,
            ).json()
            numbers.append(ticket["number"])
            answer = requests.post(
                f"{server.base_url}/api/tickets/{ticket['token']}/print",
                json={"kiosk": "mzj-1"},
                headers=AS_KIOSK,
                timeout=5,
            )
            assert answer.status_code == 202
            jobs.append(answer.json()["job"]["id"])
    assert printer.pages == []

    printer.start()
    try:
        with running_server(tmp_path, **settings) as server:
            # Within the lease time even if the last server died holding the printer.
            pages = printer.wait_for_pages(3, timeout=20)
            states = job_states(server, jobs, until=lambda s: s["status"] == "printed")
        assert [s["ref"][-4:] for s in states] == numbers  # each ticket, in the order taken
        assert all(s["status"] == "printed" for s in states)
        assert len(pages) == 3 and all(p.cut for p in pages)
    finally:
        printer.stop()
