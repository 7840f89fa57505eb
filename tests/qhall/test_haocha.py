"""Every rating reaches the province's 好差评 platform: its report is written with the rating
and delivered through the outbox with what the norm asks, never the visitor's own words
or number."""

from __future__ import annotations

import hashlib
import json

import pytest

from qhall import outbox
from qhall.errors import Conflict
from qhall.models import Counter, Rating, Ticket
from qhall.outbox import HttpChannel, OutboxMessage, deliver_due
from qhall.ratings import rate_by_token
from qhall.tools.fake_receiver import FakeReceiver
from tests.factories import gen_staff, gen_ticket, gen_unit

PHONE, WORDS = "13912345678", "窗口人员态度生硬，让我跑了两趟"


def finished_visit(clock, unit, staff) -> str:
    token = gen_ticket(clock)["token"]
    counter = Counter.get(Counter.unit == unit.id, Counter.window == 1)
    now = clock.now()
    Ticket.update(status="finished", counter=counter, staff=staff, called_at=now,
                  started_at=now, finished_at=now).where(Ticket.token == token).execute()  # fmt: skip
    return token


def test_a_rating_is_reported_to_the_platform_with_the_norms_fields(app, clock):
    unit = gen_unit()
    clerk = gen_staff("clerk", unit)
    clerk.employee_no = "MZ-007"
    clerk.save()
    token = finished_visit(clock, unit, clerk)
    rate_by_token(token, level=1, reasons=["attitude"], words=WORDS, callback_phone=PHONE,
                  now=clock.now(), rectification_days=5)  # fmt: skip

    (message,) = OutboxMessage.select()
    assert (message.channel, message.state, message.personal) == ("haocha", "pending", False)
    report = json.loads(message.payload)
    rating = Rating.get()
    assert report["rating_id"] == rating.id and report["level"] == 1
    assert report["matter"]["ticket"] == Ticket.get().number
    assert report["unit"]["code"] == "T" and report["window"] == 1
    assert report["staff_no"] == "MZ-007" and report["channel"] == "phone"
    assert report["reasons"] == ["attitude"] and report["service"]["code"] == "A"
    assert PHONE not in message.payload and WORDS not in message.payload

    with FakeReceiver(secret="s") as platform:
        assert deliver_due("haocha", HttpChannel(platform.url, "s").send, clock.now()) == 1
    (received,) = platform.received.messages
    assert received["payload"] == report and received["channel"] == "haocha"


def test_a_refused_rating_reports_nothing(app, clock):
    unit = gen_unit()
    token = finished_visit(clock, unit, gen_staff("clerk", unit))
    rate_by_token(token, level=5, now=clock.now(), rectification_days=5)
    with pytest.raises(Conflict):  # rated already: its transaction rolls back
        rate_by_token(token, level=1, reasons=["attitude"], now=clock.now(), rectification_days=5)
    assert OutboxMessage.select().count() == 1  # the first rating's report alone


class ProvinceChannel(HttpChannel):
    """A province that signs otherwise: one class, its headers its own."""

    def signature_headers(self, body: bytes) -> dict[str, str]:
        return {"X-Province-Sign": hashlib.md5(self.secret.encode() + body).hexdigest()}


def test_a_province_that_signs_otherwise_is_one_adapter_named_in_the_settings(
    app, clock, monkeypatch
):
    unit = gen_unit()
    rate_by_token(finished_visit(clock, unit, gen_staff("clerk", unit)), level=5,
                  now=clock.now(), rectification_days=5)  # fmt: skip
    monkeypatch.setitem(outbox.ADAPTERS, "province", ProvinceChannel)
    with FakeReceiver(secret="s") as platform:
        channel = outbox.channel_from({"URL": platform.url, "SECRET": "s", "SCHEME": "province"})
        assert isinstance(channel, ProvinceChannel)
        assert deliver_due("haocha", channel.send, clock.now()) == 0
    # The fake platform knows only qhall's own scheme: it refused the province's signature.
    assert platform.received.bad_signatures == 1
    assert OutboxMessage.get().last_error.startswith("HTTP 401")
