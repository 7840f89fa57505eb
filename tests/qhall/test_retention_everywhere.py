"""Erased means gone from the disk: once the retention period has passed, a visitor's name
and phone are in no table and in neither of SQLite's files, whether the matter ended or
was left open; younger matters keep theirs."""

from __future__ import annotations

import pytest

from printer.jobs import add_job
from qhall import appointments, inquiries, outbox
from qhall.cases import accept_case, complete_case, resume_case, suspend_case
from qhall.db import RequestKey, db, sqlite_url, unit_of_work
from qhall.models import (
    Case,
    Event,
    IdempotencyRecord,
    Inquiry,
    PrintJob,
    Rating,
    Rectification,
    Ticket,
    Unit,
)  # fmt: skip
from qhall.retention import erase_personal_data
from qhall.text_models import TicketPhone
from tests.factories import gen_bad_rating, gen_staff, gen_ticket, gen_unit

NAME, PHONE = "欧阳测试甲", "13912345678"
FRESH_NAME = "司马新鲜乙"
KEEP_DAYS = 180


@pytest.fixture
def database_url(tmp_path):
    """SQLite whatever the test run's backend: the test reads the database's files."""
    return sqlite_url(tmp_path / "qhall.db")


def on_disk(tmp_path) -> bytes:
    """Return the bytes of the database file and of its write-ahead log, if any."""
    files = [tmp_path / "qhall.db", tmp_path / "qhall.db-wal"]
    return b"".join(path.read_bytes() for path in files if path.exists())


def seed_everywhere(clock, clerk) -> None:
    """Put the visitor's name and phone everywhere qhall keeps them, at the clock's time."""
    now, person = clock.now(), {"visitor_name": NAME, "visitor_phone": PHONE}
    register = inquiries.register_inquiry
    # A matter left open, and one resolved; the first through a keyed request.
    key = RequestKey("inquiry-key-0001", fingerprint="a-body")
    register("T", staff_id=clerk.id, matter="咨询低保", **person, now=now, request_key=key)
    resolved = register("T", staff_id=clerk.id, matter="咨询救助", **person, now=now)
    inquiries.resolve_inquiry(
        "T", resolved.result["id"], staff_id=clerk.id, outcome="已答复", now=now
    )
    # A case never completed, and one completed.
    for _ in range(2):
        accept_case("T", "B", staff_id=clerk.id, matter="申请低保", **person, now=now)
    done = Case.select().order_by(Case.id.desc()).get()
    complete_case("T", done.number, staff_id=clerk.id, result="准予", now=now)
    # A bad rating with a call-back number, its rectification closed.
    gen_bad_rating(clock, clerk, phone=PHONE)
    Rectification.update(status="closed", closed_at=now).execute()
    # The case's receipt, as the printer queue keeps it: a page that bears the name.
    page = b"\x89PNG receipt " + NAME.encode() + b" " + PHONE.encode()
    add_job("t-window-1", page, kind="case_receipt", ref=done.number, unit_code="T", now=now)
    # A text message to the visitor, waiting in the outbox (the gateway was never set up).
    with unit_of_work():
        text = {"phone": PHONE, "text": f"{NAME}，您的办件已办结。"}
        outbox.post("sms", PHONE, text, now=now, unit=Unit.get(), personal=True)
    # A booking (预约) for later that day.
    appointments.set_plan("T", "A", hours="11:00-12:00")
    appointments.book("T", "A", now.date(), "11:00", name=NAME, phone=PHONE, now=now)
    # The phone a ticket's holder left for text messages (qhall.texts).
    ticket = Ticket.get(Ticket.token == gen_ticket(clock)["token"])
    TicketPhone.create(ticket=ticket, phone=PHONE, created_at=now)


def test_after_the_retention_period_no_name_or_phone_is_left_on_disk(app, clock, tmp_path):
    unit = gen_unit(services={"A": {}, "B": {"time_limit_days": 5}})
    clerk = gen_staff("clerk", unit)
    seed_everywhere(clock, clerk)
    assert NAME.encode() in on_disk(tmp_path) and PHONE.encode() in on_disk(tmp_path)
    assert IdempotencyRecord.select().count() == 1 and PrintJob.select().count() == 1

    clock.advance(days=KEEP_DAYS)  # a fresh matter, one day old at the erasure
    inquiries.register_inquiry(
        "T", staff_id=clerk.id, matter="咨询", visitor_name=FRESH_NAME, now=clock.now()
    )
    clock.advance(days=1, minutes=1)
    named = Inquiry.select().where(Inquiry.visitor_name == NAME).count()  # cases' too
    outcome = erase_personal_data(now=clock.now(), keep_days=KEEP_DAYS)

    counts = {
        "inquiries": named,
        "cases": 2,
        "ratings": 1,
        "print_jobs": 1,
        "outbox_messages": 1,
        "bookings": 1,
        "ticket_phones": 1,
    }
    assert named >= 2 and outcome.result["T"] == counts
    assert IdempotencyRecord.select().count() == 0
    assert Inquiry.select().where(Inquiry.visitor_name == FRESH_NAME).count() == 1
    assert Rating.get().level == 1 and Case.select().count() == 2  # the records stay
    (erased,) = Event.select().where(Event.name == "privacy.erased")
    assert NAME not in erased.payload and PHONE not in erased.payload
    for text in (NAME, PHONE):
        assert text.encode() not in on_disk(tmp_path), f"{text} is still in the files"
    db.obj.close_all()  # the last connection out writes the log into the file
    disk = on_disk(tmp_path)
    assert NAME.encode() not in disk and PHONE.encode() not in disk
    assert FRESH_NAME.encode() in disk  # younger than the cutoff: kept


def test_an_open_matter_someone_worked_on_lately_keeps_its_name(app, clock):
    unit = gen_unit(services={"A": {}, "B": {"time_limit_days": 5}})
    clerk = gen_staff("clerk", unit)
    person = {"visitor_name": NAME, "visitor_phone": PHONE}
    made = inquiries.register_inquiry(
        "T", staff_id=clerk.id, matter="咨询低保", **person, now=clock.now()
    )
    accept_case("T", "B", staff_id=clerk.id, matter="申请低保", **person, now=clock.now())
    number = Case.get().number
    suspend_case(
        "T", number, staff_id=clerk.id, missing=[{"name": "户口本", "quantity": 1}], now=clock.now()
    )
    clock.advance(days=KEEP_DAYS - 10)
    # The visitor came back about the matter, and brought the missing papers: neither
    # leaves a date on the row, only their events do.
    inquiries.record_visit("T", made.result["id"], staff_id=clerk.id, now=clock.now())
    resume_case("T", number, staff_id=clerk.id, now=clock.now())
    clock.advance(days=11)

    erase_personal_data(now=clock.now(), keep_days=KEEP_DAYS)
    assert Inquiry.get().visitor_name == NAME and Case.get().visitor_phone == PHONE
    clock.advance(days=KEEP_DAYS)
    erase_personal_data(now=clock.now(), keep_days=KEEP_DAYS)
    assert Inquiry.get().visitor_name == "" and Case.get().visitor_phone == ""
    assert Inquiry.get().status == "open" and Case.get().status == "open"
