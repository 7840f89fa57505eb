"""Times on the admin pages and in the exports are the hall's wall-clock time with the zone
named: an evening in UTC is the next morning in Shanghai, never the previous day."""

from __future__ import annotations

from datetime import datetime

import pytest

from qhall.audit import record_action

# 17:30 UTC on 30 November is 01:30 on 1 December in Shanghai.
LATE_UTC = datetime(2026, 11, 30, 17, 30)


@pytest.fixture
def late(clock):
    clock.at = LATE_UTC
    return clock


@pytest.fixture
def service_changed(bureau, late):
    """T's manager changed a service at 01:30 Shanghai time (17:30 UTC the day before)."""
    return record_action(staff_id=bureau["boss-t"].id, unit_id=bureau["T"].id,
                         action="services.update", target="T/A", before={"name_zh": "旧"},
                         after={"name_zh": "新"}, now=late.now())  # fmt: skip


def test_the_audit_page_shows_the_halls_time_not_utc(as_user, service_changed):
    page = as_user("boss-t").get("/admin/audit?unit=T").get_data(as_text=True)
    assert "2026-12-01 01:30" in page
    assert "2026-11-30 17:30" not in page and "(UTC)" not in page
    assert "Asia/Shanghai" in page  # the column names the zone


def test_the_audit_page_names_the_action_in_words(as_user, service_changed):
    page = as_user("boss-t").get("/admin/audit?unit=T").get_data(as_text=True)
    assert "修改业务事项" in page and "Service changed" in page
    assert ">services.update<" not in page  # the code is a hover title at most


def test_a_role_change_reads_in_words_on_the_audit_page(as_user, bureau, late):
    record_action(staff_id=bureau["boss-t"].id, unit_id=bureau["T"].id, action="staff.role",
                  target="T/clerk", before={"role": "staff"}, after={"role": "manager"},
                  now=late.now())  # fmt: skip
    page = as_user("boss-t").get("/admin/audit?unit=T").get_data(as_text=True)
    assert "角色变更" in page and "大厅负责人" in page and "Hall manager" in page
    assert ": manager" not in page


def test_the_audit_filter_counts_days_as_the_hall_does(as_user, service_changed):
    boss = as_user("boss-t")

    def targets(day):
        answer = boss.get("/api/admin/audit", query_string={"unit": "T", "action": "services.",
                                                         "from": day, "to": day})  # fmt: skip
        return [row["target"] for row in answer.get_json()["rows"]]

    assert targets("2026-12-01") == ["T/A"]
    assert targets("2026-11-30") == []


def test_the_audit_api_gives_the_local_time_beside_the_utc_one(as_user, service_changed):
    (row,) = as_user("boss-t").get("/api/admin/audit?unit=T&action=services.").get_json()["rows"]
    assert row["at"] == "2026-11-30T17:30:00Z"
    assert (row["at_local"], row["timezone"]) == ("2026-12-01 01:30", "Asia/Shanghai")
    assert (row["action_zh"], row["action_en"]) == ("修改业务事项", "Service changed")


@pytest.mark.parametrize("path", [
    "/admin/ledger.csv?unit=T",
    "/admin/ledger.csv",  # the bureau's ledger: the bureau's zone
    "/admin/registers/inquiries.csv?unit=T",
])  # fmt: skip
def test_an_export_made_late_at_night_in_utc_says_the_halls_date_and_time(as_user, late, path):
    body = as_user("admin").get(path).get_data().decode("utf-8-sig")
    generated = next(line for line in body.splitlines() if line.startswith("生成时间"))
    assert "2026-12-01 01:30 (Asia/Shanghai)" in generated
    assert "2026-11-30" not in generated and "UTC" not in generated


def test_the_staff_editor_lists_roles_and_badges_in_words(as_user, bureau):
    bureau["clerk"].badges = '["party_member"]'
    bureau["clerk"].save()
    page = as_user("boss-t").get("/admin/config/staff?unit=T").get_data(as_text=True)
    assert "窗口工作人员" in page and "党员示范岗" in page and "Party member model post" in page
    assert ">staff<" not in page and ">party_member<" not in page
