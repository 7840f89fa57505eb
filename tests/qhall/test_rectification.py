"""Rectification of bad ratings (差评整改): tracked to closure, or an appeal accepted."""

from __future__ import annotations

import pytest

from qhall import queue, ratings, rectification, windows
from qhall.clock import local_day
from qhall.errors import BadInput, Conflict, Forbidden
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


def test_a_rectification_is_tracked_to_closure(hall, clock):
    served(hall, clock)
    with pytest.raises(BadInput):
        rate_at_window(clock, "A001", 2)
    outcome = rate_at_window(clock, "A001", 2, "等待时间太长")
    assert [e["name"] for e in outcome.events] == ["rating.recorded", "rectification.opened"]
    # The words of the visitor stay out of what the hall's screens receive.
    assert "等待时间太长" not in str(outcome.events)
    item_id = outcome.result["rectification"]
    boss, clerk = hall["boss"].id, hall["clerk"].id
    (item,) = rectification.rectification_list("T", hall["boss"], now=clock.now())
    # Thursday 26 November 2026 + 5 working days.
    assert (item["id"], item["due_day"], item["overdue"]) == (item_id, "2026-12-03", False)
    assert item["rating"]["reason"] == "等待时间太长"
    with pytest.raises(Conflict):  # in order: verify first
        rectification.advance_rectification("T", item_id, "rectify", staff_id=clerk, note="x", now=clock.now())  # fmt: skip
    for step, who, note in [
        ("verify", boss, "情况属实"),
        ("rectify", clerk, "已增开窗口"),
        ("call-back", boss, "已回访，群众认可"),
    ]:
        state = rectification.advance_rectification("T", item_id, step, staff_id=who, note=note, now=clock.now())  # fmt: skip
    assert state.result["status"] == "closed"
    assert [s["note"] for s in state.result["steps"]] == [
        "情况属实",
        "已增开窗口",
        "已回访，群众认可",
    ]
    assert rectification.rectification_list("T", hall["boss"], now=clock.now()) == []


def test_an_open_rectification_past_its_deadline_shows_overdue(hall, clock):
    served(hall, clock)
    rate_at_window(clock, "A001", 1, "态度生硬")
    clock.advance(days=8)  # Friday 4 December
    (item,) = rectification.rectification_list("T", hall["clerk"], now=clock.now())
    assert item["overdue"] is True


def test_a_manager_accepts_an_appeal_against_a_malicious_rating(hall, clock):
    served(hall, clock)
    item_id = rate_at_window(clock, "A001", 1, "乱写的").result["rectification"]
    with pytest.raises(Forbidden):
        rectification.accept_appeal(
            "T", item_id, staff_id=hall["clerk"].id, reason="x", now=clock.now()
        )
    closed = rectification.accept_appeal(
        "T",
        item_id,
        staff_id=hall["boss"].id,
        reason="监控显示服务规范，系恶意差评",
        now=clock.now(),
    ).result
    assert (closed["status"], closed["appeal_reason"]) == (
        "appeal_accepted",
        "监控显示服务规范，系恶意差评",
    )
    assert closed["rating"]["excluded"] is True
    day = local_day(clock.now(), "Asia/Shanghai")
    assert ratings.today_ratings(hall["clerk"].id, hall["unit"].id, day)["count"] == 0
