"""Sessions and bearer tokens end when they should, at once: sign-out ends every session of
the account, a password change or deactivation ends its sessions and tokens, a staff
session lasts one working day, and tokens expire, can be listed and revoked."""

from __future__ import annotations

import pytest

from qhall.auth import add_staff, issue_api_token, list_api_tokens, revoke_api_token
from qhall.errors import BadInput, NotFound
from qhall.models import ApiToken, Staff
from qhall.supervision_models import AuditEntry
from tests.factories import PASSWORD, assert_error, gen_staff

NEW_PASSWORD = "a much better passphrase"


@pytest.fixture
def hall(two_halls):
    """Hall T with its clerk and its manager, and hall U."""
    unit, _clerk = two_halls
    gen_staff("mgr", unit, role="manager")
    return unit


def signed_in(app, login: str = "clerk"):
    client = app.test_client()
    answer = client.post("/api/session", json={"login": login, "password": PASSWORD})
    assert answer.status_code == 200
    return client


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_sign_out_ends_every_session_of_the_account(app, hall):
    desk, tablet = signed_in(app), signed_in(app)
    other = signed_in(app, "mgr")
    assert desk.delete("/api/session").status_code == 200
    # The cookie the other device still holds is refused at once, also on its window.
    assert_error(tablet.get("/api/session"), 401)
    assert_error(tablet.post("/api/units/T/counters/1/open"), 401)
    # A colleague's session is theirs and goes on.
    assert other.get("/api/session").status_code == 200


def test_a_password_reset_ends_sessions_and_tokens(app, hall, clock):
    client = signed_in(app)
    token = issue_api_token("clerk", clock.now(), name="report")
    assert client.get("/api/session", headers=bearer(token)).status_code == 200
    add_staff("clerk", NEW_PASSWORD, role="staff", unit_code="T")
    assert_error(client.get("/api/session"), 401)
    assert_error(app.test_client().get("/api/session", headers=bearer(token)), 401)
    assert signed_in_with(app, "clerk", NEW_PASSWORD).status_code == 200


def signed_in_with(app, login: str, password: str):
    return app.test_client().post("/api/session", json={"login": login, "password": password})


def test_the_admin_editor_resetting_a_password_ends_sessions_and_tokens(app, hall, clock):
    clerk = signed_in(app)
    token = issue_api_token("clerk", clock.now())
    manager = signed_in(app, "mgr")
    staff = Staff.get(Staff.login == "clerk")
    answer = manager.post(
        "/api/admin/config/staff",
        json={"unit": "T", "id": staff.id, "fields": {"password": NEW_PASSWORD}},
        headers={"Idempotency-Key": "reset-clerk-1"},
    )
    assert answer.status_code == 200, answer.get_json()
    assert_error(clerk.get("/api/session"), 401)
    assert_error(app.test_client().get("/api/session", headers=bearer(token)), 401)
    # A weak password is refused there too, and nothing changes.
    weak = manager.post(
        "/api/admin/config/staff",
        json={"unit": "T", "id": staff.id, "fields": {"password": "123456"}},
        headers={"Idempotency-Key": "reset-clerk-2"},
    )
    assert_error(weak, 400)
    assert signed_in_with(app, "clerk", NEW_PASSWORD).status_code == 200


def test_deactivation_revokes_tokens_and_reactivation_does_not_bring_them_back(app, hall, clock):
    token = issue_api_token("clerk", clock.now())
    manager = signed_in(app, "mgr")
    staff = Staff.get(Staff.login == "clerk")
    for active, key in ((False, "deactivate-1"), (True, "reactivate-1")):
        answer = manager.post(
            "/api/admin/config/staff",
            json={"unit": "T", "id": staff.id, "fields": {"active": active}},
            headers={"Idempotency-Key": key},
        )
        assert answer.status_code == 200, answer.get_json()
        if not active:
            assert_error(app.test_client().get("/api/session", headers=bearer(token)), 401)
    assert_error(app.test_client().get("/api/session", headers=bearer(token)), 401)
    assert [t["state"] for t in list_api_tokens("clerk", clock.now())] == ["revoked"]


def test_a_staff_session_lasts_one_working_day(app, hall, clock):
    client = signed_in(app)
    clock.advance(hours=11, minutes=50)
    assert client.get("/api/session").status_code == 200
    clock.advance(minutes=20)
    assert_error(client.get("/api/session"), 401)


def test_tokens_expire_are_listed_and_revoked_at_once(app, hall, clock):
    script = issue_api_token("clerk", clock.now(), name="hall-report", days=30)
    other = issue_api_token("clerk", clock.now(), name="display-feed", days=30)
    client = app.test_client()
    assert client.get("/api/session", headers=bearer(script)).status_code == 200
    listed = list_api_tokens("clerk", clock.now())
    assert [(t["name"], t["state"]) for t in listed] == [
        ("hall-report", "active"),
        ("display-feed", "active"),
    ]
    revoke_api_token("clerk", listed[0]["id"], clock.now())
    assert_error(client.get("/api/session", headers=bearer(script)), 401)
    assert client.get("/api/session", headers=bearer(other)).status_code == 200
    clock.advance(days=30, minutes=1)
    assert_error(client.get("/api/session", headers=bearer(other)), 401)
    # Nothing of a token is kept but its hash; issue and revoke are in the audit.
    assert all(row.token_hash not in (script, other) for row in ApiToken.select())
    actions = [entry.action for entry in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions.count("token.issue") == 2 and actions.count("token.revoke") == 1


def test_another_accounts_token_cannot_be_revoked_through_a_login(app, hall, clock):
    issue_api_token("mgr", clock.now())
    theirs = list_api_tokens("mgr", clock.now())[0]["id"]
    with pytest.raises(NotFound):
        revoke_api_token("clerk", theirs, clock.now())
    assert list_api_tokens("mgr", clock.now())[0]["state"] == "active"


@pytest.mark.parametrize(
    "password", ["1", "123456", "password1234", "clerk-clerk-1", "aaaaaaaaaaaa"]
)
def test_weak_passwords_are_refused_for_real_accounts(app, hall, password):
    with pytest.raises(BadInput):
        add_staff("clerk", password, role="staff", unit_code="T")
    assert signed_in(app).get("/api/session").status_code == 200  # the old one still works


def test_inspectors_and_admins_belong_to_no_unit(app, hall):
    inspector = gen_staff("insp", role="inspector")
    assert inspector.unit is None
    with pytest.raises(BadInput):
        add_staff("insp2", PASSWORD, role="inspector", unit_code="T")
    with pytest.raises(BadInput):
        add_staff("clerk2", PASSWORD, role="staff")
