"""A case whose parallel tasks are all done waits for the window's decision: granted, or
refused with its reason, by whoever holds the case or the hall's manager; the decision
notice (办理结果告知书) is queued on the window's printer for the applicant."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from printer.printouts import render_decision
from qhall import cases
from qhall.errors import BadInput, Forbidden
from qhall.models import Case, PrintJob
from tests.factories import assert_error, gen_staff, gen_unit, sign_in

BASE = "/api/units/T"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def hall(app):
    unit = gen_unit(services={"A": {}, "B": {"time_limit_days": 5}})
    return {"unit": unit, "clerk": gen_staff("clerk", unit), "other": gen_staff("other", unit),
            "boss": gen_staff("boss", unit, role="manager")}  # fmt: skip


def accept_with_tasks(hall, clock, *departments) -> dict:
    return cases.accept_case(
        "T", "B", staff_id=hall["clerk"].id, matter="申请低保", visitor_name="张小三",
        tasks=departments, now=clock.now(),
    ).result["case"]  # fmt: skip


def finish_all(hall, clock, case) -> dict:
    for task in case["tasks"]:
        done = cases.finish_task("T", case["number"], task["id"], staff_id=hall["clerk"].id, now=clock.now())  # fmt: skip
    return done.result["case"]


def test_the_last_task_done_leaves_the_case_open_awaiting_the_decision(hall, clock):
    case = accept_with_tasks(hall, clock, "民政所", "残联")
    first = cases.finish_task("T", case["number"], case["tasks"][0]["id"], staff_id=hall["clerk"].id, now=clock.now())  # fmt: skip
    assert not first.result["case"]["awaiting_decision"]
    last = finish_all(hall, clock, {**case, "tasks": case["tasks"][1:]})
    assert (last["status"], last["awaiting_decision"], last["decision"]) == ("open", True, "")
    stored = Case.get(Case.number == case["number"])
    assert (stored.status, stored.completed_at) == ("open", None)
    # It stays on the window's running list until someone decides.
    running = cases.case_lists("T", hall["clerk"], now=clock.now(), warn_days=2)["running"]
    assert [(c["number"], c["awaiting_decision"]) for c in running] == [(case["number"], True)]


def test_granted_completes_the_case_with_its_decision(hall, clock):
    case = finish_all(hall, clock, accept_with_tasks(hall, clock, "民政所"))
    decided = cases.decide_case("T", case["number"], staff_id=hall["clerk"].id, decision="granted",
                                reason="准予纳入低保", now=clock.now()).result  # fmt: skip
    assert (decided["case"]["status"], decided["case"]["decision"], decided["case"]["result"]) == (
        "completed", "granted", "准予纳入低保"
    )  # fmt: skip
    assert decided["decision_notice"]["kind"] == "case_decision"
    assert decided["decision_notice"]["visitor_name"] == "张*三"  # paper leaves the hall masked


def test_a_refusal_needs_its_reason_and_anything_else_is_no_decision(hall, clock):
    case = finish_all(hall, clock, accept_with_tasks(hall, clock, "民政所"))
    with pytest.raises(BadInput, match="A refusal needs its reason"):
        cases.decide_case("T", case["number"], staff_id=hall["clerk"].id, decision="refused", reason="  ", now=clock.now())  # fmt: skip
    with pytest.raises(BadInput):
        cases.decide_case("T", case["number"], staff_id=hall["clerk"].id, decision="maybe", now=clock.now())  # fmt: skip
    assert Case.get(Case.number == case["number"]).status == "open"
    refused = cases.decide_case("T", case["number"], staff_id=hall["clerk"].id, decision="refused",
                                reason="家庭收入超过当地低保标准", now=clock.now()).result["case"]  # fmt: skip
    assert (refused["status"], refused["decision"], refused["result"]) == (
        "completed", "refused", "家庭收入超过当地低保标准"
    )  # fmt: skip


def test_a_colleague_cannot_decide_but_the_halls_manager_can(hall, clock):
    case = finish_all(hall, clock, accept_with_tasks(hall, clock, "民政所"))
    with pytest.raises(Forbidden):
        cases.decide_case("T", case["number"], staff_id=hall["other"].id, decision="granted", now=clock.now())  # fmt: skip
    assert Case.get(Case.number == case["number"]).decision == ""
    by_boss = cases.decide_case("T", case["number"], staff_id=hall["boss"].id, decision="granted", now=clock.now())  # fmt: skip
    assert by_boss.result["case"]["decision"] == "granted"


def test_the_direct_completion_records_a_decision_too(hall, clock):
    number = accept_with_tasks(hall, clock)["number"]
    done = cases.complete_case("T", number, staff_id=hall["clerk"].id, result="已办结", now=clock.now())  # fmt: skip
    assert (done.result["case"]["decision"], done.result["case"]["result"]) == ("granted", "已办结")


def test_the_decision_notice_is_queued_on_the_windows_printer_and_renders(app, client, hall, window_printer):  # fmt: skip
    clerk = sign_in(client)
    client.post(f"{BASE}/counters/1/open")
    number = clerk.post(f"{BASE}/cases", json={"service": "B", "matter": "申请低保", "visitor_name": "张小三", "window": 1, "tasks": ["民政所"]}).get_json()["case"]["number"]  # fmt: skip
    task = clerk.get(f"{BASE}/cases", query_string={"number": number}).get_json()["tasks"][0]
    clerk.post(f"{BASE}/cases/task-done", json={"number": number, "task": task["id"]})
    colleague = sign_in(app.test_client(), "other")
    assert_error(colleague.post(f"{BASE}/cases/decide", json={"number": number, "decision": "granted"}), 403)  # fmt: skip
    body = {
        "number": number,
        "decision": "refused",
        "reason": "家庭收入超过当地低保标准",
        "window": 1,
    }
    answer = clerk.post(f"{BASE}/cases/decide", json=body, headers={"Idempotency-Key": "decide-0001"})  # fmt: skip
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["print_job"]
    again = clerk.post(f"{BASE}/cases/decide", json=body, headers={"Idempotency-Key": "decide-0001"})  # fmt: skip
    assert again.get_json()["print_job"] == answer.get_json()["print_job"]  # one notice, not two
    jobs = [(j.kind, j.ref, j.printer) for j in PrintJob.select().order_by(PrintJob.id)]
    assert jobs[-1] == ("case_decision", number, "t-window-1")
    assert [kind for kind, _, _ in jobs].count("case_decision") == 1
    notice = Image.open(io.BytesIO(PrintJob.get(PrintJob.kind == "case_decision").image))
    assert notice.mode == "1" and notice.width == 576 and notice.height > 600
    ARTIFACTS.mkdir(exist_ok=True)
    notice.convert("L").save(ARTIFACTS / "decision-notice-refused.png")


def test_a_granted_notice_says_so_and_a_refused_one_tells_how_to_appeal():
    data = {"unit_name": "测试大厅", "unit_name_en": "Test hall", "number": "T-20261126-001",
            "service_name": "低保", "service_name_en": "Basic allowance", "matter": "申请低保",
            "visitor_name": "张*三", "decision": "granted", "reason": "", "decision_day": "2026-11-26",
            "staff_name": "员工clerk", "employee_no": "CLERK", "window": 1}  # fmt: skip
    granted = render_decision(data, contact_phone="0000-1234567")
    refused = render_decision({**data, "decision": "refused", "reason": "收入超标"}, contact_phone="0000-1234567")  # fmt: skip
    # The refusal carries its reason and the appeal lines: a longer page than the grant.
    assert refused.height > granted.height + 60
    ARTIFACTS.mkdir(exist_ok=True)
    granted.convert("L").save(ARTIFACTS / "decision-notice-granted.png")
