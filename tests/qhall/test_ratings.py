"""Ratings (好差评): one per visit, from the window's registered tablet (the visit it finished
last, with 服务效率, 服务水平 and 服务态度) or the visitor's phone (a served visit, the overall
level); a bad one names reasons from the configured question set and may leave a call-back
number, masked in views and erased with other personal data. Who may send them over the web
is tests/counter/test_rating_access.py; the rectification a bad one opens,
tests/qhall/test_rectification.py."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from qhall import queue, ratings, windows
from qhall.clock import local_day
from qhall.devices import Tablet
from qhall.errors import BadInput, Conflict, NotFound
from qhall.models import Event, Rating, Rectification
from qhall.retention import erase_personal_data
from tests.factories import gen_staff, gen_unit

RATING_WINDOW_S = 1800
DAYS = 5
TABLET = Tablet(name="t-1", unit="T", window=1, token="tablet-one-secret-0001")
GOOD_SCORES = {"efficiency": 5, "competence": 4, "attitude": 5}


@pytest.fixture
def hall(app, clock):
    """Hall T with window 1 open, its clerk on duty there."""
    unit = gen_unit()
    clerk = gen_staff("clerk", unit)
    windows.open_counter("T", 1, staff_id=clerk.id, now=clock.now())
    return {"unit": unit, "clerk": clerk}


def served(hall, clock) -> dict:
    """A visitor called, served and finished at window 1 by the clerk; returns the ticket."""
    staff_id = hall["clerk"].id
    issued = queue.issue_ticket("T", "A", now=clock.now()).result
    queue.call_next("T", 1, staff_id=staff_id, now=clock.now())
    queue.start("T", 1, staff_id=staff_id, now=clock.now())
    clock.advance(minutes=4)
    queue.finish("T", 1, staff_id=staff_id, now=clock.now())
    return issued


def rate_at_window(clock, number, level, scores=GOOD_SCORES, **content):
    return ratings.rate_at_window(
        TABLET, number, level=level, **scores, now=clock.now(),
        rating_window_s=RATING_WINDOW_S, rectification_days=DAYS, **content,
    )  # fmt: skip


def rate_by_phone(clock, token, level, **content):
    return ratings.rate_by_token(
        token, level=level, now=clock.now(), rectification_days=DAYS, **content
    )


def prompt(clock):
    return ratings.rating_prompt(TABLET, now=clock.now(), rating_window_s=RATING_WINDOW_S)


def test_the_tablet_rates_the_visit_its_window_finished_last_once(hall, clock):
    ticket = served(hall, clock)
    assert prompt(clock)["number"] == "A001"
    outcome = rate_at_window(clock, "A001", 5)
    view = outcome.result["rating"]
    assert (view["level_name"], view["source"], view["device"]) == ("非常满意", "tablet", "t-1")
    assert (view["efficiency"], view["competence"], view["attitude"]) == (5, 4, 5)
    assert view["question_set"] == ratings.default_questions().version
    assert outcome.result["rectification"] is None
    assert [e["name"] for e in outcome.events] == ["rating.recorded"]
    # Rated: the tablet has nothing more to ask, and no one may rate the visit again.
    assert prompt(clock)["number"] is None
    with pytest.raises(Conflict):
        rate_by_phone(clock, ticket["token"], 1, reasons=["attitude"])
    with pytest.raises(Conflict):
        rate_at_window(clock, "A001", 4)
    assert Rating.select().count() == 1
    day = local_day(clock.now(), "Asia/Shanghai")
    assert ratings.today_ratings(hall["clerk"].id, hall["unit"].id, day) == {
        "count": 1, "average": 5.0, "satisfied_rate": 1.0,
    }  # fmt: skip


def test_only_the_visit_finished_last_and_only_for_a_while(hall, clock):
    served(hall, clock)  # A001
    served(hall, clock)  # A002: the visitor at the tablet now
    waiting = queue.issue_ticket("T", "A", now=clock.now()).result
    assert prompt(clock)["number"] == "A002"
    with pytest.raises(NotFound):
        rate_at_window(clock, "A001", 5)  # finished, but not last: that visitor has gone
    with pytest.raises(NotFound):
        rate_at_window(clock, waiting["number"], 5)  # not served yet
    clock.advance(seconds=RATING_WINDOW_S + 1)
    assert prompt(clock)["number"] is None
    with pytest.raises(NotFound):
        rate_at_window(clock, "A002", 5)
    assert Rating.select().count() == 0


def test_a_visitor_called_but_never_served_wakes_no_tablet_and_rates_from_no_phone(hall, clock):
    served(hall, clock)  # A001, finished
    staff_id = hall["clerk"].id
    missed = queue.issue_ticket("T", "A", now=clock.now()).result
    queue.call_next("T", 1, staff_id=staff_id, now=clock.now())
    queue.mark_no_show("T", 1, staff_id=staff_id, now=clock.now())
    # The tablet still asks about the visit it finished last, never the one who did not come.
    assert prompt(clock)["number"] == "A001"
    with pytest.raises(NotFound):
        rate_at_window(clock, missed["number"], 1, reasons=["long_wait"])
    with pytest.raises(Conflict):
        rate_by_phone(clock, missed["token"], 1, reasons=["long_wait"])
    waiting = queue.issue_ticket("T", "A", now=clock.now()).result
    with pytest.raises(Conflict):
        rate_by_phone(clock, waiting["token"], 5)
    assert Rating.select().count() == 0 and Rectification.select().count() == 0


def test_the_phone_rates_a_served_visit_by_its_token_with_the_overall_level(hall, clock):
    ticket = served(hall, clock)
    assert ratings.ticket_rating(ticket["token"])["can_rate"] is True
    rate_by_phone(clock, ticket["token"], 4)
    state = ratings.ticket_rating(ticket["token"])
    assert state["can_rate"] is False
    rating = state["rating"]
    assert (rating["source"], rating["device"], rating["efficiency"]) == ("phone", "", None)


def test_the_tablet_asks_all_three_dimensions(hall, clock):
    served(hall, clock)
    for scores, field in [
        ({"efficiency": None, "competence": 4, "attitude": 4}, "efficiency"),
        ({"efficiency": 4, "competence": 6, "attitude": 4}, "competence"),
        ({"efficiency": 4, "competence": 4, "attitude": True}, "attitude"),
    ]:
        with pytest.raises(BadInput) as refused:
            rate_at_window(clock, "A001", 4, scores)
        assert refused.value.details["field"] == field
    assert Rating.select().count() == 0


def test_a_bad_rating_names_its_reasons_from_the_question_set(hall, clock):
    served(hall, clock)
    bad = {"efficiency": 2, "competence": 3, "attitude": 1}
    refusals = [
        ({}, "reasons"),  # no reason
        ({"reasons": ["rude"]}, "reasons"),  # not a code of the question set
        ({"reasons": ["other"]}, "words"),  # "其他" needs a few words
        ({"reasons": ["attitude"], "callback_phone": "12345"}, "callback_phone"),
    ]
    for content, field in refusals:
        with pytest.raises(BadInput) as refused:
            rate_at_window(clock, "A001", 2, bad, **content)
        assert refused.value.details["field"] == field
    with pytest.raises(BadInput):
        rate_at_window(clock, "A002", 4, reasons=["attitude"])  # a good one has no reasons
    with pytest.raises(BadInput):
        rate_at_window(clock, "A001", 4, callback_phone="13812345678")  # nor a call-back
    assert Rating.select().count() == 0 and Event.select().where(Event.name.startswith("rating")).count() == 0  # fmt: skip

    outcome = rate_at_window(
        clock, "A001", 1, bad, reasons=["attitude", "long_wait", "attitude"],
        words="说话不耐烦", callback_phone="138 1234 5678",
    )  # fmt: skip
    assert [e["name"] for e in outcome.events] == ["rating.recorded", "rectification.opened"]
    assert outcome.result["rectification"] is not None
    view = outcome.result["rating"]
    assert [r["code"] for r in view["reasons"]] == ["attitude", "long_wait"]
    assert view["reason_text"] == "态度生硬；等候时间长；说话不耐烦"
    assert view["callback_phone"] == "138****5678"  # masked in every view
    rating = Rating.get()
    assert (rating.callback_phone, json.loads(rating.reasons)) == ("13812345678", ["attitude", "long_wait"])  # fmt: skip
    assert ratings.rating_view(rating, full_phone=True)["callback_phone"] == "13812345678"
    # The visitor's words and number stay out of what the hall's screens receive.
    sent = str(outcome.events) + "".join(e.payload for e in Event.select())
    assert "说话不耐烦" not in sent and "5678" not in sent


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("010-12345678", "01012345678"),
        ("(0571) 8765432", "05718765432"),
        ("87654321", "87654321"),
        ("", ""),
    ],
)
def test_a_call_back_number_is_a_chinese_mobile_or_landline(typed, kept):
    assert ratings.clean_callback_phone(typed) == kept


@pytest.mark.parametrize("typed", ["12345", "23812345678", "138123456789", "电话", "0123"])
def test_what_is_no_phone_number_is_refused_politely(typed):
    with pytest.raises(BadInput) as refused:
        ratings.clean_callback_phone(typed)
    assert refused.value.details["field"] == "callback_phone" and "也可以不填" in refused.value.zh


def test_the_question_set_comes_from_the_settings_and_its_version_is_kept(hall, clock):
    settings = {
        "RATING": {
            "QUESTION_SET": "某省 2026-2",
            "REASONS": [{"code": "queue", "zh": "排队太久", "en": "Queued too long"}],
        }
    }
    questions = ratings.question_set(settings)
    ticket = served(hall, clock)
    with pytest.raises(BadInput):
        rate_by_phone(clock, ticket["token"], 2, reasons=["long_wait"], questions=questions)
    view = rate_by_phone(clock, ticket["token"], 2, reasons=["queue"], questions=questions)
    assert view.result["rating"]["reasons"] == [
        {"code": "queue", "name": "排队太久", "name_en": "Queued too long"}
    ]
    assert Rating.get().question_set == "某省 2026-2"
    # Read with another question set, a code keeps its name: nothing is lost.
    assert ratings.rating_view(Rating.get())["reasons"][0]["name"] == "queue"


def test_the_call_back_number_is_erased_with_other_personal_data(hall, clock):
    served(hall, clock)
    rate_at_window(clock, "A001", 2, reasons=["slow"], callback_phone="13812345678")
    keep_days = 180
    clock.advance(days=keep_days + 1)
    erase_personal_data(now=clock.now(), keep_days=keep_days)
    assert Rating.get().callback_phone == "13812345678"  # the call-back is not done yet
    Rectification.update(status="closed", closed_at=clock.now()).execute()
    clock.advance(days=keep_days - 1)
    erase_personal_data(now=clock.now(), keep_days=keep_days)
    assert Rating.get().callback_phone == "13812345678"
    clock.advance(days=2)
    outcome = erase_personal_data(now=clock.now(), keep_days=keep_days)
    rating = Rating.get()
    assert rating.callback_phone == "" and rating.level == 2  # the rating itself stays
    assert outcome.result["T"]["ratings"] == 1 and "138" not in str(outcome.events)
    assert clock.now() - rating.at > timedelta(days=2 * keep_days)
