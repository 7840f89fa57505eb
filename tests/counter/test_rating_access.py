"""Who may rate a visit, over the web: the window's registered tablet (X-Device-Token), for
the visit its window finished last, once; the visitor's phone with the ticket's token, for a
visit that was served. Each forgery below is refused, and nothing is recorded: no rating, no
rectification item, no event."""

from __future__ import annotations

import pytest

from qhall.models import Event, Rating, Rectification
from tests.factories import assert_error, gen_staff, gen_unit, sign_in, use_tablets

BASE = "/api/units/T"
RATE = f"{BASE}/counters/1/rating"
T1 = {"X-Device-Token": "tablet-T1-secret-000001"}
T2 = {"X-Device-Token": "tablet-T2-secret-000002"}
U1 = {"X-Device-Token": "tablet-U1-secret-000003"}
GOOD = {"level": 4, "efficiency": 4, "competence": 5, "attitude": 4}
BAD = {"level": 1, "efficiency": 2, "competence": 3, "attitude": 1}


@pytest.fixture
def halls(app):
    """Halls T (windows 1 and 2) and U, each window with its tablet; T's clerk and manager."""
    unit = gen_unit("T")
    gen_unit("U")
    use_tablets(app, [
        {"name": "t-1", "unit": "T", "window": 1, "token": T1["X-Device-Token"]},
        {"name": "t-2", "unit": "T", "window": 2, "token": T2["X-Device-Token"]},
        {"name": "u-1", "unit": "U", "window": 1, "token": U1["X-Device-Token"]},
    ])  # fmt: skip
    return gen_staff("clerk", unit), gen_staff("boss", unit, role="manager")


@pytest.fixture
def clerk(app, halls):
    """The clerk at window 1, open: the staff session that must not count as a tablet."""
    client = sign_in(app.test_client(), "clerk")
    act(client, "open")
    return client


@pytest.fixture
def tablet(app, halls):
    return app.test_client()  # not signed in: it faces the visitor


def act(clerk, action: str) -> dict:
    response = clerk.post(f"{BASE}/counters/1/{action}", json={})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def served(clerk) -> dict:
    """A ticket issued at the window, called, started and finished there."""
    ticket = clerk.post(f"{BASE}/tickets", json={"service": "A"}).get_json()
    act(clerk, "call-next")
    act(clerk, "start")
    act(clerk, "finish")
    return ticket


def recorded() -> tuple[int, int, int]:
    """Return how many ratings, rectification items and rating events there are."""
    events = Event.select().where(Event.name.in_(["rating.recorded", "rectification.opened"]))
    return Rating.select().count(), Rectification.select().count(), events.count()


def rating(number="A001", **content) -> dict:
    return {"number": number, **GOOD, **content}


def test_a_stranger_can_neither_rate_nor_learn_what_to_rate(app, clerk):
    served(clerk)
    stranger = app.test_client()
    assert_error(stranger.post(RATE, json=rating(**BAD, reasons=["attitude"])), 401)
    assert_error(stranger.post(RATE, json={}), 401)  # 401 before anything about the body
    body = assert_error(stranger.post(RATE, json=rating(), headers={"X-Device-Token": "guess"}), 401)  # fmt: skip
    assert "评价器" in body["message"] and "tablet" in body["message_en"]
    assert_error(stranger.get(RATE), 401)  # the prompt does not tell strangers numbers
    assert_error(stranger.get(RATE, headers={"X-Device-Token": "guess"}), 401)
    assert recorded() == (0, 0, 0)


def test_a_staff_session_is_not_a_tablet_and_staff_do_not_rate_for_visitors(clerk):
    ticket = served(clerk)
    assert_error(clerk.post(RATE, json=rating()), 401)
    assert_error(clerk.get(RATE), 401)
    # Staff see the token of a ticket they issue; with it they still may not rate.
    phone_rating = {"level": 1, "reasons": ["attitude"]}
    assert_error(clerk.post(f"/api/tickets/{ticket['token']}/rating", json=phone_rating), 403)
    assert recorded() == (0, 0, 0)


def test_only_the_windows_own_tablet_rates_there(app, clerk, tablet):
    served(clerk)
    assert_error(tablet.post(RATE, json=rating(), headers=T2), 403)  # another window's
    assert_error(tablet.get(RATE, headers=T2), 403)
    assert_error(tablet.post(RATE, json=rating(), headers=U1), 403)  # another hall's
    assert_error(tablet.post("/api/units/U/counters/1/rating", json=rating(), headers=T1), 403)
    assert recorded() == (0, 0, 0)


def test_the_phone_rates_only_a_visit_that_was_served(app, clerk):
    phone = app.test_client()
    waiting = clerk.post(f"{BASE}/tickets", json={"service": "A"}).get_json()
    bad = {"level": 1, "reasons": ["long_wait"], "callback_phone": "13812345678"}
    assert_error(phone.post(f"/api/tickets/{waiting['token']}/rating", json=bad), 409)
    act(clerk, "call-next")
    act(clerk, "no-show")  # called, never came: not served
    assert_error(phone.post(f"/api/tickets/{waiting['token']}/rating", json=bad), 409)
    assert phone.get(f"/api/tickets/{waiting['token']}/rating").get_json()["can_rate"] is False
    assert recorded() == (0, 0, 0)
    # A visitor called but never started, let go by the next call, is no-show too.
    second = clerk.post(f"{BASE}/tickets", json={"service": "A"}).get_json()
    act(clerk, "call-next")
    act(clerk, "call-next")
    assert_error(phone.post(f"/api/tickets/{second['token']}/rating", json=bad), 409)
    assert recorded() == (0, 0, 0)


def test_a_visit_is_rated_once(app, clerk, tablet):
    ticket = served(clerk)
    assert tablet.post(RATE, json=rating(), headers=T1).status_code == 201
    again = assert_error(tablet.post(RATE, json=rating(level=5), headers=T1), 409)
    assert "已经评价" in again["message"]
    phone = app.test_client()
    assert_error(phone.post(f"/api/tickets/{ticket['token']}/rating", json={"level": 5}), 409)
    assert recorded() == (1, 0, 1)


def test_a_strangers_replay_of_a_tablets_key_is_refused_too(app, clerk, tablet):
    served(clerk)
    keyed = {**T1, "Idempotency-Key": "rating-key-0001"}
    first = tablet.post(RATE, json=rating(), headers=keyed)
    assert first.status_code == 201
    assert tablet.post(RATE, json=rating(), headers=keyed).status_code == 200  # the same answer
    stranger = app.test_client()
    assert_error(stranger.post(RATE, json=rating(), headers={"Idempotency-Key": "rating-key-0001"}), 401)  # fmt: skip
    assert recorded() == (1, 0, 1)


def test_the_tablet_rates_its_last_visit_with_the_three_dimensions(clerk, tablet):
    served(clerk)
    assert tablet.get(RATE, headers=T1).get_json()["number"] == "A001"
    missing = assert_error(tablet.post(RATE, json={"number": "A001", "level": 4}, headers=T1), 400)
    assert missing["field"] == "efficiency"
    answer = tablet.post(RATE, json=rating(), headers=T1)
    assert answer.status_code == 201, answer.get_json()
    view = answer.get_json()["rating"]
    assert (view["source"], view["device"], view["staff"], view["window"]) == ("tablet", "t-1", "员工clerk", 1)  # fmt: skip
    assert (view["efficiency"], view["competence"], view["attitude"]) == (4, 5, 4)
    assert tablet.get(RATE, headers=T1).get_json()["number"] is None
    assert recorded() == (1, 0, 1)


def test_a_bad_rating_names_a_reason_and_leaves_a_number_shown_masked(app, clerk, tablet):
    served(clerk)
    no_reason = assert_error(tablet.post(RATE, json=rating(**BAD), headers=T1), 400)
    assert no_reason["field"] == "reasons" and "原因" in no_reason["message"]
    unknown = assert_error(tablet.post(RATE, json=rating(**BAD, reasons=["咆哮"]), headers=T1), 400)  # fmt: skip
    assert unknown["field"] == "reasons" and "attitude" in unknown["allowed"]
    wrong_phone = rating(**BAD, reasons=["attitude"], callback_phone="call me")
    assert assert_error(tablet.post(RATE, json=wrong_phone, headers=T1), 400)["field"] == "callback_phone"  # fmt: skip
    assert recorded() == (0, 0, 0)

    sent = rating(**BAD, reasons=["attitude"], words="说话不耐烦", callback_phone="13812345678")
    answer = tablet.post(RATE, json=sent, headers=T1)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["rectification"] is not None
    assert answer.get_json()["rating"]["callback_phone"] == "138****5678"
    assert recorded() == (1, 1, 2)
    boss = sign_in(app.test_client(), "boss")
    (item,) = boss.get(f"{BASE}/rectifications").get_json()
    # Masked for the manager reviewing it (qhall.rectification gives the whole number only
    # to whoever makes the call-back, when it is due).
    assert item["callback_phone"] == "138****5678" and "13812345678" not in str(item["rating"])
    assert item["rating"]["reason_text"] == "态度生硬；说话不耐烦"
    # Nothing the hall's screens receive carries the visitor's words or number.
    payloads = "".join(event.payload for event in Event.select())
    assert "说话不耐烦" not in payloads and "13812345678" not in payloads
