"""Who hears which event: the public hall room only what the hall shows, the hall's staff
everything (qhall.events.PUBLIC_NAMES, qhall.web.realtime.publish)."""

from __future__ import annotations

import pytest

from qhall import events
from qhall.events import Outcome
from qhall.web import realtime
from qhall.web.realtime import publish, socketio
from tests.factories import gen_staff, gen_unit, sign_in


def event(name: str, seq: int, **data) -> dict:
    return {"name": name, "seq": seq, "unit": "T", "at": "2026-11-26T10:00:00+08:00", **data}


def received(client) -> list[tuple[str, dict]]:
    return [(m["name"], m["args"][0]) for m in client.get_received()]


@pytest.fixture
def hall(app):
    unit = gen_unit("T")
    gen_staff("clerk", unit)
    gen_staff("stranger", gen_unit("U", services={"A": {}}, counters={1: ["A"]}))
    return unit


def joined(app, login: str | None = None):
    """A Socket.IO test client, signed in as login if given, joined to hall T."""
    web = sign_in(app.test_client(), login) if login else app.test_client()
    client = socketio.test_client(app, flask_test_client=web)
    ack = client.emit("join", {"unit": "T"}, callback=True)
    assert "seq" in ack, ack
    client.get_received()  # nothing before the test's events
    return client


def test_the_public_room_gets_public_events_and_only_the_seq_of_the_others(app, hall):
    public, desk, other_halls_staff = joined(app), joined(app, "clerk"), joined(app, "stranger")
    inquiry = event(events.INQUIRY_REGISTERED, 1, inquiry={"id": 1, "status": "open"})
    issued = event(events.TICKET_ISSUED, 2, ticket_view={"number": "A001"})

    publish(Outcome(None, [inquiry, issued]))

    assert received(desk) == [(events.INQUIRY_REGISTERED, inquiry), (events.TICKET_ISSUED, issued)]
    withheld = (events.EVENT_WITHHELD, {"seq": 1, "unit": "T"})
    assert received(public) == [withheld, (events.TICKET_ISSUED, issued)]
    # Staff of another hall follow this one as the public does.
    assert received(other_halls_staff) == [withheld, (events.TICKET_ISSUED, issued)]


@pytest.mark.parametrize("name", sorted(set(events.ALL_NAMES) - events.PUBLIC_NAMES))
def test_no_staff_only_event_reaches_the_public_room(app, hall, name):
    public = joined(app)
    publish(Outcome(None, [event(name, 1, secret="staff only")]))
    assert received(public) == [(events.EVENT_WITHHELD, {"seq": 1, "unit": "T"})]


def test_alerts_go_to_the_staff_alone(app, hall):
    public, desk = joined(app), joined(app, "clerk")
    realtime._last_alert.clear()
    realtime.alert_staff("busy", "忙", "Busy")
    assert [name for name, _ in received(desk)] == [events.SYSTEM_ALERT]
    assert received(public) == []


def test_a_repeated_join_of_an_unchanged_hall_reuses_its_snapshot(app, hall, clock):
    client = joined(app)
    first = client.emit("join", {"unit": "T"}, callback=True)
    again = client.emit("join", {"unit": "T"}, callback=True)
    assert again == first
    clock.advance(seconds=5)  # older than a reused snapshot may be
    assert client.emit("join", {"unit": "T"}, callback=True)["at"] != first["at"]


def test_a_connection_over_its_limit_is_answered_then_cut(app, hall):
    client = joined(app)  # its join counts
    for _ in range(realtime.MESSAGES_PER_CONNECTION - 1):
        assert "seq" in client.emit("join", {"unit": "T"}, callback=True)
    refused = client.emit("join", {"unit": "T"}, callback=True)
    assert refused["error"] == "too_many_messages" and refused["message"]
    socketio.sleep(0.1)
    assert not client.is_connected()
