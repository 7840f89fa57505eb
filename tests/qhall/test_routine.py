"""Routine work: leftover tickets closed after midnight, deadlines checked, old personal
data erased, each once per unit whichever process gets there first."""

from __future__ import annotations

import json

from qhall import queue
from qhall.inquiries import register_inquiry, resolve_inquiry
from qhall.models import Event, Inquiry, Ticket
from qhall.routine import run_once
from tests.factories import gen_staff, gen_unit


def test_the_routine_closes_yesterdays_tickets_once_across_processes(app, clock):
    gen_unit()
    queue.issue_ticket("T", "A", now=clock.now())
    published = []
    clock.at = clock.at.replace(hour=16, minute=5)  # 00:05 the next day in Shanghai
    first = run_once(app.config, clock.now(), published.append, holder="process-1")
    second = run_once(app.config, clock.now(), published.append, holder="process-2")
    assert "close-day:T" in first and second == []  # the other process leaves it alone
    assert Ticket.get().status == "closed"
    assert [e["name"] for outcome in published for e in outcome.events] == ["day.closed"]


def test_personal_data_is_erased_after_the_retention_period_and_logged(app, clock):
    unit = gen_unit()
    clerk = gen_staff(unit=unit)
    register_inquiry(
        "T", staff_id=clerk.id, matter="咨询低保申请", visitor_name="张小三",
        visitor_phone="13812341234", now=clock.now(),
    )  # fmt: skip
    inquiry_id = Inquiry.get().id
    resolve_inquiry("T", inquiry_id, staff_id=clerk.id, outcome="已告知所需材料", now=clock.now())
    keep_days = app.config["PRIVACY"]["KEEP_PERSONAL_DAYS"]

    clock.advance(days=keep_days - 1)
    run_once(app.config, clock.now(), lambda outcome: None)
    assert Inquiry.get().visitor_name == "张小三"

    clock.advance(days=2)
    run_once(app.config, clock.now(), lambda outcome: None, holder="another")
    inquiry = Inquiry.get()
    assert (inquiry.visitor_name, inquiry.visitor_phone) == ("", "")
    assert inquiry.matter == "咨询低保申请"  # the matter itself stays for the ledger
    (log,) = Event.select().where(Event.name == "privacy.erased")
    assert json.loads(log.payload)["inquiries"] == 1
    assert "张" not in log.payload and "138" not in log.payload
