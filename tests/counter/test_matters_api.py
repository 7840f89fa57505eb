"""The window enters or scans the business system's 办件编号 for the visitor in hand: only
the staff member holding the window; a colleague, another hall's staff and a stranger are
refused and nothing is recorded. The number then keys the visit's report to the province's
好差评 platform (qhall.haocha), followed by its rectification and call-back, in order."""

from __future__ import annotations

import pytest

from qhall import outbox, rectification
from qhall.models import Rectification, Service, Ticket
from qhall.outbox import OutboxMessage, deliver_due
from qhall.supervision_models import AuditEntry
from qhall.tools.fake_receiver import FakeReceiver
from tests.factories import assert_error, gen_staff, gen_unit, sign_in, use_tablets

BASE = "/api/units/T"
MATTER = f"{BASE}/counters/1/matter"
TABLET = {"X-Device-Token": "tablet-T1-secret-000001"}
NUMBER = "MZ2026-000123"
SECRET = "platform-secret"


@pytest.fixture
def hall(app):
    """Hall T (service A with its 事项编码) with the clerk, a colleague and the manager;
    hall U with a clerk of its own; the rating tablet at window 1 of T."""
    unit = gen_unit()
    Service.update(item_code="000120001000-0001").where(Service.code == "A").execute()
    gen_staff("u-clerk", gen_unit("U", services={"A": {}}, counters={1: ["A"]}))
    use_tablets(app, [{"name": "t-1", "unit": "T", "window": 1, "token": TABLET["X-Device-Token"]}])
    clerk = gen_staff("clerk", unit)
    clerk.employee_no = "T101"
    clerk.save()
    return {"clerk": clerk, "mate": gen_staff("mate", unit),
            "boss": gen_staff("boss", unit, role="manager")}  # fmt: skip


@pytest.fixture
def clerk(app, hall):
    """The clerk at window 1, serving A001."""
    client = sign_in(app.test_client(), "clerk")
    client.post(f"{BASE}/tickets", json={"service": "A"})
    for action in ("open", "call-next", "start"):
        assert client.post(f"{BASE}/counters/1/{action}", json={}).status_code == 200
    return client


def recorded() -> tuple:
    return [t.matter_number for t in Ticket.select()], AuditEntry.select().count()


def test_the_window_saves_the_matter_number_and_sees_it_back(clerk):
    assert clerk.get(MATTER).get_json() == {"ticket": "A001", "matter_number": None}
    saved = clerk.post(MATTER, json={"matter_number": f" {NUMBER} "})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json() == {"ticket": "A001", "matter_number": NUMBER}
    assert clerk.get(MATTER).get_json()["matter_number"] == NUMBER
    assert Ticket.get().matter_number == NUMBER
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert entry.action == "ticket.matter_number" and NUMBER in entry.after


@pytest.mark.parametrize("number", ["", "MZ 2026", "办件123", "A" * 41, "12/34"])
def test_a_matter_number_that_is_not_one_is_refused_politely(clerk, number):
    before = recorded()
    body = assert_error(clerk.post(MATTER, json={"matter_number": number}), 400)
    assert "办件编号" in body["message"] and "matter number" in body["message_en"].lower()
    assert recorded() == before


def test_nobody_but_the_windows_holder_records_a_matter_number(app, clerk):
    stranger = app.test_client()
    other_hall = sign_in(app.test_client(), "u-clerk")
    mate = sign_in(app.test_client(), "mate")
    before = recorded()  # signed in: the sign-ins are in the audit log already
    assert_error(stranger.post(MATTER, json={"matter_number": NUMBER}), 401)
    assert_error(stranger.get(MATTER), 401)
    assert_error(other_hall.post(MATTER, json={"matter_number": NUMBER}), 403)
    assert_error(other_hall.get(MATTER), 403)
    refused = assert_error(mate.post(MATTER, json={"matter_number": NUMBER}), 409)
    assert refused["error"] == "window_in_use" and "请使用您自己的窗口" in refused["message"]
    assert_error(mate.get(MATTER), 409)
    assert_error(mate.post(f"{BASE}/counters/2/matter", json={"matter_number": NUMBER}), 409)
    assert recorded() == before


def test_with_nobody_in_hand_there_is_no_matter_to_number(clerk):
    assert clerk.post(f"{BASE}/counters/1/finish", json={}).status_code == 200
    before = recorded()
    assert assert_error(clerk.post(MATTER, json={"matter_number": NUMBER}), 409)["error"] == (
        "no_ticket_in_hand"
    )
    assert recorded() == before


def deliver(app, clock, platform, **settings) -> int:
    channel = outbox.channel_from({"URL": platform.url, "SECRET": SECRET, **settings})
    return deliver_due("haocha", channel.send, clock.now())


def test_a_bad_rating_at_the_tablet_reaches_the_platform_then_its_rectification(
    app, clock, hall, clerk
):
    clerk.post(MATTER, json={"matter_number": NUMBER})
    assert clerk.post(f"{BASE}/counters/1/finish", json={}).status_code == 200
    rated = app.test_client().post(f"{BASE}/counters/1/rating", headers=TABLET, json={
        "number": "A001", "level": 1, "efficiency": 2, "competence": 3, "attitude": 1,
        "reasons": ["attitude"], "words": "态度生硬", "callback_phone": "13812341234"})  # fmt: skip
    assert rated.status_code == 201, rated.get_json()

    with FakeReceiver(secret=SECRET) as platform:
        assert deliver(app, clock, platform) == 1
        (report,) = [m["payload"] for m in platform.received.messages]
        assert report["kind"] == "rating" and report["matter"] == {"matter_number": NUMBER}
        assert report["service"] == {"code": "A", "name": "业务A",
                                     "item_code": "000120001000-0001"}  # fmt: skip
        assert report["unit"]["code"] == "T" and report["window"] == 1
        assert report["staff_no"] == "T101" and report["channel"] == "hall_tablet"
        assert report["level"] == 1 and report["reasons"] == ["attitude"]
        assert report["dimensions"] == {"efficiency": 2, "competence": 3, "attitude": 1}
        assert report["at"] and "态度生硬" not in str(report) and "1381234" not in str(report)

        item = Rectification.get()
        for step, who in (("rectify", "clerk"), ("verify", "boss"), ("call-back", "boss")):
            clock.advance(minutes=30)
            rectification.advance_rectification(
                "T", item.id, step, staff_id=hall[who].id, note="已当面致歉，改进服务用语",
                answer="satisfied", now=clock.now(),
            )  # fmt: skip
        platform.received.failing = True  # the platform is down: both wait, in order
        assert deliver(app, clock, platform) == 0
        platform.received.failing = False
        clock.advance(minutes=5)
        assert deliver(app, clock, platform) == 1  # the call-back waits behind the result
        assert deliver(app, clock, platform) == 1
    kinds = [m["payload"]["kind"] for m in platform.received.messages]
    assert kinds == ["rating", "rectification", "callback"]
    _rating, result, callback = [m["payload"] for m in platform.received.messages]
    assert (
        result["matter"] == {"matter_number": NUMBER}
        and result["result"] == "已当面致歉，改进服务用语"
    )
    assert result["verified_by_staff_no"] == "BOSS" and result["verified_at"]
    assert callback["answer"] == "satisfied" and "13812341234" not in str(callback)
    assert {m.recipient for m in OutboxMessage.select()} == {f"rating-{item.rating_id}"}


def test_the_platforms_own_field_names_come_from_the_settings(app, clock, clerk):
    assert clerk.post(f"{BASE}/counters/1/finish", json={}).status_code == 200
    rated = app.test_client().post(f"{BASE}/counters/1/rating", headers=TABLET, json={
        "number": "A001", "level": 5, "efficiency": 5, "competence": 5, "attitude": 5})  # fmt: skip
    assert rated.status_code == 201, rated.get_json()
    fields = {"level": "pjdj", "service.item_code": "sxbm", "matter": "bj"}
    with FakeReceiver(secret=SECRET) as platform:
        assert deliver(app, clock, platform, FIELDS=fields) == 1
    (received,) = platform.received.messages
    report = received["payload"]
    assert report["pjdj"] == 5 and "level" not in report
    assert report["service"]["sxbm"] == "000120001000-0001" and "item_code" not in report["service"]
    assert report["bj"] == {"ticket": "A001", "day": Ticket.get().day.isoformat()}
    assert report["unit"]["code"] == "T"  # a field not named keeps qhall's name
    assert platform.received.bad_signatures == 0
    # What the manager sees keeps qhall's names.
    assert '"level": 5' in OutboxMessage.get().payload
