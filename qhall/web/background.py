"""The work a server process does by itself, started once per process when it is ready to
serve: by gunicorn's post_worker_init hook (config/deploy/gunicorn.conf.py) and by
`qhall serve --dev`; never by a request, never in tests unless a test asks."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from qhall import leases, outbox, routine
from qhall.db import db
from qhall.web.realtime import publish, socketio

log = logging.getLogger(__name__)

_started = threading.Lock()
_running: set[int] = set()


def start(app: Flask) -> None:
    """Start this process's background work once: the routine (day close, deadlines,
    erasure) and the printers' spooler, each as the settings ask."""
    with _started:
        if id(app) in _running:
            return
        _running.add(id(app))
    if app.config["ROUTINE"]["ENABLED"]:
        socketio.start_background_task(_routine_loop, app)
    if app.config["PRINT_SPOOLER"]:
        app.extensions["printing"].start_spooler(app, publish, socketio.start_background_task)
    for channel, settings in app.config["OUTBOX"]["CHANNELS"].items():
        if settings.get("URL"):
            receiver = outbox.channel_from(settings)
            socketio.start_background_task(_outbox_loop, app, channel, receiver)


def _routine_loop(app: Flask) -> None:
    clock = app.extensions["qhall"].clock
    while True:
        try:
            with db.connection_context():
                routine.run_once(app.config, clock.now(), publish)
        except Exception:
            log.exception("routine work failed; trying again next round")
        socketio.sleep(app.config["ROUTINE"]["EVERY_S"])


# A sender that dies lets another process take its channel after this long.
OUTBOX_LEASE_S = 30


def _outbox_loop(app: Flask, channel: str, receiver: outbox.HttpChannel) -> None:
    """Send a channel's messages while this process holds the channel's lease: one sender
    among all the processes, so that each recipient gets its messages in order."""
    clock = app.extensions["qhall"].clock
    while True:
        delivered = 0
        try:
            with db.connection_context():
                if leases.hold(f"outbox:{channel}", clock.now(), seconds=OUTBOX_LEASE_S):
                    delivered = outbox.deliver_due(channel, receiver.send, clock.now())
        except Exception:
            log.exception("the %s outbox failed; trying again next round", channel)
        # More may be waiting behind what went: look again at once; else rest a while.
        socketio.sleep(0 if delivered else app.config["OUTBOX"]["EVERY_S"])
