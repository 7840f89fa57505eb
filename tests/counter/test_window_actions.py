"""A window's actions through the real app: a day at the window, transfers, no-shows and
requeues; only the hall's own staff (or an admin) may act, and bad input is a clear 4xx."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, assert_error, gen_staff


def test_a_day_at_window_one(staff_client, two_halls):
    client = staff_client
    token = client.post("/api/units/T/tickets", json={"service": "A"}).get_json()["token"]
    base = "/api/units/T/counters/1"
    assert client.post(f"{base}/open").get_json()["counter"]["state"] == "open"
    called = client.post(f"{base}/call-next").get_json()
    assert called["ticket"]["number"] == "A001" and called["counter"]["serving"] == "A001"
    followed = client.get(f"/api/tickets/{token}").get_json()
    assert (followed["status"], followed["window"]) == ("called", 1)
    assert client.post(f"{base}/recall").get_json()["ticket"]["recalls"] == 1
    assert client.post(f"{base}/start").get_json()["ticket"]["status"] == "serving"
    assert client.post(f"{base}/finish").get_json()["ticket"]["status"] == "finished"
    assert client.post(f"{base}/call-next").get_json()["ticket"] is None
    assert (
        client.post(f"{base}/pause", json={"reason": "break"}).get_json()["counter"]["state"]
        == "paused"
    )
    assert client.post(f"{base}/resume").get_json()["counter"]["state"] == "open"
    assert client.post(f"{base}/close").get_json()["counter"]["state"] == "closed"
    snap = client.get("/api/units/T/snapshot").get_json()
    assert snap["calls"][0]["number"] == "A001" and snap["seq"] >= 8


def test_transfer_no_show_requeue_and_call_by_number(staff_client, two_halls):
    client = staff_client
    for _ in range(3):
        client.post("/api/units/T/tickets", json={"service": "A"})
    base = "/api/units/T/counters"
    client.post(f"{base}/1/open"), client.post(f"{base}/2/open")
    client.post(f"{base}/1/call-next")
    moved = client.post(f"{base}/1/transfer", json={"to_window": 2}).get_json()
    assert moved["to_window"] == 2
    assert client.post(f"{base}/2/call-next").get_json()["ticket"]["number"] == "A001"
    assert (
        client.post(f"{base}/1/call", json={"number": "A003"}).get_json()["ticket"]["number"]
        == "A003"
    )
    assert client.post(f"{base}/1/no-show").get_json()["ticket"]["status"] == "no_show"
    back = client.post("/api/units/T/requeue", json={"number": "A003"}).get_json()
    assert back["ticket"]["status"] == "waiting"


def test_calling_next_over_a_visitor_who_never_came_says_it_was_a_no_show(staff_client, two_halls):
    client = staff_client
    tokens = [client.post("/api/units/T/tickets", json={"service": "A"}).get_json()["token"]
              for _ in range(3)]  # fmt: skip
    base = "/api/units/T/counters/1"
    client.post(f"{base}/open"), client.post(f"{base}/call-next")
    called = client.post(f"{base}/call-next").get_json()
    assert called["let_go"] == {"number": "A001", "status": "no_show"}
    assert client.get(f"/api/tickets/{tokens[0]}").get_json()["status"] == "no_show"
    client.post(f"{base}/start")
    called = client.post(f"{base}/call-next").get_json()
    assert called["let_go"] == {"number": "A002", "status": "finished"}
    mine = client.get(f"{base}/queue").get_json()["figures"]
    assert mine["served"] == 1


def test_a_first_inquiry_registered_at_the_window_serves_the_visitor_in_hand(
    staff_client, two_halls
):
    client = staff_client
    token = client.post("/api/units/T/tickets", json={"service": "A"}).get_json()["token"]
    base = "/api/units/T/counters/1"
    client.post(f"{base}/open"), client.post(f"{base}/call-next")
    answer = client.post("/api/units/T/inquiries", json={"matter": "咨询低保", "window": 1})
    assert answer.status_code == 201, answer.get_json()
    assert client.get(f"/api/tickets/{token}").get_json()["status"] == "serving"
    assert client.post(f"{base}/call-next").get_json()["let_go"]["status"] == "finished"


@pytest.mark.parametrize("action", ["open", "call-next", "recall", "finish", "pause", "close"])
def test_window_actions_need_a_signed_in_staff_member(client, two_halls, action):
    assert_error(client.post(f"/api/units/T/counters/1/{action}", json={"reason": "break"}), 401)
    assert_error(client.post("/api/units/T/requeue", json={"number": "A001"}), 401)


def test_staff_of_one_hall_cannot_work_at_another(staff_client, two_halls):
    assert_error(staff_client.post("/api/units/U/counters/1/open"), 403)


def test_an_admin_may_work_at_any_hall(client, two_halls):
    gen_staff("boss", role="admin")
    client.post("/api/session", json={"login": "boss", "password": PASSWORD})
    assert client.post("/api/units/U/counters/1/open").status_code == 200


def test_bad_window_input_gets_a_clear_4xx(staff_client, two_halls):
    base = "/api/units/T/counters"
    assert_error(staff_client.post(f"{base}/9/open"), 404)
    assert_error(staff_client.post(f"{base}/one/open"), 404)
    assert_error(staff_client.post(f"{base}/1/dance"), 400)
    assert_error(staff_client.post(f"{base}/1/call-next"), 409)  # not open yet
    staff_client.post(f"{base}/1/open")
    assert_error(staff_client.post(f"{base}/1/finish"), 409)  # nothing in hand
    assert_error(staff_client.post(f"{base}/1/pause", json={}), 400)
    assert_error(staff_client.post(f"{base}/1/pause", json={"reason": "nap"}), 400)
    assert_error(staff_client.post(f"{base}/1/call", json={"number": 3}), 400)
    assert_error(staff_client.post(f"{base}/1/transfer", json={}), 400)
    assert_error(staff_client.post(f"{base}/1/transfer", json={"to_window": True}), 400)
