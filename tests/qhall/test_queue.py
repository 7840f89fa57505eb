"""The queue rules, each with a frozen clock."""

from __future__ import annotations

import pytest

from qhall import cases, inquiries, queue, ratings, windows
from qhall.clock import local_day
from qhall.devices import Tablet
from qhall.errors import BadInput, Conflict, CounterNotOpen, NotFound, ServiceClosed, SoldOut
from qhall.estimates import people_ahead
from qhall.models import Case, Event, Inquiry, Ticket, Unit
from qhall.shapes import snapshot, visitor_view
from tests.factories import gen_staff, gen_ticket, gen_unit


@pytest.fixture
def hall(app):
    unit = gen_unit()
    staff = gen_staff(unit=unit)
    return unit, staff


def open_windows(clock, staff, *numbers):
    for window in numbers:
        windows.open_counter("T", window, staff_id=staff.id, now=clock.now())


def call(clock, staff, window=1):
    ticket = queue.call_next("T", window, staff_id=staff.id, now=clock.now()).result["ticket"]
    return ticket["number"] if ticket else None


# --- issuing ---


def test_numbers_count_per_service_and_day(hall, clock):
    assert [
        gen_ticket(clock, "A")["number"],
        gen_ticket(clock, "A")["number"],
        gen_ticket(clock, "B")["number"],
    ] == [
        "A001",
        "A002",
        "B001",
    ]


def test_numbering_restarts_at_local_midnight_not_utc(hall, clock):
    clock.at = clock.at.replace(hour=15, minute=58)  # 23:58 in Shanghai
    assert gen_ticket(clock)["number"] == "A001"
    assert gen_ticket(clock)["number"] == "A002"
    clock.advance(minutes=4)  # 00:02 the next day in Shanghai, still the same UTC day
    assert gen_ticket(clock)["number"] == "A001"


def test_a_closed_service_gives_no_ticket_and_says_its_hours(app, clock):
    gen_unit(services={"A": {"hours": "08:30-12:00,13:30-17:30", "weekdays": "12345"}})
    clock.at = clock.at.replace(hour=4, minute=30)  # 12:30 in Shanghai: lunch break
    with pytest.raises(ServiceClosed) as closed:
        gen_ticket(clock)
    assert closed.value.details["hours"] == "08:30-12:00,13:30-17:30"
    clock.at = clock.at.replace(hour=5, minute=30)  # 13:30
    assert gen_ticket(clock)["number"] == "A001"
    clock.advance(days=2)  # Saturday
    with pytest.raises(ServiceClosed):
        gen_ticket(clock)


def test_daily_limit_stops_issuing_without_using_up_a_number(app, clock):
    gen_unit(services={"A": {"daily_limit": 2}})
    gen_ticket(clock), gen_ticket(clock)
    with pytest.raises(SoldOut):
        gen_ticket(clock)
    assert Ticket.select().count() == 2
    clock.advance(days=1)
    assert gen_ticket(clock)["number"] == "A001"


def test_unknown_unit_service_or_priority_is_refused(hall, clock):
    with pytest.raises(NotFound):
        gen_ticket(clock, unit="NOPE")
    with pytest.raises(NotFound):
        gen_ticket(clock, service="Z")
    with pytest.raises(BadInput):
        gen_ticket(clock, priority="vip")
    assert Ticket.select().count() == 0


def test_the_same_request_key_gives_the_same_ticket_once(hall, clock):
    first = queue.issue_ticket("T", "A", now=clock.now(), request_key="kiosk-1-touch-77")
    again = queue.issue_ticket("T", "A", now=clock.now(), request_key="kiosk-1-touch-77")
    assert again.replayed and again.result == first.result and again.events == []
    assert Ticket.select().count() == 1
    assert gen_ticket(clock)["number"] == "A002"


def test_a_ticket_tells_how_many_are_ahead_and_how_long_to_wait(hall, clock):
    unit, staff = hall
    gen_ticket(clock), gen_ticket(clock)
    third = gen_ticket(clock)
    assert third["ahead"] == 2
    # No window open: no figure at all (qhall.estimates), never "very soon".
    assert third["estimated_wait_s"] is None and third["estimate"]["state"] == "no_window"
    # No visits yet: the service's expected 300 s each, over the two windows open.
    open_windows(clock, staff, 1, 2)
    assert visitor_view(third["token"])["estimated_wait_s"] == 300


# --- calling ---


def test_windows_serve_their_services_in_order_oldest_first(hall, clock):
    unit, staff = hall
    gen_ticket(clock, "B")
    clock.advance(minutes=1)
    gen_ticket(clock, "A")
    gen_ticket(clock, "A")
    open_windows(clock, staff, 1, 2)
    assert call(clock, staff, 1) == "A001"  # window 1 serves A before B, though B001 is older
    assert call(clock, staff, 2) == "B001"
    assert call(clock, staff, 2) == "A002"  # no B left: window 2 takes A
    assert call(clock, staff, 1) is None


def test_a_closed_or_paused_window_cannot_call(hall, clock):
    unit, staff = hall
    gen_ticket(clock)
    with pytest.raises(CounterNotOpen):
        call(clock, staff)
    open_windows(clock, staff, 1)
    windows.pause_counter("T", 1, "break", staff_id=staff.id, now=clock.now())
    with pytest.raises(CounterNotOpen):
        call(clock, staff)
    windows.resume_counter("T", 1, staff_id=staff.id, now=clock.now())
    assert call(clock, staff) == "A001"


def test_priority_goes_first_but_never_more_than_the_limit_in_a_row(hall, clock):
    unit, staff = hall  # priority_streak_limit defaults to 2
    gen_ticket(clock)  # A001 ordinary
    for _ in range(4):
        clock.advance(seconds=10)
        gen_ticket(clock, priority="elderly")  # A002..A005
    open_windows(clock, staff, 1)
    assert [call(clock, staff) for _ in range(5)] == ["A002", "A003", "A001", "A004", "A005"]


def test_priority_may_run_on_when_no_ordinary_visitor_waits(hall, clock):
    unit, staff = hall
    for _ in range(3):
        gen_ticket(clock, priority="disabled")
    open_windows(clock, staff, 1)
    assert [call(clock, staff) for _ in range(3)] == ["A001", "A002", "A003"]


# --- when a visit counts as served ---


def served_today(staff, clock) -> int:
    """Return the visits the staff member served today, as their window shows it."""
    return queue.staff_figures(staff, staff.unit, local_day(clock.now(), "Asia/Shanghai"))["served"]


def test_calling_next_over_a_visitor_never_started_records_a_no_show(hall, clock):
    unit, staff = hall
    first, _ = gen_ticket(clock), gen_ticket(clock)
    open_windows(clock, staff, 1)
    call(clock, staff)
    clock.advance(minutes=3)
    outcome = queue.call_next("T", 1, staff_id=staff.id, now=clock.now())
    assert outcome.result["let_go"] == {"number": "A001", "status": "no_show"}
    assert [e["name"] for e in outcome.events] == ["ticket.no_show", "ticket.called"]
    missed = Ticket.get(Ticket.token == first["token"])
    assert (missed.status, missed.no_show_at, missed.finished_at, missed.service_s) == (
        "no_show",
        clock.now(),
        None,
        None,
    )
    assert served_today(staff, clock) == 0
    # Like 过号: the visitor who turns up late goes back to their place in line.
    queue.requeue_no_show("T", "A001", staff_id=staff.id, now=clock.advance(minutes=5))
    assert Ticket.get(Ticket.token == first["token"]).status == "waiting"


def test_calling_next_after_start_finishes_the_visit(hall, clock):
    unit, staff = hall
    first, _ = gen_ticket(clock), gen_ticket(clock)
    open_windows(clock, staff, 1)
    call(clock, staff)
    queue.start("T", 1, staff_id=staff.id, now=clock.advance(seconds=30))
    clock.advance(minutes=3)
    outcome = queue.call_next("T", 1, staff_id=staff.id, now=clock.now())
    assert outcome.result["let_go"] == {"number": "A001", "status": "finished"}
    assert [e["name"] for e in outcome.events] == ["ticket.finished", "ticket.called"]
    done = Ticket.get(Ticket.token == first["token"])
    assert (done.status, done.service_s) == ("finished", 180)
    assert served_today(staff, clock) == 1


def test_finish_on_a_called_visitor_serves_them_from_the_call(hall, clock):
    unit, staff = hall
    first = gen_ticket(clock)
    open_windows(clock, staff, 1)
    call(clock, staff)
    clock.advance(minutes=2)
    queue.finish("T", 1, staff_id=staff.id, now=clock.now())
    done = Ticket.get(Ticket.token == first["token"])
    assert (done.status, done.service_s) == ("finished", 120)
    assert served_today(staff, clock) == 1
    assert call(clock, staff) is None  # nothing left in hand to let go of


def test_registering_a_first_inquiry_at_the_window_starts_the_visit_in_hand(hall, clock):
    unit, staff = hall
    first, _ = gen_ticket(clock), gen_ticket(clock)
    open_windows(clock, staff, 1)
    call(clock, staff)
    clock.advance(minutes=1)
    outcome = inquiries.register_inquiry(
        "T", staff_id=staff.id, matter="咨询低保申请条件", window=1, now=clock.now()
    )
    assert [e["name"] for e in outcome.events] == ["ticket.started", "inquiry.registered"]
    ticket = Ticket.get(Ticket.token == first["token"])
    assert (ticket.status, ticket.started_at) == ("serving", clock.now())
    assert Inquiry.get_by_id(outcome.result["id"]).ticket_id == ticket.id
    clock.advance(minutes=4)
    call(clock, staff)
    done = Ticket.get(Ticket.token == first["token"])
    assert (done.status, done.service_s) == ("finished", 240)
    assert served_today(staff, clock) == 1


def test_accepting_a_case_at_the_window_starts_the_visit_in_hand(hall, clock):
    unit, staff = hall
    gen_unit("C", services={"B": {"time_limit_days": 20}}, counters={1: ["B"]})
    gen_ticket(clock, "B", unit="C")
    windows.open_counter("C", 1, staff_id=staff.id, now=clock.now())
    queue.call_next("C", 1, staff_id=staff.id, now=clock.now())
    accepted = cases.accept_case(
        "C", "B", staff_id=staff.id, matter="残疾人两项补贴申请", window=1, now=clock.now()
    )
    ticket = Ticket.get(Ticket.unit == Unit.get(Unit.code == "C").id)
    assert ticket.status == "serving"
    case = Case.get(Case.number == accepted.result["case"]["number"])
    assert case.ticket_id == ticket.id and case.inquiry.ticket_id == ticket.id


def test_registering_without_a_window_or_a_visitor_in_hand_serves_nobody(hall, clock):
    unit, staff = hall
    gen_ticket(clock)
    open_windows(clock, staff, 1, 2)
    call(clock, staff, 1)
    phoned = inquiries.register_inquiry("T", staff_id=staff.id, matter="电话咨询", now=clock.now())
    at_two = inquiries.register_inquiry(
        "T", staff_id=staff.id, matter="窗口咨询", window=2, now=clock.now()
    )
    assert Ticket.get_by_id(1).status == "called"
    assert {Inquiry.get_by_id(i.result["id"]).ticket_id for i in (phoned, at_two)} == {None}


def test_the_tablet_does_not_ask_about_a_no_show(hall, clock):
    unit, staff = hall
    gen_ticket(clock), gen_ticket(clock)
    open_windows(clock, staff, 1)
    tablet = Tablet(name="t1", unit="T", window=1, token="secret")
    call(clock, staff)
    queue.start("T", 1, staff_id=staff.id, now=clock.now())
    queue.finish("T", 1, staff_id=staff.id, now=clock.advance(minutes=2))
    assert ratings.rating_prompt(tablet, now=clock.now(), rating_window_s=600)["number"] == "A001"
    call(clock, staff)  # A002 is called and never comes
    call(clock, staff)  # nobody left: A002 is a no-show
    assert Ticket.get(Ticket.number == "A002").status == "no_show"
    # Still the last visit served, not the number called after it.
    assert ratings.rating_prompt(tablet, now=clock.now(), rating_window_s=600)["number"] == "A001"
    clock.advance(minutes=11)
    assert ratings.rating_prompt(tablet, now=clock.now(), rating_window_s=600)["number"] is None


def test_two_windows_never_get_the_same_ticket(hall, clock):
    unit, staff = hall
    for _ in range(6):
        gen_ticket(clock, "A")
    open_windows(clock, staff, 1, 2)
    called = [call(clock, staff, window) for window in (1, 2, 1, 2, 1, 2, 1, 2)]
    assert called[:6] == ["A001", "A002", "A003", "A004", "A005", "A006"]
    assert called[6:] == [None, None]


def test_call_a_particular_number(hall, clock):
    unit, staff = hall
    gen_ticket(clock), gen_ticket(clock), gen_ticket(clock)
    open_windows(clock, staff, 1)
    result = queue.call_number("T", 1, "a003", staff_id=staff.id, now=clock.now()).result
    assert result["ticket"]["number"] == "A003" and result["ticket"]["window"] == 1
    with pytest.raises(Conflict):
        queue.call_number("T", 1, "A003", staff_id=staff.id, now=clock.now())
    with pytest.raises(NotFound):
        queue.call_number("T", 1, "A099", staff_id=staff.id, now=clock.now())
    assert call(clock, staff) == "A001"


def test_recall_calls_the_same_ticket_again(hall, clock):
    unit, staff = hall
    gen_ticket(clock)
    open_windows(clock, staff, 1)
    call(clock, staff)
    outcome = queue.recall("T", 1, staff_id=staff.id, now=clock.advance(seconds=30))
    assert outcome.result["ticket"]["recalls"] == 1
    assert [e["name"] for e in outcome.events] == ["ticket.recalled"]
    assert outcome.events[0]["counter_view"]["serving"] == "A001"


def test_start_and_finish_record_wait_and_service_time(hall, clock):
    unit, staff = hall
    issued = gen_ticket(clock)
    open_windows(clock, staff, 1)
    clock.advance(minutes=5)
    call(clock, staff)
    clock.advance(minutes=1)
    queue.start("T", 1, staff_id=staff.id, now=clock.now())
    clock.advance(minutes=4)
    queue.finish("T", 1, staff_id=staff.id, now=clock.now())
    ticket = Ticket.get(Ticket.token == issued["token"])
    assert (ticket.status, ticket.wait_s, ticket.service_s) == ("finished", 300, 240)
    assert ticket.staff_id == staff.id
    with pytest.raises(Conflict):
        queue.finish("T", 1, staff_id=staff.id, now=clock.now())


def test_a_missed_visitor_returns_once_to_their_old_place(hall, clock):
    unit, staff = hall
    gen_ticket(clock), gen_ticket(clock), gen_ticket(clock)
    open_windows(clock, staff, 1)
    call(clock, staff)
    queue.mark_no_show("T", 1, staff_id=staff.id, now=clock.now())
    assert call(clock, staff) == "A002"
    clock.advance(minutes=10)
    queue.requeue_no_show("T", "A001", staff_id=staff.id, now=clock.now())
    assert call(clock, staff) == "A001"  # back at the head of the line, before A003
    queue.mark_no_show("T", 1, staff_id=staff.id, now=clock.now())
    with pytest.raises(Conflict, match="already put back"):
        queue.requeue_no_show("T", "A001", staff_id=staff.id, now=clock.now())


def test_a_missed_visitor_cannot_return_after_the_grace_period(hall, clock):
    unit, staff = hall  # no_show_grace_s defaults to 1800
    gen_ticket(clock)
    open_windows(clock, staff, 1)
    call(clock, staff)
    queue.mark_no_show("T", 1, staff_id=staff.id, now=clock.now())
    clock.advance(seconds=1801)
    with pytest.raises(Conflict, match="time to return has passed"):
        queue.requeue_no_show("T", "A001", staff_id=staff.id, now=clock.now())


def test_transfer_to_another_service_keeps_the_place_in_line(hall, clock):
    unit, staff = hall
    gen_ticket(clock, "A")  # A001 at 10:00
    clock.advance(minutes=1)
    gen_ticket(clock, "B")  # B001 at 10:01
    open_windows(clock, staff, 1, 2)
    call(clock, staff, 1)
    result = queue.transfer("T", 1, to_service="B", staff_id=staff.id, now=clock.now()).result
    assert result["ticket"]["status"] == "waiting" and result["to_service"] == "B"
    assert call(clock, staff, 2) == "A001"  # same number, no new ticket, ahead of B001
    assert Ticket.select().count() == 2


def test_transfer_to_a_window_is_called_there_first_and_only_there(hall, clock):
    unit, staff = hall
    gen_ticket(clock, "B")  # B001
    gen_ticket(clock, "A")  # A001
    gen_ticket(clock, "A")  # A002
    open_windows(clock, staff, 1, 2)
    assert call(clock, staff, 1) == "A001"
    queue.transfer("T", 1, to_window=2, staff_id=staff.id, now=clock.now())
    assert call(clock, staff, 1) == "A002"  # window 1 does not take it back
    assert call(clock, staff, 2) == "A001"  # window 2 takes it before its own B001
    with pytest.raises(BadInput):
        queue.transfer("T", 2, to_window=2, staff_id=staff.id, now=clock.now())


def test_pause_needs_a_known_reason_and_close_needs_empty_hands(hall, clock):
    unit, staff = hall
    gen_ticket(clock)
    open_windows(clock, staff, 1)
    with pytest.raises(BadInput):
        windows.pause_counter("T", 1, "nap", staff_id=staff.id, now=clock.now())
    paused = windows.pause_counter("T", 1, "meeting", staff_id=staff.id, now=clock.now()).result
    assert paused["counter"]["state"] == "paused"
    assert "会议" in paused["counter"]["pause_notice"]
    windows.resume_counter("T", 1, staff_id=staff.id, now=clock.now())
    call(clock, staff)
    with pytest.raises(Conflict):
        windows.close_counter("T", 1, staff_id=staff.id, now=clock.now())
    queue.finish("T", 1, staff_id=staff.id, now=clock.now())
    closed = windows.close_counter("T", 1, staff_id=staff.id, now=clock.now()).result
    assert closed["counter"]["state"] == "closed" and closed["counter"]["staff"] is None


def test_cancel_withdraws_a_waiting_ticket(hall, clock):
    unit, staff = hall
    first = gen_ticket(clock)
    second = gen_ticket(clock)
    queue.cancel(first["token"], now=clock.now())
    assert visitor_view(second["token"])["ahead"] == 0
    with pytest.raises(Conflict):
        queue.cancel(first["token"], now=clock.now())


def test_ordinary_visitors_count_priority_ones_as_ahead(hall, clock):
    unit, staff = hall
    ordinary = gen_ticket(clock)
    clock.advance(minutes=1)
    gen_ticket(clock, priority="pregnant")
    assert people_ahead(Ticket.get(Ticket.token == ordinary["token"])) == 1


def start(clock, staff, window=1):
    queue.start("T", window, staff_id=staff.id, now=clock.now())


def test_estimates_follow_recent_service_times_and_never_no_shows(hall, clock):
    unit, staff = hall
    for _ in range(6):
        gen_ticket(clock)
    open_windows(clock, staff, 1)
    call(clock, staff), start(clock, staff)
    clock.advance(minutes=2)
    call(clock, staff), start(clock, staff)  # finishes A001 after 120 s
    clock.advance(minutes=4)
    call(clock, staff)  # finishes A002 after 240 s; A003 never comes
    clock.advance(minutes=9)
    call(clock, staff)  # A003 is a no-show: nine minutes of nobody is no service time
    last = Ticket.get(Ticket.number == "A006")
    # Two visits are too few to trust, and faster than expected: the expected 300 s for
    # A005 ahead, plus a whole visit for A004, only called so far (qhall.estimates).
    assert visitor_view(last.token)["estimated_wait_s"] == 600


# --- events ---


def test_every_change_is_logged_with_the_next_sequence_number(hall, clock):
    unit, staff = hall
    outcomes = [
        windows.open_counter("T", 1, staff_id=staff.id, now=clock.now()),
        queue.issue_ticket("T", "A", now=clock.now()),
        queue.call_next("T", 1, staff_id=staff.id, now=clock.now()),
        queue.finish("T", 1, staff_id=staff.id, now=clock.now()),
    ]
    published = [event for outcome in outcomes for event in outcome.events]
    assert [e["name"] for e in published] == [
        "counter.opened",
        "ticket.issued",
        "ticket.called",
        "ticket.finished",
    ]
    assert [e["seq"] for e in published] == [1, 2, 3, 4]
    logged = Event.select().order_by(Event.seq)
    assert [(e.seq, e.name, e.staff_id) for e in logged] == [
        (1, "counter.opened", staff.id),
        (2, "ticket.issued", None),
        (3, "ticket.called", staff.id),
        (4, "ticket.finished", staff.id),
    ]
    assert snapshot("T", clock.now())["seq"] == 4


def test_published_events_never_carry_the_ticket_token(hall, clock):
    unit, staff = hall
    issued = queue.issue_ticket("T", "A", now=clock.now())
    assert issued.result["token"]
    assert issued.result["token"] not in str(issued.events)


def test_a_failed_change_logs_nothing_and_takes_no_number(hall, clock):
    unit, staff = hall
    with pytest.raises(CounterNotOpen):
        queue.call_next("T", 1, staff_id=staff.id, now=clock.now())
    assert Event.select().count() == 0


def test_snapshot_shows_calls_waiting_and_windows(hall, clock):
    unit, staff = hall
    gen_ticket(clock, "A"), gen_ticket(clock, "A"), gen_ticket(clock, "B")
    open_windows(clock, staff, 1)
    call(clock, staff)
    windows.pause_counter("T", 1, "break", staff_id=staff.id, now=clock.now())
    snap = snapshot("T", clock.now())
    assert snap["waiting"] == {"A": 1, "B": 1}
    assert snap["calls"][0]["number"] == "A001" and snap["calls"][0]["window"] == 1
    window1 = snap["counters"][0]
    assert (window1["state"], window1["serving"], window1["pause_reason"]) == (
        "paused",
        "A001",
        "break",
    )
    assert window1["staff"]["name"] == staff.name
    assert snap["counters"][1]["state"] == "closed"


def test_tickets_left_at_midnight_are_closed_with_a_reason(hall, clock):
    unit, staff = hall
    gen_ticket(clock), gen_ticket(clock), gen_ticket(clock)
    open_windows(clock, staff, 1)
    call(clock, staff)  # A001 in hand at window 1
    assert queue.close_past_days("T", now=clock.now()).result == {"closed": 0}
    clock.at = clock.at.replace(hour=16, minute=1)  # 00:01 the next day in Shanghai
    outcome = queue.close_past_days("T", now=clock.now())
    assert outcome.result == {"closed": 3}
    assert [e["name"] for e in outcome.events] == ["day.closed"]
    assert {(t.status, t.closed_reason) for t in Ticket.select()} == {("closed", "day_ended")}
    assert gen_ticket(clock)["number"] == "A001"  # the new day's first ticket
    assert call(clock, staff) == "A001"  # the window let go of yesterday's ticket
    assert queue.close_past_days("T", now=clock.now()).result == {"closed": 0}
