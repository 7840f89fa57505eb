"""Configuration changes through the admin API, each in the audit log with before and after."""

from __future__ import annotations

from qhall.models import CounterService, Service, Staff
from qhall.supervision_models import AuditEntry


def test_a_manager_changes_a_service_and_the_audit_log_keeps_before_and_after(as_user, bureau):
    boss = as_user("boss-t")
    service = Service.get(Service.unit == bureau["T"].id, Service.code == "A")
    answer = boss.post("/api/admin/config/services",
                       json={"unit": "T", "id": service.id, "fields": {"time_limit_days": 5, "hours": "08:30-12:00"}})  # fmt: skip
    assert answer.status_code == 200, answer.get_json()
    assert Service.get_by_id(service.id).time_limit_days == 5
    (entry,) = boss.get("/api/admin/audit?action=services.").get_json()["rows"]
    assert entry["action"] == "services.update" and entry["target"] == "T/A"
    assert entry["login"] == "boss-t"
    assert entry["changed"] == ["hours", "time_limit_days"]
    assert (entry["before"]["time_limit_days"], entry["after"]["time_limit_days"]) == (0, 5)
    # The other unit's manager does not see it.
    assert as_user("boss-u").get("/api/admin/audit?action=services.").get_json()["rows"] == []


def test_a_bad_value_changes_nothing_and_logs_nothing(as_user, bureau):
    service = Service.get(Service.unit == bureau["T"].id, Service.code == "A")
    answer = as_user("boss-t").post("/api/admin/config/services",
                                    json={"unit": "T", "id": service.id, "fields": {"hours": "9 to 5"}})  # fmt: skip
    assert answer.status_code == 400
    assert "08:30-12:00" in answer.get_json()["message"]
    assert not AuditEntry.select().where(AuditEntry.action.startswith("services.")).exists()


def test_a_window_gets_its_services_in_order(as_user, bureau):
    answer = as_user("boss-t").post("/api/admin/config/windows",
                                    json={"unit": "T", "fields": {"window": 3, "name_zh": "综合窗口", "services": "B,A"}})  # fmt: skip
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["services"] == "B,A"
    links = CounterService.select().where(CounterService.counter == answer.get_json()["id"])
    assert [link.service.code for link in links.order_by(CounterService.position)] == ["B", "A"]


def test_a_manager_hires_with_badges_and_the_password_is_never_logged(as_user, bureau):
    answer = as_user("boss-t").post(
        "/api/admin/config/staff",
        json={"unit": "T", "fields": {"login": "new", "name": "新同事", "role": "staff",
                                      "badges": ["party_member"], "password": "secret-pass-1"}},
    )  # fmt: skip
    assert answer.status_code == 200, answer.get_json()
    person = Staff.get(Staff.login == "new")
    assert person.unit_id == bureau["T"].id and person.badges == "party_member"
    entry = AuditEntry.get(AuditEntry.action == "staff.create", AuditEntry.target == "T/new")
    assert "secret-pass-1" not in entry.after and "password_hash" not in entry.after


def test_pause_reasons_and_the_calendar_are_the_bureaus(as_user, bureau):
    admin = as_user("admin")
    answer = admin.post("/api/admin/config/calendar",
                        json={"fields": {"day": "2026-12-31", "workday": False, "note": "元旦前调休"}})  # fmt: skip
    assert answer.status_code == 200, answer.get_json()
    assert admin.get("/api/admin/config/calendar").get_json()["records"][0]["day"] == "2026-12-31"
    page = admin.get("/admin/config/pause-reasons").get_data(as_text=True)
    assert "短暂休息" in page
