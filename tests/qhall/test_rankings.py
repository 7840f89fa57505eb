"""The ranking formula, and the month's selection that the hall screens then show."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from qhall import queue, ratings, windows
from qhall.errors import Forbidden, NotFound
from qhall.models import AuditEntry, ScreenItem, Selection
from qhall.rankings import confirm_selection, rank, rankings, score
from qhall.screens import content_view
from tests.factories import gen_staff, gen_unit

WEIGHTS = {
    "SATISFACTION": 0.4,
    "ON_TIME": 0.2,
    "SERVICE_LEVEL": 0.2,
    "VOLUME": 0.2,
    "MIN_SERVED": 2,
}
SETTINGS = {"TARGET_WAIT_S": 900, "UNITS": {}}


def test_the_score_is_the_weighted_mean_of_the_figures_that_have_data():
    full = {"satisfaction": 1.0, "on_time_rate": 0.5, "service_level": 0.5, "volume": 1.0}
    assert score(full, WEIGHTS) == pytest.approx(0.4 + 0.1 + 0.1 + 0.2)
    # No promised cases: on-time drops out and the other weights count in full.
    no_cases = {**full, "on_time_rate": None}
    assert score(no_cases, WEIGHTS) == pytest.approx((0.4 + 0.1 + 0.2) / 0.8)
    assert score({k: None for k in full}, WEIGHTS) is None


def test_ranking_puts_the_best_first_and_leaves_out_too_few_visits():
    def row(key, served, satisfaction):
        return {"key": key, "served": served, "satisfaction": satisfaction,
                "on_time_rate": None, "service_level": 1.0}  # fmt: skip

    ranked = rank([row(1, 10, 0.9), row(2, 5, 1.0), row(3, 1, 1.0)], WEIGHTS)
    # 1: (0.4×0.9 + 0.2×1 + 0.2×1) / 0.8 = 0.95; 2: (0.4 + 0.2 + 0.2×0.5) / 0.8 = 0.875.
    assert [(e["key"], e["rank"], e["score"]) for e in ranked] == [
        (1, 1, 0.95),
        (2, 2, 0.875),
        (3, None, None),
    ]


@pytest.fixture
def month(app, clock):
    """Two windows in November: window 1 serves three visitors rated 5; window 2 two, one
    rated 1."""
    unit = gen_unit("T")
    gen_staff("boss", unit, role="manager")
    people = {1: gen_staff("li", unit), 2: gen_staff("wang", unit)}
    for window, person in people.items():
        windows.open_counter("T", window, staff_id=person.id, now=clock.now())
    for window, levels in ((1, [5, 5, 5]), (2, [5, 1])):
        for level in levels:
            token = queue.issue_ticket("T", "A" if window == 1 else "B", now=clock.now()).result[
                "token"
            ]
            queue.call_next("T", window, staff_id=people[window].id, now=clock.now())
            clock.advance(minutes=5)
            queue.finish("T", window, staff_id=people[window].id, now=clock.now())
            ratings.rate_by_token(token, level=level, reason="态度不好" if level < 3 else "",
                                  now=clock.now(), rectification_days=5)  # fmt: skip
    return unit


def test_the_month_ranks_windows_and_staff(month, clock):
    board = rankings("T", "2026-11", settings=SETTINGS, weights=WEIGHTS, now=clock.now())
    assert [(w["pick"], w["rank"]) for w in board["windows"]] == [(1, 1), (2, 2)]
    assert [s["pick"] for s in board["staff"]] == ["li", "wang"]
    best = board["windows"][0]
    # Satisfaction 1, service level 1, volume 1; no cases: score 1.
    assert best["score"] == 1.0
    assert board["windows"][1]["score"] == pytest.approx(
        (0.4 * 0.5 + 0.2 + 0.2 * 2 / 3) / 0.8, abs=1e-4
    )


def test_without_a_month_the_board_is_this_month_in_the_halls_time_zone(month):
    now = datetime(2026, 11, 30, 17, 30)  # still November in UTC; 1 December in Shanghai
    board = rankings("T", None, settings=SETTINGS, weights=WEIGHTS, now=now)
    assert board["month"] == "2026-12"


def test_the_manager_confirms_and_the_hall_screens_show_it_next_month(month, clock):
    boss = gen_staff("boss", month, role="manager")
    outcome = confirm_selection("T", "2026-11", window=1, staff_login="li", staff_id=boss.id,
                                settings=SETTINGS, weights=WEIGHTS, now=clock.now())  # fmt: skip
    assert outcome.result["selection"]["model_window"]["window"] == 1
    assert Selection.select().count() == 2
    assert AuditEntry.select().where(AuditEntry.action == "selection.model_window").count() == 1
    assert not any(c["key"].startswith("selection-") for c in content_view("T", clock.now()))
    december = clock.now() + timedelta(days=10)
    titles = [c["title"] for c in content_view("T", december)]
    assert "2026-11 示范窗口：1号窗口 1号窗口" in titles
    assert any(t.startswith("2026-11 文明优质服务标兵：员工li") for t in titles)
    assert (
        ScreenItem.get(ScreenItem.key == "selection-T-2026-11-service_star").ends_on.isoformat()
        == "2026-12-31"
    )


def test_only_a_ranked_window_may_be_chosen_and_only_by_its_manager(month, clock):
    boss = gen_staff("boss", month, role="manager")
    with pytest.raises(NotFound):
        confirm_selection("T", "2026-11", window=9, staff_login=None, staff_id=boss.id,
                          settings=SETTINGS, weights=WEIGHTS, now=clock.now())  # fmt: skip
    clerk = gen_staff("li", month)
    with pytest.raises(Forbidden):
        confirm_selection("T", "2026-11", window=1, staff_login=None, staff_id=clerk.id,
                          settings=SETTINGS, weights=WEIGHTS, now=clock.now())  # fmt: skip
