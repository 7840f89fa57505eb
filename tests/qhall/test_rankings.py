"""The ranking formula (README.md, "Rankings (争先进位)"), the talk after two months at the
bottom, and the month's selection that the hall screens then show."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta

import pytest

from config import CONFIG_DIR
from qhall import supervision, windows
from qhall.errors import Forbidden, NotFound
from qhall.models import Case, Rectification, ScreenItem
from qhall.rankings import adjusted_satisfaction, base_score, confirm_selection, rank, rankings
from qhall.screens import content_view
from qhall.supervision_models import AuditEntry, Selection
from tests.factories import gen_rating, gen_staff, gen_unit, gen_visit

# The shipped formula: the README's worked example uses these.
DEFAULTS = tomllib.loads((CONFIG_DIR / "default.toml").read_text(encoding="utf-8"))["RANKING"]
# Small halls in the other tests: two visits and two ratings are enough to be ranked.
WEIGHTS = {**DEFAULTS, "MIN_SERVED": 2, "MIN_RATINGS": 2}
SETTINGS = {"TARGET_WAIT_S": 900, "UNITS": {}}


def row(key, served=40, levels=None, **figures) -> dict:
    """A ledger row as qhall.reports gives it, with only what the ranking reads."""
    levels = {str(level): n for level, n in (levels or {}).items()}
    return {"key": key, "label": f"{key}号窗口", "label_en": f"Window {key}", "served": served,
            "levels": levels, "ratings": sum(levels.values()), "satisfaction": None,
            "on_time_rate": None, "service_level": 1.0, "cases_overdue": 0, "bad_overdue": 0,
            **figures}  # fmt: skip


def test_few_ratings_are_pulled_toward_the_halls_mean():
    # The hall's 满意率 is 90 %; the prior counts as twenty ratings at that share.
    assert adjusted_satisfaction(1, 1, 0.9, 20) == pytest.approx(19 / 21)
    assert adjusted_satisfaction(40, 40, 0.9, 20) == pytest.approx(58 / 60)
    assert adjusted_satisfaction(0, 0, 0.9, 20) == pytest.approx(0.9)  # no ratings: the mean
    assert adjusted_satisfaction(0, 0, None, 20) is None  # nobody in the hall was rated


def test_the_base_is_the_weighted_mean_of_the_figures_that_have_data_out_of_100():
    full = {"satisfaction_adjusted": 1.0, "on_time_rate": 0.5, "service_level": 0.5,
            "volume": 1.0}  # fmt: skip
    assert base_score(full, DEFAULTS) == pytest.approx(100 * (0.4 + 0.1 + 0.1 + 0.2))
    # No promised cases: on-time drops out and the other weights count in full.
    no_cases = {**full, "on_time_rate": None}
    assert base_score(no_cases, DEFAULTS) == pytest.approx(100 * (0.4 + 0.1 + 0.2) / 0.8)
    assert base_score(dict.fromkeys(full), DEFAULTS) is None


def test_a_window_without_ratings_is_not_ranked_above_one_with_good_ratings():
    # Windows 1 and 2 served forty each, equally fast; window 1 was never rated, window 2
    # has twelve ratings, eleven good; window 3's ratings bring the hall's 满意率 to 80 %.
    rows = [row(1), row(2, levels={5: 11, 2: 1}), row(3, served=30, levels={5: 5, 1: 3})]
    ranked = rank(rows, DEFAULTS, mean=0.8)
    assert [(e["key"], e["rank"], e["not_ranked"]) for e in ranked] == [
        (2, 1, None),
        (1, None, "ratings"),  # the unranked by visits served
        (3, None, "ratings"),
    ]
    # Even with no minimum, no ratings is the hall's mean, not a free 100 %.
    ranked = rank(rows, {**DEFAULTS, "MIN_RATINGS": 0}, mean=0.8)
    by_key = {e["key"]: e for e in ranked}
    assert by_key[1]["satisfaction_adjusted"] == 0.8
    assert by_key[2]["satisfaction_adjusted"] == pytest.approx((16 + 11) / 32, abs=1e-4)
    assert by_key[2]["rank"] < by_key[1]["rank"]


def test_each_finding_overdue_case_and_overdue_rectification_takes_its_points_off():
    rows = [row(1, levels={5: 10}, cases_overdue=2, bad_overdue=1), row(2, levels={5: 10})]
    first, second = rank(rows, DEFAULTS, mean=1.0, findings={1: 3})
    assert (first["key"], second["key"]) == (2, 1)
    assert first["score"] == first["base"] == 100.0 and first["deducted"] == 0
    assert second["deductions"] == {
        "findings": {"count": 3, "points": 6.0},
        "cases_overdue": {"count": 2, "points": 2.0},
        "bad_overdue": {"count": 1, "points": 2.0},
    }
    assert (second["base"], second["deducted"], second["score"]) == (100.0, 10.0, 90.0)
    # The score stops at 0.
    [hopeless] = rank([row(1, levels={5: 10})], DEFAULTS, mean=1.0, findings={1: 60})
    assert (hopeless["deducted"], hopeless["score"], hopeless["rank"]) == (120.0, 0.0, 1)


@pytest.fixture
def worked_example(app, clock):
    """The README's example: November 2026 in a hall with windows 1, 2 and 3 (services A,
    B and C), each with its own person, each serving forty visitors on 10 November."""
    unit = gen_unit("T", services={"A": {}, "B": {}, "C": {}},
                    counters={1: ["A"], 2: ["B"], 3: ["C"]})  # fmt: skip
    inspector = gen_staff("inspector", None, role="inspector")
    people = {window: gen_staff(f"p{window}", unit) for window in (1, 2, 3)}
    clock.at = datetime(2026, 11, 10, 1, 0)  # 09:00 in Shanghai
    served = {}
    for window, person in people.items():
        windows.open_counter("T", window, staff_id=person.id, now=clock.now())
        service = "ABC"[window - 1]
        # Window 3 let four visitors wait past the 15-minute target: service level 90 %.
        served[window] = [
            gen_visit(clock, window, person, service, wait_minutes=16 if window == 3 and i < 4 else 1)
            for i in range(40)
        ]  # fmt: skip
    # Window 1: one 非常满意. Window 2: twenty 非常满意 and twenty 满意 (4.5 on average).
    gen_rating(served[1][0], 5)
    for i, ticket in enumerate(served[2]):
        gen_rating(ticket, 5 if i < 20 else 4)
    # Window 3: thirteen satisfied of nineteen. The hall: 54 of 60, a 满意率 of 90 %.
    levels = [5] * 8 + [4] * 3 + [3] * 2 + [2] * 4 + [1] * 2
    given = [gen_rating(ticket, level) for ticket, level in zip(served[3], levels, strict=False)]
    bad = [rating for rating in given if rating.level <= 2]
    # Five bad ratings rectified in time; one still open past its deadline of 17 November.
    for i, rating in enumerate(bad):
        Rectification.create(rating=rating, unit=unit, staff=people[3], opened_at=rating.at,
                             due_day=date(2026, 11, 17), status="open" if i == 0 else "closed",
                             closed_at=None if i == 0 else rating.at + timedelta(days=2))  # fmt: skip
    # Two promised cases at window 3, one completed a day late; an inspection finds one
    # problem there on 20 November (and one in October, which November does not count).
    for number, due, done in (("1", 9, 12), ("2", 20, 18)):
        Case.create(number=f"T-{number}", unit=unit, service=served[3][0].service, counter=served[3][0].counter,
                    staff=people[3], matter="低保申请", accepted_at=datetime(2026, 11, 2, 2),
                    accepted_day=date(2026, 11, 2), time_limit_days=5,
                    due_day=date(2026, 11, due), status="completed",
                    completed_at=datetime(2026, 11, done, 2))  # fmt: skip
    for visited_on in (date(2026, 11, 20), date(2026, 10, 28)):
        supervision.record_inspection(
            "T", inspector_id=inspector.id, kind="unannounced", visited_on=visited_on,
            window=3, staff_login="p3", now=clock.now(),
            findings=[{"category": "cold", "description": "对群众态度生硬"}],
        )  # fmt: skip
    clock.at = datetime(2026, 11, 26, 2, 0)
    return unit


def test_the_readme_worked_example(worked_example, clock):
    board = rankings("T", "2026-11", settings=SETTINGS, weights=DEFAULTS, now=clock.now())
    assert board["hall_satisfaction"] == 0.9
    figures = {
        e["pick"]: (e["served"], e["ratings"], e["satisfaction"], e["satisfaction_adjusted"],
                    e["on_time_rate"], e["service_level"], e["volume"])
        for e in board["windows"]
    }  # fmt: skip
    assert figures == {
        1: (40, 1, 1.0, 0.9048, None, 1.0, 1.0),  # 19 / 21
        2: (40, 40, 1.0, 0.9667, None, 1.0, 1.0),  # 58 / 60
        3: (40, 19, 0.6842, 0.7949, 0.5, 0.9, 1.0),  # 31 / 39
    }
    scores = [(e["pick"], e["rank"], e["base"], e["deducted"], e["score"], e["not_ranked"])
              for e in board["windows"]]  # fmt: skip
    assert scores == [
        (2, 1, 98.33, 0.0, 98.33, None),
        (3, 2, 79.79, 5.0, 74.79, None),
        (1, None, None, 0.0, None, "ratings"),  # one rating: fewer than MIN_RATINGS (10)
    ]
    assert board["windows"][1]["deductions"] == {
        "findings": {"count": 1, "points": 2.0},
        "cases_overdue": {"count": 1, "points": 1.0},
        "bad_overdue": {"count": 1, "points": 2.0},
    }
    # Each person worked one window: the same figures, the same order.
    staff = [(e["pick"], e["rank"], e["score"]) for e in board["staff"]]
    assert staff == [("p2", 1, 98.33), ("p3", 2, 74.79), ("p1", None, None)]

    # Without the minimum, the one 非常满意 still ranks below the forty.
    board = rankings("T", "2026-11", settings=SETTINGS, weights={**DEFAULTS, "MIN_RATINGS": 1},
                     now=clock.now())  # fmt: skip
    assert [(e["pick"], e["score"]) for e in board["windows"]] == [
        (2, 98.33),
        (1, 95.24),
        (3, 74.79),
    ]


def serve_and_rate(clock, person, window: int, service: str, levels: list[int]) -> None:
    for level in levels:
        gen_rating(gen_visit(clock, window, person, service), level)


@pytest.fixture
def month(app, clock):
    """Two windows in November: window 1 serves three visitors rated 5; window 2 two, one
    rated 1."""
    unit = gen_unit("T")
    gen_staff("boss", unit, role="manager")
    people = {1: gen_staff("li", unit), 2: gen_staff("wang", unit)}
    for window, person in people.items():
        windows.open_counter("T", window, staff_id=person.id, now=clock.now())
    serve_and_rate(clock, people[1], 1, "A", [5, 5, 5])
    serve_and_rate(clock, people[2], 2, "B", [5, 1])
    return unit


def test_the_month_ranks_windows_and_staff(month, clock):
    board = rankings("T", "2026-11", settings=SETTINGS, weights=WEIGHTS, now=clock.now())
    assert [(w["pick"], w["rank"]) for w in board["windows"]] == [(1, 1), (2, 2)]
    assert [s["pick"] for s in board["staff"]] == ["li", "wang"]
    # The hall: four satisfied of five. Window 1: (20 × 0.8 + 3) / 23; window 2: 17 / 22.
    assert board["hall_satisfaction"] == 0.8
    best, second = board["windows"]
    assert best["score"] == pytest.approx(100 * (0.4 * 19 / 23 + 0.2 + 0.2) / 0.8, abs=0.01)
    assert second["score"] == pytest.approx(
        100 * (0.4 * 17 / 22 + 0.2 + 0.2 * 2 / 3) / 0.8, abs=0.01
    )
    assert board["talks"] == []  # October had no one ranked


def test_without_a_month_the_board_is_this_month_in_the_halls_time_zone(month):
    now = datetime(2026, 11, 30, 17, 30)  # still November in UTC; 1 December in Shanghai
    board = rankings("T", None, settings=SETTINGS, weights=WEIGHTS, now=now)
    assert board["month"] == "2026-12"
    assert board["previous_month"] == "2026-11"


def test_the_last_two_months_running_is_flagged_for_a_talk(app, clock):
    unit = gen_unit("T")
    people = {1: gen_staff("li", unit), 2: gen_staff("wang", unit)}
    clock.at = datetime(2026, 10, 15, 2, 0)
    for window, person in people.items():
        windows.open_counter("T", window, staff_id=person.id, now=clock.now())
    serve_and_rate(clock, people[1], 1, "A", [5, 5, 5])
    serve_and_rate(clock, people[2], 2, "B", [5, 5, 1])
    october = rankings("T", "2026-10", settings=SETTINGS, weights=WEIGHTS, now=clock.now())
    assert [w["pick"] for w in october["windows"]] == [1, 2]
    assert october["talks"] == []  # last once is not yet a pattern

    clock.at = datetime(2026, 11, 26, 2, 0)
    serve_and_rate(clock, people[1], 1, "A", [5, 4, 5])
    serve_and_rate(clock, people[2], 2, "B", [4, 1, 5])
    board = rankings("T", None, settings=SETTINGS, weights=WEIGHTS, now=clock.now())
    assert board["month"] == "2026-11"
    assert [(t["kind"], t["pick"], t["rank"], t["previous_rank"]) for t in board["talks"]] == [
        ("window", 2, 2, 2),
        ("staff", "wang", 2, 2),
    ]
    assert [(w["pick"], w["talk"]) for w in board["windows"]] == [(1, False), (2, True)]


def test_the_manager_confirms_and_the_hall_screens_show_it_next_month(month, clock):
    boss = gen_staff("boss", month, role="manager")
    outcome = confirm_selection("T", "2026-11", window=1, staff_login="li", staff_id=boss.id,
                                settings=SETTINGS, weights=WEIGHTS, now=clock.now())  # fmt: skip
    assert outcome.result["selection"]["model_window"]["window"] == 1
    assert Selection.select().count() == 2
    assert AuditEntry.select().where(AuditEntry.action == "selection.model_window").count() == 1
    assert not any(c["key"].startswith("selection-") for c in content_view("T", clock.now()))
    december = clock.now() + timedelta(days=10)
    shown = {c["title"]: c for c in content_view("T", december)}
    window = shown["2026-11 示范窗口：1号窗口 1号窗口"]
    # Only the ranking row's own figures: served, ratings, 满意率 and score.
    score = outcome.result["selection"]["model_window"]["score"]
    assert window["body"] == f"办结 3 件 · 评价 3 条 · 群众满意率 100.0% · 综合得分 {score:.2f}"
    assert any(t.startswith("2026-11 文明优质服务标兵：员工li") for t in shown)
    assert (
        ScreenItem.get(ScreenItem.key == "selection-T-2026-11-service_star").ends_on.isoformat()
        == "2026-12-31"
    )


def test_only_a_ranked_window_may_be_chosen_and_only_by_its_manager(month, clock):
    boss = gen_staff("boss", month, role="manager")
    with pytest.raises(NotFound):
        confirm_selection("T", "2026-11", window=9, staff_login=None, staff_id=boss.id,
                          settings=SETTINGS, weights=WEIGHTS, now=clock.now())  # fmt: skip
    with pytest.raises(NotFound):  # too few ratings to be ranked
        confirm_selection("T", "2026-11", window=1, staff_login=None, staff_id=boss.id,
                          settings=SETTINGS, weights={**WEIGHTS, "MIN_RATINGS": 4},
                          now=clock.now())  # fmt: skip
    clerk = gen_staff("li", month)
    with pytest.raises(Forbidden):
        confirm_selection("T", "2026-11", window=1, staff_login=None, staff_id=clerk.id,
                          settings=SETTINGS, weights=WEIGHTS, now=clock.now())  # fmt: skip
