"""The rankings page and API: the deductions shown row by row, the talk flag after two months
at the bottom, and model windows that reach the screens only through a confirmed selection."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from qhall import supervision, windows
from qhall.models import ScreenItem
from tests.factories import assert_error, gen_rating, gen_staff, gen_visit


@pytest.fixture
def two_months(app, bureau, clock):
    """Hall T's windows 1 (clerk) and 2 (wang) in October and November; window 2 last both
    times, and an inspection finding against it in November."""
    app.config["RANKING"] = {**app.config["RANKING"], "MIN_SERVED": 2, "MIN_RATINGS": 2}
    people = {1: bureau["clerk"], 2: gen_staff("wang", bureau["T"])}
    for day, levels in (
        (datetime(2026, 10, 15, 2), [5, 5, 1]),
        (datetime(2026, 11, 20, 2), [5, 4, 2]),
    ):
        clock.at = day
        for window, person in people.items():
            windows.open_counter("T", window, staff_id=person.id, now=clock.now())
            for level in [5, 5, 5] if window == 1 else levels:
                gen_rating(gen_visit(clock, window, person, "AB"[window - 1]), level)
    supervision.record_inspection(
        "T", inspector_id=bureau["inspector"].id, kind="unannounced",
        visited_on=date(2026, 11, 20), window=2, staff_login="wang", now=clock.now(),
        findings=[{"category": "delaying", "description": "材料齐全仍要求再跑一次"}],
    )  # fmt: skip
    clock.at = datetime(2026, 11, 26, 2)


def test_the_api_answers_the_deductions_and_the_talk(as_user, two_months):
    answer = as_user("boss-t").get("/api/admin/rankings?unit=T&month=2026-11")
    assert answer.status_code == 200, answer.get_json()
    board = answer.get_json()
    last = board["windows"][-1]
    assert (last["pick"], last["rank"], last["talk"], last["previous_rank"]) == (2, 2, True, 2)
    assert last["deductions"]["findings"] == {"count": 1, "points": 2.0}
    assert last["score"] == round(last["base"] - 2.0, 2)
    assert [(t["kind"], t["pick"]) for t in board["talks"]] == [("window", 2), ("staff", "wang")]
    assert (board["min_ratings"], board["prior_ratings"]) == (2, 20.0)


def test_the_page_shows_why_a_score_is_lower_and_who_to_talk_with(as_user, two_months):
    page = as_user("boss-t").get("/admin/rankings?unit=T&month=2026-11").get_data(as_text=True)
    assert "连续两个月（2026-10、2026-11）排名末位" in page
    assert '<tr data-key="2" class="talk">' in page and "约谈" in page
    assert "督查问题 1 项 −2" in page
    # October alone: last once, no talk.
    page = as_user("boss-t").get("/admin/rankings?unit=T&month=2026-10").get_data(as_text=True)
    assert "排名末位" not in page


def test_the_screen_editor_cannot_write_a_model_window(as_user, two_months):
    boss = as_user("boss-t")
    invented = {"key": "star", "kind": "model_window", "title_zh": "示范窗口",
                "body_zh": "满意率 99.6%"}  # fmt: skip
    assert_error(
        boss.post("/api/admin/config/screens", json={"unit": "T", "fields": invented}), 400
    )
    assert ScreenItem.get_or_none(ScreenItem.key == "star") is None
    # The confirmed selection's item is neither listed nor editable there.
    confirmed = boss.post(
        "/api/admin/selections", json={"unit": "T", "month": "2026-11", "window": 1}
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    item = ScreenItem.get(ScreenItem.key == "selection-T-2026-11-model_window")
    listed = boss.get("/api/admin/config/screens?unit=T").get_json()["records"]
    assert item.id not in [r["id"] for r in listed]
    edit = {"unit": "T", "id": item.id, "fields": {"body_zh": "满意率 100%"}}
    assert_error(boss.post("/api/admin/config/screens", json=edit), 404)
    assert ScreenItem.get_by_id(item.id).body_zh.startswith("办结 3 件 · 评价 3 条")
