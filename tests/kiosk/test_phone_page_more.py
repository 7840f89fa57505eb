"""The visitor's phone page beyond following the line: leaving the line from the page (the
same API call the page makes), the ticket view's rated flag that ends "please rate" after a
rating at the window's tablet, and the rule on a missed call in both languages."""

from __future__ import annotations

import json

import pytest

from qhall import queue, ratings, windows
from qhall.devices import Tablet
from qhall.models import Event
from tests.factories import gen_staff, gen_ticket, gen_unit, gen_visit

TABLET = Tablet(name="t-1", unit="T", window=1, token="tablet-one-secret-0001")
SCORES = {"efficiency": 5, "competence": 5, "attitude": 5}


@pytest.fixture
def clerk(app, clock):
    unit = gen_unit("T", no_show_grace_s=1800)
    staff = gen_staff("clerk", unit)
    windows.open_counter("T", 1, staff_id=staff.id, now=clock.now())
    return staff


def test_the_page_offers_leaving_the_line_and_the_api_it_calls_cancels_the_ticket(
    client, clerk, clock
):
    token = gen_ticket(clock)["token"]
    page = client.get(f"/t/{token}").get_data(as_text=True)
    assert 'id="cancel-ask"' in page and "确定取消排队吗" in page and "Keep my place" in page
    # phone.js, once the visitor confirms: POST with a fresh key; a repeat changes nothing.
    headers = {"Idempotency-Key": "cancel-from-phone-0001"}
    first = client.post(f"/api/tickets/{token}/cancel", headers=headers)
    again = client.post(f"/api/tickets/{token}/cancel", headers=headers)
    assert first.status_code == again.status_code == 200
    assert client.get(f"/api/tickets/{token}").get_json()["status"] == "cancelled"


def test_a_ticket_already_called_is_not_cancelled(client, clerk, clock):
    token = gen_ticket(clock)["token"]
    queue.call_next("T", 1, staff_id=clerk.id, now=clock.now())
    refused = client.post(f"/api/tickets/{token}/cancel")
    assert (
        refused.status_code == 409 and refused.get_json()["message"] == "只有等候中的号可以取消。"
    )
    assert client.get(f"/api/tickets/{token}").get_json()["status"] == "called"


def test_a_rating_at_the_tablet_marks_the_phones_ticket_rated(client, clerk, clock):
    ticket = gen_visit(clock, 1, clerk)
    view = client.get(f"/api/tickets/{ticket.token}").get_json()
    assert view["status"] == "finished" and view["rated"] is False
    ratings.rate_at_window(TABLET, ticket.number, level=5, **SCORES, now=clock.now(),
                           rating_window_s=120, rectification_days=5)  # fmt: skip
    assert client.get(f"/api/tickets/{ticket.token}").get_json()["rated"] is True
    # The phone hears of it: the hall's event names the number it follows.
    event = Event.select().where(Event.name == "rating.recorded").get()
    assert json.loads(event.payload)["rating"]["number"] == ticket.number
    # And, rated, it no longer offers the rating.
    assert client.get(f"/api/tickets/{ticket.token}/rating").get_json()["can_rate"] is False


def test_the_note_states_the_requeue_rule_in_both_languages(client, clerk, clock):
    token = gen_ticket(clock)["token"]
    page = client.get(f"/t/{token}").get_data(as_text=True)
    assert "过号需重新排队" not in page
    assert "如错过叫号，请在过号后 30 分钟内向窗口工作人员说明，可按原顺序重新排队一次" in page
    assert ("If you miss the call, tell the staff at a window within 30 minutes: "
            "you can be put back once at your old place in the line") in page  # fmt: skip


def test_the_page_carries_the_services_notice(client, clerk, clock):
    from qhall.models import Service

    notice = {"fee": {"zh": "免费", "en": "Free"},
              "materials": [{"name_zh": "居民身份证", "name_en": "Identity card", "originals": 1, "copies": 2}]}  # fmt: skip
    Service.update(told_once=json.dumps(notice, ensure_ascii=False)).where(
        Service.code == "A"
    ).execute()
    token = gen_ticket(clock)["token"]
    page = client.get(f"/t/{token}").get_data(as_text=True)
    assert (
        "办事须知" in page and "居民身份证" in page and "复印件 2 份" in page and "2 copies" in page
    )
    fragment = client.get("/kiosk/T/notice/A").get_data(as_text=True)
    assert "data-written" in fragment and "原件 1 份" in fragment and "免费" in fragment
