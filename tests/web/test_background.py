"""The work a server does by itself starts once per process when it is ready to serve
(gunicorn's worker hook, `qhall serve --dev`), and never because a request came in."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from qhall.web import background
from qhall.web.realtime import socketio
from tests.factories import take_ticket, use_printers


@pytest.fixture
def started(monkeypatch):
    """Record the background tasks started, instead of running them."""
    tasks = []

    def record(work, *args, **kwargs):
        tasks.append((work.__name__, args[:1]))
        return SimpleNamespace(join=lambda timeout=None: None)  # a task that has ended

    monkeypatch.setattr(socketio, "start_background_task", record)
    monkeypatch.setattr(background, "_running", set())
    return tasks


def test_requests_start_no_background_work(app, staff_client, started):
    staff_client.get("/healthz")
    take_ticket(staff_client)
    staff_client.post("/api/units/T/counters/1/open")
    assert started == []


def test_the_worker_hook_starts_the_routine_and_each_printer_once(app, fake_printer, started):
    use_printers(app, [{"name": "hall-printer", "unit": "T", **fake_printer.config}])
    background.start(app)
    background.start(app)  # a second call (a second hook) starts nothing more
    assert sorted(started) == [("_routine_loop", (app,)), ("_work", ("hall-printer",))]
    app.extensions["printing"].spooler.stop()


def test_settings_can_keep_either_from_starting(app, fake_printer, started):
    use_printers(app, [{"name": "hall-printer", "unit": "T", **fake_printer.config}])
    app.config["ROUTINE"] = {**app.config["ROUTINE"], "ENABLED": False}
    app.config["PRINT_SPOOLER"] = False
    background.start(app)
    assert started == []


def test_a_channel_with_an_address_gets_one_sender_and_one_without_none(app, started):
    app.config["PRINT_SPOOLER"] = False
    app.config["OUTBOX"] = {
        "EVERY_S": 1,
        "CHANNELS": {"haocha": {"URL": "http://127.0.0.1:9/", "SECRET": "s"},
                     "sms": {"URL": "", "SECRET": ""}},
    }  # fmt: skip
    background.start(app)
    assert sorted(started) == [("_outbox_loop", (app,)), ("_routine_loop", (app,))]
