"""A window belongs to whoever opened it: a colleague of the same hall can neither open it
again nor call, serve, pause or close at it, and nothing is recorded when they try; the
hall's manager (and only theirs) releases it, the visitor in hand back in line, and then a
colleague may open it."""

from __future__ import annotations

import pytest

from qhall.models import Counter, Event, Inquiry, Ticket, Unit
from qhall.supervision_models import AuditEntry
from tests.factories import assert_error, gen_staff, gen_unit, sign_in

BASE = "/api/units/T"


@pytest.fixture
def hall(app):
    """Hall T with two clerks and a manager; hall U with a manager of its own."""
    unit = gen_unit()
    gen_staff("u-boss", gen_unit("U", services={"A": {}}, counters={1: ["A"]}), role="manager")
    return {"unit": unit, "ann": gen_staff("ann", unit), "bob": gen_staff("bob", unit),
            "boss": gen_staff("boss", unit, role="manager")}  # fmt: skip


@pytest.fixture
def people(app, hall):
    """Return a function giving a test client signed in as a login."""
    return lambda login: sign_in(app.test_client(), login)


def ok(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def window_one() -> Counter:
    return Counter.get(Counter.window == 1, Counter.unit == Unit.get(Unit.code == "T"))


def statuses() -> dict:
    return {t.number: (t.status, t.counter_id) for t in Ticket.select()}


def test_a_colleague_cannot_act_on_a_window_someone_else_holds(people, hall):
    ann, bob = people("ann"), people("bob")
    for _ in range(3):
        ann.post(f"{BASE}/tickets", json={"service": "A"})
    ok(ann.post(f"{BASE}/counters/1/open"))
    assert ok(ann.post(f"{BASE}/counters/1/call-next"))["ticket"]["number"] == "A001"
    events, tickets, inquiries = Event.select().count(), statuses(), Inquiry.select().count()

    attempts = [
        ("counters/1/open", {}), ("counters/1/call-next", {}), ("counters/1/call", {"number": "A002"}),
        ("counters/1/recall", {}), ("counters/1/start", {}), ("counters/1/finish", {}),
        ("counters/1/no-show", {}), ("counters/1/transfer", {"to_window": 2}),
        ("counters/1/pause", {"reason": "break"}), ("counters/1/close", {}),
        ("counters/1/reprint", {}), ("inquiries", {"matter": "咨询低保", "window": 1}),
    ]  # fmt: skip
    for path, body in attempts:
        refused = assert_error(bob.post(f"{BASE}/{path}", json=body), 409)
        assert refused["error"] == "window_in_use", path
        assert "该窗口正由 员工ann（工号 ANN）使用" in refused["message"], path
        assert "This window is in use by 员工ann" in refused["message_en"], path

    assert Event.select().count() == events
    assert statuses() == tickets and Inquiry.select().count() == inquiries
    counter = window_one()
    assert (counter.state, counter.staff_id) == ("open", hall["ann"].id)
    # Ann's own window still does what she asks.
    assert ok(ann.post(f"{BASE}/counters/1/start"))["ticket"]["status"] == "serving"


def test_a_paused_window_is_still_its_holders(people, hall):
    ann, bob = people("ann"), people("bob")
    ok(ann.post(f"{BASE}/counters/1/open"))
    ok(ann.post(f"{BASE}/counters/1/pause", json={"reason": "break"}))
    events = Event.select().count()
    for action in ("resume", "open", "close"):
        assert (
            assert_error(bob.post(f"{BASE}/counters/1/{action}"), 409)["error"] == "window_in_use"
        )
    assert Event.select().count() == events and window_one().state == "paused"
    assert ok(ann.post(f"{BASE}/counters/1/resume"))["counter"]["state"] == "open"


def test_the_halls_manager_releases_a_window_and_a_colleague_then_opens_it(people, hall):
    ann, bob, boss = people("ann"), people("bob"), people("boss")
    for _ in range(2):
        ann.post(f"{BASE}/tickets", json={"service": "A"})
    ok(ann.post(f"{BASE}/counters/1/open"))
    ok(ann.post(f"{BASE}/counters/1/call-next"))  # A001 in hand when Ann leaves
    key = {"Idempotency-Key": "release-window-1-0001"}

    released = ok(boss.post(f"{BASE}/counters/1/release", headers=key))
    assert released["counter"]["state"] == "closed" and released["counter"]["staff"] is None
    events = Event.select().count()
    assert ok(boss.post(f"{BASE}/counters/1/release", headers=key)) == released  # a replay
    assert Event.select().count() == events
    # The visitor in hand is back in line at their own place, not served, not a no-show.
    a001 = Ticket.get(Ticket.number == "A001")
    assert (a001.status, a001.counter_id, a001.finished_at) == ("waiting", None, None)
    (entry,) = AuditEntry.select().where(AuditEntry.action == "window.release")
    assert (entry.staff_id, entry.target) == (hall["boss"].id, "T/1")
    assert Event.select().where(Event.name == "counter.closed").count() == 1

    ok(bob.post(f"{BASE}/counters/1/open"))
    assert ok(bob.post(f"{BASE}/counters/1/call-next"))["ticket"]["number"] == "A001"
    assert assert_error(ann.post(f"{BASE}/counters/1/call-next"), 409)["error"] == "window_in_use"


def test_only_the_halls_own_manager_releases_a_window(people, hall):
    ann = people("ann")
    ok(ann.post(f"{BASE}/counters/1/open"))
    events = Event.select().count()
    assert_error(people("u-boss").post(f"{BASE}/counters/1/release"), 403)  # another hall's
    assert_error(people("bob").post(f"{BASE}/counters/1/release"), 403)  # a colleague
    assert Event.select().count() == events
    assert not AuditEntry.select().where(AuditEntry.action == "window.release").exists()
    assert (window_one().state, window_one().staff_id) == ("open", hall["ann"].id)


def test_a_closed_window_needs_no_release_and_is_anyones_to_open(people, hall):
    assert_error(people("boss").post(f"{BASE}/counters/1/release"), 409)
    ann, bob = people("ann"), people("bob")
    ok(ann.post(f"{BASE}/counters/1/open"))
    ok(ann.post(f"{BASE}/counters/1/close"))
    assert ok(bob.post(f"{BASE}/counters/1/open"))["counter"]["staff"]["name"] == "员工bob"
