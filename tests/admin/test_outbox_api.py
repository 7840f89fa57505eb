"""The outbox's pages for the people who answer for it: a hall's manager sees and decides
for their hall's messages, the bureau for all, an inspector reads; a clerk, a stranger and
another hall's manager are refused and change nothing."""

from __future__ import annotations

from qhall import outbox
from qhall.db import unit_of_work
from qhall.outbox import OutboxMessage
from qhall.supervision_models import AuditEntry


def waiting_message(clock, unit) -> OutboxMessage:
    with unit_of_work():
        return outbox.post("haocha", "platform", {"level": 1}, now=clock.now(), unit=unit)


def test_a_manager_sees_their_halls_messages_and_another_hall_none(as_user, bureau, clock):
    message = waiting_message(clock, bureau["T"])
    mine = as_user("boss-t").get("/api/admin/outbox").get_json()
    assert [m["id"] for m in mine["messages"]] == [message.id]
    assert mine["channels"]["haocha"]["pending"] == 1
    theirs = as_user("boss-u").get("/api/admin/outbox").get_json()
    assert theirs["messages"] == [] and theirs["channels"] == {}
    assert as_user("boss-u").get("/api/admin/outbox?unit=T").status_code == 403
    for reader in ("admin", "inspector"):
        seen = as_user(reader).get("/api/admin/outbox?unit=T&state=pending").get_json()
        assert [m["id"] for m in seen["messages"]] == [message.id]


def test_only_the_halls_manager_or_the_bureau_may_cancel_or_retry(app, as_user, bureau, clock):
    message = waiting_message(clock, bureau["T"])
    refused = {"clerk": 403, "boss-u": 403, "inspector": 403}
    for login, status in refused.items():
        for action in ("retry", "cancel"):
            answer = as_user(login).post(f"/api/admin/outbox/{message.id}/{action}")
            assert answer.status_code == status, (login, action, answer.get_json())
    assert app.test_client().post(f"/api/admin/outbox/{message.id}/cancel").status_code == 401
    assert OutboxMessage.get_by_id(message.id).state == "pending"
    assert not AuditEntry.select().where(AuditEntry.action.startswith("outbox.")).exists()

    answer = as_user("boss-t").post(f"/api/admin/outbox/{message.id}/cancel")
    assert answer.status_code == 200 and answer.get_json()["state"] == "cancelled"
    assert as_user("admin").post(f"/api/admin/outbox/{message.id}/retry").status_code == 409
    assert as_user("boss-t").post("/api/admin/outbox/999/cancel").status_code == 404


def test_every_message_a_count_counts_can_be_listed_page_by_page(as_user, bureau, clock):
    with unit_of_work():
        for index in range(outbox.PAGE_SIZE + 5):
            outbox.post("haocha", f"rating-{index}", {"n": index}, now=clock.now(),
                        unit=bureau["T"])  # fmt: skip
    boss = as_user("boss-t")
    first = boss.get("/api/admin/outbox?state=pending").get_json()
    assert first["channels"]["haocha"]["pending"] == first["total"] == outbox.PAGE_SIZE + 5
    assert first["pages"] == 2 and len(first["messages"]) == outbox.PAGE_SIZE
    second = boss.get("/api/admin/outbox?state=pending&page=2").get_json()
    listed = {m["id"] for m in first["messages"] + second["messages"]}
    assert listed == {m.id for m in OutboxMessage.select()}


def failed_message(clock, unit) -> OutboxMessage:
    """A message the platform refused once: waiting, with the reason."""
    message = waiting_message(clock, unit)
    OutboxMessage.update(attempts=1, last_error="HTTP 503 Service Unavailable").where(
        OutboxMessage.id == message.id
    ).execute()
    return message


def test_the_outbox_page_shows_a_failed_messages_reason_to_its_hall_and_the_bureau(
    app, as_user, bureau, clock
):
    message = failed_message(clock, bureau["T"])
    for login in ("boss-t", "admin"):
        page = as_user(login).get("/admin/outbox?unit=T").get_data(as_text=True)
        assert "HTTP 503 Service Unavailable" in page and "发送失败，将重试" in page
        assert f'data-message="{message.id}"' in page and 'data-act="retry"' in page
    read_only = as_user("inspector").get("/admin/outbox?unit=T").get_data(as_text=True)
    assert "HTTP 503" in read_only and 'data-act="retry"' not in read_only
    own = as_user("boss-t").get("/admin/outbox").get_data(as_text=True)  # their hall's
    assert "HTTP 503" in own and 'href="/admin/outbox?unit=T"' in own  # in the navigation


def test_the_outbox_page_is_refused_to_a_clerk_another_hall_and_a_stranger(
    app, as_user, bureau, clock
):
    failed_message(clock, bureau["T"])
    assert as_user("clerk").get("/admin/outbox").status_code == 403
    assert as_user("boss-u").get("/admin/outbox?unit=T").status_code == 403
    theirs = as_user("boss-u").get("/admin/outbox").get_data(as_text=True)
    assert "HTTP 503" not in theirs
    stranger = app.test_client().get("/admin/outbox?unit=T")
    assert stranger.status_code == 302 and "/admin/login" in stranger.headers["Location"]
    assert as_user("boss-t").get("/admin/outbox?state=lost").status_code == 400


def test_the_counts_tell_the_failing_from_the_merely_waiting(as_user, bureau, clock):
    failed_message(clock, bureau["T"])
    waiting_message(clock, bureau["T"])
    counts = as_user("boss-t").get("/api/admin/outbox").get_json()["channels"]["haocha"]
    assert (counts["pending"], counts["failing"], counts["sent"]) == (2, 1, 0)


def test_the_failing_count_lists_its_messages(as_user, bureau, clock):
    refused = failed_message(clock, bureau["T"])
    with unit_of_work():  # waiting, never refused: not failing
        outbox.post("haocha", "rating-2", {"level": 5}, now=clock.now(), unit=bureau["T"])
    assert OutboxMessage.select().count() == 2
    boss = as_user("boss-t")
    view = boss.get("/api/admin/outbox?state=failing").get_json()
    assert view["channels"]["haocha"]["failing"] == view["total"] == 1
    assert [m["id"] for m in view["messages"]] == [refused.id]
    page = boss.get("/admin/outbox?unit=T&state=failing").get_data(as_text=True)
    assert f'data-message="{refused.id}"' in page and page.count("data-message=") == 1
