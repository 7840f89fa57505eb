"""The booking routes: a visitor books, finds, moves and cancels; strangers are limited and
refused where they must be; the hall's staff, its manager and the bureau's platform each
see what they may. The clock stands at Thursday 26 November 2026, 10:00 in Shanghai."""

from __future__ import annotations

import pytest

from qhall import appointments
from qhall.auth import issue_api_token
from qhall.booking_models import Booking
from tests.factories import PHONE_ADDRESS, assert_error, gen_staff, gen_unit, sign_in

BOOKINGS = "/api/units/T/bookings"
FRIDAY = "2026-11-27"
VISITOR = {"service": "A", "day": FRIDAY, "start": "09:00", "name": "张三", "phone": "13800000001"}


@pytest.fixture
def hall(app):
    """Hall T whose service A takes bookings; hall U; staff of both, and the bureau's people."""
    unit = gen_unit()
    other = gen_unit("U", services={"A": {}}, counters={1: ["A"]})
    appointments.set_plan("T", "A", capacity=2, hours="09:00-12:00", weekdays="12345")
    gen_staff("clerk", unit), gen_staff("boss", unit, role="manager")
    gen_staff("stranger", other), gen_staff("other_boss", other, role="manager")
    gen_staff("admin", role="admin"), gen_staff("inspector", role="inspector")
    return unit


def post(client, url, body, address=PHONE_ADDRESS, **headers):
    return client.post(url, json=body, environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_a_visitor_books_finds_moves_and_cancels(client, hall):
    services = client.get(f"{BOOKINGS}/services").get_json()["services"]
    assert [s["service"] for s in services] == ["A"]
    slots = client.get(f"{BOOKINGS}/slots?service=A").get_json()
    assert slots["day"] == "2026-11-26" and slots["slots"][0]["start"] == "10:30"
    assert FRIDAY in slots["days"] and "2026-11-28" not in slots["days"]

    booked = post(client, BOOKINGS, VISITOR)
    assert booked.status_code == 201
    code = booked.get_json()["code"]
    assert booked.get_json()["source"] == "web"
    mine = {"code": code, "phone": "13800000001"}
    assert post(client, f"{BOOKINGS}/find", mine).get_json()["start"] == "09:00"
    assert_error(post(client, f"{BOOKINGS}/find", {**mine, "phone": "13900000000"}), 404)

    moved = post(client, f"{BOOKINGS}/move", {**mine, "day": FRIDAY, "start": "11:00"})
    assert moved.status_code == 200 and moved.get_json()["start"] == "11:00"
    cancelled = post(client, f"{BOOKINGS}/cancel", mine)
    assert cancelled.get_json()["state"] == "cancelled"
    assert assert_error(post(client, f"{BOOKINGS}/cancel", mine), 409)["message"]


def test_a_full_slot_and_a_second_booking_are_polite_409s(client, hall):
    post(client, BOOKINGS, VISITOR)
    twice = assert_error(post(client, BOOKINGS, {**VISITOR, "start": "09:30"}), 409)
    assert twice["code"] == "already_booked"
    post(client, BOOKINGS, {**VISITOR, "phone": "13800000002"})
    full = assert_error(post(client, BOOKINGS, {**VISITOR, "phone": "13800000003"}), 409)
    assert "约满" in full["message"] and "fully booked" in full["message_en"]


def test_a_repeated_key_books_once(client, hall):
    first = post(client, BOOKINGS, VISITOR, **{"Idempotency-Key": "book-once-1234"})
    again = post(client, BOOKINGS, VISITOR, **{"Idempotency-Key": "book-once-1234"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["code"] == first.get_json()["code"]
    assert again.get_json()["visitor_phone"] == "138****0001"  # the kept answer is masked
    assert Booking.select().count() == 1


def test_a_stranger_is_limited_per_address(app, client, hall):
    app.config["BOOKING"] = {**app.config["BOOKING"], "PER_CLIENT": 3}
    for n in range(3):
        post(client, f"{BOOKINGS}/find", {"code": "AAAAAAAA", "phone": f"1380000000{n}"})
    refused = assert_error(post(client, BOOKINGS, VISITOR), 429)
    assert refused["error"] == "too_many_bookings"
    assert post(client, BOOKINGS, VISITOR, address="198.51.100.9").status_code == 201


def test_a_huge_body_is_refused_and_nothing_is_booked(client, hall):
    body = '{"service": "A", "pad": "' + "x" * 10 * 1024 * 1024 + '"}'
    answer = client.post(BOOKINGS, data=body, content_type="application/json")
    assert assert_error(answer, 413)["error"] == "too_large"
    assert Booking.select().count() == 0


def test_bad_input_is_a_400_in_both_languages(client, hall):
    assert_error(post(client, BOOKINGS, {**VISITOR, "day": "tomorrow"}), 400)
    assert_error(post(client, BOOKINGS, {**VISITOR, "phone": "call me"}), 400)
    assert_error(post(client, BOOKINGS, {**VISITOR, "name": ""}), 400)
    assert_error(client.get(f"{BOOKINGS}/slots?service=B"), 404)  # no plan


def test_the_days_bookings_are_for_the_halls_staff(app, hall):
    post(app.test_client(), BOOKINGS, {**VISITOR, "day": "2026-11-26", "start": "11:00"})
    assert_error(app.test_client().get(f"{BOOKINGS}/day"), 401)
    for login in ("stranger", "other_boss", "inspector"):
        assert_error(sign_in(app.test_client(), login).get(f"{BOOKINGS}/day"), 403)
    clerk = sign_in(app.test_client(), "clerk").get(f"{BOOKINGS}/day").get_json()
    (service,) = clerk["services"]
    assert service["counts"] == {"booked": 1}
    assert service["bookings"][0]["visitor_phone"] == "138****0001"
    boss = sign_in(app.test_client(), "boss").get(f"{BOOKINGS}/day?day=2026-11-26").get_json()
    assert boss["services"][0]["bookings"][0]["visitor_phone"] == "13800000001"


def test_only_the_halls_manager_sets_a_plan(app, hall):
    plan = {"service": "A", "slot_minutes": 20, "capacity": 5, "hours": "09:00-10:00"}
    assert_error(app.test_client().put(f"{BOOKINGS}/plan", json=plan), 401)
    for login in ("clerk", "other_boss", "inspector"):
        assert_error(sign_in(app.test_client(), login).put(f"{BOOKINGS}/plan", json=plan), 403)
    answer = sign_in(app.test_client(), "boss").put(f"{BOOKINGS}/plan", json=plan)
    assert answer.status_code == 200 and answer.get_json()["capacity"] == 5
    slots = app.test_client().get(f"{BOOKINGS}/slots?service=A&day={FRIDAY}").get_json()
    assert [s["start"] for s in slots["slots"]] == ["09:00", "09:20", "09:40"]


def test_the_platform_pushes_and_lists_with_an_admins_bearer_token(app, client, clock, hall):
    token = issue_api_token("admin", clock.now(), name="bureau-platform")
    bearer = {"Authorization": f"Bearer {token}"}
    pushed = client.post(f"{BOOKINGS}/platform", json=VISITOR, headers=bearer)
    assert pushed.status_code == 201 and pushed.get_json()["source"] == "platform"
    listed = client.get(f"{BOOKINGS}/platform?day={FRIDAY}", headers=bearer).get_json()
    assert listed["services"][0]["bookings"][0]["visitor_phone"] == "13800000001"

    assert_error(client.post(f"{BOOKINGS}/platform", json=VISITOR), 401)
    manager = {"Authorization": f"Bearer {issue_api_token('boss', clock.now())}"}
    assert_error(client.post(f"{BOOKINGS}/platform", json=VISITOR, headers=manager), 403)
    assert_error(client.get(f"{BOOKINGS}/platform", headers=manager), 403)
    assert Booking.select().count() == 1


def test_the_page_and_the_qr(client, hall):
    page = client.get("/book/T")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "网上预约" in text and "Book a visit" in text and "book.js" in text
    code = post(client, BOOKINGS, VISITOR).get_json()["code"]
    qr = client.get(f"/book/T/qr.svg?code={code}")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert client.get("/book/T/qr.svg?code=not-a-code").status_code == 404
    assert client.get("/book/NOPE").status_code == 404


def test_the_routes_are_in_the_openapi_document(client, hall):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in (
        "",
        "/slots",
        "/find",
        "/cancel",
        "/move",
        "/day",
        "/platform",
        "/plan",
        "/import",
    ):
        assert f"/api/units/{{unit}}/bookings{path}" in paths
    assert paths["/api/units/{unit}/bookings/day"]["get"]["security"]
    assert "security" not in paths["/api/units/{unit}/bookings"]["post"]


def test_the_manager_imports_a_days_bookings_from_csv_all_or_none(app, hall):
    boss = sign_in(app.test_client(), "boss")
    good = (
        "\ufeffservice,day,start,name,phone\r\n"
        f"A,{FRIDAY},09:00,张三,13800000001\r\n"
        f"A,{FRIDAY},9:30,李四,13800000002\r\n"
    )
    bad = good + f"A,{FRIDAY},09:00,王五,13800000001\r\nA,someday,09:00,赵六,13800000004\r\n"
    refused = assert_error(boss.post(f"{BOOKINGS}/import", json={"csv": bad}), 409)
    assert [row["line"] for row in refused["rows"]] == [4, 5]
    assert Booking.select().count() == 0  # none of the good rows either
    imported = boss.post(f"{BOOKINGS}/import", json={"csv": good})
    assert imported.status_code == 201 and imported.get_json()["imported"] == 2
    assert {b.source for b in Booking.select()} == {"import"}
    assert_error(boss.post(f"{BOOKINGS}/import", json={"csv": "a,b\n1,2"}), 400)
    clerk = sign_in(app.test_client(), "clerk")
    assert_error(clerk.post(f"{BOOKINGS}/import", json={"csv": good}), 403)
    assert_error(app.test_client().post(f"{BOOKINGS}/import", json={"csv": good}), 401)
