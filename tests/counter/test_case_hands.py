"""A case belongs to whoever accepted it, a first inquiry to whoever received it: a colleague
of the same hall is refused every step and nothing changes; the hall's manager may act on
either; a matter referred to a colleague by name is theirs to count visits for and to
accept as a case of their own."""

from __future__ import annotations

import pytest

from qhall.models import Case, CaseTask, Event
from tests.factories import assert_error, gen_staff, gen_unit, post_json, sign_in

BASE = "/api/units/T"


@pytest.fixture
def hall(app):
    unit = gen_unit(services={"A": {}, "B": {"time_limit_days": 5}})
    return {"unit": unit, "ann": gen_staff("ann", unit), "bob": gen_staff("bob", unit),
            "boss": gen_staff("boss", unit, role="manager")}  # fmt: skip


@pytest.fixture
def people(app, hall):
    """Return a function giving a test client signed in as a login."""
    return lambda login: sign_in(app.test_client(), login)


def post(client, path, body=None, status=200) -> dict:
    return post_json(client, BASE + path, body, status)


def case_row(number: str) -> tuple:
    case = Case.get(Case.number == number)
    tasks = tuple(t.status for t in CaseTask.select().where(CaseTask.case == case.id))
    extensions = case.extensions.count()
    return case.status, case.due_day, case.suspended_at, case.completed_at, tasks, extensions


def test_a_colleague_cannot_touch_a_case_someone_else_accepted(people, hall):
    ann, bob = people("ann"), people("bob")
    case = post(ann, "/cases", {"service": "B", "matter": "申请低保", "tasks": ["民政所"]}, 201)
    number, task = case["case"]["number"], case["case"]["tasks"][0]["id"]
    before, events = case_row(number), Event.select().count()

    for path, body in [
        ("/cases/suspend", {"missing": [{"name": "收入证明"}]}),
        ("/cases/extension", {"days": 3, "reason": "入户调查"}),
        ("/cases/task-done", {"task": task}),
        ("/cases/complete", {"result": "已办结"}),
    ]:
        refused = assert_error(bob.post(BASE + path, json={"number": number, **body}), 403)
        assert "该承诺件由 员工ann（工号 ANN）受理" in refused["message"], path
        assert "accepted by 员工ann" in refused["message_en"], path

    assert case_row(number) == before and Event.select().count() == events
    # Ann stops the clock; Bob cannot restart it either.
    post(ann, "/cases/suspend", {"number": number, "missing": [{"name": "收入证明"}]})
    assert_error(bob.post(f"{BASE}/cases/resume", json={"number": number}), 403)
    assert Case.get(Case.number == number).status == "suspended"
    post(ann, "/cases/resume", {"number": number})
    post(ann, "/cases/task-done", {"number": number, "task": task})
    assert case_row(number)[0] == "open"  # it waits for Ann's decision; Bob cannot give it
    assert_error(bob.post(f"{BASE}/cases/decide", json={"number": number, "decision": "granted"}), 403)  # fmt: skip
    post(ann, "/cases/decide", {"number": number, "decision": "granted"})
    assert case_row(number)[0] == "completed"


def test_the_halls_manager_may_complete_a_case_of_their_staff(people, hall):
    ann, boss = people("ann"), people("boss")
    number = post(ann, "/cases", {"service": "B", "matter": "寻亲"}, 201)["case"]["number"]
    done = post(boss, "/cases/complete", {"number": number, "result": "负责人办结"})
    assert done["case"]["status"] == "completed"


def test_a_case_is_not_accepted_at_a_colleagues_window(people, hall):
    ann, bob = people("ann"), people("bob")
    post(ann, "/counters/1/open")
    refused = assert_error(bob.post(f"{BASE}/cases", json={"service": "B", "matter": "x", "window": 1}), 409)  # fmt: skip
    assert refused["error"] == "window_in_use" and Case.select().count() == 0


def test_a_first_inquiry_is_its_owners_and_of_whom_it_is_referred_to_by_name(people, hall):
    ann, bob = people("ann"), people("bob")
    gen_staff("cat", hall["unit"])
    cat = people("cat")
    made = post(ann, "/inquiries", {"matter": "咨询低保"}, 201)["id"]
    for path, body in [("/inquiries/visit", {}), ("/inquiries/resolve", {"outcome": "x"}),
                       ("/inquiries/refer", {"to_service": "B"})]:  # fmt: skip
        refused = assert_error(bob.post(BASE + path, json={"inquiry": made, **body}), 403)
        assert "员工ann（工号 ANN）" in refused["message"], path
    post(ann, "/inquiries/refer", {"inquiry": made, "to_staff": "bob"})
    # Referred to Bob by name: he counts the visitor's visits and accepts the case as his.
    assert post(bob, "/inquiries/visit", {"inquiry": made})["visits"] == 2
    assert_error(cat.post(f"{BASE}/inquiries/visit", json={"inquiry": made}), 403)
    case = post(bob, "/cases", {"service": "B", "matter": "低保", "inquiry": made}, 201)["case"]
    number = case["number"]
    assert_error(ann.post(f"{BASE}/cases/complete", json={"number": number, "result": "x"}), 403)
    assert post(bob, "/cases/complete", {"number": number, "result": "已批准"})["case"]["status"] == "completed"  # fmt: skip
    # A colleague it was not referred to does not record its outcome; Ann, its owner, does.
    assert_error(cat.post(f"{BASE}/inquiries/resolve", json={"inquiry": made, "outcome": "x"}), 403)
    assert (
        post(ann, "/inquiries/resolve", {"inquiry": made, "outcome": "已办结"})["status"]
        == "resolved"
    )
