"""Who may reach the admin pages and APIs: staff none, a unit manager only their unit, the
bureau everything, inspectors everything to read and supervision to record."""

from __future__ import annotations

import pytest

PAGES = ["/admin/", "/admin/ledger", "/admin/rankings", "/admin/summary", "/admin/supervision",
         "/admin/config/services", "/admin/audit"]  # fmt: skip
APIS = ["/api/admin/live", "/api/admin/ledger", "/api/admin/supervision", "/api/admin/audit",
        "/api/admin/config/services?unit=T"]  # fmt: skip


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, bureau):
    answer = client.get("/admin/ledger")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/admin/login")
    assert client.get("/api/admin/live").status_code == 401
    assert "管理后台登录" in client.get("/admin/login").get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_window_staff_cannot_reach_admin_pages(as_user, path):
    answer = as_user("clerk").get(path)
    assert answer.status_code == 403
    assert "管理后台仅供" in answer.get_data(as_text=True)


@pytest.mark.parametrize("path", APIS)
def test_window_staff_cannot_reach_admin_apis(as_user, path):
    answer = as_user("clerk").get(path)
    assert answer.status_code == 403
    assert answer.get_json()["error"] == "forbidden"


def test_window_staff_cannot_change_configuration(as_user):
    answer = as_user("clerk").post(
        "/api/admin/config/services",
        json={"unit": "T", "fields": {"code": "Z", "name_zh": "新业务"}},
    )
    assert answer.status_code == 403


def test_a_unit_manager_sees_only_their_unit(as_user):
    boss = as_user("boss-t")
    live = boss.get("/api/admin/live").get_json()
    assert [u["unit"] for u in live["units"]] == ["T"]
    assert boss.get("/api/admin/live?unit=U").status_code == 403
    assert boss.get("/api/admin/ledger?unit=U").status_code == 403
    assert boss.get("/api/admin/ledger").get_json()["unit"] == "T"
    assert boss.get("/admin/ledger?unit=U").status_code == 403
    assert boss.get("/admin/ledger.csv?unit=U").status_code == 403
    assert boss.get("/api/admin/config/services?unit=U").status_code == 403
    assert boss.post("/api/admin/config/services",
                     json={"unit": "U", "fields": {"code": "Z", "name_zh": "新业务"}}).status_code == 403  # fmt: skip
    page = boss.get("/admin/").get_data(as_text=True)
    assert "测试大厅T" in page and "测试大厅U" not in page


def test_a_unit_manager_cannot_change_what_the_bureau_owns(as_user):
    boss = as_user("boss-t")
    assert boss.get("/api/admin/config/pause-reasons").status_code == 403
    answer = boss.post("/api/admin/config/staff",
                       json={"unit": "T", "fields": {"login": "x", "name": "X", "role": "admin"}})  # fmt: skip
    assert answer.status_code == 400  # a manager hires staff and managers only


def test_the_bureau_sees_every_unit(as_user):
    live = as_user("admin").get("/api/admin/live").get_json()
    assert [u["unit"] for u in live["units"]] == ["T", "U"]


def test_an_inspector_reads_everything_but_configures_nothing(as_user):
    inspector = as_user("inspector")
    assert inspector.get("/api/admin/ledger?unit=U").status_code == 200
    assert inspector.get("/admin/supervision").status_code == 200
    assert inspector.get("/api/admin/config/services?unit=T").status_code == 403
    answer = inspector.post("/api/admin/config/services",
                            json={"unit": "T", "fields": {"code": "Z", "name_zh": "新业务"}})  # fmt: skip
    assert answer.status_code == 403


def test_only_inspectors_and_the_bureau_record_inspections(as_user):
    body = {"unit": "T", "kind": "unannounced", "visited_on": "2026-11-26"}
    assert as_user("boss-t").post("/api/admin/inspections", json=body).status_code == 403
    assert as_user("inspector").post("/api/admin/inspections", json=body).status_code == 201
