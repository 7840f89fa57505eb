"""The audit log as the admin side reads it: roles, passwords and exports in it, a page at a
time, filtered by unit, action, who and day, and each hall's entries kept from the others."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from qhall.audit import record_action
from qhall.models import Inquiry
from qhall.supervision_models import AuditEntry
from tests.factories import assert_error


def log(client, **query) -> dict:
    answer = client.get("/api/admin/audit", query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


@pytest.fixture
def week_of_entries(bureau, clock):
    """Seven test entries at hall T, one a day back from today, by T's manager; two at U."""
    for days in range(7):
        record_action(staff_id=bureau["boss-t"].id, unit_id=bureau["T"].id, action="test.t",
                      target=f"T/{days}", now=clock.now() - timedelta(days=days))  # fmt: skip
    for days in range(2):
        record_action(staff_id=bureau["boss-u"].id, unit_id=bureau["U"].id, action="test.u",
                      target=f"U/{days}", now=clock.now() - timedelta(days=days))  # fmt: skip


def test_a_role_change_and_a_password_reset_are_entries_of_their_own(as_user, bureau):
    boss = as_user("boss-t")
    answer = boss.post("/api/admin/config/staff", json={
        "unit": "T", "id": bureau["clerk"].id, "fields": {"role": "manager", "password": "new-secret-9"}})  # fmt: skip
    assert answer.status_code == 200, answer.get_json()
    rows = log(boss, action="staff.", who="boss-t")["rows"]  # not the accounts the CLI made
    assert sorted(row["action"] for row in rows) == ["staff.password", "staff.role", "staff.update"]
    role = next(row for row in rows if row["action"] == "staff.role")
    assert (role["target"], role["login"]) == ("T/clerk", "boss-t")
    assert (role["before"], role["after"]) == ({"role": "staff"}, {"role": "manager"})
    stored = " ".join(e.before + e.after + e.target for e in AuditEntry.select())
    assert "new-secret-9" not in stored and "argon2" not in stored


@pytest.mark.parametrize("path, kind, fmt", [
    ("/admin/ledger.csv?unit=T", "ledger", "csv"),
    ("/admin/registers/inquiries.xlsx?unit=T", "inquiries", "xlsx"),
    ("/api/admin/ledger?unit=T", "ledger", "json"),
    ("/api/admin/registers/ratings?unit=T", "ratings", "json"),
])  # fmt: skip
def test_an_export_is_logged_with_what_whose_when_and_how_many(as_user, bureau, path, kind, fmt):
    boss = as_user("boss-t")
    assert boss.get(path).status_code == 200
    (entry,) = log(boss, action="export")["rows"]
    assert entry["login"] == "boss-t" and entry["target"] == f"T/{kind}"
    what = entry["after"]
    assert (what["kind"], what["unit"], what["format"]) == (kind, "T", fmt)
    assert what["from"] <= what["to"] and isinstance(what["rows"], int)


def test_an_export_counts_its_rows(as_user, bureau, clock):
    for name in ("张三", "李四"):
        Inquiry.create(unit=bureau["T"], owner=bureau["clerk"], visitor_name=name,
                       matter="咨询", created_at=clock.now())  # fmt: skip
    boss = as_user("boss-t")
    assert boss.get("/admin/registers/inquiries.csv?unit=T").status_code == 200
    (entry,) = log(boss, action="export")["rows"]
    assert entry["after"]["rows"] == 2
    assert "张三" not in json.dumps(entry, ensure_ascii=False)


def test_pages_are_distinct_and_the_total_counts_them_all(as_user, week_of_entries):
    admin = as_user("admin")
    pages = [log(admin, action="test.t", size=3, page=n) for n in (1, 2, 3)]
    assert [(p["total"], p["pages"], p["page"]) for p in pages] == [(7, 3, 1), (7, 3, 2), (7, 3, 3)]
    targets = [row["target"] for p in pages for row in p["rows"]]
    assert targets == [f"T/{days}" for days in range(7)]  # newest first, each once
    assert log(admin, action="test.t", size=3, page=4)["rows"] == []
    assert_error(admin.get("/api/admin/audit?size=201"), 400)
    assert_error(admin.get("/api/admin/audit?action=" + "x" * 61), 400)


def test_filters_by_unit_action_who_and_day(as_user, bureau, week_of_entries, clock):
    admin = as_user("admin")
    assert log(admin, action="test.")["total"] == 9
    assert log(admin, action="test.", unit="U")["total"] == 2
    assert log(admin, action="test.", who="boss-u")["total"] == 2
    assert log(admin, action="test.", who="nobody")["total"] == 0
    today = clock.now().date()
    days_ago = [(today - timedelta(days=d)).isoformat() for d in range(7)]
    week = log(admin, action="test.t", **{"from": days_ago[4], "to": days_ago[2]})
    assert [row["target"] for row in week["rows"]] == ["T/2", "T/3", "T/4"]
    assert log(admin, action="test.", **{"from": days_ago[0]})["total"] == 2  # T's and U's today


def test_a_manager_sees_only_their_own_halls_entries(as_user, week_of_entries):
    boss_u = as_user("boss-u")
    assert_error(boss_u.get("/api/admin/audit?unit=T"), 403)
    seen = log(boss_u, action="test.")
    assert seen["total"] == 2 and {row["target"] for row in seen["rows"]} == {"U/0", "U/1"}
    # Nor the other hall's sign-ins.
    assert all(row["target"] != "boss-t" for row in log(boss_u, action="session.")["rows"])
    assert log(as_user("inspector"), action="test.")["total"] == 9


def test_the_page_shows_where_it_is_and_keeps_the_filters(as_user, week_of_entries):
    admin = as_user("admin")
    first = admin.get("/admin/audit?action=test.t&size=3").get_data(as_text=True)
    assert "第 1 页，共 3 页" in first and "page 1 of 3" in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert "page=2" in first and "action=test.t" in first
    second = admin.get("/admin/audit?action=test.t&size=3&page=2").get_data(as_text=True)
    assert 'rel="prev"' in second and "T/3" in second and "T/0" not in second
    refused = admin.get("/admin/audit?size=500")
    assert refused.status_code == 400


def test_nothing_of_a_sign_in_is_logged_but_who_and_from_where(as_user, bureau):
    as_user("boss-t")
    (entry,) = AuditEntry.select().where(AuditEntry.action == "session.sign_in")
    assert json.loads(entry.after) == {"client": "127.0.0.1"}
