"""Remote tickets check in on arrival (qhall.check_in): a phone's ticket keeps its place but
is called only once checked in; passed over meanwhile it stays waiting, is told its turn
has come and counts in no figure; nobody checks in a ticket that is not theirs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from qhall import check_in, queue, windows
from qhall.check_in import hall_token, ticket_code, todays_hall_token
from qhall.clock import hall_day
from qhall.errors import Conflict, Forbidden, NotFound
from qhall.estimates import people_ahead, waiting_counts
from qhall.models import Event, Ticket
from qhall.reports import ledger
from qhall.scopes import make_scope
from qhall.shapes import visitor_view
from tests.factories import gen_staff, gen_ticket, gen_unit

SECRET = "test-secret"


@pytest.fixture
def hall(app, clock):
    unit = gen_unit()
    gen_unit("U")
    clerk = gen_staff(unit=unit)
    windows.open_counter("T", 1, staff_id=clerk.id, now=clock.now())
    return unit, clerk


def call(clock, clerk) -> str | None:
    ticket = queue.call_next("T", 1, staff_id=clerk.id, now=clock.now()).result["ticket"]
    return ticket["number"] if ticket else None


def from_phone(clock, service="A", unit="T") -> dict:
    return gen_ticket(clock, service, unit=unit, source="mobile")


def ticket(issued: dict) -> Ticket:
    return Ticket.get(Ticket.token == issued["token"])


def checked_in_events() -> int:
    return Event.select().where(Event.name == "ticket.checked_in").count()


def test_every_source_but_a_phone_is_in_the_hall_at_issue(hall, clock):
    assert ticket(gen_ticket(clock)).checked_in_at == clock.now()
    assert ticket(gen_ticket(clock, source="counter")).checked_in_at == clock.now()
    assert ticket(from_phone(clock)).checked_in_at is None


def test_a_phone_ticket_first_in_line_is_not_called_before_it_checks_in(hall, clock):
    unit, clerk = hall
    phone = from_phone(clock)  # A001
    clock.advance(minutes=1)
    gen_ticket(clock)  # A002, at the kiosk
    assert call(clock, clerk) == "A002"
    assert call(clock, clerk) is None  # A001 is still not in the hall
    held = ticket(phone)
    assert (held.status, held.first_called_at, held.no_show_at) == ("waiting", None, None)


def test_once_checked_in_it_is_called_in_its_original_place(hall, clock):
    unit, clerk = hall
    phone = from_phone(clock)  # A001
    gen_ticket(clock)  # A002
    gen_ticket(clock)  # A003
    assert call(clock, clerk) == "A002"
    clock.advance(minutes=5)
    done = check_in.check_in_at_kiosk("T", token=phone["token"], now=clock.now())
    assert done.result["already"] is False and done.result["ticket"]["checked_in"] is True
    assert [e["name"] for e in done.events] == ["ticket.checked_in"]
    assert call(clock, clerk) == "A001"  # ahead of A003, who came later
    assert call(clock, clerk) == "A003"


def test_the_phone_shows_its_place_and_then_that_its_turn_came(hall, clock):
    unit, clerk = hall
    gen_ticket(clock)  # A001 in the hall
    phone = from_phone(clock)  # A002
    from_phone(clock)  # A003, also away: ahead of nobody
    gen_ticket(clock)  # A004
    view = visitor_view(phone["token"])
    assert (view["checked_in"], view["ahead"], view["turn_passed"]) == (False, 1, False)
    assert view["check_in_code"] == ticket_code(phone["token"]) and len(view["check_in_code"]) == 6
    assert call(clock, clerk) == "A001"
    assert visitor_view(phone["token"])["turn_passed"] is False  # nobody behind it called yet
    assert call(clock, clerk) == "A004"  # its turn came; it was passed over
    view = visitor_view(phone["token"])
    assert (view["status"], view["ahead"], view["turn_passed"]) == ("waiting", 0, True)
    check_in.check_in_by_phone(
        phone["token"], todays_hall_token(SECRET, unit, clock.now()), secret=SECRET, now=clock.now()
    )
    view = visitor_view(phone["token"])
    assert (view["checked_in"], view["check_in_code"], view["turn_passed"]) == (True, None, False)


def test_a_ticket_not_in_the_hall_counts_in_no_wait_figure(hall, clock):
    unit, clerk = hall
    phone = from_phone(clock)  # A001
    kiosk = gen_ticket(clock)  # A002
    assert waiting_counts(unit, [hall_day(clock.now(), unit)])["A"] == 1
    assert people_ahead(ticket(kiosk)) == 0  # A001 is away: not ahead of anyone
    clock.advance(hours=1)
    scope = make_scope("T", date(2026, 11, 26), date(2026, 11, 26))
    settings = {"TARGET_WAIT_S": 900, "UNITS": {}}
    total = ledger(scope, "unit", settings=settings, now=clock.now())["total"]
    # A002 waited past the target in the hall; A001 never came, and is nobody's wait.
    assert (total["issued"], total["no_shows"], total["service_level"]) == (2, 0, 0.0)
    check_in.check_in_at_kiosk("T", token=phone["token"], now=clock.now())
    assert waiting_counts(unit, [hall_day(clock.now(), unit)])["A"] == 2
    assert people_ahead(ticket(kiosk)) == 1


def test_at_the_kiosk_by_number_and_the_code_the_phone_shows(hall, clock):
    phone = from_phone(clock)
    code = ticket_code(phone["token"])
    done = check_in.check_in_at_kiosk("T", number="a001 ", code=code, now=clock.now())
    assert done.result["ticket"]["number"] == "A001"
    assert ticket(phone).checked_in_at == clock.now()
    again = check_in.check_in_at_kiosk("T", number="A001", code=code, now=clock.now())
    assert again.result["already"] is True and again.events == []
    assert checked_in_events() == 1


def test_a_stranger_cannot_check_in_someone_elses_ticket(hall, clock):
    unit, _ = hall
    phone = from_phone(clock)
    other_hall = from_phone(clock, unit="U")
    day = hall_day(clock.now(), unit)
    wrong_code = f"{(int(ticket_code(phone['token'])) + 1) % 10**6:06d}"
    with pytest.raises(Forbidden):  # the number is on the screens; the code is not
        check_in.check_in_at_kiosk("T", number="A001", code=wrong_code, now=clock.now())
    with pytest.raises(Forbidden):  # an unknown number gets the same answer
        check_in.check_in_at_kiosk("T", number="A009", code=wrong_code, now=clock.now())
    with pytest.raises(NotFound):  # another hall's ticket at this hall's kiosk
        check_in.check_in_at_kiosk("T", token=other_hall["token"], now=clock.now())
    refused = [
        "",
        "not-the-hall-token",
        hall_token(SECRET, "U", day),  # another hall's
        hall_token(SECRET, "T", day - timedelta(days=1)),  # yesterday's
        hall_token("another-secret", "T", day),  # worked out without the server's secret
    ]
    for shown in refused:
        with pytest.raises(Forbidden):
            check_in.check_in_by_phone(phone["token"], shown, secret=SECRET, now=clock.now())
    with pytest.raises(NotFound):  # the hall's token alone checks in no ticket
        check_in.check_in_by_phone(
            "no-such-token", todays_hall_token(SECRET, unit, clock.now()), secret=SECRET,
            now=clock.now(),
        )  # fmt: skip
    assert ticket(phone).checked_in_at is None and ticket(other_hall).checked_in_at is None
    assert checked_in_events() == 0


def test_the_hall_token_changes_with_the_hall_day(hall, clock):
    unit, _ = hall
    today = todays_hall_token(SECRET, unit, clock.now())
    assert len(today) == check_in.HALL_TOKEN_CHARS
    assert todays_hall_token(SECRET, unit, clock.now() + timedelta(days=1)) != today
    phone = from_phone(clock)
    clock.advance(days=1)
    with pytest.raises(Forbidden):  # yesterday's code from the hall
        check_in.check_in_by_phone(phone["token"], today, secret=SECRET, now=clock.now())


def test_only_a_waiting_ticket_of_today_checks_in(hall, clock):
    unit, _ = hall
    left = from_phone(clock)
    queue.cancel(left["token"], now=clock.now())
    with pytest.raises(Conflict):
        check_in.check_in_at_kiosk("T", token=left["token"], now=clock.now())
    old = from_phone(clock)
    clock.advance(days=1)
    with pytest.raises(Conflict):
        check_in.check_in_at_kiosk("T", token=old["token"], now=clock.now())
    assert checked_in_events() == 0


def test_a_window_cannot_call_it_by_number_before_it_checks_in(hall, clock):
    unit, clerk = hall
    phone = from_phone(clock)
    with pytest.raises(Conflict):
        queue.call_number("T", 1, phone["number"], staff_id=clerk.id, now=clock.now())
    check_in.check_in_at_kiosk("T", token=phone["token"], now=clock.now(), staff_id=clerk.id)
    called = queue.call_number("T", 1, phone["number"], staff_id=clerk.id, now=clock.now())
    assert called.result["ticket"]["status"] == "called"


def test_its_wait_in_the_hall_counts_from_the_check_in(hall, clock):
    unit, clerk = hall
    phone = from_phone(clock)
    clock.advance(minutes=40)  # on the way
    check_in.check_in_at_kiosk("T", token=phone["token"], now=clock.now())
    clock.advance(minutes=2)
    assert call(clock, clerk) == "A001"
    assert ticket(phone).wait_s == 120
