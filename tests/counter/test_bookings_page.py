"""Today's bookings for the hall's window staff (/counter/bookings?unit=T): only its signed-in
staff; each checked-in booking shows its ticket's number. The clock stands at Thursday 26
November 2026, 10:00 in Shanghai."""

from __future__ import annotations

from datetime import date

import pytest

from qhall import appointments
from qhall.appointments import Rules
from qhall.booking_check_in import check_in_booking
from tests.factories import assert_error, gen_staff, gen_unit, sign_in


@pytest.fixture
def hall(app, clock):
    """Hall T whose service A books 09:00-12:00, with two bookings today, one checked in;
    a clerk of T and one of hall U."""
    unit = gen_unit()
    gen_staff("clerk", unit), gen_staff("stranger", gen_unit("U"))
    appointments.set_plan("T", "A", capacity=4, hours="09:00-12:00", weekdays="12345")
    today = date(2026, 11, 26)
    for phone in ("13800000001", "13800000002"):
        made = appointments.book(
            "T", "A", today, "10:30", name="张小三", phone=phone, now=clock.now()
        )
    check_in_booking("T", code=made.result["code"], now=clock.now(), rules=Rules())
    return unit


def test_the_halls_staff_see_todays_bookings_with_their_tickets(client, hall):
    sign_in(client, "clerk")
    page = client.get("/counter/bookings?unit=T")
    assert page.status_code == 200 and "今日预约" in page.text and "bookings.js" in page.text
    (service,) = client.get("/api/units/T/bookings/day").json["services"]
    assert service["counts"] == {"booked": 1, "checked_in": 1}
    numbers = [b["ticket_number"] for b in service["bookings"]]
    assert numbers == [None, "A001"]
    assert {b["visitor_name"] for b in service["bookings"]} == {"张*三"}  # masked for staff
    assert "/counter/bookings?unit=T" in client.get("/counter?unit=T").text


def test_nobody_else_sees_them(client, hall):
    page = client.get("/counter/bookings?unit=T")  # not signed in: to the sign-in first
    assert page.status_code == 302 and page.headers["Location"].endswith("/counter?unit=T")
    assert_error(client.get("/api/units/T/bookings/day"), 401)
    sign_in(client, "stranger")  # staff of another hall
    assert client.get("/counter/bookings?unit=T").status_code == 403
    assert_error(client.get("/api/units/T/bookings/day"), 403)
    assert client.get("/counter/bookings?unit=NOPE").status_code == 404
