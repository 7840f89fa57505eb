"""Live events over Socket.IO: rooms, joining with a snapshot, publishing after commit, and
the limits that keep one client from stalling the hall.

How a call reaches the hall screen: a window's "call next" runs qhall.queue.call_next in
one unit of work, which records `ticket.called` (qhall.events.record: the event row and
the hall's next seq); after the commit the view hands the Outcome to publish() below,
which emits it to the hall's room and the window's; the hall screen
(display/static/hall.js, joined through qhall/static/live.js) shows the number and speaks
it from the voice clips (display/static/voice.js, qhall/voice.py says which clips).

Rooms, and who may be in them:
- "unit:<code>", the public hall room: anyone who joins {unit}. It gets only the events
  the hall shows in public (qhall.events.PUBLIC_NAMES); for any other event it gets an
  `event.withheld` with the seq alone, so that its clients see no gap in seq.
- "staff:<code>": a signed-in staff member who may work at or read that hall (the session
  cookie of the connection) and joins {unit} is put here instead. It gets every event.
  Every staff connection is also in "staff", which gets the system alerts.
- "counter:<code>:<window>": anyone who joins {unit, counter}; only the public events of
  that window, so its clients see gaps in seq by design and must not resync on them.
A client emits "join" and receives the hall's snapshot as the ack, or an error object
({error, message, message_en}) for a join it may not make; after a reconnect it joins
again, because a new connection is in no room and missed events are not replayed.

Limits: each connection may send MESSAGES_PER_CONNECTION messages a LIMIT_PERIOD_S, and
all the connections of one address MESSAGES_PER_ADDRESS together; the message over the
limit is answered with an error and its connection is cut. Counting is O(1) and comes
before any work, and a join whose hall has not moved since the last snapshot reuses it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, has_app_context, request, session
from flask_socketio import SocketIO, join_room

from qhall.access import may_read, may_work_at
from qhall.auth import staff_signed_in
from qhall.dashboard import no_window_alerts
from qhall.db import db
from qhall.errors import BadInput, HallError
from qhall.events import EVENT_WITHHELD, PUBLIC_NAMES, SYSTEM_ALERT, Outcome
from qhall.lookups import find_counter, find_unit
from qhall.models import Staff, Unit
from qhall.shapes import snapshot
from qhall.transfers import stranded_alerts

# A join is a few dozen bytes; nothing a client sends needs more than this.
MAX_MESSAGE_BYTES = 16_384

socketio = SocketIO(max_http_buffer_size=MAX_MESSAGE_BYTES)

# A screen joins once a connection and once a minute or so (live.js); a burst of joins is
# not a screen. An address may be a NAT or a proxy with many screens and phones behind it.
LIMIT_PERIOD_S = 10.0
MESSAGES_PER_CONNECTION = 20
MESSAGES_PER_ADDRESS = 300
# A snapshot of an unchanged hall is reused for this long (its wait figures age slowly).
SNAPSHOT_REUSE = timedelta(seconds=2)
MAX_UNIT_CODE = 16  # qhall.models.Unit.code
MAX_WINDOW = 2**31 - 1  # what the database keeps (qhall.web.schema.Int32)

log = logging.getLogger(__name__)

STAFF_ROOM = "staff"


def unit_room(unit_code: str) -> str:
    return f"unit:{unit_code}"


def staff_room(unit_code: str) -> str:
    return f"staff:{unit_code}"


def account_room(staff_id: int) -> str:
    """The room of one account's staff connections, ended when its sessions end."""
    return f"account:{staff_id}"


def end_connections_of(staff_id: int) -> None:
    """Close the staff connections of an account whose sessions just ended (sign-out, a
    password change, a deactivation): its rooms would go on receiving the hall's staff
    events. Its pages are told first, and reload to the sign-in. Connections to another
    server process only get the message: each process closes just its own."""
    room = account_room(staff_id)
    socketio.emit(
        "session_ended", {"zh": "您已退出登录。", "en": "You have been signed out."}, to=room
    )
    for sid, _eio_sid in list(socketio.server.manager.get_participants("/", room)):
        socketio.server.disconnect(sid)


def counter_room(unit_code: str, window: int) -> str:
    return f"counter:{unit_code}:{window}"


def publish(outcome: Outcome) -> Outcome:
    """Send an outcome's events to their rooms. Call only after the commit."""
    for event in outcome.events:
        unit = event["unit"]
        if event["name"] in PUBLIC_NAMES:
            rooms = [unit_room(unit), staff_room(unit)]
            if event.get("counter_view"):
                rooms.append(counter_room(unit, event["counter_view"]["window"]))
            # One emit to all rooms: a client in several gets the event once.
            socketio.emit(event["name"], event, to=rooms)
        else:
            socketio.emit(event["name"], event, to=staff_room(unit))
            socketio.emit(EVENT_WITHHELD, {"seq": event["seq"], "unit": unit}, to=unit_room(unit))
    if not has_app_context():
        return outcome
    unstaffed = {e["unit"] for e in outcome.events if _may_leave_unstaffed(e, outcome.result)}
    for unit in unstaffed:
        try:
            _alert_unstaffed(unit)
        except Exception:  # the change is committed and answered: an alert must not undo that
            log.exception("the no-window alert of %s failed", unit)
    return outcome


# Events after which visitors may wait where nobody will call them.
LEAVES_UNSTAFFED = frozenset(
    {"ticket.issued", "ticket.transferred", "ticket.requeued", "counter.paused", "counter.closed"}
)


def _may_leave_unstaffed(event: dict, result) -> bool:
    """Whether visitors may now wait where nobody will call them. A ticket issued leaves
    nobody so if an open window serves its service: its estimate, in the kiosk's answer,
    already looked. If none does, its own line is the one to tell of, unless that was told
    lately. Checking the whole hall after every ticket cost a fifth of issuing one."""
    estimate = result.get("estimate") if isinstance(result, dict) else None
    if event["name"] == "ticket.issued" and estimate:
        told = _told_lately(_alert_key("no_window", event["unit"], result["service"]))
        return estimate["state"] == "no_window" and not told
    return event["name"] in LEAVES_UNSTAFFED


def _alert_key(kind: str, unit_code: str, subject) -> str:
    return f"{kind}:{unit_code}:{subject}"


def _told_lately(key: str) -> bool:
    return time.monotonic() - _live().alerted.get(key, -ALERT_EVERY_S) < ALERT_EVERY_S


def _alert_unstaffed(unit_code: str) -> None:
    """Tell the hall's staff pages (its windows and its manager) of visitors nobody will
    call: a service with people waiting and no open window serving it
    (qhall.dashboard.no_window_alerts), and tickets sent to a closed window by a manager's
    override (qhall.transfers.stranded_alerts). Each at most once per ALERT_EVERY_S."""
    unit = find_unit(unit_code)
    now = current_app.extensions["qhall"].clock.now()
    for alert in no_window_alerts(unit, now) + stranded_alerts(unit, now):
        key = _alert_key(alert["kind"], unit_code, alert.get("service") or alert.get("window"))
        if _told_lately(key):
            continue
        _live().alerted[key] = time.monotonic()
        message = {"error": alert["kind"], "unit": unit_code}
        message |= {"message": alert["message"], "message_en": alert["message_en"]}
        socketio.emit(SYSTEM_ALERT, message, to=staff_room(unit_code))


# A failing disk or database would raise the same alert for every request: once a while is enough.
ALERT_EVERY_S = 30
_last_alert: dict[str, float] = {}


def alert_staff(code: str, zh: str, en: str) -> None:
    """Tell every open staff page (windows, managers) that the system needs a person now.

    Sent straight to the staff connections, not through the database: the alert is about
    the database or its disk. Staff pages show it (live.js onAlert).
    """
    moment = time.monotonic()
    if moment - _last_alert.get(code, -ALERT_EVERY_S) < ALERT_EVERY_S:
        return
    _last_alert[code] = moment
    socketio.emit(SYSTEM_ALERT, {"error": code, "message": zh, "message_en": en}, to=STAFF_ROOM)


# --- limits --------------------------------------------------------------------------


class TooManyMessages(HallError):
    status = 429
    code = "too_many_messages"
    zh = "消息过于频繁，连接已断开，请稍后再试。"
    en = "Too many messages: the connection is closed. Please try again later."


@dataclass
class Budget:
    """At most `limit` messages in each window of LIMIT_PERIOD_S: O(1) a message."""

    limit: int
    start: float = 0.0
    used: int = 0

    def spend(self, moment: float) -> bool:
        """Count one message; tell whether it is within the limit."""
        if moment - self.start >= LIMIT_PERIOD_S:
            self.start, self.used = moment, 0
        self.used += 1
        return self.used <= self.limit


@dataclass
class Address:
    budget: Budget = field(default_factory=lambda: Budget(MESSAGES_PER_ADDRESS))
    connections: int = 0


@dataclass
class Connection:
    address: str
    budget: Budget = field(default_factory=lambda: Budget(MESSAGES_PER_CONNECTION))
    cut: bool = False


@dataclass
class Live:
    """One application's live clients in this process: their connections and addresses (an
    entry goes with its last connection, so memory follows the connections open now), and
    the last snapshot of each hall."""

    connections: dict[str, Connection] = field(default_factory=dict)
    addresses: dict[str, Address] = field(default_factory=dict)
    # hall code -> (seq, taken at by the hall's clock, snapshot)
    snapshots: dict[str, tuple[int, datetime, dict]] = field(default_factory=dict)
    # alert key -> when it was last sent (monotonic): see _alert_unstaffed
    alerted: dict[str, float] = field(default_factory=dict)


def _live() -> Live:
    return current_app.extensions.setdefault("qhall.live", Live())


@socketio.on("connect")
def on_connect(_auth=None):
    """Count a new connection against its address."""
    live, address = _live(), request.remote_addr or ""
    live.connections[request.sid] = Connection(address)
    live.addresses.setdefault(address, Address()).connections += 1


@socketio.on("disconnect")
def on_disconnect(*_reason):
    """Forget a connection, and its address with its last connection."""
    live = _live()
    connection = live.connections.pop(request.sid, None)
    if connection is None:
        return
    address = live.addresses.get(connection.address)
    if address is not None:
        address.connections -= 1
        if address.connections <= 0:
            del live.addresses[connection.address]


def _admit() -> None:
    """Count this message against its connection and its address; past either limit, cut
    the connection (after this answer) and raise TooManyMessages."""
    live, sid = _live(), request.sid
    connection = live.connections.get(sid)
    if connection is None:  # connected before this process counted: count it now
        on_connect()
        connection = live.connections[sid]
    if connection.cut:
        raise TooManyMessages()
    moment = time.monotonic()
    within = connection.budget.spend(moment)
    address = live.addresses.get(connection.address)
    if address is not None:
        within = address.budget.spend(moment) and within
    if not within:
        connection.cut = True
        # Once the loop comes round, so that this message's answer goes out first.
        socketio.start_background_task(_cut, sid)
        raise TooManyMessages()


def _cut(sid: str) -> None:
    socketio.sleep(0)
    socketio.server.disconnect(sid)


# --- joining -------------------------------------------------------------------------


def _join_target(args: tuple) -> tuple[str, int | None]:
    """Return the hall code and the window of a join message; BadInput if it is not one."""
    if len(args) != 1 or not isinstance(args[0], dict):
        raise BadInput(
            '加入请求应为一个对象，例如 {"unit": "MZJ"}。',
            'A join is one object, for example {"unit": "MZJ"}.',
        )
    message = args[0]
    unit = message.get("unit")
    if not isinstance(unit, str) or not 0 < len(unit) <= MAX_UNIT_CODE:
        raise BadInput("请提供服务大厅代码。", "Name the hall to join.")
    window = message.get("counter")
    if window is not None and (
        not isinstance(window, int) or isinstance(window, bool) or not 0 < window <= MAX_WINDOW
    ):
        raise BadInput("窗口号应为正整数。", "The window must be a positive number.")
    return unit, window


def _staff_of(unit: Unit) -> Staff | None:
    """Return the connection's signed-in staff member if they may follow the hall's staff
    events (Socket.IO handlers see the session cookie sent when the connection opened)."""
    staff = staff_signed_in(
        request.headers.get("Authorization", ""),
        dict(session),
        current_app.extensions["qhall"].clock.now(),
        session_hours=current_app.config["STAFF_SESSION_HOURS"],
    )
    if staff is None:
        return None
    return staff if may_work_at(staff, unit) or may_read(staff, unit) else None


def _snapshot_of(unit: Unit) -> dict:
    """Return the hall's snapshot, reusing the last one if nothing happened since: a
    flood of joins costs a query each, not a snapshot each."""
    # Read after joining, so that an event committed meanwhile is not missed: it arrives
    # with a seq above the snapshot's and the client applies it.
    seq = Unit.select(Unit.seq).where(Unit.id == unit.id).scalar()
    now = current_app.extensions["qhall"].clock.now()
    kept = _live().snapshots.get(unit.code)
    if kept and kept[0] == seq and timedelta(0) <= now - kept[1] < SNAPSHOT_REUSE:
        return kept[2]
    fresh = snapshot(unit.code, now)
    _live().snapshots[unit.code] = (fresh["seq"], now, fresh)
    return fresh


@socketio.on("join")
def on_join(*args):
    """Join a hall's room (its staff room for its signed-in staff), or only one window's
    room if a window is named, and answer with the hall's snapshot, or an error."""
    try:
        _admit()
        unit_code, window = _join_target(args)
        # Socket.IO handlers run outside Flask's request hooks, so they open their own.
        with db.connection_context():
            unit = find_unit(unit_code)
            if window is not None:
                join_room(counter_room(unit.code, find_counter(unit, window).window))
            elif (staff := _staff_of(unit)) is not None:
                join_room(staff_room(unit.code))
                join_room(STAFF_ROOM)
                join_room(account_room(staff.id))
            else:
                join_room(unit_room(unit.code))
            return _snapshot_of(unit)
    except HallError as error:
        return error.as_json()
    except Exception:
        current_app.logger.exception("join failed")
        return HallError(
            "抱歉，暂时无法加入，请稍后再试。", "Sorry, the join failed. Please try again."
        ).as_json()


@socketio.on("*")
def on_other(_name, *_args):
    """Count a message of any other name against the limits; nothing else answers it."""
    try:
        _admit()
    except TooManyMessages as error:
        return error.as_json()
    return None
