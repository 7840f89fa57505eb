"""The outbox delivers every message the hall commits, once, in order per recipient, to a
receiver that is a real HTTP server on 127.0.0.1; a receiver down for a long time loses
nothing, and nothing rolled back is ever sent."""

from __future__ import annotations

import pytest

from qhall import outbox
from qhall.db import unit_of_work
from qhall.errors import Conflict
from qhall.outbox import HttpChannel, OutboxMessage, deliver_due
from qhall.supervision_models import AuditEntry
from qhall.tools.fake_receiver import FakeReceiver
from tests.factories import gen_staff, gen_unit

SECRET = "shared-secret-for-the-test"


@pytest.fixture
def receiver():
    with FakeReceiver(secret=SECRET) as running:
        yield running


def write(unit, clock, recipient: str, text: str, channel: str = "sms") -> OutboxMessage:
    with unit_of_work():
        return outbox.post(channel, recipient, {"to": recipient, "text": text}, now=clock.now(),
                           unit=unit)  # fmt: skip


def deliver(receiver, clock, channel: str = "sms") -> int:
    return deliver_due(channel, HttpChannel(receiver.url, SECRET).send, clock.now())


def texts(receiver) -> list[str]:
    return [m["payload"]["text"] for m in receiver.received.messages]


def test_a_committed_message_reaches_the_receiver_once_signed_and_keyed(app, clock, receiver):
    unit = gen_unit()
    message = write(unit, clock, "13800000001", "前面还有 3 位")
    assert deliver(receiver, clock) == 1
    (got,) = receiver.received.messages
    assert got["key"] == message.key and got["payload"]["text"] == "前面还有 3 位"
    assert receiver.received.bad_signatures == 0
    assert OutboxMessage.get().state == "sent" and OutboxMessage.get().sent_at == clock.now()
    assert deliver(receiver, clock) == 0  # sent is sent: never again
    assert len(receiver.received.messages) == 1 and receiver.received.repeats == 0


def test_a_message_whose_transaction_rolls_back_is_never_sent(app, clock, receiver):
    unit = gen_unit()
    with pytest.raises(RuntimeError, match="the fact failed"), unit_of_work():
        outbox.post("sms", "13800000001", {"text": "请到 2 号窗口"}, now=clock.now(), unit=unit)
        raise RuntimeError("the fact failed")
    assert deliver(receiver, clock) == 0 and receiver.received.messages == []


def test_a_message_outside_a_transaction_is_refused(app, clock):
    with pytest.raises(RuntimeError, match="unit of work"):
        outbox.post("sms", "13800000001", {"text": "x"}, now=clock.now())
    assert OutboxMessage.select().count() == 0


def test_a_receiver_down_for_a_day_loses_nothing_and_gets_each_once_in_order(app, clock, receiver):
    unit = gen_unit()
    receiver.received.failing = True
    for number in range(1, 4):
        write(unit, clock, "13800000001", f"甲 {number}")
        write(unit, clock, "13800000002", f"乙 {number}")
    waits = []
    for _ in range(24 * 6):  # a day of rounds, every ten minutes, the receiver down
        deliver(receiver, clock)
        clock.advance(minutes=10)
        waits.append(OutboxMessage.select().where(OutboxMessage.state == "pending").count())
    assert set(waits) == {6}  # nothing given up, nothing sent
    first = OutboxMessage.get_by_id(1)
    assert first.attempts > 5 and "503" in first.last_error
    # Only each recipient's oldest is tried while it fails: the later ones wait behind.
    assert OutboxMessage.get_by_id(3).attempts == 0

    receiver.received.failing = False
    clock.advance(hours=1)  # past the longest wait between tries
    for _ in range(5):
        deliver(receiver, clock)
    assert OutboxMessage.select().where(OutboxMessage.state == "sent").count() == 6
    by_recipient = {}
    for message in receiver.received.messages:
        by_recipient.setdefault(message["payload"]["to"], []).append(message["payload"]["text"])
    assert by_recipient == {"13800000001": ["甲 1", "甲 2", "甲 3"],
                            "13800000002": ["乙 1", "乙 2", "乙 3"]}  # fmt: skip
    assert receiver.received.repeats == 0


def test_a_failed_send_waits_longer_each_time_up_to_an_hour(app, clock, receiver):
    unit = gen_unit()
    receiver.received.failing = True
    write(unit, clock, "13800000001", "x")
    waits = []
    for _ in range(12):
        deliver(receiver, clock)
        message = OutboxMessage.get()
        waits.append((message.next_attempt_at - clock.now()).total_seconds())
        clock.advance(seconds=(message.next_attempt_at - clock.now()).total_seconds())
    assert waits[:4] == [5, 10, 20, 40] and waits[-1] == 3600 and waits == sorted(waits)


def test_a_message_sent_again_after_a_crash_is_one_message_to_the_receiver(app, clock, receiver):
    unit = gen_unit()
    message = write(unit, clock, "13800000001", "请到 2 号窗口")
    # The server sent it, then died before it could write down that it had.
    HttpChannel(receiver.url, SECRET).send(message)
    assert deliver(receiver, clock) == 1  # after the restart: sent again, same key
    assert texts(receiver) == ["请到 2 号窗口"] and receiver.received.repeats == 1


def test_a_wrong_secret_is_refused_by_the_receiver_and_kept_for_later(app, clock, receiver):
    unit = gen_unit()
    write(unit, clock, "13800000001", "x")
    assert deliver_due("sms", HttpChannel(receiver.url, "not-the-secret").send, clock.now()) == 0
    message = OutboxMessage.get()
    assert message.state == "pending" and "401" in message.last_error
    assert receiver.received.messages == [] and receiver.received.bad_signatures == 1


def test_a_manager_may_cancel_or_hurry_an_unsent_message_and_the_audit_says_who(
    app, clock, receiver
):
    unit = gen_unit()
    boss = gen_staff("boss", unit, role="manager")
    receiver.received.failing = True
    first = write(unit, clock, "13800000001", "旧")
    second = write(unit, clock, "13800000001", "新")
    deliver(receiver, clock)
    assert outbox.cancel(first.id, staff_id=boss.id, now=clock.now()).result["state"] == "cancelled"
    with pytest.raises(Conflict):
        outbox.cancel(first.id, staff_id=boss.id, now=clock.now())  # once
    receiver.received.failing = False
    outbox.retry_now(second.id, staff_id=boss.id, now=clock.now())
    assert deliver(receiver, clock) == 1 and texts(receiver) == ["新"]
    with pytest.raises(Conflict):
        outbox.retry_now(second.id, staff_id=boss.id, now=clock.now())  # sent: nothing to hurry
    audited = AuditEntry.select().where(AuditEntry.action.startswith("outbox."))
    actions = [(e.action, e.staff_id, e.target) for e in audited.order_by(AuditEntry.id)]
    assert actions == [("outbox.cancel", boss.id, f"sms/{first.id}"),
                       ("outbox.retry", boss.id, f"sms/{second.id}")]  # fmt: skip


def test_a_manager_sees_the_channels_and_never_a_visitors_phone_or_text(app, clock):
    unit = gen_unit()
    with unit_of_work():
        outbox.post("sms", "13812345678", {"text": "请到 2 号窗口"}, now=clock.now(), unit=unit,
                    personal=True)  # fmt: skip
        outbox.post("haocha", "platform", {"level": 5}, now=clock.now(), unit=unit)
    seen = outbox.overview([unit.id])
    assert seen["channels"]["sms"]["pending"] == 1 and seen["channels"]["haocha"]["sent"] == 0
    texts_seen = {m["channel"]: m for m in seen["messages"]}
    assert texts_seen["sms"]["recipient"] == "138****5678" and texts_seen["sms"]["payload"] is None
    assert texts_seen["haocha"]["payload"] == {"level": 5}
    assert outbox.overview([unit.id + 1])["messages"] == []  # another hall's list is empty
