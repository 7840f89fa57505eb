"""Ratings (好差评): one per visit, from the window's tablet or the phone; a bad one needs a
reason and opens a rectification item (tests/qhall/test_rectification.py)."""

from __future__ import annotations

import pytest

from qhall import queue, ratings, windows
from qhall.clock import local_day
from qhall.errors import BadInput, Conflict, NotFound
from tests.factories import gen_staff, gen_unit

RATING_WINDOW_S = 1800
DAYS = 5


@pytest.fixture
def hall(app):
    unit = gen_unit()
    return {"unit": unit, "clerk": gen_staff("clerk", unit), "boss": gen_staff("boss", unit, role="manager")}  # fmt: skip


def served(hall, clock) -> dict:
    """A visitor served and finished at window 1 by the clerk; returns the issued ticket."""
    staff_id = hall["clerk"].id
    issued = queue.issue_ticket("T", "A", now=clock.now()).result
    windows.open_counter("T", 1, staff_id=staff_id, now=clock.now())
    queue.call_next("T", 1, staff_id=staff_id, now=clock.now())
    clock.advance(minutes=4)
    queue.finish("T", 1, staff_id=staff_id, now=clock.now())
    return issued


def rate_at_window(clock, number, level, reason=""):
    return ratings.rate_at_window(
        "T", 1, number, level=level, reason=reason, now=clock.now(),
        rating_window_s=RATING_WINDOW_S, rectification_days=DAYS,
    )  # fmt: skip


def test_the_tablet_rates_the_visit_just_finished_once(hall, clock):
    ticket = served(hall, clock)
    assert ratings.rating_prompt("T", 1, now=clock.now(), rating_window_s=RATING_WINDOW_S)["number"] == "A001"  # fmt: skip
    outcome = rate_at_window(clock, "A001", 5)
    assert outcome.result["rating"]["level_name"] == "非常满意"
    assert outcome.result["rectification"] is None
    assert [e["name"] for e in outcome.events] == ["rating.recorded"]
    # Rated: the tablet has nothing more to ask, the phone may not rate again.
    assert ratings.rating_prompt("T", 1, now=clock.now(), rating_window_s=RATING_WINDOW_S)["number"] is None  # fmt: skip
    with pytest.raises(Conflict):
        ratings.rate_by_token(ticket["token"], level=1, reason="x", now=clock.now(), rectification_days=DAYS)  # fmt: skip
    with pytest.raises(Conflict):
        rate_at_window(clock, "A001", 4)
    day = local_day(clock.now(), "Asia/Shanghai")
    assert ratings.today_ratings(hall["clerk"].id, hall["unit"].id, day) == {
        "count": 1, "average": 5.0, "satisfied_rate": 1.0,
    }  # fmt: skip


def test_a_visit_can_be_rated_only_when_finished_and_only_for_a_while_at_the_tablet(hall, clock):
    issued = queue.issue_ticket("T", "A", now=clock.now()).result
    with pytest.raises(Conflict):
        ratings.rate_by_token(issued["token"], level=5, now=clock.now(), rectification_days=DAYS)
    with pytest.raises(NotFound):
        rate_at_window(clock, "A001", 5)
    served(hall, clock)  # A002
    clock.advance(seconds=RATING_WINDOW_S + 1)
    with pytest.raises(NotFound):
        rate_at_window(clock, "A002", 5)


def test_the_phone_rates_by_the_tickets_token(hall, clock):
    ticket = served(hall, clock)
    assert ratings.ticket_rating(ticket["token"])["can_rate"] is True
    ratings.rate_by_token(ticket["token"], level=4, now=clock.now(), rectification_days=DAYS)
    state = ratings.ticket_rating(ticket["token"])
    assert state["can_rate"] is False and state["rating"]["source"] == "phone"


def test_a_bad_rating_needs_a_reason_and_opens_a_rectification_tracked_to_closure(hall, clock):
    served(hall, clock)
    with pytest.raises(BadInput):
        rate_at_window(clock, "A001", 2)
    outcome = rate_at_window(clock, "A001", 2, "等待时间太长")
    assert [e["name"] for e in outcome.events] == ["rating.recorded", "rectification.opened"]
    # The words of the visitor stay out of what the hall's screens receive.
    assert "等待时间太长" not in str(outcome.events)
    assert outcome.result["rectification"] is not None
