"""An admin POST sent twice with the same Idempotency-Key changes things once and answers the
same twice, as every POST does (a double click, a replay after a network drop)."""

from __future__ import annotations

from qhall.models import Counter
from qhall.supervision_models import AuditEntry, Notice


def post_twice(client, url: str, body: dict, key: str):
    headers = {"Idempotency-Key": key}
    return client.post(url, json=body, headers=headers), client.post(
        url, json=body, headers=headers
    )


def test_a_repeated_configuration_save_creates_one_window_and_one_audit_entry(as_user, bureau):
    body = {"unit": "T", "fields": {"window": 3, "name_zh": "综合窗口", "services": "B,A"}}
    first, again = post_twice(as_user("boss-t"), "/api/admin/config/windows", body, "new-window-3")
    assert first.status_code == again.status_code == 200, first.get_json()
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Counter.select().where(Counter.unit == bureau["T"].id, Counter.window == 3).count() == 1
    assert AuditEntry.select().where(AuditEntry.action == "windows.create").count() == 1


def test_a_repeated_notice_is_published_once(as_user, bureau):
    body = {"unit": "T", "title": "通报", "body": "请整改。", "deadline": "2026-12-03"}
    first, again = post_twice(as_user("inspector"), "/api/admin/notices", body, "notice-2026-1")
    assert first.status_code == 201, first.get_json()
    assert again.get_json() == first.get_json()
    assert Notice.select().count() == 1
    # Another key is another notice.
    other = as_user("inspector").post("/api/admin/notices", json=body, headers={"Idempotency-Key": "notice-2026-2"})  # fmt: skip
    assert other.get_json()["number"] == "TB-2026-002"


def test_another_halls_manager_with_the_same_key_gets_no_replay_and_changes_nothing(
    as_user, bureau
):
    # boss-t adds a staff account at hall T; boss-u, of hall U, sends the same key for
    # T's staff: a replay would hand U's manager T's account, so the key is the sender's.
    body = {"unit": "T", "fields": {"login": "t-new", "name": "新同事", "role": "staff",
                                    "password": "a long enough secret"}}  # fmt: skip
    first = as_user("boss-t").post(
        "/api/admin/config/staff", json=body, headers={"Idempotency-Key": "hire-2026-001"}
    )
    assert first.status_code == 200, first.get_json()
    entries = AuditEntry.select().count()

    stranger = as_user("boss-u").post(
        "/api/admin/config/staff", json=body, headers={"Idempotency-Key": "hire-2026-001"}
    )
    assert stranger.status_code == 403
    assert "Idempotent-Replayed" not in stranger.headers
    assert "t-new" not in stranger.get_data(as_text=True)
    assert AuditEntry.select().count() == entries + 1  # boss-u's sign-in, and nothing else
