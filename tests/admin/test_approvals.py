"""Managers decide extension requests from the admin side, with no window open: the
approvals page lists their hall's requests and escalated overdue cases, the decision moves
the case's due day; staff, inspectors and another hall's manager cannot decide."""

from __future__ import annotations

import pytest

from qhall import cases
from qhall.errors import Forbidden
from qhall.models import Case, Counter, Service

BASE = "/api/units/T"


@pytest.fixture
def asked(bureau, as_user):
    """A case at T (due 3 December) accepted by the clerk, who asked for 2 more days."""
    Service.update(time_limit_days=5).where(Service.code == "B").execute()
    clerk = as_user("clerk")
    accepted = clerk.post(f"{BASE}/cases", json={"service": "B", "matter": "申请低保"})
    number = accepted.get_json()["case"]["number"]
    asked = clerk.post(f"{BASE}/cases/extension", json={"number": number, "days": 2, "reason": "需入户调查"})  # fmt: skip
    assert asked.status_code == 200, asked.get_json()
    return number


def test_a_manager_with_no_window_open_approves_an_extension(as_user, asked):
    boss = as_user("boss-t")
    assert not Counter.select().where(Counter.state != "closed").exists()
    page = boss.get("/admin/approvals")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert asked in html and "需入户调查" in html and "2026-12-07" in html  # the new due day
    decided = boss.post(f"{BASE}/cases/extension-decision",
                        json={"number": asked, "approve": True, "note": "同意"})  # fmt: skip
    assert decided.status_code == 200, decided.get_json()
    assert Case.get(Case.number == asked).due_day.isoformat() == "2026-12-07"
    assert asked not in boss.get("/admin/approvals").get_data(as_text=True)


def test_the_bureau_sees_every_halls_requests(as_user, asked):
    assert asked in as_user("admin").get("/admin/approvals").get_data(as_text=True)
    assert asked not in as_user("boss-u").get("/admin/approvals").get_data(as_text=True)


def test_staff_inspectors_and_another_halls_manager_cannot_approve(as_user, asked, bureau, clock):
    decision = {"number": asked, "approve": True}
    for login in ("clerk", "boss-u"):
        answer = as_user(login).post(f"{BASE}/cases/extension-decision", json=decision)
        assert answer.status_code == 403 and answer.get_json()["message_en"]
    # The rule is the core's, whatever the web layer checks first.
    with pytest.raises(Forbidden):
        cases.decide_extension("T", asked, staff_id=bureau["boss-u"].id, approve=True, now=clock.now())  # fmt: skip
    assert Case.get(Case.number == asked).due_day.isoformat() == "2026-12-03"
    for login in ("clerk", "inspector", "boss-u"):
        page = as_user(login).get("/admin/approvals" + ("?unit=T" if login == "boss-u" else ""))
        assert page.status_code == 403, login


def test_an_escalated_overdue_case_is_listed_for_its_manager(as_user, asked, clock):
    clock.advance(days=8)  # Friday 4 December: one working day late
    cases.check_deadlines("T", now=clock.now(), warn_days=2)
    html = as_user("boss-t").get("/admin/approvals").get_data(as_text=True)
    escalated = html.split('id="escalated"')[1]
    assert f"<td>{asked}</td>" in escalated and "<td>2026-12-03</td><td>1</td>" in escalated
