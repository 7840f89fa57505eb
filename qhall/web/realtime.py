"""Live events over Socket.IO: rooms, joining with a snapshot, and publishing after commit.

How a call reaches the hall screen: a window's "call next" runs qhall.queue.call_next in
one unit of work, which records `ticket.called` (qhall.events.record: the event row and
the hall's next seq); after the commit the view hands the Outcome to publish() below,
which emits it to the hall's room and the window's; the hall screen
(display/static/hall.js, joined through qhall/static/live.js) shows the number and speaks
it from the voice clips (display/static/voice.js, qhall/voice.py says which clips).

Rooms: "unit:<code>" gets every event of a hall; "counter:<code>:<window>" gets only the
events of one window, so its clients see gaps in seq by design and must not resync on
them. A client emits "join" and receives the hall's snapshot as the ack; after a
reconnect it joins again, because a new connection is in no room and missed events are
not replayed.
"""

from __future__ import annotations

import time

from flask import current_app
from flask_socketio import SocketIO, join_room

from qhall.db import db
from qhall.errors import BadInput, HallError
from qhall.events import SYSTEM_ALERT, Outcome
from qhall.lookups import find_counter, find_unit
from qhall.shapes import snapshot

socketio = SocketIO()


def unit_room(unit_code: str) -> str:
    return f"unit:{unit_code}"


def counter_room(unit_code: str, window: int) -> str:
    return f"counter:{unit_code}:{window}"


def publish(outcome: Outcome) -> Outcome:
    """Send an outcome's events to their rooms. Call only after the commit."""
    for event in outcome.events:
        rooms = [unit_room(event["unit"])]
        if event.get("counter_view"):
            rooms.append(counter_room(event["unit"], event["counter_view"]["window"]))
        # One emit to both rooms: a client in both gets the event once.
        socketio.emit(event["name"], event, to=rooms)
    return outcome


# A failing disk or database would raise the same alert for every request: once a while is enough.
ALERT_EVERY_S = 30
_last_alert: dict[str, float] = {}


def alert_staff(code: str, zh: str, en: str) -> None:
    """Tell every open staff page (windows, managers) that the system needs a person now.

    Sent straight to every client, not through the database: the alert is about the
    database or its disk. Public screens ignore it; staff pages show it (live.js onAlert).
    """
    moment = time.monotonic()
    if moment - _last_alert.get(code, -ALERT_EVERY_S) < ALERT_EVERY_S:
        return
    _last_alert[code] = moment
    socketio.emit(SYSTEM_ALERT, {"error": code, "message": zh, "message_en": en})


@socketio.on("join")
def on_join(message):
    """Join a hall's room, or only one window's room if a window is named, and answer with
    the hall's snapshot."""
    try:
        if not isinstance(message, dict) or not isinstance(message.get("unit"), str):
            raise BadInput("请提供服务大厅代码。", "Name the hall to join.")
        window = message.get("counter")
        if window is not None and (not isinstance(window, int) or isinstance(window, bool)):
            raise BadInput("窗口号应为整数。", "The window must be a number.")
        # Socket.IO handlers run outside Flask's request hooks, so they open their own.
        with db.connection_context():
            unit = find_unit(message["unit"])
            if window is None:
                room = unit_room(unit.code)
            else:
                room = counter_room(unit.code, find_counter(unit, window).window)
            # Join before reading, so an event committed meanwhile is not missed: it
            # arrives with a seq above the snapshot's and the client applies it.
            join_room(room)
            return snapshot(unit.code, current_app.extensions["qhall"].clock.now())
    except HallError as error:
        return error.as_json()
