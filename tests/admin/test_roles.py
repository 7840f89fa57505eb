"""Roles as the bureau works: inspectors and admins belong to no hall, a unit manager
cannot touch them or hand out their roles, and an inspector works at no window."""

from __future__ import annotations

from qhall.models import Counter, Staff
from qhall.supervision_models import AuditEntry
from tests.factories import assert_error


def save_staff(client, fields: dict, *, unit: str | None = None, record: int | None = None):
    return client.post(
        "/api/admin/config/staff", json={"unit": unit, "id": record, "fields": fields}
    )


def test_the_bureau_adds_an_inspector_with_no_unit(as_user, bureau):
    answer = save_staff(
        as_user("admin"),
        {"login": "du", "name": "杜督查", "role": "inspector", "password": "inspecting-2026"},
    )
    assert answer.status_code == 200, answer.get_json()
    assert Staff.get(Staff.login == "du").unit is None
    listed = as_user("admin").get("/api/admin/config/staff").get_json()["records"]
    assert {"du", "admin", "inspector"} <= {person["login"] for person in listed}


def test_a_unit_manager_cannot_demote_or_change_an_inspector(as_user, bureau):
    boss = as_user("boss-t")
    inspector = bureau["inspector"]
    for unit in ("T", None):
        answer = save_staff(boss, {"role": "staff"}, unit=unit, record=inspector.id)
        assert answer.status_code in (400, 403), answer.get_json()
    assert Staff.get_by_id(inspector.id).role == "inspector"
    # Nor make one, nor an admin, of their own staff.
    for role in ("inspector", "admin"):
        assert_error(save_staff(boss, {"role": role}, unit="T", record=bureau["clerk"].id), 400)
    assert Staff.get_by_id(bureau["clerk"].id).role == "staff"
    by_someone = AuditEntry.staff.is_null(False)  # not the fixtures' accounts, made by the CLI
    assert (
        not AuditEntry.select().where(AuditEntry.action.startswith("staff."), by_someone).exists()
    )


def test_an_admin_making_a_manager_an_inspector_takes_them_out_of_the_hall(as_user, bureau):
    answer = save_staff(
        as_user("admin"), {"role": "inspector"}, unit="T", record=bureau["boss-t"].id
    )
    assert answer.status_code == 200, answer.get_json()
    assert Staff.get_by_id(bureau["boss-t"].id).unit is None


def test_an_inspector_opens_no_window_and_calls_no_one(as_user, bureau):
    inspector = as_user("inspector")
    assert_error(inspector.post("/api/units/T/counters/1/open"), 403)
    assert_error(inspector.post("/api/units/T/counters/1/call-next"), 403)
    assert Counter.get(Counter.unit == bureau["T"].id, Counter.window == 1).state == "closed"
    # But reads the bureau's figures.
    assert inspector.get("/api/admin/ledger?unit=T").status_code == 200
