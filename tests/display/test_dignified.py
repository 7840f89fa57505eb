"""The dignified profile (qhall.profiles), for the funeral home and the cemeteries: a call
without a chime or a closing word, a hall screen without slogans, rankings or a welcome and
in subdued colours, a ticket without a campaign line. A standard hall is as it was."""

from __future__ import annotations

import pytest

from printer.layout import render_ticket
from printer.ticket import ticket_content, ticket_image
from qhall import configure, profiles, voice
from qhall.errors import BadInput
from qhall.models import ScreenItem, Unit
from qhall.profiles import PROFILES, profile_of
from qhall.screens import KINDS as SCREEN_KINDS
from qhall.screens import content_view
from qhall.supervision_models import SELECTION_KINDS
from tests.factories import gen_ticket, gen_unit

QUIET = PROFILES["dignified"]
STANDARD = PROFILES["standard"]
CIVILITY = [["文明服务 群众满意", "Courteous service, satisfied public"]]
SLOGANS = [line for pair in [*CIVILITY, profiles.CAMPAIGN_BANNER] for line in pair]

# --- the rules, in the one place --------------------------------------------------------


def test_every_kind_of_screen_content_is_sorted_and_rankings_are_the_selections():
    kinds = profiles.INFORMATION_KINDS | profiles.CAMPAIGN_KINDS | profiles.RANKING_KINDS
    assert kinds == set(SCREEN_KINDS)
    assert set(SELECTION_KINDS) == profiles.RANKING_KINDS
    assert not profiles.INFORMATION_KINDS & (profiles.CAMPAIGN_KINDS | profiles.RANKING_KINDS)


def test_a_dignified_unit_is_quiet_and_a_standard_one_is_as_it_was():
    assert (STANDARD.chime, STANDARD.call_ends_with, STANDARD.campaign_lines) == (
        True, ("banli",), True)  # fmt: skip
    assert all(STANDARD.shows(kind) for kind in SCREEN_KINDS)
    assert (QUIET.chime, QUIET.call_ends_with, QUIET.campaign_lines) == (False, (), False)
    assert [k for k in SCREEN_KINDS if QUIET.shows(k)] == ["rules", "service_items"]
    # No welcome, no slogan and no exclamation in anything it says.
    said = [*QUIET.idle, QUIET.banner, QUIET.ticket_closing]
    for zh, en in said:
        assert zh and en and "欢迎" not in zh and "Welcome" not in en
        assert "！" not in zh and "!" not in en and (zh, en) != profiles.CAMPAIGN_BANNER
    assert QUIET.css_class == "profile-dignified" != STANDARD.css_class


def test_a_units_profile_is_read_from_its_record_and_checked():
    assert profile_of(Unit(profile="dignified")) is QUIET
    assert profile_of(Unit()) is STANDARD  # the default
    assert profile_of(Unit(profile="retired-profile")) is STANDARD
    assert profiles.check("dignified") == "dignified"
    with pytest.raises(BadInput) as refused:
        profiles.check("cheerful")
    assert "dignified" in refused.value.zh and "dignified" in refused.value.en
    assert refused.value.details["allowed"] == ["standard", "dignified"]


def test_the_editor_offers_the_profile_in_both_languages(app):
    field = next(f for f in configure.describe("units")["fields"] if f["name"] == "profile")
    assert (field["label"], field["label_en"], field["type"]) == ("单位类型", "Profile", "choice")
    assert {o["value"]: (o["zh"], o["en"]) for o in field["options"]} == {
        "standard": ("标准", "Standard"), "dignified": ("肃穆", "Dignified"),
    }  # fmt: skip


# --- the call ---------------------------------------------------------------------------


def test_a_dignified_call_has_no_chime_and_no_closing_word():
    clips = voice.announcement_clips("A001", 3, profile=QUIET)
    assert clips == ["qing", "A", "0", "0", "yao", "hao", "dao", "3", "hao_chuangkou"]
    assert voice.announcement_text("A001", 3, QUIET) == (
        "请 A001 号到 3 号窗口", "Number A001, please go to window 3")  # fmt: skip
    twice = voice.announcement_clips("A001", 3, readings=2, profile=QUIET)
    assert twice == [*clips, "pause", *clips]
    # A standard hall still chimes and says 办理.
    assert voice.announcement_clips("A001", 3)[0] == "chime"
    assert voice.announcement_text("A001", 3)[0] == "请 A001 号到 3 号窗口办理"


def test_the_announcement_endpoint_speaks_by_the_units_profile(client):
    gen_unit("Q", profile="dignified")
    gen_unit("T")
    quiet = client.get("/api/display/Q/announcement?number=A001&window=2").get_json()
    assert quiet["clips"][0] == "qing" and "chime" not in quiet["clips"]
    assert "banli" not in quiet["clips"] and quiet["text"] == "请 A001 号到 2 号窗口"
    standard = client.get("/api/display/T/announcement?number=A001&window=2").get_json()
    assert standard["clips"][0] == "chime" and standard["clips"][-1] == "banli"


# --- the hall screen --------------------------------------------------------------------


def screen_items(unit_code: str) -> None:
    """A slogan, a ranking and a rule for the hall, beside the seeded ones."""
    for kind in ("civility", "model_window", "rules"):
        ScreenItem.create(key=f"{unit_code}-{kind}", kind=kind, unit_code=unit_code, title_zh=kind)


def test_a_dignified_screen_rotates_no_slogans_and_no_rankings(app, clock):
    gen_unit("Q", profile="dignified")
    gen_unit("T")
    screen_items("Q")
    screen_items("T")
    quiet = content_view("Q", clock.now())
    assert quiet and {c["kind"] for c in quiet} <= {"rules", "service_items"}
    assert "Q-rules" in {c["key"] for c in quiet}
    standard = {c["kind"] for c in content_view("T", clock.now())}
    assert {"civility", "model_window", "values", "rules"} <= standard


def test_the_hall_page_takes_its_class_and_words_from_the_profile(client):
    gen_unit("Q", profile="dignified")
    gen_unit("T")
    quiet = client.get("/display/Q").get_data(as_text=True)
    assert 'class="hall-screen profile-dignified"' in quiet and 'data-profile="dignified"' in quiet
    assert QUIET.banner[0] in quiet and QUIET.idle[0][0] in quiet
    assert "欢迎光临" not in quiet and not any(slogan in quiet for slogan in SLOGANS)
    standard = client.get("/display/T").get_data(as_text=True)
    assert "profile-standard" in standard and "欢迎光临" in standard
    assert profiles.CAMPAIGN_BANNER[0] in standard


def test_the_kiosk_of_a_dignified_unit_shows_no_campaign_line(client, app):
    gen_unit("Q", profile="dignified")
    gen_unit("T")
    line = app.config["CIVILITY_LINES"][0][0]
    assert line not in client.get("/kiosk/Q").get_data(as_text=True)
    assert line in client.get("/kiosk/T").get_data(as_text=True)


# --- the ticket -------------------------------------------------------------------------


def test_a_dignified_ticket_carries_no_campaign_line_and_a_quiet_close(app, clock):
    gen_unit("Q", profile="dignified")
    gen_unit("T")
    quiet = gen_ticket(clock, unit="Q")["token"]
    standard = gen_ticket(clock, unit="T")["token"]
    said = ticket_content(quiet, qr_url="https://hall.example/t/x", civility_lines=CIVILITY)
    assert said.civility is None and said.closing == QUIET.ticket_closing
    usual = ticket_content(standard, qr_url="https://hall.example/t/y", civility_lines=CIVILITY)
    assert usual.civility == tuple(CIVILITY[0]) and usual.closing == STANDARD.ticket_closing

    image = ticket_image(
        quiet, width=576, qr_url="https://hall.example/t/x", civility_lines=CIVILITY
    )
    assert image.mode == "1" and image.width == 576
    # The same ticket with the campaign line drawn is taller: the line is really left out.
    with_line = render_ticket(said.__class__(**{**said.__dict__, "civility": usual.civility}))
    assert with_line.height > image.height
