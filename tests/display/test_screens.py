"""The rotating content follows its schedule by the hall's own clock, and seeding it from
config adds only what is new, never a model window or service star (those come from the
confirmed rankings alone)."""

from __future__ import annotations

from datetime import datetime

import pytest

from qhall.models import ScreenItem
from qhall.screens import CONTENT_FILE, content_view, items_showing, seed_screen_content
from tests.factories import gen_unit

# The frozen clock: Thursday 26 November 2026, 10:00 in Shanghai.


def item(key: str, **fields) -> ScreenItem:
    return ScreenItem.create(key=key, kind=fields.pop("kind", "rules"), title_zh=key, **fields)


def keys(unit_code: str, now) -> list[str]:
    return [i.key for i in items_showing(unit_code, now) if i.key.startswith("t-")]


def keys_of_kind(unit_code: str, now, kind: str) -> list[str]:
    return [i.key for i in items_showing(unit_code, now) if i.kind == kind]


def test_items_show_only_within_their_days_hours_and_weekdays(app, clock):
    gen_unit("T")
    item("t-always")
    item("t-from-tomorrow", starts_on="2026-11-27")
    item("t-until-yesterday", ends_on="2026-11-25")
    item("t-this-month", starts_on="2026-11-01", ends_on="2026-11-30")
    item("t-mornings", hours="08:30-12:00")
    item("t-lunch", hours="12:00-13:30")
    item("t-weekends", weekdays="67")
    item("t-switched-off", active=False)
    assert keys("T", clock.now()) == ["t-always", "t-this-month", "t-mornings"]

    clock.advance(hours=2, minutes=30)  # 12:30 in Shanghai
    assert keys("T", clock.now()) == ["t-always", "t-this-month", "t-lunch"]

    clock.advance(days=2)  # Saturday 28 November, 12:30
    assert keys("T", clock.now()) == [
        "t-always", "t-from-tomorrow", "t-this-month", "t-lunch", "t-weekends",
    ]  # fmt: skip

    clock.at = datetime(
        2026, 11, 30, 16, 30
    )  # 00:30 on 1 December in Shanghai, still 30 Nov in UTC
    assert "t-this-month" not in keys("T", clock.now())


def test_an_item_for_one_hall_shows_only_there(app, clock):
    gen_unit("T")
    gen_unit("U")
    item("t-everywhere")
    item("t-only-u", unit_code="U")
    assert keys("T", clock.now()) == ["t-everywhere"]
    assert keys("U", clock.now()) == ["t-everywhere", "t-only-u"]


def test_items_rotate_in_their_order_with_both_languages(app, clock):
    gen_unit("T")
    item("t-second", position=2, kind="values", title_en="Second")
    item("t-first", position=1, kind="civility", body_zh="请排队", body_en="Please queue")
    shown = [c for c in content_view("T", clock.now()) if c["key"].startswith("t-")]
    assert [c["key"] for c in shown] == ["t-first", "t-second"]
    assert shown[0]["kind_name"] == "讲文明树新风" and shown[0]["body_en"] == "Please queue"


def test_the_config_file_is_seeded_once_and_edits_survive_seeding_again(app, clock):
    seeded = ScreenItem.select().count()
    assert seeded > 0  # init_db seeded config/screen_content.toml
    kinds = {i.kind for i in ScreenItem.select()}
    assert {"commitment", "rules", "service_items", "standards", "conduct", "values",
            "civility"} == kinds  # fmt: skip
    ScreenItem.update(title_zh="我们的承诺（修订）").where(ScreenItem.key == "commitment").execute()
    assert seed_screen_content(CONTENT_FILE) == 0
    assert ScreenItem.get(ScreenItem.key == "commitment").title_zh == "我们的承诺（修订）"
    assert ScreenItem.select().count() == seeded


def test_model_windows_and_service_stars_come_only_from_a_confirmed_selection(app, clock, tmp_path):
    gen_unit("T")
    # An older content file's invented claim, already in the database, and a selection's item.
    item("model-window-2026", kind="model_window", body_zh="本季度群众满意率 99.6%")
    item("selection-T-2026-10-model_window", kind="model_window", body_zh="办结 40 件")
    seed_screen_content(CONTENT_FILE)
    assert keys_of_kind("T", clock.now(), "model_window") == ["selection-T-2026-10-model_window"]
    assert not ScreenItem.get(ScreenItem.key == "model-window-2026").active
    # A content file cannot put one on the screens.
    claim = tmp_path / "content.toml"
    claim.write_text('[[item]]\nkey = "star"\nkind = "service_star"\ntitle_zh = "零差评"\n')
    with pytest.raises(ValueError, match="not seeded"):
        seed_screen_content(claim)
    assert ScreenItem.get_or_none(ScreenItem.key == "star") is None


def test_the_content_endpoint_serves_what_shows_now(client, clock):
    gen_unit("T")
    item("t-lunch", hours="12:00-13:30")
    answer = client.get("/api/display/T/content").get_json()
    keys_now = [i["key"] for i in answer["items"]]
    assert "t-lunch" not in keys_now and "commitment" in keys_now and answer["refresh_s"] > 0
    clock.advance(hours=2, minutes=30)
    assert "t-lunch" in [i["key"] for i in client.get("/api/display/T/content").get_json()["items"]]
    assert client.get("/api/display/NOPE/content").status_code == 404
