"""Transfers and referrals strand nobody: a visitor goes only to an open window or to a
service an open window serves (the hall's manager may override, on the record); a window
that closes sends the visitors transferred to it back to their line; who waits for nobody
is told to the hall's staff and its manager; the dialogs get names; a referral puts the
visitor in the referee's line, and the referee records the outcome or hands it back."""

from __future__ import annotations

import pytest

from qhall.models import Event, Ticket
from qhall.supervision_models import AuditEntry
from qhall.web.realtime import socketio
from tests.factories import assert_error, gen_staff, gen_unit, post_json, sign_in

BASE = "/api/units/T"


@pytest.fixture
def hall(app):
    """Hall T: window 1 serves A then B, window 2 B then A, window 3 only C."""
    unit = gen_unit(services={"A": {}, "B": {}, "C": {}}, counters={1: ["A", "B"], 2: ["B", "A"], 3: ["C"]})  # fmt: skip
    return {"unit": unit, "ann": gen_staff("ann", unit), "bob": gen_staff("bob", unit),
            "boss": gen_staff("boss", unit, role="manager")}  # fmt: skip


@pytest.fixture
def people(app, hall):
    return lambda login: sign_in(app.test_client(), login)


def post(client, path, body=None, status=200) -> dict:
    return post_json(client, BASE + path, body, status)


def take(client, service="A") -> str:
    return post(client, "/tickets", {"service": service}, 201)["number"]


def line(client, window: int) -> dict:
    return client.get(f"{BASE}/counters/{window}/queue").get_json()


def test_a_transfer_to_a_closed_window_is_refused_and_nothing_changes(people, hall):
    ann = people("ann")
    number = take(ann)
    post(ann, "/counters/1/open")
    post(ann, "/counters/1/call-next")
    events = Event.select().count()

    refused = assert_error(ann.post(f"{BASE}/counters/1/transfer", json={"to_window": 2}), 409)
    assert refused["error"] == "no_open_window"
    assert "2号窗口当前未开放" in refused["message"]
    assert "Window 2 is not open" in refused["message_en"]
    # Still in Ann's hand, nothing recorded, the visitor's phone still says "called".
    assert line(ann, 1)["in_hand"]["number"] == number
    assert Event.select().count() == events
    ticket = Ticket.get(Ticket.number == number)
    assert (ticket.status, ticket.transfer_count, ticket.target_counter_id) == ("called", 0, None)


def test_a_transfer_to_a_service_no_open_window_serves_is_refused(people, hall):
    ann, bob = people("ann"), people("bob")
    take(ann)
    post(ann, "/counters/1/open")
    post(ann, "/counters/1/call-next")
    post(bob, "/counters/2/open")
    post(bob, "/counters/2/pause", {"reason": "break"})  # a paused window calls nobody either

    refused = assert_error(ann.post(f"{BASE}/counters/1/transfer", json={"to_service": "C"}), 409)
    assert "目前没有开放的窗口办理「业务C」" in refused["message"]
    assert "No open window serves Service C" in refused["message_en"]
    assert_error(ann.post(f"{BASE}/counters/1/transfer", json={"to_window": 2}), 409)
    # B is served by an open window (Ann's own): the visitor goes to B's line.
    moved = post(ann, "/counters/1/transfer", {"to_service": "B"})
    assert (moved["ticket"]["status"], moved["to_service"]) == ("waiting", "B")


def test_the_halls_manager_may_override_and_it_is_recorded(people, hall):
    ann, boss = people("ann"), people("boss")
    number = take(ann)
    post(boss, "/counters/3/open")
    post(boss, "/counters/3/call", {"number": number})
    post(ann, "/counters/1/open")
    post(ann, "/counters/1/call-next")  # nobody for Ann: the visitor is at the boss's window

    assert_error(boss.post(f"{BASE}/counters/3/transfer", json={"to_window": 2}), 409)
    # Staff may not override; their visitor stays in hand.
    take(ann)
    post(ann, "/counters/1/call-next")
    forbidden = assert_error(
        ann.post(f"{BASE}/counters/1/transfer", json={"to_window": 2, "override": True}), 403
    )
    assert "负责人" in forbidden["message"]
    moved = post(boss, "/counters/3/transfer", {"to_window": 2, "override": True})
    assert (moved["to_window"], moved["override"]) == (2, True)
    audit = AuditEntry.get(AuditEntry.action == "ticket.transfer_override")
    assert (audit.staff_id, audit.target) == (hall["boss"].id, f"T/{number}")

    # The manager's live page says who now waits for a closed window.
    live = boss.get("/api/admin/live?unit=T").get_json()
    (stranded,) = [a for a in live["alerts"] if a["kind"] == "stranded"]
    assert stranded["window"] == 2 and stranded["numbers"] == [number]
    assert "2号窗口，但该窗口已关闭" in stranded["message"]


def test_the_targets_are_open_windows_by_name_and_services_with_their_windows(people, hall, app):
    ann, bob = people("ann"), people("bob")
    post(ann, "/counters/1/open")
    post(bob, "/counters/2/open")
    post(bob, "/counters/2/pause", {"reason": "break"})
    targets = ann.get(f"{BASE}/transfer-targets").get_json()

    (window,) = targets["windows"]  # not the paused window 2, nor the closed window 3
    assert (window["window"], window["name"], window["staff"]) == (1, "1号窗口", "员工ann")
    assert window["service_names"] == ["业务A", "业务B"]
    served = {s["code"]: (s["name"], s["open_windows"]) for s in targets["services"]}
    assert served == {"A": ("业务A", 1), "B": ("业务B", 1), "C": ("业务C", 0)}
    colleagues = {c["name"]: c["window"] for c in targets["colleagues"]}
    assert colleagues == {"员工bob": 2, "员工boss": None}  # not Ann herself
    assert targets["may_override"] is False
    assert people("boss").get(f"{BASE}/transfer-targets").get_json()["may_override"] is True
    # Staff only, and of this hall only.
    assert app.test_client().get(f"{BASE}/transfer-targets").status_code == 401
    gen_staff("stranger", gen_unit("U", services={"A": {}}, counters={1: ["A"]}))
    assert people("stranger").get(f"{BASE}/transfer-targets").status_code == 403


def test_a_window_closing_puts_the_visitors_sent_to_it_back_in_line(people, hall):
    ann, bob = people("ann"), people("bob")
    first, second = take(ann), take(ann)
    post(ann, "/counters/1/open")
    post(bob, "/counters/2/open")
    post(ann, "/counters/1/call-next")
    post(ann, "/counters/1/transfer", {"to_window": 2})
    assert [t["number"] for t in line(ann, 1)["waiting"]] == [second]  # window 2's alone

    closed = post(bob, "/counters/2/close")
    assert closed["sent_back"] == [first]
    # Back in A's line at their own place, ahead of the one who came after them.
    waiting = line(ann, 1)["waiting"]
    assert [t["number"] for t in waiting] == [first, second]
    assert not waiting[0]["transferred_here"]
    assert post(ann, "/counters/1/call-next")["let_go"] is None
    assert Ticket.get(Ticket.number == first).status == "called"


def test_the_halls_windows_are_alerted_when_a_visitor_is_sent_to_a_closed_window(people, hall, app):
    ann, boss = people("ann"), people("boss")
    number = take(ann, "C")
    post(ann, "/counters/1/open")
    post(boss, "/counters/3/open")
    post(boss, "/counters/3/call-next")
    window_page = socketio.test_client(app, flask_test_client=ann)
    assert "seq" in window_page.emit("join", {"unit": "T"}, callback=True)
    window_page.get_received()

    post(boss, "/counters/3/transfer", {"to_window": 2, "override": True})
    alerts = [m["args"][0] for m in window_page.get_received() if m["name"] == "system.alert"]
    stranded = [a for a in alerts if a["error"] == "stranded"]
    assert [a["unit"] for a in stranded] == ["T"]
    assert f"（{number}）被转往 2号窗口，但该窗口已关闭" in stranded[0]["message"]
    assert "window 2, which is closed" in stranded[0]["message_en"]
    window_page.disconnect()


def registered_at(client, window: int) -> int:
    return post(client, "/inquiries", {"matter": "咨询低保", "window": window}, 201)["id"]


def test_a_referral_puts_the_visitor_in_the_referees_line_and_the_referee_resolves(people, hall):
    ann, bob = people("ann"), people("bob")
    number = take(ann)
    post(ann, "/counters/1/open")
    post(bob, "/counters/2/open")
    post(ann, "/counters/1/call-next")
    matter = registered_at(ann, 1)  # the visit starts with the matter

    referred = post(ann, "/inquiries/refer", {"inquiry": matter, "to_staff": "bob"})
    assert referred["moved"] == {"number": number, "to_window": 2, "to_service": "A"}
    assert referred["referrals"][0]["to_window"] == 2
    assert line(ann, 1)["in_hand"] is None
    (waiting,) = line(bob, 2)["waiting"]
    assert waiting["number"] == number and waiting["transferred_here"]

    (theirs,) = bob.get(f"{BASE}/inquiries").get_json()["referred_to_me"]
    assert theirs["id"] == matter and theirs["referee"] is True
    gen_staff("cat", hall["unit"])
    cat_ = people("cat")
    assert_error(cat_.post(f"{BASE}/inquiries/resolve", json={"inquiry": matter, "outcome": "x"}), 403)  # fmt: skip
    assert post(bob, "/counters/2/call-next")["ticket"]["number"] == number
    resolved = post(bob, "/inquiries/resolve", {"inquiry": matter, "outcome": "已当场办结"})
    assert resolved["status"] == "resolved" and resolved["outcome"] == "已当场办结"


def test_the_referee_may_hand_a_matter_back_with_the_visitor(people, hall):
    ann, bob = people("ann"), people("bob")
    number = take(ann)
    post(ann, "/counters/1/open")
    post(bob, "/counters/2/open")
    post(ann, "/counters/1/call-next")
    matter = registered_at(ann, 1)
    # Referred to window 2 by its number: whoever holds it is the referee.
    post(ann, "/inquiries/refer", {"inquiry": matter, "to_window": 2})
    assert_error(ann.post(f"{BASE}/inquiries/hand-back", json={"inquiry": matter}), 403)
    post(bob, "/counters/2/call-next")

    back = post(bob, "/inquiries/hand-back", {"inquiry": matter, "note": "需首问窗口补录"})
    assert back["status"] == "open" and back["moved"]["to_window"] == 1
    assert back["referrals"][-1]["to_staff"] == "员工ann"
    assert [t["number"] for t in line(ann, 1)["waiting"]] == [number]
    # No longer Bob's: he may not record its outcome; Ann does.
    assert_error(bob.post(f"{BASE}/inquiries/resolve", json={"inquiry": matter, "outcome": "x"}), 403)  # fmt: skip
    assert post(ann, "/inquiries/resolve", {"inquiry": matter, "outcome": "已办结"})["status"] == "resolved"  # fmt: skip


def test_a_referral_to_where_nobody_serves_keeps_the_visitor_in_hand(people, hall):
    ann = people("ann")
    number = take(ann)
    post(ann, "/counters/1/open")
    post(ann, "/counters/1/call-next")
    matter = registered_at(ann, 1)
    referred = post(
        ann, "/inquiries/refer", {"inquiry": matter, "to_window": 3, "note": "明天再来"}
    )
    assert referred["moved"] is None and referred["status"] == "referred"
    assert line(ann, 1)["in_hand"]["number"] == number
