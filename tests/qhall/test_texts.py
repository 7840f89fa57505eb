"""A visitor who left a mobile number hears, on a fake SMS gateway (a real HTTP server on
127.0.0.1) through the real sender: "前面还有 3 位" once, when three wait ahead, and "请到 2
号窗口" when called; a case's applicant hears ready, 补正 with the list, and extended. A
phone that said stop hears nothing more; no phone hears more than its hourly limit; and
no log line or gateway page shows a whole number."""

from __future__ import annotations

import json
import logging
import urllib.request

import pytest

from qhall import cases, estimates, queue, texts
from qhall.outbox import HttpChannel, OutboxMessage, deliver_due
from qhall.retention import erase_personal_data
from qhall.text_models import OptedOutPhone, TextCode, TicketPhone
from qhall.tools.fake_receiver import FakeReceiver
from tests.factories import gen_staff, gen_ticket, gen_unit

SECRET = "gateway-secret-for-the-test"
PHONE, OTHER = "13812345678", "13900001111"
MASKED = "138****5678"


@pytest.fixture
def gateway(app):
    """The fake SMS gateway, and the app's sms channel pointed at it."""
    with FakeReceiver(secret=SECRET) as running:
        app.config["OUTBOX"]["CHANNELS"]["sms"] = {"URL": running.url, "SECRET": SECRET}
        texts.configure(app.config)
        yield running


@pytest.fixture
def hall(app):
    unit = gen_unit(services={"A": {}, "B": {"time_limit_days": 5}})
    return {"unit": unit, "clerk": gen_staff("clerk", unit), "other": gen_staff("other", unit),
            "boss": gen_staff("boss", unit, role="manager")}  # fmt: skip


def deliver(gateway, clock) -> list[dict]:
    """Send what waits, as the server's sender would (a phone's messages one a round, in
    order); return every body the gateway has."""
    while deliver_due("sms", HttpChannel(gateway.url, SECRET).send, clock.now()):
        pass
    return [message["payload"] for message in gateway.received.messages]


def said_to(gateway, clock, phone: str = PHONE) -> list[str]:
    return [body["text"] for body in deliver(gateway, clock) if body["phone"] == phone]


def call(hall, clock, window: int):
    clerk = hall["clerk"] if window == 1 else hall["other"]
    clock.advance(minutes=1)
    return queue.call_next("T", window, staff_id=clerk.id, now=clock.now())


def open_windows(hall, clock):
    from qhall.windows import open_counter

    open_counter("T", 1, staff_id=hall["clerk"].id, now=clock.now())
    open_counter("T", 2, staff_id=hall["other"].id, now=clock.now())


def test_the_fifth_in_line_hears_three_ahead_once_then_its_window(hall, clock, gateway, caplog):
    caplog.set_level(logging.DEBUG, logger="qhall")  # qhall's own lines, every level
    open_windows(hall, clock)
    tokens = [gen_ticket(clock)["token"] for _ in range(5)]
    assert texts.leave_phone(tokens[4], PHONE, now=clock.now()) == {
        "phone": MASKED,
        "near_ahead": 3,
    }
    # N counts the visitors waiting ahead, as the ticket's page shows it: 4 before any call.
    call(hall, clock, 1)  # A001: three wait ahead of A005 now
    assert said_to(gateway, clock) == [
        "测试大厅T：您的 A005 号前面还有 3 位，请您留意大厅叫号。\n"
        "Test hall T: 3 people are ahead of A005. Please listen for your number."
    ]
    for window in (1, 2, 1):  # A002, A003, A004: nearer still, never told twice
        call(hall, clock, window)
    assert len(said_to(gateway, clock)) == 1
    call(hall, clock, 2)  # A005 to window 2
    *_, called = said_to(gateway, clock)
    assert called.startswith("测试大厅T：请到 2 号窗口办理（A005）。")
    assert len(said_to(gateway, clock)) == 2 and gateway.received.bad_signatures == 0

    body = gateway.received.messages[-1]["payload"]
    assert body["template_id"] == "QHALL_CALLED" and body["sign_name"] == "民政服务大厅"
    assert body["params"] == {"hall": "测试大厅T", "hall_en": "Test hall T", "number": "A005",
                              "window": 2}  # fmt: skip
    with urllib.request.urlopen(gateway.page_url, timeout=5) as page:
        html = page.read().decode()
    assert "前面还有 3 位" in html and "请到 2 号窗口" in html and MASKED in html
    assert html.index("请到 2 号窗口") < html.index("前面还有 3 位")  # newest first
    assert PHONE not in html
    assert all(PHONE not in record.getMessage() for record in caplog.records)
    assert any(MASKED in record.getMessage() for record in caplog.records)


def test_a_visitor_already_near_is_not_told_and_nobody_without_a_phone_is(hall, clock, gateway):
    open_windows(hall, clock)
    tokens = [gen_ticket(clock)["token"] for _ in range(3)]
    texts.leave_phone(tokens[2], PHONE, now=clock.now())  # two ahead: near enough already
    call(hall, clock, 1)
    call(hall, clock, 2)
    assert said_to(gateway, clock) == []
    call(hall, clock, 1)
    (called,) = said_to(gateway, clock)
    assert "请到 1 号窗口办理（A003）" in called
    assert OutboxMessage.select().count() == 1  # A001 and A002 left no phone


def test_a_cancellation_ahead_moves_the_line_too(hall, clock, gateway):
    tokens = [gen_ticket(clock)["token"] for _ in range(5)]
    texts.leave_phone(tokens[4], PHONE, now=clock.now())
    queue.cancel(tokens[0], now=clock.now())
    (near,) = said_to(gateway, clock)
    assert "前面还有 3 位" in near


def test_a_phone_that_said_stop_hears_nothing_more_of_any_kind(hall, clock, gateway):
    open_windows(hall, clock)
    tokens = [gen_ticket(clock)["token"] for _ in range(2)]
    texts.leave_phone(tokens[1], PHONE, now=clock.now())
    assert texts.stop_texts(tokens[1], now=clock.now()) == {"phone": None, "stopped": True}
    call(hall, clock, 1)
    call(hall, clock, 2)  # its own call
    case = accept_case(hall, clock, PHONE)
    cases.complete_case("T", case, staff_id=hall["clerk"].id, result="准予", now=clock.now())
    with pytest.raises(texts.Conflict):
        texts.send_code(PHONE, "booking", clock.now())
    assert said_to(gateway, clock) == [] and OutboxMessage.select().count() == 0
    assert TicketPhone.select().count() == 0 and OptedOutPhone.select().count() == 1
    assert PHONE not in OptedOutPhone.get().phone_key  # a keyed hash, not the number

    # Leaving the number on a ticket again is asking again.
    later = gen_ticket(clock)["token"]
    texts.leave_phone(later, PHONE, now=clock.now())
    assert OptedOutPhone.select().count() == 0
    call(hall, clock, 1)
    assert len(said_to(gateway, clock)) == 1


def test_no_phone_hears_more_than_its_hourly_limit(app, hall, clock, gateway):
    app.config["SMS"]["PER_PHONE_PER_HOUR"] = 2
    texts.configure(app.config)
    open_windows(hall, clock)
    tokens = [gen_ticket(clock)["token"] for _ in range(3)]
    for token in tokens:  # one person's number on three tickets: three calls
        texts.leave_phone(token, PHONE, now=clock.now())
    for window in (1, 2, 1):
        call(hall, clock, window)
    assert len(said_to(gateway, clock)) == 2
    skipped = OutboxMessage.get(OutboxMessage.state == "cancelled")
    assert "per-phone limit" in skipped.last_error
    assert "A003" in json.loads(skipped.payload)["text"]
    texts.send_code(OTHER, "booking", clock.now())  # another phone is not held back
    with pytest.raises(texts.TooManyTexts):
        texts.send_code(PHONE, "booking", clock.now())
    clock.advance(hours=1)
    texts.send_code(PHONE, "booking", clock.now())  # an hour on, the number may hear again
    assert len(said_to(gateway, clock)) == 3


def accept_case(hall, clock, phone: str) -> str:
    outcome = cases.accept_case("T", "B", staff_id=hall["clerk"].id, matter="申请低保",
                                visitor_name="张小三", visitor_phone=phone, now=clock.now())  # fmt: skip
    return outcome.result["case"]["number"]


def test_a_case_applicant_hears_paused_extended_and_ready(hall, clock, gateway):
    number = accept_case(hall, clock, PHONE)
    missing = [{"name": "户口本", "quantity": 1}, {"name": "收入证明", "quantity": 2}]
    cases.suspend_case("T", number, staff_id=hall["clerk"].id, missing=missing, now=clock.now())
    cases.resume_case("T", number, staff_id=hall["clerk"].id, now=clock.now())
    cases.request_extension("T", number, staff_id=hall["clerk"].id, days=3, reason="需实地核查",
                            now=clock.now())  # fmt: skip
    cases.decide_extension("T", number, staff_id=hall["boss"].id, approve=True, now=clock.now())
    cases.complete_case("T", number, staff_id=hall["clerk"].id, result="准予", now=clock.now())
    paused, extended, ready = said_to(gateway, clock)
    assert f"您的办件 {number} 需补正材料：户口本 1 份、收入证明 2 份。" in paused
    assert "延长 3 个工作日" in extended
    assert f"您的办件 {number} 已办理完毕" in ready
    # A landline cannot take a text: nothing is written for it.
    cases.accept_case("T", "B", staff_id=hall["clerk"].id, matter="申请", visitor_phone="87654321",
                      now=clock.now())  # fmt: skip
    assert OutboxMessage.select().count() == 3


def test_a_one_time_code_confirms_a_phone_once(hall, clock, gateway):
    texts.send_code(PHONE, "booking", clock.now())
    (body,) = deliver(gateway, clock)
    code = body["params"]["code"]
    assert body["template_id"] == "QHALL_CODE" and f"您的验证码为 {code}" in body["text"]
    assert not texts.check_code(PHONE, "other-purpose", code, clock.now())
    assert not texts.check_code(OTHER, "booking", code, clock.now())
    assert texts.check_code(PHONE, "booking", code, clock.now())
    assert not texts.check_code(PHONE, "booking", code, clock.now())  # used up

    texts.send_code(PHONE, "booking", clock.now())
    code = deliver(gateway, clock)[-1]["params"]["code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert not texts.check_code(PHONE, "booking", wrong, clock.now())
    assert not texts.check_code(PHONE, "booking", code, clock.now())  # tried too often

    texts.send_code(PHONE, "booking", clock.now())
    code = deliver(gateway, clock)[-1]["params"]["code"]
    clock.advance(minutes=11)
    assert not texts.check_code(PHONE, "booking", code, clock.now())  # expired
    erase_personal_data(now=clock.now(), keep_days=180)
    assert TextCode.select().count() == 0


def test_without_a_gateway_nothing_is_written_and_no_phone_is_taken(hall, clock):
    token = gen_ticket(clock)["token"]
    with pytest.raises(texts.Conflict):
        texts.leave_phone(token, PHONE, now=clock.now())
    assert TicketPhone.select().count() == 0


def test_a_failing_text_never_stops_the_call(hall, clock, gateway, monkeypatch):
    open_windows(hall, clock)
    tokens = [gen_ticket(clock)["token"] for _ in range(5)]
    texts.leave_phone(tokens[4], PHONE, now=clock.now())

    def broken(ticket):
        raise RuntimeError("a bug in the line's count")

    monkeypatch.setattr(texts, "people_ahead", broken)
    called = call(hall, clock, 1)
    assert called.result["ticket"]["number"] == "A001"
    assert OutboxMessage.select().count() == 0
    monkeypatch.setattr(texts, "people_ahead", estimates.people_ahead)
    call(hall, clock, 1)
    assert "前面还有 2 位" in said_to(gateway, clock)[0]


def test_the_phone_is_erased_when_the_visit_ends_and_with_its_hall_day(hall, clock, gateway):
    open_windows(hall, clock)
    served, waiting = (gen_ticket(clock)["token"] for _ in range(2))
    texts.leave_phone(served, PHONE, now=clock.now())
    texts.leave_phone(waiting, OTHER, now=clock.now())
    call(hall, clock, 1)
    queue.finish("T", 1, staff_id=hall["clerk"].id, now=clock.now())
    erase_personal_data(now=clock.now(), keep_days=180)
    assert [row.phone for row in TicketPhone.select()] == [OTHER]
    clock.advance(days=1)  # the hall day closed with the visitor still waiting
    outcome = erase_personal_data(now=clock.now(), keep_days=180)
    assert TicketPhone.select().count() == 0 and outcome.result["T"]["ticket_phones"] == 1


def test_each_phone_in_a_line_hears_near_at_its_own_turn(hall, clock, gateway):
    open_windows(hall, clock)
    tokens = [gen_ticket(clock)["token"] for _ in range(6)]
    texts.leave_phone(tokens[5], OTHER, now=clock.now())
    texts.leave_phone(tokens[4], PHONE, now=clock.now())
    call(hall, clock, 1)  # A005 has three ahead, A006 four
    assert ["前面还有 3 位" in text for text in said_to(gateway, clock)] == [True]
    assert said_to(gateway, clock, OTHER) == []
    call(hall, clock, 2)
    (near,) = said_to(gateway, clock, OTHER)
    assert "A006 号前面还有 3 位" in near and len(said_to(gateway, clock)) == 1
