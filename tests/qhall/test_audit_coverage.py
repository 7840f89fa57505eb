"""What the audit log covers beyond configuration: sign-ins (failures counted, not listed),
and erasures of personal data; never a password, never a visitor's personal data."""

from __future__ import annotations

import json

from qhall.models import Inquiry
from qhall.retention import erase_personal_data
from qhall.supervision_models import AuditEntry
from tests.factories import PASSWORD

WRONG = "wrong-pass-7"


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.id))


def everything_logged() -> str:
    return " ".join(f"{e.action} {e.target} {e.before} {e.after}" for e in AuditEntry.select())


def try_sign_in(client, login: str, password: str) -> int:
    return client.post("/api/session", json={"login": login, "password": password}).status_code


def test_a_sign_in_is_recorded_and_three_failures_are_counted_in_one_entry(client, two_halls):
    hall, clerk = two_halls
    assert [try_sign_in(client, "clerk", WRONG) for _ in range(3)] == [401, 401, 401]
    assert try_sign_in(client, "clerk", PASSWORD) == 200
    (failed,) = entries("session.sign_in_failed")
    assert failed.target == "clerk" and failed.unit_id == hall.id and failed.staff_id is None
    assert json.loads(failed.after) | {"last": None} == {
        "client": "127.0.0.1", "failures": 3, "last": None,
    }  # fmt: skip
    (signed_in,) = entries("session.sign_in")
    assert (signed_in.staff_id, signed_in.unit_id, signed_in.target) == (clerk.id, hall.id, "clerk")
    assert WRONG not in everything_logged() and PASSWORD not in everything_logged()


def test_a_password_typed_into_the_login_box_is_not_kept(client, two_halls):
    assert try_sign_in(client, "correct horse battery", "") == 401
    (failed,) = entries("session.sign_in_failed")
    assert failed.target == "(unknown login)" and failed.unit_id is None
    assert "horse" not in everything_logged()


def test_a_flood_of_guesses_grows_a_count_not_the_table(client, two_halls, clock):
    answers = [try_sign_in(client, "clerk", f"guess-{n}") for n in range(12)]
    assert answers.count(401) == 5 and answers.count(429) == 7  # the throttle turns them away
    (failed,) = entries("session.sign_in_failed")
    # The 7 the throttle turned away are not written: a flood must not write per request.
    assert json.loads(failed.after)["failures"] == 5
    # Another client, and the next quarter hour, start entries of their own.
    other = client.application.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert try_sign_in(other, "clerk", WRONG) == 401
    clock.advance(minutes=16)
    assert try_sign_in(client, "clerk", WRONG) == 401
    counts = [(json.loads(e.after)["client"], json.loads(e.after)["failures"])
              for e in entries("session.sign_in_failed")]  # fmt: skip
    assert counts == [("127.0.0.1", 5), ("10.0.0.9", 1), ("127.0.0.1", 1)]


def test_an_erasure_is_logged_per_unit_with_counts_and_no_personal_data(two_halls, clock):
    hall, clerk = two_halls
    Inquiry.create(unit=hall, owner=clerk, visitor_name="张三", visitor_phone="13812345678",
                   matter="咨询", status="resolved", created_at=clock.now(),
                   resolved_at=clock.now())  # fmt: skip
    clock.advance(days=31)
    erase_personal_data(now=clock.now(), keep_days=30)  # which logs itself
    (erased,) = entries("privacy.erase")
    assert erased.unit_id == hall.id and erased.target == "T" and erased.staff_id is None
    counts = json.loads(erased.after)
    assert counts["inquiries"] == 1 and counts["keep_days"] == 30
    assert all(isinstance(count, int) for count in counts.values())  # counts, nothing else
    assert "张三" not in everything_logged() and "13812345678" not in everything_logged()
