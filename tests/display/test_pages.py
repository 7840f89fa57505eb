"""The display pages render for a real hall, both languages at once, and pass data to their
scripts without inline script."""

from __future__ import annotations

from qhall.models import Staff
from tests.factories import gen_staff, gen_unit


def test_the_hall_screen_shows_chinese_and_english_together(client):
    gen_unit("T")
    page = client.get("/display/T").get_data(as_text=True)
    assert 'data-lang="both"' in page and "测试大厅T" in page and "Test hall T" in page
    assert 'data-unit="T"' in page and "<script>" not in page and "onclick" not in page


def test_the_counter_screen_knows_its_window_and_the_badge_names(client):
    gen_unit("T")
    page = client.get("/display/counter/T/2").get_data(as_text=True)
    assert 'data-window="2"' in page and "2 号窗口" in page and "党员示范岗" in page
    assert client.get("/display/counter/T/9").status_code == 404
    assert client.get("/display/NOPE").status_code == 404


def test_a_window_shows_its_staff_badges_and_photo(client, app):
    unit = gen_unit("T")
    staff = gen_staff("clerk", unit)
    Staff.update(badges="party_member,women", photo="clerk.jpg").where(
        Staff.id == staff.id
    ).execute()
    client.post("/api/session", json={"login": "clerk", "password": "correct horse battery"})
    opened = client.post("/api/units/T/counters/1/open").get_json()
    assert opened["counter"]["staff"]["badges"] == ["party_member", "women"]
    assert opened["counter"]["staff"]["photo"] == "clerk.jpg"


def test_staff_photos_are_served_from_the_instance_folder(client, app):
    from pathlib import Path

    photos = Path(app.instance_path) / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    (photos / "clerk.jpg").write_bytes(b"\xff\xd8 a photo")
    assert client.get("/display/photos/clerk.jpg").data == b"\xff\xd8 a photo"
    assert client.get("/display/photos/..%2Fsecret_key").status_code == 404


def test_the_home_page_links_the_screens(client):
    gen_unit("T")
    page = client.get("/").get_data(as_text=True)
    assert "/display/T" in page and "/display/counter/T/1" in page
