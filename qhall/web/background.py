"""The work a server process does by itself, started once per process when it is ready to
serve: by gunicorn's post_worker_init hook (config/deploy/gunicorn.conf.py) and by
`qhall serve --dev`; never by a request, never in tests unless a test asks."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from qhall import routine
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


def _routine_loop(app: Flask) -> None:
    clock = app.extensions["qhall"].clock
    while True:
        try:
            with db.connection_context():
                routine.run_once(app.config, clock.now(), publish)
        except Exception:
            log.exception("routine work failed; trying again next round")
        socketio.sleep(app.config["ROUTINE"]["EVERY_S"])
