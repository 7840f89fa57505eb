"""First inquiries and their referral chains, visit counts, and time-limited cases against the
real 2026 calendar with a frozen clock: deadlines, 补正, extensions, warnings, escalation,
parallel tasks."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from qhall import cases, inquiries
from qhall.errors import BadInput, Conflict, Forbidden
from qhall.models import Event
from tests.factories import gen_staff, gen_unit

WARN_DAYS = 2


def at_ten(day: date) -> datetime:
    """10:00 in Shanghai on day, as the naive UTC the clock keeps."""
    return datetime(day.year, day.month, day.day, 2, 0)


@pytest.fixture
def hall(app):
    unit = gen_unit(services={"A": {}, "B": {"time_limit_days": 5}, "C": {"time_limit_days": 6}})
    gen_unit("U", services={"A": {}}, counters={1: ["A"]})
    return {
        "unit": unit,
        "clerk": gen_staff("clerk", unit),
        "other": gen_staff("other", unit),
        "boss": gen_staff("boss", unit, role="manager"),
    }


def accept(hall, clock, service="B", **extra):
    fields = {"matter": "申请低保", "visitor_name": "张小三", "visitor_phone": "13812341234"}
    outcome = cases.accept_case(
        "T", service, staff_id=hall["clerk"].id, now=clock.now(), **(fields | extra)
    )
    return outcome.result["case"]


def lists(hall, clock, who="boss"):
    return cases.case_lists("T", hall[who], now=clock.now(), warn_days=WARN_DAYS)


def numbers(items):
    return [item["number"] for item in items]


# --- first inquiries -----------------------------------------------------------------


def test_the_first_receiver_owns_the_matter_through_its_referral_chain(hall, clock):
    clerk, other = hall["clerk"], hall["other"]
    registered = inquiries.register_inquiry(
        "T",
        staff_id=clerk.id,
        matter="咨询高龄津贴",
        visitor_name="张小三",
        visitor_phone="13812341234",
        organisation="东湖社区",
        materials=[{"name": "身份证复印件", "quantity": 2}],
        now=clock.now(),
    ).result
    assert registered["visitor_name"] == "张小三" and registered["mine"]
    inquiry_id = registered["id"]
    clock.advance(minutes=5)
    inquiries.refer_inquiry("T", inquiry_id, staff_id=clerk.id, to_window=2, now=clock.now())
    referred = inquiries.refer_inquiry(
        "T", inquiry_id, staff_id=clerk.id, to_unit="U", to_service="A", to_staff="other",
        note="请协助", now=clock.now(),
    ).result  # fmt: skip
    chain = [
        (r["to_unit"], r["to_service"], r["to_window"], r["to_staff"])
        for r in referred["referrals"]
    ]
    assert chain == [(None, None, 2, None), ("U", "A", None, "员工other")]
    assert referred["status"] == "referred"

    # The owner keeps seeing it; the named colleague sees it referred to them, masked.
    assert numbers_of(inquiries.inquiry_lists("T", clerk)["mine"]) == [inquiry_id]
    theirs = inquiries.inquiry_lists("T", other)["referred_to_me"]
    assert [(i["id"], i["visitor_name"], i["visitor_phone"]) for i in theirs] == [
        (inquiry_id, "张*三", "138****1234")
    ]
    # Only the owner (or a manager) refers it on (the referee may record its outcome).
    with pytest.raises(Forbidden):
        inquiries.refer_inquiry("T", inquiry_id, staff_id=other.id, to_window=1, now=clock.now())
    inquiries.record_visit("T", inquiry_id, staff_id=other.id, now=clock.now())
    resolved = inquiries.resolve_inquiry(
        "T", inquiry_id, staff_id=clerk.id, outcome="已转民政所办结", now=clock.now()
    ).result
    assert (resolved["status"], resolved["visits"]) == ("resolved", 2)
    assert inquiries.inquiry_lists("T", clerk)["mine"] == []


def numbers_of(inquiries):
    return [i["id"] for i in inquiries]


def test_the_one_visit_rate_counts_matters_done_in_a_single_visit(hall, clock):
    clerk = hall["clerk"]
    for visits in (1, 1, 3):
        inquiry = inquiries.register_inquiry("T", staff_id=clerk.id, matter="咨询", now=clock.now())
        for _ in range(visits - 1):
            inquiries.record_visit("T", inquiry.result["id"], staff_id=clerk.id, now=clock.now())
        inquiries.resolve_inquiry("T", inquiry.result["id"], staff_id=clerk.id, outcome="答复", now=clock.now())  # fmt: skip
    start = at_ten(date(2026, 11, 26)).replace(hour=0)
    rate = inquiries.one_visit_rate("T", start, clock.advance(hours=1))
    assert rate == {"resolved": 3, "one_visit": 2, "rate": 0.6667}


def test_a_matter_needs_its_description_and_a_sane_phone(hall, clock):
    with pytest.raises(BadInput):
        inquiries.register_inquiry("T", staff_id=hall["clerk"].id, matter="  ", now=clock.now())
    with pytest.raises(BadInput):
        inquiries.register_inquiry(
            "T", staff_id=hall["clerk"].id, matter="x", visitor_phone="call me", now=clock.now()
        )
    with pytest.raises(BadInput):
        inquiries.register_inquiry(
            "T", staff_id=hall["clerk"].id, matter="x", materials=[{"name": "证", "quantity": 0}],
            now=clock.now(),
        )  # fmt: skip


# --- cases ---------------------------------------------------------------------------


def test_accepting_a_promised_matter_opens_a_numbered_case_due_in_working_days(hall, clock):
    case = accept(hall, clock, materials=[{"name": "申请书", "quantity": 1}])
    # Thursday 26 November 2026, 5 working days from Friday: Thursday 3 December.
    assert case["number"] == "T-20261126-001"
    assert (case["due_day"], case["deadline"], case["working_days_left"]) == (
        "2026-12-03",
        "running",
        5,
    )
    assert case["visitor_name"] == "张小三"  # the acceptor sees it
    seen = cases.find_case("T", case["number"], hall["other"], clock.now())
    assert (seen["visitor_name"], seen["visitor_phone"]) == ("张*三", "138****1234")
    assert accept(hall, clock)["number"] == "T-20261126-002"
    # The receipt carries what the visitor needs, the name masked.
    outcome = cases.accept_case("T", "B", staff_id=hall["clerk"].id, matter="m", visitor_name="李四", window=1, now=clock.now())  # fmt: skip
    receipt = outcome.result["receipt"]
    assert (receipt["number"], receipt["due_day"], receipt["visitor_name"], receipt["window"]) == (
        "T-20261126-003", "2026-12-03", "李*", 1
    )  # fmt: skip
    # The event that reaches the hall's screens carries no personal data.
    assert "张" not in "".join(e.payload for e in Event.select())


def test_an_on_the_spot_service_is_not_a_case(hall, clock):
    with pytest.raises(BadInput):
        accept(hall, clock, service="A")


def test_a_deadline_across_the_national_day_holidays_counts_the_make_up_saturday(hall, clock):
    clock.at = at_ten(date(2026, 9, 24))  # Thursday before 中秋 and 国庆
    case = accept(hall, clock, service="C")
    # Days off 25–27 September and 1–7 October; worked: 28, 29, 30 Sept, 8, 9 and Sat 10 Oct.
    assert case["due_day"] == "2026-10-10"


def test_the_clock_stops_for_missing_materials_and_restarts_when_they_come(hall, clock):
    number = accept(hall, clock)["number"]  # due Thursday 3 December
    clock.at = at_ten(date(2026, 11, 30))
    suspended = cases.suspend_case(
        "T", number, staff_id=hall["clerk"].id, missing=[{"name": "收入证明", "quantity": 1}],
        now=clock.now(),
    ).result  # fmt: skip
    assert (
        suspended["case"]["deadline"] == "stopped" and suspended["case"]["working_days_left"] == 3
    )
    assert suspended["notice"]["missing"] == [{"name": "收入证明", "quantity": 1}]
    # A stopped case is neither due nor overdue, however long it waits.
    clock.at = at_ten(date(2026, 12, 7))
    assert numbers(lists(hall, clock)["stopped"]) == [number]
    assert lists(hall, clock)["overdue"] == []
    resumed = cases.resume_case("T", number, staff_id=hall["clerk"].id, now=clock.now()).result
    # Three days left, counted again from Tuesday 8 December.
    assert resumed["case"]["due_day"] == "2026-12-10"
    assert resumed["case"]["visits"] == 2  # the visitor came back with the materials


def test_an_extension_needs_a_manager_and_a_reason(hall, clock):
    number = accept(hall, clock)["number"]
    with pytest.raises(BadInput):
        cases.request_extension("T", number, staff_id=hall["clerk"].id, days=3, reason="", now=clock.now())  # fmt: skip
    cases.request_extension(
        "T", number, staff_id=hall["clerk"].id, days=3, reason="需外调核查", now=clock.now()
    )
    assert [x["reason"] for x in lists(hall, clock)["pending_extensions"]] == ["需外调核查"]
    with pytest.raises(Forbidden):
        cases.decide_extension("T", number, staff_id=hall["clerk"].id, approve=True, now=clock.now())  # fmt: skip
    decided = cases.decide_extension(
        "T", number, staff_id=hall["boss"].id, approve=True, note="同意", now=clock.now()
    ).result
    # Three more working days after Thursday 3 December: Tuesday 8 December.
    assert decided["case"]["due_day"] == "2026-12-08" and decided["case"]["extended_days"] == 3
    assert decided["extension"]["decided_by"] == "员工boss"
    with pytest.raises(Conflict):
        cases.decide_extension("T", number, staff_id=hall["boss"].id, approve=True, now=clock.now())  # fmt: skip


def test_warnings_come_before_the_deadline_and_overdue_cases_escalate_once(hall, clock):
    number = accept(hall, clock)["number"]  # due Thursday 3 December

    def check():
        return cases.check_deadlines("T", now=clock.now(), warn_days=WARN_DAYS)

    assert check().result == {"warned": [], "escalated": []}
    clock.at = at_ten(date(2026, 12, 1))  # two working days left
    outcome = check()
    assert outcome.result["warned"] == [number]
    assert [e["name"] for e in outcome.events] == ["case.warning"]
    assert check().result["warned"] == []  # once
    assert numbers(lists(hall, clock)["warning"]) == [number]

    clock.at = at_ten(date(2026, 12, 3))
    assert numbers(lists(hall, clock)["due_today"]) == [number]
    assert numbers(lists(hall, clock, "clerk")["due_today"]) == [number]
    assert lists(hall, clock, "other")["due_today"] == []  # not theirs
    assert check().result["escalated"] == []

    clock.at = at_ten(date(2026, 12, 4))
    outcome = check()
    assert outcome.result["escalated"] == [number]
    assert outcome.events[0]["name"] == "case.overdue"
    assert outcome.events[0]["case"]["escalated_to"] == hall["boss"].id
    overdue = lists(hall, clock)["overdue"]
    assert numbers(overdue) == [number] and overdue[0]["escalated_to"] == "员工boss"
    assert overdue[0]["working_days_left"] == -1
    assert check().result["escalated"] == []  # once


def test_parallel_tasks_run_at_once_and_the_window_decides_when_all_are_done(hall, clock):
    case = accept(hall, clock, tasks=["民政所", "街道办", "残联"])
    number = case["number"]
    task_ids = [t["id"] for t in case["tasks"]]
    with pytest.raises(Conflict):
        cases.complete_case("T", number, staff_id=hall["clerk"].id, result="x", now=clock.now())
    # A colleague cannot finish its parts of the clerk's case.
    with pytest.raises(Forbidden):
        cases.finish_task("T", number, task_ids[0], staff_id=hall["other"].id, now=clock.now())
    for task_id in task_ids[:2]:
        state = cases.finish_task("T", number, task_id, staff_id=hall["clerk"].id, now=clock.now())
        assert state.result["case"]["status"] == "open"
        assert not state.result["case"]["awaiting_decision"]
    done = cases.finish_task("T", number, task_ids[2], staff_id=hall["clerk"].id, now=clock.now())
    # Every part done: the case waits for the window's decision, never closes by itself.
    assert done.result["case"]["status"] == "open" and done.result["case"]["awaiting_decision"]
    assert [t["status"] for t in done.result["case"]["tasks"]] == ["done"] * 3
    decided = cases.decide_case("T", number, staff_id=hall["clerk"].id, decision="granted", now=clock.now())  # fmt: skip
    assert (decided.result["case"]["status"], decided.result["case"]["decision"]) == ("completed", "granted")  # fmt: skip
    # The matter the acceptor received first is resolved with its case, in one visit.
    inquiry = inquiries.inquiry_lists("T", hall["clerk"])
    assert inquiry["mine"] == []
    assert lists(hall, clock)["running"] == []


def test_a_case_from_a_registered_inquiry_leaves_the_outcome_to_its_owner(hall, clock):
    inquiry = inquiries.register_inquiry(
        "T", staff_id=hall["other"].id, matter="低保", now=clock.now()
    )
    case = accept(hall, clock, inquiry_id=inquiry.result["id"])
    cases.complete_case("T", case["number"], staff_id=hall["clerk"].id, result="已批准", now=clock.now())  # fmt: skip
    mine = inquiries.inquiry_lists("T", hall["other"])["mine"]
    assert [(i["id"], i["cases"][0]["status"]) for i in mine] == [
        (inquiry.result["id"], "completed")
    ]


def test_a_repeated_request_key_accepts_one_case(hall, clock):
    first = cases.accept_case("T", "B", staff_id=hall["clerk"].id, matter="m", now=clock.now(), request_key="k-12345678")  # fmt: skip
    again = cases.accept_case("T", "B", staff_id=hall["clerk"].id, matter="m", now=clock.now(), request_key="k-12345678")  # fmt: skip
    assert again.replayed and again.result == first.result
